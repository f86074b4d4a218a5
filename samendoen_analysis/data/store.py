"""Writing a data folder's tables: one writer at a time, all files or none, even when killed.

The new folder is built and validated as a whole in a temporary copy beside the real one;
only then are the changed files written under temporary names in the real folder (each
flushed to disk), a journal naming them is committed with one atomic rename, and the files
are moved over the old ones. A run killed before the journal exists leaves the old folder
(plus staged files, removed by the next run); a run killed after it leaves a journal, and the
next run finishes the moves: the folder is always the old state or the new one. Rows that
were already there keep their bytes, so a version-control diff of an import shows only what
was added.

Two writers are kept apart by a lock file in the folder (``.samendoen.lock``), held with
``flock`` and released by the operating system when its process ends, even by SIGKILL; the
file names its holder (pid, host, command, start time) for the message the other writer
gets. ``flock`` is POSIX; on network shares it is only as good as the share's lock support.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from samendoen_analysis.data.corpus import load_corpus
from samendoen_analysis.data.csvio import read_table
from samendoen_analysis.data.integrity import JOURNAL
from samendoen_analysis.data.schema import field_names, load_descriptor, resource
from samendoen_analysis.errors import DataError
from samendoen_analysis.vocabulary import OPTIONAL_TABLES, TABLES

LOCK = ".samendoen.lock"
WAIT_SECONDS = 30.0
_STAGED = ".{}.new"
_held: set[Path] = set()  # folders this process holds the lock of (the lock is re-entrant)


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
    tables = {}
    for name in TABLES:
        path, fields = data_dir / resource(descriptor, name)["path"], field_names(resource(descriptor, name))
        missing = name in OPTIONAL_TABLES and not path.exists()
        tables[name] = pd.DataFrame(columns=fields, dtype="str") if missing else read_table(path, fields, notes)
    return tables


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


def write_csv_atomically(path: Path, frame: pd.DataFrame) -> None:
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
    return {name: data_dir / resource(descriptor, name)["path"] for name in TABLES}


def _holder() -> str:
    command = " ".join(Path(sys.argv[0]).name if i == 0 else a for i, a in enumerate(sys.argv)) or "python"
    started = datetime.now(UTC).isoformat(timespec="seconds")
    return f"pid {os.getpid()} on host {socket.gethostname()}, command '{command}', started {started}"


def _read_holder(fd: int) -> str:
    data = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
    return data or "a process that is just starting (it has not written its name yet)"


def _acquire(path: Path, timeout: float) -> int:
    """Open and flock the lock file; wait up to ``timeout`` seconds, then refuse naming the holder."""
    deadline = time.monotonic() + timeout
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            if time.monotonic() >= deadline:
                raise DataError(
                    path.parent, f"another run is writing to this data folder: {holder}.",
                    "wait until it has finished and run again (or give it longer with --wait SECONDS). The "
                    "lock is released when that process ends, also when it is killed.",
                ) from None
            time.sleep(0.05)
            continue
        # The holder before us removes the file as it releases it: a lock on a removed file
        # guards nothing, so try again on the file that is there now.
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


@contextmanager
def locked(data_dir: Path, timeout: float = WAIT_SECONDS) -> Iterator[list[str]]:
    """Hold the data folder's write lock; finish or clean up what a killed writer left first.

    Parameters
    ----------
    data_dir : Path
        The data folder.
    timeout : float
        Seconds to wait for another writer before refusing with a message naming it.

    Yields
    ------
    list of str
        Notes on what an earlier, interrupted run left and what was done about it.

    Raises
    ------
    DataError
        If another process holds the lock for longer than ``timeout``.
    """
    folder = Path(data_dir).resolve()
    if folder in _held:
        yield []
        return
    path = folder / LOCK
    try:
        fd = _acquire(path, timeout)
    except OSError as exc:
        raise DataError(folder, f"the lock file cannot be created ({exc.strerror}).",
                        "check that the data folder exists and that you may write in it.") from None
    _held.add(folder)
    try:
        previous = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
        notes = []
        if previous:  # a holder that ends normally removes the file, so this one was killed
            notes.append(f"an earlier run ended without releasing the lock ({previous}); it was probably killed.")
        os.ftruncate(fd, 0)
        os.pwrite(fd, _holder().encode("utf-8"), 0)
        os.fsync(fd)
        yield notes + _recover(folder)
    finally:
        _held.discard(folder)
        path.unlink(missing_ok=True)
        os.close(fd)


def needs_recovery(data_dir: Path) -> bool:
    """True if a writer left a journal, staged files or its lock file in the folder."""
    folder = Path(data_dir)
    return (folder / LOCK).exists() or (folder / JOURNAL).exists() or any(folder.glob(_STAGED.format("*")))


def recover(data_dir: Path, timeout: float = WAIT_SECONDS) -> list[str]:
    """Finish or roll back what an interrupted writer left; return notes on what was done.

    Parameters
    ----------
    data_dir : Path
        The data folder.
    timeout : float
        Seconds to wait for a writer that is still running.

    Returns
    -------
    list of str
        One note per thing found (none if the folder was clean).
    """
    with locked(data_dir, timeout) as notes:
        return notes


def _recover(folder: Path) -> list[str]:
    """Under the lock: roll a committed write forward, remove the leftovers of an uncommitted one."""
    notes = []
    journal = folder / JOURNAL
    if journal.exists():
        files = json.loads(journal.read_text(encoding="utf-8"))["files"]
        moved = [f for f in files if (folder / _STAGED.format(f)).exists()]
        for file in moved:
            os.replace(folder / _STAGED.format(file), folder / file)
        _sync_dir(folder)
        journal.unlink()
        notes.append(f"finished a write that was interrupted after it had committed: moved in {', '.join(moved)} "
                     f"(of {', '.join(files)}).")
    leftovers = sorted(p.name for p in folder.glob(_STAGED.format("*")))
    leftovers += sorted(p.name for p in folder.parent.glob(f".check-{folder.name}-*"))
    for name in leftovers:
        target = (folder if name.endswith(".new") else folder.parent) / name
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    if leftovers:
        notes.append(f"removed the leftovers of a write that was interrupted before it committed (nothing had "
                     f"changed): {', '.join(leftovers)}.")
    return notes


def replace_tables(data_dir: Path, tables: dict[str, pd.DataFrame], timeout: float = WAIT_SECONDS) -> list[str]:
    """Validate new tables as a complete folder, then move them over the old files.

    Parameters
    ----------
    data_dir : Path
        The data folder to update.
    tables : dict of str to pandas.DataFrame
        Tables to write, all values strings (others are kept as they are).
    timeout : float
        Seconds to wait for another writer. A caller that computed ``tables`` from the folder
        should hold :func:`locked` since it read it, or another writer's rows can be lost.

    Returns
    -------
    list of str
        Names of the files that changed.

    Raises
    ------
    DataError
        If the folder with the new tables does not validate; nothing is changed then.
    """
    with locked(data_dir, timeout):
        paths, old = _paths(data_dir), read_raw(data_dir)
        columns = {name: list(frame.columns) for name, frame in old.items()}
        content = {}
        for name, frame in tables.items():
            before = paths[name].read_bytes() if paths[name].exists() else b""
            after = table_bytes(frame[columns[name]], old[name], before)
            if after != before:
                content[paths[name].name] = after
        _check_as_a_whole(data_dir, content)
        _swap_in(data_dir, content)
    return sorted(content)


def _check_as_a_whole(data_dir: Path, content: dict[str, bytes]) -> None:
    """Build and validate the whole new folder beside the real one before anything moves."""
    with tempfile.TemporaryDirectory(prefix=f".check-{data_dir.name}-", dir=data_dir.parent) as check:
        trial = Path(shutil.copytree(data_dir, Path(check) / data_dir.name,
                                     ignore=shutil.ignore_patterns(LOCK, JOURNAL, _STAGED.format("*"))))
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


def _sync_dir(folder: Path) -> None:
    """Flush a folder's entries (renames, new names) to disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _swap_in(data_dir: Path, content: dict[str, bytes]) -> None:
    """Stage every file, commit a journal naming them, move them in, remove the journal.

    One file needs no journal: its rename is atomic by itself.
    """
    staged = [(data_dir / _STAGED.format(file), data_dir / file) for file in content]
    try:
        for (temp, _), data in zip(staged, content.values(), strict=True):
            _write_synced(temp, data)
        if len(staged) > 1:
            _write_synced(data_dir / f"{JOURNAL}.new", json.dumps({"files": list(content)}).encode("utf-8"))
            os.replace(data_dir / f"{JOURNAL}.new", data_dir / JOURNAL)  # the commit point
            _sync_dir(data_dir)
        for temp, target in staged:
            os.replace(temp, target)
        _sync_dir(data_dir)
        (data_dir / JOURNAL).unlink(missing_ok=True)
    finally:
        if not (data_dir / JOURNAL).exists():  # not committed (or done): nothing staged may stay
            for temp, _ in staged:
                temp.unlink(missing_ok=True)
            (data_dir / f"{JOURNAL}.new").unlink(missing_ok=True)


__all__ = [
    "LOCK", "WAIT_SECONDS", "locked", "needs_recovery", "read_raw", "recover", "replace_tables", "table_bytes",
    "write_csv_atomically"
]
