"""Importing a round coded in a QDA program into the data folder, safely.

A new round arrives as a REFI-QDA export. Its selections become segments, its codes are mapped
onto the codebook, its cases (or a mapping file) give each interview's respondent. The round is
appended only after the whole new folder has passed the same validation as the shipped data;
an existing round is never touched unless the caller asks to replace it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pandas as pd

from samendoen_analysis.data.csvio import read_table
from samendoen_analysis.data.integrity import CODABLE_KINDS
from samendoen_analysis.data.store import WAIT_SECONDS, locked, read_raw, replace_tables
from samendoen_analysis.errors import DataError
from samendoen_analysis.paths import resolve_data_dir
from samendoen_analysis.qdpx.read import Project, check_offsets, cut, detect_counting, norm_guid, read_qdpx

ATTRIBUTES = ("school_id", "role_group", "role_nl", "role_en", "interviewer", "mode")
MAP_COLUMNS = ["source", "respondent_id", *ATTRIBUTES]
DEFAULTS = {"role_en": "", "interviewer": "not_reported", "mode": "not_reported"}
_GUID = re.compile(r"\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?")


def _coder_id(name: str) -> str:
    """A user name as a coder id (letters, digits, '.', '_', '-'), as independent_codings.csv requires."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_.-") or "unknown"


def _coded(project: Project) -> list:
    return [s for s in project.selections if any(t in project.codes for t, _ in s.codings)]


def _respondents(file: Path, project: Project, mapping: Path | None) -> dict[str, dict[str, str]]:
    """Attributes per coded source: from Cases and Variables, else from the mapping file."""
    by_source: dict[str, dict[str, str]] = {}
    for case in project.cases.values():
        for source in case.sources:
            by_source[source] = {"respondent_id": case.name, **case.variables}
    # Some programs link a case to an interview by coding a selection with the case itself.
    for sel in project.selections:
        for target, _ in sel.codings:
            if target in project.cases:
                case = project.cases[target]
                by_source[sel.source] = {"respondent_id": case.name, **case.variables}
    if mapping is not None:
        table = read_table(Path(mapping), MAP_COLUMNS, [])
        names = {name: guid for guid, name in project.sources.items()}
        for row in table.to_dict("records"):
            if row["source"] in names:
                by_source[names[row["source"]]] = row
    coded = sorted({s.source for s in _coded(project)}, key=lambda g: project.sources[g])
    missing = [
        project.sources[g]
        for g in coded
        if g not in by_source
        or not all(by_source[g].get(a) for a in ("respondent_id", "school_id", "role_group", "role_nl"))
    ]
    if missing:
        raise DataError(
            file,
            f"no respondent attributes for source(s): {', '.join(missing)}.",
            "give each source a Case with Variables school_id, role_group, role_nl (and role_en, "
            f"interviewer, mode), or pass --respondents with columns {','.join(MAP_COLUMNS)}.",
        )
    # Interviews without a coded selection still count: a silent respondent is in the group's size.
    complete = [
        g
        for g, attrs in by_source.items()
        if g in project.sources and all(attrs.get(a) for a in ("respondent_id", "school_id", "role_group", "role_nl"))
    ]
    people = {g: {**DEFAULTS, **{k: v for k, v in by_source[g].items() if v}} for g in sorted({*coded, *complete})}
    return {g: {**p, "role_en": p["role_en"] or p["role_nl"]} for g, p in people.items()}


def _given_codes(mapping: Path, codebook: pd.DataFrame) -> dict[str, str]:
    """The mapping file's rows; each target must be a codable code of the codebook."""
    table = read_table(mapping, ["qdpx_code", "code_id"], [])
    kinds = dict(zip(codebook["code_id"], codebook["kind"], strict=True))
    for line, (name, code) in enumerate(table.itertuples(index=False), start=2):
        if kinds.get(code) not in CODABLE_KINDS:
            problem = (
                f"'{code}' is a lens, which is not codable." if code in kinds else f"'{code}' is not in codebook.csv."
            )
            raise DataError(
                mapping, f"the code '{name}' is mapped to {problem[:-1]}.",
                "map it to a sub-theme or tag of codebook.csv.", line=line, column="code_id",
            )
    # A row may name the code or give its GUID, in any of the spellings exports use.
    return {norm_guid(k) if _GUID.fullmatch(k.strip()) else k: v for k, v in table.itertuples(index=False)}


