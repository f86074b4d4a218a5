"""Span-level agreement: published worked examples, hand-worked cases, the data table and QDPX input.

Worked examples (checked to the decimals stated at each test). The papers were not at hand;
their values are taken as two public implementations cite and ship them:

* Krippendorff, K. (2004). Measuring the reliability of qualitative text analysis data.
  Quality & Quantity 38, 787-800, figure 2 (also Content Analysis, 2nd ed., 2004, p. 254):
  a continuum from 150 to 450, two coders, codes c and k. DKPro Agreement's test of it
  (``unitizing/Krippendorff2004Test``) gives alpha_c = .7286 (observed .0144, expected .0532),
  alpha_k = 1 (expected .0490) and .8591 for all codes; zyocum/text-alpha ships the example as
  data (``sample-data/figure-2-example``) and reports .729, 1.0 and .859.
* Krippendorff, K. (1995). On the reliability of unitizing continuous data. Sociological
  Methodology 25, 47-76, p. 57: four pairs of coders on a continuum of 24 (A, B, C, D).
  DKPro's ``unitizing/Krippendorff1995Test`` cites the alphas .553, -.926, .679, .066 and gives
  the observed disagreements to five decimals; it notes a small error in the paper's expected
  disagreement and allows .02.
"""

from __future__ import annotations

import shutil
from dataclasses import replace

import krippendorff
import numpy as np
import pandas as pd
import pytest

from samendoen_analysis import load_corpus
from samendoen_analysis.analysis import agreement as ag
from samendoen_analysis.analysis import spans as sp
from samendoen_analysis.data.interviews import interview_lengths, segment_offsets, spans_from_segments
from samendoen_analysis.errors import DataError
from samendoen_analysis.paths import DATA_DIR, PROJECT_ROOT
from samendoen_analysis.qdpx.spans import read_coder_spans
from tests.span_helpers import FIRST, FIRST_SHORT, SECOND, TEXT, frame, two_user_project

EXAMPLE = PROJECT_ROOT / "examples" / "two_coders"


def _krippendorff_2004() -> tuple[pd.DataFrame, pd.Series]:
    rows = [("i", 225, 295, "c"), ("i", 370, 400, "c"), ("j", 220, 300, "c"), ("j", 355, 375, "c"),
            ("j", 400, 420, "c"), ("i", 180, 240, "k"), ("i", 300, 350, "k"), ("j", 180, 240, "k"),
            ("j", 300, 350, "k")]
    return frame([("x", c, s - 150, e - 150, k) for c, s, e, k in rows]), pd.Series({"x": 300})


def _krippendorff_1995(stretch: int) -> tuple[pd.DataFrame, pd.Series]:
    """(begin, length, coder, code) on a continuum of 24, each length multiplied by ``stretch``."""
    units = [
        (2, 8, 0, "A"), (14, 6, 0, "A"), (4, 4, 1, "A"), (15, 2, 1, "A"),
        (0, 18, 0, "B"), (0, 2, 1, "B"), (2, 1, 1, "B"), (3, 1, 1, "B"), (4, 1, 1, "B"), (5, 1, 1, "B"),
        (6, 3, 1, "B"), (9, 1, 1, "B"),
        (2, 6, 0, "C"), (10, 2, 0, "C"), (14, 4, 0, "C"), (20, 2, 0, "C"), (0, 2, 1, "C"), (4, 4, 1, "C"),
        (10, 4, 1, "C"), (16, 2, 1, "C"), (20, 2, 1, "C"),
        (0, 2, 0, "D"), (2, 8, 0, "D"), (10, 4, 0, "D"), (14, 6, 0, "D"), (20, 4, 0, "D"), (0, 4, 1, "D"),
        (4, 4, 1, "D"), (8, 7, 1, "D"), (15, 2, 1, "D"), (17, 7, 1, "D"),
    ]
    rows = [("x", f"c{coder}", b * stretch, (b + n) * stretch, code) for b, n, coder, code in units]
    return frame(rows), pd.Series({"x": 24 * stretch})


