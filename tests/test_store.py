"""Writing tables: UTF-8 with \\n line ends, descriptor column order, old rows' bytes kept, all-or-nothing, locked."""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from samendoen_analysis import load_corpus
from samendoen_analysis.cli import main
from samendoen_analysis.data import store
from samendoen_analysis.data.integrity import JOURNAL
from samendoen_analysis.data.store import (
    LOCK,
    locked,
    read_raw,
    recover,
    replace_tables,
    table_bytes,
    write_csv_atomically,
)
from samendoen_analysis.errors import DataError
from samendoen_analysis.vocabulary import TABLES, columns

from .qdpx_helpers import hashes

_HEADER = ",".join(columns("schools")).encode()


def test_read_raw_gives_every_table_as_strings(data_copy):
    raw = read_raw(data_copy)
    assert set(raw) == set(TABLES)
    assert list(raw["segments"].columns) == [
        "segment_id", "respondent_id", "round", "position", "text", "origin", "source_ref", "coded"]
    assert raw["codebook"]["order"].iloc[0] == "1"


def test_unchanged_tables_keep_their_bytes(data_copy):
    raw = read_raw(data_copy)
    for name in TABLES:
        assert table_bytes(raw[name], raw[name], (data_copy / f"{name}.csv").read_bytes()) == (
            data_copy / f"{name}.csv").read_bytes()
    assert replace_tables(data_copy, raw) == []


def test_appended_rows_follow_the_old_bytes(data_copy):
    raw = read_raw(data_copy)
    old = (data_copy / "schools.csv").read_bytes()
    row = raw["schools"].iloc[[-1]].assign(school_id="S6", school_type="vmbo, basis")
    new = pd.concat([raw["schools"], row], ignore_index=True)
    assert replace_tables(data_copy, {"schools": new}) == ["schools.csv"]
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\n").writerow(row.iloc[0].tolist())
    assert (data_copy / "schools.csv").read_bytes() == old + expected.getvalue().encode()
    assert expected.getvalue().startswith('S6,"vmbo, basis",')


def test_changed_rows_rewrite_the_table_in_descriptor_order(data_copy):
    raw = read_raw(data_copy)
    shuffled = raw["schools"].iloc[1:][list(columns("schools"))[::-1]]
    out = table_bytes(shuffled[list(raw["schools"].columns)], raw["schools"], b"")
    assert out.startswith(_HEADER + b"\nS2,") and b"\r" not in out
    replace_tables(data_copy, {"schools": raw["schools"].iloc[::-1]})  # the order given is accepted
    assert (data_copy / "schools.csv").read_bytes().split(b"\n")[1].startswith(b"S5,")


def test_a_file_saved_by_excel_is_rewritten_plainly(data_copy):
    path = data_copy / "schools.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b",", b";").replace(b"\n", b"\r\n"))
    raw = read_raw(data_copy)
    assert replace_tables(data_copy, {"schools": raw["schools"]}) == ["schools.csv"]
    data = path.read_bytes()
    assert data.startswith(_HEADER + b"\n") and b"\r" not in data


def test_invalid_tables_change_nothing(data_copy):
    raw = read_raw(data_copy)
    before = hashes(data_copy)
    bad = raw["respondents"].assign(role_group=["pupil"] * len(raw["respondents"]))
    more = pd.concat([raw["schools"], raw["schools"].iloc[:1].assign(school_id="S7")], ignore_index=True)
    with pytest.raises(DataError, match="would be invalid") as info:
        replace_tables(data_copy, {"schools": more, "respondents": bad})
    assert info.value.file == str(data_copy / "respondents.csv") and info.value.column == "role_group"
    assert hashes(data_copy) == before
    assert not [p for p in data_copy.parent.iterdir() if p.name.startswith(".check-")]


def test_write_table_is_utf8_with_newlines_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("old")
    write_csv_atomically(path, pd.DataFrame({"a": ["zorgcoördinator", "x, y"], "b": ["1", ""]}))
    assert path.read_bytes() == 'a,b\nzorgcoördinator,1\n"x, y",\n'.encode()
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def _schools_plus(raw, school_id: str) -> pd.DataFrame:
    return pd.concat([raw["schools"], raw["schools"].iloc[[-1]].assign(school_id=school_id)], ignore_index=True)


