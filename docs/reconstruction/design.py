"""The generative design of the second edition's word budgets (seeded, rerunnable).

Why this exists: the first edition gave every teacher and every external partner words on every
lens from one shared profile per role group, so whether a finding held per respondent or without
one school was decided by the design. The second edition was made by cutting and rewriting the
first edition's texts, so its budgets start from the first edition's (``budgets_first_edition.csv``)
and draw, per person, how talkative they are and, per person and lens, whether they say nothing
(silent) or how much of their first-edition talk they keep. Only group-level targets are imposed:
a draw is accepted when, summed per role group in words, the article's statements C1-C5 and
"corona is mostly teachers' talk" hold with a margin (so that writing noise does not undo them).
Nothing else is targeted: per-respondent counts, segments, normalisations, leave-one-out and the
bootstrap show whatever follows from the accepted draw and the texts.

Run ``python docs/reconstruction/design.py`` to rewrite ``budgets.csv`` next to this file;
``--check data`` compares a data folder with the budgets, cell by cell.
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
LENSES = ("ideal", "expertise", "obstacles", "positive", "organisation")
COLUMNS = (*LENSES, "corona")
SEED = 20260
# Chance that a person says nothing at all on a lens, by role group: high where the article says
# the group spoke little (external partners on obstacles, teachers on organisation), never on
# the ideal (both groups spoke most about it). Our choice; the article gives no such numbers.
SILENCE = {
    "teacher": {"ideal": 0.0, "expertise": 0.3, "obstacles": 0.0, "positive": 0.1, "organisation": 0.4, "corona": 0.0},
    "external_partner": {"ideal": 0.0, "expertise": 0.0, "obstacles": 0.4, "positive": 0.3, "organisation": 0.1,
                         "corona": 0.4},
    "management": {"ideal": 0.0, "expertise": 0.5, "obstacles": 0.3, "positive": 0.3, "organisation": 0.3,
                   "corona": 0.2},
    "support_staff": {"ideal": 0.0, "expertise": 0.2, "obstacles": 0.2, "positive": 0.2, "organisation": 0.2,
                      "corona": 0.2},
}
TALKATIVE = (0.7, 1.1)   # scale of a person's talk against the first edition (uniform)
KEEP = (0.6, 1.1)        # scale of one lens for a non-silent person (uniform), on top of TALKATIVE
MARGIN_RATIO, MARGIN_TOP, MARGIN_SHARE = 1.5, 1.15, 0.6
TOLERANCE, TOLERANCE_SMALL = 0.15, 25  # a cell fits within 15% or 25 words, whichever is larger
WORD = re.compile(r"[^\W_]+(?:[-'\u2019][^\W_]+)*")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _groups(data: Path) -> dict[str, str]:
    return {r["respondent_id"]: r["role_group"] for r in _read(data / "respondents.csv")}


def draw(first: list[dict[str, str]], groups: dict[str, str], rng: np.random.Generator) -> dict[str, dict[str, int]]:
    """One draw of budgets: first-edition budget x talkativeness x (0 if silent, else a kept share)."""
    out = {}
    for row in first:
        person, group = row["respondent_id"], groups[row["respondent_id"]]
        talk = rng.uniform(*TALKATIVE)
        cells = {}
        for col in COLUMNS:
            silent = rng.random() < SILENCE[group][col]
            keep = rng.uniform(*KEEP)
            cells[col] = 0 if silent else int(round(float(row[col]) * talk * keep, -1))
        out[person] = cells
    return out


def group_targets_hold(budgets: dict[str, dict[str, int]], groups: dict[str, str]) -> bool:
    """C1-C5 and the teachers' share of corona, in words per role group, with the design's margins."""
    total: dict[tuple[str, str], int] = defaultdict(int)
    for person, cells in budgets.items():
        for col, value in cells.items():
            total[(groups[person], col)] += value
    t, e = (lambda c: total[("teacher", c)]), (lambda c: total[("external_partner", c)])
    tops = all(total[(g, "ideal")] >= MARGIN_TOP * max(total[(g, c)] for c in LENSES[1:])
               for g in ("teacher", "external_partner"))
    corona = sum(v for (g, c), v in total.items() if c == "corona")
    return (tops and e("expertise") >= MARGIN_RATIO * t("expertise") and t("obstacles") >= MARGIN_RATIO * e("obstacles")
            and t("positive") >= MARGIN_RATIO * e("positive")
            and e("organisation") >= MARGIN_RATIO * t("organisation") and t("corona") >= MARGIN_SHARE * corona)


def design(data: Path, seed: int = SEED) -> tuple[dict[str, dict[str, int]], int]:
    """Draw until the group targets hold; return the budgets and how many draws were rejected."""
    first, groups = _read(HERE / "budgets_first_edition.csv"), _groups(data)
    rng = np.random.default_rng(seed)
    rejected = 0
    while True:
        budgets = draw(first, groups, rng)
        if group_targets_hold(budgets, groups):
            return budgets, rejected
        rejected += 1


def observed(data: Path) -> dict[str, dict[str, int]]:
    """Words per respondent and lens (and corona) in a data folder, counted as the package counts."""
    parent = {r["code_id"]: r["parent_id"] or r["code_id"] for r in _read(data / "codebook.csv")}
    top = {c: (parent[p] if parent.get(p, p) != p else p) for c, p in parent.items()}
    codes: dict[str, set[str]] = defaultdict(set)
    for r in _read(data / "codings.csv"):
        codes[r["segment_id"]].add(top[r["code_id"]])
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    for seg in _read(data / "segments.csv"):
        for col in codes.get(seg["segment_id"], ()):
            out[seg["respondent_id"]][col] += len(WORD.findall(seg["text"]))
    return out


def check(data: Path) -> list[tuple[str, str, int, int, bool]]:
    """Each budget cell with the observed words and whether it fits the tolerance."""
    words = observed(data)
    rows = []
    for b in _read(HERE / "budgets.csv"):
        for col in COLUMNS:
            target, seen = int(b[col]), words[b["respondent_id"]][col]
            fits = abs(seen - target) <= max(TOLERANCE * target, TOLERANCE_SMALL)
            rows.append((b["respondent_id"], col, target, seen, fits))
    return rows


def main() -> None:
    """Write budgets.csv, or with --check report how a data folder fits it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE.parent.parent / "data")
    parser.add_argument("--check", action="store_true", help="compare the data folder with budgets.csv")
    args = parser.parse_args()
    if args.check:
        rows = check(args.data)
        for person, col, target, seen, fits in rows:
            if not fits:
                print(f"outside tolerance: {person} {col}: budget {target}, written {seen}")
        print(f"{sum(r[4] for r in rows)} of {len(rows)} cells within tolerance")
        return
    budgets, rejected = design(args.data)
    with (HERE / "budgets.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["respondent_id", *COLUMNS])
        for person, cells in budgets.items():
            writer.writerow([person, *(cells[c] for c in COLUMNS)])
    print(f"seed {SEED}: accepted after {rejected} rejected draw(s); wrote {HERE / 'budgets.csv'}")


if __name__ == "__main__":
    main()
