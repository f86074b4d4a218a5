"""End to end: the one command that rebuilds every table and figure."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from samendoen_analysis.analysis.measures import emphasis
from samendoen_analysis.cli import main
from samendoen_analysis.paths import NOTEBOOKS_DIR
from samendoen_analysis.present.labels import relabel
from samendoen_analysis.present.tables import wide
from samendoen_analysis.run.outputs import notebook_paths
from samendoen_analysis.run.params import ParameterError
from samendoen_analysis.run.reproduce import NotebookFailed, compare_tables, reproduce


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "results"
    assert main(["reproduce", "--out", str(out), "--jobs", "2"]) == 0
    return out


def test_every_notebook_ran_and_report_links_every_figure(full_run):
    assert sorted(p.name for p in (full_run / "notebooks").iterdir()) == [p.name for p in notebook_paths()]
    index = (full_run / "report" / "index.html").read_text(encoding="utf-8")
    figures = sorted(p.name for p in (full_run / "figures").glob("*.png"))
    assert figures, "no figures produced"
    for src in re.findall(r'src="([^"]+)"', index):
        assert (full_run / "report" / src).resolve().is_file(), src
    assert len(re.findall(r"<img ", index)) == len(figures)


def test_tables_match_the_committed_reference(full_run):
    assert compare_tables(full_run / "tables") == []


def test_manifest_records_inputs_and_versions(full_run, corpus):
    import json

    manifest = json.loads((full_run / "manifest.json").read_text(encoding="utf-8"))
    expected = hashlib.sha256((corpus.data_dir / "segments.csv").read_bytes()).hexdigest()
    assert manifest["inputs"]["segments.csv"] == expected
    assert manifest["packages"]["pandas"] == pd.__version__


def test_parameters_change_the_tables_correctly(full_run, corpus, tmp_path):
    out = tmp_path / "s3"
    params = {"schools": "S3", "lang": "en", "measure": "segments"}
    reproduce(out, params, jobs=2, notebooks=[NOTEBOOKS_DIR / "03_emphasis.ipynb"], progress=False)
    produced = pd.read_csv(out / "tables" / "03_emphasis.csv")
    tidy = emphasis(corpus.subset(schools=["S3"]), "lens", "segments")
    expected = relabel(wide(tidy, "code_id", "role_group"), "en", corpus.codebook, ("code_id",))
    expected = expected.astype({expected.columns[0]: str}).round(2)
    pd.testing.assert_frame_equal(produced, expected, check_dtype=False)
    default = pd.read_csv(full_run / "tables" / "03_emphasis.csv")
    assert not produced.equals(default)
    assert "Obstacles" in set(produced.iloc[:, 0]) and "Hobbels" in set(default.iloc[:, 0])


def test_unknown_value_lists_valid_ones(tmp_path):
    message = r"parameter schools: unknown school 'S9'; valid values: S1, S2, S3, S4, S5"
    with pytest.raises(ParameterError, match=message):
        reproduce(
            tmp_path / "x", {"schools": "S9"}, jobs=1, notebooks=[NOTEBOOKS_DIR / "01_sample.ipynb"], progress=False
        )
    assert not (tmp_path / "x").exists()
    assert main(["reproduce", "--out", str(tmp_path / "y"), "-p", "measure", "loudness"]) == 2


@pytest.mark.parametrize(("params", "message"), [
    ({"mesure": "words"}, r"unknown parameter 'mesure' \(did you mean 'measure'\?\); valid values: .*measure"),
    ({"measure": "loudness"}, r"parameter measure: unknown measure 'loudness'; valid values: words, segments"),
    ({"lang": "fr"}, r"parameter lang: unknown language 'fr'; valid values: nl, en"),
    ({"rounds": "R7"}, r"parameter rounds: unknown round 'R7'; valid values: R1"),
    ({"compare": "teacher"}, r"parameter compare: compare needs exactly two role groups"),
    ({"data_dir": "no/such/folder"}, r"parameter data_dir: no such folder"),
])
def test_parameters_are_checked_before_any_notebook_starts(monkeypatch, tmp_path, params, message):
    import samendoen_analysis.run.reproduce as run

    def started(*args, **kwargs):
        raise AssertionError("a notebook was started")

    monkeypatch.setattr(run, "_run_all", started)
    with pytest.raises(ParameterError, match=message):
        run.reproduce(tmp_path / "x", params, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_a_successful_run_prints_no_kernel_chatter(tmp_path, capfd):
    reproduce(tmp_path / "q", {}, jobs=1, notebooks=[NOTEBOOKS_DIR / "01_sample.ipynb"], progress=False)
    out, err = capfd.readouterr()
    assert out == "" and err == "", (out, err)


def test_the_run_writes_exactly_the_declared_outputs(full_run):
    from samendoen_analysis.run.outputs import all_outputs

    declared = {(o.kind, o.name) for outputs in all_outputs().values() for o in outputs}
    produced = {("table", p.stem) for p in (full_run / "tables").glob("*.csv")}
    produced |= {("figure", p.stem) for p in (full_run / "figures").glob("*.png")}
    assert produced == declared
    for kind, name in declared:
        if kind == "figure" and not name.startswith("04_"):  # 04: the robustness figures keep their tables
            assert (full_run / "figures" / f"{name}.csv").is_file(), f"{name}: no table of the plotted numbers"


@pytest.mark.parametrize("differences", [[], ["01_sample.csv: differs from reference/01_sample.csv"]])
def test_check_says_what_it_compared(monkeypatch, tmp_path, capsys, differences):
    import samendoen_analysis.run.reproduce as run
    from samendoen_analysis.paths import REFERENCE_DIR

    result = run.RunResult(tmp_path, ["01_sample.ipynb"], differences)
    monkeypatch.setattr(run, "reproduce", lambda *args, **kwargs: result)
    assert main(["reproduce", "--out", str(tmp_path), "--check"]) == (1 if differences else 0)
    out = capsys.readouterr().out
    count = len(list(REFERENCE_DIR.glob("*.csv")))
    verdict = "all identical" if not differences else "1 differ"
    assert f"compared {count} tables in {tmp_path / 'tables'} with {REFERENCE_DIR}: {verdict}" in out, out


def test_failing_notebook_leaves_previous_output_intact(full_run, tmp_path):
    broken = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("1 + 1"), nbformat.v4.new_code_cell("raise RuntimeError('kapot')")]
    )
    broken.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "99_broken.ipynb"
    nbformat.write(broken, path)
    before = _tree_hash(full_run)
    with pytest.raises(NotebookFailed, match=r"99_broken.ipynb, cell \d+ .*raise RuntimeError.*RuntimeError: kapot"):
        reproduce(full_run, {}, jobs=1, notebooks=[path], progress=False)
    assert _tree_hash(full_run) == before
    assert not list(full_run.parent.glob(".results.tmp-*"))


def _results(folder: Path) -> dict[str, bytes]:
    """Every table and figure of a run, by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for kind in ("tables", "figures")
            for p in sorted((folder / kind).rglob("*")) if p.is_file()}


