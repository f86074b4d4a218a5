"""``samendoen reproduce`` against its floor and against running the notebooks by hand.

The floor is what any notebook pipeline on this stack pays at least: as many notebooks as the
project has, each importing pandas, matplotlib and seaborn and drawing one small figure, run
through the very same mechanism (``run._run_all``: papermill API in a process pool of the same
size). Reproduce and floor alternate within one run (ABBA), so both see the same machine state.
Every timed reproduce runs all notebooks (``force=True``, into a new folder); the corpus comes
from the warm cache that the warm-up run filled, as on any run after the first with unchanged data.

The incremental row runs the command line (``samendoen reproduce --out X``, including the start
of Python) again into the folder of a finished run, with nothing changed, and checks that every
notebook was re-used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from benchmarks.common import print_table, print_targets, summarise, timed, write_json
from samendoen_analysis.run import reproduce as run
from samendoen_analysis.run.outputs import notebook_paths

PARAMETERS = "out_dir = ''\n"
TARGETS = {"ratio": 1.2, "incremental_s": 2.0, "nbconvert_speedup": 1.6}
MIN_REPS = 5
FLOOR_CODE = """import pandas as pd
import matplotlib.pyplot as plt
import seaborn as sns

frame = pd.DataFrame({"x": list("abcd"), "y": [3, 1, 4, 1]})
fig, ax = plt.subplots(figsize=(3, 2))
_ = sns.barplot(frame, x="x", y="y", ax=ax)
plt.show()
"""


def write_floor_notebooks(folder: Path, count: int) -> list[Path]:
    """Write ``count`` floor notebooks (a tagged parameters cell and one figure cell)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        params = nbformat.v4.new_code_cell(PARAMETERS)
        params.metadata["tags"] = ["parameters"]
        nb = nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell(FLOOR_CODE)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        path = folder / f"{i + 1:02d}_floor.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


def _reproduce_once(tmp: Path, jobs: int) -> float:
    out = Path(tempfile.mkdtemp(dir=tmp)) / "results"
    seconds, _ = timed(run.reproduce, out, {}, jobs=jobs, progress=False, force=True)
    shutil.rmtree(out.parent, ignore_errors=True)
    return seconds


def _floor_once(tmp: Path, notebooks: list[Path], jobs: int) -> float:
    work = Path(tempfile.mkdtemp(dir=tmp))
    seconds, _ = timed(run._run_all, notebooks, work, {"out_dir": str(work)}, jobs, False)
    shutil.rmtree(work, ignore_errors=True)
    return seconds


def _by_hand_copies(tmp: Path) -> list[Path]:
    """Copies of the project's notebooks whose parameters write into ``tmp`` instead of results/."""
    folder = tmp / "by_hand"
    folder.mkdir()
    copies = []
    for nb_path in notebook_paths():
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            if "parameters" in cell.metadata.get("tags", []):
                cell.source = cell.source.replace('out_dir: str = ""', f'out_dir: str = "{folder / "out"}"')
        nbformat.write(nb, folder / nb_path.name)
        copies.append(folder / nb_path.name)
    return copies


def _by_hand_once(copies: list[Path]) -> float:
    jupyter = Path(sys.executable).with_name("jupyter")

    def serial() -> None:
        for nb in copies:
            subprocess.run([str(jupyter), "nbconvert", "--to", "notebook", "--execute", str(nb),
                            "--output", f"{nb.stem}.out"], check=True, capture_output=True, cwd=nb.parent)

    seconds, _ = timed(serial)
    return seconds


def _incremental_once(out: Path) -> float:
    command = [str(Path(sys.executable).with_name("samendoen")), "reproduce", "--out", str(out)]
    seconds, proc = timed(subprocess.run, command, capture_output=True, text=True, check=False)
    count = len(notebook_paths())
    if proc.returncode != 0 or f"({count} notebooks, {count} re-used)" not in proc.stdout:
        raise RuntimeError(f"the second run did not re-use every notebook:\n{proc.stdout}\n{proc.stderr}")
    return seconds


def bench_reproduce(reps: int = MIN_REPS, jobs: int | None = None, by_hand: bool = True) -> dict:
    """Time reproduce and the floor alternating (ABBA, at least 5 each), serial nbconvert and a re-run."""
    jobs = jobs or os.cpu_count() or 1
    reps = max(reps, MIN_REPS)
    count = len(notebook_paths())
    samples: dict[str, list[float]] = {"reproduce": [], "floor": [], "nbconvert_serial": [], "incremental": []}
    with tempfile.TemporaryDirectory(prefix="samendoen-bench-") as name:
        tmp = Path(name)
        floor = write_floor_notebooks(tmp / "floor", count)
        copies = _by_hand_copies(tmp) if by_hand else []
        # One untimed warm-up of each, so the first timed run does not pay for a cold disk cache.
        _floor_once(tmp, floor, jobs)
        _reproduce_once(tmp, jobs)
        for rep in range(reps):
            # Alternate the order (ABBA) so drift in machine state hits both sides alike.
            order = ["reproduce", "floor"] if rep % 2 == 0 else ["floor", "reproduce"]
            for what in order:
                once = _reproduce_once(tmp, jobs) if what == "reproduce" else _floor_once(tmp, floor, jobs)
                samples[what].append(once)
            if by_hand:
                samples["nbconvert_serial"].append(_by_hand_once(copies))
        finished = tmp / "incremental" / "results"
        run.reproduce(finished, {}, jobs=jobs, progress=False)
        samples["incremental"] = [_incremental_once(finished) for _ in range(reps)]
    stats = {k: summarise(v) for k, v in samples.items() if v}
    result = {"notebooks": count, "jobs": jobs, "reps": reps, "stats": stats,
              "ratio_to_floor": stats["reproduce"]["median"] / stats["floor"]["median"],
              "ratio_of_minima": stats["reproduce"]["min"] / stats["floor"]["min"]}
    if by_hand:
        result["speedup_vs_nbconvert_serial"] = stats["nbconvert_serial"]["median"] / stats["reproduce"]["median"]
    rows = [[k, s["median"], s["min"], s["max"], f"{100 * s['spread_rel']:.0f}%", s["n"]] for k, s in stats.items()]
    print_table(f"Reproduce ({count} notebooks, {jobs} workers), seconds",
                ["run", "median", "min", "max", "spread", "n"], rows)
    targets = [("reproduce / floor, medians", result["ratio_to_floor"], "", TARGETS["ratio"], True),
               ("reproduce / floor, fastest runs", result["ratio_of_minima"], "", TARGETS["ratio"], True),
               ("re-run, nothing changed (command line, median)", stats["incremental"]["median"], "s",
                TARGETS["incremental_s"], True)]
    if by_hand:
        targets.append(("serial nbconvert / reproduce", result["speedup_vs_nbconvert_serial"], "x",
                        TARGETS["nbconvert_speedup"], False))
    result["targets"] = print_targets(f"Reproduce targets (load average {os.getloadavg()[0]:.1f} at the end)",
                                      targets)
    write_json("reproduce", result)
    return result
