"""Leave-one-out on stacked arrays gives exactly the table of the per-unit loop it replaced.

The oracle below is the loop as it stood before the claims were evaluated on a stack of tables
(commit 58529f6): the per-claim rule functions, ``evaluate_table``, ``at_ceiling``, ``_outcomes``,
``leave_one_out`` and the set-based share columns of the claim matrix, copied unchanged apart from
names. It lives only here, as the reference the one implementation in the package is checked
against: same rows, order, columns, dtypes and values, on the shipped corpus, the example rounds,
seeded random corpora and small synthetic ones, for every measure, normalisation and unit, and
every kind of claim test.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import samendoen_analysis.analysis.claims as claims_mod
from benchmarks.synth import generate_corpus
from samendoen_analysis import load_corpus
from samendoen_analysis.analysis.claims import (
    FAILS,
    HOLDS,
    NOT_EVALUABLE,
    SHARE_TESTS,
    Check,
    claim_matrix,
    evaluate_table,
    share_column,
    share_groups,
    split_groups,
    subcodes_of,
)
from samendoen_analysis.analysis.measures import coded_units, group_table, normalise
from samendoen_analysis.analysis.robustness import OUTCOMES, TIE, _finish, by_measure, leave_one_out
from samendoen_analysis.paths import DATA_DIR
from samendoen_analysis.qdpx.importer import import_qdpx
from samendoen_analysis.vocabulary import CLAIM_TESTS, MEASURES, NORMALISATIONS, ROLE_GROUPS, base_codes

from .tiny import words, write_tiny_corpus

ROOT = Path(__file__).resolve().parent.parent
UNITS = ("school_id", "respondent_id")
CONDITIONS = [(m, n) for m in MEASURES for n in NORMALISATIONS]

# ---------------------------------------------------------------- the oracle (the loop of commit 58529f6)


def _old_absent(table: pd.DataFrame, groups: Sequence[str]) -> Check | None:
    missing = [g for g in groups if g not in table.index]
    if missing:
        return Check(np.nan, NOT_EVALUABLE, f"no {' or '.join(missing)} in the selection", "")
    return None


def _old_verdict(passes: bool) -> str:
    return HOLDS if passes else FAILS


def _old_top_code(claim, table, lenses):
    groups, code = split_groups(claim["groups"]), claim["code_id"]
    ranked = {g: table.loc[g, lenses].astype(float) for g in groups}
    silent = [g for g, r in ranked.items() if r.sum() == 0]
    if silent:
        return Check(np.nan, NOT_EVALUABLE, f"{' and '.join(silent)}: nothing coded with a lens", "")
    margins = [float(r[code] - r.drop(code).max()) for r in ranked.values()]
    evidence = "; ".join(f"{g}: top {r.idxmax()} ({r.max():.4g}), {code} {r[code]:.4g}" for g, r in ranked.items())
    return Check(min(margins), _old_verdict(min(margins) > 0), "", evidence)


def _old_ratio(claim, table):
    groups, code = split_groups(claim["groups"]), claim["code_id"]
    a, b = (float(table.at[g, code]) for g in groups)
    evidence = f"{groups[0]} {a:.4g} vs {groups[1]} {b:.4g}"
    if a == 0 and b == 0:
        return Check(np.nan, NOT_EVALUABLE, f"neither group has anything coded {code}", evidence)
    stat = a / b if b else np.inf
    return Check(stat, _old_verdict(stat >= claim["threshold"]), "", evidence)


def _old_share_of_code(claim, table):
    group, code = split_groups(claim["groups"])[0], claim["code_id"]
    if len(table.index) < 2:
        return Check(np.nan, NOT_EVALUABLE, f"no group besides {group} in the selection", "")
    total, own = float(table[code].sum()), float(table.at[group, code])
    evidence = f"{group} {own:.4g} of {total:.4g}"
    if total == 0:
        return Check(np.nan, NOT_EVALUABLE, f"nothing coded {code}", evidence)
    stat = own / total
    return Check(stat, _old_verdict(stat >= claim["threshold"]), "", evidence)


def _old_subcode_share(claim, table):
    code, groups = claim["code_id"], share_groups(claim)
    rows = table.loc[[g for g in groups if g in table.index]] if groups else table
    inside, total = float(rows[share_column(claim)].sum()), float(rows[code].sum())
    evidence = f"with {' or '.join(subcodes_of(claim))} {inside:.4g} of {total:.4g}"
    if total == 0:
        return Check(np.nan, NOT_EVALUABLE, f"nothing coded {code}", evidence)
    stat = inside / total
    return Check(stat, _old_verdict(stat >= claim["threshold"]), "", evidence)


def _old_check_claim(claim, table, lenses):
    test = claim["test"]
    if test in SHARE_TESTS:
        absent = _old_absent(table, share_groups(claim)) if share_groups(claim) else None
        return absent or _old_subcode_share(claim, table)
    absent = _old_absent(table, split_groups(claim["groups"]))
    if absent:
        return absent
    check = {"top_code": lambda: _old_top_code(claim, table, lenses), "ratio": lambda: _old_ratio(claim, table),
             "share_of_code": lambda: _old_share_of_code(claim, table)}[test]()
    if check.verdict != NOT_EVALUABLE and np.isnan(check.statistic):
        return Check(np.nan, NOT_EVALUABLE, "a share is 0/0 in the normalised table", check.evidence)
    return check


def old_evaluate_table(claims, table, lenses):
    checks = [_old_check_claim(pd.Series(c), table, lenses) for c in claims.to_dict("records")]
    return pd.DataFrame({
        "claim_id": claims["claim_id"].to_numpy(),
        "statistic": [c.statistic for c in checks],
        "verdict": [c.verdict for c in checks],
        "holds": pd.array([c.holds for c in checks], dtype="boolean"),
        "reason": [c.reason for c in checks],
        "evidence": [c.evidence for c in checks],
    })


def old_at_ceiling(claim, totals, sizes, lenses):
    groups = split_groups(claim["groups"])
    if claim["test"] not in ("ratio", "top_code") or not set(groups) <= set(totals.index):
        return False
    if claim["test"] == "ratio":
        return all(totals.at[g, claim["code_id"]] == sizes[g] for g in groups)
    code = claim["code_id"]
    return any(totals.at[g, code] == sizes[g] and totals.loc[g, [c for c in lenses if c != code]].max() == sizes[g]
               for g in groups)


def _old_outcomes(verdicts, claims, totals, sizes, lenses, ceiling):
    outcome = verdicts["verdict"].copy()
    if ceiling:
        for i, claim in enumerate(claims.to_dict("records")):
            if outcome.iat[i] == FAILS and old_at_ceiling(claim, totals, sizes, lenses):
                outcome.iat[i] = TIE
    return outcome


def old_leave_one_out(corpus, unit, measure="words", normalisation="none"):
    matrix = claim_matrix(corpus, measure)
    people = corpus.respondents.set_index("respondent_id").reindex(matrix.index)
    units = pd.Series(matrix.index, index=matrix.index) if unit == "respondent_id" else people[unit].astype(str)
    groups = people["role_group"]
    lenses = base_codes(corpus.codebook, "lens")
    totals = matrix.groupby(groups, observed=True).sum()
    sizes = groups.value_counts().reindex(totals.index)
    full = old_evaluate_table(corpus.claims, normalise(totals, sizes, normalisation, lenses), lenses)
    by_unit = matrix.groupby([units, groups], observed=True).sum()
    unit_sizes = pd.Series(1, index=matrix.index).groupby([units, groups], observed=True).sum()
    frames = []
    for left_out in sorted(units.unique()):
        minus = by_unit.loc[left_out].reindex(totals.index, fill_value=0)
        remaining = sizes - unit_sizes.loc[left_out].reindex(totals.index, fill_value=0)
        kept = remaining > 0
        verdicts = old_evaluate_table(corpus.claims, normalise(totals[kept] - minus[kept], remaining[kept],
                                                              normalisation, lenses), lenses)
        same = np.isclose(verdicts["statistic"], full["statistic"], rtol=1e-12, atol=0, equal_nan=True) & (
            verdicts["verdict"] == full["verdict"])
        frames.append(verdicts.assign(
            kind=f"leave_out_{unit.removesuffix('_id')}", condition=f"without {left_out}",
            outcome=_old_outcomes(verdicts, corpus.claims, totals[kept] - minus[kept], remaining[kept], lenses,
                                  measure == "respondents"),
            informative=~same.to_numpy(), note=np.where(same, "leaves the statistic unchanged", "")))
    return _finish(pd.concat(frames, ignore_index=True))


def old_share_columns(corpus, measure, claims):
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


# ---------------------------------------------------------------- corpora


# Claims beyond the shipped seven, so that every test kind and the rarer paths (a group of one
# that leaving out empties, a share over everyone (co-occurrence), three groups ranked) are exercised. Our choice
# of test claims; they are not claims of the article.
EXTRA_CLAIMS = [
    {"claim_id": "X1", "code_id": "corona", "test": "co_occurrence", "groups": "obstacles", "threshold": "0.3"},
    {"claim_id": "X2", "code_id": "corona", "test": "subcode_share", "groups": "management",
     "subcodes": "corona.online", "threshold": "0.2"},
    {"claim_id": "X3", "code_id": "obstacles", "test": "top_code", "groups": "teacher;external_partner;management"},
    {"claim_id": "X4", "code_id": "corona", "test": "ratio", "groups": "support_staff;management", "threshold": "1"},
    {"claim_id": "X5", "code_id": "positive", "test": "share_of_code", "groups": "management", "threshold": "0.3"},
]


def _add_claims(folder: Path) -> Path:
    claims = pd.read_csv(folder / "claims.csv", dtype=str, keep_default_na=False)
    text = {c: "test claim, not from the article" for c in claims.columns if c not in ("subcodes", "threshold")}
    extra = pd.DataFrame([{**text, **claim} for claim in EXTRA_CLAIMS], columns=claims.columns, dtype=object)
    extra = extra.fillna("")
    pd.concat([claims, extra], ignore_index=True).to_csv(folder / "claims.csv", index=False)
    return folder


def random_corpus(folder: Path, seed: int) -> Path:
    """A few respondents in two or three schools with sparse random codes: groups of one, empty codes."""
    rng = random.Random(seed)
    codable = load_corpus().codebook.query("kind in ['subtheme', 'tag']")["code_id"].tolist()
    people = {f"P{i}": (f"S{rng.randint(1, 3)}", rng.choice(ROLE_GROUPS)) for i in range(rng.randint(3, 9))}
    people["P0"] = ("S1", "teacher")  # the claims name teachers: keep at least one
    segments = []
    for _ in range(rng.randint(4, 25)):
        codes = rng.sample(codable, rng.randint(1, 3))
        segments.append((rng.choice(sorted(people)), words(rng.randint(1, 12)), ";".join(codes)))
    return _add_claims(write_tiny_corpus(folder, people, segments))


@pytest.fixture(scope="module")
def shipped():
    return load_corpus()


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    folder = Path(shutil.copytree(DATA_DIR, tmp_path_factory.mktemp("rounds") / "data"))
    import_qdpx(ROOT / "examples" / "round2" / "R2-ronde-twee.qdpx", "R2", data_dir=folder)
    import_qdpx(ROOT / "examples" / "round3-panel" / "R3-panel.qdpx", "R3", data_dir=folder,
                consensus_user="Consensus", redact=True)
    return load_corpus(folder)


@pytest.fixture(scope="module")
def randoms(tmp_path_factory):
    base = tmp_path_factory.mktemp("random")
    return [load_corpus(random_corpus(base / f"seed{seed}", seed)) for seed in range(8)]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    base = tmp_path_factory.mktemp("synth")
    return [load_corpus(_add_claims(generate_corpus(base / f"n{n}", n, seed))) for n, seed in ((400, 1),)]


def assert_same(corpus, unit, measure, normalisation):
    new = leave_one_out(corpus, unit, measure, normalisation)
    old = old_leave_one_out(corpus, unit, measure, normalisation)
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    return new


# ---------------------------------------------------------------- the tests


@pytest.mark.parametrize(("measure", "normalisation"), CONDITIONS)
@pytest.mark.parametrize("unit", UNITS)
def test_shipped_corpus(shipped, unit, measure, normalisation):
    assert_same(shipped, unit, measure, normalisation)


@pytest.mark.parametrize(("measure", "normalisation"), CONDITIONS)
@pytest.mark.parametrize("unit", UNITS)
def test_example_rounds(rounds, unit, measure, normalisation):
    assert {"R2", "R3"} <= set(rounds.respondents["round"].astype(str))
    assert_same(rounds, unit, measure, normalisation)


@pytest.mark.parametrize(("measure", "normalisation"), CONDITIONS)
def test_random_corpora_cover_every_test_and_outcome(randoms, measure, normalisation):
    outcomes = set()
    for corpus in randoms:
        for unit in UNITS:
            outcomes |= set(assert_same(corpus, unit, measure, normalisation)["outcome"])
    assert set(randoms[0].claims["test"]) == set(CLAIM_TESTS)
    # The comparison is not vacuous: the random corpora reach every verdict (ties only where counted).
    assert outcomes == (set(OUTCOMES) if measure == "respondents" else set(OUTCOMES) - {TIE})


@pytest.mark.parametrize(("measure", "normalisation"), CONDITIONS)
@pytest.mark.parametrize("unit", UNITS)
def test_small_synthetic_corpora(synthetic, unit, measure, normalisation):
    for corpus in synthetic:
        assert_same(corpus, unit, measure, normalisation)


@pytest.mark.parametrize(("measure", "normalisation"), CONDITIONS)
def test_one_table_matches_the_old_rules(randoms, shipped, measure, normalisation):
    """evaluate_table, a stack of one, keeps statistic, verdict, reason and evidence of the old rules."""
    for corpus in [shipped, *randoms]:
        lenses = base_codes(corpus.codebook, "lens")
        matrix = claim_matrix(corpus, measure)
        for selection in (matrix, matrix.iloc[: max(1, len(matrix) // 2)]):
            people = corpus.respondents[corpus.respondents["respondent_id"].isin(selection.index)]
            table = group_table(selection, people, ("role_group",), normalisation, lenses)
            pd.testing.assert_frame_equal(evaluate_table(corpus.claims, table, lenses),
                                          old_evaluate_table(corpus.claims, table, lenses), check_exact=True)


def test_ceiling_matches_the_old_rule(randoms, shipped):
    for corpus in [shipped, *randoms]:
        lenses = base_codes(corpus.codebook, "lens")
        matrix = claim_matrix(corpus, "respondents")
        totals = group_table(matrix, corpus.respondents, ("role_group",), "none", lenses)
        sizes = corpus.respondents["role_group"].value_counts()
        for claim in corpus.claims.to_dict("records"):
            assert claims_mod.at_ceiling(claim, totals, sizes, lenses) == old_at_ceiling(claim, totals, sizes, lenses)


def test_by_measure_unchanged(shipped, randoms):
    """by_measure reads the same rules through the stack: its table is as the old rules give it."""
    for corpus in [shipped, *randoms[:3]]:
        table = by_measure(corpus)
        lenses = base_codes(corpus.codebook, "lens")
        for condition, rows in table.groupby("condition", sort=False):
            measure, norm = condition.split(" / ")
            matrix = claim_matrix(corpus, measure)
            old = old_evaluate_table(corpus.claims, group_table(matrix, corpus.respondents, ("role_group",), norm,
                                                                lenses), lenses)
            np.testing.assert_array_equal(rows["statistic"].to_numpy(), old["statistic"].to_numpy())
            verdict = rows["outcome"].replace(TIE, FAILS).to_numpy()
            np.testing.assert_array_equal(verdict, old["verdict"].to_numpy())


@pytest.mark.parametrize("measure", MEASURES)
def test_share_columns_match_the_old_sets(shipped, rounds, randoms, synthetic, measure):
    """The claim matrix's share columns, now from arrays, equal the old set-based ones, subsets included."""
    for corpus in [shipped, rounds, *randoms, *synthetic]:
        schools = sorted(corpus.schools["school_id"].astype(str))
        for selection in (corpus, corpus.subset(schools=schools[: max(1, len(schools) // 2)])):
            pd.testing.assert_frame_equal(claims_mod._share_columns(selection, measure, selection.claims),
                                          old_share_columns(selection, measure, selection.claims), check_exact=True)


def test_no_inference_per_unit(shipped, monkeypatch):
    """Leave-one-out reads verdicts only: no exact permutation test runs for a left-out unit."""
    def refuse(*args, **kwargs):
        raise AssertionError("leave_one_out ran an inference test")

    monkeypatch.setattr(claims_mod, "ratio_test", refuse)
    monkeypatch.setattr(claims_mod, "paired_test", refuse)
    for unit in UNITS:
        assert len(leave_one_out(shipped, unit, "respondents", "per_respondent"))
