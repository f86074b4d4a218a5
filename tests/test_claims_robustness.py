"""Claims and their robustness on a tiny corpus whose verdicts are known by construction."""

from __future__ import annotations

import pandas as pd
import pytest

from samendoen_analysis import load_corpus
from samendoen_analysis.analysis.claims import evaluate_claims
from samendoen_analysis.analysis.measures import respondent_matrix
from samendoen_analysis.analysis.robustness import bootstrap_ratios, leave_one_out, robustness_summary, robustness_table
from samendoen_analysis.vocabulary import MEASURES, NORMALISATIONS

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
    assert summary.at[("C1", "measure"), "conditions"] == len(MEASURES) * len(NORMALISATIONS)
    assert summary.at[("C3", "leave_out_school"), "conditions"] == 2


def test_bootstrap_is_seeded_and_brackets_the_ratio(tiny):
    first = bootstrap_ratios(tiny, n_boot=500, seed=7)
    pd.testing.assert_frame_equal(first, bootstrap_ratios(tiny, n_boot=500, seed=7))
    obstacles = first.set_index("code_id").loc["obstacles"]
    assert obstacles["ratio"] == pytest.approx(20 / 2)
    assert obstacles["low"] <= obstacles["ratio"] <= obstacles["high"]


# ---------------------------------------------------------------- informative conditions (shipped corpus)


@pytest.fixture(scope="module")
def shipped_table():
    return robustness_table(load_corpus())


def test_only_informative_conditions_count(shipped_table):
    summary = robustness_summary(shipped_table).set_index(["claim_id", "kind"])
    corpus = load_corpus()
    words = respondent_matrix(corpus, "lens", "words")
    groups = corpus.respondents.set_index("respondent_id")["role_group"].reindex(words.index)
    claims = corpus.claims.set_index("claim_id")
    for claim in ("C2", "C3", "C4", "C5"):
        # Only teachers and partners who said something on the lens can move a teacher/partner
        # ratio; directors, the support-staff member and the silent cannot.
        compared = groups.isin(["teacher", "external_partner"]).to_numpy()
        movers = int((words.loc[compared, claims.at[claim, "code_id"]] > 0).sum())
        assert summary.loc[(claim, "leave_out_respondent"), ["conditions", "informative"]].tolist() == [18, movers]
        assert summary.loc[(claim, "leave_out_school"), ["conditions", "informative"]].tolist() == [5, 3]
        # Equal groups: none = per_respondent = share_within_code; each measure x 2 questions.
        assert summary.loc[(claim, "measure"), "informative"] == 2 * len(MEASURES)
    # C1 ranks lenses within a group: one question per measure.
    assert summary.loc[("C1", "measure"), "informative"] == len(MEASURES)


def test_merged_conditions_really_are_the_same(shipped_table):
    measure = shipped_table[shipped_table["kind"] == "measure"].copy()
    measure["measure"] = measure["condition"].str.split(" / ").str[0]
    merged = measure[measure["note"].str.startswith("same as")]
    first = measure[measure["condition"].str.endswith("/ none")].set_index(["claim_id", "measure"])
    for row in merged.itertuples():
        assert row.outcome == first.at[(row.claim_id, row.measure), "outcome"], row
        claims = load_corpus().claims.set_index("claim_id")
        if claims.at[row.claim_id, "test"] == "ratio":
            assert row.statistic == pytest.approx(first.at[(row.claim_id, row.measure), "statistic"])


def test_unchanged_leave_outs_are_listed_not_counted(shipped_table):
    loo = shipped_table[shipped_table["kind"] == "leave_out_respondent"]
    silent = loo[~loo["informative"]]
    assert (silent["note"] == "leaves the statistic unchanged").all()
    c3 = silent[silent["claim_id"] == "C3"]["condition"].str.removeprefix("without ").tolist()
    corpus = load_corpus()
    groups = corpus.respondents.set_index("respondent_id")["role_group"]
    obstacles = respondent_matrix(corpus, "lens", "words")["obstacles"]
    # Left out without effect: people outside the two groups, or members who said nothing on obstacles.
    assert all(groups[r] in ("management", "support_staff") or obstacles[r] == 0 for r in c3)


def test_ceiling_ties_and_skipped_combinations(shipped_table):
    table = shipped_table.set_index(["claim_id", "condition"])
    corpus = load_corpus()
    touched = respondent_matrix(corpus, "lens", "respondents")
    groups = corpus.respondents.set_index("respondent_id")["role_group"].reindex(touched.index)
    for claim in corpus.claims[corpus.claims["test"] == "ratio"].itertuples():
        both = [touched.loc[(groups == g).to_numpy(), claim.code_id] for g in claim.groups.split(";")]
        # Everyone in both groups touched the lens: equal counts are a tie, not a failure.
        at_ceiling = all((b == 1).all() for b in both)
        assert (table.at[(claim.claim_id, "respondents / none"), "outcome"] == "tie at ceiling") == at_ceiling
    assert not table.at[("C7", "words / share_within_code"), "informative"]  # 1 by construction
    assert not table.at[("C1", "words / share_within_code"), "informative"]
    assert not table.at[("C6", "words / share_within_group"), "informative"]


def test_share_threshold_rederived_per_respondent_gives_the_same_verdict():
    corpus = load_corpus()
    claim = corpus.claims.set_index("claim_id").loc["C6"]
    people = corpus.respondents.set_index("respondent_id")
    from samendoen_analysis.analysis.claims import claim_matrix

    values = claim_matrix(corpus)[claim["code_id"]]
    teacher = (people["role_group"] == "teacher").reindex(values.index)
    n1, n2 = teacher.sum(), (~teacher).sum()
    per_capita = values[teacher].mean() / values[~teacher].mean()
    rederived = claim["threshold"] / (1 - claim["threshold"]) * n2 / n1
    share = values[teacher].sum() / values.sum()
    assert (per_capita >= rederived) == (share >= claim["threshold"])


