"""Response emphasis: how much each group said about each code, in the measures of :data:`COUNTING`.

The article's findings are statements of emphasis ("teachers spoke most about obstacles").
Everything here starts from one respondent-by-code matrix, so that group tables, leave-one-out
and bootstrap all aggregate the same numbers without going back to the segments.

A segment counts once for every code it carries at the chosen level: at lens level, a segment
with two sub-themes of one lens counts once for that lens; at sub-theme level, once for each.
Uncoded talk (segments with ``coded`` false) carries no code, so no measure counts it, and no
share has it in its numerator or its denominator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter

import numpy as np
import pandas as pd

from samendoen_analysis.data.corpus import Corpus
from samendoen_analysis.vocabulary import (
    LEVELS,
    MEASURES,
    NORMALISATIONS,
    PAIR_SEPARATOR,
    base_codes,
    check_option,
    level_codes,
    lift,
)


@dataclass(frozen=True)
class Counting:
    """How a measure counts the units (a segment carrying a code) of one respondent and code.

    Attributes
    ----------
    weight : callable or None
        From ``corpus.segments`` to one whole number per segment that a unit counts for; ``None``:
        every unit counts 1.
    presence : bool
        The respondent counts 1 if any unit, else 0 ("touched or not"); such a measure cannot
        be split over a segment's codes (:func:`split_matrix`).
    """

    weight: Callable[[pd.DataFrame], pd.Series] | None = None
    presence: bool = False


# A measure is its row here and its row of labels.csv (kind "measure"), which gives its order and
# labels; tests/test_vocabulary.py checks that both name the same measures.
COUNTING: dict[str, Counting] = {
    "words": Counting(weight=itemgetter("words")),
    "segments": Counting(),
    "respondents": Counting(presence=True),
}


def segment_weights(corpus: Corpus, measure: str) -> np.ndarray | None:
    """What each segment counts for under a measure (``None``: 1 each), in ``corpus.segments`` order."""
    weight = COUNTING[check_option("measure", measure, MEASURES)].weight
    return None if weight is None else weight(corpus.segments).to_numpy(dtype=np.int64)


def coded_units(corpus: Corpus, level: str = "lens") -> pd.DataFrame:
    """One row per segment and code at the level, with the segment's respondent and words.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    level : {"lens", "subtheme"}
        Sub-theme codings are lifted to their lens at lens level.

    Returns
    -------
    pandas.DataFrame
        Columns ``segment_id``, ``code_id``, ``respondent_id``, ``words``.
    """
    codes = lift(corpus.codings["code_id"].astype(str), corpus.codebook, level)
    units = pd.DataFrame({"segment_id": corpus.codings["segment_id"].to_numpy(), "code_id": codes.to_numpy()})
    units = units.drop_duplicates()
    segments = corpus.segments.set_index("segment_id")[["respondent_id", "words"]]
    return units.join(segments, on="segment_id")


def respondent_matrix(
    corpus: Corpus,
    level: str = "lens",
    measure: str = "words",
    pairs: Sequence[tuple[str, str]] = (),
) -> pd.DataFrame:
    """Measure per respondent (rows, every respondent, silent ones as 0) and code (columns).

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    level : {"lens", "subtheme"}
        Code level.
    measure : {"words", "segments", "respondents"}
        Words coded, number of coded segments, or 1 if the respondent touched the code.
    pairs : sequence of (str, str), optional
        Extra columns ``"a&b"`` for segments carrying both codes (co-occurrence).

    Returns
    -------
    pandas.DataFrame
        Index ``respondent_id``; integer values.
    """
    check_option("level", level, LEVELS)
    check_option("measure", measure, MEASURES)
    names = [f"{a}{PAIR_SEPARATOR}{b}" for a, b in pairs]
    if len(set(names)) < len(names):
        raise ValueError(f"pairs repeat a pair: {names}")
    return _count_matrix(corpus, level, measure, pairs)


def _unit_arrays(corpus: Corpus, level: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index]:
    """Positions behind :func:`coded_units`, once per corpus and level.

    Returns, per unit (segment x code at the level, duplicates dropped): the segment's row in
    ``corpus.segments``, its respondent's row in ``corpus.respondents`` (-1 if none) and the
    code's number in the returned index of level codes. Matching string ids (joins, group-bys)
    was nearly all the time of a respondent matrix, and every emphasis, claim and robustness
    call builds one; the positions depend only on the corpus's ids, which a frozen Corpus does
    not change, so they are kept in ``corpus._derived``.
    """
    key = ("units", level)
    if key not in corpus._derived:
        segment_ids = pd.Index(corpus.segments["segment_id"])
        respondent_ids = pd.Index(corpus.respondents["respondent_id"])
        codes = pd.Categorical(corpus.codings["code_id"])
        # Lift the (few) categories, not every coding.
        names_per_category = lift(pd.Series(codes.categories.astype(str)), corpus.codebook, level)
        names = pd.Index(names_per_category.dropna().unique())
        unit_code = np.append(names.get_indexer(names_per_category), -1)[codes.codes]  # -1: unknown
        seg_row = segment_ids.get_indexer(corpus.codings["segment_id"])
        keep = (seg_row >= 0) & (unit_code >= 0)
        # A segment counts once per code at the level: drop repeated (segment, code) pairs.
        width = max(len(names), 1)
        pair = np.unique(seg_row[keep].astype(np.int64) * width + unit_code[keep])
        seg_row, unit_code = pair // width, pair % width
        seg_resp = respondent_ids.get_indexer(corpus.segments["respondent_id"])
        corpus._derived[key] = (seg_row, seg_resp[seg_row], unit_code, names)
    return corpus._derived[key]


def _count_matrix(corpus: Corpus, level: str, measure: str, pairs: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """The respondent matrix by counting positions (np.bincount) instead of grouping ids."""
    columns = level_codes(corpus.codebook, level)
    pair_names = [f"{a}{PAIR_SEPARATOR}{b}" for a, b in pairs]
    seg_row, resp_row, unit_code, names = _unit_arrays(corpus, level)
    n_resp, n_seg = len(corpus.respondents), len(corpus.segments)
    out = np.zeros((n_resp, len(columns) + len(pairs)), dtype=np.int64)
    per_segment = segment_weights(corpus, measure)
    weights = None if per_segment is None else per_segment[seg_row]
    presence = COUNTING[measure].presence

    def column(mask: np.ndarray) -> np.ndarray:
        counts = np.bincount(resp_row[mask], minlength=n_resp) if weights is None else np.bincount(
            resp_row[mask], weights=weights[mask], minlength=n_resp).round().astype(np.int64)
        return (counts > 0).astype(np.int64) if presence else counts

    with_resp = resp_row >= 0  # a segment whose respondent is not in the table is dropped
    for j, code in enumerate(names.get_indexer(columns)):
        if code >= 0:
            out[:, j] = column(with_resp & (unit_code == code))
    for j, (first, second) in enumerate(pairs, start=len(columns)):
        a, b = names.get_indexer([first, second])
        if a >= 0 and b >= 0:
            has_b = np.zeros(n_seg, dtype=bool)
            has_b[seg_row[unit_code == b]] = True
            out[:, j] = column(with_resp & (unit_code == a) & has_b[seg_row])
    index = pd.Index(corpus.respondents["respondent_id"], name="respondent_id")
    return pd.DataFrame(out, index=index, columns=pd.Index(columns + pair_names, dtype="str", name="code_id"))


def normalise(
    totals: pd.DataFrame, sizes: pd.Series, normalisation: str, base: list[str] | None = None
) -> pd.DataFrame:
    """Normalise a group-by-code table of totals.

    Parameters
    ----------
    totals : pandas.DataFrame
        Rows are groups, columns codes.
    sizes : pandas.Series
        Number of respondents per group (same index as ``totals``).
    normalisation : {"none", "per_respondent", "share_within_group", "share_within_code"}
        Per respondent divides by the group's size, silent members included; the shares are
        percentages of the row total (group) or the column total (code).
    base : list of str, optional
        Columns that make up a group's total for ``share_within_group``; tags and
        co-occurrence columns are left out because they repeat words already counted under
        a lens. A segment with two lenses still counts under both (see
        :func:`split_matrix` for the alternative). Default all.

    Returns
    -------
    pandas.DataFrame
        Float table of the same shape.

    Examples
    --------
    >>> t = pd.DataFrame({"a": [6, 2], "b": [2, 2]}, index=["x", "y"])
    >>> normalise(t, pd.Series([2, 1], index=["x", "y"]), "share_within_group")["a"].tolist()
    [75.0, 50.0]
    >>> normalise(pd.DataFrame({"a": [0, 0]}, index=["x", "y"]), pd.Series([1, 1], index=["x", "y"]),
    ...           "share_within_code")["a"].isna().all()
    np.True_
    """
    check_option("normalisation", normalisation, NORMALISATIONS)
    totals = totals.astype("float64")
    if normalisation == "none":
        return totals
    if normalisation == "per_respondent":
        return totals.div(sizes.reindex(totals.index), axis=0)
    if normalisation == "share_within_group":
        row_totals = totals[base if base is not None else totals.columns].sum(axis=1)
        # A group (or code) with nothing at all has no shares: 0/0 stays missing, it is not 0%.
        return 100 * totals.div(row_totals.replace(0, float("nan")), axis=0)
    return 100 * totals.div(totals.sum(axis=0).replace(0, float("nan")), axis=1)


def group_table(
    matrix: pd.DataFrame,
    respondents: pd.DataFrame,
    by: Sequence[str] = ("role_group",),
    normalisation: str = "none",
    base_codes: Sequence[str] = (),
) -> pd.DataFrame:
    """Aggregate a respondent matrix to groups and normalise it.

    Parameters
    ----------
    matrix : pandas.DataFrame
        From :func:`respondent_matrix`.
    respondents : pandas.DataFrame
        Respondent table with the ``by`` columns.
    by : sequence of str
        Respondent columns to group by.
    normalisation : str
        See :func:`normalise`.
    base_codes : sequence of str
        Codes whose sum is a group's total (lenses or sub-themes, not tags).

    Returns
    -------
    pandas.DataFrame
        Rows are groups (observed only), columns codes.
    """
    for column in by:
        check_option("respondent column", column, respondents.columns)
    keys = [respondents.set_index("respondent_id")[col].reindex(matrix.index) for col in by]
    totals = matrix.groupby(keys, observed=True).sum()
    sizes = matrix.groupby(keys, observed=True).size()
    return normalise(totals, sizes, normalisation, base=[c for c in matrix.columns if c in base_codes])


def emphasis(
    corpus: Corpus,
    level: str = "lens",
    measure: str = "words",
    normalisation: str = "none",
    by: Sequence[str] = ("role_group",),
) -> pd.DataFrame:
    """Response emphasis as a tidy table.

    Parameters
    ----------
    corpus : Corpus
        A loaded (and possibly subset) corpus.
    level : {"lens", "subtheme"}
        Code level.
    measure : {"words", "segments", "respondents"}
        See :func:`respondent_matrix`.
    normalisation : {"none", "per_respondent", "share_within_group", "share_within_code"}
        See :func:`normalise`; with several ``by`` columns each combination is one group.
    by : sequence of str
        Respondent columns, for example ``("role_group",)`` or ``("school_id", "role_group")``.

    Returns
    -------
    pandas.DataFrame
        Columns ``*by``, ``code_id``, ``value``, one row per group and code.

    Examples
    --------
    >>> from samendoen_analysis import load_corpus
    >>> table = emphasis(load_corpus(), measure="segments")
    >>> list(table.columns)
    ['role_group', 'code_id', 'value']
    >>> emphasis(load_corpus(), measure="word")
    Traceback (most recent call last):
    ...
    samendoen_analysis.errors.ParameterError: unknown measure 'word'; valid values: words, segments, respondents
    """
    check_option("normalisation", normalisation, NORMALISATIONS)
    for column in by:
        check_option("respondent column", column, corpus.respondents.columns)
    matrix = respondent_matrix(corpus, level, measure)
    table = group_table(matrix, corpus.respondents, by, normalisation, base_codes(corpus.codebook, level))
    table.columns.name = "code_id"
    tidy = table.stack().rename("value").reset_index()
    tidy["code_id"] = pd.Categorical(tidy["code_id"], categories=list(matrix.columns), ordered=True)
    return tidy.sort_values([*by, "code_id"], kind="stable").reset_index(drop=True)


def multi_code_segments(corpus: Corpus, level: str = "lens") -> int:
    """Number of segments that carry more than one base code (lens or sub-theme) at a level.

    These are the segments whose words :func:`respondent_matrix` counts once per code, so a
    group's totals over codes add up to more words than it spoke.
    """
    units = coded_units(corpus, level)
    units = units[units["code_id"].isin(base_codes(corpus.codebook, level))]
    return int((units.groupby("segment_id").size() > 1).sum())


def split_matrix(corpus: Corpus, level: str = "lens", measure: str = "words") -> pd.DataFrame:
    """Like :func:`respondent_matrix`, but a segment's words are split over its base codes.

    A segment with ``k`` lenses (or sub-themes) gives ``1/k`` of its words (or of its one
    segment) to each, so every word is counted once over the base codes; tags, which cut across
    the lenses, still get the whole segment. The number of segments split is
    :func:`multi_code_segments`.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    level : {"lens", "subtheme"}
        Code level.
    measure : str
        A measure that counts amounts (``words``, ``segments``); one that counts presence
        (``respondents``: touched or not) cannot be split.

    Returns
    -------
    pandas.DataFrame
        Index ``respondent_id``, float values, columns as :func:`respondent_matrix`.
    """
    check_option("measure", measure, [m for m in MEASURES if not COUNTING[m].presence])
    units = coded_units(corpus, level)
    base = units["code_id"].isin(base_codes(corpus.codebook, level))
    share = 1 / units[base].groupby("segment_id")["code_id"].transform("size")
    weight = pd.Series(1.0, index=units.index)
    weight[base] = share
    per_segment = segment_weights(corpus, measure)
    if per_segment is not None:
        weight = weight * units["segment_id"].map(pd.Series(per_segment, index=corpus.segments["segment_id"]))
    table = weight.groupby([units["respondent_id"], units["code_id"]]).sum().unstack(fill_value=0.0)
    return table.reindex(index=corpus.respondents["respondent_id"], columns=level_codes(corpus.codebook, level),
                         fill_value=0.0).astype("float64")


def per_person_share_within_code(totals: pd.DataFrame, sizes: pd.Series) -> pd.DataFrame:
    """Each group's share (%) of a code after dividing by group size: who says more *per person*.

    ``share_within_code`` divides a code's total between the groups, so a large group gets a
    large share by being large; here each group's total is first divided by its number of
    respondents. 0/0 (a code nobody used) stays missing.

    Parameters
    ----------
    totals : pandas.DataFrame
        Rows groups, columns codes (not normalised).
    sizes : pandas.Series
        Respondents per group.

    Returns
    -------
    pandas.DataFrame
        Shares in %, each column adding up to 100 (or missing).

    Examples
    --------
    >>> t = pd.DataFrame({"a": [6, 2]}, index=["x", "y"])
    >>> per_person_share_within_code(t, pd.Series([3, 1], index=["x", "y"]))["a"].tolist()
    [50.0, 50.0]
    """
    means = totals.astype("float64").div(sizes.reindex(totals.index), axis=0)
    return 100 * means.div(means.sum(axis=0).replace(0, float("nan")), axis=1)


__all__ = [
    "COUNTING", "Counting", "coded_units", "emphasis", "group_table", "multi_code_segments", "normalise",
    "per_person_share_within_code", "respondent_matrix", "segment_weights", "split_matrix",
]
