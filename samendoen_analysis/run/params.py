"""Checking notebook parameters before any work, with the valid values in the message.

Papermill passes ``-p schools S3`` as the string "S3", so list parameters accept a list, a
single value or a comma-separated string. Papermill only warns about a name a notebook does not
declare and then runs with the default, and a bad value surfaces 15 s later as an error in some
cell; :func:`check_run_parameters` therefore checks names and values before any kernel starts.
"""

from __future__ import annotations

import ast
import csv
import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from samendoen_analysis.errors import ParameterError
from samendoen_analysis.vocabulary import (
    LANGUAGES,
    MEASURES,
    NORMALISATIONS,
    check_option,
    check_role_groups,
)

if TYPE_CHECKING:  # pandas is imported only where a value needs it: a misspelled name is refused at once
    from samendoen_analysis.data.corpus import Corpus


def as_list(value: str | Iterable[str] | None) -> list[str]:
    """Turn a parameter value into a list of strings.

    Examples
    --------
    >>> as_list("S1, S3")
    ['S1', 'S3']
    >>> as_list(None)
    []
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


def check_choices(name: str, values: str | Iterable[str] | None, valid: Iterable[str]) -> list[str]:
    """Return the values as a list if each is in ``valid``, else raise a ParameterError."""
    return [check_option(name, v, valid) for v in as_list(values)]


@dataclass(frozen=True)
class Selection:
    """Validated common parameters of the notebooks."""

    rounds: list[str]
    schools: list[str]
    role_groups: list[str]
    measure: str
    normalisation: str
    lang: str


def check_parameters(
    corpus: Corpus,
    rounds: str | Iterable[str] | None = None,
    schools: str | Iterable[str] | None = None,
    role_groups: str | Iterable[str] | None = None,
    measure: str = "words",
    normalisation: str = "none",
    lang: str = "nl",
) -> Selection:
    """Validate the common notebook parameters against the corpus.

    Parameters
    ----------
    corpus : Corpus
        The loaded corpus, which says which rounds and schools exist.
    rounds, schools, role_groups : str or list of str, optional
        Selections; empty means all.
    measure, normalisation, lang : str
        See :mod:`samendoen_analysis.analysis.measures` and :mod:`samendoen_analysis.present.labels`.

    Returns
    -------
    Selection
        The parameters as lists and checked strings.

    Raises
    ------
    ParameterError
        Naming the parameter, the bad value and the valid values.
    """

    return Selection(
        rounds=check_choices("round", rounds, corpus.rounds),
        schools=check_choices("school", schools, corpus.schools["school_id"]),
        role_groups=check_role_groups(as_list(role_groups)),
        measure=check_option("measure", measure, MEASURES),
        normalisation=check_option("normalisation", normalisation, NORMALISATIONS),
        lang=check_option("language", lang, LANGUAGES),
    )


@dataclass(frozen=True)
class NotebookParameter:
    """One name of a notebook's ``parameters`` cell: its default and the comment that documents it."""

    name: str
    default: object
    comment: str


COMMON = (
    NotebookParameter("data_dir", "",
                      "data folder; empty for the shipped data/ (relative paths start at the project root)"),
    NotebookParameter("rounds", "", "interview rounds, comma-separated such as R1,R2; empty for all rounds"),
    NotebookParameter("schools", "", "schools, comma-separated such as S1,S3; empty for all schools"),
    NotebookParameter("compare", "teacher,external_partner", "the two role groups compared, comma-separated"),
    NotebookParameter("measure", MEASURES[0], " | ".join(MEASURES)),
    NotebookParameter("normalisation", NORMALISATIONS[0], " | ".join(NORMALISATIONS)),
    NotebookParameter("lang", LANGUAGES[0], "language of table and figure labels: " + " | ".join(LANGUAGES)),
    NotebookParameter("out_dir", "", "folder for tables/ and figures/; empty for output/ in the working directory "
                      "(in JupyterLab: beside the notebook)"),
)
"""The parameters every analysis notebook and lesson declares: the one source of their ``parameters`` cell."""


def parameters_cell() -> str:
    """The common part of every notebook's ``parameters`` cell, written from :data:`COMMON`.

    A notebook may declare parameters of its own after these lines; ``samendoen sync-notebooks``
    rewrites the common part in every notebook, and a test checks that they agree.
    """
    lines = ["# Parameters (papermill: -p NAME VALUE). An empty text means all, or the default."]
    lines += [f"{p.name}: str = {json.dumps(p.default)}  # {p.comment}" for p in COMMON]
    return "\n".join(lines)


def sync_parameters_cells(notebooks: Iterable[Path]) -> list[Path]:
    """Rewrite the common part of each notebook's ``parameters`` cell; return the notebooks changed."""
    import nbformat

    changed = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if "parameters" in cell.metadata.get("tags", []):
                own = cell.source.splitlines()[len(COMMON) + 1:]  # the notebook's own parameters
                source = "\n".join([parameters_cell(), *own])
                if source != cell.source:
                    cell.source = source
                    nbformat.write(nb, path)
                    changed.append(path)
    return changed


