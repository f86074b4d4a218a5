"""Cross-table checks that a per-table schema cannot express.

Keys between files, which codes may be applied, one round per interview and the anonymisation
guard. Each check is vectorised and raises one located :class:`DataError`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from samendoen_analysis.data.anonymisation import find_identifiers
from samendoen_analysis.errors import DataError

CODABLE_KINDS = ("subtheme", "tag")


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
    """Sub-themes hang under a lens; lenses and tags hang under nothing."""
    lenses = codebook.loc[codebook["kind"] == "lens", "code_id"]
    is_sub = codebook["kind"] == "subtheme"
    bad = _first_bad(is_sub & ~codebook["parent_id"].isin(lenses))
    if bad is not None:
        raise DataError(file, "a sub-theme must have a lens as parent_id.", "set parent_id to one of: "
                        + ", ".join(lenses) + ".", line=bad + 2, column="parent_id")
    bad = _first_bad(~is_sub & (codebook["parent_id"] != ""))
    if bad is not None:
        raise DataError(file, "only sub-themes have a parent_id.", "leave parent_id empty for lenses and tags.",
                        line=bad + 2, column="parent_id")


def check_segments(segments: pd.DataFrame, respondents: pd.DataFrame, codings: pd.DataFrame, file: Path) -> None:
    """Each segment is coded, in its respondent's round, at a position of its own."""
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
    # coded=false marks uncoded talk (a selection without a consensus code), which may stay without codings.
    talk = segments["coded"].eq("false") if "coded" in segments else False
    uncoded = _first_bad(~segments["segment_id"].isin(codings["segment_id"]) & ~talk)
    if uncoded is not None:
        raise DataError(file, f"segment '{segments['segment_id'].iloc[uncoded]}' has no code in codings.csv.",
                        "add its consensus code(s) to codings.csv, or remove the segment.",
                        line=uncoded + 2, column="segment_id")


def check_anonymised(segments: pd.DataFrame, file: Path, deny: list[str] | None) -> None:
    """Refuse segment texts that contain contact details, links, postcodes or listed names."""
    hit = find_identifiers(segments["text"], deny)
    if hit is not None:
        row, kind, text = hit
        raise DataError(file, f"the text contains {kind} ('{text}').",
                        "replace it with a bracketed marker such as [naam], [e-mail] or [plaats].",
                        line=row + 2, column="text")
