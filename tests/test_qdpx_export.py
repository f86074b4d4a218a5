"""Exporting the corpus as REFI-QDA: valid against Project.xsd, byte-identical twice, and round-tripping."""

from __future__ import annotations

import io
import zipfile

import pytest
import xmlschema
from defusedxml.ElementTree import fromstring

from samendoen_analysis import load_corpus
from samendoen_analysis.cli import main
from samendoen_analysis.data.schema import load_descriptor
from samendoen_analysis.paths import DATA_DIR
from samendoen_analysis.qdpx.exporter import export_qdpx, guid, variables
from samendoen_analysis.qdpx.importer import import_qdpx
from samendoen_analysis.qdpx.read import detect_counting, read_qdpx

from .qdpx_helpers import EXAMPLE, XSD

NS = "{urn:QDA-XML:project:1.0}"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    return export_qdpx(folder / "a.qdpx"), export_qdpx(folder / "b.qdpx")


def test_export_is_valid_refi_qda(exported):
    xml = zipfile.ZipFile(exported[0]).read("project.qde").decode("utf-8")
    xmlschema.XMLSchema(str(XSD)).validate(io.StringIO(xml))


def test_export_is_byte_identical_twice(exported):
    first, second = exported
    assert first.read_bytes() == second.read_bytes()
    infos = zipfile.ZipFile(first).infolist()
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_export_content(exported, corpus):
    archive = zipfile.ZipFile(exported[0])
    root = fromstring(archive.read("project.qde"))
    assert [u.get("name") for u in root.iter(f"{NS}User")] == ["I1", "I2", "consensus"]
    names = variables(load_descriptor(DATA_DIR / "datapackage.json"))
    assert [v.get("name") for v in root.iter(f"{NS}Variable")] == names
    assert {"respondent_id", "person_id", "case_name", "school_type", "region", "followup"} <= set(names)
    top = root.find(f"{NS}CodeBook/{NS}Codes")
    lenses = [c for c in top if c.get("isCodable") == "false"]
    assert len(lenses) == 5 and all(len(c.findall(f"{NS}Code")) >= 3 for c in lenses)
    assert [c.get("name") for c in top if c.get("isCodable") == "true"] == ["corona"]  # tags at top level
    assert top.find(f"{NS}Code").get("color") == "#0072B2"
    assert "How the speaker pictures good joint teaching" in top.find(f"{NS}Code/{NS}Description").text
    sources = root.findall(f"{NS}Sources/{NS}TextSource")
    assert len(sources) == len(corpus.respondents) == len(root.findall(f"{NS}Cases/{NS}Case"))
    first = sources[0]
    assert first.get("guid") == guid("source", first.get("name"))
    assert first.get("plainTextPath") == f"internal://{first.get('guid')}.txt"
    assert f"sources/{first.get('guid')}.txt" in archive.namelist()
    assert sum(len(s.findall(f"{NS}PlainTextSelection")) for s in sources) == len(corpus.segments)
    assert len(list(root.iter(f"{NS}Coding"))) == len(corpus.codings) + len(corpus.independent_codings)


def test_export_reads_back_with_code_points(exported, corpus):
    project = read_qdpx(exported[0])
    assert detect_counting(project)[0] == "code_points"
    assert len(project.selections) == len(corpus.segments) and len(project.cases) == len(corpus.respondents)


def _content(corpus, round_id):
    codes = corpus.codings.assign(code_id=corpus.codings["code_id"].astype(str)).groupby("segment_id")["code_id"]
    segments = corpus.segments[corpus.segments["round"] == round_id].sort_values(["respondent_id", "position"])
    segments = segments.join(codes.apply(lambda s: tuple(sorted(s))).rename("codes"), on="segment_id")
    people = corpus.respondents[corpus.respondents["round"] == round_id].astype(str).sort_values("respondent_id")
    schools = corpus.schools[corpus.schools["school_id"].isin(people["school_id"])].sort_values("school_id")
    return (list(zip(segments["respondent_id"], segments["text"], segments["codes"], strict=True)),
            people.reset_index(drop=True), schools.reset_index(drop=True))


def test_round_trip_gives_the_same_corpus(exported, data_copy, corpus):
    assert main(["import-qdpx", str(exported[0]), "--round", "R1", "--replace", "--data", str(data_copy)]) == 0
    again = load_corpus(data_copy)
    (segs_a, people_a, schools_a), (segs_b, people_b, schools_b) = _content(corpus, "R1"), _content(again, "R1")
    assert segs_a == segs_b
    assert people_a.equals(people_b)
    assert schools_a.equals(schools_b)


def test_round_trip_of_the_worked_example(data_copy, tmp_path):
    import_qdpx(EXAMPLE, "R2", data_dir=data_copy)
    out = export_qdpx(tmp_path / "r2.qdpx", data_dir=data_copy, rounds=["R2"])
    assert len(read_qdpx(out).cases) == 6
    before = load_corpus(data_copy)
    import_qdpx(out, "R2", data_dir=data_copy, replace=True)
    after = load_corpus(data_copy)
    assert _content(before, "R2")[0] == _content(after, "R2")[0]
    assert _content(before, "R2")[1].equals(_content(after, "R2")[1])
