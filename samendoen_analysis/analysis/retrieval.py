"""Retrieving the segments behind a number: what a reader of the study would quote.

A table of emphasis says who spoke most; the segments say what was said. Published quotes
come first (the article chose them), then the longest segments, one per respondent, so that a
single talkative respondent cannot fill the list.
"""

from __future__ import annotations

import pandas as pd

from samendoen_analysis.analysis.measures import coded_units
from samendoen_analysis.data.corpus import Corpus
from samendoen_analysis.vocabulary import check_role_groups


def retrieve(corpus: Corpus, per_cell: int = 2, groups: list[str] | None = None, max_chars: int = 220) -> pd.DataFrame:
    """Segments per lens and role group, article quotes first, one per respondent.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    per_cell : int
        Segments shown per lens and role group.
    groups : list of str, optional
        Role groups to include; default all.
    max_chars : int
        Texts longer than this are shortened with an ellipsis, at a word boundary.

    Returns
    -------
    pandas.DataFrame
        Columns ``code_id``, ``role_group``, ``respondent_id``, ``segment_id``, ``origin``,
        ``words``, ``text``.
    """
    check_role_groups(groups or ())
    units = coded_units(corpus, "lens")
    info = corpus.segments.set_index("segment_id")[["origin", "text"]]
    roles = corpus.respondents.set_index("respondent_id")["role_group"]
    table = units.join(info, on="segment_id").assign(role_group=lambda d: d["respondent_id"].map(roles))
    if groups:
        table = table[table["role_group"].isin(groups)]
    table = table.assign(is_quote=table["origin"] == "article_quote")
    table = table.sort_values(["is_quote", "words", "segment_id"], ascending=[False, False, True], kind="stable")
    table = table.drop_duplicates(["code_id", "role_group", "respondent_id"])
    picked = table.groupby(["code_id", "role_group"], observed=True, sort=False).head(per_cell)
    picked = picked.assign(text=picked["text"].map(lambda t: shorten(t, max_chars)))
    order = {c: i for i, c in enumerate(corpus.codebook["code_id"])}
    picked = picked.assign(_o=picked["code_id"].map(order)).sort_values(
        ["_o", "role_group", "is_quote", "words"], ascending=[True, True, False, False]
    )
    columns = ["code_id", "role_group", "respondent_id", "segment_id", "origin", "words", "text"]
    return picked[columns].reset_index(drop=True)


def shorten(text: str, max_chars: int) -> str:
    """Shorten a text at a word boundary, adding an ellipsis.

    Examples
    --------
    >>> shorten("een twee drie vier", 10)
    'een twee …'
    """
    if len(text) <= max_chars:
        return text
    return text[:max_chars].rsplit(" ", 1)[0] + " …"


__all__ = ["retrieve", "shorten"]
