"""How much does a verdict depend on the measure, one school or one respondent? Only informative conditions count.

No QDA program reports whether a finding survives a change of measure or the loss of one
school or respondent. All of it is computed here from respondent-by-code matrices built once
per measure: leaving someone out subtracts rows, it never re-reads or re-validates data.

A condition counts only when it can inform (our choice, after an independent review found
"18 of 18" that was really 12 of 12):

* a left-out school or respondent that leaves the claim's statistic unchanged (a director for a
  teacher/partner ratio, a school with only its director) is listed but not counted;
* normalisations that are algebraically the same for the claim and the data are merged into the
  first: ``share_within_code`` never changes a ratio of two groups; ``per_respondent`` does not
  when the groups are equally large; a ranking within a group (C1) ignores any per-group scale;
  a group's share of a code (C6) under ``per_respondent`` is the same claim once its threshold is
  re-derived (share ``s`` of totals is a ratio of means ``s/(1-s) * n_other/n_group``);
* combinations that do not measure the claim's quantity are skipped: C1 under
  ``share_within_code`` ranks shares of *other* groups; a group's share of a code under
  ``share_within_group`` adds percentages of different groups; a share within a tag under
  ``share_within_code`` is 1 by construction;
* under the ``respondents`` measure, two values that both equal their group's size (everyone
  touched both) are a **tie at the ceiling**, not a failure.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from samendoen_analysis.analysis.claims import (
    FAILS,
    HOLDS,
    NOT_EVALUABLE,
    SHARE_TESTS,
    ceiling_stack,
    claim_matrix,
    evaluate_stack,
    evaluate_table,
    share_groups,
    split_groups,
)
from samendoen_analysis.analysis.measures import group_table, normalise, respondent_matrix
from samendoen_analysis.data.corpus import Corpus
from samendoen_analysis.vocabulary import LEVELS, MEASURES, NORMALISATIONS, ROLE_GROUPS, base_codes, check_option

TIE = "tie at ceiling"
OUTCOMES = (HOLDS, FAILS, TIE, NOT_EVALUABLE)
UNIT_KINDS = ("school_id", "respondent_id")
COLUMNS = ["claim_id", "kind", "condition", "statistic", "outcome", "holds", "informative", "note"]


def _matrices(corpus: Corpus) -> dict[str, pd.DataFrame]:
    return {m: claim_matrix(corpus, m) for m in MEASURES}


def _ratio_rule(norm: str, claim: dict, sizes: pd.Series) -> str:
    a, b = (sizes.get(g, 0) for g in split_groups(claim["groups"]))
    if norm == "share_within_code" or (norm == "per_respondent" and a == b):
        return "same as none"
    return ""


def _top_code_rule(norm: str, claim: dict, sizes: pd.Series) -> str:
    if norm == "share_within_code":
        return "skipped: ranks shares of other groups"
    return "same as none" if norm != "none" else ""


def _share_of_code_rule(norm: str, claim: dict, sizes: pd.Series) -> str:
    if norm == "share_within_group":
        return "skipped: adds percentages of different groups"
    return "same as none (threshold re-derived)" if norm == "per_respondent" else (
        "same as none" if norm == "share_within_code" else "")


def _subcode_rule(norm: str, claim: dict, sizes: pd.Series) -> str:
    if norm == "share_within_code":
        return "skipped: 1 by construction"
    groups = share_groups(claim) or list(sizes.index)
    if norm == "per_respondent" and sizes.reindex(groups).dropna().nunique() <= 1:
        return "same as none"
    return ""


_RULES: dict[str, Callable[[str, dict, pd.Series], str]] = {
    "ratio": _ratio_rule, "top_code": _top_code_rule, "share_of_code": _share_of_code_rule,
    **{test: _subcode_rule for test in SHARE_TESTS},
}


def _outcomes(verdicts: np.ndarray, claims: pd.DataFrame, totals: np.ndarray, sizes: np.ndarray,
              present: np.ndarray, groups: list[str], columns: list[str], lenses: list[str],
              ceiling: bool) -> np.ndarray:
    """Verdicts (tables x claims) with a failure at the ceiling of the respondents measure called a tie."""
    if not ceiling:
        return verdicts
    tied = ceiling_stack(claims, totals, sizes, present, groups, columns, lenses)
    return np.where(tied & (verdicts == FAILS), TIE, verdicts)


def _one(totals: pd.DataFrame, sizes: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], list[str]]:
    """A group-by-code table as a stack of one: values, sizes, presence, groups, columns."""
    return (totals.to_numpy()[np.newaxis], sizes.to_numpy()[np.newaxis], np.ones((1, len(totals.index)), bool),
            list(totals.index), list(totals.columns))


def by_measure(corpus: Corpus) -> pd.DataFrame:
    """Each claim under every measure and normalisation, with the informative ones marked.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.

    Returns
    -------
    pandas.DataFrame
        Columns as :data:`COLUMNS`; ``condition`` is "measure / normalisation"; ``note`` says why a
        condition is merged or skipped.
    """
    lenses, frames = base_codes(corpus.codebook, "lens"), []
    for measure, matrix in _matrices(corpus).items():
        totals = group_table(matrix, corpus.respondents, ("role_group",), "none", lenses)
        groups = corpus.respondents.set_index("respondent_id")["role_group"].reindex(matrix.index)
        sizes = groups.value_counts().reindex(totals.index)
        for norm in NORMALISATIONS:
            table = group_table(matrix, corpus.respondents, ("role_group",), norm, lenses)
            verdicts = evaluate_table(corpus.claims, table, lenses)
            notes = [_RULES[c["test"]](norm, c, sizes) for c in corpus.claims.to_dict("records")]
            frames.append(verdicts.assign(
                kind="measure", condition=f"{measure} / {norm}",
                outcome=_outcomes(verdicts["verdict"].to_numpy()[np.newaxis], corpus.claims, *_one(totals, sizes),
                                  lenses, measure == "respondents")[0],
                note=[n.replace("none", f"{measure} / none") if n.startswith("same") else n for n in notes],
                informative=[n == "" for n in notes]))
    return _finish(pd.concat(frames, ignore_index=True))


def _finish(table: pd.DataFrame) -> pd.DataFrame:
    informative = table["informative"] & (table["outcome"] != NOT_EVALUABLE)
    table = table.assign(informative=informative)
    outcome = table["outcome"].to_numpy(dtype=object)
    # True or False where the claim holds or fails; missing for a tie or a claim not evaluable.
    table["holds"] = pd.arrays.BooleanArray(outcome == HOLDS, ~((outcome == HOLDS) | (outcome == FAILS)))
    return table[COLUMNS]


def leave_one_out(corpus: Corpus, unit: str, measure: str = "words", normalisation: str = "none") -> pd.DataFrame:
    """Each claim with one school (or one respondent) left out at a time.

    A left-out unit that leaves the claim's statistic (and verdict) exactly as on all data is
    listed with ``informative`` False: it could not have changed the verdict.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    unit : {"school_id", "respondent_id"}
        What to leave out.
    measure, normalisation : str
        As in :func:`samendoen_analysis.analysis.claims.evaluate_claims`.

    Returns
    -------
    pandas.DataFrame
        Columns as :data:`COLUMNS`; ``condition`` is "without S3".

    Examples
    --------
    >>> from samendoen_analysis import load_corpus
    >>> table = leave_one_out(load_corpus(), "school_id")
    >>> table[table["claim_id"] == "C2"][["condition", "outcome", "informative"]]
         condition outcome  informative
    1   without S1   holds         True
    8   without S2   holds        False
    15  without S3   holds         True
    22  without S4   holds         True
    29  without S5   holds        False
    """
    check_option("unit", unit, UNIT_KINDS)
    check_option("normalisation", normalisation, NORMALISATIONS)
    matrix = claim_matrix(corpus, measure)
    people = corpus.respondents.set_index("respondent_id").reindex(matrix.index)
    units = pd.Series(matrix.index, index=matrix.index) if unit == "respondent_id" else people[unit].astype(str)
    lenses = base_codes(corpus.codebook, "lens")
    totals = matrix.groupby(people["role_group"], observed=True).sum()
    sizes = people["role_group"].value_counts().reindex(totals.index)
    full = evaluate_table(corpus.claims, normalise(totals, sizes, normalisation, lenses), lenses)
    names = sorted(units.unique())
    remaining, left = _without_each(matrix, units, people["role_group"], names, totals, sizes)
    present = left > 0
    values = _normalise_stack(remaining, left, normalisation, lenses, list(totals.columns))
    checks = evaluate_stack(corpus.claims, values, present, list(totals.index), list(totals.columns), lenses)
    same = np.isclose(checks.statistic, full["statistic"].to_numpy(), rtol=1e-12, atol=0, equal_nan=True) & (
        checks.verdict == full["verdict"].to_numpy())
    outcome = _outcomes(checks.verdict, corpus.claims, remaining, left, present, list(totals.index),
                        list(totals.columns), lenses, measure == "respondents")
    n_claims = len(corpus.claims)
    table = pd.DataFrame({
        "claim_id": np.tile(corpus.claims["claim_id"].to_numpy(), len(names)),
        "statistic": checks.statistic.reshape(-1),
        "kind": f"leave_out_{unit.removesuffix('_id')}",
        "condition": np.repeat([f"without {name}" for name in names], n_claims),
        "outcome": outcome.reshape(-1).astype(str),
        "informative": ~same.reshape(-1),
        "note": np.where(same.reshape(-1), "leaves the statistic unchanged", ""),
    })
    return _finish(table)


def _without_each(matrix: pd.DataFrame, units: pd.Series, groups: pd.Series, names: list[str],
                  totals: pd.DataFrame, sizes: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Group totals and sizes without each unit in turn: units x groups x codes, units x groups.

    Group totals without a unit are the full totals minus that unit's share, so all units take
    one subtraction of arrays, not a new pass over the respondents each.
    """
    unit_index = pd.Index(names).get_indexer(units)
    group_index = totals.index.get_indexer(groups)
    share = np.zeros((len(names), len(totals.index), len(totals.columns)), dtype=totals.to_numpy().dtype)
    np.add.at(share, (unit_index, group_index), matrix.to_numpy())
    counts = np.zeros((len(names), len(totals.index)), dtype="int64")
    np.add.at(counts, (unit_index, group_index), 1)
    return totals.to_numpy()[np.newaxis] - share, sizes.to_numpy()[np.newaxis] - counts


