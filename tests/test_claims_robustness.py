"""Claims and their robustness on a tiny corpus whose verdicts are known by construction."""

from __future__ import annotations

import pandas as pd
import pytest

from samendoen_analysis import load_corpus
from samendoen_analysis.analysis.claims import evaluate_claims
from samendoen_analysis.analysis.robustness import bootstrap_ratios, leave_one_out, robustness_summary, robustness_table

from .tiny import words, write_tiny_corpus

RESPONDENTS = {
    "T1": ("S1", "teacher"),
    "T2": ("S2", "teacher"),
    "E1": ("S1", "external_partner"),
    "E2": ("S2", "external_partner"),
}
SEGMENTS = [
    ("T1", words(15), "ideal.culture"),
    ("T2", words(15), "ideal.commitment"),
    ("E1", words(15), "ideal.culture"),
    ("E2", words(15), "ideal.beyond_lessons"),
    ("T1", words(5), "expertise.educator"),
    ("E1", words(10), "expertise.youth_world"),
    ("E2", words(10), "expertise.signalling"),
    ("T1", words(8), "obstacles.corona_rules;corona;corona.infection_fear"),
    ("T2", words(4), "corona;corona.rules"),  # corona talk on no lens
    ("T1", words(12), "obstacles.too_short"),
    ("E2", words(2), "obstacles.time_pressure"),
    ("T2", words(10), "positive.click"),
    ("E1", words(12), "positive.short_lines"),
    ("T2", words(4), "organisation.joint_activities"),
    ("E1", words(10), "organisation.step_by_step"),
    ("E2", words(2), "expertise.lessons_vs_projects;corona;corona.online"),
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_corpus(write_tiny_corpus(tmp_path_factory.mktemp("claims"), RESPONDENTS, SEGMENTS))


def test_verdicts_and_statistics(tiny):
    result = evaluate_claims(tiny).set_index("claim_id")
    assert result["holds"].to_dict() == {
        "C1": True,
        "C2": True,
        "C3": True,
        "C4": False,
        "C5": True,
        "C6": True,
        "C7": True,
    }
    assert result.at["C2", "statistic"] == pytest.approx(22 / 5)  # 20 + 2 expertise words vs 5
    assert result.at["C4", "statistic"] == pytest.approx(10 / 12)
    assert result.at["C6", "statistic"] == pytest.approx(12 / 14)
    assert result.at["C7", "statistic"] == pytest.approx(8 / 12)  # teachers' fear/absence words of their corona
    assert result.at["C1", "statistic"] == pytest.approx(30 - 22)  # smallest lead of ideal


def test_subcode_share_counts_a_segment_once_and_can_fail(tmp_path):
    segments = [*SEGMENTS, ("T2", words(6), "corona;corona.infection_fear;corona.absence"),
                ("T1", words(30), "obstacles.corona_rules;corona;corona.rules")]
    result = evaluate_claims(load_corpus(write_tiny_corpus(tmp_path, RESPONDENTS, segments))).set_index("claim_id")
    assert result.at["C7", "statistic"] == pytest.approx((8 + 6) / (8 + 4 + 6 + 30))
    assert not result.at["C7", "holds"]


def test_claim_fails_when_top_lens_changes(tmp_path):
    segments = [*SEGMENTS, ("T1", words(40), "obstacles.no_debrief")]
    result = evaluate_claims(load_corpus(write_tiny_corpus(tmp_path, RESPONDENTS, segments)))
    assert not result.set_index("claim_id").at["C1", "holds"]


def test_measure_changes_verdict(tiny):
    by_segments = evaluate_claims(tiny, "segments").set_index("claim_id")
    assert by_segments.at["C3", "statistic"] == pytest.approx(2 / 1)
    assert not by_segments.at["C4", "holds"]  # one segment each: ratio 1 < 1.25


def test_leave_one_respondent_out(tiny):
    table = leave_one_out(tiny, "respondent_id").set_index(["claim_id", "condition"])
    assert not table.at[("C3", "without T1"), "holds"]  # all teacher obstacles are T1's
    assert table.at[("C3", "without T2"), "holds"]
    assert len(table) == 4 * 7


def test_leave_one_school_out_and_summary(tiny):
    table = robustness_table(tiny)
    assert set(table["kind"]) == {"measure", "leave_out_school", "leave_out_respondent"}
    summary = robustness_summary(table).set_index(["claim_id", "kind"])
    assert summary.at[("C1", "measure"), "conditions"] == 12
    assert summary.at[("C3", "leave_out_school"), "conditions"] == 2


def test_bootstrap_is_seeded_and_brackets_the_ratio(tiny):
    first = bootstrap_ratios(tiny, n_boot=500, seed=7)
    pd.testing.assert_frame_equal(first, bootstrap_ratios(tiny, n_boot=500, seed=7))
    obstacles = first.set_index("code_id").loc["obstacles"]
    assert obstacles["ratio"] == pytest.approx(20 / 2)
    assert obstacles["low"] <= obstacles["ratio"] <= obstacles["high"]
