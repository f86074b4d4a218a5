"""A guard against identifying details slipping into transcripts.

Transcripts here are anonymised with bracketed markers such as ``[collega]``. Before any
analysis, and on import, segment texts are scanned for the identifiers that most often survive
manual anonymisation of Dutch interviews: e-mail addresses, links, Dutch telephone numbers
(``06-12345678``, ``+31 20 123 4567``, ``0031 ...``), postcodes, citizen service numbers (BSN,
only numbers that pass the 11-test) and bank account numbers (IBAN, only those that pass the
mod-97 check), and for names a researcher lists in a deny-list.

What it does not catch, so that nobody over-trusts it: names that are not on the deny-list,
addresses without a postcode (a street and house number alone), dates of birth, licence
plates, a BSN or IBAN with a typing error (it fails its checksum), phone numbers written in
words, and anything that identifies a person by context (a rare job at a named school).

:func:`find_all_identifiers` returns every hit with its position, so that the validator can
report all of them at once and an importer can redact them in source texts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from samendoen_analysis.data.columnar import arrow_strings, to_numpy_bool
from samendoen_analysis.errors import DataError

# Kind -> pattern. Every pattern stands alone (tests use them to blank out identifiers).
PATTERNS = {
    "email": r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    "url": r"(?:https?://|www\.)\S+",
    "iban": r"(?i:(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9]))",
    "bsn": r"(?<![\d.-])\d(?:\d{8}|\d{3}\.\d{2}\.\d{3}|\d{2}([ .-])\d{3}\1\d{3})(?![\d-]|[.,]\d)",
    "phone": r"(?<![\w+])(?:(?:\+|00)31[ .-]?(?:\(0\)[ .-]?)?|\(?0)[1-9](?:[ .)/-]{0,3}\d){8}(?!\d)",
    "postcode": r"\b[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}\b",
}
DESCRIPTIONS = {
    "email": "an e-mail address",
    "url": "a URL",
    "iban": "a bank account number (IBAN, passes the mod-97 check)",
    "bsn": "a citizen service number (BSN, passes the 11-test)",
    "phone": "a phone number",
    "postcode": "a Dutch postcode",
    "name": "a name from the deny-list",
}
# Fixed strings of which every match of a kind contains at least one: a text without any of
# them is never searched with the full pattern (most texts hold no digit, "@" or "www.").
_DIGITS = tuple("0123456789")
# The bracketed marker that replaces each kind of identifier in a transcript (by hand or --redact).
MARKERS = {"email": "[e-mail]", "url": "[url]", "iban": "[rekeningnummer]", "bsn": "[BSN]",
           "phone": "[telefoon]", "postcode": "[postcode]", "name": "[naam]"}
TRIGGERS = {
    "email": ("@",),
    "url": ("http://", "https://", "www."),
    "iban": _DIGITS,
    "bsn": _DIGITS,
    "phone": _DIGITS,
    "postcode": _DIGITS,
}
_BLOCK_ROWS = 1 << 14
_CONTEXT = 12


class Hit(NamedTuple):
    """One identifying detail in one text.

    Attributes
    ----------
    row : int
        Position of the text in the sequence scanned (0 = first).
    start, end : int
        Character offsets of the detail in that text (``text[start:end]``).
    kind : str
        ``email``, ``url``, ``iban``, ``bsn``, ``phone``, ``postcode`` or ``name``.
    excerpt : str
        A few characters around the detail, with every letter and digit of any detail after its
        first two characters replaced by ``*``: safe to print in a log.
    """

    row: int
    start: int
    end: int
    kind: str
    excerpt: str

    def describe(self) -> str:
        """The kind in words, with its masked excerpt."""
        return f"{DESCRIPTIONS[self.kind]} at characters {self.start + 1}-{self.end} ('{self.excerpt}')"


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
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise DataError(path, f"the deny-list is not UTF-8 text (byte {exc.start + 1}).",
                        "save it as UTF-8 text.") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def bsn_valid(digits: str) -> bool:
    """The 11-test of a Dutch citizen service number (BSN), on its nine digits.

    Examples
    --------
    >>> bsn_valid("111222333"), bsn_valid("111222334")
    (True, False)
    """
    if len(digits) != 9 or not digits.isdigit() or int(digits) == 0:
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11 == 0


def iban_valid(iban: str) -> bool:
    """The ISO 13616 mod-97 check of an IBAN, spaces ignored (a Dutch IBAN also has 18 characters).

    Examples
    --------
    >>> iban_valid("NL91 ABNA 0417 1643 00"), iban_valid("NL91 ABNA 0417 1643 01")
    (True, False)
    """
    code = iban.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", code) or (code.startswith("NL") and len(code) != 18):
        return False
    return int("".join(str(int(c, 36)) for c in code[4:] + code[:4])) % 97 == 1


_VALID: dict[str, Callable[[str], bool]] = {
    "bsn": lambda text: bsn_valid(re.sub(r"\D", "", text)),
    "iban": iban_valid,
}


def _compiled(deny: Iterable[str] | None) -> dict[str, re.Pattern]:
    patterns = {kind: re.compile(pattern) for kind, pattern in PATTERNS.items()}
    names = sorted({n for n in deny or () if n}, key=len, reverse=True)
    if names:
        patterns["name"] = re.compile(rf"(?i:\b(?:{'|'.join(re.escape(n) for n in names)})\b)")
    return patterns


def _rows_with(joined: str, starts: np.ndarray, triggers: tuple[str, ...]) -> list[int]:
    """Rows of a block (texts joined by "\\n", row i starting at starts[i]) holding a trigger.

    Each trigger is looked up with str.find (C speed); after a hit the search jumps to the
    next row, so the cost grows with the rows that hold a trigger, not with their number.
    """
    rows: list[int] = []
    upcoming = {t: joined.find(t) for t in triggers}
    while True:
        found = [p for p in upcoming.values() if p >= 0]
        if not found:
            return rows
        row = int(np.searchsorted(starts, min(found), side="right")) - 1
        rows.append(row)
        nxt = int(starts[row + 1])
        for t, p in upcoming.items():
            if 0 <= p < nxt:
                upcoming[t] = joined.find(t, nxt)


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start + 2, end):
            if chars[i].isalnum():
                chars[i] = "*"
    return "".join(chars)


def _row_hits(row: int, text: str, kinds: Iterable[str], patterns: dict[str, re.Pattern]) -> list[Hit]:
    """Every hit in one text; a detail inside an earlier, longer one is reported once."""
    spans = []
    for kind in kinds:
        for match in patterns[kind].finditer(text):
            if kind not in _VALID or _VALID[kind](match.group(0)):
                spans.append((match.start(), -match.end(), kind))
    kept: list[tuple[int, int, str]] = []
    for start, neg_end, kind in sorted(spans):
        if not kept or start >= kept[-1][1]:
            kept.append((start, -neg_end, kind))
    masked = _mask(text, [(s, e) for s, e, _ in kept])
    hits = []
    for start, end, kind in kept:
        before = masked[max(0, start - _CONTEXT) : start]
        after = masked[end : end + _CONTEXT]
        excerpt = " ".join(f"{'…' * (start > _CONTEXT)}{before}{masked[start:end]}{after}".split())
        hits.append(Hit(row, start, end, kind, excerpt + "…" * (end + _CONTEXT < len(text))))
    return hits


def find_all_identifiers(texts: Sequence[str] | pd.Series, deny: Iterable[str] | None = None) -> list[Hit]:
    """Find every identifying detail in a sequence of texts.

    Parameters
    ----------
    texts : sequence of str or pandas.Series
        Segment or source texts; a missing value (not a string) counts as empty.
    deny : iterable of str, optional
        Names that must not occur (whole words, case-insensitive).

    Returns
    -------
    list of Hit
        Ordered by row and position; ``Hit.row`` is the position in ``texts`` (not its index
        label), ``texts[row][start:end]`` is the detail. Where two kinds overlap (a number that
        is both a BSN and a phone number), the one that starts first and is longest is kept.

    Examples
    --------
    >>> [h[:4] for h in find_all_identifiers(["Bel 06-12345678 of mail a.b@school.nl", "ok"])]
    [(0, 4, 15, 'phone'), (0, 24, 37, 'email')]
    >>> find_all_identifiers(["BSN 111222333, rekening NL91ABNA0417164300"])[0].excerpt
    'BSN 11*******, rekening N…'
    """
    patterns = _compiled(deny)
    rows = _candidate_rows(texts) if isinstance(texts, pd.Series) and "name" not in patterns else None
    if rows is not None:  # only these texts hold a trigger: scan them and give each hit its row back
        hits = _scan(texts.iloc[rows].tolist(), patterns)
        return [hit._replace(row=int(rows[hit.row])) for hit in hits]
    values = [v if isinstance(v, str) else "" for v in (texts.tolist() if isinstance(texts, pd.Series) else texts)]
    return _scan(values, patterns)


def _candidate_rows(texts: pd.Series) -> np.ndarray | None:
    """Positions of the texts holding any trigger, found in Arrow; None if the texts are not Arrow strings.

    Every trigger is ASCII, so a byte search in UTF-8 finds exactly the texts that str.find
    finds a trigger in; the scan then looks at these texts only, as it would have.
    """
    column = arrow_strings(texts)
    if column is None:
        return None
    triggers = sorted({t for kind in PATTERNS for t in TRIGGERS[kind]})
    pattern = "|".join(re.escape(t) for t in triggers)
    return np.flatnonzero(to_numpy_bool(pc.match_substring_regex(column, pattern)))


def _scan(values: list[str], patterns: dict[str, re.Pattern]) -> list[Hit]:
    """Every hit in texts that are all strings; Hit.row is the position in ``values``."""
    hits: list[Hit] = []
    for block in range(0, len(values), _BLOCK_ROWS):
        rows = values[block : block + _BLOCK_ROWS]
        joined = "\n".join(rows)
        starts = np.cumsum([0] + [len(v) + 1 for v in rows])
        kinds_of: dict[int, list[str]] = {}
        for kind in patterns:
            if kind == "name":  # a fixed word: the pattern itself is the cheapest trigger
                found = {int(np.searchsorted(starts, m.start(), side="right")) - 1
                         for m in patterns[kind].finditer(joined)}
            else:
                found = _rows_with(joined, starts, TRIGGERS[kind])
            for row in found:
                kinds_of.setdefault(row, []).append(kind)
        for row in sorted(kinds_of):
            hits += _row_hits(block + row, rows[row], kinds_of[row], patterns)
    return hits


def find_identifiers(texts: pd.Series, deny: list[str] | None = None) -> tuple[int, str, str] | None:
    """Return the first identifying detail in a Series of texts, or None.

    Parameters
    ----------
    texts : pandas.Series
        Segment texts.
    deny : list of str, optional
        Names that must not occur (whole words, case-insensitive).

    Returns
    -------
    tuple of (int, str, str) or None
        Row position, what kind of identifier (in words), the matched text.

    Examples
    --------
    >>> find_identifiers(pd.Series(["Mail me: a.b@school.nl", "ok"]))
    (0, 'an e-mail address', 'a.b@school.nl')
    >>> find_identifiers(pd.Series(["[collega] zei het"]), deny=["Jansen"]) is None
    True
    """
    hits = find_all_identifiers(texts, deny)
    if not hits:
        return None
    first = hits[0]
    return first.row, DESCRIPTIONS[first.kind], str(texts.iloc[first.row])[first.start : first.end]


__all__ = ["Hit", "bsn_valid", "find_all_identifiers", "find_identifiers", "iban_valid", "read_deny_list"]
