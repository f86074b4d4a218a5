"""Importing a REFI-QDA project (``.qdpx``) as a new interview round, or back as the same round.

A round coded in QualCoder, ATLAS.ti, NVivo or MAXQDA arrives as rows of segments, codings,
independent codings and coder spans, appended to a data folder only when the whole folder
still validates. What REFI-QDA has no field for travels in the fields it has (see
:mod:`samendoen_analysis.qdpx.exporter`): a selection's Description carries its segment's
columns, Case Variables carry the respondent's, and Users are the coders. An export of this
project therefore imports back byte for byte; an export of any other project gets ids made
from its names. Each coded selection is a segment; selections with the same span are one
segment, since NVivo writes one selection per code. Codings of the consensus User are the
consensus (``codings.csv``); those of other Users are independent codings where their
selection coincides with a segment, and every User's coded selection is kept in
``coder_spans.csv``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from samendoen_analysis.data.anonymisation import DESCRIPTIONS, MARKERS
from samendoen_analysis.data.schema import field_names, load_descriptor, resource
from samendoen_analysis.data.store import WAIT_SECONDS, locked, read_raw, replace_tables, write_csv_atomically
from samendoen_analysis.errors import DataError
from samendoen_analysis.paths import resolve_data_dir
from samendoen_analysis.qdpx import cases
from samendoen_analysis.qdpx.codes import code_map
from samendoen_analysis.qdpx.read import CodedSelection, Project, code_points, codes_by_user, export_hint, read_coded
from samendoen_analysis.qdpx.redact import REPORT_COLUMNS, Hit, clean, find_hits, move

MARK = "samendoen-analysis "  # start of a selection Description written by the exporter
SEPARATOR = "\n\n"
NO_CONSENSUS = "none"
_ROUND = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# Where each program puts its REFI-QDA export, and what must be in it.
@dataclass
class _Group:
    """One segment: the selections of one span, in one source."""

    source: str
    start: int
    end: int
    selections: list[CodedSelection]
    columns: dict[str, str] = field(default_factory=dict)  # carried by this project's own export


@dataclass
class _Built:
    rows: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    hits: list[Hit] = field(default_factory=list)
    from_names: int = 0
    empty: int = 0
    outside: int = 0
    merged: int = 0


def _marker(sel: CodedSelection) -> dict:
    if not sel.description or not sel.description.startswith(MARK):
        return {}
    try:
        value = json.loads(sel.description[len(MARK):])
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _coders(file: Path, project: Project, consensus: str | None, known: pd.DataFrame) -> tuple[str | None, dict]:
    """The consensus User's GUID (None: every User coded independently) and each User's coder id."""
    used = list(dict.fromkeys(u for s in project.selections for t, u in s.codings if t in project.codes))
    names = {u: project.users.get(u) or ("unknown-user" if not u else u) for u in used}
    ids = dict(zip(used, cases.unique_ids(list(names.values()), set(), "coder"), strict=True))
    kinds = dict(zip(known["coder_id"], known["kind"], strict=True)) if "kind" in known else {}
    listed = ", ".join(f"'{n}'" for n in names.values())
    if consensus is None:
        # This project's own export: the consensus made the selections that carry a segment.
        marked = {s.user for s in project.selections if "segment" in _marker(s)}
        chosen = [u for u in used if u in marked] or [u for u in used if kinds.get(ids[u]) == "consensus"]
        if len(used) <= 1 or len(chosen) == 1:
            return (chosen or used or [None])[0], ids
        raise DataError(
            file,
            f"the codings were made by {len(used)} Users ({listed}), and none is the consensus coder.",
            "name the User whose codings are the consensus with --consensus-user NAME, or pass "
            "--consensus-user none when each User coded on their own (the consensus is then the union of "
            "their codes, and each User's codes are independent codings).",
        )
    if consensus.lower() == NO_CONSENSUS:
        return None, ids
    match = [u for u in used if consensus.lower() in (names[u].lower(), ids[u].lower())]
    if not match:
        raise DataError(file, f"no User called '{consensus}' made codings in the export.",
                        f"use one of: {listed}, or none.")
    return match[0], ids


def _plan(project: Project, consensus: str | None) -> tuple[list[_Group], list[tuple[CodedSelection, int]]]:
    """Segments (grouped by span, sources in document order) and the selections that are only coder spans."""
    order = {g: i for i, g in enumerate(project.sources)}
    spans: dict[tuple[str, int, int], _Group] = {}
    coder_only = []
    for sel in sorted(project.selections, key=lambda s: (order[s.source], s.start, s.end)):
        marker = _marker(sel)
        codes = [(t, u) for t, u in sel.codings if t in project.codes]
        if "coder_span" in marker:
            coder_only.append((sel, int(marker["coder_span"])))
            continue
        is_segment = (
            bool(marker) or consensus is None or not codes or sel.user == consensus
            or any(u == consensus for _, u in codes)
        )
        if not is_segment:
            coder_only.append((sel, -1))
            continue
        group = spans.setdefault((sel.source, sel.start, sel.end), _Group(sel.source, sel.start, sel.end, []))
        group.selections.append(sel)
        group.columns = group.columns or marker.get("segment", {})
    return list(spans.values()), coder_only


def _segment_ids(groups: list[_Group], round_id: str, names: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(segment_id, position, origin, source_ref) per group: carried when the whole round carries them."""
    carried = all(g.columns.get("round") == round_id and g.columns.get("segment_id") for g in groups)
    out, index, position, last = [], 0, 0, None
    for g in groups:
        if g.source != last:
            index, position, last = index + 1, 0, g.source
        position += 1
        if carried:
            out.append((g.columns["segment_id"], g.columns.get("position", str(position)),
                        g.columns.get("origin", "imported"), g.columns.get("source_ref", "")))
        else:
            out.append((f"{round_id}-{index:03d}-{position:04d}", str(position), "imported",
                        f"{names[g.source]}:{g.start}-{g.end}"))
    return out


