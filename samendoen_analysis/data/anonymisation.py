"""A guard against identifying details slipping into transcripts.

Transcripts here are anonymised with bracketed markers such as ``[collega]``. Before any
analysis, segment texts are scanned for the identifiers that most often survive manual
anonymisation (contact details, postcodes, links) and for names a researcher lists.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from samendoen_analysis.errors import DataError

PATTERNS = {
    "an e-mail address": r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    "a URL": r"(?:https?://|www\.)\S+",
    "a phone number": r"(?:\+31|\b0)[\s-]?(?:\d[\s-]?){8,9}\b",
    "a Dutch postcode": r"\b[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}\b",
}
# For each pattern, fixed strings of which every match contains at least one, within the same
# text: a text without any of them cannot match, so only texts holding one are searched with the
# full pattern. (A postcode starts with a digit 1-9; a phone number has "+31" or a "0".)
TRIGGERS = {
    "an e-mail address": ("@",),
    "a URL": ("http://", "https://", "www."),
    "a phone number": ("+31", "0"),
    "a Dutch postcode": tuple("123456789"),
}
_BLOCK_ROWS = 1 << 16


def read_deny_list(path: Path) -> list[str]:
    """Read names to refuse, one per line; blank lines and ``#`` comments are ignored.

    Parameters
    ----------
    path : Path
        A UTF-8 text file supplied by the researcher (never shipped with the data).

    Returns
    -------
    list of str
        The names.
    """
    if not path.is_file():
        raise DataError(path, "the deny-list file does not exist.",
                        "give the path of a text file with one name per line.")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def find_identifiers(texts: pd.Series, deny: list[str] | None = None) -> tuple[int, str, str] | None:
    """Return the first identifying detail in a Series of texts, or None.

    Parameters
    ----------
    texts : pandas.Series
        Segment texts, indexed by row position.
    deny : list of str, optional
        Names that must not occur (whole words, case-insensitive).

    Returns
    -------
    tuple of (int, str, str) or None
        Row position, what kind of identifier, the matched text.

    Examples
    --------
    >>> find_identifiers(pd.Series(["Mail me: a.b@school.nl", "ok"]))
    (0, 'an e-mail address', 'a.b@school.nl')
    >>> find_identifiers(pd.Series(["[collega] zei het"]), deny=["Jansen"]) is None
    True
    """
    patterns = dict(PATTERNS)
    if deny:
        names = "|".join(re.escape(n) for n in sorted(deny, key=len, reverse=True))
        patterns["a name from the deny-list"] = rf"(?i:\b(?:{names})\b)"
    values = texts.to_numpy(dtype=object)
    # Instead of one regex search per row and pattern (most of the load time of a large corpus),
    # scan a block of texts joined by "\n" for a cheap trigger every match must contain (its
    # fixed part, such as "@"), and run the full pattern only on the rows a trigger lands in.
    # The first row whose own search matches is the row the row-by-row scan finds, so the
    # result, including the matched text, is the same. Blocks bound the joined copy's memory
    # and stop the scan at the first block with a hit.
    compiled = {kind: re.compile(pattern) for kind, pattern in patterns.items()}
    for block in range(0, len(values), _BLOCK_ROWS):
        rows = values[block : block + _BLOCK_ROWS]
        try:
            joined = "\n".join(rows)
        except TypeError:  # a value that is not a string (missing): scan row by row
            return _find_row_by_row(texts, patterns)
        starts = np.cumsum([0] + [len(v) + 1 for v in rows])
        hits = []
        for kind, pattern in compiled.items():
            row = _first_row(joined, starts, rows, pattern, TRIGGERS.get(kind))
            if row is not None:
                hits.append((texts.index.get_loc(texts.index[block + row]), kind, pattern.search(rows[row]).group(0)))
        if hits:
            return min(hits)
    return None


def _candidates(joined: str, triggers: tuple[str, ...] | None, pattern: re.Pattern):
    """Positions in ``joined``, ascending, where a trigger (or, without triggers, a match) starts."""
    if triggers is None:
        # A deny-list name is a fixed word: the pattern itself is the trigger ("\n" between
        # texts is a word boundary just like the start and end of a text).
        pos = 0
        while (match := pattern.search(joined, pos)) is not None:
            received = yield match.start()
            pos = max(match.start() + 1, received or 0)
        return
    upcoming = {t: joined.find(t) for t in triggers}
    while upcoming:
        trigger, pos = min(((t, p) for t, p in upcoming.items() if p >= 0), key=lambda tp: tp[1], default=(None, -1))
        if trigger is None:
            return
        received = yield pos
        start = max(pos + 1, received or 0)
        # Each trigger keeps its next position, so no part of the text is searched twice.
        for t, p in upcoming.items():
            if 0 <= p < start:
                upcoming[t] = joined.find(t, start)


def _first_row(joined: str, starts: np.ndarray, rows: np.ndarray, pattern: re.Pattern, triggers) -> int | None:
    """Index of the first row of the block whose own search matches ``pattern``."""
    found = _candidates(joined, triggers, pattern)
    pos = next(found, None)
    while pos is not None:
        row = int(np.searchsorted(starts, pos, side="right")) - 1
        if pattern.search(rows[row]) is not None:
            return row
        # This row has no match: go on from the next row.
        try:
            pos = found.send(int(starts[row + 1]))
        except StopIteration:
            return None
    return None


def _find_row_by_row(texts: pd.Series, patterns: dict[str, str]) -> tuple[int, str, str] | None:
    """The plain scan, for texts that are not all strings (missing values)."""
    hits = []
    for kind, pattern in patterns.items():
        found = texts.str.extract(f"({pattern})", expand=False).dropna()
        if not found.empty:
            hits.append((texts.index.get_loc(found.index[0]), kind, found.iloc[0]))
    return min(hits) if hits else None