def _executions(folder: Path) -> dict[str, bool]:
    import json

    executions = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["executions"]
    return {name: entry["reused"] for name, entry in executions.items()}


def _injected_cell(executed: Path):
    import nbformat

    cells = nbformat.read(executed, as_version=4).cells
    return next(c for c in cells if "injected-parameters" in c.metadata.get("tags", []))


def test_incremental_run_reuses_and_equals_a_forced_run(data_copy, tmp_path, capsys):
    import shutil

    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebooks = [Path(shutil.copy(NOTEBOOKS_DIR / name, folder)) for name in ("01_sample.ipynb", "03_emphasis.ipynb")]
    names = [nb.name for nb in notebooks]
    out = tmp_path / "results"
    params = {"data_dir": str(data_copy)}
    run = lambda **kw: reproduce(out, {**params, **kw.pop("p", {})}, jobs=2, notebooks=notebooks, **kw)  # noqa: E731

    assert run(progress=False).reused == ()
    produced = _results(out)
    assert any(name.startswith("figures/03_") for name in produced)
    injected = _injected_cell(out / "notebooks" / "01_sample.ipynb")
    assert injected.id == "injected-parameters" and str(out) in injected.source and ".tmp-" not in injected.source

    again = run(progress=True)
    assert again.reused == tuple(names)
    assert _executions(out) == dict.fromkeys(names, True)
    assert "01_sample.ipynb: re-used" in capsys.readouterr().err  # the progress bar says so
    assert _results(out) == produced
    assert (out / "report" / "index.html").is_file() and (out / "notebooks" / "03_emphasis.ipynb").is_file()

    forced = reproduce(tmp_path / "forced", params, jobs=2, notebooks=notebooks, progress=False, force=True)
    assert forced.reused == ()
    assert _results(tmp_path / "forced") == produced  # byte for byte
    assert run(progress=False, force=True).reused == ()

    # One notebook changed: only that one runs again.
    notebooks[0].write_bytes(notebooks[0].read_bytes() + b"\n")
    assert run(progress=False).reused == ("03_emphasis.ipynb",)
    # A result file edited by hand is not carried over: its notebook runs again.
    (out / "tables" / "01_sample.csv").write_text("edited\n", encoding="utf-8")
    assert run(progress=False).reused == ("03_emphasis.ipynb",)
    assert _results(out) == produced
    # One parameter changed: both notebooks take it, both run again.
    assert run(progress=False, p={"lang": "en"}).reused == ()
    # One byte of one data file changed: everything that reads the data runs again.
    assert run(progress=False).reused == ()
    path = data_copy / "schools.csv"
    path.write_bytes(path.read_bytes() + b"\n")
    assert run(progress=False).reused == ()
    assert _results(out) == produced  # a trailing blank line changes no result


def test_nothing_changed_reuses_all_without_pandas(full_run):
    import subprocess
    import sys

    command = [sys.executable, "-X", "importtime", "-m", "samendoen_analysis.cli", "reproduce", "--out", str(full_run)]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"({len(notebook_paths())} notebooks, {len(notebook_paths())} re-used)" in proc.stdout
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert not {"pandas", "numpy", "papermill", "pyarrow"} & imported
