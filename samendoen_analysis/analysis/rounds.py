"""Comparing interview rounds: does a finding of the first round replicate in the next?"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd

from samendoen_analysis.analysis.claims import evaluate_claims
from samendoen_analysis.data.corpus import Corpus
from samendoen_analysis.paths import resolve_data_dir


def claims_by_round(corpus: Corpus, measure: str = "words", normalisation: str = "none") -> pd.DataFrame:
    """Evaluate every claim separately in each round, side by side.

    Parameters
    ----------
    corpus : Corpus
        A corpus with one or more rounds.
    measure, normalisation : str
        As in :func:`samendoen_analysis.analysis.claims.evaluate_claims`.

    Returns
    -------
    pandas.DataFrame
        One row per claim; per round a ``statistic`` and a ``holds`` column, and
        ``replicates`` (True when the claim holds in every round).
    """
    frames = []
    for round_id in corpus.rounds:
        result = evaluate_claims(corpus.subset(rounds=[round_id]), measure, normalisation)
        frames.append(result.set_index("claim_id")[["statistic", "holds"]].add_prefix(f"{round_id} "))
    table = pd.concat(frames, axis=1)
    holds = table[[c for c in table.columns if c.endswith(" holds")]]
    table["replicates"] = holds.all(axis=1)
    return table.reset_index()


def copy_with_round(qdpx: str | Path, round_id: str, data_dir: str | Path | None = None, **options) -> Path:
    """Copy a data folder to a new temporary folder and import a QDPX round into the copy.

    Parameters
    ----------
    qdpx : str or Path
        REFI-QDA project file of the new round.
    round_id : str
        Id of the new round, e.g. ``"R2"``.
    data_dir : str or Path, optional
        Folder to copy; default the shipped ``data/``. It is never changed.
    **options
        Passed on to :func:`samendoen_analysis.qdpx.importer.import_qdpx`.

    Returns
    -------
    Path
        The temporary data folder holding both rounds; the caller removes it when done.
    """
    from samendoen_analysis.qdpx.importer import import_qdpx

    target = Path(tempfile.mkdtemp(prefix="samendoen-rounds-")) / "data"
    shutil.copytree(resolve_data_dir(data_dir), target)
    import_qdpx(qdpx, round_id, data_dir=target, **options)
    return target
