"""What a reader sees: tables in the words of their language, figures that explain themselves,
a report page built from the declared outputs, a command line whose help is plain text."""

from __future__ import annotations

import json
import re
import shutil

import matplotlib

matplotlib.use("Agg")  # plain test process; kernels keep their inline backend

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from samendoen_analysis.analysis.claims import evaluate_claims  # noqa: E402
from samendoen_analysis.analysis.measures import MEASURES, NORMALISATIONS, emphasis  # noqa: E402
from samendoen_analysis.analysis.summary import sample_table  # noqa: E402
from samendoen_analysis.cli import main  # noqa: E402
from samendoen_analysis.paths import NOTEBOOKS_DIR  # noqa: E402
from samendoen_analysis.present.figures import (  # noqa: E402
    confusion_heatmap,
    group_bars,
    heatmap,
    plotted_data,
    save_figure,
    set_style,
    small_multiples,
)
from samendoen_analysis.present.labels import LANGUAGES, evidence_in_words, relabel  # noqa: E402
from samendoen_analysis.run.outputs import all_outputs, outputs  # noqa: E402
from samendoen_analysis.run.params import notebook_parameters  # noqa: E402
from samendoen_analysis.run.report import write_report  # noqa: E402

NUMBER = re.compile(r"-?\d[\d.]*(?:e[+-]\d+)?|inf|nan")
ENGLISH_WORDS = re.compile(r"\b(True|False|nan|teacher|external_partner|top|vs|full|director_only)\b")


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("normalisation", NORMALISATIONS)
def test_evidence_of_every_claim_in_words(corpus, measure, normalisation):
    claims = evaluate_claims(corpus, measure, normalisation)
    for raw in claims["evidence"]:
        dutch, english = evidence_in_words(raw, "nl", corpus.codebook), evidence_in_words(raw, "en", corpus.codebook)
        assert dutch != raw and english != raw, f"evidence in no known form: {raw}"
        assert not ENGLISH_WORDS.search(dutch), dutch
        assert "_" not in dutch and "_" not in english, (dutch, english)
        assert set(NUMBER.findall(raw)) == set(NUMBER.findall(english)), "numbers changed or lost"


def test_dutch_claims_table_is_dutch_throughout(corpus):
    claims = evaluate_claims(corpus)
    shown = relabel(claims[["claim_id", "code_id", "summary_nl", "evidence", "statistic", "threshold", "holds"]],
                    "nl", corpus.codebook, ("code_id",))
    assert list(shown.columns) == ["bevinding", "code", "samenvatting", "onderbouwing", "toetsgrootheid", "drempel",
                                   "klopt"]
    assert set(shown["klopt"]) <= {"ja", "nee"}
    text = shown.drop(columns=["samenvatting"]).astype(str).to_string()
    assert not ENGLISH_WORDS.search(text), text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sample_table_in_one_language_with_whole_counts(corpus, lang):
    shown = relabel(sample_table(corpus), lang, corpus.codebook, ())
    other = {"nl": "en", "en": "nl"}[lang]
    followup = shown.iloc[:, 3]
    assert not set(followup) & {"full", "director_only", "none"}
    school_types = set(shown.iloc[:, 1])
    assert school_types.isdisjoint(set(relabel(sample_table(corpus), other, corpus.codebook, ()).iloc[:, 1])) or \
        lang == "nl" and school_types == set(corpus.schools["school_type"])
    for column in shown.columns[4:]:
        assert pd.api.types.is_integer_dtype(shown[column]), column


def test_english_school_types_come_from_labels_not_data(corpus):
    english = relabel(sample_table(corpus), "en", corpus.codebook, ())
    assert "not stated" in set(english["school type"])
    assert "niet vermeld" in set(corpus.schools["school_type"])  # the data keep the article's words


