"""Matching an export's codes to the codebook, or keeping the program's own code tree.

A code matches by its name (a ``code_id`` or a Dutch or English label of ``codebook.csv``) or
through a map file (``qdpx_code,code_id``). Codes that match nothing stop the import with a map
file written for the user, pre-filled with the closest codebook label where one is close; with
``--keep-new-codes`` they are added instead, keeping their nesting: a top-level code that holds
codes becomes a new lens and the codes below it its sub-themes; a code on its own becomes a tag.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pandas as pd

from samendoen_analysis.data.csvio import read_table
from samendoen_analysis.data.integrity import CODABLE_KINDS
from samendoen_analysis.data.store import table_bytes
from samendoen_analysis.errors import DataError
from samendoen_analysis.qdpx.cases import make_id
from samendoen_analysis.qdpx.read import Project, norm_guid

MAP_COLUMNS = ["qdpx_code", "code_id"]
_GUID = re.compile(r"\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?")
_GREY = "#999999"


def given_codes(mapping: Path, codebook: pd.DataFrame) -> dict[str, str]:
    """The rows of a map file that name a code; each must be a codable code of the codebook.

    Parameters
    ----------
    mapping : Path
        The user's CSV (``qdpx_code,code_id``); an empty ``code_id`` leaves that code unmapped.
    codebook : pandas.DataFrame
        codebook.csv as stored.

    Returns
    -------
    dict of str to str
        Code name, or normalised GUID, to ``code_id``.
    """
    table = read_table(mapping, MAP_COLUMNS, [])
    kinds = dict(zip(codebook["code_id"], codebook["kind"], strict=True))
    for line, (name, code) in enumerate(table.itertuples(index=False), start=2):
        if code and kinds.get(code) not in CODABLE_KINDS:
            problem = (
                f"the code '{name}' is mapped to '{code}', which is a lens: lenses sum their sub-themes and "
                "cannot be coded."
                if code in kinds
                else f"the code '{name}' is mapped to '{code}', which is not in codebook.csv."
            )
            raise DataError(mapping, problem, "map it to a sub-theme or tag of codebook.csv.", line=line,
                            column="code_id")
    # A row may name the code or give its GUID, in any of the spellings exports use.
    return {norm_guid(k) if _GUID.fullmatch(k.strip()) else k.strip(): v for k, v in table.itertuples(index=False) if v}


def _labels(codebook: pd.DataFrame) -> dict[str, str]:
    codable = codebook[codebook["kind"].isin(CODABLE_KINDS)]
    lookup = {}
    for column in ("label_en", "label_nl", "code_id"):
        lookup.update(dict(zip(codable[column], codable["code_id"], strict=True)))
    return lookup


def _suggest(name: str, codebook: pd.DataFrame) -> str:
    """The codable code whose label or id is closest to a name, if any is close."""
    lookup = {k.lower(): v for k, v in _labels(codebook).items()}
    close = difflib.get_close_matches(name.lower(), list(lookup), n=1, cutoff=0.6)
    return lookup[close[0]] if close else ""


def _map_path(file: Path) -> Path:
    """A new file beside the export, never over an existing one (it may hold the user's edits)."""
    candidate, n = file.with_name(f"{file.stem}-codes.csv"), 1
    while candidate.exists():
        n += 1
        candidate = file.with_name(f"{file.stem}-codes-{n}.csv")
    return candidate


def _write_map(file: Path, project: Project, unmapped: list[str], codebook: pd.DataFrame) -> Path:
    names = [project.codes[g].name for g in unmapped]
    # A name used by two codes of the export cannot key the map: such rows give the GUID.
    rows = [
        [name if names.count(name) == 1 else g, _suggest(name, codebook)]
        for g, name in zip(unmapped, names, strict=True)
    ]
    path = _map_path(file)
    path.write_bytes(table_bytes(pd.DataFrame(rows, columns=MAP_COLUMNS)))
    return path


def used_codes(project: Project, selections: list) -> list[str]:
    """GUIDs of the export's codes applied in the given selections, in codebook order."""
    used = {t for s in selections for t, _ in s.codings if t in project.codes}
    return [g for g in project.codes if g in used]


def code_map(
    file: Path, project: Project, selections: list, codebook: pd.DataFrame, mapping: Path | None, keep_new: bool
) -> tuple[dict[str, str], pd.DataFrame]:
    """Map every used code to a codebook id; unmatched ones stop the import, or become new codes.

    Parameters
    ----------
    file : Path
        The export (the map file for unmatched codes is written beside it).
    project : Project
        The read export.
    selections : list of CodedSelection
        The selections being imported.
    codebook : pandas.DataFrame
        codebook.csv as stored.
    mapping : Path, optional
        The user's map file.
    keep_new : bool
        Add unmatched codes (and their nesting) to the codebook.

    Returns
    -------
    tuple of (dict, pandas.DataFrame)
        Code GUID to ``code_id``, and the codebook rows to add.
    """
    given = given_codes(mapping, codebook) if mapping is not None else {}
    lookup = _labels(codebook)
    result, unmapped = {}, []
    for guid in used_codes(project, selections):
        name = project.codes[guid].name
        code = given.get(guid) or given.get(name) or given.get(name.strip()) or lookup.get(name.strip())
        (unmapped.append(guid) if code is None else result.__setitem__(guid, code))
    if unmapped and not keep_new:
        written = _write_map(file, project, unmapped, codebook)
        suggested = sum(1 for row in pd.read_csv(written, dtype=str, keep_default_na=False)["code_id"] if row)
        raise DataError(
            file,
            f"{len(unmapped)} code(s) of the export match no code of the codebook; they are listed in "
            f"{written}, {suggested} of them with the closest codebook code filled in.",
            f"check and complete the code_id column of {written.name} (a sub-theme or tag of codebook.csv) and "
            f"pass it with --codes {written}; or rename the codes to codebook labels in your QDA program; "
            "or keep them as new codes with --keep-new-codes.",
        )
    new_rows = _new_codes(project, unmapped, codebook)
    result.update({g: row["code_id"] for g, row in new_rows.items() if row["kind"] != "lens"})
    return result, pd.DataFrame(list(new_rows.values()))


def _top(project: Project, guid: str) -> str:
    while project.codes[guid].parent in project.codes:
        guid = project.codes[guid].parent
    return guid


def _path(project: Project, guid: str, top: str) -> str:
    """A code's name with the names between it and its top-level code ("parent / child")."""
    names = []
    while guid != top:
        names.append(project.codes[guid].name)
        guid = project.codes[guid].parent
    return " / ".join(reversed(names))


def _row(project: Project, guid: str, code_id: str, kind: str, parent: str, label: str) -> dict[str, str]:
    code = project.codes[guid]
    colour = code.colour if code.colour and re.fullmatch(r"#[0-9A-Fa-f]{6}", code.colour) else _GREY
    return {
        "code_id": code_id,
        "parent_id": parent,
        "kind": kind,
        "label_nl": label,
        "label_en": label,
        "definition_nl": code.description or "(geïmporteerd)",
        "definition_en": code.description or "(imported)",
        "colour": colour,
    }


def _new_codes(project: Project, unmapped: list[str], codebook: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Codebook rows for unmatched codes, keyed by code GUID (a lens under its own top GUID + ':lens').

    A top-level code named like a lens of the codebook is that lens: its new codes become its sub-themes.
    """
    rows: dict[str, dict[str, str]] = {}
    used = set(codebook["code_id"])
    lenses = codebook[codebook["kind"] == "lens"]
    existing = {}
    for column in ("label_en", "label_nl", "code_id"):
        existing.update(dict(zip(lenses[column].str.strip().str.lower(), lenses["code_id"], strict=True)))

    def new_id(text: str) -> str:
        base, n = f"new.{make_id(text, 'code')}", 1
        candidate = base
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        used.add(candidate)
        return candidate

    for guid in unmapped:
        top = _top(project, guid)
        has_children = any(c.parent == top for c in project.codes.values())
        if not has_children:
            rows[guid] = _row(project, guid, new_id(project.codes[guid].name), "tag", "", project.codes[guid].name)
            continue
        lens_key = f"{top}:lens"
        lens = existing.get(project.codes[top].name.strip().lower())
        if lens is None and lens_key not in rows:
            rows[lens_key] = _row(project, top, new_id(project.codes[top].name), "lens", "", project.codes[top].name)
        lens = lens or rows[lens_key]["code_id"]
        # A code applied to the top-level code itself becomes a sub-theme of the same name, since a
        # lens only sums its sub-themes; deeper codes hang directly under the lens, named by path.
        label = _path(project, guid, top) or project.codes[top].name
        code_id = new_id(f"{lens.removeprefix('new.')}.{make_id(label, 'code')}")
        rows[guid] = _row(project, guid, code_id, "subtheme", lens, label)
    return rows


__all__ = ["MAP_COLUMNS", "code_map", "given_codes", "used_codes"]
