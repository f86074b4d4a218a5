"""Small hand-made corpora for tests, written as real data folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from samendoen_analysis.data.store import write_csv_atomically
from samendoen_analysis.paths import DATA_DIR
from samendoen_analysis.vocabulary import columns, table_file

GROUP_ROLE = {
    "teacher": "leraar",
    "external_partner": "jongerenwerker",
    "management": "directeur",
    "support_staff": "zorgcoördinator",
}


def _write(folder: Path, table: str, rows: list[dict]) -> None:
    """Write a table with the descriptor's columns; a column a row does not name is left empty."""
    frame = pd.DataFrame(rows, columns=list(columns(table)), dtype=object).fillna("")
    write_csv_atomically(folder / table_file(table), frame)


def write_tiny_corpus(
    folder: Path, respondents: dict[str, tuple[str, str]], segments: list[tuple[str, str, str]]
) -> Path:
    """Write a data folder with the shipped codebook, claims and descriptor.

    ``respondents`` maps id to (school_id, role_group); ``segments`` are
    (respondent_id, text, ';'-separated codes).
    """
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA_DIR / "datapackage.json", folder / "datapackage.json")
    for table in ("codebook", "claims", "coders", "coder_spans"):
        shutil.copy(DATA_DIR / table_file(table), folder / table_file(table))
    schools = sorted({school for school, _ in respondents.values()})
    _write(folder, "schools", [
        {"school_id": s, "school_type": "vmbo", "region": "niet vermeld", "followup": "full"} for s in schools])
    _write(folder, "respondents", [
        {"respondent_id": rid, "school_id": school, "round": "R1", "role_nl": GROUP_ROLE[group], "role_en": group,
         "role_group": group, "interviewer": "I1", "mode": "not_reported", "person_id": rid}
        for rid, (school, group) in respondents.items()])
    positions: dict[str, int] = {}
    seg_rows, coding_rows = [], []
    for i, (rid, text, codes) in enumerate(segments, start=1):
        positions[rid] = positions.get(rid, 0) + 1
        seg_rows.append({"segment_id": f"X{i:03d}", "respondent_id": rid, "round": "R1", "position": positions[rid],
                         "text": text, "origin": "reconstructed", "coded": "true"})
        coding_rows += [{"segment_id": f"X{i:03d}", "code_id": code} for code in codes.split(";")]
    _write(folder, "segments", seg_rows)
    _write(folder, "codings", coding_rows)
    _write(folder, "independent_codings", [])
    return folder


def words(n: int) -> str:
    """A text of exactly n words."""
    return " ".join(["woord"] * n)
