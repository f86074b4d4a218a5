"""Fuzzing as a test: broken copies of a small valid data folder and of a small valid QDPX file.

Each example breaks one thing, as users do (a cell, some bytes, a cut-off file, another
encoding, a row, the XML of a QDA export), and runs ``samendoen validate`` or ``samendoen
import-qdpx`` through the command line's entry point. Whatever the input, the command exits 0
or 1, never lets an exception (a traceback) out, and when it exits 1 not a byte of the data
folder has changed.

In CI the examples are derandomised (a fixed seed) and bounded (``EXAMPLES`` per test);
``make fuzz`` runs many more with a random seed (``SAMENDOEN_FUZZ_EXAMPLES``,
``SAMENDOEN_FUZZ_RANDOM``). Not fuzzed: ``datapackage.json`` (the descriptor is the project's
own schema, copied, not edited by users). One cell value is a whole transcript (150,000
characters, past the csv module's default field limit).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from samendoen_analysis.cli import main
from samendoen_analysis.data.corpus import TABLES

from .qdpx_helpers import TEXT, codes_map, good, hashes
from .tiny import words, write_tiny_corpus

EXAMPLES = int(os.environ.get("SAMENDOEN_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=not os.environ.get("SAMENDOEN_FUZZ_RANDOM"),
    deadline=None,
    database=None,
    # No shrinking: an example is one command on a small folder, shrinking would take minutes;
    # the failing example is printed as drawn.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CSV_FILES = [f"{name}.csv" for name in TABLES]
NASTY = ["", " ", "I3", "consensus", "NOSUCHID", "-1", "0", "1e400", "nan", "1.25", "50", "R1", "R2", "S1",
         "ideal", "ideal.culture", "corona", "top_code", "ratio", "teacher", "teacher;pupil", "\x00", "a\nb", '"',
         ",", ";", "\r", "\u2028", "\ufeff", "111222333", "06-12345678", "NL91ABNA0417164300", "é" * 3, "x" * 5000,
         "lang " * 30_000]
ENCODINGS = ["utf-16", "utf-16-le", "utf-8-sig", "cp1252", "latin-1", "mac_roman", "utf-32", "ascii"]


def _run(args: list[str]) -> tuple[int, str]:
    """The command line's entry point, in this process; an escaping exception fails the test."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue() + err.getvalue()


def _restore(folder: Path, files: dict[str, bytes]) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


@functools.cache
def _template() -> dict[str, bytes]:
    """A valid tiny folder with independent codings, as bytes by file name."""
    folder = write_tiny_corpus(
        Path(tempfile.mkdtemp(prefix="fuzz-template-")) / "data",
        {"S1-T": ("S1", "teacher"), "S1-E": ("S1", "external_partner"), "S2-T": ("S2", "teacher")},
        [("S1-T", words(12), "ideal.culture;corona"), ("S1-E", "Ja, [collega] en ik deden het samen.",
          "obstacles.top_down"), ("S2-T", words(3), "positive.click")],
    )
    with (folder / "independent_codings.csv").open("a", encoding="utf-8") as fh:
        fh.write("X001,I1,ideal.culture\nX001,I2,ideal.commitment\n")
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert _run(["validate", str(folder)])[0] == 0
    shutil.rmtree(folder.parent)
    return files


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """One folder for all examples of this module (the same path keeps the schema cache warm)."""
    return tmp_path_factory.mktemp("fuzz")


# --- mutations of a data folder --------------------------------------------------------------


def _cell(data: bytes, draw) -> bytes:
    try:  # an earlier fault may have left the file unreadable as CSV: then it stays as it is
        rows = [row for row in csv.reader(io.StringIO(data.decode("utf-8", "surrogateescape"), newline="")) if row]
    except csv.Error:
        return data
    if not rows:
        return data
    row = draw(st.integers(0, len(rows) - 1))
    column = draw(st.integers(0, len(rows[row]) - 1))
    rows[row][column] = draw(st.sampled_from(NASTY) | st.text(max_size=30))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8", "surrogateescape")


def _bytes(data: bytes, draw) -> bytes:
    start = draw(st.integers(0, len(data)))
    end = draw(st.integers(start, min(len(data), start + 8)))
    return data[:start] + draw(st.binary(max_size=8)) + data[end:]


def _truncate(data: bytes, draw) -> bytes:
    return data[: draw(st.integers(0, max(0, len(data) - 1)))]


def _encoding(data: bytes, draw) -> bytes:
    text = data.decode("utf-8", "replace")  # an earlier fault may have changed the encoding
    how = draw(st.sampled_from(ENCODINGS + ["crlf", "cr", "semicolon", "tab"]))
    replaced = {"crlf": ("\n", "\r\n"), "cr": ("\n", "\r"), "semicolon": (",", ";"), "tab": (",", "\t")}
    if how in replaced:
        return text.replace(*replaced[how]).encode("utf-8")
    return text.encode(how, errors="replace")


def _row(data: bytes, draw) -> bytes:
    lines = data.split(b"\n")
    i = draw(st.integers(0, len(lines) - 1))
    j = draw(st.integers(0, len(lines) - 1))
    how = draw(st.sampled_from(["duplicate", "delete", "swap"]))
    if how == "duplicate":
        lines.insert(j, lines[i])
    elif how == "delete":
        del lines[i]
    else:
        lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


FOLDER_MUTATIONS = {"cell": _cell, "bytes": _bytes, "truncate": _truncate, "encoding": _encoding, "row": _row}


