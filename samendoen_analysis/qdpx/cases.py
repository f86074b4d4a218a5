"""Respondents of an imported round, from whatever the QDA program exports.

Case names are free text in every QDA program ("Leraar A", "Interview 3 – jongerenwerker"),
while the data package needs ids of letters, digits, '.', '_' and '-'. Ids are made from the
names by transliteration (``sárga`` becomes ``sarga``, not ``s_rga``), the original name is kept
in ``case_name``, and a person seen in an earlier round keeps their ``person_id``. A
``--respondents`` CSV may stand in for Cases; its rows may name a source by its name, the file
name of its text or document, or its GUID.
"""

from __future__ import annotations

import csv
import difflib
import re
from pathlib import Path

import pandas as pd
from anyascii import anyascii

from samendoen_analysis.data.csvio import read_table
from samendoen_analysis.errors import DataError
from samendoen_analysis.qdpx.read import Project, norm_guid

# Columns of a --respondents CSV: `source` names the source; the others are respondent (and
# school) columns. Only these must be there; any other column of respondents.csv may be.
MAP_REQUIRED = ("source", "school_id", "role_group", "role_nl")
DEFAULTS = {"interviewer": "not_reported", "mode": "not_reported"}
_NOT_ID = re.compile(r"[^A-Za-z0-9]")


def make_id(name: str, fallback: str = "case") -> str:
    """A valid id from free text: transliterated to ASCII, other characters as '-'.

    Parameters
    ----------
    name : str
        A Case, source, code or user name as the QDA program has it.
    fallback : str
        Used when nothing of the name is left.

    Returns
    -------
    str
        Letters, digits, '.', '_' and '-', starting with a letter or digit.

    Examples
    --------
    >>> make_id("Interview 3 – jongerenwerker")
    'Interview-3-jongerenwerker'
    >>> make_id("sárga"), make_id("Ørsted/Straße"), make_id("?!")
    ('sarga', 'Orsted-Strasse', 'case')
    """
    ascii_name = anyascii(name or "")
    # A lone '.' or '_' stays; any other run of characters an id cannot hold becomes one '-'.
    joined = _NOT_ID.sub(lambda m: m[0] if m[0] in "._" else "-", re.sub(r"[^A-Za-z0-9]{2,}", "-", ascii_name))
    return joined.strip("-_.") or fallback


def unique_ids(names: list[str], taken: set[str], fallback: str = "case") -> list[str]:
    """Ids for several names, distinct from each other and from ``taken`` (suffix -2, -3, ...)."""
    out, used = [], set(taken)
    for name in names:
        base = make_id(name, fallback)
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        used.add(candidate)
        out.append(candidate)
    return out


def _names(project: Project, guid: str) -> list[str]:
    """Every name by which a source may be known: its name, its files, its GUID."""
    return [project.sources[guid], *project.files.get(guid, ()), guid]


