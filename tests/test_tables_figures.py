"""Tables and figures are written deterministically: two runs, identical bytes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # plain test process; kernels keep their inline backend

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from samendoen_analysis.analysis.measures import emphasis  # noqa: E402
from samendoen_analysis.analysis.robustness import bootstrap_ratios  # noqa: E402
from samendoen_analysis.present.figures import (  # noqa: E402
    group_bars,
    heatmap,
    ratio_intervals,
    save_figure,
    set_style,
    small_multiples,
)
from samendoen_analysis.present.labels import label, ratio_label, relabel  # noqa: E402
from samendoen_analysis.present.tables import write_table  # noqa: E402
from samendoen_analysis.vocabulary import LANGUAGES, ROLE_GROUPS  # noqa: E402


def _write_all(corpus, folder, lang):
    set_style()
    tidy = emphasis(corpus)
    write_table(relabel(tidy, lang, corpus.codebook), folder, "emphasis")
    save_figure(heatmap(tidy, "woorden", lang, corpus.codebook), folder, "heatmap")
    save_figure(group_bars(tidy, ["teacher", "external_partner"], "woorden", lang, corpus.codebook), folder, "bars")


def test_two_runs_give_identical_bytes(corpus, tmp_path):
    _write_all(corpus, tmp_path / "a", "nl")
    _write_all(corpus, tmp_path / "b", "nl")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [
        "bars.csv",
        "bars.png",
        "bars.svg",
        "emphasis.csv",
        "emphasis.md",
        "emphasis.tex",
        "heatmap.csv",
        "heatmap.png",
        "heatmap.svg",
    ]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_no_timestamps_in_figures(corpus, tmp_path):
    _write_all(corpus, tmp_path, "en")
    svg = (tmp_path / "heatmap.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    assert b"Software" not in (tmp_path / "heatmap.png").read_bytes()


def test_language_switches_labels(corpus, tmp_path):
    _write_all(corpus, tmp_path / "nl", "nl")
    _write_all(corpus, tmp_path / "en", "en")
    assert "leraren" in (tmp_path / "nl" / "emphasis.csv").read_text(encoding="utf-8")
    assert "teachers" in (tmp_path / "en" / "emphasis.csv").read_text(encoding="utf-8")
    assert label("obstacles", "nl", corpus.codebook) == "Hobbels"


def test_table_formats(tmp_path):
    frame = pd.DataFrame({"code": ["a_b", "c"], "value": [1 / 3, 2.0]})
    csv_path, md_path, tex_path = write_table(frame, tmp_path, "t")
    assert csv_path.read_text(encoding="utf-8") == "code,value\na_b,0.33\nc,2.00\n"
    assert "| a_b    |    0.33 |" in md_path.read_text(encoding="utf-8")
    tex = tex_path.read_text(encoding="utf-8")
    assert "\\toprule" in tex and "\\bottomrule" in tex and "a\\_b" in tex


def _words(fig: plt.Figure) -> str:
    """Every text a reader sees on a figure but the tick labels: titles, axis labels, legends, notes."""
    texts = [t.get_text() for t in fig.texts] + [fig._suptitle.get_text() if fig._suptitle else ""]
    for ax in fig.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        legends = [ax.get_legend()] + [leg for leg in fig.legends]
        texts += [t.get_text() for leg in legends if leg for t in [leg.get_title(), *leg.get_texts()]]
    return " | ".join(texts)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_figures_that_compare_two_groups_name_the_groups_compared(corpus, lang):
    """With a non-default ``compare``, no figure names the default pair (teachers, external partners)."""
    groups = ["management", "support_staff"]
    others = [label(g, lang) for g in ROLE_GROUPS if g not in groups]
    by_school = emphasis(corpus, by=("school_id", "role_group"))
    figures = {
        "group_bars": group_bars(emphasis(corpus), groups, "x", lang, corpus.codebook),
        "small_multiples": small_multiples(by_school, groups, "x", lang, corpus.codebook),
        "ratio_intervals": ratio_intervals(bootstrap_ratios(corpus, *groups, n_boot=20), lang, corpus.codebook,
                                           groups),
    }
    for name, fig in figures.items():
        words = _words(fig)
        assert all(label(g, lang) in words for g in groups), (name, words)
        assert not any(other in words for other in others), (name, words)
        plt.close(fig)
    assert ratio_label(groups, lang) in _words(figures["ratio_intervals"])
