"""Where things are, relative to the project rather than the working directory.

Notebooks run by papermill from any folder must still find the data, so every path in the
project is derived here from this file's location.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
RESULTS_DIR = PROJECT_ROOT / "results"
REFERENCE_DIR = PROJECT_ROOT / "reference"


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    """Return an absolute data folder; relative paths are taken from the project root.

    Parameters
    ----------
    data_dir : str, Path or None
        A folder, or None (or empty) for the shipped ``data/``.

    Returns
    -------
    Path
        Absolute path of the data folder.
    """
    if not data_dir:
        return DATA_DIR
    path = Path(data_dir).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


__all__ = ["DATA_DIR", "NOTEBOOKS_DIR", "PROJECT_ROOT", "REFERENCE_DIR", "RESULTS_DIR", "resolve_data_dir"]