def read_respondents_csv(path: Path, project: Project, columns: list[str]) -> dict[str, tuple[int, dict[str, str]]]:
    """Rows of a user's --respondents CSV by source GUID; a row that matches no source is an error.

    Parameters
    ----------
    path : Path
        The user's CSV.
    project : Project
        The read export.
    columns : list of str
        Columns of respondents.csv and schools.csv the CSV may also have.

    Returns
    -------
    dict of str to (int, dict)
        Source GUID to the row's line and its non-empty values.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
    except OSError as exc:
        raise DataError(path, f"the respondents file cannot be read ({exc}).", "check the path.") from None
    allowed = ["source", "respondent_id", *columns]
    missing = [c for c in MAP_REQUIRED if c not in header]
    extra = [c for c in header if c not in allowed]
    if missing or extra:
        raise DataError(
            path,
            "the header does not fit a respondents file."
            + (f" Missing column(s): {', '.join(missing)}." if missing else "")
            + (f" Unknown column(s): {', '.join(extra)}." if extra else ""),
            f"use the columns {', '.join(MAP_REQUIRED)} and optionally "
            f"{', '.join(c for c in allowed if c not in MAP_REQUIRED)}.",
            line=1,
            column=(missing or extra)[0],
        )
    table = read_table(path, header, [])
    lookup: dict[str, str] = {}
    for guid in project.sources:
        for name in _names(project, guid):
            lookup.setdefault(name.strip().lower(), guid)
    rows = {}
    for line, row in enumerate(table.to_dict("records"), start=2):
        key = row["source"].strip()
        guid = lookup.get(norm_guid(key)) or lookup.get(key.lower())
        if guid is None:
            known = [project.sources[g] for g in project.sources]
            close = difflib.get_close_matches(key, known, n=3, cutoff=0.5) or known[:5]
            raise DataError(
                path,
                f"the source '{key}' is not in the export; did you mean {', '.join(repr(c) for c in close)}?",
                "write the source's name as your QDA program shows it, the file name of its text, or its GUID.",
                line=line,
                column="source",
            )
        rows[guid] = (line, {k: v for k, v in row.items() if k != "source" and v.strip()})
    return rows


def _case_rows(project: Project) -> dict[str, dict[str, str]]:
    """Attributes per source from Cases (and their Variables), including Cases linked by a coding."""
    by_source: dict[str, dict[str, str]] = {}

    def attrs(case) -> dict[str, str]:
        return {"case_name": case.name, **{k: v for k, v in case.variables.items() if k}}

    for case in project.cases.values():
        for source in case.sources:
            by_source[source] = attrs(case)
    # Some programs link a case to an interview by coding a selection with the case itself.
    for sel in project.selections:
        for target, _ in sel.codings:
            if target in project.cases:
                by_source[sel.source] = attrs(project.cases[target])
    return by_source


def respondents(
    file: Path,
    project: Project,
    mapping: Path | None,
    sources: list[str],
    old: pd.DataFrame,
    round_id: str,
    columns: list[str],
    fields: dict[str, dict] | None = None,
) -> dict[str, dict[str, str]]:
    """One respondent row (respondent and school columns) per interview of the round.

    Parameters
    ----------
    file : Path
        The export, for messages.
    project : Project
        The read export.
    mapping : Path, optional
        The user's --respondents CSV.
    sources : list of str
        GUIDs of the sources that hold the round's segments.
    old : pandas.DataFrame
        respondents.csv as stored (for returning people and ids already taken).
    round_id : str
        The round being imported.
    columns : list of str
        Respondent and school columns of the data package.
    fields : dict of str to dict, optional
        Their constraints from the descriptor: a value that breaks one is reported where the
        user wrote it (their CSV and line, or the Case), not in a table of the data folder.

    Returns
    -------
    dict of str to dict
        Source GUID to a row of strings: ``respondent_id``, ``person_id``, ``case_name`` and the
        other columns (missing optional ones empty).
    """
    by_source = _case_rows(project)
    where = {g: (file, None, f"Case '{row['case_name']}' Variable") for g, row in by_source.items()}
    if mapping is not None:
        for guid, (line, row) in read_respondents_csv(mapping, project, columns).items():
            by_source[guid] = {**by_source.get(guid, {}), **row}
            where[guid] = (mapping, line, "")
    for guid, row in by_source.items():
        _check_values(row, where[guid], fields or {})
    missing = [project.sources[g] for g in sources if not all(by_source.get(g, {}).get(a) for a in MAP_REQUIRED[1:])]
    if missing:
        raise DataError(
            file,
            f"no respondent attributes (school_id, role_group, role_nl) for source(s): {', '.join(missing)}.",
            "give each interview a Case with those Variables in your QDA program, or pass --respondents "
            f"with the columns {', '.join(MAP_REQUIRED)} (optionally respondent_id, person_id, role_en, "
            "interviewer, mode), one row per source, keyed by source name, file name or GUID.",
        )
    # Interviews without a coded selection still count: a silent respondent is in the group's size.
    wanted = set(sources)
    chosen = [g for g in project.sources
              if g in wanted or all(by_source.get(g, {}).get(a) for a in MAP_REQUIRED[1:])]
    others = old[old["round"] != round_id]
    # An empty Variable leaves a default in place; other empty values (case_name) are kept as they are.
    rows = {g: {**DEFAULTS, **{k: v for k, v in by_source[g].items() if v or k not in DEFAULTS}} for g in chosen}
    _assign_ids(project, rows, others, round_id)
    return {g: {c: rows[g].get(c, "") for c in columns} | {"round": round_id} for g in chosen}


def _check_values(row: dict[str, str], where: tuple, fields: dict[str, dict]) -> None:
    """Refuse a value outside its field's allowed values or id pattern, where the user wrote it."""
    file, line, prefix = where
    for column, value in row.items():
        constraints = fields.get(column, {})
        allowed = constraints.get("enum")
        pattern = constraints.get("pattern")
        if allowed and value not in allowed:
            problem = f"'{value}' is not a valid {column}; valid values: {', '.join(allowed)}."
        elif pattern and value and not re.fullmatch(pattern, value):
            problem = f"'{value}' is not a valid {column} (letters, digits, '.', '_' or '-')."
        else:
            continue
        raise DataError(file, problem, "correct it in your QDA program and export again, or in the CSV."
                        if line is None else "correct it in this file.", line=line,
                        column=f"{prefix} {column}".strip())


def _assign_ids(project: Project, rows: dict[str, dict[str, str]], others: pd.DataFrame, round_id: str) -> None:
    """respondent_id, person_id and case_name for every row, in place.

    A row that gives a ``respondent_id`` keeps it. Otherwise the id is made from the Case name
    (or the source name); when that id is taken by an earlier round, the person is taken to be
    interviewed again (same name in the QDA program, same person) and gets a new id with the
    round appended. ``person_id``: as given, else that of the earlier round's respondent with the
    same Case name or id, else the new respondent id.
    """
    taken = set(others["respondent_id"])
    by_case = {n: p for n, p in zip(others["case_name"], others["person_id"], strict=True) if n}
    persons = dict(zip(others["respondent_id"], others["person_id"], strict=True))
    fresh = [g for g in rows if not rows[g].get("respondent_id")]
    names = [rows[g].get("case_name") or project.sources[g] for g in fresh]
    bases = [make_id(n) for n in names]
    given = {rows[g]["respondent_id"] for g in rows if rows[g].get("respondent_id")}
    ids = unique_ids([b if b not in taken else f"{b}-{round_id}" for b in bases], given)
    for guid, name, base, rid in zip(fresh, names, bases, ids, strict=True):
        rows[guid]["respondent_id"] = rid
        rows[guid].setdefault("case_name", name)
        returning = by_case.get(name) or persons.get(base)
        rows[guid].setdefault("person_id", returning or rid)
    for row in rows.values():
        row.setdefault("person_id", persons.get(row["respondent_id"]) or row["respondent_id"])
        row["role_en"] = row.get("role_en") or row.get("role_nl", "")


__all__ = ["make_id", "read_respondents_csv", "respondents", "unique_ids"]
