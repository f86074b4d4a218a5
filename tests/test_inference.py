"""Exact inference for the claims: p-values worked out by hand, three-valued verdicts, every selection runs."""

from __future__ import annotations

import dataclasses
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from samendoen_analysis import load_corpus
from samendoen_analysis.analysis import inference
from samendoen_analysis.analysis.claims import (
    FAILS,
    HOLDS,
    NOT_EVALUABLE,
    claim_matrix,
    evaluate_claims,
    evaluate_table,
)
from samendoen_analysis.analysis.inference import (
    count_assignments,
    paired_test,
    ratio_test,
    sign_flips,
    two_group_assignments,
)
from samendoen_analysis.analysis.measures import group_table
from samendoen_analysis.analysis.robustness import compare_ratios, leave_one_out, robustness_table
from samendoen_analysis.vocabulary import base_codes, level_codes

from .tiny import words, write_tiny_corpus

# Two schools, one teacher and one partner each: obstacles 12 and 8 words against 2 and 4.
PAIRED_SCHOOLS = {"T1": ("S1", "teacher"), "E1": ("S1", "external_partner"),
                  "T2": ("S2", "teacher"), "E2": ("S2", "external_partner")}
SEGMENTS = [
    ("T1", words(10), "ideal.culture"), ("T1", words(4), "obstacles.too_short"),
    ("T1", words(8), "obstacles.no_debrief"),
    ("T2", words(6), "ideal.commitment"), ("T2", words(8), "obstacles.too_short"),
    ("E1", words(9), "ideal.culture"), ("E1", words(3), "expertise.youth_world"),
    ("E1", words(2), "obstacles.time_pressure"),
    ("E2", words(7), "ideal.culture"), ("E2", words(5), "expertise.signalling"),
    ("E2", words(4), "obstacles.time_pressure"),
]


@pytest.fixture(scope="module")
def shipped():
    return load_corpus()


@pytest.fixture(scope="module")
def paired(tmp_path_factory):
    return load_corpus(write_tiny_corpus(tmp_path_factory.mktemp("paired"), PAIRED_SCHOOLS, SEGMENTS))


def test_ratio_p_value_within_schools_by_hand(paired):
    c3 = evaluate_claims(paired).set_index("claim_id").loc["C3"]
    # Teachers' obstacles 12 + 8 = 20 words, partners' 2 + 4 = 6. Within schools there are four
    # assignments: none, S1 or S2 or both swapped. Dividing the teachers' words by the threshold
    # 1.25 gives 9.6 and 6.4; the teacher sums are 16 (observed), 2 + 6.4, 9.6 + 4 and 2 + 4:
    # only the observed one reaches 16, so p = 1/4.
    assert c3["effect"] == pytest.approx(20 / 6)
    assert c3["p_value"] == pytest.approx(1 / 4)
    assert c3["design"] == "within strata, exact"
    assert c3["verdict"] == HOLDS and c3["flip_threshold"] == pytest.approx(20 / 6)
    # Four assignments cannot exclude anything at 95%: the interval is all ratios.
    assert (c3["ci_low"], c3["ci_high"]) == (0.0, np.inf)


def test_ratio_p_value_free_by_hand_and_by_scipy():
    values, first = np.array([12.0, 8.0, 2.0, 4.0]), np.array([True, True, False, False])
    # Six ways to choose two of four; after dividing the first two by 1.25 the pair sums are
    # 16, 11.6, 13.6, 8.4, 10.4, 6: the observed 16 is the largest, p = 1/6.
    result = ratio_test(values, first, None, null=1.25)
    assert result.p_value == pytest.approx(1 / 6) and result.n_assignments == 6
    reference = stats.permutation_test(
        (values[first] / 1.25, values[~first]), lambda a, b, axis: a.sum(axis=axis) - b.sum(axis=axis),
        permutation_type="independent", alternative="greater", n_resamples=np.inf, vectorized=True)
    assert result.p_value == pytest.approx(reference.pvalue)


def test_random_data_agree_with_scipy_exact_tests():
    rng = np.random.default_rng(3)
    for _ in range(5):
        values, first = rng.integers(0, 60, 10).astype(float), np.arange(10) < 5
        ours = ratio_test(values, first, None, null=1.4)
        theirs = stats.permutation_test(
            (values[first] / 1.4, values[~first]), lambda a, b, axis: a.sum(axis=axis) - b.sum(axis=axis),
            permutation_type="independent", alternative="greater", n_resamples=np.inf, vectorized=True)
        assert ours.p_value == pytest.approx(theirs.pvalue)
        u, v = rng.integers(1, 60, 7).astype(float), rng.integers(1, 60, 7).astype(float)
        flip = stats.permutation_test((u / 1.2 - v,), np.sum, permutation_type="samples", alternative="greater",
                                      n_resamples=np.inf, vectorized=True)
        assert paired_test(u, v, null=1.2).p_value == pytest.approx(flip.pvalue)


