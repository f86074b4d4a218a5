"""Load, validate, emphasis, claims and leave-one-school-out on synthetic corpora of growing size.

Each size runs in a fresh subprocess (``python -m benchmarks.scale <folder>``) so its peak memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``, the kernel's high-water mark of resident memory)
belongs to that size alone. Memory is reported as the peak during the work minus the resident
size after the imports, next to the in-memory size of the loaded tables
(``DataFrame.memory_usage(deep=True)``). Timing needs no tracing, so the timings are not slowed.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import loglog_slope, print_table, timed, verdict, write_json
from samendoen_analysis.data.warm import CACHE_DIR_ENV

SIZES = (1_000, 10_000, 100_000, 1_000_000)
HUGE = 10_000_000  # off by default (python -m benchmarks --parts scale --huge): minutes and gigabytes
FIT_RANGE = (10_000, 1_000_000)
# Issue 13's targets: (what, segments, measured quantity, at most).
TARGETS = (
    ("core (load+validate+emphasis+claims) s", 1_000_000, "core_total", 5.0),
    ("load+validate+emphasis s (the core without claims)", 1_000_000, "load_emphasis", 5.0),
    ("peak memory / data", 1_000_000, "peak_over_data", 2.0),
    ("peak memory of the load alone / data", 1_000_000, "load_peak_over_data", 2.0),
    ("scaling exponent of the core, 1e4..1e6", None, "exponent", 1.0),
    ("scaling exponent of load+validate+emphasis, 1e4..1e6", None, "exponent_load_emphasis", 1.0),
    ("core at 1e7 s", HUGE, "core_total", 60.0),
    ("leave-one-school-out s", 1_000_000, "leave_one_school_out", 5.0),
    ("leave-one-respondent-out s", 1_000_000, "leave_one_respondent_out", 5.0),
)


def target_rows(results: list[dict], exponents: dict) -> list[list]:
    """One row per target: what, target, measured value, verdict."""
    by_size = {r["n"]: r for r in results}
    rows = []
    for what, n, key, limit in TARGETS:
        if key.startswith("exponent"):
            value = exponents.get("core_total" if key == "exponent" else "load_emphasis")
        else:
            row = by_size.get(n)
            value = None if row is None else (row.get(key) if key in row else row["times"].get(key))
        rows.append([what, f"<= {limit:g}", value, verdict(value, limit)])
    return rows


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 1024**2


# The worker's address space is capped: a step that would take the shared machine's memory (the
# exact permutation tests of evaluate_claims listing millions of assignments) fails with
# MemoryError and is reported, instead of pushing other processes out.
WORKER_MEMORY_BYTES = 10 * 1024**3


def worker(folder: str, loo: bool = True) -> dict:
    """Time every stage on one data folder; runs inside the per-size subprocess."""
    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, WORKER_MEMORY_BYTES))
    import samendoen_analysis.analysis.robustness as robustness_mod
    import samendoen_analysis.data.corpus as corpus_mod
    import samendoen_analysis.data.schema as schema_mod
    from benchmarks.synth import data_size
    from samendoen_analysis.analysis.claims import evaluate_claims
    from samendoen_analysis.analysis.measures import emphasis
    from samendoen_analysis.data.corpus import load_corpus
    from samendoen_analysis.vocabulary import MEASURES, NORMALISATIONS

    baseline = _current_rss_mb()
    times: dict[str, float] = {}
    times["load_validate"], corpus = timed(load_corpus, folder)
    after_load = _rss_mb()

    def all_emphasis() -> None:
        for measure in MEASURES:
            for normalisation in NORMALISATIONS:
                emphasis(corpus, "lens", measure, normalisation)

    times["emphasis_all"], _ = timed(all_emphasis)
    times["load_emphasis"] = times["load_validate"] + times["emphasis_all"]
    failures = {}
    try:
        times["claims"], _ = timed(evaluate_claims, corpus)
        times["core_total"] = times["load_emphasis"] + times["claims"]
    except Exception as exc:  # noqa: BLE001 - reported in the table, not hidden: the other rows still count
        failures["claims"] = f"{type(exc).__name__}: {exc}"
    peak_core = _rss_mb()

    calls = {"read_table": 0, "validate_table": 0, "respondent_matrix": 0}

    def counting(module, name):
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            calls[name] += 1
            return original(*args, **kwargs)

        setattr(module, name, wrapper)

    # Leave-one-out must work from one respondent x code matrix: count what it calls.
    counting(corpus_mod, "read_table")
    counting(schema_mod, "validate_table")  # corpus imports it when loading
    counting(robustness_mod, "respondent_matrix")
    conditions = 0
    if loo:
        try:
            start = time.perf_counter()
            table = robustness_mod.leave_one_out(corpus, "school_id")
            times["leave_one_school_out"] = time.perf_counter() - start
            conditions = int(table["condition"].nunique())
        except Exception as exc:  # noqa: BLE001 - as for claims
            failures["leave_one_out"] = f"{type(exc).__name__}: {exc}"
        # Both run after the claims, which built the words claim matrix they read (cached on the corpus).
        if "leave_one_out" not in failures:
            start = time.perf_counter()
            robustness_mod.leave_one_out(corpus, "respondent_id")
            times["leave_one_respondent_out"] = time.perf_counter() - start
    return {
        "segments": len(corpus.segments), "codings": len(corpus.codings), "respondents": len(corpus.respondents),
        "schools": len(corpus.schools), "times": times, "data_mb": data_size(corpus) / 1024**2,
        "rss_after_imports_mb": baseline, "peak_rss_after_load_mb": after_load, "peak_rss_core_mb": peak_core,
        "peak_rss_mb": _rss_mb(), "loo_conditions": conditions, "loo_calls": calls, "failures": failures,
    }


def bench_scale(sizes=SIZES, seed: int = 0, loo: bool = True, keep: Path | None = None) -> dict:
    """Generate each size (seeded), run the worker in a subprocess, fit the exponent."""
    from benchmarks.synth import generate_corpus

    results = []
    with tempfile.TemporaryDirectory(prefix="samendoen-scale-") as name:
        base = keep or Path(name)
        for n in sizes:
            folder = base / f"corpus_{n}"
            gen_seconds, _ = timed(generate_corpus, folder, n, seed)
            size_on_disk = sum(p.stat().st_size for p in folder.iterdir()) / 1024**2
            command = [sys.executable, "-m", "benchmarks.scale", str(folder)] + ([] if loo else ["--no-loo"])
            # An empty cache folder per size: the seeded corpus would otherwise be found warm on a second run.
            proc = subprocess.run(command,
                                  capture_output=True, text=True, check=False,
                                  cwd=Path(__file__).resolve().parent.parent,
                                  env={**os.environ, CACHE_DIR_ENV: str(base / f"cache_{n}")})
            if proc.returncode != 0:
                raise RuntimeError(f"scale worker failed at {n}:\n{proc.stderr}")
            row = json.loads(proc.stdout.strip().splitlines()[-1])
            row.update(n=n, generate_s=gen_seconds, disk_mb=size_on_disk)
            row["peak_delta_mb"] = row["peak_rss_mb"] - row["rss_after_imports_mb"]
            row["peak_over_data"] = row["peak_delta_mb"] / row["data_mb"] if row["data_mb"] else None
            load_delta = row["peak_rss_after_load_mb"] - row["rss_after_imports_mb"]
            row["load_peak_over_data"] = load_delta / row["data_mb"] if row["data_mb"] else None
            results.append(row)
            t = row["times"]
            print(f"  {n:>9,} segments: load+emphasis {t['load_emphasis']:.2f} s, claims {t.get('claims')} s, "
                  f"loo {t.get('leave_one_school_out')} s, peak +{row['peak_delta_mb']:.0f} MB for "
                  f"{row['data_mb']:.0f} MB of data"
                  + "".join(f"; {k} FAILED: {v}" for k, v in row["failures"].items()),
                  flush=True)
    fit = [r for r in results if FIT_RANGE[0] <= r["n"] <= FIT_RANGE[1]]
    stages = ["load_validate", "emphasis_all", "load_emphasis", "claims", "core_total"] + (
        ["leave_one_school_out", "leave_one_respondent_out"] if loo else [])
    # A stage that failed at some size has no exponent (a fit over the other sizes would mislead).
    exponents = {s: loglog_slope([r["n"] for r in fit], [r["times"][s] for r in fit])
                 if all(s in r["times"] for r in fit) else None for s in stages}
    rows = [[f"{r['n']:,}", r["codings"], r["respondents"], r["schools"], r["times"]["load_validate"],
             r["times"]["emphasis_all"], r["times"]["load_emphasis"], r["times"].get("claims"),
             r["times"].get("core_total"),
             r["times"].get("leave_one_school_out"), r["times"].get("leave_one_respondent_out"), r["data_mb"],
             r["peak_delta_mb"], r["peak_over_data"], r["load_peak_over_data"]]
            for r in results]
    print_table("Scale (seconds; memory in MiB)",
                ["segments", "codings", "respondents", "schools", "load+validate", "emphasis (12)",
                 "load+validate+emphasis", "claims",
                 "core total", "leave-1-school-out", "leave-1-respondent-out", "data MiB", "peak MiB", "peak/data",
                 "load peak/data"],
                rows)
    print("\nscaling exponent (log-log least squares, "
          f"{FIT_RANGE[0]:,}..{FIT_RANGE[1]:,} segments): "
          + ", ".join(f"{k} {v:.2f}" if v is not None else f"{k} n/a" for k, v in exponents.items()))
    print("leave-one-out calls during the whole loop: "
          + ", ".join(f"{k} {v}" for k, v in results[-1]["loo_calls"].items()))
    targets = target_rows(results, exponents)
    print_table("Scale targets (issue 13)", ["target", "limit", "measured", "verdict"], targets)
    payload = {"sizes": list(sizes), "seed": seed, "results": results, "exponents": exponents, "targets": targets,
               "memory_method": "ru_maxrss of a fresh subprocess per size minus resident size after imports"}
    write_json("scale", payload)
    return payload


if __name__ == "__main__":
    print(json.dumps(worker(sys.argv[1], loo="--no-loo" not in sys.argv)))
