"""Each kind of bad input gets one error naming file, line and column, and a fix."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from samendoen_analysis import DataError, load_corpus
from samendoen_analysis.paths import DATA_DIR
from samendoen_analysis.vocabulary import ROLE_GROUPS, columns


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
    assert ", ".join(ROLE_GROUPS) in str(err)


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
    row = "Z999,S1-TEA1,R1,999,Ja nou dat was het wel zo'n beetje.,reconstructed,,true"
    line = _append(data_copy / "segments.csv", row)
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("segments.csv", line, "coded")
    assert "no code" in str(err) and "coded to false" in err.fix


def test_uncoded_talk_is_accepted_without_codes(data_copy):
    _append(data_copy / "segments.csv", "Z999,S1-TEA1,R1,999,Ja nou dat was het wel zo'n beetje.,reconstructed,,false")
    corpus = load_corpus(data_copy)
    assert not corpus.segments.set_index("segment_id").at["Z999", "coded"]


@pytest.mark.parametrize("table, row", [("codings.csv", "Z999,ideal.culture"),
                                        ("independent_codings.csv", "Z999,I2,ideal.culture")])
def test_coding_on_uncoded_talk_is_refused(data_copy, table, row):
    _append(data_copy / "segments.csv", "Z999,S1-TEA1,R1,999,Ja nou dat was het wel zo'n beetje.,reconstructed,,false")
    line = _append(data_copy / table, row)
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == (table, line, "segment_id")
    assert "coded = false" in str(err)


def test_coded_must_be_true_or_false(data_copy):
    line = _append(data_copy / "segments.csv", "Z999,S1-TEA1,R1,999,Ja nou.,reconstructed,,nee")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("segments.csv", line, "coded")
    assert "true or false" in err.fix


def test_sub_tag_may_hang_under_a_tag_only(data_copy):
    path = data_copy / "codebook.csv"
    line = _append(path, "corona.extra,corona,tag,X,X,X,X,99,#999999")
    assert "corona.extra" in set(load_corpus(data_copy).codebook["code_id"])
    _edit(path, line, "corona.extra,corona,", "corona.extra,obstacles.too_short,")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("codebook.csv", line, "parent_id")
    assert "corona" in err.fix


def test_row_with_too_few_fields(data_copy):
    line = _append(data_copy / "schools.csv", "S9,vmbo")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line) == ("schools.csv", line)
    assert f"2 fields, the header {len(columns('schools'))}" in str(err)


def test_row_with_too_many_fields(data_copy):
    line = _append(data_copy / "schools.csv", ",".join(["S9"] + ["x"] * len(columns("schools"))))
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
    path.write_bytes(path.read_bytes() + b"S9,\x81\x8d" + b",x" * (len(columns("schools")) - 2) + b"\n")
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
    row = "Z999,S1-TEA1,R1,999,Toen zei Bakker dat het niet kon.,reconstructed,,true"
    line = _append(data_copy / "segments.csv", row)
    _append(data_copy / "codings.csv", "Z999,ideal.culture")
    deny = tmp_path / "deny.txt"
    deny.write_text("# namen\nbakker\n", encoding="utf-8")
    load_corpus(data_copy)  # without the list the name is not known
    err = _error(data_copy, deny_list=deny)
    assert (Path(err.file).name, err.line, err.column) == ("segments.csv", line, "text")
    assert "deny-list" in str(err)


def _foreign_keys():
    descriptor = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    for res in descriptor["resources"]:
        for key in res["schema"].get("foreignKeys", []):
            yield res["path"], key["fields"][0], key["reference"]["resource"] or res["name"]


@pytest.mark.parametrize("path, column, parent", list(_foreign_keys()))
def test_every_foreign_key_of_the_descriptor_is_checked(data_copy, path, column, parent):
    table = data_copy / path
    header = _lines(table)[0].split(",")
    lines = [line for line in _lines(table) if line]
    if len(lines) == 1:  # an empty table (coder_spans of the shipped round): add a valid row to break
        lines.append("S1-DIR,I1,0,5,ideal.culture")
    # The last row where the reference is set (a lens or tag has no parent_id).
    line = max(i for i, text in enumerate(lines[1:], start=2) if next(csv.reader([text]))[header.index(column)])
    fields = next(csv.reader([lines[line - 1]]))
    fields[header.index(column)] = "NOSUCHID"
    lines[line - 1] = _csv_line(fields)
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == (path, line, column)
    assert f"'NOSUCHID' does not exist in {parent}.csv" in str(err)


def _csv_line(fields: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue()


def test_undeclared_coder_is_refused(data_copy):
    sid, _ = _first_segment(data_copy)
    line = _append(data_copy / "independent_codings.csv", f"{sid},I3,ideal.culture")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("independent_codings.csv", line, "coder")
    assert "'I3' does not exist in coders.csv" in str(err)


def test_consensus_is_not_an_independent_coder(data_copy):
    sid, _ = _first_segment(data_copy)
    line = _append(data_copy / "independent_codings.csv", f"{sid},consensus,ideal.culture")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("independent_codings.csv", line, "coder")
    assert "kind 'consensus'" in str(err) and "I1, I2" in err.fix


def test_coder_kind_is_an_enum(data_copy):
    _edit(data_copy / "coders.csv", 2, "I1,independent,", "I1,zelfstandig,")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("coders.csv", 2, "kind")


def test_a_folder_without_the_coders_resource_is_refused(data_copy):
    descriptor = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "coders"]
    (data_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    err = _error(data_copy)
    assert Path(err.file).name == "datapackage.json" and "coders" in str(err)


@pytest.mark.parametrize(
    "claim, old, new, column, message",
    [
        ("C1", "C1,ideal,top_code,", "C1,ideal.culture,top_code,", "code_id", "is a subtheme"),
        ("C2", "ratio,external_partner;teacher,", "ratio,external_partner,", "groups", "exactly 2"),
        ("C3", "ratio,teacher;external_partner,", "ratio,teacher;pupil,", "groups", "'pupil' is not a role group"),
        ("C4", "external_partner,,1.25,", "external_partner,,,", "threshold", "needs a threshold"),
        ("C6", "share_of_code,teacher,,0.5,", "share_of_code,teacher,,50,", "threshold", "cannot exceed 1"),
        ("C7", "teacher,corona.infection_fear;", "teacher,corona.fear;", "subcodes", "'corona.fear' does not exist"),
        ("C7", "teacher,corona.infection_fear;corona.absence,", "teacher,,", "subcodes", "needs the sub-codes"),
        ("C1", "teacher;external_partner,,,", "teacher;external_partner,,1.25,", "threshold", "takes no threshold"),
    ],
)
def test_claims_are_checked_against_their_test(data_copy, claim, old, new, column, message):
    path = data_copy / "claims.csv"
    line = next(i for i, text in enumerate(_lines(path), start=1) if text.startswith(f"{claim},"))
    _edit(path, line, old, new)
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("claims.csv", line, column)
    assert message in str(err) and f"claim '{claim}'" in str(err)


def test_every_identifier_is_reported_at_once(data_copy):
    first = _append(data_copy / "segments.csv",
                    "Z998,S1-TEA1,R1,998,Mijn BSN is 111222333 zeg maar.,reconstructed,,true")
    text = "Stort het op NL91 ABNA 0417 1643 00, of bel 0031 6 12345678."
    second = _append(data_copy / "segments.csv", f'Z999,S1-TEA1,R1,999,"{text}",reconstructed,,true')
    _append(data_copy / "codings.csv", "Z998,ideal.culture")
    _append(data_copy / "codings.csv", "Z999,ideal.culture")
    err = _error(data_copy)
    assert (Path(err.file).name, err.line, err.column) == ("segments.csv", first, "text")
    message = str(err)
    assert "3 identifying detail(s)" in message
    assert f"line {first}: a citizen service number (BSN" in message
    assert f"line {second}: a bank account number (IBAN" in message and "phone number" in message
    for secret in ("111222333", "0417 1643", "12345678"):
        assert secret not in message  # excerpts are masked


def test_an_imported_qda_user_is_declared_as_an_independent_coder(data_copy, tmp_path):
    from samendoen_analysis.qdpx.importer import import_qdpx

    from .qdpx_helpers import END, START, G, case, codes_map, coding, project, selection, source, write_zip
    from .qdpx_helpers import TEXT as QDPX_TEXT

    users = f'<User guid="{G[3]}" name="I1"/><User guid="{G[13]}" name="Jan de Vries"/>'
    both = selection(G[5], START, END, coding(G[6], G[1], G[3]) + coding(G[12], G[2], G[13]))
    path = write_zip(tmp_path / "k.qdpx", {"project.qde": project(source(selections=both), case(G[4]), users=users),
                                          "sources/a.txt": QDPX_TEXT})
    import_qdpx(path, "R2", data_dir=data_copy, codes=codes_map(tmp_path, {"Topdown": "obstacles.top_down"}),
                consensus_user="I1")
    coders = load_corpus(data_copy).coders.set_index("coder_id")
    assert coders.loc["Jan-de-Vries", "kind"] == "independent"
    assert coders.loc["Jan-de-Vries", "description_en"] == "User 'Jan de Vries' of k.qdpx"
    assert list(coders.index[:3]) == ["I1", "I2", "consensus"]  # the declared ones are kept, in order


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f"])
def test_a_control_character_is_refused_with_its_place(data_copy, character):
    text = f"Twee regels\nen een {character}teken"
    last = _append(data_copy / "segments.csv", f'Z999,S1-TEA1,R1,999,"{text}",reconstructed,,true')
    _append(data_copy / "codings.csv", "Z999,ideal.culture")
    err = _error(data_copy)
    # The row starts on the line before its last: the value spans two lines.
    assert (Path(err.file).name, err.line, err.column) == ("segments.csv", last - 1, "text")
    assert f"U+{ord(character):04X} at character 20" in str(err)


def test_a_whole_transcript_in_one_cell_reads_and_counts(data_copy):
    from samendoen_analysis.data.words import count_words

    text = " ".join(f"woord{i % 97} en-zo" for i in range(400_000))  # about 5 MB in one cell
    _append(data_copy / "segments.csv", f'Z999,S1-TEA1,R1,999,"{text}",reconstructed,,true')
    _append(data_copy / "codings.csv", "Z999,ideal.culture")
    corpus = load_corpus(data_copy)
    words = corpus.segments.set_index("segment_id").loc["Z999", "words"]
    assert len(text) > 5_000_000 and words == count_words(text) == 800_000
