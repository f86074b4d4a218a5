"""The synthetic corpus generator of the benchmarks: valid, shaped like the shipped data, seeded."""

from __future__ import annotations

import hashlib
from pathlib import Path

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


def test_warm_load_benchmark_sees_the_cache_answer(tmp_path):
    from benchmarks.warm import warm_load

    row = warm_load(generate_corpus(tmp_path / "a", 200, seed=1), tmp_path / "cache", reps=1)
    assert row["segments"] == 200 and row["warm"]["n"] == 1
    assert row["warm"]["median"] > 0 and row["cold_s"] > 0