def _source_texts(project: Project, source: str, counting: str, groups: list[_Group], coder_sels: list,
                  redact: bool, built: _Built):
    """A source's text cleaned (CRLF as LF, hits redacted when asked) and every span's positions in it.

    Rows of the returned array are the groups, then the coder selections: (start, end) in code
    points of the cleaned text. Identifying details inside the groups are added to ``built.hits``.
    """
    text = project.texts[source]
    body = text.removeprefix("\ufeff")
    raw = np.array([(g.start, g.end) for g in groups] + [(s.start, s.end) for s, _ in coder_sels], dtype=np.int64)
    points = code_points(text, raw.ravel(), counting).reshape(-1, 2)
    hits = find_hits(project.sources[source], body, points[: len(groups)])
    built.hits += hits
    cleaned, starts, ends, shifts = clean(body, hits if redact else [])
    moved = np.stack([move(points[:, 0], starts, ends, shifts, "start"),
                      move(points[:, 1], starts, ends, shifts, "end")], axis=1)
    return cleaned, moved


def _build(project: Project, counting: str, groups: list[_Group], coder_only: list, people: dict, codes: dict,
           consensus: str | None, coder_ids: dict, round_id: str, redact: bool) -> _Built:
    """Rows of segments, codings, independent codings and coder spans, source by source."""
    built = _Built(merged=sum(len(g.selections) - 1 for g in groups))
    ids = iter(_segment_ids(groups, round_id, project.sources))
    by_source: dict[str, list[_Group]] = defaultdict(list)
    for g in groups:
        by_source[g.source].append(g)
    coders_by_source: dict[str, list] = defaultdict(list)
    for sel, row in coder_only:
        coders_by_source[sel.source].append((sel, row))
    marked_spans = []
    for source in project.sources:
        source_groups = by_source.get(source, [])
        coder_sels = coders_by_source.get(source, [])
        if not source_groups:
            built.outside += len(coder_sels)
            continue
        if source in project.texts:
            cleaned, moved = _source_texts(project, source, counting, source_groups, coder_sels, redact, built)
        else:
            built.from_names += len(source_groups)
            built.outside += len(coder_sels)  # without the text, positions cannot be placed
            coder_sels = []
            cleaned, moved = None, np.array([(g.start, g.end) for g in source_groups], dtype=np.int64)
        respondent = people[source]["respondent_id"]
        same_span: dict[tuple[int, int], list[CodedSelection]] = defaultdict(list)
        for sel, row in coder_sels:
            if row < 0:
                same_span[(sel.start, sel.end)].append(sel)
        layout = []  # (start in joined text, length, cleaned start) per kept group
        offset = 0
        for k, g in enumerate(source_groups):
            segment_id, position, origin, source_ref = next(ids)
            raw = cleaned[moved[k, 0]:moved[k, 1]] if cleaned is not None else g.selections[0].name
            body = raw.replace("\r\n", "\n").strip()
            if not body:
                built.empty += 1
                layout.append(None)
                continue
            lead = len(raw) - len(raw.lstrip()) if cleaned is not None else 0
            layout.append((offset, len(body), int(moved[k, 0]) + lead))
            offset += len(body) + len(SEPARATOR)
            by_user = codes_by_user(g.selections, codes)
            consensus_codes = _consensus(by_user, consensus)
            built.rows["segments"].append({
                **g.columns, "segment_id": segment_id, "respondent_id": respondent, "round": round_id,
                "position": position, "text": body, "origin": origin, "source_ref": source_ref,
                "coded": "true" if consensus_codes else "false",
            })
            built.rows["codings"] += [{"segment_id": segment_id, "code_id": c} for c in consensus_codes]
            independent = [(u, c) for u, cs in by_user.items() if u != consensus for c in cs]
            # A coder's own selection of exactly this span counts as their coding of this segment.
            for sel in same_span.get((g.start, g.end), []):
                independent += [(u, c) for u, cs in codes_by_user([sel], codes).items() for c in cs]
            seen = set()
            for user, code in independent:
                if (user, code) not in seen:
                    seen.add((user, code))
                    built.rows["independent_codings"].append(
                        {"segment_id": segment_id, "coder": coder_ids[user], "code_id": code})
            if not g.columns:  # every User's coded selection of another program is also a span
                start, end = str(layout[-1][0]), str(layout[-1][0] + layout[-1][1])
                built.rows["coder_spans"] += [
                    {"respondent_id": respondent, "coder": coder_ids[u], "start": start, "end": end, "code_id": c}
                    for u, cs in by_user.items() for c in cs
                ]
        first = len(source_groups)
        _spans(coder_sels, list(range(first, first + len(coder_sels))), layout, moved, respondent, codes, coder_ids,
               built, marked_spans)
    # Spans this project exported keep their rows' order.
    built.rows["coder_spans"] += [row for _, row in sorted(marked_spans, key=lambda r: r[0])]
    return built


