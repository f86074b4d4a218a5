"""Inter-coder agreement of the independent codings: percent agreement, Cohen's kappa, Krippendorff's alpha.

Why this module exists
----------------------
The two researchers (``I1``, ``I2``) each coded part of the segments on their own before they
discussed every difference and agreed on the consensus coding in ``codings.csv``. How far
they agreed *before* that discussion says how much the codebook alone fixes the coding, and
which codes needed the discussion. QDA programs report one kappa; here every number is
computed from ``independent_codings.csv`` at both levels, per code and overall, with the
segments behind every disagreement, so that it can be checked and taught.

Units
-----
A segment may carry several codes, so "the code of a segment" is not one nominal value. The
unit is therefore a *decision*: for one code and one independently coded segment, did a
coder apply the code (1) or not (0)?

* A coder **coded a segment** when the coder has at least one row for it in
  ``independent_codings.csv``; a coder without rows for a segment is *missing* for it (not
  "applied nothing"), because every coded segment carries at least one code.
* At **lens** level sub-themes are lifted to their lens (two sub-themes of one lens are one
  decision "lens applied"); at **sub-theme** level they are kept. The cross-cutting tags
  (corona) are decisions at both levels, as in :mod:`samendoen_analysis.analysis.measures`.
* **Per code**, the units are the independently coded segments, one binary value per coder.
  Percent agreement and Cohen's kappa use the segments both coders of the pair coded;
  Krippendorff's alpha uses every segment with values from at least two coders, any number
  of coders, missing values allowed.
* **Overall** is *pooled*: all (segment, code) decisions of a level are stacked into one
  long binary reliability table and the coefficient is computed once. Pooling weighs every
  coding decision equally and stays defined when a code is rare or never used, where a
  per-code kappa is undefined or jumps with a single decision. The unweighted *mean over
  codes* (of the codes where the coefficient is defined) is reported beside it, because it
  gives rare codes the same say as common ones. Pooled percent agreement is high by nature:
  most decisions are "both did not apply this code"; kappa and alpha correct for that.

The **confusion matrix** pairs the base codes (lenses or sub-themes, tags left out) of the
two coders on the segments both coded: a code both gave is paired with itself; the
remaining codes of the two coders are paired in codebook order, and a code left without a
partner is paired with ``(none)``. Each coder's codes then appear exactly once, so the
row totals are the first coder's frequencies and the column totals the second's.

Inputs are never changed; every function returns new tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import zip_longest

import krippendorff
import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from samendoen_analysis.vocabulary import LEVELS, base_codes, check_option, level_codes, lift

NONE = "(none)"
POOLED = "pooled"
MEAN = "mean_over_codes"
STATISTICS = ("agreement", "kappa", "alpha")

def coders(independent: pd.DataFrame) -> list[str]:
    """The coders in the independent codings, sorted.

    Parameters
    ----------
    independent : pandas.DataFrame
        Columns ``segment_id``, ``coder``, ``code_id``.

    Returns
    -------
    list of str
        Coder ids.
    """
    return sorted(independent["coder"].astype(str).unique())


def coder_pair(independent: pd.DataFrame, pair: Sequence[str] | None = None) -> tuple[str, str] | None:
    """The two coders compared by percent agreement and kappa.

    Parameters
    ----------
    independent : pandas.DataFrame
        The independent codings.
    pair : sequence of two str, optional
        The coders, each one of the codings' coders; default the first two coders in sorted order.

    Returns
    -------
    tuple of (str, str) or None
        None when the codings have fewer than two coders.

    Examples
    --------
    >>> codes = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s2", "s3", "s3", "s4", "s4"],
    ...                       "coder": ["A", "B"] * 4,
    ...                       "code_id": ["a.x", "a.x", "a.y", "a.x", "b.z", "b.z", "a.x", "b.z"]})
    >>> coder_pair(codes)
    ('A', 'B')
    >>> coder_pair(codes, ("B", "C"))
    Traceback (most recent call last):
    ...
    samendoen_analysis.errors.ParameterError: unknown coder 'C'; valid values: A, B
    """
    found = coders(independent)
    if pair is not None:
        if len(pair) != 2:
            raise ValueError(f"a coder pair needs two coders, got {list(pair)}")
        return check_option("coder", str(pair[0]), found), check_option("coder", str(pair[1]), found)
    return (found[0], found[1]) if len(found) >= 2 else None


def lifted(independent: pd.DataFrame, codebook: pd.DataFrame, level: str) -> pd.DataFrame:
    """Independent codings at a level: sub-themes lifted to their lens at lens level.

    Parameters
    ----------
    independent : pandas.DataFrame
        Columns ``segment_id``, ``coder``, ``code_id``.
    codebook : pandas.DataFrame
        The codebook (``code_id``, ``parent_id``).
    level : {"lens", "subtheme"}
        Level.

    Returns
    -------
    pandas.DataFrame
        Columns ``segment_id``, ``coder``, ``code_id`` as strings, without duplicate rows.
    """
    check_option("level", level, LEVELS)
    out = pd.DataFrame({col: independent[col].astype(str).to_numpy() for col in ("segment_id", "coder", "code_id")})
    out["code_id"] = lift(out["code_id"], codebook, level)
    return out.dropna(subset=["code_id"]).drop_duplicates().reset_index(drop=True)


def decisions(independent: pd.DataFrame, codebook: pd.DataFrame, level: str) -> pd.DataFrame:
    """The binary reliability data: one row per code and independently coded segment.

    Parameters
    ----------
    independent : pandas.DataFrame
        The independent codings.
    codebook : pandas.DataFrame
        The codebook.
    level : {"lens", "subtheme"}
        Level; the codes are :func:`samendoen_analysis.analysis.measures.level_codes`.

    Returns
    -------
    pandas.DataFrame
        MultiIndex (``code_id``, ``segment_id``), one column per coder; 1.0 applied,
        0.0 not applied, NaN when the coder did not code the segment.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a", "a.x", "a.y", "b", "b.z"], "parent_id": ["", "a", "a", "", "b"],
    ...                      "kind": ["lens", "subtheme", "subtheme", "lens", "subtheme"]})
    >>> codes = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s2", "s3", "s3", "s4", "s4"],
    ...                       "coder": ["A", "B"] * 4,
    ...                       "code_id": ["a.x", "a.x", "a.y", "a.x", "b.z", "b.z", "a.x", "b.z"]})
    >>> decisions(codes, book, "lens").loc["b"]  # doctest: +NORMALIZE_WHITESPACE
    coder         A    B
    segment_id
    s1          0.0  0.0
    s2          0.0  0.0
    s3          1.0  1.0
    s4          0.0  1.0
    """
    rows = lifted(independent, codebook, level)
    codes, who = level_codes(codebook, level), coders(independent)
    segments = sorted(rows["segment_id"].unique())
    index = pd.MultiIndex.from_product([codes, segments], names=["code_id", "segment_id"])
    applied = pd.crosstab([rows["code_id"], rows["segment_id"]], rows["coder"]).reindex(
        index=index, columns=who, fill_value=0) > 0
    coded = pd.crosstab(rows["segment_id"], rows["coder"]).reindex(index=segments, columns=who, fill_value=0) > 0
    mask = np.tile(coded.to_numpy(), (len(codes), 1))
    values = applied.to_numpy(dtype="float64")
    return pd.DataFrame(np.where(mask, values, np.nan), index=index, columns=pd.Index(who, name="coder"))


def _both(a: Sequence[float], b: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    keep = ~(np.isnan(a) | np.isnan(b))
    return a[keep], b[keep]


def percent_agreement(a: Sequence[float], b: Sequence[float]) -> float:
    """Share of units (in %) where two coders gave the same value; units missing for either are left out.

    Parameters
    ----------
    a, b : sequence of float
        Values of the two coders per unit; NaN is missing.

    Returns
    -------
    float
        Percent agreement, NaN without a unit coded by both.

    Examples
    --------
    >>> percent_agreement([1, 0, 1, 0], [1, 0, 0, 0])
    75.0
    """
    a, b = _both(a, b)
    return float(100 * np.mean(a == b)) if len(a) else float("nan")


def cohen_kappa(a: Sequence[float], b: Sequence[float]) -> float:
    """Cohen's kappa of two coders (scikit-learn); units missing for either are left out.

    Parameters
    ----------
    a, b : sequence of float
        Values of the two coders per unit; NaN is missing.

    Returns
    -------
    float
        Kappa; NaN when it is undefined (no unit, or both coders gave one and the same value
        throughout, so that chance agreement is 1).

    Examples
    --------
    >>> round(cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]), 3)
    0.5
    """
    a, b = _both(a, b)
    if len(a) == 0:
        return float("nan")
    values = np.union1d(a, b)
    chance = sum(np.mean(a == v) * np.mean(b == v) for v in values)
    if chance >= 1:
        return float("nan")
    return float(cohen_kappa_score(a, b, labels=values))


def krippendorff_alpha(data: pd.DataFrame | np.ndarray) -> float:
    """Krippendorff's alpha for nominal data, any number of coders, missing values allowed.

    Parameters
    ----------
    data : pandas.DataFrame or numpy.ndarray
        Reliability data: one row per *unit*, one column per coder (the layout of
        :func:`decisions`), NaN for missing. This is the transpose of the ``krippendorff``
        package's coders-by-units layout.

    Returns
    -------
    float
        Alpha; NaN when it is undefined (no unit with two values, or one value throughout
        the pairable units).

    Examples
    --------
    >>> round(krippendorff_alpha(np.array([[1, 1], [0, 0], [1, 0], [0, 0]])), 3)
    0.533
    """
    matrix = np.asarray(data, dtype="float64")
    pairable = matrix[(~np.isnan(matrix)).sum(axis=1) >= 2]
    observed = pairable[~np.isnan(pairable)]
    if len(np.unique(observed)) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=pairable.T, level_of_measurement="nominal"))


def _statistics(table: pd.DataFrame, pair: tuple[str, str] | None) -> dict[str, float]:
    if pair is None or not set(pair) <= set(table.columns):
        first = second = np.full(len(table), np.nan)
    else:
        first, second = table[pair[0]].to_numpy(), table[pair[1]].to_numpy()
    a, b = _both(first, second)
    return {
        "decisions": int(len(a)),
        "applied_a": int(a.sum()),
        "applied_b": int(b.sum()),
        "agreement": percent_agreement(first, second),
        "kappa": cohen_kappa(first, second),
        "alpha": krippendorff_alpha(table),
    }


def agreement_by_code(
    independent: pd.DataFrame, codebook: pd.DataFrame, level: str, pair: Sequence[str] | None = None
) -> pd.DataFrame:
    """Percent agreement, kappa and alpha per code at a level.

    Parameters
    ----------
    independent : pandas.DataFrame
        The independent codings.
    codebook : pandas.DataFrame
        The codebook.
    level : {"lens", "subtheme"}
        Level.
    pair : sequence of two str, optional
        Coders for percent agreement and kappa (see :func:`coder_pair`); alpha uses all coders.

    Returns
    -------
    pandas.DataFrame
        Columns ``code_id``, ``decisions`` (segments coded by both of the pair),
        ``applied_a``, ``applied_b`` (how often each of the pair applied the code),
        ``agreement`` (%), ``kappa``, ``alpha``; codebook order.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a", "a.x", "a.y", "b", "b.z"], "parent_id": ["", "a", "a", "", "b"],
    ...                      "kind": ["lens", "subtheme", "subtheme", "lens", "subtheme"]})
    >>> codes = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s2", "s3", "s3", "s4", "s4"],
    ...                       "coder": ["A", "B"] * 4,
    ...                       "code_id": ["a.x", "a.x", "a.y", "a.x", "b.z", "b.z", "a.x", "b.z"]})
    >>> agreement_by_code(codes, book, "lens").round(2)
      code_id  decisions  applied_a  applied_b  agreement  kappa  alpha
    0       a          4          3          2       75.0    0.5   0.53
    1       b          4          1          2       75.0    0.5   0.53
    """
    table, chosen = decisions(independent, codebook, level), coder_pair(independent, pair)
    code_of = table.index.get_level_values("code_id")
    rows = [{"code_id": code, **_statistics(table[code_of == code], chosen)} for code in level_codes(codebook, level)]
    return pd.DataFrame(rows)


def overall_agreement(
    independent: pd.DataFrame, codebook: pd.DataFrame, level: str, pair: Sequence[str] | None = None
) -> pd.DataFrame:
    """Agreement over all codes of a level, pooled and as the mean over codes.

    Parameters
    ----------
    independent : pandas.DataFrame
        The independent codings.
    codebook : pandas.DataFrame
        The codebook.
    level : {"lens", "subtheme"}
        Level.
    pair : sequence of two str, optional
        Coders for percent agreement and kappa.

    Returns
    -------
    pandas.DataFrame
        Two rows, ``method`` ``pooled`` and ``mean_over_codes``; columns ``level``, ``method``,
        ``segments`` (independently coded), ``decisions``, ``agreement``, ``kappa``, ``alpha``.
        The mean leaves out codes where a coefficient is undefined.
    """
    table = decisions(independent, codebook, level)
    pooled = _statistics(table, coder_pair(independent, pair))
    per_code = agreement_by_code(independent, codebook, level, pair)
    segments = table.index.get_level_values("segment_id").nunique()
    rows = [
        {"level": level, "method": POOLED, "segments": segments, "decisions": pooled["decisions"],
         **{s: pooled[s] for s in STATISTICS}},
        {"level": level, "method": MEAN, "segments": segments, "decisions": pooled["decisions"],
         **{s: _mean(per_code[s]) for s in STATISTICS}},
    ]
    return pd.DataFrame(rows)


def _mean(values: pd.Series) -> float:
    defined = values.dropna()
    return float(defined.mean()) if len(defined) else float("nan")


def agreement_summary(
    independent: pd.DataFrame, codebook: pd.DataFrame, pair: Sequence[str] | None = None
) -> pd.DataFrame:
    """:func:`overall_agreement` at lens and at sub-theme level, one table.

    Parameters
    ----------
    independent : pandas.DataFrame
        The independent codings.
    codebook : pandas.DataFrame
        The codebook.
    pair : sequence of two str, optional
        Coders for percent agreement and kappa.

    Returns
    -------
    pandas.DataFrame
        Four rows (two levels × pooled/mean), columns as in :func:`overall_agreement` plus
        ``identical`` (% of segments coded by both with exactly the same codes at the level).

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a", "a.x", "a.y", "b", "b.z"], "parent_id": ["", "a", "a", "", "b"],
    ...                      "kind": ["lens", "subtheme", "subtheme", "lens", "subtheme"]})
    >>> codes = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s2", "s3", "s3", "s4", "s4"],
    ...                       "coder": ["A", "B"] * 4,
    ...                       "code_id": ["a.x", "a.x", "a.y", "a.x", "b.z", "b.z", "a.x", "b.z"]})
    >>> agreement_summary(codes, book)[["level", "method", "agreement", "kappa", "identical"]].round(2)
          level           method  agreement  kappa  identical
    0      lens           pooled      75.00   0.50       75.0
    1      lens  mean_over_codes      75.00   0.50       75.0
    2  subtheme           pooled      66.67   0.25       50.0
    3  subtheme  mean_over_codes      66.67   0.17       50.0
    """
    frames = []
    for level in LEVELS:
        frame = overall_agreement(independent, codebook, level, pair)
        frames.append(frame.assign(identical=identical_share(independent, codebook, level, pair)))
    return pd.concat(frames, ignore_index=True)


def code_sets(
    independent: pd.DataFrame, codebook: pd.DataFrame, level: str, pair: Sequence[str] | None = None,
    tags: bool = True,
) -> pd.DataFrame:
    """Per segment coded by both coders of the pair: the set of codes each gave at a level.

    Parameters
    ----------
    independent : pandas.DataFrame
        The independent codings.
    codebook : pandas.DataFrame
        The codebook.
    level : {"lens", "subtheme"}
        Level.
    pair : sequence of two str, optional
        The coders.
    tags : bool
        Keep the tags; False keeps only lenses or sub-themes.

    Returns
    -------
    pandas.DataFrame
        Index ``segment_id`` (sorted); columns named after the two coders, each holding a
        tuple of code ids in codebook order.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a", "a.x", "a.y", "b", "b.z"], "parent_id": ["", "a", "a", "", "b"],
    ...                      "kind": ["lens", "subtheme", "subtheme", "lens", "subtheme"]})
    >>> codes = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s2", "s3", "s3", "s4", "s4"],
    ...                       "coder": ["A", "B"] * 4,
    ...                       "code_id": ["a.x", "a.x", "a.y", "a.x", "b.z", "b.z", "a.x", "b.z"]})
    >>> code_sets(codes, book, "lens")  # doctest: +NORMALIZE_WHITESPACE
                   A     B
    segment_id
    s1          (a,)  (a,)
    s2          (a,)  (a,)
    s3          (b,)  (b,)
    s4          (a,)  (b,)
    """
    chosen = coder_pair(independent, pair)
    if chosen is None:
        return pd.DataFrame(columns=["first", "second"], index=pd.Index([], name="segment_id"))
    allowed = level_codes(codebook, level) if tags else base_codes(codebook, level)
    order = {code: i for i, code in enumerate(level_codes(codebook, level))}
    rows = lifted(independent, codebook, level)
    both = sorted(set(rows.loc[rows["coder"] == chosen[0], "segment_id"])
                  & set(rows.loc[rows["coder"] == chosen[1], "segment_id"]))
    rows = rows[rows["code_id"].isin(allowed) & rows["segment_id"].isin(both)]
    out = pd.DataFrame(index=pd.Index(both, name="segment_id"))
    for coder in chosen:
        mine = rows[rows["coder"] == coder].groupby("segment_id")["code_id"].agg(
            lambda c: tuple(sorted(c, key=order.__getitem__)))
        out[coder] = [mine.get(s, ()) for s in both]
    return out


def identical_share(
    independent: pd.DataFrame, codebook: pd.DataFrame, level: str, pair: Sequence[str] | None = None
) -> float:
    """Percentage of segments coded by both where the two gave exactly the same codes at a level.

    Parameters
    ----------
    independent : pandas.DataFrame
        The independent codings.
    codebook : pandas.DataFrame
        The codebook.
    level : {"lens", "subtheme"}
        Level (tags included).
    pair : sequence of two str, optional
        The coders.

    Returns
    -------
    float
        Percentage; NaN without a segment coded by both.
    """
    sets = code_sets(independent, codebook, level, pair)
    if sets.empty:
        return float("nan")
    return float(100 * (sets.iloc[:, 0] == sets.iloc[:, 1]).mean())


def _pairs_of(first: tuple[str, ...], second: tuple[str, ...]) -> list[tuple[str, str]]:
    common = [c for c in first if c in second]
    rest_a = [c for c in first if c not in second]
    rest_b = [c for c in second if c not in first]
    return [(c, c) for c in common] + list(zip_longest(rest_a, rest_b, fillvalue=NONE))


def confusion_pairs(
    independent: pd.DataFrame, codebook: pd.DataFrame, level: str, pair: Sequence[str] | None = None
) -> pd.DataFrame:
    """The code pairs behind the confusion matrix, one row per pair (see the module docstring).

    Parameters
    ----------
    independent : pandas.DataFrame
        The independent codings.
    codebook : pandas.DataFrame
        The codebook.
    level : {"lens", "subtheme"}
        Level; tags are left out.
    pair : sequence of two str, optional
        The coders.

    Returns
    -------
    pandas.DataFrame
        Columns ``segment_id``, ``first``, ``second`` (a code id or ``(none)``).
    """
    sets = code_sets(independent, codebook, level, pair, tags=False)
    rows = [(segment, a, b) for segment, (first, second) in zip(sets.index, sets.to_numpy(), strict=True)
            for a, b in _pairs_of(tuple(first), tuple(second))]
    return pd.DataFrame(rows, columns=["segment_id", "first", "second"])


def confusion_matrix(
    independent: pd.DataFrame, codebook: pd.DataFrame, level: str, pair: Sequence[str] | None = None
) -> pd.DataFrame:
    """Codes of the first coder (rows) against codes of the second (columns) on segments both coded.

    Parameters
    ----------
    independent : pandas.DataFrame
        The independent codings.
    codebook : pandas.DataFrame
        The codebook.
    level : {"lens", "subtheme"}
        Level; tags are left out.
    pair : sequence of two str, optional
        The coders; the row and column axes are named after them.

    Returns
    -------
    pandas.DataFrame
        Counts, every base code of the level plus ``(none)`` on both axes, codebook order.
        The diagonal counts agreements; row sums are the first coder's code frequencies.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a", "a.x", "a.y", "b", "b.z"], "parent_id": ["", "a", "a", "", "b"],
    ...                      "kind": ["lens", "subtheme", "subtheme", "lens", "subtheme"]})
    >>> codes = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s2", "s3", "s3", "s4", "s4"],
    ...                       "coder": ["A", "B"] * 4,
    ...                       "code_id": ["a.x", "a.x", "a.y", "a.x", "b.z", "b.z", "a.x", "b.z"]})
    >>> confusion_matrix(codes, book, "lens")  # doctest: +NORMALIZE_WHITESPACE
    B       a  b  (none)
    A
    a       2  1       0
    b       0  1       0
    (none)  0  0       0
    """
    chosen = coder_pair(independent, pair) or ("first", "second")
    pairs = confusion_pairs(independent, codebook, level, pair)
    labels = [*base_codes(codebook, level), NONE]
    counts = pd.crosstab(pd.Categorical(pairs["first"], categories=labels),
                         pd.Categorical(pairs["second"], categories=labels), dropna=False)
    counts = counts.reindex(index=labels, columns=labels, fill_value=0).astype("int64")
    counts.index.name, counts.columns.name = chosen
    return counts


def disagreements(
    independent: pd.DataFrame,
    codebook: pd.DataFrame,
    level: str,
    consensus: pd.DataFrame | None = None,
    segments: pd.DataFrame | None = None,
    pair: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every decision where the two coders differ, with the segment behind it.

    Parameters
    ----------
    independent : pandas.DataFrame
        The independent codings.
    codebook : pandas.DataFrame
        The codebook.
    level : {"lens", "subtheme"}
        Level (tags included).
    consensus : pandas.DataFrame, optional
        The consensus codings (``codings.csv``): adds whether the code ended up in the consensus.
    segments : pandas.DataFrame, optional
        The segments: adds ``respondent_id`` and ``text``.
    pair : sequence of two str, optional
        The coders.

    Returns
    -------
    pandas.DataFrame
        Columns ``segment_id``, ``code_id``, one 0/1 column per coder of the pair and, when
        given the inputs, ``consensus`` (0/1), ``respondent_id`` and ``text``; sorted by segment
        and codebook order.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a", "a.x", "a.y", "b", "b.z"], "parent_id": ["", "a", "a", "", "b"],
    ...                      "kind": ["lens", "subtheme", "subtheme", "lens", "subtheme"]})
    >>> codes = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s2", "s3", "s3", "s4", "s4"],
    ...                       "coder": ["A", "B"] * 4,
    ...                       "code_id": ["a.x", "a.x", "a.y", "a.x", "b.z", "b.z", "a.x", "b.z"]})
    >>> disagreements(codes, book, "lens")
      segment_id code_id  A  B
    0         s4       a  1  0
    1         s4       b  0  1
    """
    chosen = coder_pair(independent, pair)
    columns = ["segment_id", "code_id", *(chosen or ())]
    if chosen is None:
        return pd.DataFrame(columns=columns)
    table = decisions(independent, codebook, level)[list(chosen)].dropna()
    differ = table[table[chosen[0]] != table[chosen[1]]].astype("int64").reset_index()
    order = {code: i for i, code in enumerate(level_codes(codebook, level))}
    differ = differ.sort_values(["segment_id", "code_id"], key=lambda s: s.map(order) if s.name == "code_id" else s)
    differ = differ[columns].reset_index(drop=True)
    differ.columns.name = None
    if consensus is not None:
        final = lifted(consensus.assign(coder="consensus"), codebook, level)
        agreed = set(zip(final["segment_id"], final["code_id"], strict=True))
        differ["consensus"] = [int((s, c) in agreed) for s, c in zip(differ["segment_id"], differ["code_id"],
                                                                       strict=True)]
    if segments is not None:
        info = segments.assign(segment_id=segments["segment_id"].astype(str)).set_index("segment_id")
        differ = differ.join(info[["respondent_id", "text"]], on="segment_id")
    return differ


