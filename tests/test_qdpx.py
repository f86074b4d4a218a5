"""REFI-QDA import and export: real exports, hostile and broken files, round trip."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
import xmlschema

from samendoen_analysis import DataError, load_corpus
from samendoen_analysis.cli import main
from samendoen_analysis.qdpx_export import export_qdpx
from samendoen_analysis.qdpx_import import import_qdpx
from samendoen_analysis.qdpx_read import cut, detect_counting, read_qdpx

FIXTURES = Path(__file__).parent / "fixtures"
NVIVO = FIXTURES / "qdpx" / "nvivo12-windows-comments.qdpx"
ATLAS = FIXTURES / "qdpx" / "atlasti84-refi-test-project.qdpx"
NS = 'xmlns="urn:QDA-XML:project:1.0"'
G = [f"{i:08x}-0000-4000-8000-{i:012x}" for i in range(1, 40)]


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _zip(path: Path, entries: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return path


def _project(source: str, cases: str = "", codes: str = "") -> str:
    codes = codes or (
        f'<Code guid="{G[0]}" name="Hobbels" isCodable="false">'
        f'<Code guid="{G[1]}" name="Topdown" isCodable="true"/></Code>'
        f'<Code guid="{G[2]}" name="corona" isCodable="true"/>'
    )
    variables = "".join(
        f'<Variable guid="{G[20 + i]}" name="{n}" typeOfVariable="Text"/>'
        for i, n in enumerate(["school_id", "role_group", "role_nl"])
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Project {NS} name="t"><Users><User guid="{G[3]}" name="I1"/>'
        f"</Users><CodeBook><Codes>{codes}</Codes></CodeBook><Variables>{variables}</Variables>"
        f"<Cases>{cases}</Cases><Sources>{source}</Sources></Project>"
    )


def _case(source_guid: str, name: str = "N2-TEA1") -> str:
    values = "".join(
        f'<VariableValue><VariableRef targetGUID="{G[20 + i]}"/><TextValue>{v}</TextValue></VariableValue>'
        for i, v in enumerate(["S6", "teacher", "leraar"])
    )
    return f'<Case guid="{G[10]}" name="{name}">{values}<SourceRef targetGUID="{source_guid}"/></Case>'


TEXT = "Nou, de directie had het gewoon bedacht. Toen kwam corona en mocht niemand meer naar binnen."


def _source(path: str = "internal://a.txt", selections: str = "", inline: bool = False, guid: str = G[4]) -> str:
    start, end = TEXT.index("de directie"), TEXT.index("bedacht") + len("bedacht")
    selections = selections or (
        f'<PlainTextSelection guid="{G[5]}" startPosition="{start}" endPosition="{end}">'
        f'<Coding guid="{G[6]}"><CodeRef targetGUID="{G[1]}"/></Coding></PlainTextSelection>'
        f'<PlainTextSelection guid="{G[7]}" startPosition="{TEXT.index("Toen")}" endPosition="{len(TEXT)}">'
        f'<Coding guid="{G[8]}"><CodeRef targetGUID="{{{G[2].upper()}}}"/></Coding>'
        f'<Coding guid="{G[9]}"><CodeRef targetGUID="{G[1]}"/></Coding></PlainTextSelection>'
        f'<PlainTextSelection guid="{G[11]}" startPosition="0" endPosition="3"/>'
    )
    content = f"<PlainTextContent>{TEXT}</PlainTextContent>" if inline else ""
    attr = "" if inline else f' plainTextPath="{path}"'
    return f'<TextSource guid="{guid}" name="interview 1"{attr}>{content}{selections}</TextSource>'


def _good(tmp_path: Path, **kwargs) -> Path:
    source = _source(**kwargs)
    files = {} if kwargs.get("inline") else {"sources/a.txt": TEXT}
    return _zip(tmp_path / "r2.qdpx", {"project.qde": _project(source, _case(G[4])), **files})


def test_synthetic_round_imports(data_copy, tmp_path):
    report = import_qdpx(
        _good(tmp_path), "R2", data_dir=data_copy, codes=_codes_map(tmp_path, {"Topdown": "obstacles.top_down"})
    )
    assert "uncoded selections (memos) skipped: 1" in report
    corpus = load_corpus(data_copy)
    new = corpus.segments[corpus.segments["round"] == "R2"]
    assert new["text"].tolist() == ["de directie had het gewoon bedacht", TEXT[TEXT.index("Toen") :]]
    codes = corpus.codings[corpus.codings["segment_id"].isin(new["segment_id"])]["code_id"].astype(str)
    assert sorted(codes) == ["corona", "obstacles.top_down", "obstacles.top_down"]
    person = corpus.respondents.set_index("respondent_id").loc["N2-TEA1"]
    assert (person["school_id"], person["role_group"], person["round"]) == ("S6", "teacher", "R2")
    assert "S6" in set(corpus.schools["school_id"])
    assert set(corpus.rounds) == {"R1", "R2"}


def _codes_map(tmp_path: Path, mapping: dict[str, str]) -> Path:
    path = tmp_path / "codes.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["qdpx_code", "code_id"])
        writer.writerows(mapping.items())
    return path


@pytest.mark.parametrize(
    "variant",
    [
        {"path": "relative://a.txt"},
        {"path": "a.txt"},
        {"inline": True},
    ],
)
def test_source_variants(data_copy, tmp_path, variant):
    path = _good(tmp_path, **variant)
    import_qdpx(path, "R2", data_dir=data_copy, codes=_codes_map(tmp_path, {"Topdown": "obstacles.top_down"}))
    assert "R2" in load_corpus(data_copy).rounds


def test_capitalised_names(data_copy, tmp_path):
    path = _zip(tmp_path / "r2.qdpx", {"Project.qde": _project(_source(), _case(G[4])), "Sources/a.txt": TEXT})
    import_qdpx(path, "R2", data_dir=data_copy, codes=_codes_map(tmp_path, {"Topdown": "obstacles.top_down"}))


def _refused(path: Path, data_dir: Path, match: str, **kwargs) -> DataError:
    before = _hashes(data_dir)
    with pytest.raises(DataError, match=match) as info:
        import_qdpx(path, "R2", data_dir=data_dir, **kwargs)
    assert _hashes(data_dir) == before, "the data folder changed"
    assert str(path) in str(info.value) or "data" in str(info.value)
    return info.value


def test_unmapped_codes_are_listed_together(data_copy, tmp_path):
    err = _refused(_good(tmp_path), data_copy, "1 code")
    assert "Topdown" in str(err) and "--codes" in err.fix


def test_keep_new_codes(data_copy, tmp_path):
    import_qdpx(_good(tmp_path), "R2", data_dir=data_copy, keep_new_codes=True)
    book = load_corpus(data_copy).codebook
    assert "Topdown" in set(book["label_nl"])


def test_existing_round_is_refused_unless_replace(data_copy, tmp_path):
    opts = {"codes": _codes_map(tmp_path, {"Topdown": "obstacles.top_down"})}
    import_qdpx(_good(tmp_path), "R2", data_dir=data_copy, **opts)
    _refused(_good(tmp_path), data_copy, "already exists", **opts)
    import_qdpx(_good(tmp_path), "R2", data_dir=data_copy, replace=True, **opts)
    corpus = load_corpus(data_copy)
    assert (corpus.segments["round"] == "R2").sum() == 2
    assert (corpus.segments["round"] == "R1").sum() == (load_corpus().segments["round"] == "R1").sum()


def test_sources_without_attributes_are_listed(data_copy, tmp_path):
    path = _zip(tmp_path / "r2.qdpx", {"project.qde": _project(_source()), "sources/a.txt": TEXT})
    _refused(path, data_copy, "no respondent attributes for source\\(s\\): interview 1")


def test_case_linked_by_coding(data_copy, tmp_path):
    selections = (
        f'<PlainTextSelection guid="{G[5]}" startPosition="5" endPosition="39">'
        f'<Coding guid="{G[6]}"><CodeRef targetGUID="{G[1]}"/></Coding>'
        f'<Coding guid="{G[12]}"><CodeRef targetGUID="{G[10]}"/></Coding></PlainTextSelection>'
    )
    case = _case(G[30])  # the case's SourceRef points elsewhere; the coding links it
    path = _zip(
        tmp_path / "r2.qdpx", {"project.qde": _project(_source(selections=selections), case), "sources/a.txt": TEXT}
    )
    import_qdpx(path, "R2", data_dir=data_copy, codes=_codes_map(tmp_path, {"Topdown": "obstacles.top_down"}))
    assert "N2-TEA1" in set(load_corpus(data_copy).respondents["respondent_id"])


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"), "not a readable QDPX"),
        (
            lambda p: (
                p.write_bytes(_good(p.parent / "x").read_bytes()[:300]) if (p.parent / "x").mkdir() is None else None
            ),
            "not a readable QDPX|cannot be read",
        ),
        (lambda p: _zip(p, {"project.qde": _project(_source()), "../../evil.txt": "x"}), "outside the archive"),
        (lambda p: _zip(p, {"project.qde": _project(_source()), "/etc/evil": "x"}), "outside the archive"),
        (lambda p: _zip(p, {"notes.txt": "x"}), "no project file"),
        (lambda p: _zip(p, {"project.qde": "<Project><Unclosed></Project>"}), "not well-formed"),
        (
            lambda p: _zip(
                p,
                {
                    "project.qde": '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa">'
                    '<!ENTITY b "&a;&a;&a;&a;">]><Project name="&b;"/>'
                },
            ),
            "DTD or entities",
        ),
        (
            lambda p: _zip(
                p,
                {
                    "project.qde": '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    '<Project name="&x;"/>'
                },
            ),
            "DTD or entities",
        ),
        (lambda p: _zip(p, {"project.qde": _project(_source(), _case(G[4]))}), "is not in the archive"),
        (
            lambda p: _zip(
                p,
                {
                    "project.qde": _project(
                        _source(
                            selections=f'<PlainTextSelection guid="{G[5]}" '
                            f'startPosition="10" endPosition="5000"><Coding guid="{G[6]}">'
                            f'<CodeRef targetGUID="{G[2]}"/>'
                            "</Coding></PlainTextSelection>"
                        ),
                        _case(G[4]),
                    ),
                    "sources/a.txt": TEXT,
                },
            ),
            "outside the text",
        ),
    ],
)
def test_hostile_and_broken_files(data_copy, tmp_path, make, match):
    path = tmp_path / "bad.qdpx"
    make(path)
    _refused(path, data_copy, match)


def test_zip_bomb_is_refused_before_unpacking(data_copy, tmp_path, monkeypatch):
    from samendoen_analysis import qdpx_read

    monkeypatch.setattr(qdpx_read, "MAX_ENTRY_BYTES", 1024)
    path = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", _project(_source(), _case(G[4])))
        archive.writestr("sources/a.txt", "0" * 10_000_000)
    assert path.stat().st_size < 100_000
    _refused(path, data_copy, "over the cap")


def test_nvivo_positions_are_utf16_units():
    project = read_qdpx(NVIVO)
    assert (len(project.codes), len(project.sources), len(project.selections)) == (152, 2, 303)
    assert sum(len(s.codings) for s in project.selections) == 303
    counting, by_points, by_units = detect_counting(project)
    assert counting == "utf16_units" and by_units > 0.95 > 0.5 > by_points
    first = project.selections[100]
    text = cut(project.texts[first.source], first.start, first.end, counting)
    assert text.startswith("Agyatlan Zombik ..") and text.endswith("Lopott ország. .. stb")
    assert cut(project.texts[first.source], first.start, first.end, "code_points").startswith("kba ")


def _mapping(tmp_path: Path, project_file: Path, names: bool = False) -> Path:
    path = tmp_path / "respondents.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["source", "respondent_id", "school_id", "role_group", "role_nl", "role_en", "interviewer", "mode"]
        )
        for i, name in enumerate(sorted(read_qdpx(project_file, names).sources.values())):
            writer.writerow([name, f"X-{i}", "S9", "teacher", "leraar", "teacher", "I1", "not_reported"])
    return path


def test_nvivo_import_stops_at_the_anonymisation_guard(data_copy, tmp_path):
    # Real YouTube comments contain links: the importer reads every selection, then refuses to
    # write identifying details into the corpus, naming the line.
    err = _refused(NVIVO, data_copy, "URL", respondents=_mapping(tmp_path, NVIVO), keep_new_codes=True)
    assert err.column == "text" and err.line is not None


def test_atlas_project_without_source_files(data_copy, tmp_path):
    _refused(ATLAS, data_copy, "is not in the archive", respondents=_mapping(tmp_path, ATLAS, True))
    project = read_qdpx(ATLAS, names_for_missing=True)
    assert (len(project.codes), len(project.sources), project.skipped_sources) == (14, 6, 6)
    report = import_qdpx(
        ATLAS,
        "R2",
        data_dir=data_copy,
        respondents=_mapping(tmp_path, ATLAS, True),
        keep_new_codes=True,
        text_from_selection_names=True,
    )
    assert "segments: 5, codings: 7" in report
    texts = load_corpus(data_copy).segments.query("round == 'R2'")["text"]
    assert "Oh, that was great. See you tomorrow? Eleven thirty. Mm." in set(texts)


def test_export_validates_is_deterministic_and_round_trips(data_copy, tmp_path):
    first, second = export_qdpx(tmp_path / "a.qdpx"), export_qdpx(tmp_path / "b.qdpx")
    assert first.read_bytes() == second.read_bytes()
    schema = xmlschema.XMLSchema(str(FIXTURES / "refi-qda" / "Project.xsd"))
    schema.validate(io.StringIO(zipfile.ZipFile(first).read("project.qde").decode("utf-8")))
    before = load_corpus(data_copy)
    assert main(["import-qdpx", str(first), "--round", "R1", "--replace", "--data", str(data_copy)]) == 0
    after = load_corpus(data_copy)

    def content(corpus):
        codes = corpus.codings.assign(code_id=corpus.codings["code_id"].astype(str)).groupby("segment_id")["code_id"]
        seg = corpus.segments.join(codes.apply(lambda s: tuple(sorted(s))).rename("codes"), on="segment_id")
        people = corpus.respondents.drop(columns="role_group").astype(str).sort_values("respondent_id")
        return sorted(
            zip(seg["respondent_id"], seg["position"], seg["text"], seg["codes"], strict=True)
        ), people.reset_index(drop=True)

    (segs_before, people_before), (segs_after, people_after) = content(before), content(after)
    assert segs_before == segs_after
    assert people_before.equals(people_after)