def _code_map(
    file: Path, project: Project, codebook: pd.DataFrame, mapping: Path | None, keep_new: bool
) -> tuple[dict[str, str], pd.DataFrame]:
    """Map every used code to a codebook id; unmapped ones fail together, or become new tags."""
    given = _given_codes(Path(mapping), codebook) if mapping is not None else {}
    lookup = {}
    for column in ("label_en", "label_nl", "code_id"):
        lookup.update(dict(zip(codebook[column], codebook["code_id"], strict=True)))
    used = sorted(
        {t for s in _coded(project) for t, _ in s.codings if t in project.codes}, key=lambda g: project.codes[g].name
    )
    result, unmapped = {}, []
    for guid in used:
        name = project.codes[guid].name
        code = given.get(name) or given.get(guid) or lookup.get(name) or lookup.get(name.strip())
        (unmapped.append(guid) if code is None else result.__setitem__(guid, code))
    if unmapped and not keep_new:
        raise DataError(
            file,
            f"{len(unmapped)} code(s) do not match the codebook: "
            f"{', '.join(sorted(project.codes[g].name for g in unmapped))}.",
            "map them with --codes (columns qdpx_code,code_id), rename them to a codebook label, "
            "or keep them as new codes with --keep-new-codes.",
        )
    new_rows = []
    for i, guid in enumerate(unmapped, start=1):
        code = project.codes[guid]
        code_id = "new." + (re.sub(r"[^a-z0-9]+", "_", code.name.lower()).strip("_") or "code") + f"_{i}"
        result[guid] = code_id
        colour = code.colour if code.colour and re.fullmatch(r"#[0-9A-Fa-f]{6}", code.colour) else "#999999"
        new_rows.append(
            {
                "code_id": code_id,
                "parent_id": "",
                "kind": "tag",
                "label_nl": code.name,
                "label_en": code.name,
                "definition_nl": code.description or "(geïmporteerd)",
                "definition_en": code.description or "(imported)",
                "colour": colour,
            }
        )
    return result, pd.DataFrame(new_rows)


def _spans(selections: list) -> list[list]:
    """Selections grouped by span, in text order.

    NVivo writes one selection per code, so a passage with three codes comes as three
    selections with the same positions; as three segments its words would count three times.
    """
    spans: dict[tuple[int, int], list] = defaultdict(list)
    for sel in sorted(selections, key=lambda s: (s.start, s.end)):
        spans[(sel.start, sel.end)].append(sel)
    return list(spans.values())


def _segments(project: Project, round_id: str, counting: str, people: dict, codes: dict) -> dict[str, list[dict]]:
    """Rows for segments, codings and independent codings, in source and position order."""
    rows: dict[str, list[dict]] = defaultdict(list)
    by_source = defaultdict(list)
    for sel in _coded(project):
        by_source[sel.source].append(sel)
    for index, source in enumerate(sorted(by_source, key=lambda g: project.sources[g]), start=1):
        for position, same in enumerate(_spans(by_source[source]), start=1):
            sel = same[0]
            segment_id = f"{round_id}-{index:03d}-{position:04d}"
            raw = cut(project.texts[source], sel.start, sel.end, counting) if source in project.texts else sel.name
            rows["segments"].append(
                {
                    "segment_id": segment_id,
                    "respondent_id": people[source]["respondent_id"],
                    "round": round_id,
                    "position": str(position),
                    "text": raw.replace("\r\n", "\n").strip(),
                    "origin": "imported",
                    "source_ref": f"{project.sources[source]}:{sel.start}-{sel.end}",
                }
            )
            by_user = defaultdict(set)
            for target, user in (c for s in same for c in s.codings):
                if target in codes:
                    by_user[_coder_id(project.users.get(user, user))].add(codes[target])
            for code in sorted(set().union(*by_user.values())):
                rows["codings"].append({"segment_id": segment_id, "code_id": code})
            if len(by_user) > 1:
                rows["independent_codings"] += [
                    {"segment_id": segment_id, "coder": user, "code_id": code}
                    for user, user_codes in sorted(by_user.items())
                    for code in sorted(user_codes)
                ]
    return rows


