"""Writing the corpus as a REFI-QDA project, so any QDA program can open and extend it.

The export is deterministic (GUIDs derived from ids, fixed zip timestamps): exporting the same
data twice gives the same bytes, and importing the export gives the same corpus back.
"""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from samendoen_analysis.data.corpus import Corpus, load_corpus

NAMESPACE = "urn:QDA-XML:project:1.0"
VARIABLES = ("school_id", "role_group", "role_nl", "role_en", "interviewer", "mode", "round", "school_type", "region")
_GUID_SPACE = uuid.UUID("6f1c8d2e-2b4a-4f0e-9a57-5d0c3e8b7a11")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SEPARATOR = "\n\n"


def guid(kind: str, key: str) -> str:
    """A stable GUID for an object of a kind ("code", "case", ...) and its id."""
    return str(uuid.uuid5(_GUID_SPACE, f"{kind}:{key}"))


def _el(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{NAMESPACE}}}{tag}", {k: v for k, v in attrs.items() if v is not None})


def _codebook(root: ET.Element, codebook: pd.DataFrame) -> None:
    codes = _el(_el(root, "CodeBook"), "Codes")
    elements: dict[str, ET.Element] = {}
    for row in codebook.itertuples():
        parent = elements.get(row.parent_id, codes)
        el = _el(
            parent,
            "Code",
            guid=guid("code", row.code_id),
            name=row.code_id,
            isCodable="false" if row.kind == "lens" else "true",
            color=row.colour,
        )
        _el(el, "Description").text = f"{row.label_en}: {row.definition_en}"
        elements[row.code_id] = el


def _cases(root: ET.Element, respondents: pd.DataFrame, schools: pd.DataFrame) -> None:
    # The school's type and region travel with each case, so an import recreates schools.csv rows.
    respondents = respondents.join(schools.set_index("school_id")[["school_type", "region"]], on="school_id")
    variables = _el(root, "Variables")
    for name in VARIABLES:
        _el(variables, "Variable", guid=guid("variable", name), name=name, typeOfVariable="Text")
    cases = _el(root, "Cases")
    for row in respondents.itertuples():
        case = _el(cases, "Case", guid=guid("case", row.respondent_id), name=row.respondent_id)
        for name in VARIABLES:
            value = _el(case, "VariableValue")
            _el(value, "VariableRef", targetGUID=guid("variable", name))
            _el(value, "TextValue").text = str(getattr(row, name))
        _el(case, "SourceRef", targetGUID=guid("source", row.respondent_id))


def _interview(segments: pd.DataFrame) -> tuple[str, list[tuple[str, int, int]]]:
    """The text of one interview and each segment's code-point span in it."""
    parts, spans, offset = [], [], 0
    for row in segments.sort_values("position").itertuples():
        parts.append(row.text)
        spans.append((row.segment_id, offset, offset + len(row.text)))
        offset += len(row.text) + len(SEPARATOR)
    return SEPARATOR.join(parts), spans


def _sources(root: ET.Element, corpus: Corpus) -> dict[str, str]:
    sources, texts = _el(root, "Sources"), {}
    codes = corpus.codings.groupby("segment_id", observed=True)["code_id"].apply(lambda s: sorted(map(str, s)))
    for person in corpus.respondents.itertuples():
        text, spans = _interview(corpus.segments[corpus.segments["respondent_id"] == person.respondent_id])
        source_guid = guid("source", person.respondent_id)
        user = guid("user", person.interviewer)
        source = _el(
            sources,
            "TextSource",
            guid=source_guid,
            name=person.respondent_id,
            plainTextPath=f"internal://{source_guid}.txt",
            creatingUser=user,
        )
        for segment_id, start, end in spans:
            sel = _el(
                source,
                "PlainTextSelection",
                guid=guid("selection", segment_id),
                name=segment_id,
                startPosition=str(start),
                endPosition=str(end),
                creatingUser=user,
            )
            for code in codes.get(segment_id, []):
                coding = _el(sel, "Coding", guid=guid("coding", f"{segment_id}:{code}"), creatingUser=user)
                _el(coding, "CodeRef", targetGUID=guid("code", code))
        texts[f"sources/{source_guid}.txt"] = text
    return texts


def project_xml(corpus: Corpus) -> tuple[bytes, dict[str, str]]:
    """Build the project XML and the source texts of a corpus.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus (possibly a subset).

    Returns
    -------
    tuple of (bytes, dict of str to str)
        The ``project.qde`` content and the text files by archive path.
    """
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}Project", {"name": "samendoen-analysis", "origin": "samendoen-analysis"})
    users = _el(root, "Users")
    for name in sorted(set(corpus.respondents["interviewer"])):
        _el(users, "User", guid=guid("user", name), name=name)
    _codebook(root, corpus.codebook)
    _cases(root, corpus.respondents, corpus.schools)
    texts = _sources(root, corpus)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True), texts


def export_qdpx(out: str | Path, data_dir: str | Path | None = None, rounds: list[str] | None = None) -> Path:
    """Write a corpus as a REFI-QDA project file (``.qdpx``).

    Parameters
    ----------
    out : str or Path
        File to write.
    data_dir : str or Path, optional
        Data folder; default the shipped ``data/``.
    rounds : list of str, optional
        Rounds to export; default all.

    Returns
    -------
    Path
        The file written.
    """
    corpus = load_corpus(data_dir).subset(rounds=rounds)
    xml, texts = project_xml(corpus)
    out = Path(out)
    temp = out.with_name(f".{out.name}.tmp")
    with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in [("project.qde", xml), *sorted((n, t.encode("utf-8")) for n, t in texts.items())]:
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), content, compress_type=zipfile.ZIP_DEFLATED)
    temp.replace(out)
    return out
