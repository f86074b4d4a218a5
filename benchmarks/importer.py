"""``samendoen import-qdpx`` of a REFI-QDA project with 10,000 coded selections, and of one long source.

The project file is made with the project's own exporter from a synthetic corpus of 10,000
segments (one coded selection per segment and code), then imported as a new round into a
temporary copy of ``data/``. The importer and exporter are separate modules; while either is
missing the benchmark says so and is skipped.

The long source is shaped as NVivo for Windows writes it: one text of 1,000,000 characters with
emoji (two UTF-16 units each) and CRLF line ends, 10,000 coded selections with positions in
UTF-16 units. Converting positions must be linear in the text; the same source at a tenth of the
size is timed beside it (the ratio should be near 10), and reading the file alone is the floor.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

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

    samples: dict[str, list[float]] = {"import_api": [], "import_api_cpu": [], "import_cli": []}
    with tempfile.TemporaryDirectory(prefix="samendoen-import-") as name:
        tmp = Path(name)
        source = generate_corpus(tmp / "synthetic", n_segments, seed)
        export_s, _ = timed(export_qdpx, tmp / "synthetic.qdpx", data_dir=source)
        qdpx = tmp / "synthetic.qdpx"
        codings = sum(1 for _ in (source / "codings.csv").open(encoding="utf-8")) - 1
        cli = Path(sys.executable).with_name("samendoen")
        for rep in range(reps):
            target = Path(shutil.copytree(DATA_DIR, tmp / f"api{rep}"))
            cpu = time.process_time()
            seconds, _ = timed(import_qdpx, qdpx, round_id, data_dir=target)
            samples["import_api_cpu"].append(time.process_time() - cpu)
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


def write_long_source(path: Path, n_chars: int, n_selections: int, seed: int = 0) -> Path:
    """A QDPX with one interview of about ``n_chars`` characters and ``n_selections`` coded selections."""
    from samendoen_analysis.qdpx.exporter import guid

    rng = np.random.default_rng(seed)
    words = np.array(["samen", "doen", "leraar", "jongerenwerker", "klas", "corona", "afspraak", "\U0001F600"])
    pieces, length = [], 0
    while length < n_chars:
        word = str(words[rng.integers(len(words))]) + (" " if rng.random() > 0.05 else ".\r\n")
        pieces.append(word)
        length += len(word)
    text = "".join(pieces)
    # Word starts and ends in UTF-16 units, as NVivo for Windows counts them.
    units = np.concatenate(([0], np.cumsum([2 if ord(c) > 0xFFFF else 1 for c in text])))
    starts = np.flatnonzero(np.r_[True, np.array([c in " \n" for c in text[:-1]])])
    chosen = np.sort(rng.choice(len(starts) - 40, n_selections, replace=False))
    selections = []
    for i, k in enumerate(chosen):
        a, b = starts[k], starts[k + rng.integers(1, 30)] - 1
        selections.append(
            f'<PlainTextSelection guid="{guid("sel", str(i))}" startPosition="{units[a]}" endPosition="{units[b]}">'
            f'<Coding guid="{guid("coding", str(i))}"><CodeRef targetGUID="{guid("code", "corona")}"/></Coding>'
            "</PlainTextSelection>")
    source, case = guid("source", "long"), guid("case", "long")
    variables = "".join(f'<Variable guid="{guid("variable", n)}" name="{n}" typeOfVariable="Text"/>'
                        for n in ("school_id", "role_group", "role_nl"))
    values = "".join(f'<VariableValue><VariableRef targetGUID="{guid("variable", n)}"/><TextValue>{v}</TextValue>'
                     "</VariableValue>" for n, v in (("school_id", "S9"), ("role_group", "teacher"),
                                                    ("role_nl", "leraar")))
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="long" '
           f'origin="NVivo for Windows 14"><CodeBook><Codes><Code guid="{guid("code", "corona")}" name="corona" '
           f'isCodable="true"/></Codes></CodeBook><Variables>{variables}</Variables><Cases>'
           f'<Case guid="{case}" name="Leraar lang">{values}<SourceRef targetGUID="{source}"/></Case></Cases>'
           f'<Sources><TextSource guid="{source}" name="lang interview" plainTextPath="internal://{source}.txt">'
           f'{"".join(selections)}</TextSource></Sources></Project>')
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        archive.writestr(f"sources/{source}.txt", "\ufeff".encode() + text.encode("utf-8"))
    return path


def bench_long_source(n_chars: int = 1_000_000, n_selections: int = 10_000, reps: int = 3, seed: int = 0) -> dict:
    """Time importing one long NVivo-shaped source, against reading the file, and at a tenth of the size."""
    from samendoen_analysis.qdpx.importer import import_qdpx
    from samendoen_analysis.qdpx.read import read_qdpx

    rows, result = [], {}
    with tempfile.TemporaryDirectory(prefix="samendoen-long-") as name:
        tmp = Path(name)
        for label, chars, sels in (("tenth", n_chars // 10, n_selections // 10), ("full", n_chars, n_selections)):
            qdpx = write_long_source(tmp / f"{label}.qdpx", chars, sels, seed)
            samples: dict[str, list[float]] = {"read (floor)": [], "import": [], "import, CPU time": []}
            for rep in range(reps):
                samples["read (floor)"].append(timed(read_qdpx, qdpx)[0])
                target = Path(shutil.copytree(DATA_DIR, tmp / f"{label}{rep}"))
                # CPU time of this process beside wall time: on a shared machine the wall time also
                # counts the time other processes held the cores.
                cpu = time.process_time()
                seconds, report = timed(import_qdpx, qdpx, "R9", data_dir=target)
                samples["import, CPU time"].append(time.process_time() - cpu)
                if "utf16 units" not in report:
                    raise RuntimeError(f"positions were not detected as UTF-16 units: {report}")
                samples["import"].append(seconds)
            stats = {k: summarise(v) for k, v in samples.items()}
            result[label] = {"chars": chars, "selections": sels, "stats": stats}
            rows += [[f"{chars:,} chars, {sels:,} selections", k, s["median"], s["min"], s["max"]]
                     for k, s in stats.items()]
    full, tenth = result["full"]["stats"]["import"]["median"], result["tenth"]["stats"]["import"]["median"]
    result["ratio_full_to_tenth"] = full / tenth
    result["ratio_import_to_read"] = full / result["full"]["stats"]["read (floor)"]["median"]
    print_table("Import of one long source (NVivo-shaped: UTF-16 positions, emoji, CRLF), seconds",
                ["source", "run", "median", "min", "max"], rows)
    print(f"import 1/10 size -> full size: x{result['ratio_full_to_tenth']:.1f} (linear: about x10); "
          f"import / read at full size: x{result['ratio_import_to_read']:.1f}; target: full import within 2 s; "
          f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    write_json("import_long", result)
    return result


def _re_encode(text: str, positions: np.ndarray) -> list[int]:
    """The conversion as it was: the whole text encoded again for every position."""
    return [len(text.encode("utf-16-le")[: 2 * p].decode("utf-16-le", "replace")) for p in positions]


def bench_conversion(n_chars: int = 1_000_000, n_positions: int = 10_000, reps: int = 3, seed: int = 0) -> dict:
    """UTF-16 positions to code points: one pass over the text, against re-encoding the text per position."""
    from samendoen_analysis.qdpx.read import code_points

    rng = np.random.default_rng(seed)
    rows, result = [], {}
    for chars, count in ((n_chars // 10, n_positions // 10), (n_chars, n_positions)):
        text = "".join(rng.choice(list("samen doen klas\U0001F600"), chars))
        units = len(text.encode("utf-16-le")) // 2
        positions = np.sort(rng.integers(0, units, count))
        one_pass = summarise([timed(code_points, text, positions, "utf16_units")[0] for _ in range(reps)])
        sample = positions[:: max(1, count // 100)]  # re-encoding is timed on 100 positions and scaled
        per_position = timed(_re_encode, text, sample)[0] / len(sample)
        result[chars] = {"one_pass": one_pass, "re_encode_estimate": per_position * count}
        rows.append([f"{chars:,} chars, {count:,} positions", one_pass["median"], per_position * count])
    print_table("UTF-16 positions to code points, seconds", ["text", "one pass (median)", "re-encoding per position"],
                rows)
    write_json("import_conversion", {str(k): v for k, v in result.items()})
    return result
