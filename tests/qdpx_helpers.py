"""Builders for small REFI-QDA projects, real fixture paths and folder hashing, shared by the QDPX tests."""

from __future__ import annotations

import csv
import hashlib
import zipfile
from pathlib import Path

from samendoen_analysis.qdpx.cases import MAP_REQUIRED
from samendoen_analysis.vocabulary import columns

FIXTURES = Path(__file__).parent / "fixtures"
NVIVO = FIXTURES / "qdpx" / "nvivo12-windows-comments.qdpx"
ATLAS = FIXTURES / "qdpx" / "atlasti84-refi-test-project.qdpx"
XSD = FIXTURES / "refi-qda" / "Project.xsd"
EXAMPLE = Path(__file__).parent.parent / "examples" / "round2" / "R2-ronde-twee.qdpx"

NS = 'xmlns="urn:QDA-XML:project:1.0"'
G = [f"{i:08x}-0000-4000-8000-{i:012x}" for i in range(100)]
TEXT = "Nou, de directie had het gewoon bedacht. Toen kwam corona en mocht niemand meer naar binnen."
START, END = TEXT.index("de directie"), TEXT.index("bedacht") + len("bedacht")
LATER = TEXT.index("Toen")
# A --respondents mapping file: a source, then respondent columns; the importer fills round and case_name itself.
MAP_HEADER = ["source", *(c for c in columns("respondents") if c not in ("round", "person_id", "case_name"))]
# The Variables a Case carries in these projects: the respondent columns a mapping file must give.
CASE_VARIABLES = MAP_REQUIRED[1:]


def hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in a folder, by name."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def write_zip(path: Path, entries: dict[str, bytes | str]) -> Path:
    """A zip with the given entries, written as given (no name checks)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return path


def coding(guid: str, target: str, user: str | None = None) -> str:
    """A Coding element pointing at a code (or case) GUID."""
    who = f' creatingUser="{user}"' if user else ""
    return f'<Coding guid="{guid}"{who}><CodeRef targetGUID="{target}"/></Coding>'


def selection(guid: str, start: int, end: int, codings: str = "") -> str:
    """A PlainTextSelection element."""
    attrs = f'guid="{guid}" startPosition="{start}" endPosition="{end}"'
    return f"<PlainTextSelection {attrs}>{codings}</PlainTextSelection>"


DEFAULT_SELECTIONS = (
    selection(G[5], START, END, coding(G[6], G[1]))
    + selection(G[7], LATER, len(TEXT), coding(G[8], "{" + G[2].upper() + "}") + coding(G[9], G[1]))
    + selection(G[11], 0, 3)  # a memo-like selection without coding
)


def source(path: str | None = "internal://a.txt", selections: str = DEFAULT_SELECTIONS, inline: str | None = None,
           guid: str = G[4], name: str | None = "interview 1", rich: str | None = None) -> str:
    """A TextSource with a plainTextPath, or inline text; ``name=None`` leaves the name out, as some exports do."""
    content = f"<PlainTextContent>{inline}</PlainTextContent>" if inline is not None else ""
    attr = f' plainTextPath="{path}"' if path else ""
    attr += f' richTextPath="{rich}"' if rich else ""
    attr += f' name="{name}"' if name is not None else ""
    return f'<TextSource guid="{guid}"{attr}>{content}{selections}</TextSource>'


def case(source_guid: str | None, name: str = "S6-TEA1", guid: str = G[10],
         values: tuple[str, ...] = ("S6", "teacher", "leraar")) -> str:
    """A Case with a value for each of :data:`CASE_VARIABLES` (school_id, role_group, role_nl) and a SourceRef."""
    cells = "".join(
        f'<VariableValue><VariableRef targetGUID="{G[20 + i]}"/><TextValue>{v}</TextValue></VariableValue>'
        for i, v in enumerate(values)
    )
    ref = f'<SourceRef targetGUID="{source_guid}"/>' if source_guid else ""
    return f'<Case guid="{guid}" name="{name}">{cells}{ref}</Case>'


def project(sources: str, cases: str = "", codes: str = "", users: str = "", origin: str = "") -> str:
    """A project.qde with a lens 'Hobbels' holding 'Topdown', and a top-level 'corona'."""
    codes = codes or (
        f'<Code guid="{G[0]}" name="Hobbels" isCodable="false">'
        f'<Code guid="{G[1]}" name="Topdown" isCodable="true" color="#123456"/></Code>'
        f'<Code guid="{G[2]}" name="corona" isCodable="true"/>'
    )
    users = users or f'<User guid="{G[3]}" name="I1"/>'
    variables = "".join(
        f'<Variable guid="{G[20 + i]}" name="{n}" typeOfVariable="Text"/>'
        for i, n in enumerate(CASE_VARIABLES)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Project {NS} name="t" origin="{origin}"><Users>{users}</Users>'
        f"<CodeBook><Codes>{codes}</Codes></CodeBook><Variables>{variables}</Variables>"
        f"<Cases>{cases}</Cases><Sources>{sources}</Sources></Project>"
    )


def good(folder: Path, name: str = "r2.qdpx") -> Path:
    """A small valid project: one interview with a case, two coded selections and a memo."""
    return write_zip(folder / name, {"project.qde": project(source(), case(G[4])), "sources/a.txt": TEXT})


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """A UTF-8 CSV file."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def user_selection(guid: str, start: int, end: int, user: str, codes: list[str], coding_guids: list[str]) -> str:
    """A selection made by one User, with that User's codings (as NVivo and ATLAS.ti write them)."""
    body = "".join(coding(c, code, user) for c, code in zip(coding_guids, codes, strict=True))
    return (f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}" '
            f'creatingUser="{user}">{body}</PlainTextSelection>')


