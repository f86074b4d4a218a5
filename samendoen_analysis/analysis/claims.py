"""The article's findings as testable claims, evaluated on any corpus, with their uncertainty.

The claims live in ``data/claims.csv`` (what the article says, where, and how it is tested);
this module only computes. A claim is read twice:

* its **verdict** reads one group-by-code table (so the same function serves every measure,
  normalisation and leave-one-out) and is three-valued: ``holds``, ``does not hold`` or
  ``not evaluable`` with the reason (a group absent from the selection, or nothing to divide);
  an absent group never counts as zero;
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
from samendoen_analysis.analysis.measures import coded_units, group_table, respondent_matrix
from samendoen_analysis.data.corpus import Corpus
from samendoen_analysis.vocabulary import (
    CLAIM_TESTS,
    MEASURES,
    NORMALISATIONS,
    PAIR_SEPARATOR,
    base_codes,
    check_option,
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
    units = pd.concat([coded_units(corpus, "subtheme"), coded_units(corpus, "lens")]).drop_duplicates(
        ["segment_id", "code_id"])
    index = pd.Index(corpus.respondents["respondent_id"], name="respondent_id")
    columns = {}
    for claim in claims[claims["test"].isin(SHARE_TESTS)].to_dict("records"):
        tagged = set(units.loc[units["code_id"] == claim["code_id"], "segment_id"])
        inside = tagged & set(units.loc[units["code_id"].isin(subcodes_of(claim)), "segment_id"])
        rows = corpus.segments[corpus.segments["segment_id"].isin(inside)]
        values = rows["words"] if measure == "words" else pd.Series(1, index=rows.index)
        column = values.groupby(rows["respondent_id"].astype(str)).sum().reindex(index, fill_value=0)
        columns[share_column(claim)] = (column > 0).astype("int64") if measure == "respondents" else column
    return pd.DataFrame(columns, index=index).astype("int64")


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


def _absent(table: pd.DataFrame, groups: Sequence[str]) -> Check | None:
    missing = [g for g in groups if g not in table.index]
    if missing:
        return Check(np.nan, NOT_EVALUABLE, f"no {' or '.join(missing)} in the selection", "")
    return None


def _verdict(passes: bool) -> str:
    return HOLDS if passes else FAILS


def _top_code(claim: pd.Series, table: pd.DataFrame, lenses: list[str]) -> Check:
    groups, code = split_groups(claim["groups"]), claim["code_id"]
    ranked = {g: table.loc[g, lenses].astype(float) for g in groups}
    silent = [g for g, r in ranked.items() if r.sum() == 0]
    if silent:
        return Check(np.nan, NOT_EVALUABLE, f"{' and '.join(silent)}: nothing coded with a lens", "")
    margins = [float(r[code] - r.drop(code).max()) for r in ranked.values()]
    evidence = "; ".join(f"{g}: top {r.idxmax()} ({r.max():.4g}), {code} {r[code]:.4g}" for g, r in ranked.items())
    return Check(min(margins), _verdict(min(margins) > 0), "", evidence)


def _ratio(claim: pd.Series, table: pd.DataFrame) -> Check:
    groups, code = split_groups(claim["groups"]), claim["code_id"]
    a, b = (float(table.at[g, code]) for g in groups)
    evidence = f"{groups[0]} {a:.4g} vs {groups[1]} {b:.4g}"
    if a == 0 and b == 0:
        return Check(np.nan, NOT_EVALUABLE, f"neither group has anything coded {code}", evidence)
    stat = a / b if b else np.inf
    return Check(stat, _verdict(stat >= claim["threshold"]), "", evidence)


def _share_of_code(claim: pd.Series, table: pd.DataFrame) -> Check:
    group, code = split_groups(claim["groups"])[0], claim["code_id"]
    if len(table.index) < 2:
        return Check(np.nan, NOT_EVALUABLE, f"no group besides {group} in the selection", "")
    total, own = float(table[code].sum()), float(table.at[group, code])
    evidence = f"{group} {own:.4g} of {total:.4g}"
    if total == 0:
        return Check(np.nan, NOT_EVALUABLE, f"nothing coded {code}", evidence)
    stat = own / total
    return Check(stat, _verdict(stat >= claim["threshold"]), "", evidence)


def _subcode_share(claim: pd.Series, table: pd.DataFrame) -> Check:
    code, groups = claim["code_id"], share_groups(claim)
    rows = table.loc[[g for g in groups if g in table.index]] if groups else table
    inside, total = float(rows[share_column(claim)].sum()), float(rows[code].sum())
    evidence = f"with {' or '.join(subcodes_of(claim))} {inside:.4g} of {total:.4g}"
    if total == 0:
        return Check(np.nan, NOT_EVALUABLE, f"nothing coded {code}", evidence)
    stat = inside / total
    return Check(stat, _verdict(stat >= claim["threshold"]), "", evidence)


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
    test = check_option("claim test", claim["test"], CLAIM_TESTS)
    if test in SHARE_TESTS:
        absent = _absent(table, share_groups(claim)) if share_groups(claim) else None
        return absent or _subcode_share(claim, table)
    absent = _absent(table, split_groups(claim["groups"]))
    if absent:
        return absent
    check = {"top_code": lambda: _top_code(claim, table, lenses), "ratio": lambda: _ratio(claim, table),
             "share_of_code": lambda: _share_of_code(claim, table)}[test]()
    if check.verdict != NOT_EVALUABLE and np.isnan(check.statistic):
        # A normalised table leaves 0/0 missing: a group with nothing coded has no share.
        return Check(np.nan, NOT_EVALUABLE, "a share is 0/0 in the normalised table", check.evidence)
    return check


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
    checks = [check_claim(pd.Series(c), table, lenses) for c in claims.to_dict("records")]
    return pd.DataFrame({
        "claim_id": claims["claim_id"].to_numpy(),
        "statistic": [c.statistic for c in checks],
        "verdict": [c.verdict for c in checks],
        "holds": pd.array([c.holds for c in checks], dtype="boolean"),
        "reason": [c.reason for c in checks],
        "evidence": [c.evidence for c in checks],
    })


def at_ceiling(claim: dict, totals: pd.DataFrame, sizes: pd.Series, lenses: list[str]) -> bool:
    """Whether a claim's compared values all equal their group's size (everyone touched both).

    Under the ``respondents`` measure such a comparison is a tie at the ceiling: the measure
    cannot show a difference, which is not evidence against the claim.

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
    """
    groups = split_groups(claim["groups"])
    if claim["test"] not in ("ratio", "top_code") or not set(groups) <= set(totals.index):
        return False
    if claim["test"] == "ratio":
        return all(totals.at[g, claim["code_id"]] == sizes[g] for g in groups)
    code = claim["code_id"]
    return any(totals.at[g, code] == sizes[g] and totals.loc[g, [c for c in lenses if c != code]].max() == sizes[g]
               for g in groups)


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
    "FAILS", "HOLDS", "NOT_EVALUABLE", "SHARE_TESTS", "VERDICTS", "Check", "at_ceiling", "check_claim",
    "claim_inference", "claim_matrix", "evaluate_claims", "evaluate_table", "share_column", "share_groups",
    "split_groups", "subcodes_of", "uncertainty_text"
]