def test_krippendorff_2004_worked_example():
    result = sp.unitized_alpha(*_krippendorff_2004()).set_index("code_id")
    assert result.loc["c", "observed"] == pytest.approx(0.0144, abs=5e-5)
    assert result.loc["c", "expected"] == pytest.approx(0.0532, abs=5e-5)
    assert result.loc["c", "alpha"] == pytest.approx(0.7286, abs=5e-5)
    assert result.loc["k", "observed"] == 0 and result.loc["k", "alpha"] == pytest.approx(1.0)
    assert result.loc["k", "expected"] == pytest.approx(0.0490, abs=5e-5)
    # The book's .8591 is 1 - .0144 / .1022 from rounded parts; unrounded it is .8587, .859 to three decimals.
    assert result.loc[sp.POOLED, "alpha"] == pytest.approx(0.859, abs=5e-4)


def test_krippendorff_1995_observed_disagreement_is_exact():
    result = sp.unitized_alpha(*_krippendorff_1995(1)).set_index("code_id")["observed"]
    assert result.round(5).to_dict() == {"A": 0.03125, "B": 2.26736, "C": 0.02778, "D": 0.38715,
                                         sp.POOLED: round(0.03125 + 2.2673611 + 0.0277778 + 0.3871528, 5)}


def test_krippendorff_1995_alphas_on_a_fine_continuum():
    # The paper treats the continuum as continuous: with every length times 50,000 the +-1 terms
    # of the discrete formula vanish. A and D agree to three decimals, B to two; for C the paper's
    # expected disagreement is off (DKPro's test allows .02), ours gives .693 against .679.
    alpha = sp.unitized_alpha(*_krippendorff_1995(50_000)).set_index("code_id")["alpha"]
    assert alpha["A"] == pytest.approx(0.553, abs=5e-4)
    assert alpha["D"] == pytest.approx(0.066, abs=5e-4)
    assert alpha["B"] == pytest.approx(-0.926, abs=5e-3)
    assert alpha["C"] == pytest.approx(0.679, abs=0.02)


def test_hand_worked_case_ten_characters():
    # Coder 0 codes 1-9, coder 1 codes 2-3, 4-5 and 6-7 (L = 10).
    # Observed: (1-2)^2 + (9-3)^2 + (1-4)^2 + (9-5)^2 + (1-6)^2 + (9-7)^2 = 91; 2 * 91 / (2 * 1 * 100) = .91.
    # Expected: N = 4 sections of lengths 8, 1, 1, 1; gaps 1, 1 | 2, 1, 1, 3.
    #   within = 3 * (2 * 512 - 3 * 64 + 8) / 3 = 840 (length 1 adds 0); placed = 3 * 1 * (1+1+2+1+1+3) = 27;
    #   De = 2 / 10 * 867 / (2 * 10 * 19 - 8 * 7) = 173.4 / 324.
    spans = frame([("x", "0", 1, 9, "A"), ("x", "1", 2, 3, "A"), ("x", "1", 4, 5, "A"), ("x", "1", 6, 7, "A")])
    row = sp.unitized_alpha(spans, pd.Series({"x": 10})).set_index("code_id").loc["A"]
    assert row["observed"] == pytest.approx(0.91)
    assert row["expected"] == pytest.approx(173.4 / 324)
    assert row["alpha"] == pytest.approx(1 - 0.91 / (173.4 / 324))


