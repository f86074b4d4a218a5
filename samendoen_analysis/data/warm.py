"""The warm cache: a validated corpus kept on disk, found again by the SHA-256 of every input.

Reading and validating a large folder takes seconds; mapping the same typed tables back into
memory from Arrow IPC files takes a fraction of that. An entry is found by one key over

* the SHA-256 of every file in the data folder (a file over ``CHUNK_BYTES``: of its chunks'
  SHA-256 digests, hashed on all cores) and of the deny-list, when one is given,
* a fingerprint of the code that reads and validates: the SHA-256 of every ``.py``, ``.csv``
  and ``.json`` file of this package, of the shipped ``data/datapackage.json`` that
  :mod:`samendoen_analysis.vocabulary` takes its names from, and the versions of Python,
  pandas, numpy, pyarrow and pandera.

A changed byte anywhere finds no entry, so the folder is validated again and any error is raised
exactly as on a first load: the cache never serves a stale corpus. The folder's path is not part
of the key (notes name files, not folders, and ``Corpus.data_dir`` is set by the caller), so a
copy of a folder finds the entry of the original. Hashing the whole package,
not a hand-kept list of the modules validation imports, is our choice: a list would go stale the
day a check moves to a new module, and a change elsewhere costs only one cold load.

Entries live outside the data folder, in the user's cache folder (``platformdirs``) or in
``$SAMENDOEN_CACHE_DIR``. An entry is written into a temporary folder and renamed into place in
one step, so two processes can fill and read the cache at once and a reader only ever sees
whole entries; an entry that cannot be read is discarded and the folder validated again; a
cache folder that cannot be written is skipped. The most recently used entries are kept.
This is also how the notebook kernels of ``samendoen reproduce`` get the corpus that the run
validated while they started.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib import metadata
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.ipc

from samendoen_analysis.vocabulary import DESCRIPTOR_PATH

CACHE_DIR_ENV = "SAMENDOEN_CACHE_DIR"
KEEP_ENTRIES = 8
LEFTOVER_SECONDS = 3600
CHUNK_BYTES = 32 * 1024 * 1024
PACKAGE_DIR = Path(__file__).resolve().parent.parent
CODE_SUFFIXES = (".py", ".csv", ".json")
VERSIONED = ("pandas", "numpy", "pyarrow", "pandera")
_FORMAT = 1  # raise when the layout of an entry changes


def cache_dir() -> Path:
    """Where entries are kept: ``$SAMENDOEN_CACHE_DIR``, else the user's cache folder."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("samendoen-analysis", appauthor=False)) / "corpus"


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _chunk_sha256(job: tuple[Path, int]) -> bytes:
    path, offset = job
    with path.open("rb") as fh:
        fh.seek(offset)
        return hashlib.sha256(fh.read(CHUNK_BYTES)).digest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def data_fingerprint(folder: Path) -> dict[str, str]:
    """A SHA-256 digest of every file in a data folder and its subfolders, by relative path.

    A file of at most ``CHUNK_BYTES`` gets its plain SHA-256; a larger one the SHA-256 of the
    SHA-256 digests of its consecutive chunks, so one large ``segments.csv`` is hashed on all
    cores (hashlib releases the GIL) and a changed byte still changes its digest.

    Parameters
    ----------
    folder : Path
        The data folder.

    Returns
    -------
    dict
        Relative path (POSIX) to hex digest; empty when the folder does not exist.
    """
    files = _files(folder) if folder.is_dir() else []
    jobs = [(path, offset) for path in files for offset in range(0, max(path.stat().st_size, 1), CHUNK_BYTES)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        chunks = list(pool.map(_chunk_sha256, jobs))
    by_file: dict[Path, list[bytes]] = {path: [] for path in files}
    for (path, _), digest in zip(jobs, chunks, strict=True):
        by_file[path].append(digest)
    return {path.relative_to(folder).as_posix(): digests[0].hex() if len(digests) == 1
            else hashlib.sha256(b"".join(digests)).hexdigest() for path, digests in by_file.items()}


def code_fingerprint() -> str:
    """SHA-256 over the package's source and data files, the shipped descriptor and the versions."""
    return _code_fingerprint(PACKAGE_DIR)


@cache  # per process: the code a process runs does not change while it runs
def _code_fingerprint(package: Path) -> str:
    versions = {name: metadata.version(name) for name in VERSIONED}
    digest = hashlib.sha256(json.dumps({"format": _FORMAT, "python": sys.version, **versions}).encode())
    sources = [p for p in _files(package) if p.suffix in CODE_SUFFIXES] + [DESCRIPTOR_PATH]
    for path in sources:
        name = path.relative_to(package).as_posix() if path.is_relative_to(package) else path.name
        digest.update(name.encode() + b"\0" + file_sha256(path).encode())
    return digest.hexdigest()


def key(folder: Path, deny_list: Path | None = None) -> str:
    """The key of a folder's entry (see the module docstring).

    Parameters
    ----------
    folder : Path
        The data folder.
    deny_list : Path, optional
        The deny-list the folder is checked against; an existing file.

    Returns
    -------
    str
        Hex digest.
    """
    payload = {"code": code_fingerprint(), "files": data_fingerprint(folder),
               "deny_list": file_sha256(deny_list) if deny_list else None}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def stamp(folder: Path) -> list[tuple[str, int, int, int]]:
    """Path, size, modification time and inode of every file, compared before and after a cold load.

    A file replaced or written while it was read and hashed would otherwise store what was
    read under the hash of something else.
    """
    if not folder.is_dir():
        return []
    return [(p.as_posix(), st.st_size, st.st_mtime_ns, st.st_ino) for p in _files(folder) if (st := p.stat())]


def load(entry_key: str) -> tuple[dict[str, pd.DataFrame], tuple[str, ...]] | None:
    """The tables and notes stored under a key, or None (no entry, or a damaged one, now discarded)."""
    entry = cache_dir() / entry_key
    if not entry.is_dir():
        return None
    try:
        meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
        tables = {name: _read_table(entry / f"{name}.arrow", meta["tables"][name]) for name in meta["tables"]}
        notes = tuple(meta["notes"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, pa.ArrowException):
        # A file removed or cut short (a full disk, a hand edit): validate again and store anew.
        # (An entry another process discarded meanwhile is simply gone: _discard finds nothing.)
        _discard(entry)
        return None
    try:
        os.utime(entry)  # most recently used: kept longest
    except OSError:
        pass
    return tables, notes


def _read_table(path: Path, described: dict) -> pd.DataFrame:
    # Not closed here: the string columns keep pointing into the mapped file (no copy), and
    # Arrow unmaps it when the last of them is gone.
    frame = pyarrow.ipc.open_file(pa.memory_map(str(path))).read_all().to_pandas()
    for column, (categories, ordered, name) in described["categories"].items():
        # Arrow keeps neither the categories' name nor, for an empty column, the categories.
        dtype = pd.CategoricalDtype(pd.Index(categories, name=name), ordered=ordered)
        frame[column] = pd.Categorical.from_codes(frame[column].cat.codes, dtype=dtype)
    if _dtypes(frame) != described["dtypes"]:
        raise ValueError(f"{path.name}: the stored types differ from the validated ones")
    return frame


def _dtypes(frame: pd.DataFrame) -> list[str]:
    """Every column's type, categories included, as text: what a warm load must give back exactly."""
    described = []
    for column, dtype in frame.dtypes.items():
        text = repr(dtype)
        if isinstance(dtype, pd.CategoricalDtype):
            text += f" name={dtype.categories.name!r} {list(dtype.categories)}"
        described.append(f"{column}: {text}")
    return described + [f"index: {frame.index!r}"[:200], f"columns: {frame.columns.dtype!r}"]


def store(entry_key: str, tables: dict[str, pd.DataFrame], notes: tuple[str, ...]) -> None:
    """Keep validated tables under a key; a cache that cannot be written is skipped, not an error."""
    root = cache_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    except OSError:
        return
    try:
        described = {name: _write_table(work / f"{name}.arrow", frame) for name, frame in tables.items()}
        (work / "meta.json").write_text(json.dumps({"tables": described, "notes": list(notes)}), encoding="utf-8")
        os.rename(work, root / entry_key)  # atomic; refused when another process stored the same key first
    except (OSError, pa.ArrowException):
        pass
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _prune(root)


def _write_table(path: Path, frame: pd.DataFrame) -> dict:
    table = pa.Table.from_pandas(frame, preserve_index=None)
    with pa.OSFile(str(path), "wb") as sink, pyarrow.ipc.new_file(sink, table.schema) as out:
        out.write_table(table)
    categories = {column: (list(dtype.categories), dtype.ordered, dtype.categories.name)
                  for column, dtype in frame.dtypes.items() if isinstance(dtype, pd.CategoricalDtype)}
    return {"categories": categories, "dtypes": _dtypes(frame)}


def _prune(root: Path) -> None:
    entries = []
    for entry in root.iterdir():
        try:
            modified = entry.stat().st_mtime
            if not entry.name.startswith("."):
                entries.append((modified, entry))
            elif time.time() - modified > LEFTOVER_SECONDS:  # left by a process that was killed while writing
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:  # removed meanwhile by another process
            continue
    for _, old in sorted(entries, reverse=True)[KEEP_ENTRIES:]:
        _discard(old)


def _discard(entry: Path) -> None:
    # Renamed away first, so a reader finds the whole entry or none.
    gone = entry.with_name(f".old-{entry.name}-{os.getpid()}")
    try:
        os.rename(entry, gone)
    except OSError:
        return
    shutil.rmtree(gone, ignore_errors=True)


__all__ = ["cache_dir", "code_fingerprint", "data_fingerprint", "file_sha256", "key", "load", "stamp", "store"]
