"""Table checks derived from ``datapackage.json``, so the descriptor is the one schema.

The Frictionless descriptor documents every field for readers and other tools; this module
turns its types and constraints into pandera checks, which run vectorised on large rounds,
and turns pandera's failure report into one located :class:`DataError`.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow.compute as pc
from pandera.errors import SchemaErrors

from samendoen_analysis.data.columnar import all_distinct, arrow_strings, blank, isin, to_numpy_bool
from samendoen_analysis.data.re2 import spelled_out, to_re2
from samendoen_analysis.errors import DataError
from samendoen_analysis.vocabulary import check_option

_TYPE_PATTERNS = {"integer": r"-?\d+", "number": r"-?\d+(?:\.\d+)?", "boolean": r"true|false"}
_FIXES = {
    "required": "fill in a value.",
    "pattern": "use letters, digits, '.', '_' or '-' only, as the field description says.",
    "enum": "use one of the allowed values.",
    "integer": "write a whole number.",
    "number": "write a number with '.' as decimal point.",
    "boolean": "write true or false.",
    "minimum": "use a larger value.",
}


@cache
def load_descriptor(path: Path) -> dict:
    """Read a data package descriptor.

    Parameters
    ----------
    path : Path
        Path of ``datapackage.json``.

    Returns
    -------
    dict
        The parsed descriptor.
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(path, f"the descriptor cannot be read ({exc}).", "restore it from the repository.") from None


def resource(descriptor: dict, name: str) -> dict:
    """Return the resource called ``name`` from a descriptor."""
    names = [r["name"] for r in descriptor["resources"]]
    return descriptor["resources"][names.index(check_option("table", name, names))]


def field_names(res: dict) -> list[str]:
    """Return the field names of a resource, in order."""
    return [f["name"] for f in res["schema"]["fields"]]


def _strings(s: pd.Series) -> np.ndarray | None:
    """The values as an object array when the column has the string dtype, else None.

    The checks below call a C function per value through ``map`` (or one regex over all values
    joined) instead of pandas' string methods, which wrap each value in a Python lambda and build
    a missing-value mask per call: on a million rows that was most of the validation time. The
    results are the same booleans; a missing value raises TypeError and the pandas way runs.
    """
    return s.to_numpy(dtype=object) if isinstance(s.dtype, pd.StringDtype) else None


def _mask(values, s: pd.Series) -> pd.Series:
    return pd.Series(np.fromiter(values, dtype=bool, count=len(s)), index=s.index, name=s.name)


def _arrow_mask(values, s: pd.Series) -> pd.Series:
    return pd.Series(to_numpy_bool(values), index=s.index, name=s.name)


def _required(s: pd.Series) -> pd.Series:
    empty = blank(s, spelled_out(r"\s"))  # str.strip() removes exactly the characters Python's \s matches
    if empty is not None:
        return pd.Series(~empty, index=s.index, name=s.name)
    values = _strings(s)
    if values is not None:
        try:
            return _mask(map(bool, map(str.strip, values)), s)
        except TypeError:
            pass
    return s.str.strip() != ""


# Patterns made only of unnegated character classes without escapes, \d, \w or \., letters,
# digits, '#', '-' and quantifiers can never match a NUL character, so all values match in
# full exactly when the values joined by NUL are a run of full matches, each after a NUL.
_NUL_FREE_PATTERN = re.compile(r"(?:\[[^\]\\^][^\]\\]*\]|\\[dw.]|[A-Za-z0-9#-]|[?*+]|\{\d+(?:,\d*)?\}|\(\?:|\)|\|)+")


def _all_match(compiled: re.Pattern, values: np.ndarray) -> bool:
    """True if every value matches in full (a fast proof; False means: check one by one)."""
    if not _NUL_FREE_PATTERN.fullmatch(compiled.pattern):
        return False
    joined = "\0" + "\0".join(values) + "\0"
    if joined.count("\0") != len(values) + 1:
        return False
    every = re.compile(f"\\0(?:{compiled.pattern})(?=\\0)")
    return every.subn("", joined)[1] == len(values)


def _matches(pattern: str, required: bool):
    compiled = re.compile(pattern)

    # In this pattern language RE2 decides as Python does once \d and \w list Python's characters.
    re2 = "^(?:" + to_re2(pattern, (r"\d", r"\w")) + ")$" if _NUL_FREE_PATTERN.fullmatch(pattern) else None

    def check(s: pd.Series) -> pd.Series:
        column = arrow_strings(s)
        if column is not None and re2 is not None:
            matched = _arrow_mask(pc.match_substring_regex(column, re2), s)
            return matched if required else matched | (s == "")
        values = _strings(s)
        if values is not None:
            try:
                if _all_match(compiled, values):
                    return pd.Series(True, index=s.index, name=s.name)
                matched = _mask(map(bool, map(compiled.fullmatch, values)), s)
                return matched if required else matched | (s == "")
            except TypeError:
                pass
        return s.str.fullmatch(pattern) | (~required & (s == ""))

    return check