def test_interval_is_the_set_of_ratios_the_test_keeps():
    rng = np.random.default_rng(5)
    values, first = rng.integers(1, 80, 12).astype(float), np.arange(12) < 6
    result = ratio_test(values, first, None)
    # Brute force: a ratio is in the interval when neither one-sided p-value is at most 2.5%.
    grid = np.exp(np.linspace(np.log(result.low) - 0.5, np.log(result.high) + 0.5, 400))
    kept = []
    for theta in grid:
        upper = ratio_test(values, first, None, null=theta).p_value
        lower = ratio_test(values, ~first, None, null=1 / theta).p_value
        kept.append(upper > 0.025 and lower > 0.025)
    kept = grid[np.array(kept)]
    assert kept.min() >= result.low * (1 - 1e-9) and kept.max() <= result.high * (1 + 1e-9)
    assert result.low < result.effect < result.high


def test_paired_sign_flip_by_hand(paired):
    c1 = evaluate_claims(paired).set_index("claim_id").loc["C1"]
    # Teachers: ideal 10 and 6 words against obstacles 12 and 8: the lead fails.
    assert c1["verdict"] == FAILS
    # Two teachers, four sign patterns of the differences ideal - obstacles: the largest p-value
    # over groups and lenses is this one; differences -2 and -2 give sums -4 (observed), 0, 0, 4.
    assert c1["p_value"] == pytest.approx(4 / 4)
    assert c1["effect"] == pytest.approx(16 / 20)


def test_sign_flip_small():
    # Differences 4, 4, 4: only the observed pattern reaches 12 among eight, p = 1/8.
    assert paired_test(np.array([5, 6, 7]), np.array([1, 2, 3])).p_value == pytest.approx(1 / 8)
    assert sign_flips(3).shape == (8, 3)


def test_assignments_within_strata():
    first = np.tile([True, True, False, False], 3)
    strata = np.repeat(["S1", "S3", "S4"], 4)
    rows = two_group_assignments(first, strata)
    assert len(rows) == count_assignments(first, strata) == 216  # 6 ** 3, the review's count
    assert count_assignments(first) == len(list(combinations(range(12), 6))) == 924
    assert (rows.sum(axis=1) == 6).all() and len({r.tobytes() for r in rows}) == 216
    assert all((r.reshape(3, 4).sum(axis=1) == 2).all() for r in rows)


def test_assignments_with_more_strata_than_numpy_has_dimensions():
    # 100 schools, most with one possible choice: few assignments, but one stratum each.
    first = np.tile([True, False], 100)
    first[2:] = np.tile([True, True], 99)
    strata = np.repeat(np.arange(100), 2)
    rows = two_group_assignments(first, strata)
    assert len(rows) == count_assignments(first, strata) == 2
    assert {tuple(np.flatnonzero(r[:2])) for r in rows} == {(0,), (1,)} and rows[:, 2:].all()


def test_count_of_assignments_does_not_wrap_round():
    # 400 schools with 2 of 4 in the first group: 6 ** 400 assignments, far past 2 ** 63.
    first = np.tile([True, True, False, False], 400)
    strata = np.repeat(np.arange(400), 4)
    assert count_assignments(first, strata) == 6**400 > inference.MAX_EXACT


def test_monte_carlo_in_batches_gives_the_unbatched_p_value(monkeypatch):
    rng = np.random.default_rng(3)
    first, second = rng.gamma(2.0, 10.0, 40), rng.gamma(2.0, 8.0, 40)
    whole = inference._monte_carlo_p(first, second, 1.0, False, seed=1)
    monkeypatch.setattr(inference, "MAX_BATCH_VALUES", 10_000)
    assert inference._batch(80) == 125
    assert inference._monte_carlo_p(first, second, 1.0, False, seed=1) == whole


def test_shipped_design_is_stratified(shipped):
    result = evaluate_claims(shipped).set_index("claim_id")
    for claim in ("C2", "C3", "C4", "C5"):
        assert result.at[claim, "design"] == "within strata, exact"
        assert result.at[claim, "p_value"] >= 1 / 216
        low, high, effect = result.loc[claim, ["ci_low", "ci_high", "effect"]]
        assert low <= effect <= high
    assert result["verdict"].isin([HOLDS, FAILS]).all()


@pytest.mark.parametrize("groups", [["teacher"], ["external_partner"], ["management"]])
def test_absent_group_is_not_evaluable(shipped, groups):
    result = evaluate_claims(shipped.subset(role_groups=groups)).set_index("claim_id")
    for claim in ("C1", "C2", "C3", "C4", "C5"):
        assert result.at[claim, "verdict"] == NOT_EVALUABLE
        assert pd.isna(result.at[claim, "holds"]) and pd.isna(result.at[claim, "statistic"])
        assert "in the selection" in result.at[claim, "reason"]
    assert result.at["C6", "verdict"] == NOT_EVALUABLE


def test_school_with_only_its_director(shipped):
    result = evaluate_claims(shipped.subset(schools=["S2"])).set_index("claim_id")
    assert (result.loc[["C1", "C2", "C3", "C4", "C5", "C6"], "verdict"] == NOT_EVALUABLE).all()
    assert result.loc["C2", "reason"] == "no external_partner or teacher in the selection"