def _consensus(by_user: dict[str, list[str]], consensus: str | None) -> list[str]:
    if consensus is not None:
        return list(by_user.get(consensus, []))
    return list(dict.fromkeys(c for cs in by_user.values() for c in cs))


def _spans(sels: list, rows: list[int], layout: list, moved: np.ndarray, respondent: str, codes: dict,
           coder_ids: dict, built: _Built, marked: list) -> None:
    """Coder-span rows of selections, their positions moved into the interview's joined text."""
    kept = [part for part in layout if part is not None]
    # Groups are in text order; the furthest end so far makes the search for overlaps a bisection.
    starts = np.array([p[2] for p in kept], dtype=np.int64)
    reach = np.maximum.accumulate(np.array([p[2] + p[1] for p in kept], dtype=np.int64)) if kept else starts
    for (sel, order), row in zip(sels, rows, strict=True):
        by_user = codes_by_user([sel], codes)
        if not by_user:
            continue
        start, end = int(moved[row, 0]), int(moved[row, 1])
        lo = int(np.searchsorted(reach, start, side="right"))
        hi = int(np.searchsorted(starts, end, side="left"))
        over = [p for p in kept[lo:hi] if p[2] < end and p[2] + p[1] > start]
        if not over:
            built.outside += 1
            continue
        first, last = over[0], over[-1]
        a = first[0] + min(max(start - first[2], 0), first[1])
        b = last[0] + min(max(end - last[2], 0), last[1])
        if a >= b:
            built.outside += 1
            continue
        for user, cs in by_user.items():
            for code in cs:
                span = {"respondent_id": respondent, "coder": coder_ids[user], "start": str(a), "end": str(b),
                        "code_id": code}
                (marked.append((order, span)) if order >= 0 else built.rows["coder_spans"].append(span))


