"""Cross-table checks that a per-table schema cannot express.

Keys between files, which codes may be applied, one round per interview and the anonymisation
guard. Each check is vectorised and raises one located :class:`DataError`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from samendoen_analysis.data.anonymisation import find_identifiers
from samendoen_analysis.errors import DataError
from samendoen_analysis.vocabulary import CODABLE_KINDS


def _first_bad(mask: pd.Series) -> int | None:
    hits = mask.to_numpy().nonzero()[0]
    return int(hits[0]) if len(hits) else None


def check_reference(
    child: pd.DataFrame, column: str, allowed: pd.Series, file: Path, parent_file: str
) -> None:
    """Refuse values of ``child[column]`` that do not occur in ``allowed``.

    Parameters
    ----------
    child : pandas.DataFrame
        Table holding the reference, rows in file order.
    column : str
        Referencing column.
    allowed : pandas.Series
        Values the reference may take.
    file : Path
        File of ``child``, for the message.
    parent_file : str
        File name of the referenced table, for the fix.
    """
    bad = _first_bad(~child[column].isin(allowed))
    if bad is not None:
        value = child[column].iloc[bad]
        raise DataError(
            file, f"'{value}' does not exist in {parent_file}.",
            f"use an id from {parent_file}, or add '{value}' there first.", line=bad + 2, column=column,
        )


def check_codable(codings: pd.DataFrame, codebook: pd.DataFrame, file: Path) -> None:
    """Refuse codings that use a lens (an aggregate) instead of a sub-theme or tag."""
    kinds = codings["code_id"].map(codebook.set_index("code_id")["kind"])
    bad = _first_bad(~kinds.isin(CODABLE_KINDS))
    if bad is not None:
        code = codings["code_id"].iloc[bad]
        children = codebook.loc[codebook["parent_id"] == code, "code_id"].head(3).tolist()
        raise DataError(
            file, f"'{code}' is a lens, which is not codable; lenses sum their sub-themes.",
            f"code one of its sub-themes instead (for example {', '.join(children)}).",
            line=bad + 2, column="code_id",
        )


def check_codebook_tree(codebook: pd.DataFrame, file: Path) -> None:
    """Sub-themes hang under a lens; a tag hangs under nothing or under a tag; lenses under nothing.

    Tags under a tag (for example ``corona.absence`` under ``corona``) are the project's own
    refinement of a cross-cutting tag; they are lifted to their parent tag at lens level, as
    sub-themes are lifted to their lens.
    """
    kind = codebook["kind"]
    parents = codebook["parent_id"]
    lenses = codebook.loc[kind == "lens", "code_id"]
    top_tags = codebook.loc[(kind == "tag") & (parents == ""), "code_id"]
    bad = _first_bad((kind == "subtheme") & ~parents.isin(lenses))
    if bad is not None:
        raise DataError(file, "a sub-theme must have a lens as parent_id.", "set parent_id to one of: "
                        + ", ".join(lenses) + ".", line=bad + 2, column="parent_id")
    bad = _first_bad((kind == "tag") & (parents != "") & ~parents.isin(top_tags))
    if bad is not None:
        raise DataError(file, "a tag with a parent_id must hang under a tag that has no parent itself.",
                        "set parent_id to one of: " + ", ".join(top_tags) + ", or leave it empty.",
                        line=bad + 2, column="parent_id")
    bad = _first_bad((kind == "lens") & (parents != ""))
    if bad is not None:
        raise DataError(file, "a lens has no parent_id.", "leave parent_id empty for lenses.",
                        line=bad + 2, column="parent_id")


def check_segments(segments: pd.DataFrame, respondents: pd.DataFrame, codings: pd.DataFrame, file: Path) -> None:
    """Each segment is in its respondent's round, at its own position, and coded unless marked uncoded talk."""
    rounds = segments["respondent_id"].map(respondents.set_index("respondent_id")["round"])
    bad = _first_bad(rounds != segments["round"])
    if bad is not None:
        raise DataError(file, f"the round '{segments['round'].iloc[bad]}' differs from the respondent's round "
                        f"'{rounds.iloc[bad]}' in respondents.csv.", "use the respondent's round, or add "
                        "the respondent again with a new id for the new round.", line=bad + 2, column="round")
    dup = _first_bad(segments.duplicated(["respondent_id", "round", "position"]))
    if dup is not None:
        raise DataError(file, "two segments of one interview share this position.",
                        "number the segments of each interview 1, 2, 3, ...", line=dup + 2, column="position")
    coded = segments["coded"] == "true"
    uncoded = _first_bad(coded & ~segments["segment_id"].isin(codings["segment_id"]))
    if uncoded is not None:
        raise DataError(file, f"segment '{segments['segment_id'].iloc[uncoded]}' has no code in codings.csv.",
                        "add its consensus code(s) to codings.csv, or set coded to false if no code covers "
                        "this talk.", line=uncoded + 2, column="coded")


def check_uncoded_talk(segments: pd.DataFrame, codings: pd.DataFrame, file: Path) -> None:
    """Refuse a coding (consensus or independent) on a segment marked as uncoded talk."""
    talk = segments.loc[segments["coded"] == "false", "segment_id"]
    bad = _first_bad(codings["segment_id"].isin(talk))
    if bad is not None:
        raise DataError(file, f"segment '{codings['segment_id'].iloc[bad]}' is marked coded = false in "
                        "segments.csv (uncoded talk) but has a code here.",
                        "remove this coding, or set coded to true for the segment in segments.csv.",
                        line=bad + 2, column="segment_id")


def check_anonymised(segments: pd.DataFrame, file: Path, deny: list[str] | None) -> None:
    """Refuse segment texts that contain contact details, links, postcodes or listed names."""
    hit = find_identifiers(segments["text"], deny)
    if hit is not None:
        row, kind, text = hit
        raise DataError(file, f"the text contains {kind} ('{text}').",
                        "replace it with a bracketed marker such as [naam], [e-mail] or [plaats].",
                        line=row + 2, column="text")


def check_spans(spans: pd.DataFrame, lengths: pd.Series, file: Path) -> None:
    """Each coded stretch starts before it ends and ends within its interview's text.

    Parameters
    ----------
    spans : pandas.DataFrame
        ``coder_spans`` as strings (``respondent_id``, ``start``, ``end``), rows in file order.
    lengths : pandas.Series
        Length of each interview's text in code points, indexed by ``respondent_id``.
    file : Path
        File of ``spans``, for the message.
    """
    start = pd.to_numeric(spans["start"]).to_numpy()
    end = pd.to_numeric(spans["end"]).to_numpy()
    bad = _first_bad(pd.Series(start >= end))
    if bad is not None:
        raise DataError(file, f"the stretch starts at {start[bad]} and ends at {end[bad]}; it must end after it "
                        "starts.",
                        "give the code point after the stretch's last character as end.", line=bad + 2, column="end")
    length = spans["respondent_id"].map(lengths).fillna(0).to_numpy()
    bad = _first_bad(pd.Series(end > length))
    if bad is not None:
        raise DataError(file, f"the stretch ends at {end[bad]}, after the end of the interview's text "
                        f"({int(length[bad])} code points: its segments joined by a blank line).",
                        "count offsets in code points in the interview's text as segments.csv gives it.",
                        line=bad + 2, column="end")
