"""Warm loads: a data folder validated before, loaded again from the warm cache (``data/warm.py``).

For each size a seeded synthetic corpus (:mod:`benchmarks.synth`) gets an empty cache folder of
its own (``$SAMENDOEN_CACHE_DIR``, so the user's cache is neither used nor filled). One cold load
in a fresh process validates the folder and fills the cache; then ``reps`` warm loads, each in a
fresh process, time ``load_corpus`` alone (imports excluded, as in :mod:`benchmarks.scale`), of
which hashing every file is a part, timed on its own. Each worker says whether the cache answered,
so a miss cannot pass for a fast load. Target: within 1 s at 1,000,000 segments.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import print_table, print_targets, summarise, timed, write_json

TARGET_S = 1.0
TARGET_SIZE = 1_000_000


def worker(folder: str) -> dict:
    """Load a folder once and say how long it took and whether it was read cold."""
    import samendoen_analysis.data.corpus as corpus_mod
    from samendoen_analysis.data import warm

    cold = []
    read_all = corpus_mod._read_all
    corpus_mod._read_all = lambda *args: cold.append(True) or read_all(*args)
    stored = []
    store = warm.store
    warm.store = lambda *args: stored.append(timed(store, *args)[0])
    seconds, corpus = timed(corpus_mod.load_corpus, folder)
    hashing, _ = timed(warm.data_fingerprint, Path(folder))
    return {"seconds": seconds, "cold": bool(cold), "store_s": sum(stored), "hash_s": hashing,
            "segments": len(corpus.segments)}


def _run_worker(folder: Path, cache: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "benchmarks.warm", str(folder)], capture_output=True, text=True,
                          check=False, cwd=Path(__file__).resolve().parent.parent,
                          env={**os.environ, "SAMENDOEN_CACHE_DIR": str(cache)})
    if proc.returncode != 0:
        raise RuntimeError(f"warm-load worker failed on {folder}:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def warm_load(folder: Path, cache: Path, reps: int = 5) -> dict:
    """Cold load once (fills ``cache``), then ``reps`` warm loads, each in a fresh process."""
    first = _run_worker(folder, cache)
    runs = [_run_worker(folder, cache) for _ in range(reps)]
    if first["cold"] is False or any(run["cold"] for run in runs):
        raise RuntimeError(f"the cache did not answer every warm load of {folder}: {runs}")
    return {"cold_s": first["seconds"], "store_s": first["store_s"], "segments": first["segments"],
            "warm": summarise([run["seconds"] for run in runs]),
            "hash_s": statistics.median(run["hash_s"] for run in runs)}


def bench_warm(sizes=(TARGET_SIZE,), reps: int = 5, seed: int = 0) -> dict:
    """Generate each size, time a cold and ``reps`` warm loads, print them with the target."""
    from benchmarks.synth import generate_corpus

    results = []
    with tempfile.TemporaryDirectory(prefix="samendoen-warm-") as name:
        for n in sizes:
            folder = generate_corpus(Path(name) / f"corpus_{n}", n, seed)
            row = {"n": n, **warm_load(folder, Path(name) / f"cache_{n}", reps)}
            results.append(row)
            print(f"  {n:>9,} segments: cold {row['cold_s']:.2f} s (of which storing {row['store_s']:.2f} s), "
                  f"warm median {row['warm']['median']:.3f} s", flush=True)
    print_table("Warm load (seconds, load_corpus in a fresh process)",
                ["segments", "cold load", "of which storing", "warm median", "warm fastest", "of which hashing", "n"],
                [[f"{r['n']:,}", r["cold_s"], r["store_s"], r["warm"]["median"], r["warm"]["min"], r["hash_s"],
                  r["warm"]["n"]] for r in results])
    at_target = [r["warm"]["median"] for r in results if r["n"] == TARGET_SIZE]
    targets = print_targets("Warm-load target", [(f"warm load {TARGET_SIZE:,} segments (median)",
                                                  at_target[0] if at_target else None, "s", TARGET_S, True)])
    payload = {"sizes": list(sizes), "seed": seed, "reps": reps, "results": results, "targets": targets}
    write_json("warm", payload)
    return payload


if __name__ == "__main__":
    print(json.dumps(worker(sys.argv[1])))
