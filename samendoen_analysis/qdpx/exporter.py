"""Writing the corpus as a REFI-QDA project, so any QDA program can open, recode and return it.

What REFI-QDA has no field for travels in the fields it has, and the importer recognises it:

- a segment is a ``PlainTextSelection`` named by its ``segment_id``; its ``Description`` holds
  ``samendoen-analysis {json}`` with every column of its row but the text (``segment_id``,
  ``position``, ``origin``, ``source_ref``, ``coded``, ...);
- each interview is a ``TextSource`` (its segments joined by a blank line) with a ``Case``
  named by ``case_name`` (else ``respondent_id``) whose Variables are every column of its
  ``respondents.csv`` row and of its school's ``schools.csv`` row;
- coders are ``User``\\ s: the consensus codings (``codings.csv``) are made by the consensus
  User of ``coders.csv``, each independent coding by its coder's User, on the segment's
  selection; each ``coder_spans.csv`` row is a selection of its own by the coder's User, its
  Description holding its row number;
- codes are named by ``code_id`` and nested as in ``codebook.csv``.

The export is deterministic (GUIDs derived from ids, fixed zip timestamps): exporting the same
data twice gives the same bytes, and importing the export with ``--replace`` gives the same
files back, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from samendoen_analysis.data.corpus import load_corpus
from samendoen_analysis.data.schema import field_names, load_descriptor, resource
from samendoen_analysis.data.store import read_raw
from samendoen_analysis.paths import resolve_data_dir
from samendoen_analysis.qdpx.importer import MARK, SEPARATOR

NAMESPACE = "urn:QDA-XML:project:1.0"
_GUID_SPACE = uuid.UUID("6f1c8d2e-2b4a-4f0e-9a57-5d0c3e8b7a11")
_GUID_BYTES = _GUID_SPACE.bytes
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CONSENSUS = "consensus"


def guid(kind: str, key: str) -> str:
    """A stable GUID for an object of a kind ("code", "case", ...) and its id: a name-based UUID (version 5).

    The same value as ``str(uuid.uuid5(space, f"{kind}:{key}"))``, without building a UUID object
    for each of the hundred thousand codings of a large export.

    Examples
    --------
    >>> guid("code", "corona") == str(uuid.uuid5(_GUID_SPACE, "code:corona"))
    True
    """
    digest = bytearray(hashlib.sha1(_GUID_BYTES + f"{kind}:{key}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def variables(descriptor: dict) -> list[str]:
    """Names of the Case Variables: every respondent column, then the school's columns."""
    schools = [c for c in field_names(resource(descriptor, "schools")) if c != "school_id"]
    return list(dict.fromkeys(field_names(resource(descriptor, "respondents")) + schools))


def _el(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{NAMESPACE}}}{tag}", {k: v for k, v in attrs.items() if v is not None})


def _codebook(root: ET.Element, codebook: pd.DataFrame) -> None:
    codes = _el(_el(root, "CodeBook"), "Codes")
    elements: dict[str, ET.Element] = {}
    for row in codebook.itertuples():
        parent = elements.get(row.parent_id, codes)
        el = _el(parent, "Code", guid=guid("code", row.code_id), name=row.code_id,
                 isCodable="false" if row.kind == "lens" else "true", color=row.colour)
        _el(el, "Description").text = f"{row.label_en}: {row.definition_en}"
        elements[row.code_id] = el


def _cases(root: ET.Element, tables: dict[str, pd.DataFrame], names: list[str]) -> None:
    # The school's columns travel with each case, so an import recreates schools.csv rows.
    people = tables["respondents"].join(
        tables["schools"].set_index("school_id").drop(columns=[c for c in tables["respondents"].columns
                                                               if c != "school_id"], errors="ignore"),
        on="school_id")
    variables_el = _el(root, "Variables")
    for name in names:
        _el(variables_el, "Variable", guid=guid("variable", name), name=name, typeOfVariable="Text")
    cases = _el(root, "Cases")
    for row in people.to_dict("records"):
        case = _el(cases, "Case", guid=guid("case", row["respondent_id"]),
                   name=row.get("case_name") or row["respondent_id"])
        for name in names:
            value = _el(case, "VariableValue")
            _el(value, "VariableRef", targetGUID=guid("variable", name))
            _el(value, "TextValue").text = str(row.get(name, "") if pd.notna(row.get(name)) else "")
        _el(case, "SourceRef", targetGUID=guid("source", row["respondent_id"]))


def _by(frame: pd.DataFrame, key: str) -> dict[str, list[dict]]:
    """Rows of a table grouped by one column, each group in file order."""
    out: dict[str, list[dict]] = {}
    for row in frame.to_dict("records"):
        out.setdefault(row[key], []).append(row)
    return out


