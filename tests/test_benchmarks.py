"""The synthetic corpus generator of the benchmarks: valid, shaped like the shipped data, seeded."""

from __future__ import annotations

import hashlib
from pathlib import Path

from benchmarks.common import verdict
from benchmarks.scale import TARGETS, target_rows
from benchmarks.synth import data_size, generate_corpus
from samendoen_analysis import load_corpus
from samendoen_analysis.analysis.measures import emphasis


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_generated_corpus_loads_and_has_the_requested_shape(tmp_path):
    corpus = load_corpus(generate_corpus(tmp_path / "a", 300, seed=7))
    assert len(corpus.segments) == 300
    assert corpus.segments["segment_id"].is_unique
    assert len(corpus.codings) > len(corpus.segments)  # several codes per segment
    assert corpus.respondents["respondent_id"].isin(corpus.segments["respondent_id"]).all()
    positions = corpus.segments.groupby("respondent_id")["position"]
    assert positions.apply(lambda p: sorted(p) == list(range(1, len(p) + 1))).all()
    assert corpus.segments["words"].min() > 0
    assert data_size(corpus) > 0
    assert not emphasis(corpus, "lens", "words").empty


def test_generator_is_deterministic_for_a_seed(tmp_path):
    first = _digest(generate_corpus(tmp_path / "a", 200, seed=3))
    assert first == _digest(generate_corpus(tmp_path / "b", 200, seed=3))
    assert first["segments.csv"] != _digest(generate_corpus(tmp_path / "c", 200, seed=4))["segments.csv"]


def test_target_verdicts_say_met_missed_by_how_much_or_not_measured():
    assert verdict(4.2, 5.0) == "met"
    assert verdict(5.0, 5.0) == "met"
    assert verdict(21.7, 5.0) == "missed by 4.3x"
    assert verdict(1.04, 1.0) == "missed by 4%"
    assert verdict(0.5, 0.9, smaller_is_better=False) == "missed by 80%"
    assert verdict(None, 5.0) == "not measured"


def test_every_target_gets_a_row_from_the_results():
    results = [{"n": 1_000_000, "peak_over_data": 1.5,
                "times": {"core_total": 6.0, "leave_one_school_out": 2.0}}]
    rows = {row[0]: row for row in target_rows(results, {"core_total": 0.9})}
    assert len(rows) == len(TARGETS)
    assert rows["core (load+validate+emphasis+claims) s"][2:] == [6.0, "missed by 20%"]
    assert rows["peak memory / data"][2:] == [1.5, "met"]
    assert rows["scaling exponent of the core, 1e4..1e6"][3] == "met"
    assert rows["core at 1e7 s"][3] == "not measured"
    assert rows["leave-one-respondent-out s"][3] == "not measured"


def test_warm_load_benchmark_sees_the_cache_answer(tmp_path):
    from benchmarks.warm import warm_load

    row = warm_load(generate_corpus(tmp_path / "a", 200, seed=1), tmp_path / "cache", reps=1)
    assert row["segments"] == 200 and row["warm"]["n"] == 1
    assert row["warm"]["median"] > 0 and row["cold_s"] > 0
