"""Two-coder REFI-QDA projects shaped as vendors write them, and span tables built directly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.qdpx_helpers import NS, G, write_zip

TEXT = ("Het idee kwam van de directie. Niemand had het ons gevraagd.\n\n"
        "Na de les was er nooit tijd om na te praten. Dat vond ik jammer.")
FIRST = TEXT.index("Het idee"), TEXT.index("gevraagd.") + len("gevraagd.")
FIRST_SHORT = TEXT.index("Het idee"), TEXT.index("directie.") + len("directie.")
SECOND = TEXT.index("Na de les"), len(TEXT)


def frame(rows: list[tuple]) -> pd.DataFrame:
    """A span table from (source, coder, start, end, code_id) tuples."""
    return pd.DataFrame(rows, columns=["source", "coder", "start", "end", "code_id"])


def _codes() -> str:
    return (f'<Code guid="{G[0]}" name="Hobbels" isCodable="false">'
            f'<Code guid="{G[1]}" name="Van bovenaf ingevoerd" isCodable="true"/>'
            f'<Code guid="{G[2]}" name="obstacles.no_debrief" isCodable="true"/></Code>')


def two_user_project(folder: Path, shape: str) -> Path:
    """A project in which users Anna and Bram coded the same text with different boundaries.

    ``shape`` is ``"maxqda"`` (user on each Coding, lower-case GUIDs) or ``"atlas"`` (user only
    on the selection, GUIDs in braces and upper case, text inline). Anna codes the first
    paragraph (two sentences) top-down and the second paragraph no-debrief; Bram codes only the
    first sentence top-down and the whole second paragraph no-debrief.
    """
    anna, bram = G[30], G[31]
    spans = [(anna, *FIRST, G[1]), (anna, *SECOND, G[2]), (bram, *FIRST_SHORT, G[1]), (bram, *SECOND, G[2])]
    selections = ""
    for i, (user, start, end, code) in enumerate(spans):
        if shape == "atlas":
            ref, who = "{" + code.upper() + "}", "{" + user.upper() + "}"
            selections += (f'<PlainTextSelection guid="{{{G[40 + i].upper()}}}" startPosition="{start}" '
                           f'endPosition="{end}" creatingUser="{who}"><Coding guid="{G[50 + i]}">'
                           f'<CodeRef targetGUID="{ref}"/></Coding></PlainTextSelection>')
        else:
            selections += (f'<PlainTextSelection guid="{G[40 + i]}" startPosition="{start}" endPosition="{end}">'
                           f'<Coding guid="{G[50 + i]}" creatingUser="{user}"><CodeRef targetGUID="{code}"/>'
                           f"</Coding></PlainTextSelection>")
    inline = f"<PlainTextContent>{TEXT}</PlainTextContent>" if shape == "atlas" else ""
    path_attr = "" if shape == "atlas" else ' plainTextPath="internal://a.txt"'
    source = f'<TextSource guid="{G[4]}" name="interview A"{path_attr}>{inline}{selections}</TextSource>'
    users = f'<User guid="{anna}" name="Anna"/><User guid="{bram}" name="Bram de Vries"/>'
    xml = (f'<?xml version="1.0" encoding="utf-8"?><Project {NS} name="t"><Users>{users}</Users>'
           f"<CodeBook><Codes>{_codes()}</Codes></CodeBook><Sources>{source}</Sources></Project>")
    entries: dict[str, bytes | str] = {"project.qde": xml}
    if shape != "atlas":
        entries["sources/a.txt"] = TEXT
    return write_zip(folder / f"{shape}.qdpx", entries)