def _sources(root: ET.Element, tables: dict[str, pd.DataFrame], consensus: str) -> dict[str, str]:
    sources, texts = _el(root, "Sources"), {}
    codings = _by(tables["codings"], "segment_id")
    independent = _by(tables["independent_codings"], "segment_id")
    segments = _by(tables["segments"], "respondent_id")
    spans = _by(tables["coder_spans"].assign(_row=range(len(tables["coder_spans"]))), "respondent_id")
    for person in tables["respondents"].to_dict("records"):
        rows = sorted(segments.get(person["respondent_id"], []), key=lambda r: int(r["position"]))
        source_guid = guid("source", person["respondent_id"])
        source = _el(sources, "TextSource", guid=source_guid, name=person["respondent_id"],
                     plainTextPath=f"internal://{source_guid}.txt", creatingUser=guid("user", person["interviewer"]))
        offset = 0
        for row in rows:
            start, end = offset, offset + len(row["text"])
            offset = end + len(SEPARATOR)
            sel = _el(source, "PlainTextSelection", guid=guid("selection", row["segment_id"]), name=row["segment_id"],
                      startPosition=str(start), endPosition=str(end), creatingUser=guid("user", consensus))
            carried = {k: v for k, v in row.items() if k != "text"}
            _el(sel, "Description").text = MARK + json.dumps({"segment": carried}, ensure_ascii=False)
            made = [(consensus, c["code_id"]) for c in codings.get(row["segment_id"], [])]
            made += [(c["coder"], c["code_id"]) for c in independent.get(row["segment_id"], [])]
            for user, code in made:
                coding = _el(sel, "Coding", guid=guid("coding", f"{row['segment_id']}:{user}:{code}"),
                             creatingUser=guid("user", user))
                _el(coding, "CodeRef", targetGUID=guid("code", code))
        for span in spans.get(person["respondent_id"], []):
            key = f"{span['_row']}"
            sel = _el(source, "PlainTextSelection", guid=guid("span", f"{person['respondent_id']}:{key}"),
                      name=f"{span['coder']}: {span['code_id']}", startPosition=span["start"],
                      endPosition=span["end"], creatingUser=guid("user", span["coder"]))
            _el(sel, "Description").text = MARK + json.dumps({"coder_span": span["_row"]})
            coding = _el(sel, "Coding", guid=guid("coding", f"span:{key}"), creatingUser=guid("user", span["coder"]))
            _el(coding, "CodeRef", targetGUID=guid("code", span["code_id"]))
        texts[f"sources/{source_guid}.txt"] = SEPARATOR.join(r["text"] for r in rows)
    return texts


def _subset(raw: dict[str, pd.DataFrame], rounds: list[str] | None) -> dict[str, pd.DataFrame]:
    if not rounds:
        return raw
    people = raw["respondents"][raw["respondents"]["round"].isin(rounds)]
    segments = raw["segments"][raw["segments"]["respondent_id"].isin(people["respondent_id"])]
    return {
        **raw,
        "respondents": people,
        "segments": segments,
        "codings": raw["codings"][raw["codings"]["segment_id"].isin(segments["segment_id"])],
        "independent_codings": raw["independent_codings"][
            raw["independent_codings"]["segment_id"].isin(segments["segment_id"])],
        "coder_spans": raw["coder_spans"][raw["coder_spans"]["respondent_id"].isin(people["respondent_id"])],
    }


def project_xml(tables: dict[str, pd.DataFrame], names: list[str]) -> tuple[bytes, dict[str, str]]:
    """Build the project XML and the source texts of a data folder's tables.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        The tables as stored (strings), possibly restricted to some rounds.
    names : list of str
        Case Variables (see :func:`variables`).

    Returns
    -------
    tuple of (bytes, dict of str to str)
        The ``project.qde`` content and the text files by archive path.
    """
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}Project", {"name": "samendoen-analysis", "origin": "samendoen-analysis"})
    coders = tables["coders"]
    consensus = next(iter(coders.loc[coders["kind"] == "consensus", "coder_id"]), CONSENSUS)
    users = _el(root, "Users")
    people = sorted({*coders["coder_id"], consensus, *tables["respondents"]["interviewer"]})
    for name in people:
        _el(users, "User", guid=guid("user", name), name=name)
    _codebook(root, tables["codebook"])
    _cases(root, tables, names)
    texts = _sources(root, tables, consensus)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True), texts


def export_qdpx(out: str | Path, data_dir: str | Path | None = None, rounds: list[str] | None = None) -> Path:
    """Write a data folder as a REFI-QDA project file (``.qdpx``).

    Parameters
    ----------
    out : str or Path
        File to write.
    data_dir : str or Path, optional
        Data folder; default the shipped ``data/``. It is validated first.
    rounds : list of str, optional
        Rounds to export; default all.

    Returns
    -------
    Path
        The file written.
    """
    folder = resolve_data_dir(data_dir)
    load_corpus(folder)  # only a valid folder is exported
    raw = _subset(read_raw(folder), rounds)
    xml, texts = project_xml(raw, variables(load_descriptor(folder / "datapackage.json")))
    out = Path(out)
    temp = out.with_name(f".{out.name}.tmp")
    with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in [("project.qde", xml), *sorted((n, t.encode("utf-8")) for n, t in texts.items())]:
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), content, compress_type=zipfile.ZIP_DEFLATED)
    temp.replace(out)
    return out


__all__ = ["NAMESPACE", "export_qdpx", "guid", "project_xml", "variables"]
