"""A data folder with one more round, for a notebook that compares rounds without touching ``data/``.

It imports a QDPX, so it lives with the REFI-QDA exchange rather than with the round statistics
(:mod:`samendoen_analysis.analysis.rounds`), which never import the layers above them.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from samendoen_analysis.paths import resolve_data_dir
from samendoen_analysis.qdpx.importer import import_qdpx


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
    target = Path(tempfile.mkdtemp(prefix="samendoen-rounds-")) / "data"
    shutil.copytree(resolve_data_dir(data_dir), target)
    import_qdpx(qdpx, round_id, data_dir=target, **options)
    return target


__all__ = ["copy_with_round"]