def test_sources_are_continua_of_their_own_and_overlaps_of_one_coder_merge():
    one = frame([("x", "a", 2, 6, "c"), ("x", "b", 3, 6, "c")])
    two = frame([("x", "a", 2, 6, "c"), ("x", "a", 3, 5, "c"), ("x", "b", 3, 6, "c"), ("y", "a", 0, 1, "k")])
    alone = sp.unitized_alpha(one, pd.Series({"x": 10})).set_index("code_id")
    both = sp.unitized_alpha(two, pd.Series({"x": 10, "y": 4})).set_index("code_id")
    assert both.loc["c", "sections"] == 2  # a's nested span merged into its outer one
    assert both.loc["c", "observed"] == pytest.approx(alone.loc["c", "observed"] * 100 / 196)  # L = 14, not 10
    assert np.isnan(sp.unitized_alpha(two, pd.Series({"x": 10, "y": 4}), codes=["c", "unused"]).iloc[1]["alpha"])


def _per_character(spans: pd.DataFrame, length: int, coders: list[str]) -> np.ndarray:
    data = np.full((len(coders), length), np.nan)
    codes = {c: i for i, c in enumerate(sorted(spans["code_id"].unique()))}
    for row in spans.itertuples():
        data[coders.index(row.coder), row.start:row.end] = codes[row.code_id]
    return data


def test_cu_alpha_is_nominal_alpha_over_the_characters_coded_by_several():
    rng = np.random.default_rng(5)
    rows = []
    for coder in ("a", "b", "c"):
        cuts = np.sort(rng.choice(np.arange(1, 400), 40, replace=False))
        for start, end in zip(cuts[::2], cuts[1::2], strict=True):  # disjoint stretches per coder
            rows.append(("x", coder, int(start), int(end), str(rng.choice(["s.1", "s.2", "s.3"]))))
    spans = frame(rows)
    ours = sp.cu_alpha(spans, pd.Series({"x": 400}), {"s.1": "s", "s.2": "s", "s.3": "s"}).set_index("domain")
    theirs = krippendorff.alpha(reliability_data=_per_character(spans, 400, ["a", "b", "c"]),
                                level_of_measurement="nominal")
    assert ours.loc["s", "alpha"] == pytest.approx(theirs, abs=1e-9)


def test_cu_alpha_hand_worked_and_cu_across_domains():
    # a: c on 0-6; b: c on 0-4, k on 4-6. Coincidences: (c,c) 8, (c,k) = (k,c) = 2; n_c = 10, n_k = 2, n = 12.
    # alpha = 1 - (n - 1) * 4 / (2 * n_c * n_k) = 1 - 44 / 40 = -0.1.
    spans = frame([("x", "a", 0, 6, "c"), ("x", "b", 0, 4, "c"), ("x", "b", 4, 6, "k"), ("x", "a", 8, 9, "t")])
    result = sp.cu_alpha(spans, pd.Series({"x": 10}), {"c": "L1", "k": "L2"}).set_index("domain")
    assert result.loc["L1", "alpha"] != result.loc["L1", "alpha"]  # one code in the domain: undefined
    assert result.loc[sp.ACROSS, "alpha"] == pytest.approx(-0.1)
    assert result.loc[sp.ACROSS, "coded_by_several"] == 6  # the tag t (no domain) is left out
    same = sp.cu_alpha(spans, pd.Series({"x": 10}), {"c": "L", "k": "L"}).set_index("domain")
    assert same.loc["L", "alpha"] == pytest.approx(-0.1) and np.isnan(same.loc[sp.ACROSS, "alpha"])