def test_empty_code_is_not_evaluable():
    table = pd.DataFrame({"expertise": [0.0, 0.0]}, index=["external_partner", "teacher"])
    claims = pd.DataFrame([{"claim_id": "X", "code_id": "expertise", "test": "ratio",
                            "groups": "external_partner;teacher", "threshold": 1.25}])
    row = evaluate_table(claims, table, ["expertise"]).iloc[0]
    assert row["verdict"] == NOT_EVALUABLE and "neither group" in row["reason"]


def _without(corpus, column, value):
    keep = corpus.respondents[corpus.respondents[column] != value]
    return dataclasses.replace(corpus, respondents=keep).subset(schools=sorted(keep["school_id"].unique()))


@pytest.mark.parametrize("unit", ["school_id", "respondent_id"])
def test_leave_one_out_equals_recomputation(shipped, unit):
    fast = leave_one_out(shipped, unit).set_index(["claim_id", "condition"])
    lenses = base_codes(shipped.codebook, "lens")
    for left_out in shipped.respondents[unit].astype(str).unique():
        corpus = _without(shipped, unit, left_out)
        matrix = claim_matrix(corpus).reindex(columns=claim_matrix(shipped).columns, fill_value=0)
        slow = evaluate_table(corpus.claims, group_table(matrix, corpus.respondents, ("role_group",), "none",
                                                         lenses), lenses)
        for row in slow.itertuples():
            fast_row = fast.loc[(row.claim_id, f"without {left_out}")]
            assert fast_row["statistic"] == pytest.approx(row.statistic, nan_ok=True)
            assert fast_row["outcome"] == row.verdict


@pytest.mark.parametrize("school", ["S1", "S2", "S3", "S4", "S5"])
def test_every_single_school_runs(shipped, school):
    corpus = shipped.subset(schools=[school])
    result = evaluate_claims(corpus)
    assert len(result) == len(shipped.claims) and result["verdict"].isin([HOLDS, FAILS, NOT_EVALUABLE]).all()
    assert (result["reason"] != "").eq(result["verdict"] == NOT_EVALUABLE).all()
    robustness_table(corpus)


def test_every_round_runs(shipped):
    for round_id in shipped.respondents["round"].astype(str).unique():
        assert len(evaluate_claims(shipped.subset(rounds=[round_id]))) == len(shipped.claims)


def test_every_pair_of_role_groups_compares(shipped):
    groups = list(shipped.respondents["role_group"].cat.categories)
    for first, second in combinations(groups, 2):
        for corpus in (shipped, shipped.subset(schools=["S2"])):
            ratios = compare_ratios(corpus, first, second)
            assert list(ratios.index) == level_codes(shipped.codebook, "lens")
            present = set(corpus.respondents["role_group"])
            assert ratios.isna().all().all() == (not {first, second} <= present)


def test_single_director_school_runs_the_notebooks(tmp_path):
    # The review's failing case: `samendoen reproduce -p schools S2` (S2's only respondent is
    # its director) stopped notebook 3 with KeyError: 'teacher'.
    from samendoen_analysis.paths import NOTEBOOKS_DIR
    from samendoen_analysis.run.reproduce import reproduce

    out = tmp_path / "s2"
    notebooks = [NOTEBOOKS_DIR / "03_emphasis.ipynb", NOTEBOOKS_DIR / "04_claims.ipynb"]
    reproduce(out, {"schools": "S2", "lang": "en"}, jobs=2, notebooks=notebooks, progress=False)
    claims = pd.read_csv(out / "tables" / "04_claims.csv")
    verdicts = dict(zip(claims.iloc[:, 0], claims["verdict"], strict=True))
    assert {verdicts[c] for c in ("C1", "C2", "C3", "C4", "C5", "C6")} == {NOT_EVALUABLE}
    assert pd.read_csv(out / "tables" / "03_ratio_by_measure.csv").iloc[:, 1:].isna().all().all()


def test_uncertainty_sentences_match_the_table(shipped):
    from samendoen_analysis.analysis.claims import uncertainty_text

    result = evaluate_claims(shipped)
    text = uncertainty_text(result)
    assert f"they range from {result['p_value'].min():.3g} to {result['p_value'].max():.3g}" in text
    for row in result.itertuples():
        holds_above = row.verdict == HOLDS and row.ci_low > (1.0 if pd.isna(row.threshold) else row.threshold)
        assert (f"{row.claim_id} holds on the point estimate" in text) == (row.verdict == HOLDS and not holds_above)
    ties = evaluate_claims(shipped, "respondents")
    tie_text = uncertainty_text(ties)
    for row in ties[ties["reason"].str.startswith("tie at the ceiling")].itertuples():
        assert f"{row.claim_id} does not hold, but as a tie at the ceiling" in tie_text
    assert ties["reason"].str.startswith("tie at the ceiling").any()  # the loop above checked something
