"""How fast ``samendoen reproduce`` refuses a bad parameter (target: within 2 s, before any kernel).

Each case runs the command line in a fresh process, as a user would, and must exit with an error
naming the parameter. The floor is a fresh process that only imports pandas (which the check
needs); both are timed alternately (ABBA) so machine load falls on both alike.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile

from benchmarks.common import print_table, summarise, timed, write_json

TARGET_S = 2.0
CASES = {
    "misspelled name (-p mesure words)": ["-p", "mesure", "words"],
    "invalid fixed value (-p lang fr)": ["-p", "lang", "fr"],
    "value checked against the data (-p schools S9)": ["-p", "schools", "S9"],
}
FLOOR = [sys.executable, "-c", "import pandas"]


def _refuse(args: list[str], out: str) -> None:
    done = subprocess.run([sys.executable, "-m", "samendoen_analysis.cli", "reproduce", "--out", out, *args],
                          capture_output=True, text=True)
    if done.returncode == 0 or "parameter" not in done.stderr:
        raise RuntimeError(f"expected a parameter error for {args}, got {done.returncode}: {done.stderr}")


def bench_params(reps: int = 3) -> dict:
    """Time each refusal and the floor, ``reps`` times each, alternating."""
    samples: dict[str, list[float]] = {name: [] for name in [*CASES, "floor (import pandas)"]}
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(reps):
            order = list(CASES.items()) if rep % 2 == 0 else list(reversed(CASES.items()))
            for name, args in order:
                samples[name].append(timed(_refuse, args, f"{tmp}/out")[0])
                samples["floor (import pandas)"].append(timed(subprocess.run, FLOOR, check=True)[0])
    stats = {name: summarise(values) for name, values in samples.items()}
    floor = stats["floor (import pandas)"]["median"]
    rows = [[name, s["median"], s["min"], s["max"], s["median"] / floor if floor else None,
             None if name not in CASES else "met" if s["median"] <= TARGET_S else "missed"]
            for name, s in stats.items()]
    print_table(f"Refusing a bad parameter (target within {TARGET_S:g} s)",
                ["case", "median s", "min s", "max s", "/ floor", "target"], rows)
    payload = {"target_s": TARGET_S, "stats": stats}
    write_json("params", payload)
    return payload