def _field_checks(field: dict) -> list[pa.Check]:
    cons = field.get("constraints", {})
    required = bool(cons.get("required"))
    checks = []
    if required:
        checks.append(pa.Check(_required, name="required", error="required|is empty"))
    if field["type"] in _TYPE_PATTERNS:
        checks.append(pa.Check(_matches(_TYPE_PATTERNS[field["type"]], required),
                               name=field["type"], error=f"{field['type']}|is not a valid {field['type']}"))
    if "pattern" in cons:
        checks.append(pa.Check(_matches(cons["pattern"], required), name="pattern",
                               error=f"pattern|does not have the form {cons['pattern']}"))
    if "enum" in cons:
        allowed = list(cons["enum"]) + ([] if required else [""])
        checks.append(pa.Check(lambda s: pd.Series(isin(s, allowed), index=s.index, name=s.name), name="enum",
                               error=f"enum|is not one of: {', '.join(cons['enum'])}"))
    if "minimum" in cons:
        low = cons["minimum"]
        checks.append(pa.Check(lambda s: ~(pd.to_numeric(s, errors="coerce") < low),
                               name="minimum", error=f"minimum|is below the minimum {low}"))
    return checks


@cache
def _schema(descriptor_path: Path, name: str, keys: bool = True) -> pa.DataFrameSchema:
    """The table's pandera schema; ``keys=False`` leaves out the uniqueness checks (proven elsewhere)."""
    res = resource(load_descriptor(descriptor_path), name)
    columns = {
        f["name"]: pa.Column(str, checks=_field_checks(f),
                             unique=keys and bool(f.get("constraints", {}).get("unique")))
        for f in res["schema"]["fields"]
    }
    key = res["schema"].get("primaryKey", [])
    return pa.DataFrameSchema(columns, unique=key if keys and len(key) > 1 else None, name=name)


def _keys_distinct(frame: pd.DataFrame, res: dict) -> bool:
    """True if Arrow proves every unique column and the primary key free of duplicates.

    pandera's own uniqueness checks hash every value through pandas, the largest part of
    validating a big table; when this proof holds they would find nothing, so the schema
    without them gives the same result, and otherwise the full schema runs.
    """
    unique = [[f["name"]] for f in res["schema"]["fields"] if f.get("constraints", {}).get("unique")]
    key = res["schema"].get("primaryKey", [])
    groups = unique + ([key] if len(key) > 1 else [])
    if any(not set(group) <= set(frame.columns) for group in groups):
        return False  # pandera reports the missing column, with its uniqueness checks in place
    return all(all_distinct([frame[c] for c in group]) for group in groups)


def _describe(cases: pd.DataFrame, key: list[str]) -> tuple[int | None, str | None, str, str]:
    """Turn pandera's failure cases into (row index, column, problem, fix) for the first row."""
    cases = cases.sort_values("index", kind="stable", na_position="last")
    first = cases.iloc[0]
    index = None if pd.isna(first["index"]) else int(first["index"])
    column = None if pd.isna(first["column"]) else str(first["column"])
    check, value = str(first["check"]), first["failure_case"]
    if "|" in check:
        kind, message = check.split("|", 1)
        return index, column, f"the value '{value}' {message}.", _FIXES[kind]
    lines = sorted({int(i) + 2 for i in cases["index"].dropna()})[:5]
    where = f" (lines {', '.join(map(str, lines))})"
    if "multiple_fields_uniqueness" in check:
        return (index, key[0], f"the key ({', '.join(key)}) occurs more than once{where}.",
                "remove or merge the duplicate rows.")
    return index, column, f"the id '{value}' occurs more than once{where}.", "give every row its own id."


def validate_table(frame: pd.DataFrame, name: str, descriptor_path: Path, file: Path) -> None:
    """Check one table against its resource schema; raise one located error on failure.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as strings, as :func:`samendoen_analysis.data.csvio.read_table` returns it.
    name : str
        Resource name in the descriptor.
    descriptor_path : Path
        Path of ``datapackage.json``.
    file : Path
        The CSV file, for the message.

    Raises
    ------
    DataError
        Naming the first failing row and column, the problem and the fix.
    """
    res = resource(load_descriptor(descriptor_path), name)
    schema = _schema(descriptor_path, name, keys=not _keys_distinct(frame, res))
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        key = resource(load_descriptor(descriptor_path), name)["schema"].get("primaryKey", [])
        index, column, problem, fix = _describe(exc.failure_cases, key)
        others = exc.failure_cases["index"].nunique() - 1
        if others > 0:
            problem += f" {others} other row(s) of this file have problems too."
        line = None if index is None else index + 2
        raise DataError(file, problem, fix, line=line, column=column) from None


__all__ = ["field_names", "load_descriptor", "resource", "validate_table"]
