"""One command that rebuilds every table and figure: run the notebooks, write a report.

Notebooks run through the papermill API in a process pool (starting papermill's command line
per notebook costs over a second of imports each). Output goes to a temporary folder beside
the target and is moved into place only when every notebook has succeeded, so a failed run
leaves the previous complete output untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from samendoen_analysis.paths import NOTEBOOKS_DIR, REFERENCE_DIR, resolve_data_dir
from samendoen_analysis.run.report import write_report

CACHE_ENV = "SAMENDOEN_CORPUS_CACHE"  # the same as samendoen_analysis.data.corpus.CACHE_ENV (not imported: pandas)
PACKAGES = ("samendoen-analysis", "pandas", "numpy", "matplotlib", "seaborn", "pandera", "papermill", "nbconvert",
            "scikit-learn", "krippendorff")


class NotebookFailed(RuntimeError):  # noqa: N818 - public name, kept
    """A notebook raised an error; the message names the notebook, the cell and the error."""


@dataclass(frozen=True)
class RunResult:
    """What a reproduce run produced."""

    out_dir: Path
    notebooks: list[str]
    differences: list[str]


def notebook_paths(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered analysis notebooks in reading order."""
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


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
    return 0.0, float(notebook.read_text("utf-8").count("ctx.figure("))


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
    meanwhile=None,
) -> None:
    from tqdm import tqdm

    (work / "notebooks").mkdir(parents=True)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_quiet_worker) as pool:
        futures = [pool.submit(_execute, nb, work / "notebooks" / nb.name, parameters)
                   for nb in _longest_first(notebooks, previous)]
        if meanwhile is not None:
            meanwhile()  # runs here while the workers start their kernels (after the workers are forked)
        with tqdm(total=len(futures), desc="notebooks", unit="nb", disable=not progress) as bar:
            for future in as_completed(futures):
                future.result()
                bar.update()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_manifest(work: Path, data_dir: Path, parameters: dict, notebooks: list[Path]) -> Path:
    """Write ``manifest.json``: input hashes, parameters, notebooks and package versions."""
    inputs = {p.name: _sha256(p) for p in sorted(data_dir.glob("*")) if p.suffix in (".csv", ".json")}
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    manifest = {"inputs": inputs, "parameters": parameters, "notebooks": [nb.name for nb in notebooks],
                "packages": versions}
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


def _cache_corpus(data_dir: str | None, path: Path) -> None:
    """Load and validate the data folder once for the notebooks; on any error leave no cache."""
    from samendoen_analysis.data.corpus import load_corpus, write_cache

    try:
        write_cache(path, load_corpus(data_dir or None))
    except Exception:  # the notebooks then load the data themselves and report the error
        pass


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

    Returns
    -------
    RunResult
        Output folder, notebooks run and differences from the reference (empty if none).

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
    out = Path(out_dir).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    params = {**(parameters or {}), "out_dir": str(work)}
    cache = work / ".corpus.pickle"
    cache_before = os.environ.get(CACHE_ENV)
    try:
        os.environ[CACHE_ENV] = str(cache)
        # The data are validated once, here, while the kernels start; they load it from the cache.
        _run_all(notebooks, work, params, jobs or os.cpu_count() or 1, progress, out / "notebooks",
                 meanwhile=lambda: _cache_corpus(params.get("data_dir"), cache))
        cache.unlink(missing_ok=True)
        shown = {k: v for k, v in params.items() if k != "out_dir"}
        write_manifest(work, resolve_data_dir(shown.get("data_dir")), shown, notebooks)
        write_report(work)
        differences = compare_tables(work / "tables") if check else []
        _swap_into_place(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        if cache_before is None:
            os.environ.pop(CACHE_ENV, None)
        else:
            os.environ[CACHE_ENV] = cache_before
    return RunResult(out, [nb.name for nb in notebooks], differences)


__all__ = ["NotebookFailed", "RunResult", "compare_tables", "notebook_paths", "refresh_notebooks", "reproduce"]