def test_a_held_lock_makes_the_other_writer_refuse_naming_the_holder(data_copy):
    raw = read_raw(data_copy)
    before = hashes(data_copy)
    with locked(data_copy):
        holder = (data_copy / LOCK).read_text(encoding="utf-8")
        assert f"pid {os.getpid()} on host {socket.gethostname()}" in holder and "started 20" in holder
        code = ("import sys; from pathlib import Path; from samendoen_analysis.data.store import *; "
                "import pandas as pd; replace_tables(Path(sys.argv[1]), {}, timeout=0.3)")
        run = subprocess.run([sys.executable, "-c", code, str(data_copy)], capture_output=True, text=True)
    assert run.returncode == 1 and "another run is writing to this data folder" in run.stderr
    assert f"pid {os.getpid()}" in run.stderr and "command '" in run.stderr
    assert hashes(data_copy) == before and not (data_copy / LOCK).exists()
    assert replace_tables(data_copy, {"schools": _schools_plus(raw, "S8")}) == ["schools.csv"]


def test_the_lock_is_reentrant_within_a_process(data_copy):
    raw = read_raw(data_copy)
    with locked(data_copy, timeout=0):
        assert replace_tables(data_copy, {"schools": _schools_plus(raw, "S8")}, timeout=0) == ["schools.csv"]
    assert not (data_copy / LOCK).exists()


def test_a_killed_holders_lock_is_taken_over_and_reported(data_copy):
    (data_copy / LOCK).write_text("pid 99999999 on host elders, command 'samendoen import-qdpx x', started 2026")
    notes = recover(data_copy, timeout=0)
    assert notes and "pid 99999999" in notes[0] and "probably killed" in notes[0]
    assert not (data_copy / LOCK).exists()


def test_a_write_killed_after_its_commit_is_finished_by_the_next_run(data_copy, capsys):
    """Staged files and a journal, some files already moved: validate moves the rest in."""
    raw = read_raw(data_copy)
    new_schools = table_bytes(_schools_plus(raw, "S8"), raw["schools"], (data_copy / "schools.csv").read_bytes())
    row = b"S8-TEA1,S8,R1,leraar,teacher,teacher,I1,phone,S8-TEA1,\n"
    new_respondents = (data_copy / "respondents.csv").read_bytes() + row
    (data_copy / "schools.csv").write_bytes(new_schools)  # this one was already moved in
    (data_copy / ".respondents.csv.new").write_bytes(new_respondents)
    (data_copy / JOURNAL).write_text('{"files": ["schools.csv", "respondents.csv"]}')
    with pytest.raises(DataError, match="interrupted while it moved its files in"):
        load_corpus(data_copy)  # a reader is told, not given a mix
    assert main(["validate", str(data_copy)]) == 0
    out = capsys.readouterr().out
    assert "note: finished a write that was interrupted after it had committed: moved in respondents.csv" in out
    assert (data_copy / "respondents.csv").read_bytes() == new_respondents
    assert not [p.name for p in data_copy.iterdir() if p.name.startswith(".")]


def test_leftovers_of_a_write_killed_before_its_commit_are_removed(data_copy):
    before = hashes(data_copy)
    (data_copy / ".schools.csv.new").write_bytes(b"half")
    check = data_copy.parent / f".check-{data_copy.name}-abc"
    (check / data_copy.name).mkdir(parents=True)
    other = data_copy.parent / ".check-otherfolder-abc"  # another folder's check: not ours to remove
    other.mkdir()
    notes = recover(data_copy)
    assert len(notes) == 1 and ".schools.csv.new" in notes[0] and check.name in notes[0]
    assert hashes(data_copy) == before and not check.exists() and other.exists()


def test_a_folder_that_cannot_be_locked_gives_one_error(tmp_path):
    with pytest.raises(DataError, match="lock file cannot be created"):
        recover(tmp_path / "missing")


def test_single_file_writes_need_no_journal(tmp_path, monkeypatch):
    moves = []
    monkeypatch.setattr(store.os, "replace", lambda a, b: moves.append(Path(b).name) or os.rename(a, b))
    write_csv_atomically(tmp_path / "t.csv", pd.DataFrame({"a": ["1"]}))
    assert moves == ["t.csv"]
