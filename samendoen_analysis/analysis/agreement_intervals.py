"""How precise are the agreement coefficients? Segment-clustered bootstrap intervals and pooled kappa.

Why this module exists
----------------------
:mod:`samendoen_analysis.analysis.agreement` reports kappa and alpha as single numbers. The
decisions behind them are not independent: the thirty-odd decisions on one segment are made
while reading one passage, so an interval that resamples decisions would be far too narrow.
Here the **segments** are resampled (a cluster bootstrap: every decision of a drawn segment
comes along), for the stacked kappa (every segment x code decision in one table), the
**pooled kappa** of De Vries et al. (2008) (mean observed agreement over codes against the mean
chance agreement over codes, which does not let frequent codes set the chance level of rare
ones), Krippendorff's alpha, and per code, where the weakest codes are flagged against
Krippendorff's (2004) guidelines: alpha >= 0.800 for conclusions, >= 0.667 for tentative ones.

Segment boundaries were fixed before the two researchers coded: they only chose codes. The
coefficients therefore do not judge where a passage starts and ends, and are not comparable
with tools whose agreement also counts unitising (for example ATLAS.ti's cu-alpha).

The bootstrap uses the compared pair of coders (:func:`agreement.coder_pair`) on the segments
both coded; with two coders and no missing value, alpha is computed from its coincidence
matrix, ``1 - (n - 1) * o_01 / (n_0 * n_1)`` for binary decisions (Krippendorff 2004, ch. 11),
which equals :func:`agreement.krippendorff_alpha` on the same decisions.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from samendoen_analysis.analysis.agreement import coder_pair, decisions
from samendoen_analysis.vocabulary import LEVELS, check_option, level_codes

TENTATIVE, CONCLUSIVE = 0.667, 0.800
N_BOOT = 2000
SEED = 20201
SUMMARY_STATISTICS = ("agreement", "chance_agreement", "kappa_stacked", "kappa_pooled", "alpha")


def _arrays(independent: pd.DataFrame, codebook: pd.DataFrame, level: str,
            pair: Sequence[str] | None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Decisions of the pair as two segment-by-code 0/1 arrays, on the segments both coded."""
    chosen = coder_pair(independent, pair)
    codes = level_codes(codebook, level)
    table = decisions(independent, codebook, level)
    if chosen is None:
        return np.zeros((0, len(codes))), np.zeros((0, len(codes))), codes
    wide = [table[c].unstack("code_id").reindex(columns=codes) for c in chosen]
    both = wide[0].notna().all(axis=1) & wide[1].notna().all(axis=1)
    return wide[0][both].to_numpy(), wide[1][both].to_numpy(), codes