def test_overlap_matching_counts_per_code_and_pooled():
    spans = frame([
        ("x", "A", 0, 100, "c"), ("x", "B", 5, 100, "c"),  # 95 / 100 = 0.95: a match
        ("x", "A", 200, 300, "c"), ("x", "B", 200, 289, "c"),  # 89 / 100: no match at 0.9
        ("x", "A", 400, 450, "k"), ("y", "B", 400, 450, "k"),  # same offsets, other source: no match
    ])
    table = sp.overlap_agreement(spans).set_index("code_id")
    assert table.loc["c", ["spans_a", "spans_b", "matched_a", "matched_b"]].tolist() == [2, 2, 1, 1]
    assert table.loc["c", "agreement"] == pytest.approx(50.0)
    assert table.loc["c", "kappa"] == pytest.approx((0.5 - 0.5) / 0.5)
    assert table.loc[sp.POOLED, "agreement"] == pytest.approx(100 * 2 / 6)
    assert table.loc[sp.POOLED, "kappa"] == pytest.approx((2 / 6 - 0.5) / 0.5)
    looser = sp.overlap_agreement(spans, threshold=0.89).set_index("code_id")
    assert looser.loc["c", "agreement"] == pytest.approx(100.0)  # exactly at the threshold matches
    missing = sp.unmatched_spans(spans)
    assert missing[["source", "coder", "start"]].to_numpy().tolist() == [
        ["x", "A", 200], ["x", "B", 200], ["x", "A", 400], ["y", "B", 400]]


def test_options_are_checked_on_entry():
    spans = frame([("x", "A", 0, 5, "c"), ("x", "B", 0, 5, "c")])
    with pytest.raises(ValueError, match="unknown coder 'C'; valid values: A, B"):
        sp.overlap_agreement(spans, pair=("A", "C"))
    with pytest.raises(ValueError, match="threshold"):
        sp.match_spans(spans, threshold=1.5)
    with pytest.raises(ValueError, match="unknown source 'x'"):
        sp.unitized_alpha(spans, pd.Series({"y": 5}))
    with pytest.raises(ValueError, match="outside its text"):
        sp.unitized_alpha(spans, pd.Series({"x": 4}))


def test_best_partner_is_found_among_many_nested_spans():
    rng = np.random.default_rng(1)
    starts = rng.integers(0, 5_000, 400)
    lengths = rng.integers(1, 800, 400)
    a = frame([("x", "A", int(s), int(s + n), "c") for s, n in zip(starts[:200], lengths[:200], strict=True)])
    b = frame([("x", "B", int(s), int(s + n), "c") for s, n in zip(starts[200:], lengths[200:], strict=True)])
    ours = sp.match_spans(pd.concat([a, b]), threshold=0.5)
    brute = []
    for row in pd.concat([a, b]).itertuples():
        other = b if row.coder == "A" else a
        inter = (np.minimum(row.end, other["end"]) - np.maximum(row.start, other["start"])).clip(lower=0)
        union = np.maximum(row.end, other["end"]) - np.minimum(row.start, other["start"])
        brute.append((inter / union).max())
    assert ours["overlap"].to_numpy() == pytest.approx(np.array(brute))


def test_spans_of_the_shipped_round_are_its_independent_codings_on_whole_segments(corpus):
    derived = spans_from_segments(corpus.segments, corpus.independent_codings)
    assert len(corpus.coder_spans) == 0  # nothing but whole segments: stored once, in independent_codings.csv
    spans = sp.spans_of(corpus)
    assert len(spans) == len(derived) == len(corpus.independent_codings)
    assert set(zip(spans["source"], spans["coder"], spans["start"].astype(str), spans["code_id"], strict=True)) == set(
        zip(derived["respondent_id"], derived["coder"], derived["start"], derived["code_id"], strict=True))
    text = corpus.segments.set_index("segment_id")["text"]
    offsets = segment_offsets(corpus.segments).set_index("segment_id")
    first = offsets.iloc[3]
    whole = "\n\n".join(corpus.segments[corpus.segments["respondent_id"] == first["respondent_id"]]
                        .sort_values("position")["text"])
    assert whole[first["start"]:first["end"]] == text[offsets.index[3]]
    assert interview_lengths(corpus.segments)[first["respondent_id"]] == len(whole)