def _splice(old: pd.DataFrame, drop: pd.Series, new_rows: list[dict]) -> pd.DataFrame:
    """The table with the dropped rows replaced by the new ones, where the first dropped row was."""
    new = pd.DataFrame(new_rows, columns=old.columns).fillna("").astype(str)
    at = int(drop.to_numpy().argmax()) if drop.any() else len(old)
    before = int((~drop.iloc[:at]).sum())
    kept = old[~drop]
    return pd.concat([kept.iloc[:before], new, kept.iloc[before:]], ignore_index=True)[old.columns]


def _new_tables(raw: dict[str, pd.DataFrame], round_id: str, people: dict, new_codes: pd.DataFrame,
                built: _Built, coders: list[dict]) -> dict[str, pd.DataFrame]:
    old_people = raw["respondents"]["round"] == round_id
    old_segments = raw["segments"]["round"] == round_id
    dropped = set(raw["segments"].loc[old_segments, "segment_id"])
    school_columns = [c for c in raw["schools"].columns if c != "school_id"]
    defaults = {"school_type": "niet vermeld", "region": "niet vermeld", "followup": "full"}
    schools = {}
    for p in people.values():
        if p["school_id"] not in set(raw["schools"]["school_id"]):
            schools.setdefault(p["school_id"], {"school_id": p["school_id"],
                                                **{c: p.get(c) or defaults.get(c, "") for c in school_columns}})
    codebook = raw["codebook"]
    if not new_codes.empty:
        start = pd.to_numeric(codebook["order"]).max() + 1
        new_codes = new_codes.assign(order=[str(start + i) for i in range(len(new_codes))])
        codebook = _splice(codebook, pd.Series(False, index=codebook.index), new_codes.to_dict("records"))
    segment_rows = {name: raw[name]["segment_id"].isin(dropped) for name in ("codings", "independent_codings")}
    round_people = set(raw["respondents"].loc[old_people, "respondent_id"])
    none = pd.Series(False, index=raw["coders"].index)
    return {
        "schools": _splice(raw["schools"], pd.Series(False, index=raw["schools"].index), list(schools.values())),
        "respondents": _splice(raw["respondents"], old_people, list({p["respondent_id"]: p for p in
                                                                     people.values()}.values())),
        "coders": _splice(raw["coders"], none, coders),
        "codebook": codebook,
        "segments": _splice(raw["segments"], old_segments, built.rows["segments"]),
        "codings": _splice(raw["codings"], segment_rows["codings"], built.rows["codings"]),
        "independent_codings": _splice(raw["independent_codings"], segment_rows["independent_codings"],
                                       built.rows["independent_codings"]),
        "coder_spans": _splice(raw["coder_spans"], raw["coder_spans"]["respondent_id"].isin(round_people),
                               built.rows["coder_spans"]),
    }


def _hits_error(file: Path, hits: list[Hit]) -> DataError:
    lines = [f"source '{h.source}', character {h.start}: {DESCRIPTIONS[h.kind]} in '{h.excerpt}'" for h in hits]
    return DataError(
        file,
        f"the imported text holds {len(hits)} identifying detail(s), which the data package refuses:\n  "
        + "\n  ".join(lines) + "\n",
        "remove or replace them in your QDA program (for example by [url], [e-mail], [telefoon]) and export "
        "again; or import with --redact, which replaces each by such a marker and writes a redaction report.",
    )