def _coefficients(weights: np.ndarray, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """All coefficients for each row of segment weights (how often a segment was drawn)."""
    total = weights.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Per code: observed agreement, each coder's rate of applying, chance agreement.
        observed = 1 - weights @ (a != b) / total
        rate_a, rate_b = weights @ a / total, weights @ b / total
        chance = rate_a * rate_b + (1 - rate_a) * (1 - rate_b)
        kappa_code = np.where(chance < 1, (observed - chance) / (1 - chance), np.nan)
        n = 2 * total
        ones = weights @ (a + b)
        alpha_code = np.where((ones > 0) & (ones < n), 1 - (n - 1) * (weights @ (a != b)) / (ones * (n - ones)), np.nan)
        # Stacked: every decision in one table; pooled (De Vries et al.): means over codes.
        stacked_rate_a, stacked_rate_b = rate_a.mean(axis=1), rate_b.mean(axis=1)
        stacked_chance = stacked_rate_a * stacked_rate_b + (1 - stacked_rate_a) * (1 - stacked_rate_b)
        mean_observed, mean_chance = observed.mean(axis=1), chance.mean(axis=1)
        all_ones, all_n = ones.sum(axis=1), n[:, 0] * a.shape[1]
        alpha = 1 - (all_n - 1) * (weights @ (a != b)).sum(axis=1) / (all_ones * (all_n - all_ones))
        return {
            "agreement": 100 * mean_observed,
            "chance_agreement": 100 * stacked_chance,
            "kappa_stacked": (mean_observed - stacked_chance) / (1 - stacked_chance),
            "kappa_pooled": (mean_observed - mean_chance) / (1 - mean_chance),
            "alpha": alpha,
            "kappa_code": kappa_code,
            "alpha_code": alpha_code,
        }


def _draws(n_segments: int, n_boot: int, seed: int) -> np.ndarray:
    """How often each segment is drawn in each resample (multinomial counts)."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_segments, np.full(n_segments, 1 / n_segments), size=n_boot).astype("float64")


def _check(level: str, ci_level: float) -> None:
    check_option("level", level, LEVELS)
    if not 0 < ci_level < 1:
        raise ValueError(f"unknown ci_level '{ci_level}'; valid values: a number between 0 and 1")


def _bounds(values: np.ndarray, ci_level: float) -> tuple[np.ndarray, np.ndarray]:
    tail = (1 - ci_level) / 2 * 100
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a code never used in any resample: all NaN
        low, high = np.nanpercentile(values, [tail, 100 - tail], axis=0, method="inverted_cdf")
    return low, high


def agreement_intervals(
    independent: pd.DataFrame,
    codebook: pd.DataFrame,
    pair: Sequence[str] | None = None,
    n_boot: int = N_BOOT,
    seed: int = SEED,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Overall agreement per level with segment-clustered bootstrap intervals.

    Parameters
    ----------
    independent : pandas.DataFrame
        The independent codings.
    codebook : pandas.DataFrame
        The codebook.
    pair : sequence of two str, optional
        Coders compared.
    n_boot : int
        Number of resamples of the segments.
    seed : int
        Seed, for identical results on every run.
    ci_level : float
        Coverage of the percentile intervals.

    Returns
    -------
    pandas.DataFrame
        Columns ``level``, ``statistic`` (percent agreement, chance agreement in %, stacked
        kappa, pooled kappa, alpha), ``estimate``, ``low``, ``high``, ``segments``.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a", "a.x", "a.y", "b", "b.z"], "parent_id": ["", "a", "a", "", "b"],
    ...                      "kind": ["lens", "subtheme", "subtheme", "lens", "subtheme"]})
    >>> codes = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s2", "s3", "s3", "s4", "s4"],
    ...                       "coder": ["A", "B"] * 4,
    ...                       "code_id": ["a.x", "a.x", "a.y", "a.x", "b.z", "b.z", "a.x", "b.z"]})
    >>> table = agreement_intervals(codes, book, n_boot=200)
    >>> table[table["level"] == "lens"].round(2)
      level         statistic  estimate    low   high  segments
    0  lens         agreement     75.00  25.00  100.0         4
    1  lens  chance_agreement     50.00  50.00   50.0         4
    2  lens     kappa_stacked      0.50  -0.50    1.0         4
    3  lens      kappa_pooled      0.50   0.00    1.0         4
    4  lens             alpha      0.53  -0.41    1.0         4
    """
    rows = []
    for level in LEVELS:
        _check(level, ci_level)
        a, b, _ = _arrays(independent, codebook, level, pair)
        if len(a) == 0:
            rows += [{"level": level, "statistic": s, "estimate": np.nan, "low": np.nan, "high": np.nan,
                      "segments": 0} for s in SUMMARY_STATISTICS]
            continue
        point = _coefficients(np.ones((1, len(a))), a, b)
        boot = _coefficients(_draws(len(a), n_boot, seed), a, b)
        for statistic in SUMMARY_STATISTICS:
            low, high = _bounds(boot[statistic], ci_level)
            rows.append({"level": level, "statistic": statistic, "estimate": float(point[statistic][0]),
                         "low": float(low), "high": float(high), "segments": len(a)})
    return pd.DataFrame(rows)


def flag(alpha: float) -> str:
    """Krippendorff's guideline an alpha meets: 'at least 0.8', '0.667 to 0.8', 'below 0.667' or 'undefined'."""
    if np.isnan(alpha):
        return "undefined"
    return "at least 0.8" if alpha >= CONCLUSIVE else ("0.667 to 0.8" if alpha >= TENTATIVE else "below 0.667")


def code_intervals(
    independent: pd.DataFrame,
    codebook: pd.DataFrame,
    level: str,
    pair: Sequence[str] | None = None,
    n_boot: int = N_BOOT,
    seed: int = SEED,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Kappa and alpha per code with bootstrap intervals, weakest first, flagged against 0.667 and 0.8.

    Parameters
    ----------
    independent, codebook, pair, n_boot, seed, ci_level
        As in :func:`agreement_intervals`.
    level : {"lens", "subtheme"}
        Code level.

    Returns
    -------
    pandas.DataFrame
        Columns ``code_id``, ``kappa``, ``kappa_low``, ``kappa_high``, ``alpha``, ``alpha_low``,
        ``alpha_high``, ``flag``; codes sorted by alpha, undefined last.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a", "a.x", "a.y", "b", "b.z"], "parent_id": ["", "a", "a", "", "b"],
    ...                      "kind": ["lens", "subtheme", "subtheme", "lens", "subtheme"]})
    >>> codes = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s2", "s3", "s3", "s4", "s4"],
    ...                       "coder": ["A", "B"] * 4,
    ...                       "code_id": ["a.x", "a.x", "a.y", "a.x", "b.z", "b.z", "a.x", "b.z"]})
    >>> table = code_intervals(codes, book, "lens", n_boot=200)
    >>> table[["code_id", "alpha", "alpha_low", "alpha_high", "flag"]].round(2)
      code_id  alpha  alpha_low  alpha_high         flag
    0       a   0.53       -0.4         1.0  below 0.667
    1       b   0.53       -0.4         1.0  below 0.667
    """
    _check(level, ci_level)
    a, b, codes = _arrays(independent, codebook, level, pair)
    if len(a) == 0:
        return pd.DataFrame(columns=["code_id", "kappa", "kappa_low", "kappa_high", "alpha", "alpha_low",
                                     "alpha_high", "flag"])
    point = _coefficients(np.ones((1, len(a))), a, b)
    boot = _coefficients(_draws(len(a), n_boot, seed), a, b)
    frame = pd.DataFrame({"code_id": codes})
    for name in ("kappa", "alpha"):
        low, high = _bounds(boot[f"{name}_code"], ci_level)
        frame[name], frame[f"{name}_low"], frame[f"{name}_high"] = point[f"{name}_code"][0], low, high
    frame["flag"] = [flag(v) for v in frame["alpha"]]
    return frame.sort_values("alpha", na_position="last", kind="stable").reset_index(drop=True)


def agreement_text(summary: pd.DataFrame, by_code: pd.DataFrame, ci_level: float = 0.95) -> str:
    """Sentences about agreement that are true of the numbers in the two tables.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`agreement_intervals`.
    by_code : pandas.DataFrame
        From :func:`code_intervals` at one level.
    ci_level : float
        Coverage the intervals were computed with.

    Returns
    -------
    str
        Markdown.
    """
    lines = []
    values = summary.set_index(["level", "statistic"])
    for level in summary["level"].unique():
        if values.loc[(level, "agreement"), "segments"] == 0:
            lines.append(f"- {level}: no segment was coded by both researchers in this selection.")
            continue
        agree, chance = values.loc[(level, "agreement")], values.loc[(level, "chance_agreement")]
        kappa_s, kappa_p = values.loc[(level, "kappa_stacked")], values.loc[(level, "kappa_pooled")]
        alpha = values.loc[(level, "alpha")]
        lines.append(
            f"- {level}: percent agreement {agree['estimate']:.1f}%, where two coders applying each code at "
            f"their own rates but independently of each other would agree on {chance['estimate']:.1f}% of "
            f"the decisions; stacked kappa {kappa_s['estimate']:.2f} ({ci_level:.0%} interval "
            f"{kappa_s['low']:.2f} to {kappa_s['high']:.2f}), pooled kappa {kappa_p['estimate']:.2f} "
            f"({kappa_p['low']:.2f} to {kappa_p['high']:.2f}), alpha {alpha['estimate']:.2f} "
            f"({alpha['low']:.2f} to {alpha['high']:.2f}); alpha and stacked kappa differ by "
            f"{abs(alpha['estimate'] - kappa_s['estimate']):.4f}.")
    counts = by_code["flag"].value_counts()
    weak = by_code[by_code["flag"] == "below 0.667"]
    lines.append(f"- Per code (alpha): at least 0.8: {counts.get('at least 0.8', 0)}; between 0.667 and 0.8: "
                 f"{counts.get('0.667 to 0.8', 0)}; below 0.667: {len(weak)}"
                 + (f" ({', '.join(weak['code_id'])})" if len(weak) else "")
                 + f"; undefined (never or always applied): {counts.get('undefined', 0)}.")
    for guideline in (CONCLUSIVE, TENTATIVE):
        unsure = by_code[(by_code["alpha"] >= guideline) & (by_code["alpha_low"] < guideline)]
        if len(unsure):
            lines.append(f"- The {ci_level:.0%} interval of alpha for {', '.join(unsure['code_id'])} reaches below "
                         f"{guideline:.3g} although the estimate is above it.")
    return "\n".join(lines)


def usage_text(by_code: pd.DataFrame, flags: pd.DataFrame) -> str:
    """How the two researchers used the weakest code: totals and how its disagreements split.

    Parameters
    ----------
    by_code : pandas.DataFrame
        From :func:`agreement.agreement_by_code` (``decisions``, ``applied_a``, ``applied_b``, ``agreement``).
    flags : pandas.DataFrame
        From :func:`code_intervals` at the same level (weakest code first).

    Returns
    -------
    str
        Markdown; the split is checked with an exact binomial test of an even split (SciPy).
    """
    defined = flags.dropna(subset=["alpha"])
    if defined.empty:
        return "No code has a defined alpha on this selection."
    code = defined["code_id"].iloc[0]
    row = by_code.set_index("code_id").loc[code]
    differ = int(round(row["decisions"] * (1 - row["agreement"] / 100)))
    both = (int(row["applied_a"]) + int(row["applied_b"]) - differ) // 2
    only_a, only_b = int(row["applied_a"]) - both, int(row["applied_b"]) - both
    text = (f"The weakest code at this level is `{code}` (alpha {defined['alpha'].iloc[0]:.2f}). The first "
            f"researcher applied it {int(row['applied_a'])} times, the second {int(row['applied_b'])} times; of "
            f"the {differ} segments where they differ, {only_a} carry it from the first researcher only and "
            f"{only_b} from the second only")
    if differ == 0:
        return text + "."
    p_value = stats.binomtest(only_a, differ, 0.5).pvalue
    verdict = ("so the disagreements do not point to one researcher leaving the code out more than the other"
               if p_value >= 0.05 else "so one researcher applies the code more readily than the other")
    return f"{text} (exact binomial test of an even split: p = {p_value:.2g}), {verdict}."


__all__ = ["SUMMARY_STATISTICS", "agreement_intervals", "agreement_text", "code_intervals", "flag", "usage_text"]
