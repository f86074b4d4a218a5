"""``samendoen import-qdpx`` of a REFI-QDA project with 10,000 coded selections.

The project file is made with the project's own exporter from a synthetic corpus of 10,000
segments (one coded selection per segment and code), then imported as a new round into a
temporary copy of ``data/``. The importer and exporter are separate modules; while either is
missing the benchmark says so and is skipped.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import print_table, summarise, timed, write_json
from samendoen_analysis.paths import DATA_DIR

MODULES = ("samendoen_analysis.qdpx.importer", "samendoen_analysis.qdpx.exporter")


def missing_modules() -> list[str]:
    """The QDPX modules that do not exist (yet)."""
    return [m for m in MODULES if importlib.util.find_spec(m) is None]


def bench_import(n_segments: int = 10_000, reps: int = 3, seed: int = 0, round_id: str = "R9") -> dict:
    """Time exporting once, then importing ``reps`` times (API in-process, and the CLI)."""
    missing = missing_modules()
    if missing:
        message = f"skipped: {', '.join(missing)} not found (the QDPX importer/exporter is not in the package yet)"
        print(f"\n## Import\n\n{message}")
        write_json("import", {"skipped": message})
        return {"skipped": message}
    from benchmarks.synth import generate_corpus
    from samendoen_analysis.qdpx.exporter import export_qdpx
    from samendoen_analysis.qdpx.importer import import_qdpx

    samples: dict[str, list[float]] = {"import_api": [], "import_cli": []}
    with tempfile.TemporaryDirectory(prefix="samendoen-import-") as name:
        tmp = Path(name)
        source = generate_corpus(tmp / "synthetic", n_segments, seed)
        export_s, _ = timed(export_qdpx, tmp / "synthetic.qdpx", data_dir=source)
        qdpx = tmp / "synthetic.qdpx"
        codings = sum(1 for _ in (source / "codings.csv").open(encoding="utf-8")) - 1
        cli = Path(sys.executable).with_name("samendoen")
        for rep in range(reps):
            target = Path(shutil.copytree(DATA_DIR, tmp / f"api{rep}"))
            seconds, _ = timed(import_qdpx, qdpx, round_id, data_dir=target)
            samples["import_api"].append(seconds)
            target = Path(shutil.copytree(DATA_DIR, tmp / f"cli{rep}"))
            seconds, proc = timed(subprocess.run, [str(cli), "import-qdpx", str(qdpx), "--round", round_id,
                                                   "--data", str(target)], capture_output=True, text=True)
            if proc.returncode != 0:
                raise RuntimeError(f"samendoen import-qdpx failed: {proc.stderr}")
            samples["import_cli"].append(seconds)
    stats = {k: summarise(v) for k, v in samples.items()}
    rows = [[k, s["median"], s["min"], s["max"], s["n"]] for k, s in stats.items()]
    print_table(f"Import of a QDPX with {codings:,} coded selections (export took {export_s:.2f} s), seconds",
                ["run", "median", "min", "max", "n"], rows)
    result = {"segments": n_segments, "selections": codings, "export_s": export_s, "stats": stats}
    write_json("import", result)
    return result
