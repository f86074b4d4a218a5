"""Build twee-codeurs.qdpx: three invented interviews, each coded on their own by two invented coders.

The two coders (users ``Noor`` and ``Sem``) give every paragraph the same codes but choose their
own boundaries: one selects whole sentences, the other a phrase or a sentence more. The project
is written as a QDA program exports a merged team project: the codebook with the Dutch labels
as code names, one Case per interview with the respondent's Variables, and each user's
selections with ``creatingUser``.

Run from the project root: ``.venv/bin/python examples/two_coders/make_example.py``.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from samendoen_analysis.data.interviews import SEPARATOR
from samendoen_analysis.paths import DATA_DIR
from samendoen_analysis.qdpx.exporter import NAMESPACE, guid
from samendoen_analysis.vocabulary import columns

HERE = Path(__file__).resolve().parent
OUT = HERE / "twee-codeurs.qdpx"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _rows(name: str) -> list[dict[str, str]]:
    with (HERE / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _variables() -> list[str]:
    """Every respondent column interviews.csv carries, in its order; ``respondent_id`` names the Case instead."""
    with (HERE / "interviews.csv").open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    return [c for c in header if c in columns("respondents") and c != "respondent_id"]


def _el(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attrs)


def interview_texts() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Each interview's text (paragraphs joined by a blank line) and its respondent's attributes."""
    paragraphs: dict[str, list[tuple[int, str]]] = {}
    people, variables = {}, _variables()
    for row in _rows("interviews.csv"):
        paragraphs.setdefault(row["respondent_id"], []).append((int(row["position"]), row["text"]))
        people[row["respondent_id"]] = {v: row[v] for v in variables}
    texts = {rid: SEPARATOR.join(text for _, text in sorted(parts)) for rid, parts in paragraphs.items()}
    return texts, people


def selections(texts: dict[str, str]) -> list[tuple[str, str, int, int, str]]:
    """(respondent, coder, start, end, code_id) of every selection; its text must occur once."""
    found = []
    for row in _rows("spans.csv"):
        text, chosen = texts[row["respondent_id"]], row["selection"]
        if text.count(chosen) != 1:
            raise ValueError(f"spans.csv: '{chosen[:40]}...' occurs {text.count(chosen)} times in "
                             f"{row['respondent_id']}; select a stretch that occurs once")
        start = text.index(chosen)
        found.append((row["respondent_id"], row["coder"], start, start + len(chosen), row["code_id"]))
    return found


def project_xml() -> tuple[bytes, dict[str, str]]:
    """The project file and the source texts by archive path."""
    texts, people = interview_texts()
    chosen = selections(texts)
    codebook = pd.read_csv(DATA_DIR / "codebook.csv", dtype=str, keep_default_na=False)
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}Project", {"name": "twee-codeurs", "origin": "samendoen-analysis example"})
    users = _el(root, "Users")
    for coder in sorted({c for _, c, *_ in chosen}):
        _el(users, "User", guid=guid("user", coder), name=coder)
    codes, elements = _el(_el(root, "CodeBook"), "Codes"), {}
    for row in codebook.itertuples():
        elements[row.code_id] = _el(elements.get(row.parent_id, codes), "Code", guid=guid("code", row.code_id),
                                    name=row.label_nl, isCodable="false" if row.kind == "lens" else "true")
    names = _variables()
    variables = _el(root, "Variables")
    for name in names:
        _el(variables, "Variable", guid=guid("variable", name), name=name, typeOfVariable="Text")
    cases = _el(root, "Cases")
    for rid, attrs in people.items():
        case = _el(cases, "Case", guid=guid("case", rid), name=rid)
        for name in names:
            value = _el(case, "VariableValue")
            _el(value, "VariableRef", targetGUID=guid("variable", name))
            _el(value, "TextValue").text = attrs[name]
        _el(case, "SourceRef", targetGUID=guid("source", rid))
    sources, files = _el(root, "Sources"), {}
    for rid, text in texts.items():
        source_guid = guid("source", rid)
        source = _el(sources, "TextSource", guid=source_guid, name=rid, plainTextPath=f"internal://{source_guid}.txt")
        for _, coder, start, end, code in (s for s in chosen if s[0] == rid):
            key = f"{rid}:{coder}:{start}:{end}:{code}"
            sel = _el(source, "PlainTextSelection", guid=guid("selection", key), name=text[start:end][:60],
                      startPosition=str(start), endPosition=str(end), creatingUser=guid("user", coder))
            coding = _el(sel, "Coding", guid=guid("coding", key), creatingUser=guid("user", coder))
            _el(coding, "CodeRef", targetGUID=guid("code", code))
        files[f"sources/{source_guid}.txt"] = text
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True), files


def build(out: Path = OUT) -> Path:
    """Write the example project, byte for byte the same on every run."""
    xml, files = project_xml()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in [("project.qde", xml), *sorted((n, t.encode("utf-8")) for n, t in files.items())]:
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), content, compress_type=zipfile.ZIP_DEFLATED)
    return out


if __name__ == "__main__":
    print(build())
