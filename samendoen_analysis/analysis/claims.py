"""The article's findings as testable claims, evaluated on any corpus, with their uncertainty.

The claims live in ``data/claims.csv`` (what the article says, where, and how it is tested);
this module only computes. A claim is read twice:

* its **verdict** reads one group-by-code table (so the same function serves every measure,
  normalisation and leave-one-out) and is three-valued: ``holds``, ``does not hold`` or
  ``not evaluable`` with the reason (a group absent from the selection, or nothing to divide);
  an absent group never counts as zero; the rules run on a stack of such tables at once
  (:func:`evaluate_stack`), so leave-one-out judges thousands of selections in one pass;
* its **inference** reads the respondents behind the table: the effect as a ratio, an exact
  permutation p-value against the claim's threshold and a confidence interval by test
  inversion (:mod:`samendoen_analysis.analysis.inference`), and the threshold at which the
  verdict would flip.

Which test answers which kind of claim (see the README, "Which test answers which claim"):

* ``ratio`` (C2-C5): two groups, ratio of their means, labels permuted within schools;
* ``top_code`` (C1): within each person the lens against every other lens, paired sign-flips;
  the claim needs all comparisons, so its p-value is the largest (intersection-union test);
* ``share_of_code`` (C6): the group's share of the code against everyone else's, labels
  permuted; the share threshold is turned into the matching ratio of means;
* ``subcode_share`` and ``co_occurrence`` (C7): within each person the tag's words in the
  sub-codes against its other words, paired sign-flips.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from samendoen_analysis.analysis.inference import Inference, paired_test, ratio_test
from samendoen_analysis.analysis.measures import group_table, respondent_matrix
from samendoen_analysis.data.corpus import Corpus
from samendoen_analysis.vocabulary import (
    CLAIM_TESTS,
    LEVELS,
    MEASURES,
    NORMALISATIONS,
    PAIR_SEPARATOR,
    base_codes,
    check_option,
    lift,
)

HOLDS, FAILS, NOT_EVALUABLE = "holds", "does not hold", "not evaluable"
VERDICTS = (HOLDS, FAILS, NOT_EVALUABLE)
SHARE_TESTS = ("subcode_share", "co_occurrence")
SUBCODE_SEPARATOR = "|"
LEVEL = 0.95


@dataclass(frozen=True)
class Check:
    """The verdict of one claim on one table."""

    statistic: float
    verdict: str
    reason: str
    evidence: str

    @property
    def holds(self) -> bool | None:
        """True, False, or None when the claim cannot be evaluated."""
        return None if self.verdict == NOT_EVALUABLE else self.verdict == HOLDS


def split_groups(value: str) -> list[str]:
    """Split a claim's ``groups`` field ("teacher;external_partner") into a list."""
    return [g for g in str(value).split(";") if g]


def subcodes_of(claim: pd.Series | dict) -> list[str]:
    """The sub-codes a share claim reads: the ``subcodes`` field, or the lens of a co-occurrence claim."""
    if claim["test"] == "co_occurrence":
        return split_groups(claim["groups"])[:1]
    value = claim.get("subcodes", "")
    return split_groups("" if pd.isna(value) else value)


def share_groups(claim: pd.Series | dict) -> list[str]:
    """Role groups whose words a share claim counts (empty: everyone)."""
    return [] if claim["test"] == "co_occurrence" else split_groups(claim["groups"])


def share_column(claim: pd.Series | dict) -> str:
    """Matrix column of a share claim: the tag's value in segments that also carry a sub-code."""
    return f"{claim['code_id']}{PAIR_SEPARATOR}{SUBCODE_SEPARATOR.join(subcodes_of(claim))}"