def test_whole_float_counts_are_integers_and_missing_values_empty(tmp_path):
    from samendoen_analysis.present.tables import write_table

    frame = relabel(pd.DataFrame({"segments": [36.0, 4.0], "threshold": [float("nan"), 1.25]}), "nl")
    csv_path, md_path, tex_path = write_table(frame, tmp_path, "t")
    assert csv_path.read_text(encoding="utf-8") == "fragmenten,drempel\n36,\n4,1.25\n"
    markdown = md_path.read_text(encoding="utf-8")
    assert "nan" not in markdown and "36.00" not in markdown
    assert "nan" not in tex_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def styled():
    set_style()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_figures_have_titles_axis_labels_and_their_numbers(corpus, styled, tmp_path, lang):
    tidy = emphasis(corpus)
    figures = {
        "heatmap": heatmap(tidy, "w", lang, corpus.codebook),
        "bars": group_bars(tidy, ["teacher", "external_partner"], "w", lang, corpus.codebook),
    }
    for name, fig in figures.items():
        ax = fig.axes[0]
        assert ax.get_title(), name
        assert ax.get_xlabel() and ax.get_ylabel(), name
        assert all(t.get_rotation() == 0 for t in ax.get_xticklabels()), f"{name}: slanted tick labels"
        written = save_figure(fig, tmp_path, name)
        assert [p.suffix for p in written] == [".png", ".svg", ".csv"]
        data = pd.read_csv(written[-1])
        assert len(data) == len(plotted_data(fig))
        matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_small_multiples_name_absent_schools_and_leave_no_empty_panel(corpus, styled, lang):
    tidy = emphasis(corpus, "lens", by=("school_id", "role_group"))
    schools = list(corpus.schools["school_id"])
    fig = small_multiples(tidy, ["teacher", "external_partner"], "w", lang, corpus.codebook, panels=schools)
    with_groups = sorted(set(corpus.respondents.loc[corpus.respondents["role_group"].isin(
        ["teacher", "external_partner"]), "school_id"].astype(str)))
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.patches]
    assert len(fig.axes) == len(panels) == len(with_groups), "an empty panel or a missing school"
    absent = [s for s in schools if s not in with_groups]
    notes = [t.get_text() for t in fig.texts]
    assert any(all(s in note for s in absent) for note in notes), notes
    assert fig._suptitle is not None and fig._suptitle.get_text()
    matplotlib.pyplot.close(fig)


def test_round_panels_fill_the_figure(corpus, styled):
    tidy = emphasis(corpus, "lens", by=("round", "role_group"))
    fig = small_multiples(tidy, ["teacher", "external_partner"], "w", "en", corpus.codebook, panel="round")
    assert len(fig.axes) == len(corpus.rounds)
    with pytest.raises(ValueError, match="unknown panel 'class'; valid values: school_id, round"):
        small_multiples(tidy, ["teacher", "external_partner"], "w", "en", corpus.codebook, panel="class")
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_confusion_axes_name_the_coders(corpus, styled, lang):
    from samendoen_analysis.analysis import agreement as ag

    matrix = ag.confusion_matrix(corpus.independent_codings, corpus.codebook, "lens")
    fig = confusion_heatmap(matrix, lang, corpus.codebook)
    ax = fig.axes[0]
    coder = {"nl": "codeur", "en": "coder"}[lang]
    assert ax.get_ylabel() == f"{coder} {matrix.index.name}" and ax.get_xlabel() == f"{coder} {matrix.columns.name}"
    assert int(plotted_data(fig).iloc[:, -1].sum()) == int(matrix.to_numpy().sum())
    matplotlib.pyplot.close(fig)


