"""Seeded synthetic corpora with the schema and the shape of the shipped one, at any size.

Segment lengths are drawn from the word counts of the shipped ``data/segments.csv``; the words
themselves are drawn from the shipped texts (tokens that are one word each by
:mod:`samendoen_analysis.data.words`, so punctuation, accents and ``zo'n`` stay in), so reading,
validation and word counting see text like the real corpus. The codebook, claims and descriptor
are copied from ``data/``. Ids are valid, every segment is coded, positions are 1, 2, 3, ... per
interview, and the same seed always gives the same bytes.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from samendoen_analysis.data.words import count_words
from samendoen_analysis.paths import DATA_DIR
from samendoen_analysis.vocabulary import CODABLE_KINDS

SEGMENTS_PER_RESPONDENT = 25
RESPONDENTS_PER_SCHOOL = 25
ROLE_WEIGHTS = {"teacher": 0.4, "external_partner": 0.35, "support_staff": 0.1, "management": 0.15}
ROLES = {
    "teacher": ("leraar", "teacher"),
    "external_partner": ("jongerenwerker", "youth worker"),
    "support_staff": ("zorgcoördinator", "care coordinator"),
    "management": ("directeur", "director"),
}
MARKERS = ["[collega]", "[naam school]", "[leerling]", "[plaats]", "[naam]"]
# Codes per segment: mostly one, about a third two, a few three (as the writers' brief asks).
CODES_PER_SEGMENT = ([1, 2, 3], [0.6, 0.32, 0.08])
INDEPENDENT_SHARE = 0.45


def _vocabulary(source: Path) -> tuple[np.ndarray, np.ndarray]:
    """Single-word tokens of the shipped texts, and the shipped word counts per segment."""
    texts = pd.read_csv(source / "segments.csv", dtype=str, keep_default_na=False)["text"]
    tokens = sorted({t for text in texts for t in text.split() if count_words(t) == 1} | set(MARKERS))
    # Digits could look like phone numbers or postcodes to the anonymisation guard.
    tokens = [t for t in tokens if not any(c.isdigit() for c in t)]
    lengths = np.array([count_words(t) for t in texts if count_words(t) > 0], dtype=np.int64)
    return np.array(tokens, dtype=object), lengths


def _write(path: Path, frame: pd.DataFrame) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def generate_corpus(folder: str | Path, n_segments: int, seed: int = 0, source: Path = DATA_DIR) -> Path:
    """Write a synthetic data folder with ``n_segments`` segments.

    Parameters
    ----------
    folder : str or Path
        Destination; created, files in it are overwritten.
    n_segments : int
        Number of segments (codings are about 1.5 times as many).
    seed : int
        Seed of the random generator; the same seed gives identical files.
    source : Path
        Data folder whose codebook, claims, descriptor, texts and lengths are used.

    Returns
    -------
    Path
        The folder.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for name in ("codebook.csv", "claims.csv", "datapackage.json", "coders.csv", "coder_spans.csv"):
        shutil.copyfile(source / name, folder / name)
    vocabulary, lengths = _vocabulary(source)
    codebook = pd.read_csv(source / "codebook.csv", dtype=str, keep_default_na=False)
    codable = codebook.loc[codebook["kind"].isin(CODABLE_KINDS), "code_id"].to_numpy()
    schools_csv = pd.read_csv(source / "schools.csv", dtype=str, keep_default_na=False)

    n_resp = max(20, n_segments // SEGMENTS_PER_RESPONDENT)
    n_schools = max(5, n_resp // RESPONDENTS_PER_SCHOOL)
    school_ids = np.array([f"S{i + 1}" for i in range(n_schools)], dtype=object)
    pick = rng.integers(0, len(schools_csv), n_schools)
    _write(folder / "schools.csv", pd.DataFrame({
        "school_id": school_ids, "school_type": schools_csv["school_type"].to_numpy()[pick],
        "region": schools_csv["region"].to_numpy()[pick], "followup": "full",
    }))

    groups = np.array(list(ROLE_WEIGHTS), dtype=object)
    resp_group = groups[rng.choice(len(groups), n_resp, p=list(ROLE_WEIGHTS.values()))]
    resp_school = school_ids[np.arange(n_resp) % n_schools]
    resp_ids = np.array([f"{s}-R{i + 1}" for i, s in enumerate(resp_school)], dtype=object)
    rounds = np.where(np.arange(n_resp) % 4 == 3, "R2", "R1").astype(object)
    _write(folder / "respondents.csv", pd.DataFrame({
        "respondent_id": resp_ids, "school_id": resp_school, "round": rounds,
        "role_nl": [ROLES[g][0] for g in resp_group], "role_en": [ROLES[g][1] for g in resp_group],
        "role_group": resp_group, "interviewer": np.where(rng.random(n_resp) < 0.5, "I1", "I2"),
        "mode": "not_reported", "person_id": resp_ids, "case_name": "",
    }))

    # Segments: each respondent gets at least one, the rest at random; sorted by respondent.
    owner = np.sort(np.concatenate([np.arange(n_resp), rng.integers(0, n_resp, n_segments - n_resp)]))
    starts = np.r_[0, np.flatnonzero(np.diff(owner)) + 1]
    position = np.arange(n_segments) - np.repeat(starts, np.diff(np.r_[starts, n_segments])) + 1
    n_words = lengths[rng.integers(0, len(lengths), n_segments)]
    words = vocabulary[rng.integers(0, len(vocabulary), int(n_words.sum()))]
    bounds = np.r_[0, np.cumsum(n_words)]
    texts = [" ".join(words[bounds[i]:bounds[i + 1]]) for i in range(n_segments)]
    seg_ids = np.array([f"SEG{i + 1:07d}" for i in range(n_segments)], dtype=object)
    _write(folder / "segments.csv", pd.DataFrame({
        "segment_id": seg_ids, "respondent_id": resp_ids[owner], "round": rounds[owner], "position": position,
        "text": texts, "origin": "reconstructed", "source_ref": "", "coded": "true",
    }))

    def draw_codes(n: int) -> tuple[np.ndarray, np.ndarray]:
        """Distinct codable codes per segment: returns (segment row, code) pairs."""
        k = rng.choice(CODES_PER_SEGMENT[0], n, p=CODES_PER_SEGMENT[1])
        # Random keys, argsorted per row, give distinct codes per segment without a Python loop.
        order = np.argsort(rng.random((n, len(codable))), axis=1)[:, :3]
        rows = np.repeat(np.arange(n), 3)[(np.arange(3) < k[:, None]).ravel()]
        return rows, codable[order[(np.arange(3) < k[:, None])]]

    rows, codes = draw_codes(n_segments)
    _write(folder / "codings.csv", pd.DataFrame({"segment_id": seg_ids[rows], "code_id": codes}))

    chosen = np.flatnonzero(rng.random(n_segments) < INDEPENDENT_SHARE)
    frames = []
    for coder in ("I1", "I2"):
        r, c = draw_codes(len(chosen))
        frames.append(pd.DataFrame({"segment_id": seg_ids[chosen[r]], "coder": coder, "code_id": c, "_r": chosen[r]}))
    independent = pd.concat(frames).sort_values(["_r", "coder"], kind="stable").drop(columns="_r")
    _write(folder / "independent_codings.csv", independent)
    return folder


def data_size(corpus) -> int:
    """Bytes of all corpus tables in memory (``DataFrame.memory_usage(deep=True)``)."""
    frames = (corpus.schools, corpus.respondents, corpus.codebook, corpus.segments, corpus.codings,
              corpus.independent_codings, corpus.claims)
    return int(sum(f.memory_usage(deep=True, index=True).sum() for f in frames))