# Two researchers and their consensus, as a team codes in NVivo or ATLAS.ti: one selection per
# User and code. Anna and Bram coded the first passage (the same span as the consensus), Anna also
# coded the word "Toen" of the second, which no consensus selection has exactly.
USERS = {"consensus": G[3], "anna": G[13], "bram": G[14]}
TEAM_USERS = (f'<User guid="{G[3]}" name="Consensus team"/><User guid="{G[13]}" name="Anna de Wit"/>'
              f'<User guid="{G[14]}" name="Bram Ölçer"/>')
TEAM_SELECTIONS = (
    user_selection(G[50], START, END, G[3], [G[1]], [G[51]])
    + user_selection(G[52], LATER, len(TEXT), G[3], [G[2]], [G[53]])
    + user_selection(G[54], START, END, G[13], [G[1]], [G[55]])
    + user_selection(G[56], START, END, G[14], [G[2]], [G[57]])
    + user_selection(G[58], LATER, LATER + 4, G[13], [G[2]], [G[59]])
)


def team(folder: Path, text: str = TEXT, name: str = "team.qdpx", case_name: str = "Leraar A",
         origin: str = "NVivo for Windows 14.24") -> Path:
    """A project coded by two researchers and a consensus User, with a free-text Case name."""
    qde = project(source(selections=TEAM_SELECTIONS), case(G[4], name=case_name), users=TEAM_USERS, origin=origin)
    return write_zip(folder / name, {"project.qde": qde, "sources/a.txt": text})


def codes_map(folder: Path, mapping: dict[str, str]) -> Path:
    """A --codes mapping file."""
    return write_csv(folder / "codes.csv", ["qdpx_code", "code_id"], [list(kv) for kv in mapping.items()])


def mapping_rows(people: list[dict[str, str]]) -> list[list[str]]:
    """Rows of a --respondents mapping file in :data:`MAP_HEADER` order; a column not given is empty."""
    unknown = {c for p in people for c in p} - set(MAP_HEADER)
    assert not unknown, f"not a column of a mapping file: {sorted(unknown)}"
    return [[p.get(c, "") for c in MAP_HEADER] for p in people]


def respondents_map(folder: Path, sources: list[str], school: str = "S9") -> Path:
    """A --respondents mapping file giving every named source its own teacher."""
    people = [{"source": s, "respondent_id": f"{school}-R{i}", "school_id": school, "role_group": "teacher",
               "role_nl": "leraar", "role_en": "teacher", "interviewer": "I1", "mode": "not_reported"}
              for i, s in enumerate(sources, start=1)]
    return write_csv(folder / "respondents.csv", MAP_HEADER, mapping_rows(people))
