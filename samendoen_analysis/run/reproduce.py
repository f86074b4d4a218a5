"""One command that rebuilds every table and figure: run the notebooks, write a report.

Notebooks run through the papermill API in a process pool (starting papermill's command line
per notebook costs over a second of imports each). Output goes to a temporary folder beside
the target and is moved into place only when every notebook has succeeded, so a failed run
leaves the previous complete output untouched.

A run is incremental: a notebook whose inputs are all unchanged since the previous run into the
same folder is not run again, and its executed notebook, tables and figures are taken over from
that run. Its inputs are its own bytes, the parameters, the SHA-256 of every data file, of every
file under ``examples/`` (notebooks import example rounds from there) and of every file a
parameter names, the SHA-256 of every file of this package, and the versions of Python and of
the packages the manifest lists. The previous output is the cache, as in make or snakemake;
``force=True`` runs everything. A run that re-uses every notebook imports neither pandas nor
papermill: it hashes, links files and writes the manifest.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from samendoen_analysis.paths import DATA_DIR, NOTEBOOKS_DIR, PROJECT_ROOT, REFERENCE_DIR, resolve_data_dir
from samendoen_analysis.run.outputs import notebook_paths, written_by
from samendoen_analysis.run.report import write_report

PACKAGES = ("samendoen-analysis", "pandas", "numpy", "pyarrow", "matplotlib", "seaborn", "pandera", "papermill",
            "nbconvert", "scikit-learn", "krippendorff")
PACKAGE_DIR = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = PROJECT_ROOT / "examples"
RESULT_KINDS = {"table": "tables", "figure": "figures"}


class NotebookFailed(RuntimeError):  # noqa: N818 - public name, kept
    """A notebook raised an error; the message names the notebook, the cell and the error."""


@dataclass(frozen=True)
class RunResult:
    """What a reproduce run produced."""

    out_dir: Path
    notebooks: list[str]
    differences: list[str]
    reused: tuple[str, ...] = ()


def _execute(notebook: Path, output: Path, parameters: dict) -> str:
    import papermill

    try:
        papermill.execute_notebook(
            str(notebook), str(output), parameters=parameters, kernel_name="python3",
            cwd=str(notebook.parent), progress_bar=False,
        )
    except papermill.PapermillExecutionError as exc:
        first_line = (exc.source or "").strip().splitlines()[:1]
        raise NotebookFailed(
            f"{notebook.name}, cell {exc.cell_index} of the executed notebook "
            f"(`{first_line[0] if first_line else ''}`): {exc.ename}: {exc.evalue}"
        ) from None
    return notebook.name


def _expected_cost(notebook: Path, previous: Path | None) -> tuple[float, float]:
    """How long a notebook is expected to run: last run's duration, else how many figures it saves."""
    if previous is not None:
        try:
            metadata = json.loads((previous / notebook.name).read_text("utf-8"))["metadata"]
            return 1.0, float(metadata["papermill"]["duration"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return 0.0, float(sum(kind == "figure" for kind, _ in written_by(notebook)))


def _longest_first(notebooks: list[Path], previous: Path | None = None) -> list[Path]:
    """Notebooks in the order to start them: longest first.

    With more notebooks than workers, starting them in reading order could leave the slowest
    notebook for last, running alone on one core while the other core idles; starting the
    longest first (durations of the previous run, or the number of figures) shortens the run.
    The order of starting changes no output.
    """
    return sorted(notebooks, key=lambda nb: _expected_cost(nb, previous), reverse=True)


def _quiet_worker() -> None:
    """Send a worker's stderr, which its kernels inherit, to the null device.

    Kernels print warnings on every start ("running over TCP without encryption") and sometimes
    on shutdown; they say nothing about the run. Errors still arrive: papermill raises them with
    the failing cell, and they reach the parent as exceptions.
    """
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)


def _run_all(
    notebooks: list[Path], work: Path, parameters: dict, jobs: int, progress: bool, previous: Path | None = None,
    meanwhile=None, reused: tuple[str, ...] = (),
) -> None:
    from tqdm import tqdm

    (work / "notebooks").mkdir(parents=True, exist_ok=True)
    to_run = [nb for nb in notebooks if nb.name not in reused]
    desc = f"notebooks ({len(reused)} re-used)" if reused else "notebooks"
    with tqdm(total=len(notebooks), desc=desc, unit="nb", disable=not progress) as bar:
        for name in reused:
            if progress:  # on the bar's stream, above the bar
                bar.write(f"{name}: re-used, its inputs are unchanged since the previous run", file=sys.stderr)
            bar.update()
        if not to_run:
            return
        with ProcessPoolExecutor(max_workers=min(jobs, len(to_run)), initializer=_quiet_worker) as pool:
            futures = [pool.submit(_execute, nb, work / "notebooks" / nb.name, parameters)
                       for nb in _longest_first(to_run, previous)]
            if meanwhile is not None:
                meanwhile()  # runs here while the workers start their kernels (after the workers are forked)
            for future in as_completed(futures):
                future.result()
                bar.update()


def _settle(executed: Path, work: Path, out: Path) -> None:
    """Give papermill's parameters cell a fixed id and the results folder's final path.

    papermill gives the cell it injects a random id, and the notebooks ran into a temporary
    folder that is renamed to ``out`` afterwards; without this, two runs of the same inputs
    would differ in those two places, and the executed notebook would name a folder that no
    longer exists.
    """
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"
            cell.source = cell.source.replace(str(work), str(out))
    nbformat.write(nb, executed)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _versions() -> dict[str, str | None]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def write_manifest(
    work: Path, data_dir: Path, parameters: dict, notebooks: list[Path], executions: dict | None = None,
) -> Path:
    """Write ``manifest.json``: input hashes, parameters, notebooks, package versions and executions.

    ``executions`` gives per notebook its input key, whether it was re-used and the files it
    wrote with their SHA-256 (what the next run needs to re-use it).
    """
    inputs = {p.name: _sha256(p) for p in sorted(data_dir.glob("*")) if p.suffix in (".csv", ".json")}
    manifest = {"inputs": inputs, "parameters": parameters, "notebooks": [nb.name for nb in notebooks],
                "packages": _versions(), "executions": executions or {}}
    path = work / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def compare_tables(produced: Path, reference: Path = REFERENCE_DIR) -> list[str]:
    """List differences between produced CSV tables and the committed reference tables."""
    differences = []
    for ref in sorted(reference.glob("*.csv")):
        new = produced / ref.name
        if not new.is_file():
            differences.append(f"{ref.name}: not produced")
        elif new.read_bytes() != ref.read_bytes():
            differences.append(f"{ref.name}: differs from reference/{ref.name}")
    return differences


VOLATILE_CELL_KEYS = ("papermill", "execution")


def strip_volatile(notebook: Path) -> None:
    """Remove run timings and papermill bookkeeping so a re-executed notebook diffs cleanly."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
    nbformat.write(nb, notebook)


def refresh_notebooks(jobs: int | None = None, progress: bool = True) -> list[Path]:
    """Re-execute the committed notebooks in place with default parameters, without volatile metadata.

    Each notebook is executed into a temporary file first, so a failure leaves it untouched.

    Parameters
    ----------
    jobs : int, optional
        Parallel notebooks; default the number of cores.
    progress : bool
        Show a progress bar.

    Returns
    -------
    list of Path
        The refreshed notebooks.
    """
    notebooks = notebook_paths() + sorted(NOTEBOOKS_DIR.glob("teaching/[0-9][0-9]_*.ipynb"))
    work = Path(tempfile.mkdtemp(prefix=".refresh-", dir=NOTEBOOKS_DIR))
    try:
        with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1, initializer=_quiet_worker) as pool:
            futures = {pool.submit(_execute, nb, work / f"{i:02d}.ipynb", {}): nb for i, nb in enumerate(notebooks)}
            from tqdm import tqdm

            for future in tqdm(as_completed(futures), total=len(futures), desc="notebooks", disable=not progress):
                future.result()
        for i, nb in enumerate(notebooks):
            strip_volatile(work / f"{i:02d}.ipynb")
            os.replace(work / f"{i:02d}.ipynb", nb)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return notebooks


def _warm_corpus(data_dir: str | None) -> None:
    """Validate the data folder once, filling the warm cache the notebook kernels load from."""
    from samendoen_analysis.data.corpus import load_corpus

    try:
        load_corpus(data_dir or None)
    except Exception:  # the notebooks then load the data themselves and report the error
        pass


def _files_sha256(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under a folder, by relative path (bytecode caches left out)."""
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): _sha256(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def _package_fingerprint() -> str:
    """SHA-256 over every file of the package (code, labels, templates) and the shipped descriptor.

    The vocabulary takes its names from ``data/datapackage.json`` whatever folder is analysed.
    """
    files = {**_files_sha256(PACKAGE_DIR), "data/datapackage.json": _sha256(DATA_DIR / "datapackage.json")}
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()


def _default_parameters(notebook: dict) -> dict:
    """The literal defaults of a notebook's ``parameters`` cell."""
    defaults = {}
    for cell in notebook["cells"]:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            for node in ast.parse("".join(cell["source"])).body:
                target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
                if isinstance(target, ast.Name) and isinstance(getattr(node, "value", None), ast.Constant):
                    defaults[target.id] = node.value.value
    return defaults


def _named_files(values) -> dict[str, dict[str, str]]:
    """SHA-256 of the files that parameter values name (a file, or every file of a folder)."""
    named = {}
    for value in values:
        if not isinstance(value, str) or not value.strip():
            continue
        path = Path(value).expanduser()
        path = path if path.is_absolute() else PROJECT_ROOT / path
        if path.is_file():
            named[value] = {path.name: _sha256(path)}
        elif path.is_dir():
            named[value] = _files_sha256(path)
    return named


def execution_key(notebook: Path, parameters: dict, common: dict) -> str:
    """SHA-256 of everything a notebook's results depend on (see the module docstring).

    Parameters
    ----------
    notebook : Path
        The notebook as committed.
    parameters : dict
        Parameters passed to it, without ``out_dir`` (where results go changes no result).
    common : dict
        What all notebooks of a run share: data, examples and package hashes, versions.

    Returns
    -------
    str
        Hex digest; equal keys mean the notebook would compute the same results.
    """
    raw = notebook.read_bytes()
    defaults = _default_parameters(json.loads(raw))
    shown = {k: v for k, v in parameters.items() if k != "out_dir"}
    payload = {"notebook": hashlib.sha256(raw).hexdigest(), "parameters": shown,
               "files": _named_files([*defaults.values(), *shown.values()]), **common}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _common_inputs(parameters: dict) -> dict:
    # hashlib here, not data.warm: a run that re-uses every notebook does not import pandas.
    return {"data": _files_sha256(resolve_data_dir(parameters.get("data_dir"))),
            "examples": _files_sha256(EXAMPLES_DIR), "package": _package_fingerprint(),
            "versions": _versions(), "python": sys.version}


def _result_files(work: Path, written: tuple[tuple[str, str], ...]) -> list[str]:
    """The files of a notebook's outputs (:func:`.outputs.written_by`) that its run wrote, in every format."""
    files = []
    for kind, name in written:
        folder = work / RESULT_KINDS[kind]
        files += [p.relative_to(work).as_posix() for p in sorted(folder.glob(f"{name}.*")) if p.is_file()]
    return files


def _previous_manifest(out: Path) -> dict:
    try:
        manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) and isinstance(manifest.get("executions"), dict) else {}