def test_span_agreement_on_whole_segments_equals_segment_agreement(corpus):
    spans, lengths = sp.round_spans(corpus)
    assert lengths.sum() < interview_lengths(corpus.segments).sum()  # only the independently coded segments
    matched = sp.overlap_agreement(spans, threshold=1.0).set_index("code_id")
    sets = ag.code_sets(corpus.independent_codings, corpus.codebook, "subtheme")
    first, second = sets.columns
    pairs = [(s, c) for s, codes in sets[first].items() for c in codes]
    agreed = sum(c in sets.loc[s, second] for s, c in pairs)
    assert matched.loc[sp.POOLED, "matched_a"] == agreed
    assert matched.loc[sp.POOLED, "spans_a"] == len(pairs)


def test_round_without_independent_codings_uses_whole_texts(corpus):
    imported = replace(corpus, independent_codings=corpus.independent_codings.iloc[:0])
    continuum = sp.continuum_of(imported).set_index("source")
    assert (continuum["start"] == 0).all()
    assert continuum["end"].to_dict() == interview_lengths(corpus.segments).to_dict()


def test_an_interview_with_its_own_boundaries_is_compared_on_its_whole_text(corpus):
    derived = spans_from_segments(corpus.segments, corpus.independent_codings)
    own = derived[derived["respondent_id"] == "S1-DIR"].iloc[:1].copy()
    own["end"] = str(int(own["end"].iloc[0]) - 3)  # one selection no longer a whole segment
    continuum = sp.continuum_of(replace(corpus, coder_spans=own))
    mine = continuum[continuum["source"] == "S1-DIR"]
    assert mine[["start", "end"]].to_numpy().tolist() == [[0, interview_lengths(corpus.segments)["S1-DIR"]]]
    before = sp.continuum_of(corpus)
    assert len(before[before["source"] == "S1-DIR"]) > 1  # segment by segment as shipped
    pd.testing.assert_frame_equal(continuum[continuum["source"] != "S1-DIR"].reset_index(drop=True),
                                  before[before["source"] != "S1-DIR"].reset_index(drop=True))


def _broken(data_copy, line: str) -> DataError:
    with (data_copy / "coder_spans.csv").open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    with pytest.raises(DataError) as err:
        load_corpus(data_copy)
    return err.value


def test_span_errors_name_file_line_and_column(data_copy):
    lines = sum(1 for _ in (data_copy / "coder_spans.csv").open(encoding="utf-8")) + 1
    length = interview_lengths(load_corpus(data_copy).segments)["S1-DIR"]
    err = _broken(data_copy, f"S1-DIR,I1,0,{length + 1},ideal.culture")
    assert (err.line, err.column) == (lines, "end") and "after the end of the interview" in err.problem


@pytest.mark.parametrize(("line", "column", "words"), [
    ("S1-DIR,I1,20,20,ideal.culture", "end", "must end after it starts"),
    ("S9-XX,I1,0,5,ideal.culture", "respondent_id", "does not exist in respondents.csv"),
    ("S1-DIR,I1,0,5,ideal", "code_id", "not codable"),
    ("S1-DIR,I1,-1,5,ideal.culture", "start", "below the minimum"),
])
def test_each_bad_span_gets_one_located_error(data_copy, line, column, words):
    lines = sum(1 for _ in (data_copy / "coder_spans.csv").open(encoding="utf-8")) + 1
    err = _broken(data_copy, line)
    assert err.file.endswith("coder_spans.csv") and (err.line, err.column) == (lines, column)
    assert words in err.problem


def test_a_folder_without_coder_spans_loads_with_none(data_copy):
    (data_copy / "coder_spans.csv").unlink()
    corpus = load_corpus(data_copy)
    assert corpus.coder_spans.empty and list(corpus.coder_spans.columns) == [
        "respondent_id", "coder", "start", "end", "code_id"]


