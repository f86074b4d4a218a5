"""Build R3-panel.qdpx from r3_segments.csv: an invented panel round, shaped as a team's NVivo export.

What a real export brings and the importer must handle, all in one small file: Cases with
free-text names ("Leraar A (S1)"), three people interviewed again (a ``person_id`` Variable
holding their id of round R1) next to two new ones, two researchers coding on their own plus a
consensus User (one selection per User and code, as NVivo writes them), codes named by their
Dutch labels and nested under the lenses, CRLF line ends, and one link in a transcript.

Run from the project root: ``.venv/bin/python examples/round3-panel/make_fixture.py``.
"""

from __future__ import annotations

import csv
import uuid
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from samendoen_analysis.paths import DATA_DIR
from samendoen_analysis.vocabulary import columns

HERE = Path(__file__).resolve().parent
SPACE = uuid.UUID("0b7f3c55-8f61-4d0b-9a1e-3c2b7d1f5e20")
USERS = {"consensus": "Consensus", "anna": "Anna", "bram": "Bram"}
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _guid(*key: str) -> str:
    return str(uuid.uuid5(SPACE, ":".join(key)))


def _codes(codebook: pd.DataFrame) -> str:
    """The codebook as a researcher would rebuild it: Dutch labels, sub-themes under their lens."""
    out = []
    for lens in codebook[codebook["parent_id"] == ""].itertuples():
        children = codebook[codebook["parent_id"] == lens.code_id]
        inner = "".join(f'<Code guid="{_guid("code", c)}" name={quoteattr(n)} isCodable="true"/>'
                        for c, n in zip(children["code_id"], children["label_nl"], strict=True))
        codable = "false" if lens.kind == "lens" else "true"
        out.append(f'<Code guid="{_guid("code", lens.code_id)}" name={quoteattr(lens.label_nl)} '
                   f'isCodable="{codable}">{inner}</Code>')
    return "".join(out)


def build(out: Path = HERE / "R3-panel.qdpx") -> Path:
    """Write the example round as a REFI-QDA project."""
    with (HERE / "r3_segments.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    # Every respondent column the CSV carries becomes a Variable, in the CSV's order; the Case name is the Case's own.
    variables = [c for c in reader.fieldnames if c in columns("respondents") and c != "case_name"]
    codebook = pd.read_csv(DATA_DIR / "codebook.csv", dtype=str, keep_default_na=False)
    people = list(dict.fromkeys(r["case_name"] for r in rows))
    sources, cases, texts = [], [], {}
    for n, person in enumerate(people, start=1):
        mine = [r for r in rows if r["case_name"] == person]
        source = _guid("source", person)
        selections, offset = [], 0
        for k, row in enumerate(mine):
            start, end = offset, offset + len(row["text"])
            offset = end + 2  # CRLF between paragraphs
            for user in USERS:
                for code in row[user].split(";"):
                    key = (person, str(k), user, code)
                    selections.append(
                        f'<PlainTextSelection guid="{_guid("sel", *key)}" name="" startPosition="{start}" '
                        f'endPosition="{end}" creatingUser="{_guid("user", user)}">'
                        f'<Coding guid="{_guid("coding", *key)}" creatingUser="{_guid("user", user)}">'
                        f'<CodeRef targetGUID="{_guid("code", code)}"/></Coding></PlainTextSelection>')
        sources.append(f'<TextSource guid="{source}" name="Interview {n}" plainTextPath="internal://{source}.txt" '
                       f'creatingUser="{_guid("user", "consensus")}">{"".join(selections)}</TextSource>')
        values = "".join(
            f'<VariableValue><VariableRef targetGUID="{_guid("variable", v)}"/>'
            f"<TextValue>{escape(mine[0][v])}</TextValue></VariableValue>"
            for v in variables if mine[0][v]
        )
        cases.append(f'<Case guid="{_guid("case", person)}" name={quoteattr(person)}>{values}'
                     f'<SourceRef targetGUID="{source}"/></Case>')
        texts[f"sources/{source}.txt"] = "\r\n".join(r["text"] for r in mine)
    users = "".join(f'<User guid="{_guid("user", k)}" name="{v}"/>' for k, v in USERS.items())
    variables = "".join(f'<Variable guid="{_guid("variable", v)}" name="{v}" typeOfVariable="Text"/>'
                        for v in variables)
    qde = (
        '<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="Ronde 3 (panel)" '
        f'origin="invented example, shaped like a team\'s NVivo export"><Users>{users}</Users>'
        f"<CodeBook><Codes>{_codes(codebook)}</Codes></CodeBook><Variables>{variables}</Variables>"
        f'<Cases>{"".join(cases)}</Cases><Sources>{"".join(sources)}</Sources></Project>'
    )
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in [("project.qde", qde), *sorted(texts.items())]:
            archive.writestr(zipfile.ZipInfo(name, date_time=ZIP_TIME), content.encode("utf-8"),
                             compress_type=zipfile.ZIP_DEFLATED)
    return out


if __name__ == "__main__":
    print(build())