def _normalise_stack(remaining: np.ndarray, left: np.ndarray, normalisation: str, lenses: list[str],
                     columns: list[str]) -> np.ndarray:
    """Normalise every table of a stack with :func:`normalise` itself, in one call.

    A share within a group or per respondent reads one row: the tables' rows go one under the
    other. A share within a code reads a column over the groups: the tables go side by side.
    """
    n_units, n_groups, n_codes = remaining.shape
    if normalisation == "share_within_code":
        wide = pd.DataFrame(remaining.transpose(1, 0, 2).reshape(n_groups, n_units * n_codes))
        done = normalise(wide, pd.Series(1, index=wide.index), normalisation)
        return done.to_numpy().reshape(n_groups, n_units, n_codes).transpose(1, 0, 2)
    long = pd.DataFrame(remaining.reshape(n_units * n_groups, n_codes), columns=columns)
    # A group the unit took with it divides by 0 here; evaluate_stack takes an absent group as
    # absent (the claim not evaluable), whatever its values.
    done = normalise(long, pd.Series(left.reshape(-1)), normalisation, lenses)
    return done.to_numpy().reshape(n_units, n_groups, n_codes)


def robustness_table(corpus: Corpus, measure: str = "words", normalisation: str = "none") -> pd.DataFrame:
    """Every claim under every measure, without each school and without each respondent.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    measure, normalisation : str
        Of the leave-one-out conditions.

    Returns
    -------
    pandas.DataFrame
        Long table with the columns of :data:`COLUMNS`.
    """
    frames = [by_measure(corpus)] + [leave_one_out(corpus, u, measure, normalisation) for u in UNIT_KINDS]
    return pd.concat(frames, ignore_index=True)