@pytest.mark.parametrize("shape", ["maxqda", "atlas"])
def test_two_user_qdpx_gives_each_coder_their_own_boundaries(tmp_path, corpus, shape):
    read = read_coder_spans(two_user_project(tmp_path, shape), corpus.codebook)
    assert read.spans.to_numpy().tolist() == [
        ["interview A", "Anna", *FIRST, "obstacles.top_down"], ["interview A", "Anna", *SECOND, "obstacles.no_debrief"],
        ["interview A", "Bram-de-Vries", *FIRST_SHORT, "obstacles.top_down"],
        ["interview A", "Bram-de-Vries", *SECOND, "obstacles.no_debrief"]]
    assert read.lengths.to_dict() == {"interview A": len(TEXT)}
    table = sp.overlap_agreement(read.spans).set_index("code_id")
    assert table.loc["obstacles.no_debrief", "agreement"] == 100
    assert table.loc["obstacles.top_down", "agreement"] == 0  # "Het idee kwam van de directie." is half


def test_the_example_round_is_built_by_its_script_and_reads_back(tmp_path, corpus):
    from examples.two_coders.make_example import build

    built = build(tmp_path / "again.qdpx")
    assert built.read_bytes() == (EXAMPLE / "twee-codeurs.qdpx").read_bytes()
    read = read_coder_spans(built, corpus.codebook)
    wanted = pd.read_csv(EXAMPLE / "spans.csv", dtype=str)
    assert len(read.spans) == len(wanted) and set(read.spans["coder"]) == {"Noor", "Sem"}
    assert set(read.spans["code_id"]) <= set(corpus.codebook["code_id"])
    got = {(r.source, r.coder, r.code_id, read.texts[r.source][r.start:r.end]) for r in read.spans.itertuples()}
    assert got == set(wanted.itertuples(index=False, name=None))
    segments = sp.segment_codes(read.spans, sp.paragraph_stretches(read.texts))
    assert (segments["Noor"] == segments["Sem"]).all()  # same codes per paragraph, other boundaries
    assert sp.overlap_agreement(read.spans).set_index("code_id").loc[sp.POOLED, "agreement"] < 50


def test_example_round_imports_with_the_current_importer(tmp_path):
    from samendoen_analysis.qdpx.importer import import_qdpx

    data = shutil.copytree(DATA_DIR, tmp_path / "data")
    import_qdpx(EXAMPLE / "twee-codeurs.qdpx", "R7", data_dir=data, consensus_user="none")
    assert "R7" in load_corpus(data).rounds


def test_benchmark_spans_are_two_coders_with_moved_boundaries():
    from benchmarks.spans import synthetic_spans

    spans, lengths, domains = synthetic_spans(per_coder=500, characters=50_000, sources=5, seed=2)
    assert spans.groupby("coder").size().to_dict() == {"A": 500, "B": 500}
    assert lengths.sum() == 50_000 and set(spans["code_id"]) <= set(domains)
    assert ((spans["start"] < spans["end"]) & (spans["end"] <= spans["source"].map(lengths))).all()
    table = sp.overlap_agreement(spans, threshold=0.5).set_index("code_id")
    assert 50 < table.loc[sp.POOLED, "agreement"] < 100


