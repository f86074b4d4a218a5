"""Exports in the quirks of each vendor: empty ones, free-text Cases, several Users, identifying details, codes."""

from __future__ import annotations

import pytest

from samendoen_analysis import load_corpus
from samendoen_analysis.analysis.agreement import agreement_summary
from samendoen_analysis.analysis.rounds import person_change
from samendoen_analysis.cli import main
from samendoen_analysis.data.store import read_raw
from samendoen_analysis.errors import DataError
from samendoen_analysis.qdpx.importer import SEPARATOR, import_qdpx

from .qdpx_helpers import (
    END,
    LATER,
    MAP_HEADER,
    START,
    TEAM_USERS,
    TEXT,
    G,
    case,
    codes_map,
    coding,
    good,
    hashes,
    mapping_rows,
    project,
    selection,
    source,
    team,
    user_selection,
    write_csv,
    write_zip,
)

TOPDOWN = {"Topdown": "obstacles.top_down"}


def _refused(path, data_dir, match, **kwargs) -> DataError:
    before = hashes(data_dir)
    with pytest.raises(DataError, match=match) as info:
        import_qdpx(path, "R2", data_dir=data_dir, **kwargs)
    assert hashes(data_dir) == before, "the data folder changed"
    return info.value


# --- 1. nothing imported is never success ---------------------------------------------------------


def test_export_without_codings_fails_with_the_programs_menu(data_copy, tmp_path, capsys):
    qde = project(source(selections=selection(G[11], 0, 3)), case(G[4]), origin="ATLAS.ti 23.2.1")
    path = write_zip(tmp_path / "e.qdpx", {"project.qde": qde, "sources/a.txt": TEXT})
    err = _refused(path, data_copy, "no coded text selections")
    assert "'interview 1' (1 selection(s), none coded)" in err.problem
    assert "ATLAS.ti: File > Export" in err.fix and "NVivo" not in err.fix
    before = hashes(data_copy)
    # With --replace the shipped round must not be emptied either, and the exit status says so.
    assert main(["import-qdpx", str(path), "--round", "R1", "--replace", "--data", str(data_copy)]) == 1
    assert "Nothing was imported" in capsys.readouterr().err
    assert hashes(data_copy) == before


@pytest.mark.parametrize("origin, program", [("NVivo for Windows 12.6", "NVivo for Windows: Share"),
                                             ("MAXQDA 24", "MAXQDA:"), ("QualCoder 3.6", "QualCoder:"),
                                             ("", "QualCoder:")])
def test_empty_text_names_the_source_and_the_program(data_copy, tmp_path, origin, program):
    qde = project(source(), case(G[4]), origin=origin)
    err = _refused(write_zip(tmp_path / "t.qdpx", {"project.qde": qde, "sources/a.txt": "\ufeff  "}), data_copy,
                   "text of source")
    assert "'interview 1'" in err.problem and program in err.fix


def test_only_non_text_sources(data_copy, tmp_path):
    qde = project(f'<PDFSource guid="{G[30]}" name="interview.pdf" path="internal://x.pdf"/>')
    _refused(write_zip(tmp_path / "p.qdpx", {"project.qde": qde}), data_copy, "no text sources .1 other")


def test_nothing_left_after_reading(data_copy, tmp_path):
    qde = project(source(selections=selection(G[5], 0, 3, coding(G[6], G[2]))), case(G[4]))
    _refused(write_zip(tmp_path / "w.qdpx", {"project.qde": qde, "sources/a.txt": "   " + TEXT}), data_copy,
             "no segment with text")


# --- 3. coders travel with the codings ------------------------------------------------------------


