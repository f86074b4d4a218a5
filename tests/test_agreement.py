"""Inter-coder agreement: hand-worked examples and published textbook values."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from samendoen_analysis.analysis import agreement as ag
from samendoen_analysis.vocabulary import level_codes

NAN = np.nan

# A codebook of two lenses (A with sub-themes a1, a2; B with b1) and one tag t.
CODEBOOK = pd.DataFrame({
    "code_id": ["A", "a1", "a2", "B", "b1", "t"],
    "parent_id": ["", "A", "A", "", "B", ""],
    "kind": ["lens", "subtheme", "subtheme", "lens", "subtheme", "tag"],
})


def _codings(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["segment_id", "coder", "code_id"])


# s1: I1 a1, I2 a2 (same lens, neighbouring sub-theme); s2: I1 a1 + t, I2 a1 (forgotten tag);
# s3: both b1; s4: only I1 coded it, so it is missing for I2.
HAND = _codings([
    ("s1", "I1", "a1"), ("s1", "I2", "a2"),
    ("s2", "I1", "a1"), ("s2", "I1", "t"), ("s2", "I2", "a1"),
    ("s3", "I1", "b1"), ("s3", "I2", "b1"),
    ("s4", "I1", "a2"),
])


# ---------------------------------------------------------------- published values


def test_cohen_kappa_wikipedia_2x2():
    # Wikipedia, "Cohen's kappa", simple example: 50 applications; both yes 20, A yes / B no 5,
    # A no / B yes 10, both no 15.  p_o = 35/50 = 0.7; p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5;
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    a = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert ag.cohen_kappa(a, b) == pytest.approx(0.4)
    assert ag.percent_agreement(a, b) == pytest.approx(70.0)


def test_krippendorff_2011_nominal_example_with_missing_values():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four
    # observers, twelve units, missing values; alpha_nominal = 0.743.
    coders_by_units = np.array([
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ])
    assert ag.krippendorff_alpha(coders_by_units.T) == pytest.approx(0.743, abs=5e-4)


def test_krippendorff_2011_two_observers_binary():
    # Krippendorff (2011), section A: two observers, binary data, ten units; alpha = 0.095.
    # By hand: n = 20 values, six 1s and fourteen 0s; four units disagree, so o_01 + o_10 = 8;
    # alpha = 1 - (n - 1) * 8 / (2 * 6 * 14) = 1 - 152 / 168 = 0.0952.
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert ag.krippendorff_alpha(np.array([a, b]).T) == pytest.approx(16 / 168)
    # Cohen: p_o = 0.6; p_e = 0.2 * 0.4 + 0.8 * 0.6 = 0.56; kappa = 0.04 / 0.44.
    assert ag.cohen_kappa(a, b) == pytest.approx(0.04 / 0.44)


# ---------------------------------------------------------------- coefficients


def test_missing_values_are_left_out_pairwise():
    # Only the first three units are coded by both: 2 of 3 agree.
    assert ag.percent_agreement([1, 0, 1, NAN], [1, 0, 0, 1]) == pytest.approx(200 / 3)


def test_undefined_coefficients_are_nan_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(ag.cohen_kappa([0, 0, 0], [0, 0, 0]))  # chance agreement is 1
        assert np.isnan(ag.cohen_kappa([], []))
        assert np.isnan(ag.krippendorff_alpha(np.array([[1, 1], [1, 1]])))  # one value only
        assert np.isnan(ag.krippendorff_alpha(np.array([[1, NAN], [NAN, 0]])))  # nothing pairable
        assert np.isnan(ag.percent_agreement([NAN], [1]))


def test_perfect_and_systematic_disagreement():
    assert ag.cohen_kappa([1, 0, 1, 0], [1, 0, 1, 0]) == pytest.approx(1.0)
    assert ag.cohen_kappa([1, 0, 1, 0], [0, 1, 0, 1]) == pytest.approx(-1.0)
    assert ag.krippendorff_alpha(np.array([[1, 1], [0, 0], [1, 1]])) == pytest.approx(1.0)


# ---------------------------------------------------------------- units of the study


def test_decisions_are_binary_per_code_with_missing_coders():
    table = ag.decisions(HAND, CODEBOOK, "lens")
    assert list(table.columns) == ["I1", "I2"]
    assert table.index.get_level_values("code_id").unique().tolist() == ["A", "B", "t"]
    assert table.loc[("A", "s1")].tolist() == [1.0, 1.0]  # a1 and a2 are both lens A
    assert table.loc[("t", "s2")].tolist() == [1.0, 0.0]
    assert table.loc[("A", "s4"), "I1"] == 1.0 and np.isnan(table.loc[("A", "s4"), "I2"])


def test_lens_level_by_hand():
    # Lens level, pairs on s1, s2, s3 (s4 is missing for I2):
    #   A: I1 1 1 0, I2 1 1 0 -> 100 %, kappa 1
    #   B: I1 0 0 1, I2 0 0 1 -> 100 %, kappa 1
    #   t: I1 0 1 0, I2 0 0 0 -> 2/3;  p_e = 1/3 * 0 + 2/3 * 1 = 2/3 = p_o -> kappa 0
    per_code = ag.agreement_by_code(HAND, CODEBOOK, "lens").set_index("code_id")
    assert per_code["agreement"].tolist() == pytest.approx([100, 100, 200 / 3])
    assert per_code["kappa"].tolist() == pytest.approx([1, 1, 0])
    assert per_code["decisions"].tolist() == [3, 3, 3]
    assert per_code.loc["t", ["applied_a", "applied_b"]].tolist() == [1, 0]
    # Pooled: 9 decisions, 8 agree.  I1 applied 4 of 9, I2 3 of 9.
    # p_o = 8/9; p_e = 4/9 * 3/9 + 5/9 * 6/9 = 42/81; kappa = (72 - 42) / (81 - 42) = 30/39.
    # Alpha: 18 pairable values, seven 1s, eleven 0s, one disagreeing unit (o_01 + o_10 = 2):
    # alpha = 1 - 17 * 2 / (2 * 7 * 11) = 120/154.
    overall = ag.overall_agreement(HAND, CODEBOOK, "lens").set_index("method")
    pooled, mean = overall.loc[ag.POOLED], overall.loc[ag.MEAN]
    assert pooled["segments"] == 4 and pooled["decisions"] == 9
    assert pooled["agreement"] == pytest.approx(800 / 9)
    assert pooled["kappa"] == pytest.approx(30 / 39)
    assert pooled["alpha"] == pytest.approx(120 / 154)
    assert mean["kappa"] == pytest.approx(2 / 3)  # (1 + 1 + 0) / 3


def test_subtheme_level_by_hand():
    # Sub-themes a1, a2, b1, t on s1..s3: disagreements a1@s1, a2@s1, t@s2 -> 9 of 12 agree.
    overall = ag.overall_agreement(HAND, CODEBOOK, "subtheme").set_index("method")
    assert overall.loc[ag.POOLED, "agreement"] == pytest.approx(75.0)
    summary = ag.agreement_summary(HAND, CODEBOOK).set_index(["level", "method"])
    # identical code sets: lens s1, s3 (2 of 3); sub-theme only s3 (1 of 3)
    assert summary.loc[("lens", ag.POOLED), "identical"] == pytest.approx(200 / 3)
    assert summary.loc[("subtheme", ag.POOLED), "identical"] == pytest.approx(100 / 3)


def test_krippendorff_uses_a_third_coder_and_missing_values():
    third = pd.concat([HAND, _codings([("s4", "I3", "b1")])], ignore_index=True)
    # s4 becomes pairable (I1 A, I3 B) for alpha only; kappa stays on the I1/I2 pair.
    before = ag.overall_agreement(HAND, CODEBOOK, "lens").set_index("method").loc[ag.POOLED]
    after = ag.overall_agreement(third, CODEBOOK, "lens").set_index("method").loc[ag.POOLED]
    assert after["kappa"] == pytest.approx(before["kappa"])
    assert after["alpha"] < before["alpha"]


def test_confusion_matrix_pairs_codes_and_margins_are_frequencies():
    extra = pd.concat([HAND, _codings([("s5", "I1", "a1"), ("s5", "I1", "b1"), ("s5", "I2", "a1")])],
                      ignore_index=True)
    lens = ag.confusion_matrix(extra, CODEBOOK, "lens")
    assert lens.index.name == "I1" and lens.columns.name == "I2"
    assert list(lens.index) == ["A", "B", ag.NONE]
    # s1 A/A, s2 A/A (tag left out), s3 B/B, s5 A/A and B/(none)
    assert lens.loc["A", "A"] == 3 and lens.loc["B", "B"] == 1 and lens.loc["B", ag.NONE] == 1
    assert lens.to_numpy().sum() == 5
    sub = ag.confusion_matrix(extra, CODEBOOK, "subtheme")
    assert sub.loc["a1", "a2"] == 1 and sub.loc["a1", "a1"] == 2 and sub.loc["b1", "b1"] == 1
    i1 = extra[(extra["coder"] == "I1") & extra["segment_id"].isin(["s1", "s2", "s3", "s5"])
               & (extra["code_id"] != "t")]
    assert sub.drop(index=ag.NONE).sum(axis=1).to_dict() == i1["code_id"].value_counts().reindex(
        ["a1", "a2", "b1"], fill_value=0).to_dict()


def test_disagreements_list_segments_and_consensus():
    consensus = pd.DataFrame({"segment_id": ["s1", "s2", "s2", "s3", "s4"], "code_id": ["a1", "a1", "t", "b1", "a2"]})
    segments = pd.DataFrame({"segment_id": ["s1", "s2", "s3", "s4"], "respondent_id": ["r1", "r1", "r2", "r2"],
                             "text": ["een", "twee", "drie", "vier"]})
    found = ag.disagreements(HAND, CODEBOOK, "subtheme", consensus, segments)
    assert found[["segment_id", "code_id", "I1", "I2", "consensus"]].values.tolist() == [
        ["s1", "a1", 1, 0, 1], ["s1", "a2", 0, 1, 0], ["s2", "t", 1, 0, 1]]
    assert found["text"].tolist() == ["een", "een", "twee"]
    assert ag.disagreements(HAND, CODEBOOK, "lens")[["segment_id", "code_id"]].values.tolist() == [["s2", "t"]]


def test_inputs_are_not_changed():
    before = HAND.copy()
    book = CODEBOOK.copy()
    ag.agreement_summary(HAND, CODEBOOK)
    ag.confusion_matrix(HAND, CODEBOOK, "subtheme")
    ag.disagreements(HAND, CODEBOOK, "lens", HAND[["segment_id", "code_id"]])
    pd.testing.assert_frame_equal(HAND, before)
    pd.testing.assert_frame_equal(CODEBOOK, book)


def test_fewer_than_two_coders_gives_nan_not_an_error():
    only = HAND[HAND["coder"] == "I1"]
    summary = ag.agreement_summary(only, CODEBOOK)
    assert summary[["agreement", "kappa", "alpha"]].isna().all().all()
    assert ag.disagreements(only, CODEBOOK, "lens").empty
    assert ag.confusion_matrix(only, CODEBOOK, "lens").to_numpy().sum() == 0


def test_unknown_level_is_refused():
    with pytest.raises(ValueError, match="valid values: lens, subtheme"):
        ag.decisions(HAND, CODEBOOK, "theme")


def test_by_group_splits_segments():
    groups = pd.Series({"s1": "g1", "s2": "g1", "s3": "g2", "s4": "g2"})
    table = ag.agreement_by_group(HAND, CODEBOOK, "lens", groups).set_index("group")
    # g2: s3 agrees on everything (s4 is I1 only) -> 100 %; g1: 5 of 6 decisions agree.
    assert table.loc["g2", "agreement"] == pytest.approx(100.0)
    assert table.loc["g1", "agreement"] == pytest.approx(500 / 6)


# ---------------------------------------------------------------- the shipped corpus


def test_shipped_corpus_agreement_is_consistent(corpus):
    ind, book = corpus.independent_codings, corpus.codebook
    summary = ag.agreement_summary(ind, book)
    both = ag.code_sets(ind, book, "lens")
    per_code = ag.agreement_by_code(ind, book, "subtheme")
    assert (per_code["decisions"] == len(both)).all()
    pooled = summary[summary["method"] == ag.POOLED]
    sizes = [len(both) * len(level_codes(book, level)) for level in ("lens", "subtheme")]
    assert pooled["decisions"].tolist() == sizes
    for stat in ("kappa", "alpha"):
        values = summary[stat].dropna()
        assert ((values >= -1) & (values <= 1)).all()
    if len(ag.coders(ind)) == 2 and len(both):
        matrix = ag.confusion_matrix(ind, book, "lens")
        disagreeing = ag.disagreements(ind, book, "lens")
        assert (np.trace(matrix.to_numpy()) < matrix.to_numpy().sum()) == any(
            disagreeing["code_id"] != "corona")


# ---------------------------------------------------------------- intervals and pooled kappa


def test_pooled_and_stacked_kappa_by_hand():
    from samendoen_analysis.analysis import agreement_intervals as ai

    table = ai.agreement_intervals(HAND, CODEBOOK, n_boot=200).set_index(["level", "statistic"])["estimate"]
    # Lens level, segments s1-s3 (s4 only I1): A and B agree fully (chance 5/9 each), the tag
    # t agrees on 2 of 3 (chance 2/3). Pooled (De Vries et al.): mean observed 8/9, mean chance
    # 16/27, kappa 8/11. Stacked: rates 4/9 and 1/3, chance 14/27, kappa 10/13.
    assert table[("lens", "kappa_pooled")] == pytest.approx(8 / 11)
    assert table[("lens", "kappa_stacked")] == pytest.approx(10 / 13)
    assert table[("lens", "chance_agreement")] == pytest.approx(100 * 14 / 27)
    # Alpha: 18 values, 7 ones, one disagreeing unit: 1 - 17 * 1 / (7 * 11) = 60/77.
    assert table[("lens", "alpha")] == pytest.approx(60 / 77)
    pooled = ag.overall_agreement(HAND, CODEBOOK, "lens").set_index("method")
    assert pooled.at[ag.POOLED, "kappa"] == pytest.approx(10 / 13)
    assert pooled.at[ag.POOLED, "alpha"] == pytest.approx(60 / 77)


def test_flags_against_krippendorff_guidelines():
    from samendoen_analysis.analysis.agreement_intervals import flag

    assert [flag(0.85), flag(0.8), flag(0.7), flag(0.5), flag(np.nan)] == [
        "at least 0.8", "at least 0.8", "0.667 to 0.8", "below 0.667", "undefined"]


def test_shipped_intervals_are_seeded_and_bracket_the_estimates(corpus):
    from samendoen_analysis.analysis import agreement_intervals as ai

    ind, book = corpus.independent_codings, corpus.codebook
    first = ai.agreement_intervals(ind, book, n_boot=300, seed=3)
    pd.testing.assert_frame_equal(first, ai.agreement_intervals(ind, book, n_boot=300, seed=3))
    assert ((first["low"] <= first["estimate"] + 1e-12) & (first["estimate"] <= first["high"] + 1e-12)).all()
    summary = ag.agreement_summary(ind, book).set_index(["level", "method"])
    estimates = first.set_index(["level", "statistic"])["estimate"]
    for level in ("lens", "subtheme"):
        assert estimates[(level, "kappa_stacked")] == pytest.approx(summary.at[(level, ag.POOLED), "kappa"])
        assert estimates[(level, "alpha")] == pytest.approx(summary.at[(level, ag.POOLED), "alpha"])
        assert estimates[(level, "agreement")] == pytest.approx(summary.at[(level, ag.POOLED), "agreement"])
    codes = ai.code_intervals(ind, book, "lens", n_boot=300).set_index("code_id")
    by_code = ag.agreement_by_code(ind, book, "lens").set_index("code_id")
    pd.testing.assert_series_equal(codes["alpha"].sort_index(), by_code["alpha"].sort_index(), check_names=False)
    pd.testing.assert_series_equal(codes["kappa"].sort_index(), by_code["kappa"].sort_index(), check_names=False)
    assert codes["alpha"].is_monotonic_increasing  # weakest first


def test_cluster_bootstrap_is_wider_than_resampling_decisions(corpus):
    from samendoen_analysis.analysis import agreement_intervals as ai

    # Decisions on one segment travel together; treating every decision as its own segment
    # (one code per "segment") must not give a wider interval than resampling segments.
    a, b, _ = ai._arrays(corpus.independent_codings, corpus.codebook, "lens", None)
    clustered = ai._coefficients(ai._draws(len(a), 500, 1), a, b)["kappa_stacked"]
    flat_a, flat_b = a.reshape(-1, 1), b.reshape(-1, 1)
    flat = ai._coefficients(ai._draws(len(flat_a), 500, 1), flat_a, flat_b)["kappa_stacked"]
    assert np.std(clustered) >= 0.9 * np.std(flat)


def test_usage_text_counts_one_sided_disagreements():
    from samendoen_analysis.analysis import agreement_intervals as ai

    by_code = ag.agreement_by_code(HAND, CODEBOOK, "lens")
    flags = ai.code_intervals(HAND, CODEBOOK, "lens", n_boot=50)
    text = ai.usage_text(by_code, flags)
    # The weakest lens-level code is the tag t: I1 applied it once (s2), I2 never.
    assert "`t`" in text and "applied it 1 times, the second 0 times" in text
    assert "1 carry it from the first researcher only and 0 from the second only" in text


def test_agreement_text_states_chance_agreement(corpus):
    from samendoen_analysis.analysis import agreement_intervals as ai

    ind, book = corpus.independent_codings, corpus.codebook
    summary = ai.agreement_intervals(ind, book, n_boot=100)
    text = ai.agreement_text(summary, ai.code_intervals(ind, book, "lens", n_boot=100))
    chance = summary.set_index(["level", "statistic"]).at[("lens", "chance_agreement"), "estimate"]
    assert f"{chance:.1f}%" in text