def test_summary_tables_and_the_timeline_in_both_languages(tmp_path, corpus):
    from samendoen_analysis.present.agreement_tables import span_table
    from samendoen_analysis.present.figures import save_figure
    from samendoen_analysis.present.span_figures import span_timeline

    read = read_coder_spans(EXAMPLE / "twee-codeurs.qdpx", corpus.codebook)
    rounds = {"R1": sp.round_spans(corpus), "example": (read.spans, read.lengths)}
    summary = sp.span_summary(rounds, sp.lens_domains(corpus.codebook))
    assert summary["round"].tolist() == ["R1", "example"] and summary["coders"].tolist() == [2, 2]
    by_code = sp.span_agreement_by_code(read.spans, read.lengths)
    assert by_code.iloc[-1]["code_id"] == sp.POOLED and by_code["alpha_binary"].notna().all()
    english = span_table(by_code, "en", corpus.codebook)
    assert "% agreement (overlap)" in english.columns and "Corona" in set(english["code"])
    assert "stukken eerste" in span_table(by_code, "nl", corpus.codebook).columns
    with pytest.raises(ValueError, match="unknown language 'de'; valid values: nl, en"):
        span_table(by_code, "de", corpus.codebook)
    texts = sp.with_text(sp.unmatched_spans(read.spans), read.texts)
    assert all(read.texts[s][a:b] == t for s, a, b, t in texts[["source", "start", "end", "text"]].to_numpy())
    digests = []
    for run in ("a", "b"):
        fig = span_timeline(read.spans, "N7-LK", int(read.lengths["N7-LK"]), "en", corpus.codebook)
        digests.append([p.read_bytes() for p in save_figure(fig, tmp_path / run, "t")])
    assert digests[0] == digests[1]
    with pytest.raises(ValueError, match="unknown source 'N9'"):
        span_timeline(read.spans, "N9", 10, "en", corpus.codebook)


def test_lesson_check_recomputes_both_levels_by_another_route(corpus):
    from samendoen_analysis.teaching.spans_checks import segment_level_share, span_level_share

    read = read_coder_spans(EXAMPLE / "twee-codeurs.qdpx", corpus.codebook)
    pair = ("Noor", "Sem")
    per_paragraph = sp.segment_codes(read.spans, sp.paragraph_stretches(read.texts), pair)
    assert segment_level_share(read.spans, read.texts, pair) == pytest.approx(
        100 * (per_paragraph["Noor"] == per_paragraph["Sem"]).mean())
    rng = np.random.default_rng(3)
    starts = rng.integers(0, 900, 60)
    spans = frame([("x", "AB"[i % 2], int(s), int(s + rng.integers(5, 100)), "ck"[i % 3 == 0])
                   for i, s in enumerate(starts)])
    for threshold in (0.3, 0.6, 0.9):
        expected = sp.overlap_agreement(spans, threshold=threshold).set_index("code_id").loc[sp.POOLED, "agreement"]
        assert span_level_share(spans, ("A", "B"), threshold) == pytest.approx(expected)
    gap = segment_level_share(read.spans, read.texts, pair) - span_level_share(read.spans, pair)
    assert gap > 50  # the example is made to agree per paragraph and not per stretch


def test_no_spans_give_undefined_values_not_errors(corpus):
    empty = frame([]).astype({"start": "int64", "end": "int64"})
    alpha = sp.unitized_alpha(empty, pd.Series({"x": 10}), coders=["a", "b"])
    assert alpha["code_id"].tolist() == [sp.POOLED] and np.isnan(alpha["alpha"].iloc[0])
    assert np.isnan(sp.cu_alpha(empty, pd.Series({"x": 10}), {"c": "L"}, coders=["a", "b"])["alpha"].iloc[-1])
    spans, lengths = sp.round_spans(replace(corpus, coder_spans=corpus.coder_spans.iloc[:0],
                                            independent_codings=corpus.independent_codings.iloc[:0]))
    assert spans.empty and lengths.empty


def test_restrict_lays_the_coded_stretches_end_to_end():
    spans = frame([("x", "a", 10, 20, "c"), ("x", "b", 15, 40, "c"), ("x", "a", 50, 60, "c"), ("y", "a", 0, 5, "c")])
    stretches = pd.DataFrame({"source": ["x", "x", "y"], "start": [10, 30, 0], "end": [20, 45, 5]})
    moved, lengths = sp.restrict(spans, stretches)
    assert lengths.to_dict() == {"x": 25, "y": 5}
    # a 10-20 is the first stretch; b 15-40 starts in it and is cut at its end; a 50-60 is in no stretch.
    assert moved[["source", "coder", "start", "end"]].to_numpy().tolist() == [
        ["x", "a", 0, 10], ["x", "b", 5, 10], ["y", "a", 0, 5]]