def _share_columns(corpus: Corpus, measure: str, claims: pd.DataFrame) -> pd.DataFrame:
    """Per respondent the value of segments carrying a claim's tag and any of its sub-codes."""
    # Whole-column arrays rather than sets of segment ids: a million segments take a fraction of a second.
    segments = corpus.segments
    where = pd.Index(segments["segment_id"].astype(str)).get_indexer(corpus.codings["segment_id"].astype(str))
    # A segment carries a code at either level: as coded (sub-theme or tag) or lifted to its lens or tag.
    # Each distinct code is lifted once; a coding is matched through its code's number.
    inverse, distinct = pd.factorize(corpus.codings["code_id"], use_na_sentinel=False)
    distinct = pd.Series(distinct, dtype=object).astype(str)
    # A coding of a segment outside the selection counts for nobody.
    where, inverse = where[where >= 0], inverse[where >= 0]
    levels = [lift(distinct, corpus.codebook, level) for level in LEVELS]
    index = pd.Index(corpus.respondents["respondent_id"], name="respondent_id")
    owner = index.get_indexer(segments["respondent_id"].astype(str))
    values = segments["words"].to_numpy(dtype="int64") if measure == "words" else np.ones(len(segments), "int64")
    columns = {}
    for claim in claims[claims["test"].isin(SHARE_TESTS)].to_dict("records"):
        inside = _carrying(where, inverse, levels, [claim["code_id"]], len(segments)) & _carrying(
            where, inverse, levels, subcodes_of(claim), len(segments)) & (owner >= 0)
        column = np.zeros(len(index), "int64")
        np.add.at(column, owner[inside], values[inside])
        columns[share_column(claim)] = (column > 0).astype("int64") if measure == "respondents" else column
    return pd.DataFrame(columns, index=index).astype("int64")


def _carrying(where: np.ndarray, inverse: np.ndarray, levels: list[pd.Series], codes: list[str],
              n_segments: int) -> np.ndarray:
    """Which segments carry any of ``codes`` at either level (``where``: each coding's segment)."""
    mask = np.zeros(n_segments, bool)
    for lifted in levels:
        mask[where[lifted.isin(codes).to_numpy()[inverse]]] = True
    return mask


def claim_matrix(corpus: Corpus, measure: str = "words") -> pd.DataFrame:
    """Respondent-by-code matrix with every column a claim reads (lenses, tags, share columns).

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus, possibly a subset.
    measure : {"words", "segments", "respondents"}
        Measure of emphasis.

    Returns
    -------
    pandas.DataFrame
        Index ``respondent_id``, one column per code and per share claim.
    """
    check_option("measure", measure, MEASURES)
    # Robustness and leave-one-out ask for the same matrix many times; a frozen Corpus keeps it.
    key = ("claim_matrix", measure)
    if key not in corpus._derived:
        matrix = respondent_matrix(corpus, "lens", measure)
        extra = _share_columns(corpus, measure, corpus.claims)
        corpus._derived[key] = pd.concat(
            [matrix, extra.drop(columns=[c for c in extra.columns if c in matrix.columns])], axis=1)
    return corpus._derived[key].copy()


@dataclass(frozen=True)
class Checks:
    """The verdicts of every claim on a stack of group-by-code tables (tables x claims arrays)."""

    statistic: np.ndarray
    verdict: np.ndarray
    reason: np.ndarray
    read: np.ndarray  # whether the check read the table's numbers (its evidence is worth showing)


@dataclass(frozen=True)
class _Stack:
    """Tables of one layout stacked: ``values`` tables x groups x columns, ``present`` tables x groups."""

    values: np.ndarray
    present: np.ndarray
    groups: list[str]
    columns: list[str]

    def at(self, group: str, column: str) -> np.ndarray:
        return self.values[:, self.groups.index(group), self.columns.index(column)]

    def total(self, column: str, groups: Sequence[str] | None = None) -> np.ndarray:
        """Sum over the present groups (all, or those named), a missing value counting as nothing."""
        rows = [self.groups.index(g) for g in groups] if groups else list(range(len(self.groups)))
        values = self.values[:, rows, self.columns.index(column)]
        keep = self.present[:, rows] & ~np.isnan(values)
        # Group by group in the table's order, as pandas sums a column: the same floats to the last bit.
        return np.where(keep, values, 0.0).sum(axis=1)

    def missing(self, groups: Sequence[str]) -> np.ndarray:
        """Tables x groups: which of ``groups`` are absent from each table."""
        return np.stack([self.present[:, self.groups.index(g)] if g in self.groups
                         else np.zeros(len(self.present), bool) for g in groups], axis=1) == 0