def _new_tables(
    raw: dict[str, pd.DataFrame], round_id: str, people: dict, new_codes: pd.DataFrame, rows: dict[str, list[dict]]
) -> dict[str, pd.DataFrame]:
    old_people = raw["respondents"]["round"] == round_id
    old_segments = raw["segments"]["round"] == round_id
    dropped = set(raw["segments"].loc[old_segments, "segment_id"])
    respondents = pd.DataFrame(
        [
            {
                "respondent_id": p["respondent_id"],
                "school_id": p["school_id"],
                "round": round_id,
                **{a: p[a] for a in ATTRIBUTES if a != "school_id"},
            }
            for p in {p["respondent_id"]: p for p in people.values()}.values()
        ]
    )
    schools = [
        {
            "school_id": s,
            "school_type": p.get("school_type", "niet vermeld"),
            "region": p.get("region", "niet vermeld"),
            "followup": "full",
        }
        for s, p in {p["school_id"]: p for p in people.values()}.items()
        if s not in set(raw["schools"]["school_id"])
    ]
    # A QDA user who coded on their own becomes a declared coder (independent_codings.coder
    # refers to coders.csv); who they are is for the researcher to fill in.
    coders = [
        {
            "coder_id": c,
            "kind": "independent",
            "description_nl": f"QDA-gebruiker '{c}' (geïmporteerd, ronde {round_id})",
            "description_en": f"QDA user '{c}' (imported, round {round_id})",
        }
        for c in sorted({r["coder"] for r in rows["independent_codings"]} - set(raw["coders"]["coder_id"]))
    ]
    codebook = raw["codebook"]
    if not new_codes.empty:
        start = pd.to_numeric(codebook["order"]).max() + 1
        codebook = pd.concat([codebook, new_codes.assign(order=[str(start + i) for i in range(len(new_codes))])])

    def keep(name: str) -> pd.DataFrame:
        return raw[name][~raw[name]["segment_id"].isin(dropped)]

    def table(name: str, frame: pd.DataFrame, extra: list[dict]) -> pd.DataFrame:
        return pd.concat([frame, pd.DataFrame(extra, columns=raw[name].columns)], ignore_index=True)[raw[name].columns]

    return {
        "schools": table("schools", raw["schools"], schools),
        "respondents": table("respondents", raw["respondents"][~old_people], respondents.to_dict("records")),
        "coders": table("coders", raw["coders"], coders),
        "codebook": codebook[raw["codebook"].columns],
        "segments": table("segments", raw["segments"][~old_segments], rows["segments"]),
        "codings": table("codings", keep("codings"), rows["codings"]),
        "independent_codings": table("independent_codings", keep("independent_codings"), rows["independent_codings"]),
    }


def _check_round(file: Path, raw: dict[str, pd.DataFrame], round_id: str, people: dict, replace: bool) -> None:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", round_id):
        raise DataError(file, f"'{round_id}' is not a valid round id.", "use letters, digits, '.', '_' or '-'.")
    if round_id in set(raw["respondents"]["round"]) and not replace:
        raise DataError(
            file,
            f"round '{round_id}' already exists in the data folder.",
            "choose a new round id, or pass --replace to replace that round.",
        )
    others = raw["respondents"][raw["respondents"]["round"] != round_id]
    clash = sorted({p["respondent_id"] for p in people.values()} & set(others["respondent_id"]))
    if clash:
        raise DataError(
            file,
            f"respondent id(s) {', '.join(clash)} already belong to another round.",
            "give the new round's respondents their own ids (Case names or --respondents).",
        )