# ---------------------------------------------------------------- measures: splitting, per person, 0/0


def test_split_words_count_every_word_once(tiny):
    from samendoen_analysis.analysis.measures import coded_units, multi_code_segments, respondent_matrix, split_matrix
    from samendoen_analysis.vocabulary import base_codes

    split = split_matrix(tiny)
    lenses = base_codes(tiny.codebook, "lens")
    units = coded_units(tiny, "lens")
    on_a_lens = tiny.segments[tiny.segments["segment_id"].isin(units.loc[units["code_id"].isin(lenses), "segment_id"])]
    assert split[lenses].to_numpy().sum() == pytest.approx(on_a_lens["words"].sum())
    assert multi_code_segments(tiny) == 0  # every tiny segment has one lens
    assert (split[lenses] == respondent_matrix(tiny)[lenses]).all().all()


def test_split_a_two_lens_segment(tmp_path):
    from samendoen_analysis.analysis.measures import multi_code_segments, split_matrix

    segments = [*SEGMENTS, ("T2", words(10), "obstacles.too_short;positive.click")]
    corpus = load_corpus(write_tiny_corpus(tmp_path, RESPONDENTS, segments))
    assert multi_code_segments(corpus) == 1
    split = split_matrix(corpus)
    assert split.at["T2", "obstacles"] == pytest.approx(5) and split.at["T2", "positive"] == pytest.approx(15)
    with pytest.raises(ValueError, match="unknown measure 'respondents'; valid values: words, segments"):
        split_matrix(corpus, measure="respondents")


def test_zero_over_zero_is_missing_and_per_person_share():
    from samendoen_analysis.analysis.measures import normalise, per_person_share_within_code

    totals = pd.DataFrame({"a": [0, 0], "b": [6, 2]}, index=["x", "y"])
    sizes = pd.Series([3, 1], index=["x", "y"])
    assert normalise(totals, sizes, "share_within_code")["a"].isna().all()
    assert per_person_share_within_code(totals, sizes)["b"].tolist() == [50.0, 50.0]
    assert normalise(totals.iloc[:, :1], sizes, "share_within_group")["a"].isna().all()


def test_bootstrap_on_an_absent_group_is_missing(tiny):
    boot = bootstrap_ratios(tiny.subset(role_groups=["teacher"]), n_boot=50)
    assert boot[["ratio", "low", "high", "share_above_1"]].isna().all().all()


# ---------------------------------------------------------------- figures


def test_figures_state_level_claims_and_informative_counts(shipped_table):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from samendoen_analysis.present.figures import claim_intervals, robustness_grid

    corpus = load_corpus()
    claims = evaluate_claims(corpus.subset(schools=["S2"]))
    fig = claim_intervals(claims, "en")
    ax = fig.axes[0]
    assert "95%" in fig._suptitle.get_text()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[2].startswith("C3  Teachers talk clearly more")
    assert sum(t.get_text() == "not evaluable" for t in ax.texts) == (claims["verdict"] == "not evaluable").sum() > 0
    summary = robustness_summary(shipped_table)
    fig2 = robustness_grid(summary, "en", corpus.claims)
    cells = {t.get_text() for t in fig2.axes[0].texts}
    first = summary.iloc[0]
    assert any(c.startswith(f"{first['holds']}/{first['informative']}") for c in cells)
    assert "informative" in fig2._suptitle.get_text()
    plt.close("all")


def test_subcode_share_claims(tiny):
    import dataclasses

    rows = [
        {"claim_id": "S1", "code_id": "corona", "test": "subcode_share", "groups": "", "threshold": 0.5,
         "subcodes": "obstacles.corona_rules"},
        {"claim_id": "S2", "code_id": "corona", "test": "subcode_share", "groups": "external_partner",
         "threshold": 0.5, "subcodes": "obstacles.corona_rules"},
        {"claim_id": "S3", "code_id": "corona", "test": "subcode_share", "groups": "", "threshold": 0.5,
         "subcodes": "obstacles.corona_rules;expertise"},
        {"claim_id": "S4", "code_id": "corona", "test": "subcode_share", "groups": "management", "threshold": 0.5,
         "subcodes": "obstacles"},
    ]
    claims = pd.DataFrame(rows).assign(section="", summary_en="", summary_nl="")
    result = evaluate_claims(dataclasses.replace(tiny, claims=claims)).set_index("claim_id")
    # Corona: T1 8 words with obstacles.corona_rules, T2 4 on no lens, E2 2 with expertise.lessons_vs_projects.
    assert result.at["S1", "statistic"] == pytest.approx(8 / 14) and result.at["S1", "verdict"] == "holds"
    assert result.at["S2", "statistic"] == 0 and result.at["S2", "verdict"] == "does not hold"
    assert result.at["S3", "statistic"] == pytest.approx(10 / 14)  # a lens id covers its sub-themes
    assert result.at["S4", "verdict"] == "not evaluable"  # no management in the tiny corpus
    # Three people used the tag: eight sign patterns; only T1's 8 words lie in the sub-code, so at
    # the threshold share 1/2 (ratio 1) the differences are 8, -4 and -2 (sum 2); of the sums
    # +-8 +-4 +-2, four (14, 10, 6, 2) are at least 2 -> p = 4/8.
    assert result.at["S1", "p_value"] == pytest.approx(4 / 8)