def test_two_researchers_and_a_consensus(data_copy, tmp_path):
    path = team(tmp_path)
    err = _refused(path, data_copy, "3 Users", codes=codes_map(tmp_path, TOPDOWN))
    assert "'Anna de Wit'" in err.problem and "--consensus-user" in err.fix
    report = import_qdpx(path, "R2", data_dir=data_copy, codes=codes_map(tmp_path, TOPDOWN),
                         consensus_user="Consensus team")
    assert "Anna de Wit -> Anna-de-Wit" in report and "Bram Ölçer -> Bram-Olcer" in report
    raw = read_raw(data_copy)
    coders = raw["coders"].set_index("coder_id")["kind"]
    assert coders[["Consensus-team", "Anna-de-Wit", "Bram-Olcer"]].tolist() == ["consensus", "independent",
                                                                                  "independent"]
    segments = raw["segments"][raw["segments"]["round"] == "R2"]
    first, second = segments["segment_id"]
    assert segments["text"].tolist() == [TEXT[START:END], TEXT[LATER:]]
    codings = raw["codings"][raw["codings"]["segment_id"].isin([first, second])]
    assert codings.values.tolist() == [[first, "obstacles.top_down"], [second, "corona"]]
    independent = raw["independent_codings"][raw["independent_codings"]["segment_id"].isin([first, second])]
    assert independent.values.tolist() == [[first, "Anna-de-Wit", "obstacles.top_down"],
                                           [first, "Bram-Olcer", "corona"]]
    # Every User's coded selection, as offsets in the interview's joined text.
    joined = SEPARATOR.join(segments["text"])
    spans = raw["coder_spans"]
    anna = spans[(spans["coder"] == "Anna-de-Wit")]
    assert [joined[int(a):int(b)] for a, b in zip(anna["start"], anna["end"], strict=True)] == [
        TEXT[START:END], "Toen"]
    assert set(spans["coder"]) == {"Consensus-team", "Anna-de-Wit", "Bram-Olcer"} and len(spans) == 5
    # What notebook 07 computes works on the imported round.
    corpus = load_corpus(data_copy)
    summary = agreement_summary(corpus.independent_codings[corpus.independent_codings["segment_id"] == first],
                                corpus.codebook, ("Anna-de-Wit", "Bram-Olcer"))
    assert len(summary) == 4


def test_consensus_user_that_does_not_exist(data_copy, tmp_path):
    err = _refused(team(tmp_path), data_copy, "no User called 'Carla'", codes=codes_map(tmp_path, TOPDOWN),
                   consensus_user="Carla")
    assert "'Bram Ölçer'" in err.fix


# --- 4. respondents from whatever the program exports ---------------------------------------------


@pytest.mark.parametrize("name, rid", [("Leraar A", "Leraar-A"), ("hidden respondent", "hidden-respondent"),
                                       ("Interview 3 – jongerenwerker", "Interview-3-jongerenwerker"),
                                       ("sárga Ørsted", "sarga-Orsted")])
def test_free_text_case_names(data_copy, tmp_path, name, rid):
    path = write_zip(tmp_path / "c.qdpx", {"project.qde": project(source(), case(G[4], name=name)),
                                           "sources/a.txt": TEXT})
    import_qdpx(path, "R2", data_dir=data_copy, codes=codes_map(tmp_path, TOPDOWN))
    person = load_corpus(data_copy).respondents.set_index("respondent_id").loc[rid]
    assert (person["case_name"], person["person_id"], person["round"]) == (name, rid, "R2")


def _two_sources(tmp_path):
    sources = (source(name="Interview 3 – jongerenwerker", rich="relative://Interview drie.docx")
               + source(guid=G[40], name=None, path="internal://b.txt",
                        selections=selection(G[41], 0, 3, coding(G[42], G[2]))))
    return write_zip(tmp_path / "s.qdpx", {"project.qde": project(sources), "sources/a.txt": TEXT,
                                           "sources/b.txt": TEXT})