def robustness_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per claim and kind of check: informative conditions and how the claim fares in them.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`robustness_table`.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id``, ``kind``, ``conditions`` (listed), ``informative``, ``holds``,
        ``ties``, ``fails``, ``share`` (holds / (holds + fails): ties at the ceiling are
        reported, not counted either way; missing when no informative condition decides).
    """
    counted = table[table["informative"]]
    keys = ["claim_id", "kind"]
    listed = table.groupby(keys, sort=False).size().rename("conditions")
    outcome = counted.groupby(keys, sort=False)["outcome"]
    summary = pd.concat([
        listed,
        outcome.size().rename("informative"),
        outcome.agg(lambda o: int((o == HOLDS).sum())).rename("holds"),
        outcome.agg(lambda o: int((o == TIE).sum())).rename("ties"),
        outcome.agg(lambda o: int((o == FAILS).sum())).rename("fails"),
    ], axis=1).fillna(0).astype("int64").reset_index()
    # A tie at the ceiling is neither for nor against a claim: the share is of the decided conditions.
    summary["share"] = summary["holds"] / (summary["holds"] + summary["fails"]).replace(0, np.nan)
    return summary


def compare_ratios(corpus: Corpus, first: str, second: str, level: str = "lens") -> pd.DataFrame:
    """Ratio of two role groups per code in every measure and normalisation.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus, possibly a subset.
    first, second : str
        Role groups; the ratio is first / second.
    level : {"lens", "subtheme"}
        Code level.

    Returns
    -------
    pandas.DataFrame
        Index ``code_id``, one column per "measure / normalisation". A group absent from the
        selection gives missing ratios (never a ratio against 0), as does 0 / 0; x / 0 is ``inf``.
    """
    check_option("role group", first, ROLE_GROUPS)
    check_option("role group", second, ROLE_GROUPS)
    check_option("level", level, LEVELS)
    columns = {}
    for measure in MEASURES:
        matrix = respondent_matrix(corpus, level, measure)
        for norm in NORMALISATIONS:
            table = group_table(matrix, corpus.respondents, ("role_group",), norm, base_codes(corpus.codebook, level))
            table = table.reindex([first, second])
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = table.loc[first] / table.loc[second]
            columns[f"{measure} / {norm}"] = ratio.where(~((table.loc[first] == 0) & (table.loc[second] == 0)))
    frame = pd.DataFrame(columns)
    frame.index.name = "code_id"
    return frame


def bootstrap_ratios(
    corpus: Corpus,
    numerator: str = "teacher",
    denominator: str = "external_partner",
    measure: str = "words",
    n_boot: int = 2000,
    seed: int = 20201,
    level: float = 0.95,
) -> pd.DataFrame:
    """Bootstrap interval of the numerator/denominator group ratio per lens.

    Respondents are resampled with replacement within each of the two groups, so each
    resample keeps the group sizes; the ratio is of the groups' totals.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    numerator, denominator : str
        Role groups.
    measure : {"words", "segments", "respondents"}
        Measure of emphasis.
    n_boot : int
        Number of resamples.
    seed : int
        Seed of the random generator, for identical results on every run.
    level : float
        Coverage of the percentile interval; bounds may be ``inf``.

    Returns
    -------
    pandas.DataFrame
        Columns ``code_id``, ``ratio``, ``low``, ``high``, ``share_above_1`` (the share of
        *resamples* with a ratio above 1: a description of the resampling, not the probability
        that the true ratio exceeds 1). All missing when a group has no respondents in the
        selection. This percentile interval covers less often than it states with six people
        per group (``benchmarks/coverage.py``); the claims use the exact intervals of
        :mod:`samendoen_analysis.analysis.inference`.
    """
    check_option("role group", numerator, ROLE_GROUPS)
    check_option("role group", denominator, ROLE_GROUPS)
    matrix = respondent_matrix(corpus, "lens", measure)
    groups = corpus.respondents.set_index("respondent_id")["role_group"].reindex(matrix.index)
    rng = np.random.default_rng(seed)
    sums = {}
    if not ((groups == numerator).any() and (groups == denominator).any()):
        return pd.DataFrame({"code_id": matrix.columns, **dict.fromkeys(("ratio", "low", "high", "share_above_1"),
                                                                        np.nan)})
    for group in (numerator, denominator):
        rows = matrix[(groups == group).to_numpy()].to_numpy(dtype="float64")
        draws = rng.integers(0, len(rows), size=(n_boot, len(rows)))
        sums[group] = rows[draws].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = sums[numerator] / sums[denominator]
        observed = matrix[(groups == numerator).to_numpy()].sum() / matrix[(groups == denominator).to_numpy()].sum()
    tail = (1 - level) / 2 * 100
    # No interpolation: a resample without any words of the second group gives an infinite
    # ratio, and an unbounded interval is the honest answer then.
    low, high = np.nanpercentile(ratios, [tail, 100 - tail], axis=0, method="inverted_cdf")
    return pd.DataFrame({
        "code_id": matrix.columns, "ratio": observed.to_numpy(), "low": low, "high": high,
        "share_above_1": (ratios > 1).mean(axis=0),
    })


__all__ = [
    "OUTCOMES", "TIE", "UNIT_KINDS", "bootstrap_ratios", "by_measure", "compare_ratios", "leave_one_out",
    "robustness_summary", "robustness_table"
]
