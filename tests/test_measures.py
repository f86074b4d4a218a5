"""Measures and normalisations against a tiny corpus computed by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from samendoen_analysis import load_corpus
from samendoen_analysis.analysis.measures import emphasis

from .tiny import words, write_tiny_corpus

RESPONDENTS = {
    "T1": ("S1", "teacher"),
    "T2": ("S1", "teacher"),
    "E1": ("S1", "external_partner"),
    "E2": ("S2", "external_partner"),
    "M1": ("S2", "management"),
}
SEGMENTS = [
    ("T1", words(10), "ideal.culture"),
    ("T1", words(5), "obstacles.top_down;corona"),
    ("T1", words(4), "ideal.commitment;ideal.culture"),
    ("T2", words(6), "positive.click"),
    ("E1", words(8), "expertise.signalling"),
    ("E1", words(3), "organisation.step_by_step"),
    ("E2", words(2), "ideal.culture"),
    ("M1", words(7), "ideal.culture"),
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_corpus(write_tiny_corpus(tmp_path_factory.mktemp("tiny"), RESPONDENTS, SEGMENTS))


def _cell(table: pd.DataFrame, group: str, code: str) -> float:
    row = table[(table["role_group"] == group) & (table["code_id"] == code)]
    assert len(row) == 1
    return float(row["value"].iloc[0])


@pytest.mark.parametrize(
    "measure, group, code, expected",
    [
        ("words", "teacher", "ideal", 14),  # 10 + 4: two sub-themes of one lens count once
        ("words", "teacher", "obstacles", 5),
        ("words", "teacher", "corona", 5),
        ("words", "external_partner", "ideal", 2),
        ("words", "external_partner", "expertise", 8),
        ("words", "management", "ideal", 7),
        ("segments", "teacher", "ideal", 2),
        ("segments", "external_partner", "organisation", 1),
        ("respondents", "teacher", "ideal", 1),
        ("respondents", "external_partner", "ideal", 1),
        ("respondents", "teacher", "expertise", 0),
    ],
)
def test_lens_measures(tiny, measure, group, code, expected):
    assert _cell(emphasis(tiny, "lens", measure), group, code) == expected


def test_subtheme_level_counts_each_code(tiny):
    table = emphasis(tiny, "subtheme", "words")
    assert _cell(table, "teacher", "ideal.culture") == 14
    assert _cell(table, "teacher", "ideal.commitment") == 4


def test_per_respondent_counts_silent_members(tiny):
    table = emphasis(tiny, "lens", "words", "per_respondent")
    assert _cell(table, "teacher", "ideal") == 7  # 14 words over 2 teachers
    assert _cell(table, "external_partner", "ideal") == 1  # E1 said nothing on it, still counted
    assert _cell(table, "management", "ideal") == 7


def test_share_within_group_excludes_tags_from_the_total(tiny):
    table = emphasis(tiny, "lens", "words", "share_within_group")
    assert _cell(table, "teacher", "ideal") == pytest.approx(100 * 14 / 25)
    assert _cell(table, "teacher", "corona") == pytest.approx(100 * 5 / 25)
    lenses = table[(table["role_group"] == "external_partner") & (table["code_id"] != "corona")]
    assert lenses["value"].sum() == pytest.approx(100)


def test_share_within_code(tiny):
    table = emphasis(tiny, "lens", "words", "share_within_code")
    assert _cell(table, "teacher", "ideal") == pytest.approx(100 * 14 / 23)
    assert _cell(table, "management", "ideal") == pytest.approx(100 * 7 / 23)
    assert table[table["code_id"] == "expertise"]["value"].sum() == pytest.approx(100)


def test_by_school(tiny):
    table = emphasis(tiny, "lens", "words", by=("school_id", "role_group"))
    row = table[
        (table["school_id"] == "S2") & (table["role_group"] == "external_partner") & (table["code_id"] == "ideal")
    ]
    assert row["value"].tolist() == [2]


def test_subset_by_school_and_input_not_mutated(tiny):
    before = tiny.codings.copy()
    part = tiny.subset(schools=["S1"])
    assert set(part.respondents["respondent_id"]) == {"T1", "T2", "E1"}
    assert _cell(emphasis(part, "lens", "words"), "external_partner", "ideal") == 0
    pd.testing.assert_frame_equal(tiny.codings, before)
