"""The two levels of lesson 3's exercise on boundaries, recomputed for its self-check ``boundary_gap``.

The exercise asks how much two coders agree when their codes are compared per paragraph (the
segment level) and when their own stretches are matched by overlap (the span level, as MAXQDA
does). The checks recompute both from the coders' stretches with plain loops, another route
than the package's vectorised :mod:`samendoen_analysis.analysis.spans`, so a wrong solution in
the lesson and a wrong function in the package cannot agree by accident.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

PARAGRAPH_BREAK = "\n\n"


def _paragraphs(text: str) -> list[tuple[int, int]]:
    found, start = [], 0
    for part in text.split(PARAGRAPH_BREAK):
        found.append((start, start + len(part)))
        start += len(part) + len(PARAGRAPH_BREAK)
    return found


def segment_level_share(spans: pd.DataFrame, texts: Mapping[str, str], coders: tuple[str, str]) -> float:
    """Percentage of paragraphs coded by both coders to which both gave exactly the same codes.

    A coder gives a paragraph the codes of every stretch that shares a character with it.
    """
    same = both = 0
    for source, text in texts.items():
        for begin, end in _paragraphs(text):
            given = []
            for coder in coders:
                mine = spans[(spans["source"] == source) & (spans["coder"] == coder)]
                given.append({r.code_id for r in mine.itertuples() if r.start < end and r.end > begin})
            if given[0] and given[1]:
                both += 1
                same += given[0] == given[1]
    return 100 * same / both if both else float("nan")


def span_level_share(spans: pd.DataFrame, coders: tuple[str, str], threshold: float = 0.9) -> float:
    """Percentage of both coders' stretches that the other matched with the same code and enough overlap."""
    rows = [r for r in spans.itertuples() if r.coder in coders]
    matched = 0
    for r in rows:
        for o in rows:
            if o.coder == r.coder or o.source != r.source or o.code_id != r.code_id:
                continue
            inter = min(r.end, o.end) - max(r.start, o.start)
            if inter > 0 and inter / (max(r.end, o.end) - min(r.start, o.start)) >= threshold:
                matched += 1
                break
    return 100 * matched / len(rows) if rows else float("nan")


__all__ = ["segment_level_share", "span_level_share"]
