"""Each kind of bad input gets one error naming file, line and column, and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from samendoen_analysis import DataError, load_corpus


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def _edit(path: Path, line: int, old: str, new: str) -> None:
    """Replace text on one line (1-based, header is line 1)."""
    lines = _lines(path)
    assert old in lines[line - 1], f"{old!r} not on line {line}"
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def _append(path: Path, row: str) -> int:
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n" + row + "\n"
    path.write_text(text, encoding="utf-8")
    return len(text.rstrip("\n").split("\n"))


def _error(folder: Path, **kwargs) -> DataError:
    with pytest.raises(DataError) as info:
        load_corpus(folder, **kwargs)
    return info.value


def _first_segment(folder: Path) -> tuple[str, str]:
    fields = _lines(folder / "segments.csv")[1].split(",")
    return fields[0], fields[1]


def test_missing_column(data_copy):
    _edit(data_copy / "schools.csv", 1, ",followup", "")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("schools.csv", 1, "followup")
    assert "Missing column" in str(err)


def test_extra_column(data_copy):
    path = data_copy / "schools.csv"
    path.write_text("\n".join(line + ",x" if line else line for line in _lines(path)), encoding="utf-8")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line) == ("schools.csv", 1)
    assert "Unexpected column(s): x" in str(err)


def test_wrong_type(data_copy):
    sid, rid = _first_segment(data_copy)
    _edit(data_copy / "segments.csv", 2, f"{sid},{rid},R1,1,", f"{sid},{rid},R1,een,")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("segments.csv", 2, "position")
    assert "whole number" in str(err)


def test_duplicate_id(data_copy):
    _edit(data_copy / "schools.csv", 3, "S2,", "S1,")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("schools.csv", 2, "school_id")
    assert "more than once (lines 2, 3)" in str(err)


def test_enum(data_copy):
    _edit(data_copy / "respondents.csv", 2, ",management,", ",directie,")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("respondents.csv", 2, "role_group")
    assert "management, teacher, support_staff, external_partner" in str(err)


def test_dangling_segment_respondent(data_copy):
    sid, rid = _first_segment(data_copy)
    _edit(data_copy / "segments.csv", 2, f"{sid},{rid},", f"{sid},S9-XXX,")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("segments.csv", 2, "respondent_id")
    assert "'S9-XXX' does not exist in respondents.csv" in str(err)


def test_dangling_coding_segment(data_copy):
    line = _append(data_copy / "codings.csv", "NOPE,ideal.culture")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("codings.csv", line, "segment_id")


def test_unknown_code(data_copy):
    sid, _ = _first_segment(data_copy)
    line = _append(data_copy / "codings.csv", f"{sid},ideal.utopia")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("codings.csv", line, "code_id")
    assert "codebook.csv" in err.fix


def test_lens_is_not_codable(data_copy):
    sid, _ = _first_segment(data_copy)
    line = _append(data_copy / "codings.csv", f"{sid},obstacles")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("codings.csv", line, "code_id")
    assert "not codable" in str(err) and "obstacles.top_down" in err.fix


def test_unknown_code_in_independent_coding(data_copy):
    sid, _ = _first_segment(data_copy)
    line = _append(data_copy / "independent_codings.csv", f"{sid},I1,ideal.utopia")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("independent_codings.csv", line, "code_id")


def test_empty_text(data_copy):
    path = data_copy / "segments.csv"
    line = _append(path, 'Z999,S1-TEA1,R1,999,"   ",reconstructed,,true')
    _append(data_copy / "codings.csv", "Z999,ideal.culture")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("segments.csv", line, "text")
    assert "is empty" in str(err)


def test_segment_without_code(data_copy):
    line = _append(data_copy / "segments.csv",
                   "Z999,S1-TEA1,R1,999,Ja nou dat was het wel zo'n beetje.,reconstructed,,true")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("segments.csv", line, "segment_id")
    assert "no code" in str(err)


def test_row_with_too_few_fields(data_copy):
    line = _append(data_copy / "schools.csv", "S9,vmbo")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line) == ("schools.csv", line)
    assert "2 fields, the header 4" in str(err)


def test_row_with_too_many_fields(data_copy):
    line = _append(data_copy / "schools.csv", "S9,vmbo,Limburg,full,extra")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line) == ("schools.csv", line)


def test_dutch_excel_file_is_accepted_with_notes(data_copy):
    path = data_copy / "respondents.csv"
    text = path.read_text(encoding="utf-8").replace(",", ";")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("cp1252"))
    corpus = load_corpus(data_copy)
    notes = " ".join(corpus.notes)
    assert "byte order mark" in notes and "';' as separator" in notes and "Windows-1252" in notes
    assert "zorgcoördinator" in set(corpus.respondents["role_nl"])


def test_ambiguous_separator_is_refused(data_copy):
    path = data_copy / "schools.csv"
    lines = _lines(path)
    lines[0] = "school_id;school_type,region;followup"
    path.write_text("\n".join(lines), encoding="utf-8")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line) == ("schools.csv", 1)


def test_undecodable_bytes_are_refused(data_copy):
    path = data_copy / "schools.csv"
    path.write_bytes(path.read_bytes() + b"S9,\x81\x8d,x,full\n")
    err = _error(data_copy)
    assert Path(err.file).name == "schools.csv" and "UTF-8" in err.fix


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Mail me gerust op j.devries@school.nl hoor.", "e-mail"),
        ("Bel me even op 06-12345678 als het kan.", "phone"),
        ("Het lokaal is aan de straat bij 6211 AB ofzo.", "postcode"),
        ("Kijk maar op www.onzeschool.nl daar staat het.", "URL"),
    ],
)
def test_identifiers_are_refused(data_copy, text, kind):
    line = _append(data_copy / "segments.csv", f"Z999,S1-TEA1,R1,999,{text},reconstructed,,true")
    _append(data_copy / "codings.csv", "Z999,ideal.culture")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("segments.csv", line, "text")
    assert kind in str(err)


def test_deny_list_names_are_refused(data_copy, tmp_path):
    line = _append(data_copy / "segments.csv",
                   "Z999,S1-TEA1,R1,999,Toen zei Bakker dat het niet kon.,reconstructed,,true")
    _append(data_copy / "codings.csv", "Z999,ideal.culture")
    deny = tmp_path / "deny.txt"
    deny.write_text("# namen\nbakker\n", encoding="utf-8")
    load_corpus(data_copy)  # without the list the name is not known
    err = _error(data_copy, deny_list=deny)
    assert (Path(err.file).name, err.line, err.column) == ("segments.csv", line, "text")
    assert "deny-list" in str(err)
