"""Writing tables: UTF-8 with \\n line ends, descriptor column order, old rows' bytes kept, all-or-nothing."""

from __future__ import annotations

import pandas as pd
import pytest

from samendoen_analysis.data.store import TABLE_FILES, read_raw, replace_tables, table_bytes, write_table
from samendoen_analysis.errors import DataError

from .qdpx_helpers import hashes


def test_read_raw_gives_every_table_as_strings(data_copy):
    raw = read_raw(data_copy)
    assert set(raw) == set(TABLE_FILES)
    assert list(raw["segments"].columns) == [
        "segment_id", "respondent_id", "round", "position", "text", "origin", "source_ref", "coded"]
    assert raw["codebook"]["order"].iloc[0] == "1"


def test_unchanged_tables_keep_their_bytes(data_copy):
    raw = read_raw(data_copy)
    for name in TABLE_FILES:
        assert table_bytes(raw[name], raw[name], (data_copy / f"{name}.csv").read_bytes()) == (
            data_copy / f"{name}.csv").read_bytes()
    assert replace_tables(data_copy, raw) == []


def test_appended_rows_follow_the_old_bytes(data_copy):
    raw = read_raw(data_copy)
    old = (data_copy / "schools.csv").read_bytes()
    new = pd.concat([raw["schools"], pd.DataFrame([["S6", "vmbo, basis", "niet vermeld", "full"]],
                                                  columns=raw["schools"].columns)], ignore_index=True)
    assert replace_tables(data_copy, {"schools": new}) == ["schools.csv"]
    assert (data_copy / "schools.csv").read_bytes() == old + b'S6,"vmbo, basis",niet vermeld,full\n'


def test_changed_rows_rewrite_the_table_in_descriptor_order(data_copy):
    raw = read_raw(data_copy)
    shuffled = raw["schools"].iloc[1:][["region", "school_id", "followup", "school_type"]]
    out = table_bytes(shuffled[list(raw["schools"].columns)], raw["schools"], b"")
    assert out.startswith(b"school_id,school_type,region,followup\nS2,") and b"\r" not in out
    replace_tables(data_copy, {"schools": raw["schools"].iloc[::-1]})  # the order given is accepted
    assert (data_copy / "schools.csv").read_bytes().split(b"\n")[1].startswith(b"S5,")


def test_a_file_saved_by_excel_is_rewritten_plainly(data_copy):
    path = data_copy / "schools.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b",", b";").replace(b"\n", b"\r\n"))
    raw = read_raw(data_copy)
    assert replace_tables(data_copy, {"schools": raw["schools"]}) == ["schools.csv"]
    data = path.read_bytes()
    assert data.startswith(b"school_id,school_type,region,followup\n") and b"\r" not in data


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
    write_table(path, pd.DataFrame({"a": ["zorgcoördinator", "x, y"], "b": ["1", ""]}))
    assert path.read_bytes() == 'a,b\nzorgcoördinator,1\n"x, y",\n'.encode()
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]
