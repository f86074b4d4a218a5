"""The text of a whole interview, and where each segment and coded stretch sits in it.

``coder_spans.csv`` locates each coder's own selections by offsets into an interview's text, so
that coders who chose different boundaries can be compared. This module is the one definition
of that text (the interview's segments in ``position`` order joined by a blank line, counted in
Unicode code points, as the REFI-QDA export writes it) and derives span rows from the
segment-level independent codings of a round that has no span-level coding of its own.
"""

from __future__ import annotations

import pandas as pd

from samendoen_analysis.vocabulary import columns

SEPARATOR = "\n\n"


def segment_offsets(segments: pd.DataFrame) -> pd.DataFrame:
    """Where each segment lies in its interview's text.

    Parameters
    ----------
    segments : pandas.DataFrame
        Columns ``segment_id``, ``respondent_id``, ``position``, ``text``.

    Returns
    -------
    pandas.DataFrame
        Columns ``segment_id``, ``respondent_id``, ``start``, ``end`` (code points, end
        exclusive), in interview and position order.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["a", "b"], "respondent_id": ["R", "R"],
    ...                     "position": [2, 1], "text": ["wereld", "hallo"]})
    >>> segment_offsets(seg)[["segment_id", "start", "end"]].to_numpy().tolist()
    [['b', 0, 5], ['a', 7, 13]]
    """
    ordered = segments.sort_values(["respondent_id", "position"], kind="stable")
    lengths = ordered["text"].astype(str).str.len().astype("int64")
    step = lengths + len(SEPARATOR)
    start = (step.groupby(ordered["respondent_id"].to_numpy(), sort=False).cumsum() - step).to_numpy()
    lengths = lengths.to_numpy()
    return pd.DataFrame({
        "segment_id": ordered["segment_id"].to_numpy(),
        "respondent_id": ordered["respondent_id"].to_numpy(),
        "start": start,
        "end": start + lengths,
    })


def interview_lengths(segments: pd.DataFrame) -> pd.Series:
    """Length in code points of each interview's text, indexed by ``respondent_id``.

    Parameters
    ----------
    segments : pandas.DataFrame
        Columns ``segment_id``, ``respondent_id``, ``position``, ``text``.

    Returns
    -------
    pandas.Series
        Integer lengths, sorted by respondent.
    """
    offsets = segment_offsets(segments)
    return offsets.groupby("respondent_id")["end"].max().astype("int64").rename("length")


def spans_from_segments(segments: pd.DataFrame, independent: pd.DataFrame) -> pd.DataFrame:
    """Span rows for segment-level independent codings: each coding spans its whole segment.

    Parameters
    ----------
    segments : pandas.DataFrame
        The segments (``segment_id``, ``respondent_id``, ``position``, ``text``).
    independent : pandas.DataFrame
        Columns ``segment_id``, ``coder``, ``code_id``.

    Returns
    -------
    pandas.DataFrame
        Columns of ``coder_spans.csv`` as strings, sorted by respondent, start, coder and code.
    """
    where = segment_offsets(segments).set_index("segment_id")
    rows = independent[["segment_id", "coder", "code_id"]].astype(str).join(where, on="segment_id")
    rows = rows.sort_values(["respondent_id", "start", "coder", "code_id"], kind="stable")
    return rows[list(columns("coder_spans"))].astype(str).reset_index(drop=True)


__all__ = ["SEPARATOR", "interview_lengths", "segment_offsets", "spans_from_segments"]