def test_respondents_csv_keyed_by_file_name_and_guid(data_copy, tmp_path):
    rows = mapping_rows([
        {"source": "Interview drie.docx", "school_id": "S9", "role_group": "external_partner",
         "role_nl": "jongerenwerker", "interviewer": "I2", "mode": "video"},
        {"source": "{" + G[40].upper() + "}", "respondent_id": "S9-B", "school_id": "S9", "role_group": "teacher",
         "role_nl": "leraar", "role_en": "teacher", "interviewer": "I1", "mode": "not_reported"}])
    mapping = write_csv(tmp_path / "people.csv", MAP_HEADER, rows)
    import_qdpx(_two_sources(tmp_path), "R2", data_dir=data_copy, respondents=mapping,
                codes=codes_map(tmp_path, TOPDOWN))
    people = load_corpus(data_copy).respondents.query("round == 'R2'").set_index("respondent_id")
    assert sorted(people.index) == ["Interview-3-jongerenwerker", "S9-B"]
    first = people.loc["Interview-3-jongerenwerker"]
    assert (first["case_name"], first["role_en"], first["mode"]) == (
        "Interview 3 – jongerenwerker", "jongerenwerker", "video")


def test_respondents_csv_row_matching_no_source(data_copy, tmp_path):
    rows = [["{" + G[40].upper() + "}", "", "S9", "teacher", "leraar", "", "I1", "not_reported"],
            ["Interview 3 - jongerenwerker", "", "S9", "teacher", "leraar", "", "I1", "not_reported"]]
    mapping = write_csv(tmp_path / "people.csv", MAP_HEADER, rows)
    err = _refused(_two_sources(tmp_path), data_copy, "is not in the export", respondents=mapping,
                   codes=codes_map(tmp_path, TOPDOWN))
    assert (err.file, err.line, err.column) == (str(mapping), 3, "source")
    assert "'Interview 3 – jongerenwerker'" in err.problem


def test_respondents_csv_with_a_wrong_header_names_that_csv(data_copy, tmp_path):
    mapping = write_csv(tmp_path / "people.csv", ["source", "school", "role_group", "role_nl"], [])
    err = _refused(_two_sources(tmp_path), data_copy, "Missing column.s.: school_id", respondents=mapping,
                   codes=codes_map(tmp_path, TOPDOWN))
    assert err.file == str(mapping) and "segments.csv" not in str(err)


def test_respondents_csv_value_errors_name_that_csv(data_copy, tmp_path):
    rows = mapping_rows([{"source": "Interview drie.docx", "school_id": "S9", "role_group": "pupil",
                          "role_nl": "leerling", "interviewer": "I1", "mode": "not_reported"}])
    mapping = write_csv(tmp_path / "people.csv", MAP_HEADER, rows)
    err = _refused(_two_sources(tmp_path), data_copy, "'pupil' is not a valid role_group", respondents=mapping,
                   codes=codes_map(tmp_path, TOPDOWN))
    assert (err.file, err.line, err.column) == (str(mapping), 2, "role_group")


# --- 5. identifying details -----------------------------------------------------------------------

LEAKY = TEXT.replace("gewoon", "gewoon (zie https://school.example/rooster of mail a.b@school.nl)")


def test_identifying_details_all_at_once(data_copy, tmp_path):
    err = _refused(team(tmp_path, text=LEAKY), data_copy, "2 identifying", codes=codes_map(tmp_path, TOPDOWN),
                   consensus_user="Consensus team")
    url, mail = LEAKY.index("https://"), LEAKY.index("a.b@")
    assert f"source 'interview 1', character {url}: a URL" in err.problem
    assert f"source 'interview 1', character {mail}: an e-mail address" in err.problem
    assert err.file.endswith("team.qdpx") and "--redact" in err.fix