def _named(flags: np.ndarray, names: Sequence[str], template: str, joiner: str) -> np.ndarray:
    """Per table the template filled with the flagged names joined (the distinct patterns are few)."""
    text = np.full(len(flags), "", dtype=object)
    patterns, inverse = np.unique(flags, axis=0, return_inverse=True)
    for k, pattern in enumerate(patterns):
        if pattern.any():
            flagged = joiner.join(n for n, f in zip(names, pattern, strict=True) if f)
            text[inverse.reshape(-1) == k] = template.format(flagged)
    return text


class _Verdicts:
    """Statistic and verdict of one claim on every table, with the reasons a table cannot be evaluated."""

    def __init__(self, statistic: np.ndarray, passes: np.ndarray) -> None:
        self.statistic = statistic.astype("float64")
        self.verdict = np.where(passes, HOLDS, FAILS).astype(object)
        self.reason = np.full(len(statistic), "", dtype=object)
        self.read = np.ones(len(statistic), bool)

    def unless(self, where: np.ndarray, reason: np.ndarray | str, read: bool = True) -> _Verdicts:
        """Not evaluable where ``where``; call from the last rule to the first, the first one wins."""
        self.statistic[where] = np.nan
        self.verdict[where] = NOT_EVALUABLE
        self.reason[where] = reason[where] if isinstance(reason, np.ndarray) else reason
        self.read[where] = read
        return self


def _top_code(claim: dict, stack: _Stack, lenses: list[str]) -> _Verdicts:
    groups, code = split_groups(claim["groups"]), claim["code_id"]
    lens_index = [stack.columns.index(c) for c in lenses]
    others = [stack.columns.index(c) for c in lenses if c != code]
    silent, margin = [], None
    for group in groups:
        ranked = stack.values[:, stack.groups.index(group), :][:, lens_index]
        silent.append(np.where(np.isnan(ranked), 0.0, ranked).sum(axis=1) == 0)
        rest = np.fmax.reduce(stack.values[:, stack.groups.index(group), :][:, others], axis=1)
        this = stack.at(group, code) - rest
        # As Python's min() over the groups in order: a later value replaces only when it is smaller.
        margin = this if margin is None else np.where(this < margin, this, margin)
    verdicts = _Verdicts(margin, margin > 0)
    verdicts.unless(np.isnan(margin), "a share is 0/0 in the normalised table")
    silent = np.stack(silent, axis=1)
    return verdicts.unless(silent.any(axis=1), _named(silent, groups, "{}: nothing coded with a lens", " and "),
                           read=False)


