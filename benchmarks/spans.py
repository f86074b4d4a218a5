"""Span-level agreement of two coders with 10,000 spans each over 1,000,000 characters.

The spans are synthetic and seeded: 100 sources of 10,000 characters, coder A's spans of
50 to 400 characters with sub-theme codes, and coder B's the same stretches with the
boundaries moved by up to 40 characters, one in ten with another code of the same lens, one
in twenty dropped and as many added elsewhere. Timed: overlap matching (per code and pooled),
Krippendorff's unitized alpha per code and pooled, and cu-/Cu-alpha per lens, together the
span section of notebook 07. The floor, measured in the same run, is what any per-code
computation on the table does at least: sorting the spans by source, coder, code and start and
counting them per coder and code with pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.common import print_table, summarise, timed, write_json
from samendoen_analysis.analysis import spans as sp
from samendoen_analysis.data.corpus import load_corpus

TARGET_S = 2.0


def synthetic_spans(per_coder: int = 10_000, characters: int = 1_000_000, sources: int = 100,
                    seed: int = 0) -> tuple[pd.DataFrame, pd.Series, dict[str, str]]:
    """Two coders' spans, the sources' lengths and the lens of each sub-theme."""
    rng = np.random.default_rng(seed)
    domains = sp.lens_domains(load_corpus().codebook)
    codes = np.array(sorted(domains))
    size = characters // sources
    source = rng.integers(0, sources, per_coder)
    length = rng.integers(50, 400, per_coder)
    start = rng.integers(0, size - length)
    code = rng.choice(codes, per_coder)
    shift = rng.integers(-40, 41, (2, per_coder))
    b_start = np.clip(start + shift[0], 0, size - 1)
    b_end = np.clip(start + length + shift[1], b_start + 1, size)
    siblings = pd.Series(codes).groupby(pd.Series(codes).map(domains)).agg(list)
    other = np.array([rng.choice(siblings[domains[c]]) for c in code])
    b_code = np.where(rng.random(per_coder) < 0.1, other, code)
    keep = rng.random(per_coder) >= 0.05
    added = per_coder - int(keep.sum())
    a = pd.DataFrame({"source": source, "coder": "A", "start": start, "end": start + length, "code_id": code})
    extra_start = rng.integers(0, size - 400, added)
    b = pd.DataFrame({
        "source": np.r_[source[keep], rng.integers(0, sources, added)], "coder": "B",
        "start": np.r_[b_start[keep], extra_start],
        "end": np.r_[b_end[keep], extra_start + rng.integers(50, 400, added)],
        "code_id": np.r_[b_code[keep], rng.choice(codes, added)],
    })
    spans = pd.concat([a, b], ignore_index=True)
    spans["source"] = "src" + spans["source"].astype(str).str.zfill(3)
    lengths = pd.Series(size, index=[f"src{i:03d}" for i in range(sources)], dtype="int64")
    return spans, lengths, domains


def _all(spans: pd.DataFrame, lengths: pd.Series, domains: dict[str, str]) -> None:
    sp.overlap_agreement(spans)
    sp.unitized_alpha(spans, lengths)
    sp.cu_alpha(spans, lengths, domains)


def _floor(spans: pd.DataFrame) -> None:
    spans.sort_values(["source", "coder", "code_id", "start"]).groupby(["coder", "code_id"]).size()


def bench_spans(reps: int = 3, seed: int = 0, per_coder: int = 10_000, characters: int = 1_000_000) -> dict:
    """Time each statistic and all together against the floor, ``reps`` times after a warm-up."""
    spans, lengths, domains = synthetic_spans(per_coder, characters, seed=seed)
    parts = {
        "overlap matching": lambda: sp.overlap_agreement(spans),
        "unitized alpha": lambda: sp.unitized_alpha(spans, lengths),
        "cu-/Cu-alpha": lambda: sp.cu_alpha(spans, lengths, domains),
        "all three": lambda: _all(spans, lengths, domains),
        "floor (sort + count)": lambda: _floor(spans),
    }
    for run in parts.values():
        run()  # warm-up: imports and caches
    samples: dict[str, list[float]] = {name: [] for name in parts}
    for _ in range(reps):
        for name, run in parts.items():
            samples[name].append(timed(run)[0])
    stats = {name: summarise(values) for name, values in samples.items()}
    floor = stats["floor (sort + count)"]["median"]
    rows = [[name, s["median"], s["min"], s["max"], s["median"] / floor if floor else None]
            for name, s in stats.items()]
    print_table(f"Span agreement, {per_coder:,} spans per coder over {characters:,} characters, seconds",
                ["run", "median", "min", "max", "x floor"], rows)
    total = stats["all three"]["median"]
    verdict = "met" if total <= TARGET_S else "missed"
    print(f"\nall three: {total:.2f} s (target at most {TARGET_S:.0f} s: {verdict}); "
          f"{total / floor:.0f}x the floor")
    result = {"per_coder": per_coder, "characters": characters, "stats": stats, "target_s": TARGET_S}
    write_json("spans", result)
    return result