def notebook_parameters(notebook: str | Path) -> dict[str, NotebookParameter]:
    """The parameters a notebook declares in its cell tagged ``parameters``, in order.

    Read from the notebook's JSON without starting a kernel or importing papermill.

    Parameters
    ----------
    notebook : str or Path
        An ``.ipynb`` file.

    Returns
    -------
    dict of str to NotebookParameter
        Empty when the notebook has no parameters cell.
    """
    cells = json.loads(Path(notebook).read_text("utf-8"))["cells"]
    source = next(("".join(c["source"]) for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])), "")
    lines = source.splitlines()
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            if isinstance(target, ast.Name) and node.value is not None:
                line = lines[node.lineno - 1]
                comment = line.split("#", 1)[1].strip() if "#" in line else ""
                found[target.id] = NotebookParameter(target.id, ast.literal_eval(node.value), comment)
    return found


FIXED_CHOICES = ("measure", "normalisation", "lang")


def _fixed_choices() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Parameters with a fixed set of values: name -> (what it is, valid values)."""

    return {"measure": ("measure", MEASURES), "normalisation": ("normalisation", NORMALISATIONS),
            "lang": ("language", LANGUAGES)}


def _unknown_name(name: str, known: Iterable[str]) -> ParameterError:
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return ParameterError(f"unknown parameter '{name}'{hint}; valid values: {', '.join(known)}")


def _named(name: str, check, *args) -> object:
    """Run a check; a ParameterError it raises names the parameter (not a notebook cell)."""
    try:
        return check(*args)
    except ParameterError as exc:
        raise ParameterError(f"parameter {name}: {exc}") from None


def _compare(value: str, valid: Iterable[str]) -> list[str]:
    groups = check_choices("role group", value, valid)
    if len(groups) != 2:
        raise ParameterError(f"compare needs exactly two role groups, got {as_list(value)}")
    return groups


def _column(path: Path, name: str) -> list[str]:
    """The distinct values of one column of a data CSV, in file order (read without pandas: fast)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(dict.fromkeys(row[name] for row in csv.DictReader(fh) if row.get(name)))


def _check_data_values(parameters: dict[str, str]) -> None:
    """Check the values that depend on the data (rounds, schools, compare) against the data folder.

    Only the id columns are read; a data folder that does not validate is reported by the
    notebooks' own loading, with file, row and column.
    """
    from samendoen_analysis.paths import resolve_data_dir

    folder = resolve_data_dir(parameters.get("data_dir"))
    try:
        rounds = _column(folder / "respondents.csv", "round")
        schools = _column(folder / "schools.csv", "school_id")
        groups = sorted(_column(folder / "respondents.csv", "role_group"))
    except (OSError, csv.Error, UnicodeDecodeError):
        return
    _named("rounds", check_choices, "round", parameters.get("rounds"), rounds)
    _named("schools", check_choices, "school", parameters.get("schools"), schools)
    if "compare" in parameters:
        _named("compare", _compare, parameters["compare"], groups)


def check_run_parameters(parameters: dict[str, str], notebooks: Iterable[str | Path]) -> dict[str, str]:
    """Check parameter names and values for a run of notebooks, before any kernel starts.

    Parameters
    ----------
    parameters : dict
        Name to value, as given on the command line (``-p NAME VALUE``).
    notebooks : iterable of str or Path
        The notebooks of the run; a name is known when at least one of them declares it.

    Returns
    -------
    dict
        The parameters, unchanged.

    Raises
    ------
    ParameterError
        Naming the parameter: an unknown name (with the closest known one) or a value that is not
        valid (with the valid values).
    """
    known: dict[str, NotebookParameter] = {}
    for notebook in notebooks:
        known.update(notebook_parameters(notebook))
    for name in parameters:
        if name not in known:
            raise _unknown_name(name, known)
    if parameters.keys() & FIXED_CHOICES:
        for name, (what, valid) in _fixed_choices().items():
            if name in parameters:
                _named(name, check_option, what, str(parameters[name]), valid)
    if parameters.get("data_dir"):
        from samendoen_analysis.paths import resolve_data_dir

        if not resolve_data_dir(parameters["data_dir"]).is_dir():
            raise ParameterError(f"parameter data_dir: no such folder '{parameters['data_dir']}'")
    if any(parameters.get(name) for name in ("rounds", "schools", "compare")):
        _check_data_values(parameters)
    return parameters


def parameter_help(notebooks: Iterable[str | Path], skip: Iterable[str] = ()) -> str:
    """Plain-text list of the notebooks' parameters with defaults and valid values, for ``--help``.

    Parameters
    ----------
    notebooks : iterable of str or Path
        The notebooks whose parameters cells are read.
    skip : iterable of str
        Parameters not to list (``reproduce`` sets ``out_dir`` from ``--out``).

    Returns
    -------
    str
        One line per parameter.
    """
    known: dict[str, NotebookParameter] = {}
    for notebook in notebooks:
        known.update(notebook_parameters(notebook))
    known = {name: param for name, param in known.items() if name not in set(skip)}
    fixed = _fixed_choices()
    width = max((len(n) for n in known), default=0)
    lines = []
    for name, param in known.items():
        what = f"valid values: {', '.join(fixed[name][1])}" if name in fixed else param.comment
        lines.append(f"  {name:<{width}}  (default {param.default!r}) {what}")
    return "\n".join(lines)


__all__ = ["COMMON", "NotebookParameter", "ParameterError", "Selection", "as_list", "check_choices",
           "check_parameters", "check_run_parameters", "notebook_parameters", "parameter_help", "parameters_cell",
           "sync_parameters_cells"]
