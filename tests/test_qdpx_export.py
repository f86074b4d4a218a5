"""Exporting the corpus as REFI-QDA: valid against Project.xsd, byte-identical twice, and round-tripping."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import xmlschema
from defusedxml.ElementTree import fromstring

from samendoen_analysis.cli import main
from samendoen_analysis.data.schema import load_descriptor
from samendoen_analysis.data.store import read_raw
from samendoen_analysis.paths import DATA_DIR
from samendoen_analysis.qdpx.exporter import export_qdpx, guid, variables
from samendoen_analysis.qdpx.importer import import_qdpx
from samendoen_analysis.qdpx.read import detect_counting, read_qdpx

from .qdpx_helpers import (
    EXAMPLE,
    TEAM_SELECTIONS,
    TEAM_USERS,
    TEXT,
    XSD,
    G,
    case,
    project,
    selection,
    source,
    write_zip,
)

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


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_round_trip_of_the_shipped_corpus_is_byte_identical(data_copy, tmp_path):
    before = _files(data_copy)
    assert main(["export-qdpx", str(tmp_path / "r1.qdpx"), "--data", str(data_copy)]) == 0
    args = ["import-qdpx", str(tmp_path / "r1.qdpx"), "--round", "R1", "--replace", "--data", str(data_copy)]
    assert main(args) == 0
    assert _files(data_copy) == before  # ids, order, origin, source_ref, respondents, independent codings


def test_round_trip_of_an_imported_round_is_byte_identical(data_copy, tmp_path):
    # A round from another program: free-text Case, two researchers and a consensus, uncoded talk,
    # a new code, and a later round after it.
    # A silent interview (no selection) comes first: it stays first.
    sources = (source(guid=G[40], name="stil", path="internal://b.txt", selections="")
               + source(selections=TEAM_SELECTIONS + selection(G[11], 0, 3)))
    qde = project(sources, case(G[40], name="Stille leraar", guid=G[41]) + case(G[4], name="Leraar Ä"),
                  users=TEAM_USERS)
    path = write_zip(tmp_path / "team.qdpx", {"project.qde": qde, "sources/a.txt": TEXT, "sources/b.txt": TEXT})
    import_qdpx(path, "R2", data_dir=data_copy, consensus_user="Consensus team", keep_new_codes=True)
    import_qdpx(EXAMPLE, "R3", data_dir=data_copy)
    raw = read_raw(data_copy)
    assert {"false", "true"} == set(raw["segments"]["coded"]) and len(raw["coder_spans"]) == 5
    assert raw["respondents"].query("round == 'R2'")["respondent_id"].tolist() == ["Stille-leraar", "Leraar-A"]
    before = _files(data_copy)
    export_qdpx(tmp_path / "r2.qdpx", data_dir=data_copy, rounds=["R2"])
    import_qdpx(tmp_path / "r2.qdpx", "R2", data_dir=data_copy, replace=True)
    assert _files(data_copy) == before


def test_recoded_export_keeps_ids_and_takes_the_new_codes(data_copy, tmp_path):
    """A researcher opens the export, adds a code to one segment, and brings it back."""
    out = export_qdpx(tmp_path / "r1.qdpx", data_dir=data_copy)
    with zipfile.ZipFile(out) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    qde = entries["project.qde"].decode("utf-8")
    first = qde.index("<Coding ")
    extra = (f'<Coding guid="{guid("coding", "extra")}" creatingUser="{guid("user", "consensus")}">'
             f'<CodeRef targetGUID="{guid("code", "corona")}" /></Coding>')
    entries["project.qde"] = (qde[:first] + extra + qde[first:]).encode("utf-8")
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    before = read_raw(data_copy)
    import_qdpx(out, "R1", data_dir=data_copy, replace=True)
    after = read_raw(data_copy)
    assert after["segments"].equals(before["segments"])
    assert after["independent_codings"].equals(before["independent_codings"])
    assert len(after["codings"]) == len(before["codings"]) + 1
    first_coded = before["segments"].loc[before["segments"]["coded"] == "true", "segment_id"].iloc[0]
    assert after["codings"].iloc[0].tolist() == [first_coded, "corona"]


def test_a_program_that_drops_descriptions_still_brings_coders_and_codes_back(data_copy, tmp_path):
    out = export_qdpx(tmp_path / "r1.qdpx", data_dir=data_copy)
    with zipfile.ZipFile(out) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    entries["project.qde"] = re.sub(rb"<Description>samendoen-analysis [^<]*</Description>", b"",
                                    entries["project.qde"])
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    before = read_raw(data_copy)
    report = import_qdpx(out, "R1", data_dir=data_copy, replace=True)
    assert "consensus -> consensus (consensus)" in report
    after = read_raw(data_copy)
    assert after["segments"]["text"].tolist() == before["segments"]["text"].tolist()
    assert after["segments"]["segment_id"].iloc[0] == "R1-001-0001"  # new ids, same order
    assert len(after["codings"]) == len(before["codings"])
    pairs = ["coder", "code_id"]
    assert after["independent_codings"][pairs].equals(before["independent_codings"][pairs])
    assert after["respondents"].equals(before["respondents"])
