"""How often does each interval for a group ratio cover the truth with six people per group?

``python -m benchmarks.coverage [--reps 500] [--seed 0] [--ratio 2.5]``

A seeded simulation, not a timed test. Each replicate draws a corpus shaped like the shipped
one: three schools with two teachers and two external partners each; a person's words on one
lens are Poisson around a gamma-distributed personal rate, times a school effect shared by the
four people of the school; the teachers' mean rate is ``ratio`` times the partners'. Every
method then gives a 95% interval for the ratio of the group means, and the table reports how
often it contains the true ratio (with its Monte Carlo standard error) and its median width
(upper / lower bound, so 1 would be a point).

Methods compared:

* ``bootstrap``: respondents resampled within groups, percentile interval (as
  :func:`samendoen_analysis.analysis.robustness.bootstrap_ratios`);
* ``permutation, free`` and ``permutation, within schools``: the exact test inversion of
  :func:`samendoen_analysis.analysis.inference.ratio_test`;
* ``studentized log ratio``: the large-sample fallback of the same module.

The result is written to ``benchmarks/out/coverage.json``.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from benchmarks.common import OUT_DIR
from samendoen_analysis.analysis.inference import _studentized, ratio_test

SCHOOLS, PER_GROUP = 3, 2
LEVEL = 0.95


def draw(rng: np.random.Generator, ratio: float, shape: float, school_sd: float) -> tuple[np.ndarray, np.ndarray,
                                                                                             np.ndarray]:
    """Words of 12 people on one lens, who is a teacher, and the school of each."""
    school = np.repeat(np.arange(SCHOOLS), 2 * PER_GROUP)
    teacher = np.tile([True] * PER_GROUP + [False] * PER_GROUP, SCHOOLS)
    effect = np.exp(rng.normal(0, school_sd, SCHOOLS) - school_sd**2 / 2)[school]
    mean = np.where(teacher, ratio * 60.0, 60.0) * effect
    rate = rng.gamma(shape, mean / shape)
    return rng.poisson(rate).astype("float64"), teacher, school


def bootstrap_interval(rng: np.random.Generator, words: np.ndarray, teacher: np.ndarray,
                       n_boot: int = 2000) -> tuple[float, float]:
    """Percentile interval of the ratio of group means, respondents resampled within groups."""
    sums = []
    for group in (teacher, ~teacher):
        rows = words[group]
        sums.append(rows[rng.integers(0, len(rows), size=(n_boot, len(rows)))].sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = sums[0] / sums[1]
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.nanpercentile(ratios, [tail, 100 - tail], method="inverted_cdf")
    return float(low), float(high)


def simulate(reps: int, seed: int, ratio: float, shape: float, school_sd: float) -> dict[str, dict]:
    """Coverage and median width per method."""
    rng = np.random.default_rng(seed)
    methods = ("bootstrap", "permutation, free", "permutation, within schools", "studentized log ratio")
    hits, widths = {m: [] for m in methods}, {m: [] for m in methods}
    for _ in range(reps):
        words, teacher, school = draw(rng, ratio, shape, school_sd)
        free, strat = ratio_test(words, teacher, None, level=LEVEL), ratio_test(words, teacher, school, level=LEVEL)
        intervals = {
            "bootstrap": bootstrap_interval(rng, words, teacher),
            "permutation, free": (free.low, free.high),
            "permutation, within schools": (strat.low, strat.high),
            "studentized log ratio": _studentized(words[teacher], words[~teacher], False, LEVEL),
        }
        for method, (low, high) in intervals.items():
            hits[method].append(low <= ratio <= high)
            widths[method].append(high / low if low > 0 else np.inf)
    return {m: {"coverage": float(np.mean(hits[m])), "se": float(np.sqrt(np.mean(hits[m]) * (1 - np.mean(hits[m]))
                                                                        / reps)),
                "median_width": float(np.median(widths[m]))} for m in methods}


def main(argv: list[str] | None = None) -> int:
    """Run the simulation, print the table, write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.coverage", description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=500, help="simulated corpora (default 500)")
    parser.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    parser.add_argument("--ratio", type=float, default=2.5, help="true ratio of the teachers' mean to the partners'")
    parser.add_argument("--shape", type=float, default=2.0, help="gamma shape of personal rates (smaller: more spread)")
    parser.add_argument("--school-sd", type=float, default=0.4, help="sd of the log school effect")
    args = parser.parse_args(argv)
    result = simulate(args.reps, args.seed, args.ratio, args.shape, args.school_sd)
    print(f"Coverage of nominal {LEVEL:.0%} intervals for the ratio of group means, 6 vs 6 people in 3 schools "
          f"({args.reps} simulated corpora, seed {args.seed}, true ratio {args.ratio}, shape {args.shape}, "
          f"school sd {args.school_sd})")
    print(f"{'method':<30}{'coverage':>10}{'± se':>8}{'median high/low':>18}")
    for method, row in result.items():
        print(f"{method:<30}{row['coverage']:>10.3f}{row['se']:>8.3f}{row['median_width']:>18.2f}")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "coverage.json").write_text(json.dumps({"parameters": vars(args), "level": LEVEL, "result": result},
                                                      indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