def _new_coders(raw: pd.DataFrame, consensus: str | None, coder_ids: dict, project: Project, file: Path) -> list:
    rows = []
    for user, coder in coder_ids.items():
        if coder in set(raw["coder_id"]):
            continue
        name = project.users.get(user, coder)
        rows.append({"coder_id": coder, "kind": "consensus" if user == consensus else "independent",
                     "description_nl": f"gebruiker '{name}' in {file.name}",
                     "description_en": f"User '{name}' of {file.name}"})
    return rows


def import_qdpx(
    file: str | Path,
    round_id: str,
    data_dir: str | Path | None = None,
    respondents: str | Path | None = None,
    codes: str | Path | None = None,
    replace: bool = False,
    keep_new_codes: bool = False,
    text_from_selection_names: bool = False,
    consensus_user: str | None = None,
    redact: bool = False,
    wait: float = WAIT_SECONDS,
) -> str:
    """Add the selections of a REFI-QDA project to a data folder as a round.

    Parameters
    ----------
    file : str or Path
        The ``.qdpx`` export.
    round_id : str
        Id of the round, e.g. ``"R2"``.
    data_dir : str or Path, optional
        Data folder; default the shipped ``data/``.
    respondents : str or Path, optional
        CSV with ``source,school_id,role_group,role_nl`` and optionally other respondent columns,
        for sources without a Case; ``source`` is a source's name, file name or GUID.
    codes : str or Path, optional
        CSV (qdpx_code,code_id) mapping code names or GUIDs to codebook ids.
    replace : bool
        Replace an existing round with this id (other rounds are never touched).
    keep_new_codes : bool
        Add codes that match nothing to the codebook, keeping their nesting.
    text_from_selection_names : bool
        Take a selection's text from its name when its source file is missing.
    consensus_user : str, optional
        Name of the User whose codings are the consensus, or ``"none"`` when every User coded
        independently; needed when codings come from several Users.
    redact : bool
        Replace identifying details by markers and write ``redactions-<round>.csv`` beside the data.
    wait : float
        Seconds to wait while another run writes to the folder before refusing.

    Returns
    -------
    str
        A short report: counts, the position counting detected, what was skipped.

    Raises
    ------
    DataError
        On any problem; the data folder is then exactly as before.
    """
    file, folder = Path(file), resolve_data_dir(data_dir)
    if not _ROUND.fullmatch(round_id):
        raise DataError(file, f"'{round_id}' is not a valid round id.", "use letters, digits, '.', '_' or '-'.")
    project, (counting, by_points, by_units) = read_coded(file, names_for_missing=text_from_selection_names)
    # The folder is locked from reading it to writing it: another import in between would be lost.
    with locked(folder, wait) as recovered:
        raw = read_raw(folder)
        if round_id in set(raw["respondents"]["round"]) and not replace:
            raise DataError(file, f"round '{round_id}' already exists in the data folder.",
                            "choose a new round id, or pass --replace to replace that round.")
        consensus, coder_ids = _coders(file, project, consensus_user, raw["coders"])
        groups, coder_only = _plan(project, consensus)
        selections = [s for g in groups for s in g.selections] + [s for s, _ in coder_only]
        code_ids, new_codes = code_map(file, project, selections, raw["codebook"], Path(codes) if codes else None,
                                       keep_new_codes)
        descriptor = load_descriptor(folder / "datapackage.json")
        columns = list(dict.fromkeys(field_names(resource(descriptor, "respondents"))
                                     + field_names(resource(descriptor, "schools"))))
        sources = list(dict.fromkeys(g.source for g in groups))
        fields = {f["name"]: f.get("constraints", {}) for name in ("respondents", "schools")
                  for f in resource(descriptor, name)["schema"]["fields"]}
        people = cases.respondents(file, project, Path(respondents) if respondents else None, sources,
                                   raw["respondents"], round_id, columns, fields)
        _check_clash(file, raw, round_id, people)
        built = _build(project, counting, groups, coder_only, people, code_ids, consensus, coder_ids, round_id, redact)
        if built.hits and not redact:
            raise _hits_error(file, built.hits)
        if not built.rows["segments"]:
            raise DataError(file, "no segment with text is left after reading the selections; nothing was imported.",
                            "export again with the documents' texts and their codings included: "
                            + export_hint(project) + ".")
        tables = _new_tables(raw, round_id, people, new_codes, built,
                             _new_coders(raw["coders"], consensus, coder_ids, project, file))
        changed = replace_tables(folder, tables)
        report = folder / f"redactions-{round_id}.csv"
        if redact and built.hits:
            rows = [[h.source, str(h.start), DESCRIPTIONS[h.kind], MARKERS[h.kind]] for h in built.hits]
            write_csv_atomically(report, pd.DataFrame(rows, columns=REPORT_COLUMNS))
    text = _report(file, folder, round_id, project, people, built, counting, by_points, by_units, new_codes,
                   consensus, coder_ids, changed, report if redact and built.hits else None)
    return "\n".join([*(f"note: {note}" for note in recovered), text])