def _unchanged(out: Path, entry: dict, key: str) -> bool:
    """True if the previous execution had this key and left every file it wrote as it wrote it."""
    files = entry.get("files")
    if entry.get("key") != key or not isinstance(files, dict):
        return False
    try:
        return all(_sha256(out / relative) == digest for relative, digest in files.items())
    except OSError:  # a file removed by hand: run the notebook again
        return False


def _reusable(out: Path, keys: dict[str, str], previous: dict) -> tuple[str, ...]:
    """Notebooks whose previous execution into ``out`` had the same key and whose files are intact."""
    return tuple(name for name, key in keys.items() if _unchanged(out, previous.get(name) or {}, key))


def _take_over(out: Path, work: Path, names: tuple[str, ...], previous: dict) -> None:
    """Hard-link (else copy) the re-used notebooks' files from the previous output into the new one."""
    for name in names:
        for relative in previous[name]["files"]:
            target = work / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(out / relative, target)
            except OSError:  # another file system, or no hard links: copy
                shutil.copy2(out / relative, target)


def _executions(work: Path, keys: dict[str, str], reused: tuple[str, ...],
                written: dict[str, tuple[tuple[str, str], ...]]) -> dict:
    """Per notebook: its input key, whether it was re-used and the files it wrote, with their SHA-256.

    A file in ``tables/`` or ``figures/`` that no notebook declares cannot be traced to the
    notebook that wrote it; then no file list is recorded and the next run re-uses nothing.
    """
    files = {name: [f"notebooks/{name}", *_result_files(work, written[name])] for name in keys}
    claimed = {f for names in files.values() for f in names}
    produced = {p.relative_to(work).as_posix() for kind in RESULT_KINDS.values() if (work / kind).is_dir()
                for p in (work / kind).iterdir() if p.is_file()}
    traceable = produced <= claimed
    return {name: {"key": key, "reused": name in reused,
                   "files": {f: _sha256(work / f) for f in files[name]} if traceable else None}
            for name, key in keys.items()}


