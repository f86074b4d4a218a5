"""Identifying details in a real export: find them all at once, or replace them by markers.

Real transcripts and comments hold links, e-mail addresses and phone numbers, which the data
package refuses (see :mod:`samendoen_analysis.data.anonymisation`). On import every hit in the
imported text is reported together, with the source, its position and a short excerpt; with
``--redact`` each hit is replaced by a bracketed marker of its kind and listed in a redaction
report. Replacing text shifts positions, so the cleaning of a source (CRLF to LF, redaction)
also returns a map from old to new positions, computed once per source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from samendoen_analysis.data.anonymisation import MARKERS, find_all_identifiers

REPORT_COLUMNS = ["source", "position", "kind", "marker"]


@dataclass(frozen=True)
class Hit:
    """One identifying detail in a source text (code-point positions, end exclusive)."""

    source: str
    start: int
    end: int
    kind: str
    excerpt: str


def find_hits(name: str, body: str, spans: np.ndarray) -> list[Hit]:
    """Every identifying detail of a text that overlaps one of the imported spans.

    Parameters
    ----------
    name : str
        The source's name, for the report.
    body : str
        The source text (code points).
    spans : numpy.ndarray
        Imported (start, end) spans, shape (n, 2).

    Returns
    -------
    list of Hit
        In text order; where two patterns match the same characters, the first match wins.
    """
    if not len(spans):
        return []
    order = np.argsort(spans[:, 0], kind="stable")
    starts, ends = spans[order, 0], np.maximum.accumulate(spans[order, 1])
    found = []
    # The package's one guard (checksums for BSN and IBAN included) finds the details.
    for hit in find_all_identifiers([body]):
        # Overlaps a span when some span starts before the hit ends and ends after it starts.
        k = int(np.searchsorted(starts, hit.end, side="left"))
        if k and ends[k - 1] > hit.start:
            found.append(Hit(name, hit.start, hit.end, hit.kind, hit.excerpt))
    return found


def clean(body: str, hits: list[Hit]) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """The text with CRLF as LF and each hit replaced by its marker, and how positions move.

    Parameters
    ----------
    body : str
        The source text.
    hits : list of Hit
        Non-overlapping hits in text order (empty: only line ends change).

    Returns
    -------
    tuple
        The new text, and the arrays (starts, ends, shifts) for :func:`move`: replaced ranges of
        the old text, in order, and the total change of length up to the end of each.
    """
    edits = [(h.start, h.end, MARKERS[h.kind]) for h in hits]
    if "\r\n" in body:
        crs = [m.start() for m in re.finditer("\r\n", body)]
        inside = np.zeros(len(crs), dtype=bool)
        if hits:
            hs, he = np.array([h.start for h in hits]), np.array([h.end for h in hits])
            k = np.searchsorted(hs, crs, side="right") - 1
            inside = (k >= 0) & (np.asarray(crs) < he[np.maximum(k, 0)])
        edits += [(p, p + 1, "") for p, skip in zip(crs, inside, strict=True) if not skip]
        edits.sort()
    if not edits:
        return body, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    pieces, last = [], 0
    for start, end, new in edits:
        pieces += [body[last:start], new]
        last = end
    pieces.append(body[last:])
    starts = np.array([e[0] for e in edits], dtype=np.int64)
    ends = np.array([e[1] for e in edits], dtype=np.int64)
    shifts = np.cumsum([len(e[2]) - (e[1] - e[0]) for e in edits]).astype(np.int64)
    return "".join(pieces), starts, ends, shifts


def move(positions: np.ndarray, starts: np.ndarray, ends: np.ndarray, shifts: np.ndarray, side: str) -> np.ndarray:
    """Old positions to positions in the cleaned text.

    A position inside a replaced range goes to the start of its replacement (``side="start"``)
    or to its end (``side="end"``), so a selection never cuts a marker in half.

    Examples
    --------
    >>> text, s, e, d = clean("ab\\r\\ncd", [])
    >>> text, move(np.array([0, 4, 6]), s, e, d, "start").tolist()
    ('ab\\ncd', [0, 3, 5])
    """
    positions = np.asarray(positions, dtype=np.int64)
    if not len(starts):
        return positions
    done = np.searchsorted(ends, positions, side="right")  # edits wholly before the position
    before = np.where(done > 0, shifts[np.maximum(done - 1, 0)], 0)
    moved = positions + before
    inside = (done < len(starts)) & (starts[np.minimum(done, len(starts) - 1)] < positions)
    if inside.any():
        k = done[inside]
        start_new = starts[k] + np.where(k > 0, shifts[np.maximum(k - 1, 0)], 0)
        end_new = ends[k] + shifts[k]
        moved[inside] = start_new if side == "start" else end_new
    return moved


__all__ = ["REPORT_COLUMNS", "Hit", "clean", "find_hits", "move"]