def import_qdpx(
    file: str | Path,
    round_id: str,
    data_dir: str | Path | None = None,
    respondents: str | Path | None = None,
    codes: str | Path | None = None,
    replace: bool = False,
    keep_new_codes: bool = False,
    text_from_selection_names: bool = False,
    wait: float = WAIT_SECONDS,
) -> str:
    """Append the coded selections of a REFI-QDA project to a data folder as a new round.

    Parameters
    ----------
    file : str or Path
        The ``.qdpx`` export.
    round_id : str
        Id of the new round, e.g. ``"R2"``.
    data_dir : str or Path, optional
        Data folder; default the shipped ``data/``.
    respondents : str or Path, optional
        CSV (source,respondent_id,school_id,role_group,role_nl,role_en,interviewer,mode) for
        sources without a Case.
    codes : str or Path, optional
        CSV (qdpx_code,code_id) mapping code names or GUIDs to codebook ids.
    replace : bool
        Replace an existing round with this id (other rounds are never touched).
    keep_new_codes : bool
        Add codes that match nothing to the codebook as tags instead of refusing them.
    text_from_selection_names : bool
        Take a selection's text from its name when its source file is missing.
    wait : float
        Seconds to wait while another run writes to the folder before refusing.

    Returns
    -------
    str
        A short report: counts, the position counting detected, skipped sources.

    Raises
    ------
    DataError
        On any problem; the data folder is then exactly as before.
    """
    file, folder = Path(file), resolve_data_dir(data_dir)
    project = read_qdpx(file, names_for_missing=text_from_selection_names)
    counting, by_points, by_units = detect_counting(project)
    check_offsets(file, project, counting)
    # The folder is locked from reading it to writing it: another import in between would
    # otherwise be overwritten with tables computed from what it read before.
    with locked(folder, wait) as recovered:
        raw = read_raw(folder)
        people = _respondents(file, project, Path(respondents) if respondents else None)
        _check_round(file, raw, round_id, people, replace)
        code_map, new_codes = _code_map(file, project, raw["codebook"], Path(codes) if codes else None, keep_new_codes)
        rows = _segments(project, round_id, counting, people, code_map)
        changed = replace_tables(folder, _new_tables(raw, round_id, people, new_codes, rows))
    memos = len(project.selections) - len(_coded(project))
    merged = len(_coded(project)) - len(rows["segments"])
    from_names = sum(s.source not in project.texts for s in _coded(project))
    return "\n".join(
        [
            *(f"note: {note}" for note in recovered),
            f"imported {file.name} as round {round_id} into {folder}",
            f"respondents: {len({p['respondent_id'] for p in people.values()})}, segments: {len(rows['segments'])}, "
            f"codings: {len(rows['codings'])}, independent codings: {len(rows['independent_codings'])}",
            f"positions counted as {counting.replace('_', ' ')} (selections on word boundaries: "
            f"code points {by_points:.0%}, UTF-16 units {by_units:.0%})",
            f"new codes added: {len(new_codes)}; uncoded selections (memos) skipped: {memos}; "
            f"selections with the same span merged into one segment: {merged}; "
            f"non-text sources skipped: {project.skipped_sources}; "
            f"codings pointing at neither a code nor a case ignored: {project.unknown_targets}",
            *(
                [
                    f"WARNING: {from_names} selection text(s) taken from the selection's name, because the "
                    "source's text file is missing from the export; check them against the transcripts."
                ]
                if from_names
                else []
            ),
            f"files changed: {', '.join(changed)}",
        ]
    )
