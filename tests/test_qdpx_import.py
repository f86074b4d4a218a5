"""Importing a REFI-QDA project as a new round: attributes, codes, coders, safety of the data folder."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from samendoen_analysis import load_corpus
from samendoen_analysis.cli import main
from samendoen_analysis.data.anonymisation import PATTERNS
from samendoen_analysis.errors import DataError
from samendoen_analysis.qdpx.importer import import_qdpx
from samendoen_analysis.qdpx.read import read_qdpx

from .qdpx_helpers import (
    ATLAS,
    EXAMPLE,
    LATER,
    NVIVO,
    TEXT,
    G,
    case,
    codes_map,
    coding,
    good,
    hashes,
    project,
    respondents_map,
    selection,
    source,
    write_zip,
)
from .test_qdpx_read import BROKEN

TOPDOWN = {"Topdown": "obstacles.top_down"}


def _refused(path: Path, data_dir: Path, match: str, **kwargs) -> DataError:
    """Import must fail with one DataError and leave every file of the folder byte-identical."""
    before = hashes(data_dir)
    with pytest.raises(DataError, match=match) as info:
        import_qdpx(path, "R2", data_dir=data_dir, **kwargs)
    assert hashes(data_dir) == before, "the data folder changed"
    return info.value


def _round(data_dir: Path, round_id: str = "R2"):
    corpus = load_corpus(data_dir)
    segments = corpus.segments[corpus.segments["round"] == round_id]
    codings = corpus.codings[corpus.codings["segment_id"].isin(segments["segment_id"])]
    return corpus, segments, codings


def test_round_from_cases_and_variables(data_copy, tmp_path):
    report = import_qdpx(good(tmp_path), "R2", data_dir=data_copy, codes=codes_map(tmp_path, TOPDOWN))
    assert "uncoded talk: 1" in report and "code points" in report
    corpus, segments, codings = _round(data_copy)
    assert segments["text"].tolist() == ["Nou", "de directie had het gewoon bedacht", TEXT[LATER:]]
    assert segments["coded"].tolist() == [False, True, True]  # a selection without coding: uncoded talk
    assert segments["origin"].eq("imported").all() and segments["position"].tolist() == [1, 2, 3]
    assert segments["source_ref"].tolist() == ["interview 1:0-3",
                                               f"interview 1:{TEXT.index('de')}-{TEXT.index('bedacht') + 7}",
                                               f"interview 1:{LATER}-{len(TEXT)}"]
    assert sorted(codings["code_id"].astype(str)) == ["corona", "obstacles.top_down", "obstacles.top_down"]
    person = corpus.respondents.set_index("respondent_id").loc["S6-TEA1"]
    assert (person["school_id"], person["role_group"], person["round"], person["role_en"]) == (
        "S6", "teacher", "R2", "leraar")
    assert (person["person_id"], person["case_name"]) == ("S6-TEA1", "S6-TEA1")
    school = corpus.schools.set_index("school_id").loc["S6"]
    assert (school["school_type"], school["region"], school["followup"]) == ("niet vermeld", "niet vermeld", "full")


def test_import_only_appends_bytes(data_copy, tmp_path):
    before = {p.name: p.read_bytes() for p in data_copy.iterdir()}
    report = import_qdpx(good(tmp_path), "R2", data_dir=data_copy, codes=codes_map(tmp_path, TOPDOWN))
    assert ("files changed: coder_spans.csv, coders.csv, codings.csv, respondents.csv, schools.csv, segments.csv"
            in report)
    for p in data_copy.iterdir():
        assert p.read_bytes().startswith(before[p.name]), p.name
    assert not [p for p in data_copy.parent.iterdir() if p.name.startswith(".check-")]
    assert not [p for p in data_copy.iterdir() if p.name.endswith(".new")]


def test_respondents_from_mapping_file(data_copy, tmp_path):
    path = write_zip(tmp_path / "m.qdpx", {"project.qde": project(source()), "sources/a.txt": TEXT})
    import_qdpx(path, "R2", data_dir=data_copy, respondents=respondents_map(tmp_path, ["interview 1"]),
                codes=codes_map(tmp_path, TOPDOWN))
    corpus, segments, _ = _round(data_copy)
    assert set(segments["respondent_id"]) == {"S9-R1"}
    assert corpus.respondents.set_index("respondent_id").loc["S9-R1", "interviewer"] == "I1"


def test_all_sources_without_attributes_are_listed(data_copy, tmp_path):
    sources = source() + source(guid=G[40], name="interview 2",
                                selections=selection(G[41], 0, 3, coding(G[42], G[1])))
    path = write_zip(tmp_path / "m.qdpx", {"project.qde": project(sources), "sources/a.txt": TEXT})
    err = _refused(path, data_copy, r"source\(s\): interview 1, interview 2", codes=codes_map(tmp_path, TOPDOWN))
    assert "--respondents" in err.fix


def test_case_linked_by_a_coding(data_copy, tmp_path):
    sel = selection(G[5], 5, 39, coding(G[6], G[1]) + coding(G[12], "{" + G[10].upper() + "}"))
    path = write_zip(tmp_path / "c.qdpx", {"project.qde": project(source(selections=sel), case(None)),
                                           "sources/a.txt": TEXT})
    import_qdpx(path, "R2", data_dir=data_copy, codes=codes_map(tmp_path, TOPDOWN))
    _, segments, codings = _round(data_copy)
    assert segments["respondent_id"].tolist() == ["S6-TEA1"]
    assert codings["code_id"].astype(str).tolist() == ["obstacles.top_down"]  # the case is not a code


def test_codes_match_by_label_and_id(data_copy, tmp_path):
    codes = (f'<Code guid="{G[1]}" name="Van bovenaf ingevoerd"/><Code guid="{G[2]}" name="corona"/>'
             f'<Code guid="{G[0]}" name="Short lines"/>')
    sel = selection(G[5], 0, 3, coding(G[6], G[1]) + coding(G[7], G[2]) + coding(G[8], G[0]))
    path = write_zip(tmp_path / "l.qdpx", {"project.qde": project(source(selections=sel), case(G[4]), codes=codes),
                                           "sources/a.txt": TEXT})
    import_qdpx(path, "R2", data_dir=data_copy)
    assert sorted(_round(data_copy)[2]["code_id"].astype(str)) == ["corona", "obstacles.top_down",
                                                                   "positive.short_lines"]


def test_mapping_by_guid_with_braces(data_copy, tmp_path):
    import_qdpx(good(tmp_path), "R2", data_dir=data_copy,
                codes=codes_map(tmp_path, {"{" + G[1].upper() + "}": "obstacles.no_debrief"}))
    assert "obstacles.no_debrief" in set(_round(data_copy)[2]["code_id"].astype(str))


def test_unmapped_used_codes_are_listed_together(data_copy, tmp_path):
    codes = f'<Code guid="{G[1]}" name="Topdown"/><Code guid="{G[2]}" name="Gedoe"/><Code guid="{G[0]}" name="Unused"/>'
    sel = selection(G[5], 0, 3, coding(G[6], G[1]) + coding(G[7], G[2]))
    path = write_zip(tmp_path / "u.qdpx", {"project.qde": project(source(selections=sel), case(G[4]), codes=codes),
                                           "sources/a.txt": TEXT})
    err = _refused(path, data_copy, "2 code")
    written = tmp_path / "u-codes.csv"
    assert str(written) in err.problem and "--keep-new-codes" in err.fix and f"--codes {written}" in err.fix
    # One editable map file, the closest codebook code filled in where one is close.
    assert written.read_text(encoding="utf-8") == "qdpx_code,code_id\nTopdown,\nGedoe,\n"
    err = _refused(path, data_copy, "2 code")
    assert str(tmp_path / "u-codes-2.csv") in err.problem  # the user's edits are never overwritten


@pytest.mark.parametrize("target, match", [("nonsense", "not in codebook.csv"), ("obstacles", "lens")])
def test_mapping_to_a_bad_code_names_the_mapping_file(data_copy, tmp_path, target, match):
    mapping = codes_map(tmp_path, {"Topdown": target})
    err = _refused(good(tmp_path), data_copy, match, codes=mapping)
    assert err.file == str(mapping) and err.line == 2


def test_keep_new_codes_keeps_the_tree(data_copy, tmp_path):
    import_qdpx(good(tmp_path), "R2", data_dir=data_copy, keep_new_codes=True)
    book = load_corpus(data_copy).codebook.set_index("label_nl")
    new = book.loc["Topdown"]  # under 'Hobbels', the Dutch label of the lens 'obstacles'
    order = int(load_corpus().codebook["order"].max()) + 1  # after the shipped codebook
    assert (new.name, new["code_id"], new["kind"], new["parent_id"], new["colour"], new["order"]) == (
        "Topdown", "new.obstacles.Topdown", "subtheme", "obstacles", "#123456", order)
    assert "corona" not in set(book.loc[book["kind"] == "tag"].index) - {"Corona"}  # matched the existing tag


def test_new_code_without_colour_gets_grey(data_copy, tmp_path):
    codes = f'<Code guid="{G[1]}" name="Nieuw ding"/>'
    sel = selection(G[5], 0, 3, coding(G[6], G[1]))
    path = write_zip(tmp_path / "g.qdpx", {"project.qde": project(source(selections=sel), case(G[4]), codes=codes),
                                           "sources/a.txt": TEXT})
    import_qdpx(path, "R2", data_dir=data_copy, keep_new_codes=True)
    assert load_corpus(data_copy).codebook.set_index("label_nl").loc["Nieuw ding", "colour"] == "#999999"


def test_two_coders_give_independent_codings(data_copy, tmp_path):
    users = f'<User guid="{G[3]}" name="I1"/><User guid="{G[13]}" name="Jan de Vries"/>'
    sel = (selection(G[5], 0, 3, coding(G[6], G[1], G[3]) + coding(G[7], G[2], G[13]))
           + selection(G[8], LATER, len(TEXT), coding(G[9], G[1], G[3])))
    path = write_zip(tmp_path / "k.qdpx", {"project.qde": project(source(selections=sel), case(G[4]), users=users),
                                           "sources/a.txt": TEXT})
    err = _refused(path, data_copy, "2 Users", codes=codes_map(tmp_path, TOPDOWN))
    assert "--consensus-user" in err.fix
    import_qdpx(path, "R2", data_dir=data_copy, codes=codes_map(tmp_path, TOPDOWN), consensus_user="none")
    corpus, segments, codings = _round(data_copy)
    first, second = segments["segment_id"]
    independent = corpus.independent_codings[corpus.independent_codings["segment_id"].isin([first, second])]
    # Without a consensus User every User's codes are independent codings, where they coded.
    assert list(zip(independent["segment_id"], independent["coder"], independent["code_id"].astype(str),
                    strict=True)) == [(first, "I1", "obstacles.top_down"), (first, "Jan-de-Vries", "corona"),
                                      (second, "I1", "obstacles.top_down")]
    assert sorted(codings.loc[codings["segment_id"] == first, "code_id"].astype(str)) == [
        "corona", "obstacles.top_down"]  # consensus: the union


def test_existing_round_is_refused_unless_replace(data_copy, tmp_path):
    opts = {"codes": codes_map(tmp_path, TOPDOWN)}
    with pytest.raises(DataError, match="already exists"):
        import_qdpx(good(tmp_path), "R1", data_dir=data_copy, **opts)
    r1 = load_corpus(data_copy).segments.query("round == 'R1'").reset_index(drop=True)
    import_qdpx(good(tmp_path), "R2", data_dir=data_copy, **opts)
    _refused(good(tmp_path), data_copy, "already exists", **opts)
    import_qdpx(good(tmp_path), "R2", data_dir=data_copy, replace=True, **opts)
    corpus = load_corpus(data_copy)
    assert (corpus.segments["round"] == "R2").sum() == 3
    assert corpus.segments.query("round == 'R1'").reset_index(drop=True).equals(r1)


def test_invalid_round_id_and_clashing_respondents(data_copy, tmp_path):
    opts = {"codes": codes_map(tmp_path, TOPDOWN)}
    with pytest.raises(DataError, match="not a valid round id"):
        import_qdpx(good(tmp_path), "R 2", data_dir=data_copy, **opts)
    returning = write_zip(tmp_path / "c.qdpx", {"project.qde": project(source(), case(G[4], name="S1-DIR")),
                                                "sources/a.txt": TEXT})
    import_qdpx(returning, "R2", data_dir=data_copy, **opts)  # the same Case name: the same person again
    person = load_corpus(data_copy).respondents.set_index("respondent_id").loc["S1-DIR-R2"]
    assert (person["person_id"], person["case_name"], person["round"]) == ("S1-DIR", "S1-DIR", "R2")
    mapping = respondents_map(tmp_path, ["interview 1"])
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("S9-R1", "S1-DIR"), encoding="utf-8")
    _refused(returning, data_copy, "already belong to another round", respondents=mapping, replace=True, **opts)


def test_a_value_the_corpus_refuses_changes_nothing(data_copy, tmp_path):
    bad = write_zip(tmp_path / "v.qdpx", {
        "project.qde": project(source(), case(G[4], values=("S6", "pupil", "leerling"))), "sources/a.txt": TEXT})
    err = _refused(bad, data_copy, "'pupil' is not a valid role_group", codes=codes_map(tmp_path, TOPDOWN))
    assert err.file == str(bad) and err.column == "Case 'S6-TEA1' Variable role_group"


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_and_hostile_files_leave_the_folder_unchanged(data_copy, tmp_path, kind):
    make, match = BROKEN[kind]
    path = tmp_path / "bad.qdpx"
    make(path)
    err = _refused(path, data_copy, match)
    assert err.file == str(path)


def test_offsets_outside_the_text(data_copy, tmp_path):
    sel = selection(G[5], 10, 5000, coding(G[6], G[2]))
    path = write_zip(tmp_path / "o.qdpx", {"project.qde": project(source(selections=sel), case(G[4])),
                                           "sources/a.txt": TEXT})
    err = _refused(path, data_copy, "outside the text")
    assert err.column == f"PlainTextSelection {G[5]}"


# --- real exports ------------------------------------------------------------------------------


def _masked_nvivo(tmp_path: Path) -> Path:
    """The NVivo file with links, e-mail addresses and phone numbers blanked out, same lengths.

    Real YouTube comments contain links, which the corpus refuses as identifying. Each such
    character becomes 'x' (two for a character outside the BMP), so every UTF-16 position stays.
    """
    out = tmp_path / "nvivo-masked.qdpx"
    with zipfile.ZipFile(NVIVO) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.lower().endswith(".txt"):
                text = data.decode("utf-8")
                for pattern in PATTERNS.values():
                    text = re.sub(pattern, lambda m: "".join("xx" if ord(c) > 0xFFFF else "x" for c in m[0]), text)
                data = text.encode("utf-8")
            dst.writestr(info, data)
    return out


def test_nvivo_import(data_copy, tmp_path):
    path = _masked_nvivo(tmp_path)
    names = sorted(read_qdpx(path).sources.values())
    report = import_qdpx(path, "R2", data_dir=data_copy, respondents=respondents_map(tmp_path, names),
                         keep_new_codes=True)
    assert "positions counted as utf16 units" in report
    corpus, segments, codings = _round(data_copy)
    # NVivo writes one selection per code: 303 selections cover 188 distinct spans.
    assert "same span merged into one segment: 115" in report and "new codes added: 84" in report
    shipped = load_corpus()
    assert len(segments) == 188 and len(codings) == 303
    assert len(corpus.independent_codings) == len(shipped.independent_codings)
    assert segments["respondent_id"].unique().tolist() == ["S9-R1"]  # every coding is in videos_10_selected
    assert "S9-R2" in set(corpus.respondents["respondent_id"])  # an interview without codings still counts
    assert set(corpus.codebook["kind"]) == {"lens", "subtheme", "tag"}
    used = {c for c in codings["code_id"].astype(str)}
    assert all(c.startswith("new.") for c in used) and len(used) == 76
    # NVivo's code tree stays: its 8 top-level codes with codes below them become lenses.
    new = corpus.codebook[corpus.codebook["code_id"].str.startswith("new.")]
    assert len(new) == 84 and (new["kind"] == "lens").sum() == 8
    assert "new.2-Attitud-szint-az-oltashoz.sarga" in set(new["code_id"])  # letters kept, transliterated
    first = segments.set_index("source_ref").loc["videos_10_selected:3137-3284"]
    same_span = [s for s in read_qdpx(path).selections if (s.start, s.end) == (3137, 3284)]
    assert len(same_span) > 1  # several selections, one segment with all their codes
    assert len(codings[codings["segment_id"] == first["segment_id"]]) == len(same_span)
    first = first["text"]
    assert first.startswith("Senkit nem lehet kötelezni oltásra") and first.endswith("szaporodhat és nem élhet.")


def test_nvivo_unmasked_stops_at_the_anonymisation_guard(data_copy, tmp_path):
    names = sorted(read_qdpx(NVIVO).sources.values())
    err = _refused(NVIVO, data_copy, "URL", respondents=respondents_map(tmp_path, names), keep_new_codes=True)
    # Every hit at once, where it is in the export, and the fix in the program or with --redact.
    assert err.file == str(NVIVO) and "5 identifying detail(s)" in err.problem
    assert err.problem.count("source 'videos_10_selected', character ") == 5 and "--redact" in err.fix


def test_atlas_needs_the_fallback_and_says_so(data_copy, tmp_path):
    names = sorted(read_qdpx(ATLAS, names_for_missing=True).sources.values())
    mapping = respondents_map(tmp_path, names)
    err = _refused(ATLAS, data_copy, "is not in the archive", respondents=mapping, keep_new_codes=True)
    assert err.file == str(ATLAS)
    report = import_qdpx(ATLAS, "R2", data_dir=data_copy, respondents=mapping, keep_new_codes=True,
                         text_from_selection_names=True)
    assert "segments: 6 (uncoded talk: 1), codings: 7" in report and "WARNING: 6 selection text(s) taken from" in report
    _, segments, codings = _round(data_copy)
    assert "Oh, that was great. See you tomorrow? Eleven thirty. Mm." in set(segments["text"])
    assert len(codings) == 7


def test_worked_example_imports_with_no_extra_files(data_copy, capsys):
    assert main(["import-qdpx", str(EXAMPLE), "--round", "R2", "--data", str(data_copy)]) == 0
    assert "respondents: 6" in capsys.readouterr().out
    corpus, segments, _ = _round(data_copy)
    people = corpus.respondents.query("round == 'R2'")
    assert sorted(people["role_group"].astype(str)) == [
        "external_partner", "external_partner", "management", "support_staff", "teacher", "teacher"]
    assert corpus.schools.set_index("school_id").loc["S6", "school_type"] == "vmbo"
    assert segments["text"].str.len().gt(0).all()


def test_cli_reports_errors_without_a_traceback(data_copy, tmp_path, capsys):
    path = tmp_path / "x.qdpx"
    path.write_bytes(b"nope")
    assert main(["import-qdpx", str(path), "--round", "R2", "--data", str(data_copy)]) == 1
    assert "not a readable QDPX" in capsys.readouterr().err
