"""A notebook's outputs are its ``ctx.table``/``ctx.figure`` calls; their words live beside the code that makes them."""

from __future__ import annotations

import ast
import json
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")  # plain test process; kernels keep their inline backend

import pytest  # noqa: E402

from samendoen_analysis.paths import PROJECT_ROOT  # noqa: E402
from samendoen_analysis.present.captions import Drawing, Output, Sentence, figure  # noqa: E402
from samendoen_analysis.run import outputs  # noqa: E402

PRESENT = PROJECT_ROOT / "samendoen_analysis" / "present"


def _notebook(tmp_path, *cells: str, name: str = "99_new.ipynb"):
    path = tmp_path / name
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": textwrap.dedent(c), "outputs": [],
                     "execution_count": None} for c in cells],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_calls_are_read_in_reading_order_also_inside_conditions(tmp_path):
    path = _notebook(
        tmp_path,
        """
        %matplotlib inline
        ctx.table(frame, "99_a", columns=("code_id",))
        if ok:
            ctx.figure(fig, name="99_b")
        """,
        'ax.table(cellText=[["x"]]); ctx.table(frame, "99_b"); ctx.table(frame, "99_a")',
    )
    assert outputs.written_by(path) == (("table", "99_a"), ("figure", "99_b"), ("table", "99_b"))


def test_a_name_that_is_not_written_out_is_refused_with_its_place(tmp_path):
    path = _notebook(tmp_path, "x = 1", "name = '99_a'\nctx.figure(fig, name)")
    with pytest.raises(outputs.OutputError, match=r"99_new\.ipynb, code cell 2, line 2: ctx\.figure needs its file "
                                                  r"name as a literal text.*Fix: write the name out"):
        outputs.written_by(path)


def test_a_cell_that_is_not_python_is_refused_with_its_place(tmp_path):
    path = _notebook(tmp_path, "ctx.table(frame, '99_a'", name="98_broken.ipynb")
    with pytest.raises(outputs.OutputError, match=r"98_broken\.ipynb, code cell 1, line 1: not valid Python"):
        outputs.written_by(path)


@pytest.mark.parametrize(("kind", "where"), [("table", "TABLES of samendoen_analysis/run/outputs.py"),
                                             ("figure", "beside its drawing function")])
def test_an_output_without_words_says_where_to_write_them(kind, where):
    with pytest.raises(outputs.OutputError, match=rf"{kind} '99_nothing' has no caption\. Fix: .*{where}"):
        outputs.declared(kind, "99_nothing")


def test_a_notebook_cannot_write_a_result_without_words(tmp_path, corpus):
    from samendoen_analysis.run.notebook import prepare

    ctx = prepare(out_dir=str(tmp_path / "out"), figures=False)
    with pytest.raises(outputs.OutputError, match="table '99_nothing' has no caption"):
        ctx.table(corpus.schools, "99_nothing", columns=())
    with pytest.raises(outputs.OutputError, match="figure '99_nothing' has no caption"):
        ctx.figure(matplotlib.pyplot.figure(), "99_nothing")
    matplotlib.pyplot.close("all")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("99_nothing.*"))


def test_every_declared_word_is_used_by_a_notebook():
    written = {pair for path in outputs.notebook_paths() for pair in outputs.written_by(path)}
    declared = {("table", o.name) for o in outputs.TABLES} | {("figure", n) for n in outputs.declared_figures()}
    assert declared - written == set(), "words for a result no notebook writes: delete them or write the result"


def test_every_module_that_declares_drawings_is_searched():
    declaring = set()
    for path in sorted(PRESENT.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "Drawing"
               for n in ast.walk(tree)):
            declaring.add(f"samendoen_analysis.present.{path.stem}")
    declaring.discard("samendoen_analysis.present.captions")
    assert declaring == set(outputs.FIGURE_MODULES)