def _check_clash(file: Path, raw: dict[str, pd.DataFrame], round_id: str, people: dict) -> None:
    others = raw["respondents"][raw["respondents"]["round"] != round_id]
    clash = sorted({p["respondent_id"] for p in people.values()} & set(others["respondent_id"]))
    if clash:
        raise DataError(
            file,
            f"respondent id(s) {', '.join(clash)} already belong to another round.",
            "a person interviewed again keeps their person_id but needs a new respondent_id: change the "
            "respondent_id Variable or column (or leave it out, and ids are made from the Case names).",
        )


def _report(file, folder, round_id, project, people, built, counting, by_points, by_units, new_codes, consensus,
            coder_ids, changed, redactions) -> str:
    rows = built.rows
    returning = sum(p["person_id"] != p["respondent_id"] for p in people.values())
    uncoded = sum(r["coded"] == "false" for r in rows["segments"])
    coders = ", ".join(f"{project.users.get(u, c)} -> {c}" + (" (consensus)" if u == consensus else "")
                       for u, c in coder_ids.items())
    lines = [
        f"imported {file.name} as round {round_id} into {folder}",
        f"respondents: {len({p['respondent_id'] for p in people.values()})} (returning people: {returning}), "
        f"segments: {len(rows['segments'])} (uncoded talk: {uncoded}), codings: {len(rows['codings'])}, "
        f"independent codings: {len(rows['independent_codings'])}, coder spans: {len(rows['coder_spans'])}",
        f"coders: {coders or 'none'}" + ("" if consensus or not coder_ids else
                                         " (no consensus User: the consensus is the union of their codes)"),
        f"positions counted as {counting.replace('_', ' ')} (selections on word boundaries: "
        f"code points {by_points:.0%}, UTF-16 units {by_units:.0%})",
        f"new codes added: {len(new_codes)}; non-text sources skipped: {project.skipped_sources}; "
        f"codings pointing at neither a code nor a case ignored: {project.unknown_targets}; "
        f"selections with the same span merged into one segment: {built.merged}; "
        f"empty selections skipped: {built.empty}; coder selections outside every segment: {built.outside}",
    ]
    if built.from_names:
        lines.append(f"WARNING: {built.from_names} selection text(s) taken from the selection's name, because the "
                     "source's text file is missing from the export; check them against the transcripts.")
    if redactions is not None:
        lines.append(f"REDACTED: {len(built.hits)} identifying detail(s) replaced by markers; every one is listed "
                     f"in {redactions}")
    lines.append(f"files changed: {', '.join(changed)}")
    return "\n".join(lines)


__all__ = ["MARK", "SEPARATOR", "import_qdpx"]