def test_every_output_of_every_notebook_has_its_words_in_both_languages():
    stems = sorted(p.stem for p in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    declared = all_outputs()
    assert sorted(declared) == stems
    for stem, written in declared.items():
        assert written, f"{stem} writes no table or figure"
        for output in written:
            assert output.caption("nl") and output.caption("en")
            assert output.caption("nl") != output.caption("en"), f"{output.name}: the Dutch caption is the English one"
            assert output.kind == "table" or (output.reading("nl") and output.reading("en"))
    with pytest.raises(ValueError, match="unknown output kind 'chart'; valid values: table, figure"):
        outputs("01_sample", "chart")


def _fake_run(tmp_path, corpus, lang="en"):
    """A run folder as reproduce leaves it, for two notebooks, without running a kernel."""
    from samendoen_analysis.present.tables import write_table

    work = tmp_path / "run"
    (work / "notebooks").mkdir(parents=True)
    for stem in ("02_codebook", "04_claims"):
        shutil.copy(NOTEBOOKS_DIR / f"{stem}.ipynb", work / "notebooks" / f"{stem}.ipynb")
    claims = evaluate_claims(corpus)
    write_table(relabel(claims[["claim_id", "evidence", "holds"]], lang, corpus.codebook, ()), work / "tables",
                "04_claims")
    set_style()
    fig = heatmap(emphasis(corpus), "w", lang, corpus.codebook)
    save_figure(fig, work / "figures", "02_subtheme_frequencies")
    matplotlib.pyplot.close(fig)
    manifest = {"inputs": {"segments.csv": "ab" * 32}, "parameters": {"lang": lang, "measure": "segments"},
                "packages": {"pandas": pd.__version__}}
    (work / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return work


def test_report_page_opens_with_parameters_hashes_and_claims(corpus, tmp_path):
    work = _fake_run(tmp_path, corpus)
    html = write_report(work).read_text(encoding="utf-8")
    run, claims, results = html.index('id="run"'), html.index('id="claims"'), html.index('id="results"')
    assert run < claims < results
    assert re.search(r"<code>measure</code></td><td>segments</td>", html), "the chosen measure is not shown"
    assert re.search(r"<code>lang</code></td><td>en</td>", html)
    assert re.search(r"<code>schools</code></td><td class=\"default\">", html), "defaults are not marked"
    assert "abababababab" in html
    section = html[claims:results]
    assert section.count('class="verdict yes"') + section.count('class="verdict no"') == len(corpus.claims)
    assert "reconstructed" in html
    figure = outputs("02_codebook", "figure")[0]
    assert figure.caption("en") in html and figure.reading("en") in html
    assert "not produced in this run" in html  # 04's figures were not made in this fake run
    assert not re.search(r"<img[^>]+width=", html), "figures must show at their natural width"


def test_report_links_resolve(corpus, tmp_path):
    work = _fake_run(tmp_path, corpus, "nl")
    index = write_report(work)
    html = index.read_text(encoding="utf-8")
    assert '<html lang="nl">' in html
    targets = re.findall(r'(?:href|src)="([^"#]+)"', html)
    assert targets
    for target in targets:
        assert (index.parent / target).resolve().is_file(), target
    anchors = re.findall(r'href="#([^"]+)"', html)
    for anchor in anchors:
        assert f'id="{anchor}"' in html, anchor


def test_report_language_is_checked(tmp_path):
    with pytest.raises(ValueError, match="unknown language 'fr'; valid values: nl, en"):
        write_report(tmp_path, lang="fr")


def test_help_is_plain_text_and_lists_parameters(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    top = capsys.readouterr().out
    assert "``" not in top and "samendoen reproduce" in top
    with pytest.raises(SystemExit):
        main(["reproduce", "--help"])
    text = capsys.readouterr().out
    for name in notebook_parameters(NOTEBOOKS_DIR / "06_rounds.ipynb"):
        assert re.search(rf"^  {name} ", text, re.MULTILINE) or name == "out_dir", name
    assert "out_dir is set by --out" in text
    assert "valid values: words, segments, respondents" in text
    assert "valid values: nl, en" in text


def test_one_off_notebook_run_never_writes_into_results(monkeypatch, tmp_path):
    from samendoen_analysis.paths import RESULTS_DIR
    from samendoen_analysis.run.notebook import prepare

    monkeypatch.chdir(tmp_path)
    ctx = prepare(figures=False)
    assert ctx.out_dir == tmp_path / "output"
    assert RESULTS_DIR not in ctx.out_dir.parents
    assert prepare(out_dir=str(tmp_path / "mine"), figures=False).out_dir == tmp_path / "mine"


def test_readme_table_is_the_declared_outputs():
    from samendoen_analysis.paths import PROJECT_ROOT
    from samendoen_analysis.run.outputs import readme_table

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- outputs-table: start -->\n", "<!-- outputs-table: end -->"
    table = readme[readme.index(start) + len(start):readme.index(end)]
    assert table == readme_table(), "README out of date: paste the output of `samendoen outputs-table`"
    for stem, written in all_outputs().items():
        for output in written:
            assert f"`{stem}` | `{output.kind}s/{output.name}.*`" in table