def test_a_new_figure_is_its_drawing_module_and_its_notebook(tmp_path, monkeypatch):
    """The two places a contributor writes: a Drawing beside the function, a ctx.figure call in the notebook."""
    module = tmp_path / "my_figures.py"
    module.write_text(textwrap.dedent('''
        from samendoen_analysis.present.captions import Drawing, Sentence, figure

        MINE = Drawing(
            title=Sentence(nl="Mijn titel", en="My title"),
            figures=(figure("99_mine", Sentence(nl="Wat het toont.", en="What it shows."),
                            Sentence(nl="Hoe te lezen.", en="How to read it.")),),
        )
    '''), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(outputs, "FIGURE_MODULES", (*outputs.FIGURE_MODULES, "my_figures"))
    outputs.declared_figures.cache_clear()
    try:
        path = _notebook(tmp_path, 'ctx.figure(fig, "99_mine")')
        (mine,) = outputs.all_outputs([path])["99_new"]
        assert (mine.kind, mine.caption("en"), mine.reading("nl")) == ("figure", "What it shows.", "Hoe te lezen.")
        assert sys.modules["my_figures"].MINE.title("nl") == "Mijn titel"
    finally:
        outputs.declared_figures.cache_clear()


def test_a_figure_declared_twice_is_refused(monkeypatch, tmp_path):
    module = tmp_path / "twice.py"
    module.write_text("from samendoen_analysis.present.figures import HEATMAP as AGAIN\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(outputs, "FIGURE_MODULES", (*outputs.FIGURE_MODULES, "twice"))
    outputs.declared_figures.cache_clear()
    try:
        with pytest.raises(outputs.OutputError, match="figure '03_emphasis_heatmap' is declared twice"):
            outputs.declared_figures()
    finally:
        outputs.declared_figures.cache_clear()


def test_words_are_complete_on_construction():
    with pytest.raises(ValueError, match="both its Dutch and its English text"):
        Sentence(nl="Titel", en=" ")
    with pytest.raises(ValueError, match="a figure has a reading, a table has none"):
        Output("figure", "99_x", Sentence(nl="a", en="b"))
    with pytest.raises(ValueError, match="a Drawing declares figures only"):
        Drawing(Sentence(nl="a", en="b"), (Output("table", "99_x", Sentence(nl="a", en="b")),))
    assert figure("99_x", Sentence(nl="a", en="b"), Sentence(nl="c", en="d")).reading("en") == "d"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_figure_carries_the_title_its_drawing_declares(corpus, lang):
    from samendoen_analysis.analysis.measures import emphasis
    from samendoen_analysis.present.figures import HEATMAP, SMALL_MULTIPLES, heatmap, small_multiples
    from samendoen_analysis.present.labels import label

    fig = heatmap(emphasis(corpus), "w", lang, corpus.codebook)
    assert fig.axes[0].get_title() == HEATMAP.title(lang)
    groups = ["teacher", "external_partner"]
    fig = small_multiples(emphasis(corpus, by=("round", "role_group")), groups, "w", lang, corpus.codebook,
                          panel="round")
    names = [label(g, lang) for g in groups]
    expected = SMALL_MULTIPLES.title(lang, a=names[0], b=names[1], panel=label("round", lang))
    assert fig._suptitle.get_text() == expected[:1].upper() + expected[1:]
    matplotlib.pyplot.close("all")


def test_reproduce_refuses_a_name_not_written_out_before_any_kernel_starts(tmp_path, monkeypatch):
    from samendoen_analysis.run import reproduce as run

    path = _notebook(tmp_path, "name = '99_a'\nctx.table(frame, name)")
    started = []
    monkeypatch.setattr(run, "_run_all", lambda *args, **kwargs: started.append(args))
    with pytest.raises(outputs.OutputError, match=r"99_new\.ipynb, code cell 1, line 2: ctx\.table needs"):
        run.reproduce(tmp_path / "out", {}, notebooks=[path], progress=False)
    assert started == [] and not (tmp_path / "out").exists()