def test_redact_replaces_and_reports_every_hit(data_copy, tmp_path):
    end = LEAKY.index("bedacht") + len("bedacht")
    qde = project(source(selections=selection(G[50], START, end, coding(G[51], G[1]))
                         + selection(G[52], LEAKY.index("Toen"), len(LEAKY), coding(G[53], G[2]))), case(G[4]))
    path = write_zip(tmp_path / "leaky.qdpx", {"project.qde": qde, "sources/a.txt": LEAKY})
    report = import_qdpx(path, "R2", data_dir=data_copy, codes=codes_map(tmp_path, TOPDOWN), redact=True)
    assert "REDACTED: 2 identifying detail(s)" in report
    redactions = data_copy / "redactions-R2.csv"
    assert redactions.read_text(encoding="utf-8") == (
        "source,position,kind,marker\n"
        f"interview 1,{LEAKY.index('https://')},a URL,[url]\n"
        f"interview 1,{LEAKY.index('a.b@')},an e-mail address,[e-mail]\n")
    segments = load_corpus(data_copy).segments.query("round == 'R2'")
    assert segments["text"].iloc[0] == "de directie had het gewoon (zie [url] of mail [e-mail]) bedacht"
    assert segments["text"].iloc[1] == TEXT[LATER:]


# --- 6. codes -------------------------------------------------------------------------------------


def test_map_file_suggests_close_codebook_codes_and_is_accepted_when_filled(data_copy, tmp_path):
    codes = f'<Code guid="{G[1]}" name="Korte lijnen"/><Code guid="{G[2]}" name="Gedoe"/>'
    sel = selection(G[5], 0, 3, coding(G[6], G[1]) + coding(G[7], G[2]))
    path = write_zip(tmp_path / "m.qdpx", {"project.qde": project(source(selections=sel), case(G[4]), codes=codes),
                                           "sources/a.txt": TEXT})
    _refused(path, data_copy, "1 of them with the closest codebook code filled in")
    written = tmp_path / "m-codes.csv"
    assert written.read_text(encoding="utf-8") == "qdpx_code,code_id\nKorte lijnen,positive.short_lines\nGedoe,\n"
    _refused(path, data_copy, "1 code.s. of the export", codes=written)  # Gedoe is still open
    written.write_text("qdpx_code,code_id\nKorte lijnen,positive.short_lines\nGedoe,obstacles.different_ways\n",
                       encoding="utf-8")
    import_qdpx(path, "R2", data_dir=data_copy, codes=written)


def test_keep_new_codes_keeps_a_deep_tree(data_copy, tmp_path):
    codes = (f'<Code guid="{G[0]}" name="Attitűd" isCodable="true">'
             f'<Code guid="{G[1]}" name="sárga" isCodable="true"><Code guid="{G[2]}" name="zöld"/></Code></Code>'
             f'<Code guid="{G[3]}" name="Losse code"/>')
    sel = selection(G[5], 0, 3, coding(G[6], G[0]) + coding(G[7], G[1]) + coding(G[8], G[2]) + coding(G[9], G[3]))
    path = write_zip(tmp_path / "d.qdpx", {"project.qde": project(source(selections=sel), case(G[4]), codes=codes),
                                           "sources/a.txt": TEXT})
    import_qdpx(path, "R2", data_dir=data_copy, keep_new_codes=True)
    book = read_raw(data_copy)["codebook"]
    new = book[book["code_id"].str.startswith("new.")][["code_id", "parent_id", "kind", "label_nl"]]
    assert new.values.tolist() == [
        ["new.Attitud", "", "lens", "Attitűd"],
        ["new.Attitud.Attitud", "new.Attitud", "subtheme", "Attitűd"],  # coded on the lens itself
        ["new.Attitud.sarga", "new.Attitud", "subtheme", "sárga"],
        ["new.Attitud.sarga-zold", "new.Attitud", "subtheme", "sárga / zöld"],
        ["new.Losse-code", "", "tag", "Losse code"],
    ]


def test_mapping_to_a_lens_reads_well(data_copy, tmp_path):
    err = _refused(good(tmp_path), data_copy, "lens", codes=codes_map(tmp_path, {"Topdown": "obstacles"}))
    assert err.problem == ("the code 'Topdown' is mapped to 'obstacles', which is a lens: lenses sum their "
                           "sub-themes and cannot be coded.")


