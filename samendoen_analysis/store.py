"""Writing a data folder's tables so that a reader never sees a half-written folder.

New files are written beside the old ones under temporary names and validated as a whole
folder first; only then are they moved over the old files, each move atomic.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from samendoen_analysis.corpus import load_corpus
from samendoen_analysis.csvio import read_table
from samendoen_analysis.errors import DataError
from samendoen_analysis.schema import field_names, load_descriptor, resource

TABLE_FILES = ("schools", "respondents", "codebook", "segments", "codings", "independent_codings", "claims")


def read_raw(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Read every table of a data folder as strings, exactly as stored.

    Parameters
    ----------
    data_dir : Path
        A data folder with ``datapackage.json``.

    Returns
    -------
    dict of str to pandas.DataFrame
        One table per resource, columns in descriptor order.
    """
    descriptor = load_descriptor(data_dir / "datapackage.json")
    notes: list[str] = []
    return {
        name: read_table(data_dir / resource(descriptor, name)["path"], field_names(resource(descriptor, name)), notes)
        for name in TABLE_FILES
    }


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def replace_tables(data_dir: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Validate new tables as a complete folder, then move them over the old files.

    Parameters
    ----------
    data_dir : Path
        The data folder to update.
    tables : dict of str to pandas.DataFrame
        Tables to write (others are kept as they are).

    Raises
    ------
    DataError
        If the folder with the new tables does not validate; nothing is changed then.
    """
    with tempfile.TemporaryDirectory(prefix=".check-", dir=data_dir.parent) as check:
        trial = Path(shutil.copytree(data_dir, Path(check) / data_dir.name))
        for name, frame in tables.items():
            _write_csv(frame, trial / f"{name}.csv")
        try:
            load_corpus(trial)
        except DataError as exc:
            file = data_dir / Path(exc.file).name
            raise DataError(
                file,
                f"with the new rows this file would be invalid: {exc.problem}",
                exc.fix,
                line=exc.line,
                column=exc.column,
            ) from None
        staged = []
        try:
            for name in tables:
                target = data_dir / f"{name}.csv"
                temp = data_dir / f".{name}.csv.new"
                shutil.copyfile(trial / f"{name}.csv", temp)
                staged.append((temp, target))
            for temp, target in staged:
                os.replace(temp, target)
        finally:
            for temp, _ in staged:
                temp.unlink(missing_ok=True)