def _ratio(claim: dict, stack: _Stack) -> _Verdicts:
    groups, code = split_groups(claim["groups"]), claim["code_id"]
    a, b = (stack.at(g, code) for g in groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.where(b != 0, a / b, np.inf)
    verdicts = _Verdicts(stat, stat >= claim["threshold"])
    verdicts.unless(np.isnan(stat), "a share is 0/0 in the normalised table")
    return verdicts.unless((a == 0) & (b == 0), f"neither group has anything coded {code}")


def _share_of_code(claim: dict, stack: _Stack) -> _Verdicts:
    group, code = split_groups(claim["groups"])[0], claim["code_id"]
    total, own = stack.total(code), stack.at(group, code)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = own / total
    verdicts = _Verdicts(stat, stat >= claim["threshold"])
    verdicts.unless(np.isnan(stat), "a share is 0/0 in the normalised table")
    verdicts.unless(total == 0, f"nothing coded {code}")
    return verdicts.unless(stack.present.sum(axis=1) < 2, f"no group besides {group} in the selection", read=False)


def _subcode_share(claim: dict, stack: _Stack) -> _Verdicts:
    code, groups = claim["code_id"], share_groups(claim)
    inside, total = stack.total(share_column(claim), groups), stack.total(code, groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = inside / total
    return _Verdicts(stat, stat >= claim["threshold"]).unless(total == 0, f"nothing coded {code}")


def _check_stack(claim: dict, stack: _Stack, lenses: list[str]) -> _Verdicts:
    test = check_option("claim test", claim["test"], CLAIM_TESTS)
    groups = share_groups(claim) if test in SHARE_TESTS else split_groups(claim["groups"])
    missing = stack.missing(groups) if groups else np.zeros((len(stack.present), 0), bool)
    absent = missing.any(axis=1)
    if absent.all():  # nothing to read (and a group the tables lack has no column to read)
        verdicts = _Verdicts(np.full(len(absent), np.nan), np.zeros(len(absent), bool))
    else:
        verdicts = {"top_code": lambda: _top_code(claim, stack, lenses), "ratio": lambda: _ratio(claim, stack),
                    "share_of_code": lambda: _share_of_code(claim, stack)}.get(
            test, lambda: _subcode_share(claim, stack))()
    return verdicts.unless(absent, _named(missing, groups, "no {} in the selection", " or "), read=False)


def evaluate_stack(claims: pd.DataFrame, values: np.ndarray, present: np.ndarray, groups: Sequence[str],
                   columns: Sequence[str], lenses: list[str]) -> Checks:
    """Evaluate every claim on many group-by-code tables at once (the one implementation of the rules).

    Leave-one-out asks for the verdicts without each of thousands of units; a stack of tables
    answers them in one pass of array arithmetic per claim. :func:`evaluate_table` is a stack of one.

    Parameters
    ----------
    claims : pandas.DataFrame
        The claims table.
    values : numpy.ndarray
        Tables x role groups x columns (codes including share columns), float.
    present : numpy.ndarray
        Tables x role groups, bool: whether the group is in that table's selection (an absent
        group never counts as zero; its values are not read).
    groups, columns : sequence of str
        Names of the second and third axes of ``values``.
    lenses : list of str
        The lens codes a ``top_code`` claim ranks.

    Returns
    -------
    Checks
        Arrays tables x claims: ``statistic``, ``verdict``, ``reason`` and ``read``.
    """
    stack = _Stack(np.asarray(values, dtype="float64"), np.asarray(present, dtype=bool), list(groups), list(columns))
    checks = [_check_stack(claim, stack, lenses) for claim in claims.to_dict("records")]
    shape = (len(stack.present), len(checks))
    return Checks(*(np.stack([getattr(c, name) for c in checks], axis=1).reshape(shape)
                    for name in ("statistic", "verdict", "reason", "read")))


def _evidence(claim: dict, table: pd.DataFrame, lenses: list[str]) -> str:
    """The numbers a check read, in words."""
    groups, code = split_groups(claim["groups"]), claim["code_id"]
    if claim["test"] == "top_code":
        ranked = {g: table.loc[g, lenses].astype(float) for g in groups}
        return "; ".join(f"{g}: top {r.idxmax()} ({r.max():.4g}), {code} {r[code]:.4g}" for g, r in ranked.items())
    if claim["test"] == "ratio":
        a, b = (float(table.at[g, code]) for g in groups)
        return f"{groups[0]} {a:.4g} vs {groups[1]} {b:.4g}"
    if claim["test"] == "share_of_code":
        return f"{groups[0]} {float(table.at[groups[0], code]):.4g} of {float(table[code].sum()):.4g}"
    rows = table.loc[[g for g in share_groups(claim) if g in table.index]] if share_groups(claim) else table
    return (f"with {' or '.join(subcodes_of(claim))} {float(rows[share_column(claim)].sum()):.4g} "
            f"of {float(rows[code].sum()):.4g}")


def check_claim(claim: pd.Series, table: pd.DataFrame, lenses: list[str]) -> Check:
    """Evaluate one claim on a group-by-code table.

    Parameters
    ----------
    claim : pandas.Series
        A row of the claims table.
    table : pandas.DataFrame
        Rows role groups present in the selection, columns codes (lenses, tags and the share
        columns of :func:`claim_matrix`).
    lenses : list of str
        The lens codes a ``top_code`` claim ranks.

    Returns
    -------
    Check
        Statistic, three-valued verdict, the reason when not evaluable, evidence in words.
    """
    row = evaluate_table(pd.DataFrame([dict(claim)]), table, lenses).iloc[0]
    return Check(row["statistic"], row["verdict"], row["reason"], row["evidence"])


def evaluate_table(claims: pd.DataFrame, table: pd.DataFrame, lenses: list[str]) -> pd.DataFrame:
    """Evaluate every claim on one group-by-code table.

    Parameters
    ----------
    claims : pandas.DataFrame
        The claims table.
    table : pandas.DataFrame
        Rows role groups, columns codes including share columns.
    lenses : list of str
        Lens codes.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id``, ``statistic``, ``verdict``, ``holds`` (nullable), ``reason``, ``evidence``.
    """
    checks = evaluate_stack(claims, table.to_numpy(dtype="float64")[np.newaxis],
                            np.ones((1, len(table.index)), bool), list(table.index), list(table.columns), lenses)
    verdicts = list(checks.verdict[0])
    return pd.DataFrame({
        "claim_id": claims["claim_id"].to_numpy(),
        "statistic": [float(s) for s in checks.statistic[0]],
        "verdict": verdicts,
        "holds": pd.array([None if v == NOT_EVALUABLE else v == HOLDS for v in verdicts], dtype="boolean"),
        "reason": list(checks.reason[0]),
        "evidence": [_evidence(c, table, lenses) if read else ""
                     for c, read in zip(claims.to_dict("records"), checks.read[0], strict=True)],
    })


def ceiling_stack(claims: pd.DataFrame, totals: np.ndarray, sizes: np.ndarray, present: np.ndarray,
                  groups: Sequence[str], columns: Sequence[str], lenses: list[str]) -> np.ndarray:
    """Per table and claim whether the compared values all equal their group's size (everyone touched both).

    Under the ``respondents`` measure such a comparison is a tie at the ceiling: the measure
    cannot show a difference, which is not evidence against the claim.

    Parameters
    ----------
    claims : pandas.DataFrame
        The claims table.
    totals : numpy.ndarray
        Tables x role groups x columns of the ``respondents`` measure, not normalised.
    sizes : numpy.ndarray
        Tables x role groups: respondents per group.
    present : numpy.ndarray
        Tables x role groups, bool.
    groups, columns : sequence of str
        Names of the axes.
    lenses : list of str
        Lens codes.

    Returns
    -------
    numpy.ndarray
        Bool, tables x claims.
    """
    # Counts as floats compare exactly, and a group without other lenses compares -inf, never equal.
    stack = _Stack(np.asarray(totals, dtype="float64"), np.asarray(present, dtype=bool), list(groups), list(columns))
    sizes = np.asarray(sizes, dtype="float64")
    result = np.zeros((len(stack.present), len(claims)), bool)
    for k, claim in enumerate(claims.to_dict("records")):
        names = split_groups(claim["groups"])
        if claim["test"] not in ("ratio", "top_code") or not set(names) <= set(stack.groups):
            continue
        code, full = claim["code_id"], [sizes[:, stack.groups.index(g)] for g in names]
        if claim["test"] == "ratio":
            tied = np.logical_and.reduce([stack.at(g, code) == n for g, n in zip(names, full, strict=True)])
        else:
            others = [stack.columns.index(c) for c in lenses if c != code]
            tied = np.logical_or.reduce([
                (stack.at(g, code) == n) & (stack.values[:, stack.groups.index(g), :][:, others].max(
                    axis=1, initial=-np.inf) == n) for g, n in zip(names, full, strict=True)])
        result[:, k] = tied & ~stack.missing(names).any(axis=1)
    return result


def at_ceiling(claim: dict, totals: pd.DataFrame, sizes: pd.Series, lenses: list[str]) -> bool:
    """Whether a claim's compared values all equal their group's size (everyone touched both).

    Parameters
    ----------
    claim : dict
        A row of the claims table.
    totals : pandas.DataFrame
        Group-by-code table of the ``respondents`` measure, not normalised.
    sizes : pandas.Series
        Respondents per group.
    lenses : list of str
        Lens codes.

    Returns
    -------
    bool
        See :func:`ceiling_stack`, of which this is a stack of one table and one claim.
    """
    groups = list(totals.index)
    return bool(ceiling_stack(pd.DataFrame([dict(claim)]), totals.to_numpy()[np.newaxis],
                              sizes.reindex(groups).to_numpy()[np.newaxis], np.ones((1, len(groups)), bool),
                              groups, list(totals.columns), lenses)[0, 0])


def _strata(people: pd.DataFrame, first: pd.Series) -> np.ndarray | None:
    """Schools as strata when every school in the comparison holds both sides, else None."""
    both = first.groupby(people["school_id"].astype(str)).agg(["min", "max"])
    return people["school_id"].astype(str).to_numpy() if (both["min"] != both["max"]).all() else None


def _ratio_inference(claim: pd.Series, matrix: pd.DataFrame, people: pd.DataFrame, level: float) -> Inference:
    groups = split_groups(claim["groups"])
    inside = people["role_group"].isin(groups).to_numpy()
    first = (people["role_group"] == groups[0])[inside]
    return ratio_test(matrix[claim["code_id"]].to_numpy()[inside], first.to_numpy(), _strata(people[inside], first),
                      float(claim["threshold"]), level)


def _top_code_inference(claim: pd.Series, matrix: pd.DataFrame, people: pd.DataFrame,
                        lenses: list[str], level: float) -> Inference:
    code, weakest, p_value = claim["code_id"], None, 0.0
    for group in split_groups(claim["groups"]):
        rows = matrix[(people["role_group"] == group).to_numpy()]
        for other in (lens for lens in lenses if lens != code):
            result = paired_test(rows[code].to_numpy(), rows[other].to_numpy(), 1.0, level)
            p_value = max(p_value, result.p_value)
            if weakest is None or result.effect < weakest.effect:
                weakest = result
    return Inference(weakest.effect, weakest.low, weakest.high, p_value, 1.0, level, weakest.n_assignments,
                     f"{weakest.design} (largest p over groups and lenses)")


def _to_share(result: Inference, scale: float) -> Inference:
    """Map an interval for a ratio theta to the share scale * theta / (scale * theta + 1)."""
    def share(theta: float) -> float:
        return 1.0 if np.isinf(theta) else scale * theta / (scale * theta + 1)

    return Inference(share(result.effect), share(result.low), share(result.high), result.p_value,
                     share(result.null), result.level, result.n_assignments, result.design)


def _share_of_code_inference(claim: pd.Series, matrix: pd.DataFrame, people: pd.DataFrame,
                             level: float) -> Inference:
    group, s0 = split_groups(claim["groups"])[0], float(claim["threshold"])
    first = people["role_group"] == group
    n1, n2 = int(first.sum()), int((~first).sum())
    # share = n1*m1 / (n1*m1 + n2*m2), so share >= s0 exactly when m1/m2 >= s0/(1-s0) * n2/n1.
    null = s0 / (1 - s0) * n2 / n1 if s0 < 1 else np.inf
    result = ratio_test(matrix[claim["code_id"]].to_numpy(), first.to_numpy(), _strata(people, first), null, level)
    return _to_share(result, n1 / n2)


def _subcode_share_inference(claim: pd.Series, matrix: pd.DataFrame, people: pd.DataFrame,
                             level: float) -> Inference:
    groups, s0 = share_groups(claim), float(claim["threshold"])
    rows = matrix[people["role_group"].isin(groups).to_numpy()] if groups else matrix
    inside, total = rows[share_column(claim)].to_numpy(), rows[claim["code_id"]].to_numpy()
    null = s0 / (1 - s0) if s0 < 1 else np.inf
    return _to_share(paired_test(inside, total - inside, null, level), 1.0)


def claim_inference(claim: pd.Series, matrix: pd.DataFrame, people: pd.DataFrame,
                    lenses: list[str], level: float = LEVEL) -> Inference:
    """Effect, exact p-value against the threshold and interval of one evaluable claim.

    Parameters
    ----------
    claim : pandas.Series
        A row of the claims table.
    matrix : pandas.DataFrame
        From :func:`claim_matrix`.
    people : pandas.DataFrame
        The respondents of the matrix, in its order, with ``role_group`` and ``school_id``.
    lenses : list of str
        Lens codes.
    level : float
        Coverage of the interval.

    Returns
    -------
    Inference
        On the claim's own scale: a ratio, a lead ratio (top_code) or a share.
    """
    test = check_option("claim test", claim["test"], CLAIM_TESTS)
    if test == "ratio":
        return _ratio_inference(claim, matrix, people, level)
    if test == "top_code":
        return _top_code_inference(claim, matrix, people, lenses, level)
    if test == "share_of_code":
        return _share_of_code_inference(claim, matrix, people, level)
    return _subcode_share_inference(claim, matrix, people, level)


def _flip(claim: pd.Series, check: Check, result: Inference | None) -> float:
    """The threshold at which the verdict would flip, on the claim's scale."""
    if check.verdict == NOT_EVALUABLE:
        return np.nan
    return result.effect if claim["test"] == "top_code" else check.statistic


INFERENCE_COLUMNS = ["effect", "ci_low", "ci_high", "p_value", "flip_threshold", "design", "assignments"]


def evaluate_claims(
    corpus: Corpus, measure: str = "words", normalisation: str = "none", level: float = LEVEL
) -> pd.DataFrame:
    """Evaluate the corpus's claims: verdict, effect, interval, p-value and flip threshold per claim.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus, possibly a subset.
    measure : {"words", "segments", "respondents"}
        Measure of emphasis.
    normalisation : {"none", "per_respondent", "share_within_group", "share_within_code"}
        Normalisation of the role-group table the verdict reads.
    level : float
        Coverage of the confidence intervals.

    Returns
    -------
    pandas.DataFrame
        The claims with ``statistic``, ``threshold``, ``verdict``, ``holds`` (NA when not
        evaluable), ``reason``, ``evidence``, and the inference columns ``effect``, ``ci_low``,
        ``ci_high``, ``p_value`` (one-sided, against the threshold), ``flip_threshold``, ``design``
        and ``assignments`` (relabellings the p-value is counted over).

    Examples
    --------
    >>> from samendoen_analysis import load_corpus
    >>> result = evaluate_claims(load_corpus())
    >>> result[["claim_id", "test", "verdict"]].head(3)
      claim_id      test verdict
    0       C1  top_code   holds
    1       C2     ratio   holds
    2       C3     ratio   holds
    """
    check_option("normalisation", normalisation, NORMALISATIONS)
    matrix = claim_matrix(corpus, measure)
    lenses = base_codes(corpus.codebook, "lens")
    people = corpus.respondents.set_index("respondent_id").reindex(matrix.index)
    table = group_table(matrix, corpus.respondents, ("role_group",), normalisation, lenses)
    verdicts = evaluate_table(corpus.claims, table, lenses)
    if measure == "respondents":
        totals = group_table(matrix, corpus.respondents, ("role_group",), "none", lenses)
        sizes = people["role_group"].value_counts()
        tied = [v == FAILS and at_ceiling(c, totals, sizes, lenses)
                for c, v in zip(corpus.claims.to_dict("records"), verdicts["verdict"], strict=True)]
        verdicts.loc[tied, "reason"] = "tie at the ceiling: everyone in the compared groups touched both"
    rows = []
    for claim, check in zip(corpus.claims.to_dict("records"), verdicts.itertuples(index=False), strict=True):
        claim = pd.Series(claim)
        result = None if check.verdict == NOT_EVALUABLE else claim_inference(claim, matrix, people, lenses, level)
        checked = Check(check.statistic, check.verdict, check.reason, check.evidence)
        rows.append([np.nan] * 5 + ["", 0] if result is None else [
            result.effect, result.low, result.high, result.p_value, _flip(claim, checked, result), result.design,
            result.n_assignments])
    inference = pd.DataFrame(rows, columns=INFERENCE_COLUMNS).assign(claim_id=verdicts["claim_id"].to_numpy())
    columns = ["claim_id", "code_id", "test", "groups", "threshold", "section", "summary_en", "summary_nl"]
    return (corpus.claims[columns].merge(verdicts, on="claim_id").merge(inference, on="claim_id")
            .assign(measure=measure, normalisation=normalisation, level=level))


def _fmt(value: float) -> str:
    return "∞" if np.isinf(value) else f"{value:.3g}"


def uncertainty_text(result: pd.DataFrame, alpha: float = 0.05) -> str:
    """Sentences about the verdicts and their uncertainty that are true of the numbers given.

    Parameters
    ----------
    result : pandas.DataFrame
        From :func:`evaluate_claims`.
    alpha : float
        Level below which a one-sided p-value is called small.

    Returns
    -------
    str
        Markdown.
    """
    lines = []
    missing = result[result["verdict"] == NOT_EVALUABLE]
    done = result[result["verdict"] != NOT_EVALUABLE]
    counts = done["verdict"].value_counts()
    lines.append(f"Of {len(result)} claims, {len(done)} can be evaluated on this selection: "
                 f"{counts.get(HOLDS, 0)} {'holds' if counts.get(HOLDS, 0) == 1 else 'hold'} and "
                 f"{counts.get(FAILS, 0)} {'does' if counts.get(FAILS, 0) == 1 else 'do'} not.")
    for row in missing.itertuples():
        lines.append(f"- {row.claim_id} cannot be evaluated: {row.reason}.")
    for row in done[(done["verdict"] == FAILS) & (done["reason"] != "")].itertuples():
        lines.append(f"- {row.claim_id} does not hold, but as a {row.reason}.")
    threshold = done["threshold"].fillna(1.0).astype(float)
    above = done[(done["verdict"] == HOLDS) & (done["ci_low"] > threshold)]
    reaching = done[(done["verdict"] == HOLDS) & (done["ci_low"] <= threshold)]
    level = f"{result['level'].iloc[0]:.0%}" if len(result) else ""
    if len(above):
        lines.append(f"- Of the claims that hold, the whole {level} interval lies above the threshold for "
                     f"{', '.join(above['claim_id'])}.")
    for row in reaching.itertuples():
        lines.append(f"- {row.claim_id} holds on the point estimate ({_fmt(row.effect)}), but its {level} interval "
                     f"({_fmt(row.ci_low)} to {_fmt(row.ci_high)}) reaches down to or below the threshold "
                     f"({_fmt(1.0 if pd.isna(row.threshold) else row.threshold)}): the data are also compatible "
                     "with a weaker difference than the claim states.")
    small = done[done["p_value"] < alpha]
    if len(done):
        lines.append(f"- {len(small)} of {len(done)} one-sided p-values against the threshold are below {alpha}; "
                     f"they range from {done['p_value'].min():.3g} to {done['p_value'].max():.3g}.")
        both = done[(done["p_value"] < alpha) & (done["ci_low"] <= threshold)]
        if len(both):
            lines.append(f"- {', '.join(both['claim_id'])}: p is below {alpha} while the interval reaches the "
                         f"threshold; the p-value is one-sided and each side of the {level} interval leaves out "
                         f"{(1 - result['level'].iloc[0]) / 2:.1%}, so both are right.")
        floor = done[done["design"].str.contains("exact")]
        for n, ids in floor.groupby("assignments")["claim_id"]:
            lines.append(f"- With {n} relabellings ({', '.join(ids)}) no p-value can be below 1/{n} = {1 / n:.3g}.")
    return "\n".join(lines)


__all__ = [
    "FAILS", "HOLDS", "NOT_EVALUABLE", "SHARE_TESTS", "VERDICTS", "Check", "Checks", "at_ceiling",
    "ceiling_stack", "check_claim", "claim_inference", "claim_matrix", "evaluate_claims", "evaluate_stack",
    "evaluate_table", "share_column", "share_groups",
    "split_groups", "subcodes_of", "uncertainty_text"
]