def prevailed(found: pd.DataFrame) -> pd.DataFrame:
    """Per code: how many disagreements there were and whose coding the consensus kept.

    Parameters
    ----------
    found : pandas.DataFrame
        From :func:`disagreements` with ``consensus``; the two columns after ``code_id`` are the coders.

    Returns
    -------
    pandas.DataFrame
        Columns ``code_id``, ``disagreements`` and one column per coder: how often the consensus
        equals that coder's decision. Codes without disagreement are left out; code order kept.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a", "a.x", "a.y", "b", "b.z"], "parent_id": ["", "a", "a", "", "b"],
    ...                      "kind": ["lens", "subtheme", "subtheme", "lens", "subtheme"]})
    >>> codes = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s2", "s3", "s3", "s4", "s4"],
    ...                       "coder": ["A", "B"] * 4,
    ...                       "code_id": ["a.x", "a.x", "a.y", "a.x", "b.z", "b.z", "a.x", "b.z"]})
    >>> consensus = pd.DataFrame({"segment_id": ["s4"], "code_id": ["b.z"]})
    >>> prevailed(disagreements(codes, book, "lens", consensus=consensus))
      code_id  disagreements  A  B
    0       a              1  0  1
    1       b              1  0  1
    """
    who = list(found.columns[2:4])
    rows = []
    for code, part in found.groupby("code_id", sort=False):
        rows.append({"code_id": code, "disagreements": len(part),
                     **{c: int((part[c] == part["consensus"]).sum()) for c in who}})
    return pd.DataFrame(rows, columns=["code_id", "disagreements", *who])


