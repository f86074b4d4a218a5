"""Exact inference for claims that compare a handful of people: permutation p-values and intervals.

Why this module exists
----------------------
The article compares six teachers with six external partners, two of each per school. A
bootstrap over so few people covers the true ratio less often than it says (see
``benchmarks/coverage.py``) and ignores the schools. With this few people every way of
relabelling them can be listed, so the p-value is exact:

* **two groups** (a ratio of group means, such as C2-C5): every assignment of the group labels
  to the people, within each school when every school holds both groups (3 schools x 6 ways =
  216 assignments in the shipped corpus), otherwise over all of them (924 for 6 against 6);
* **within person** (lens against lens for C1, a tag's words in some sub-codes against the rest
  for C7): every pattern of swapping the two values of a person (a paired sign-flip test,
  2^6 = 64 patterns for six people).

The effect is a ratio ``theta`` (of the first group's mean to the second's, or of the first
value's total to the second's). Under the multiplicative shift model (the first values are
``theta`` times the second in distribution) the test of any ``theta`` compares, per
assignment, two sums of the *observed* values, so the set of ``theta`` the test does not
reject (the confidence interval, by test inversion; Lehmann 1975, Good 2005) follows
from one critical value per assignment, without a search. The p-value is one-sided against
the claim's own threshold: "how surprising is a ratio this large if the true ratio were only
the threshold?".

When the assignments are too many to list (large corpora), the p-value comes from
:func:`scipy.stats.permutation_test` with random relabellings and the interval is studentized
on the log ratio (delta method, Welch degrees of freedom); the result says so in ``design``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import comb, prod

import numpy as np
from scipy import stats

MAX_EXACT = 200_000
"""Most assignments listed for an exact test; above it the Monte Carlo fallback runs."""
MAX_BATCH_VALUES = 50_000_000
"""Most resampled values (8 bytes each) SciPy holds at once in the Monte Carlo fallback."""

N_RESAMPLES = 9_999
SEED = 20201


@dataclass(frozen=True)
class Inference:
    """An effect (a ratio) with its exact one-sided p-value and two-sided confidence interval."""

    effect: float
    low: float
    high: float
    p_value: float
    null: float
    level: float
    n_assignments: int
    design: str


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValueError(f"unknown level '{level}'; valid values: a number between 0 and 1")


def two_group_assignments(in_first: np.ndarray, strata: np.ndarray | None = None) -> np.ndarray:
    """Every assignment of the first group's label that the design allows.

    Parameters
    ----------
    in_first : numpy.ndarray of bool
        Per person, whether the person is in the first group (the others are in the second).
    strata : numpy.ndarray, optional
        Per person a stratum (school); labels are then swapped within strata only.

    Returns
    -------
    numpy.ndarray of bool
        One row per assignment (the observed one included), one column per person.
    """
    in_first = np.asarray(in_first, dtype=bool)
    strata = np.zeros(len(in_first), dtype=int) if strata is None else np.asarray(strata)
    blocks = []  # per stratum: every choice of its first-group members, as rows of person numbers
    for stratum in dict.fromkeys(strata.tolist()):
        members = np.flatnonzero(strata == stratum)
        size = int(in_first[members].sum())
        chosen = np.array(list(combinations(range(len(members)), size)), dtype=int).reshape(comb(len(members), size),
                                                                                           size)
        blocks.append(members[chosen])
    # Every combination of one choice per stratum, built one stratum at a time: a meshgrid over all
    # strata at once has one axis per school and fails beyond NumPy's 64 dimensions.
    rows = np.zeros((1, len(in_first)), dtype=bool)
    for block in blocks:
        grown = np.repeat(rows, len(block), axis=0)
        choice = np.tile(np.arange(len(block)), len(rows))
        grown[np.arange(len(grown))[:, None], block[choice]] = True
        rows = grown
    return rows


def count_assignments(in_first: np.ndarray, strata: np.ndarray | None = None) -> int:
    """How many rows :func:`two_group_assignments` would return, without listing them."""
    in_first = np.asarray(in_first, dtype=bool)
    strata = np.zeros(len(in_first), dtype=int) if strata is None else np.asarray(strata)
    sizes = [(int((strata == s).sum()), int(in_first[strata == s].sum())) for s in set(strata.tolist())]
    # Python integers: NumPy's int64 product wraps round past 2**63 and could fall below MAX_EXACT.
    return prod(comb(n, k) for n, k in sizes)


def sign_flips(n: int) -> np.ndarray:
    """All 2**n patterns of swapping a person's two values (True = swapped)."""
    return ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(bool)


