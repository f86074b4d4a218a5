"""Writing a data folder's tables so that a reader never sees a half-written folder.

The new folder is built and validated as a whole in a temporary copy beside the real one;
only then are the changed files written under temporary names in the real folder and moved
over the old ones, each move atomic. Rows that were already there keep their bytes, so a
version-control diff of an import shows only what was added.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from samendoen_analysis.data.corpus import TABLES, load_corpus
from samendoen_analysis.data.csvio import read_table
from samendoen_analysis.data.schema import field_names, load_descriptor, resource
from samendoen_analysis.errors import DataError

TABLE_FILES = TABLES


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


def _csv_bytes(frame: pd.DataFrame, header: bool = True) -> bytes:
    return frame.to_csv(index=False, header=header, lineterminator="\n").encode("utf-8")


def table_bytes(frame: pd.DataFrame, old: pd.DataFrame | None = None, old_bytes: bytes | None = None) -> bytes:
    """The CSV bytes of a table: UTF-8, ``\\n`` line ends, columns in the order given.

    Parameters
    ----------
    frame : pandas.DataFrame
        The new table, all values strings, columns in descriptor order.
    old : pandas.DataFrame, optional
        The table as it was read from ``old_bytes``.
    old_bytes : bytes, optional
        The file as it was stored.

    Returns
    -------
    bytes
        When the new table only appends rows to the old one and the old file is plain UTF-8
        with commas, the old bytes followed by the new rows, so that a version-control diff
        shows only what was added; otherwise the whole table written afresh.
    """
    header = ",".join(frame.columns).encode("utf-8")
    appended = (
        old is not None
        and old_bytes is not None
        and old_bytes.split(b"\n", 1)[0].rstrip(b"\r") == header
        and not old_bytes.startswith(b"\xef\xbb\xbf")
        and len(frame) >= len(old)
        and list(old.columns) == list(frame.columns)
        and frame.iloc[: len(old)].reset_index(drop=True).equals(old.reset_index(drop=True))
    )
    if not appended:
        return _csv_bytes(frame)
    if len(frame) == len(old):
        return old_bytes
    prefix = old_bytes if old_bytes.endswith(b"\n") else old_bytes + b"\n"
    return prefix + _csv_bytes(frame.iloc[len(old) :], header=False)


def write_table(path: Path, frame: pd.DataFrame) -> None:
    """Write one table as UTF-8 CSV with ``\\n`` line ends, atomically (a reader sees old or new).

    Parameters
    ----------
    path : Path
        The CSV file.
    frame : pandas.DataFrame
        The table, columns already in descriptor order.
    """
    _swap_in(path.parent, {path.name: _csv_bytes(frame)})


def _paths(data_dir: Path) -> dict[str, Path]:
    descriptor = load_descriptor(data_dir / "datapackage.json")
    return {name: data_dir / resource(descriptor, name)["path"] for name in TABLE_FILES}


def replace_tables(data_dir: Path, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Validate new tables as a complete folder, then move them over the old files.

    Parameters
    ----------
    data_dir : Path
        The data folder to update.
    tables : dict of str to pandas.DataFrame
        Tables to write, all values strings (others are kept as they are).

    Returns
    -------
    list of str
        Names of the files that changed.

    Raises
    ------
    DataError
        If the folder with the new tables does not validate; nothing is changed then.
    """
    paths, old = _paths(data_dir), read_raw(data_dir)
    columns = {name: list(frame.columns) for name, frame in old.items()}
    content = {}
    for name, frame in tables.items():
        before = paths[name].read_bytes()
        after = table_bytes(frame[columns[name]], old[name], before)
        if after != before:
            content[paths[name].name] = after
    # The whole new folder is built and validated beside the real one before anything moves.
    with tempfile.TemporaryDirectory(prefix=".check-", dir=data_dir.parent) as check:
        trial = Path(shutil.copytree(data_dir, Path(check) / data_dir.name))
        for file, data in content.items():
            (trial / file).write_bytes(data)
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
    _swap_in(data_dir, content)
    return sorted(content)


def _swap_in(data_dir: Path, content: dict[str, bytes]) -> None:
    """Write every file under a temporary name first; only when all are on disk, rename them."""
    staged = []
    try:
        for file, data in content.items():
            temp = data_dir / f".{file}.new"
            with temp.open("wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            staged.append((temp, data_dir / file))
        for temp, target in staged:
            os.replace(temp, target)
    finally:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
