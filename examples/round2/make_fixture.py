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

HERE = Path(__file__).resolve().parent
ROUND, SCHOOL = "R2", "S6"


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    write_csv_atomically(path, pd.DataFrame(rows, columns=header))


def build(out: Path = HERE / "R2-ronde-twee.qdpx") -> Path:
    """Write the example round as a small data folder and export it as a REFI-QDA project."""
    with (HERE / "r2_segments.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("codebook.csv", "claims.csv", "datapackage.json", "coders.csv", "coder_spans.csv"):
            shutil.copy(DATA_DIR / name, folder / name)
        _write(
            folder / "schools.csv",
            ["school_id", "school_type", "region", "followup"],
            [[SCHOOL, "vmbo", "niet vermeld", "full"]],
        )
        people = {r["respondent_id"]: r for r in rows}
        _write(
            folder / "respondents.csv",
            ["respondent_id", "school_id", "round", "role_nl", "role_en", "role_group", "interviewer", "mode",
             "person_id", "case_name"],
            [
                [p, SCHOOL, ROUND, r["role_nl"], r["role_en"], r["role_group"], r["interviewer"], r["mode"], p, ""]
                for p, r in people.items()
            ],
        )
        positions: dict[str, int] = {}
        segments, codings = [], []
        for i, r in enumerate(rows, start=1):
            positions[r["respondent_id"]] = positions.get(r["respondent_id"], 0) + 1
            segment_id = f"{ROUND}-{i:03d}"
            segments.append(
                [
                    segment_id,
                    r["respondent_id"],
                    ROUND,
                    str(positions[r["respondent_id"]]),
                    r["text"],
                    "reconstructed",
                    "",
                    "true",
                ]
            )
            codings += [[segment_id, code] for code in r["codes"].split(";")]
        _write(
            folder / "segments.csv",
            ["segment_id", "respondent_id", "round", "position", "text", "origin", "source_ref", "coded"],
            segments,
        )
        _write(folder / "codings.csv", ["segment_id", "code_id"], codings)
        _write(folder / "independent_codings.csv", ["segment_id", "coder", "code_id"], [])
        return export_qdpx(out, data_dir=folder)


if __name__ == "__main__":
    print(build())