# --- 7. panel rounds ------------------------------------------------------------------------------


def test_returning_and_new_people(data_copy, tmp_path):
    sources = source() + source(guid=G[40], name="interview 2", path="internal://b.txt",
                                selections=selection(G[41], 0, 3, coding(G[42], G[2])))
    cases = case(G[4], name="S1-TEA1") + case(G[40], name="Nieuwe leraar", guid=G[43])
    path = write_zip(tmp_path / "p.qdpx", {"project.qde": project(sources, cases), "sources/a.txt": TEXT,
                                           "sources/b.txt": TEXT})
    report = import_qdpx(path, "R2", data_dir=data_copy, codes=codes_map(tmp_path, TOPDOWN))
    assert "returning people: 1" in report
    corpus = load_corpus(data_copy)
    people = corpus.respondents.query("round == 'R2'").set_index("respondent_id")["person_id"].to_dict()
    assert people == {"S1-TEA1-R2": "S1-TEA1", "Nieuwe-leraar": "Nieuwe-leraar"}
    change = person_change(corpus)
    assert set(change["person_id"]) == {"S1-TEA1"} and list(change.columns[-3:]) == ["R1", "R2", "change"]
    assert change["R1"].sum() == pytest.approx(1) and change["R2"].sum() == pytest.approx(1)
    obstacles = change.set_index("code_id").loc["obstacles"]
    assert obstacles["change"] == pytest.approx(obstacles["R2"] - obstacles["R1"])


# --- 9. paths as a shell user means them ----------------------------------------------------------


def test_cli_paths_are_relative_to_the_current_folder(data_copy, tmp_path, monkeypatch, capsys):
    good(tmp_path)
    codes_map(tmp_path, TOPDOWN)
    monkeypatch.chdir(tmp_path)
    assert main(["import-qdpx", "r2.qdpx", "--round", "R2", "--data", "data", "--codes", "codes.csv"]) == 0
    assert f"into {data_copy}" in capsys.readouterr().out
    assert main(["export-qdpx", "out.qdpx", "--data", "data", "--round", "R2"]) == 0
    assert (tmp_path / "out.qdpx").is_file()


def test_coder_spans_stay_on_their_words_after_redaction(data_copy, tmp_path):
    start, end, later = LEAKY.index("de directie"), LEAKY.index("bedacht") + 7, LEAKY.index("Toen")
    sels = (user_selection(G[50], start, end, G[3], [G[1]], [G[51]])
            + user_selection(G[52], later, len(LEAKY), G[3], [G[2]], [G[53]])
            + user_selection(G[54], start, end, G[13], [G[1]], [G[55]])
            + user_selection(G[58], later, later + 4, G[13], [G[2]], [G[59]]))
    qde = project(source(selections=sels), case(G[4]), users=TEAM_USERS)
    path = write_zip(tmp_path / "leaky-team.qdpx", {"project.qde": qde, "sources/a.txt": LEAKY})
    import_qdpx(path, "R2", data_dir=data_copy, codes=codes_map(tmp_path, TOPDOWN),
                consensus_user="Consensus team", redact=True)
    raw = read_raw(data_copy)
    joined = SEPARATOR.join(raw["segments"].query("round == 'R2'")["text"])
    spans = raw["coder_spans"].query("coder == 'Anna-de-Wit'")
    cut = [joined[int(a):int(b)] for a, b in zip(spans["start"], spans["end"], strict=True)]
    assert cut == ["de directie had het gewoon (zie [url] of mail [e-mail]) bedacht", "Toen"]


def test_person_change_without_returning_people_and_with_a_bad_level(corpus):
    assert person_change(corpus).empty  # the shipped data has one round
    with pytest.raises(ValueError, match="unknown level 'theme'; valid values: lens, subtheme"):
        person_change(corpus, "theme")