@FUZZ
@given(data=st.data())
def test_validate_on_a_broken_folder_exits_0_or_1_and_changes_nothing(work, data):
    folder = work / "validate" / "data"
    _restore(folder, _template())
    for _ in range(data.draw(st.integers(1, 2), label="faults")):
        file = data.draw(st.sampled_from(CSV_FILES), label="file")
        mutation = data.draw(st.sampled_from(sorted(FOLDER_MUTATIONS)), label="mutation")
        path = folder / file
        path.write_bytes(FOLDER_MUTATIONS[mutation](path.read_bytes(), data.draw))
    before = hashes(folder)
    code, output = _run(["validate", str(folder)])
    assert code in (0, 1), output
    assert "Traceback" not in output
    if code == 1:
        assert output.startswith("error: ") and hashes(folder) == before


# --- mutations of a QDPX file ----------------------------------------------------------------


def _xml_element(xml: str, draw) -> str:
    root = ET.fromstring(xml)
    parents = [(parent, child) for parent in root.iter() for child in parent]
    parent, child = draw(st.sampled_from(parents))
    how = draw(st.sampled_from(["remove", "duplicate", "attribute", "text", "move"]))
    if how == "remove":
        parent.remove(child)
    elif how == "duplicate":
        parent.append(child)
    elif how == "move":
        parent.remove(child)
        root.append(child)
    elif how == "text":
        child.text = draw(st.sampled_from(NASTY[:30]) | st.text(max_size=20))
    else:
        name = draw(st.sampled_from(sorted(child.attrib) or ["guid"]))
        value = st.integers(-5, 10**12).map(str) | st.sampled_from(NASTY[:30]) | st.text(max_size=20)
        child.set(name, draw(value))
    return ET.tostring(root, encoding="unicode")


def _xml_text(xml: str, draw) -> str:
    how = draw(st.sampled_from(["truncate", "insert", "entity", "declaration"]))
    if how == "truncate":
        return xml[: draw(st.integers(0, len(xml)))]
    if how == "insert":
        at = draw(st.integers(0, len(xml)))
        return xml[:at] + draw(st.sampled_from(["<", ">", "&", "<x>", "]]>", "\x00", "&amp;", "</Project>"])) + xml[at:]
    if how == "entity":
        bomb = '<!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        return xml.replace("?>", "?>" + bomb, 1).replace('name="t"', 'name="&b;"', 1)
    return xml.replace('encoding="utf-8"', f'encoding="{draw(st.sampled_from(["utf-16", "latin-1", "nope"]))}"', 1)


@st.composite
def qdpx_entries(draw, entries: dict[str, bytes]) -> dict[str, bytes]:
    entries = dict(entries)
    target = draw(st.sampled_from(["xml-element", "xml-text", "xml-encoding", "source", "archive"]))
    xml = entries["project.qde"].decode("utf-8")
    if target == "xml-element":
        entries["project.qde"] = _xml_element(xml, draw).encode("utf-8")
    elif target == "xml-text":
        entries["project.qde"] = _xml_text(xml, draw).encode("utf-8", "surrogatepass")
    elif target == "xml-encoding":
        entries["project.qde"] = xml.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    elif target == "source":
        how = draw(st.sampled_from(["bytes", "encoding", "remove", "empty"]))
        if how == "remove":
            del entries["sources/a.txt"]
        elif how == "empty":
            entries["sources/a.txt"] = b""
        elif how == "bytes":
            entries["sources/a.txt"] = _bytes(entries["sources/a.txt"], draw)
        else:
            entries["sources/a.txt"] = TEXT.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    else:
        name = draw(st.sampled_from(["../escape.txt", "/abs.txt", "sources/../../x.txt", "project.qde", "a" * 300]))
        entries[name] = draw(st.binary(max_size=50))
    return entries


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


@functools.cache
def _qdpx_template() -> dict[str, bytes]:
    """The entries of a small valid QDPX: one interview with a case, two coded selections, a memo."""
    folder = Path(tempfile.mkdtemp(prefix="fuzz-qdpx-"))
    with zipfile.ZipFile(good(folder)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    shutil.rmtree(folder)
    return entries


@FUZZ
@given(data=st.data())
def test_import_of_a_broken_qdpx_exits_0_or_1_and_changes_nothing_on_1(work, data):
    entries = _qdpx_template()
    base = work / "import"
    folder = base / "data"
    _restore(folder, _template())
    codes = codes_map(base, {"Topdown": "obstacles.top_down"})
    if data.draw(st.booleans(), label="archive bytes"):
        raw = _zip(entries)
        raw = data.draw(st.sampled_from([_bytes, _truncate]), label="how")(raw, data.draw)
    else:
        raw = _zip(data.draw(qdpx_entries(entries), label="entries"))
    qdpx = base / "in.qdpx"
    qdpx.write_bytes(raw)
    before = hashes(folder)
    code, output = _run(["import-qdpx", str(qdpx), "--round", "R2", "--data", str(folder), "--codes", str(codes)])
    assert code in (0, 1), output
    assert "Traceback" not in output
    if code == 1:
        assert output.startswith("error: ") and hashes(folder) == before
    else:
        assert _run(["validate", str(folder)])[0] == 0


def test_the_installed_command_prints_no_traceback(tmp_path):
    """The same through a real process: one line on stderr, exit 1, for a cut-off file and a non-zip."""
    folder = tmp_path / "data"
    _restore(folder, _template())
    (folder / "segments.csv").write_bytes(_template()["segments.csv"][:80])
    bad = tmp_path / "x.qdpx"
    bad.write_bytes(b"PK\x03\x04 not really")
    for args in (["validate", str(folder)], ["import-qdpx", str(bad), "--round", "R2", "--data", str(folder)]):
        run = subprocess.run([sys.executable, "-m", "samendoen_analysis.cli", *args], capture_output=True, text=True)
        assert run.returncode == 1 and "Traceback" not in run.stderr
        assert run.stderr.startswith("error: ") and run.stderr.count("\n") == 1, run.stderr

