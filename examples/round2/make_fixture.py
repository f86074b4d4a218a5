"""Build R2-ronde-twee.qdpx from r2_segments.csv: an invented second round for the worked example.

Run from the project root: ``.venv/bin/python examples/round2/make_fixture.py``.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from samendoen_analysis.data.store import write_csv_atomically
from samendoen_analysis.paths import DATA_DIR
from samendoen_analysis.qdpx.exporter import export_qdpx
from samendoen_analysis.vocabulary import columns, table_file

HERE = Path(__file__).resolve().parent
ROUND, SCHOOL = "R2", "S6"


def _write(folder: Path, table: str, rows: list[dict[str, str]]) -> None:
    write_csv_atomically(folder / table_file(table), pd.DataFrame(rows, columns=list(columns(table)), dtype=str))


def build(out: Path = HERE / "R2-ronde-twee.qdpx") -> Path:
    """Write the example round as a small data folder and export it as a REFI-QDA project."""
    with (HERE / "r2_segments.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copy(DATA_DIR / "datapackage.json", folder / "datapackage.json")
        for table in ("codebook", "claims", "coders", "coder_spans"):
            shutil.copy(DATA_DIR / table_file(table), folder / table_file(table))
        _write(folder, "schools", [{"school_id": SCHOOL, "school_type": "vmbo", "region": "niet vermeld",
                                    "followup": "full"}])
        people = {r["respondent_id"]: r for r in rows}
        # The CSV carries the respondent columns that vary; the others are the same for the whole round.
        _write(folder, "respondents", [
            {**{c: r[c] for c in columns("respondents") if c in r}, "respondent_id": p, "school_id": SCHOOL,
             "round": ROUND, "person_id": p, "case_name": ""}
            for p, r in people.items()
        ])
        positions: dict[str, int] = {}
        segments, codings = [], []
        for i, r in enumerate(rows, start=1):
            positions[r["respondent_id"]] = positions.get(r["respondent_id"], 0) + 1
            segment_id = f"{ROUND}-{i:03d}"
            segments.append({"segment_id": segment_id, "respondent_id": r["respondent_id"], "round": ROUND,
                             "position": str(positions[r["respondent_id"]]), "text": r["text"],
                             "origin": "reconstructed", "source_ref": "", "coded": "true"})
            codings += [{"segment_id": segment_id, "code_id": code} for code in r["codes"].split(";")]
        _write(folder, "segments", segments)
        _write(folder, "codings", codings)
        _write(folder, "independent_codings", [])
        return export_qdpx(out, data_dir=folder)


if __name__ == "__main__":
    print(build())