def _invert(num: np.ndarray, den: np.ndarray, null: float, level: float) -> tuple[float, float, float]:
    """p-value at ``null`` and interval from per-assignment sums of the observed values.

    For an assignment, ``num`` is the sum of first values that move to the second side and
    ``den`` the sum of second values that move to the first side. Its statistic is at least
    the observed one exactly when ``theta * den >= num``: the assignment counts in the upper
    tail for every theta above ``num / den`` and in the lower tail for every theta below it.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = num / den
    upper = np.where(den > 0, ratio, np.where(num > 0, np.inf, 0.0))  # counted when upper <= theta
    lower = np.where(den > 0, ratio, np.inf)  # counted when lower >= theta
    k = int(np.floor((1 - level) / 2 * len(num))) + 1
    low = float(np.sort(upper)[k - 1])
    high = float(np.sort(lower)[::-1][k - 1])
    p_value = float(np.mean(upper <= null * (1 + 1e-12)))
    return p_value, low, high


def _studentized(first: np.ndarray, second: np.ndarray, paired: bool, level: float) -> tuple[float, float]:
    """Interval of the ratio of means from a t interval on its log (delta method)."""
    m1, m2 = first.mean(), second.mean()
    if m1 <= 0 or m2 <= 0:
        return (0.0, np.inf)
    if paired:
        n = len(first)
        z = first / m1 - second / m2
        se, df = np.sqrt(z.var(ddof=1) / n), n - 1
    else:
        v1, v2 = first.var(ddof=1) / (len(first) * m1**2), second.var(ddof=1) / (len(second) * m2**2)
        se = np.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (v1**2 / (len(first) - 1) + v2**2 / (len(second) - 1)) if v1 + v2 > 0 else np.inf
    half = stats.t.ppf(0.5 + level / 2, df) * se
    centre = np.log(m1 / m2)
    return float(np.exp(centre - half)), float(np.exp(centre + half))


def _batch(people: int) -> int | None:
    # All resamples at once need N_RESAMPLES x people floats: 3 GB for 40,000 people. Above
    # MAX_BATCH_VALUES SciPy draws them in batches; below it the call is as it always was.
    return None if people * N_RESAMPLES <= MAX_BATCH_VALUES else max(1, MAX_BATCH_VALUES // people)


def _monte_carlo_p(first: np.ndarray, second: np.ndarray, null: float, paired: bool, seed: int) -> float:
    """One-sided p-value of ratio <= null from random relabellings (SciPy)."""
    if paired:
        result = stats.permutation_test(
            (first / null - second,), np.sum, permutation_type="samples", alternative="greater",
            n_resamples=N_RESAMPLES, rng=np.random.default_rng(seed), vectorized=True, batch=_batch(len(first)))
    else:
        result = stats.permutation_test(
            (first / null, second), lambda a, b, axis: a.mean(axis=axis) - b.mean(axis=axis),
            permutation_type="independent", alternative="greater", n_resamples=N_RESAMPLES,
            rng=np.random.default_rng(seed), vectorized=True, batch=_batch(len(first) + len(second)))
    return float(result.pvalue)


def ratio_test(
    values: np.ndarray,
    in_first: np.ndarray,
    strata: np.ndarray | None = None,
    null: float = 1.0,
    level: float = 0.95,
    seed: int = SEED,
) -> Inference:
    """Ratio of the first group's mean to the second's, with an exact permutation test.

    Parameters
    ----------
    values : numpy.ndarray
        One non-negative value per person (words, segments, 0/1).
    in_first : numpy.ndarray of bool
        Per person, whether the person is in the first group; the rest form the second.
    strata : numpy.ndarray, optional
        Per person a school; labels are swapped within schools only. Pass None to permute
        over everyone.
    null : float
        The ratio tested against (the claim's threshold); the p-value is one-sided, for a
        ratio above it.
    level : float
        Coverage of the two-sided interval.
    seed : int
        Seed of the random relabellings when there are too many to list.

    Returns
    -------
    Inference
        ``effect`` is the ratio of the group means.

    Examples
    --------
    >>> r = ratio_test(np.array([3, 4, 1, 2]), np.array([True, True, False, False]))
    >>> r.effect, r.p_value, r.n_assignments
    (2.3333333333333335, 0.16666666666666666, 6)
    """
    _check_level(level)
    values, in_first = np.asarray(values, dtype="float64"), np.asarray(in_first, dtype=bool)
    first, second = values[in_first], values[~in_first]
    effect = first.mean() / second.mean() if second.sum() > 0 else np.inf
    n = count_assignments(in_first, strata)
    design = "free" if strata is None else "within strata"
    if n > MAX_EXACT:
        low, high = _studentized(first, second, False, level)
        p_value = _monte_carlo_p(first, second, null, False, seed)
        return Inference(float(effect), low, high, p_value, null, level, N_RESAMPLES, f"{design}, monte carlo")
    rows = two_group_assignments(in_first, strata)
    moved_out = (in_first & ~rows).astype("float64") @ values
    moved_in = (~in_first & rows).astype("float64") @ values
    # As many people move each way, so the test of theta compares these two sums directly.
    p_value, low, high = _invert(moved_out, moved_in, null, level)
    return Inference(float(effect), low, high, p_value, null, level, len(rows), f"{design}, exact")


def paired_test(
    first: np.ndarray, second: np.ndarray, null: float = 1.0, level: float = 0.95, seed: int = SEED
) -> Inference:
    """Ratio of two within-person totals (sum first / sum second) with an exact sign-flip test.

    Parameters
    ----------
    first, second : numpy.ndarray
        Two non-negative values per person (for example words on two lenses).
    null, level, seed
        As in :func:`ratio_test`.

    Returns
    -------
    Inference
        ``effect`` is ``first.sum() / second.sum()``.

    Examples
    --------
    >>> r = paired_test(np.array([5, 6, 7]), np.array([1, 2, 3]))
    >>> r.effect, r.p_value
    (3.0, 0.125)
    """
    _check_level(level)
    first, second = np.asarray(first, dtype="float64"), np.asarray(second, dtype="float64")
    effect = first.sum() / second.sum() if second.sum() > 0 else np.inf
    # A person with nothing on either side is the same under every swap: leave them out.
    spoke = (first > 0) | (second > 0)
    first, second = first[spoke], second[spoke]
    if 2 ** len(first) > MAX_EXACT:
        low, high = _studentized(first, second, True, level)
        p_value = _monte_carlo_p(first, second, null, True, seed)
        return Inference(float(effect), low, high, p_value, null, level, N_RESAMPLES, "sign-flip, monte carlo")
    flips = sign_flips(len(first)).astype("float64")
    p_value, low, high = _invert(flips @ first, flips @ second, null, level)
    return Inference(float(effect), low, high, p_value, null, level, len(flips), "sign-flip, exact")


__all__ = ["Inference", "count_assignments", "paired_test", "ratio_test", "sign_flips", "two_group_assignments"]