def agreement_by_group(
    independent: pd.DataFrame,
    codebook: pd.DataFrame,
    level: str,
    groups: pd.Series,
    pair: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Pooled agreement separately for groups of segments, for example by who held the interview.

    Parameters
    ----------
    independent : pandas.DataFrame
        The independent codings.
    codebook : pandas.DataFrame
        The codebook.
    level : {"lens", "subtheme"}
        Level.
    groups : pandas.Series
        Group of each segment, indexed by ``segment_id``.
    pair : sequence of two str, optional
        Coders for percent agreement and kappa.

    Returns
    -------
    pandas.DataFrame
        One row per group (sorted): ``group``, ``segments`` and the pooled ``decisions``,
        ``agreement``, ``kappa``, ``alpha``.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a", "a.x", "a.y", "b", "b.z"], "parent_id": ["", "a", "a", "", "b"],
    ...                      "kind": ["lens", "subtheme", "subtheme", "lens", "subtheme"]})
    >>> codes = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s2", "s3", "s3", "s4", "s4"],
    ...                       "coder": ["A", "B"] * 4,
    ...                       "code_id": ["a.x", "a.x", "a.y", "a.x", "b.z", "b.z", "a.x", "b.z"]})
    >>> who = pd.Series(["J1", "J1", "J2", "J2"], index=["s1", "s2", "s3", "s4"])
    >>> agreement_by_group(codes, book, "lens", who)[["group", "segments", "agreement", "kappa"]].round(2)
      group  segments  agreement  kappa
    0    J1         2      100.0    1.0
    1    J2         2       50.0    0.0
    """
    check_option("level", level, LEVELS)
    coder_pair(independent, pair)
    group_of = pd.Series(groups.astype(str).to_numpy(), index=groups.index.astype(str))
    codes = independent.assign(group=independent["segment_id"].astype(str).map(group_of))
    rows = []
    for group, part in codes.groupby("group", sort=True):
        pooled = overall_agreement(part.drop(columns="group"), codebook, level, pair).iloc[0]
        rows.append({"group": group, "segments": int(pooled["segments"]), "decisions": int(pooled["decisions"]),
                     **{s: float(pooled[s]) for s in STATISTICS}})
    return pd.DataFrame(rows, columns=["group", "segments", "decisions", *STATISTICS])


__all__ = [
    "MEAN", "NONE", "POOLED", "STATISTICS", "agreement_by_code", "agreement_by_group",
    "agreement_summary", "code_sets", "coder_pair", "coders", "cohen_kappa", "confusion_matrix",
    "confusion_pairs", "decisions", "disagreements", "identical_share", "krippendorff_alpha", "lifted",
    "overall_agreement", "percent_agreement", "prevailed",
]
