"""Small hand-made corpora for tests, written as real data folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from samendoen_analysis.data.store import write_table
from samendoen_analysis.paths import DATA_DIR

RESPONDENT_COLUMNS = ["respondent_id", "school_id", "round", "role_nl", "role_en", "role_group", "interviewer", "mode"]
GROUP_ROLE = {
    "teacher": "leraar",
    "external_partner": "jongerenwerker",
    "management": "directeur",
    "support_staff": "zorgcoördinator",
}


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    write_table(path, pd.DataFrame(rows, columns=header))


def write_tiny_corpus(
    folder: Path, respondents: dict[str, tuple[str, str]], segments: list[tuple[str, str, str]]
) -> Path:
    """Write a data folder with the shipped codebook, claims and descriptor.

    ``respondents`` maps id to (school_id, role_group); ``segments`` are
    (respondent_id, text, ';'-separated codes).
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("codebook.csv", "claims.csv", "coders.csv", "datapackage.json"):
        shutil.copy(DATA_DIR / name, folder / name)
    schools = sorted({school for school, _ in respondents.values()})
    _write(
        folder / "schools.csv",
        ["school_id", "school_type", "region", "followup"],
        [[s, "vmbo", "niet vermeld", "full"] for s in schools],
    )
    _write(
        folder / "respondents.csv",
        RESPONDENT_COLUMNS,
        [
            [rid, school, "R1", GROUP_ROLE[group], group, group, "I1", "not_reported"]
            for rid, (school, group) in respondents.items()
        ],
    )
    positions: dict[str, int] = {}
    seg_rows, coding_rows = [], []
    for i, (rid, text, codes) in enumerate(segments, start=1):
        positions[rid] = positions.get(rid, 0) + 1
        seg_rows.append([f"X{i:03d}", rid, "R1", positions[rid], text, "reconstructed", ""])
        coding_rows += [[f"X{i:03d}", code] for code in codes.split(";")]
    _write(
        folder / "segments.csv",
        ["segment_id", "respondent_id", "round", "position", "text", "origin", "source_ref"],
        seg_rows,
    )
    _write(folder / "codings.csv", ["segment_id", "code_id"], coding_rows)
    _write(folder / "independent_codings.csv", ["segment_id", "coder", "code_id"], [])
    return folder


def words(n: int) -> str:
    """A text of exactly n words."""
    return " ".join(["woord"] * n)
