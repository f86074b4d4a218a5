"""Tables and figures are written deterministically: two runs, identical bytes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # plain test process; kernels keep their inline backend

import pandas as pd  # noqa: E402

from samendoen_analysis.analysis.measures import emphasis  # noqa: E402
from samendoen_analysis.present.figures import group_bars, heatmap, save_figure, set_style  # noqa: E402
from samendoen_analysis.present.labels import label, relabel  # noqa: E402
from samendoen_analysis.present.tables import write_table  # noqa: E402


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