def _swap_into_place(work: Path, out_dir: Path) -> None:
    old = out_dir.with_name(f".{out_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        out_dir.rename(old)
    work.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)


def reproduce(
    out_dir: str | Path,
    parameters: dict | None = None,
    jobs: int | None = None,
    check: bool = False,
    notebooks: list[Path] | None = None,
    progress: bool = True,
    force: bool = False,
) -> RunResult:
    """Run every analysis notebook with papermill and collect tables, figures and a report.

    Parameters
    ----------
    out_dir : str or Path
        Destination; replaced as a whole only when the run succeeds.
    parameters : dict, optional
        Notebook parameters, passed to every notebook (``out_dir`` is set here).
    jobs : int, optional
        Parallel notebooks; default the number of cores.
    check : bool
        Compare the produced tables with ``reference/`` and list differences.
    notebooks : list of Path, optional
        Notebooks to run; default all numbered notebooks.
    progress : bool
        Show a progress bar.
    force : bool
        Run every notebook, also those whose inputs are unchanged since the previous run into ``out_dir``.

    Returns
    -------
    RunResult
        Output folder, notebooks, differences from the reference (empty if none) and the
        notebooks re-used from the previous run.

    Raises
    ------
    NotebookFailed
        When a notebook fails; the previous output is left as it was.
    ParameterError
        When a parameter name is unknown or a value is not valid; raised before any notebook starts.
    """
    from samendoen_analysis.run.params import check_run_parameters

    notebooks = notebooks or notebook_paths()
    check_run_parameters(dict(parameters or {}), notebooks)
    written = {nb.name: written_by(nb) for nb in notebooks}  # a name not written out fails here, before any kernel
    out = Path(out_dir).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    shown = {k: v for k, v in (parameters or {}).items() if k != "out_dir"}
    common = _common_inputs(shown)
    keys = {nb.name: execution_key(nb, shown, common) for nb in notebooks}
    before = _previous_manifest(out)
    previous = before.get("executions", {})
    reused = () if force else _reusable(out, keys, previous)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    params = {**shown, "out_dir": str(work)}
    try:
        _take_over(out, work, reused, previous)
        # The data are validated once, here, while the kernels start; they load it from the warm cache.
        _run_all(notebooks, work, params, jobs or os.cpu_count() or 1, progress, out / "notebooks",
                 meanwhile=lambda: _warm_corpus(params.get("data_dir")), reused=reused)
        for notebook in notebooks:
            if notebook.name not in reused:
                _settle(work / "notebooks" / notebook.name, work, out)
        write_manifest(work, resolve_data_dir(shown.get("data_dir")), shown, notebooks,
                       _executions(work, keys, reused, written))
        same_run = reused == tuple(keys) and before.get("notebooks") == list(keys)
        if same_run and (out / "report" / "index.html").is_file():
            # Rendered from these very notebooks, parameters and data hashes: nothing in it can differ.
            shutil.copytree(out / "report", work / "report", copy_function=_link_or_copy)
        else:
            write_report(work)
        differences = compare_tables(work / "tables") if check else []
        _swap_into_place(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return RunResult(out, [nb.name for nb in notebooks], differences, reused)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


__all__ = [
    "NotebookFailed", "RunResult", "compare_tables", "execution_key", "refresh_notebooks",
    "reproduce", "strip_volatile", "write_manifest",
]
