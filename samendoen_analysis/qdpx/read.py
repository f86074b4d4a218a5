"""Reading REFI-QDA project files (``.qdpx``) as real QDA programs write them.

Exports differ in ways the standard allows or does not: the project file may be called
``project.qde``, ``Project.qde`` or after the project; sources sit in ``sources/`` or
``Sources/``; text is inline or in a file named with ``internal://``, ``relative://`` or no
scheme; NVivo for Windows counts positions in UTF-16 code units over text with CRLF line ends
and a byte order mark, where the standard counts code points. This module copes with each,
detects the counting from the data, and treats the file as untrusted: XML is parsed with
defusedxml and the zip is checked against path escapes and decompression bombs. The importer
and the span reader start the same way (:func:`read_coded`: read, refuse an export without coded
text, detect the counting, check every position) and group codings by user the same way
(:func:`codes_by_user`).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree
from xml.etree.ElementTree import Element, ParseError

import numpy as np
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from samendoen_analysis.errors import DataError
from samendoen_analysis.vocabulary import check_option

MAX_ENTRIES = 10_000
MAX_ENTRY_BYTES = 256 * 1024**2
MAX_TOTAL_BYTES = 1024**3
COUNTINGS = ("code_points", "utf16_units")
_FIX_EXPORT = "export the project again from your QDA program (File > Export > REFI-QDA project)."
EXPORT_HINTS = {
    "nvivo": "NVivo for Windows: Share > Export Project > REFI-QDA Project, NVivo for Mac: File > Export "
             "Project; code the interviews as files (documents), not as externals or memos",
    "atlas": "ATLAS.ti: File > Export > QDPX Universal Data Exchange; keep the documents in the project "
             "(not linked externally), or import with --text-from-selection-names",
    "maxqda": "MAXQDA: Import/Export > Export > REFI-QDA Project; export the whole project, not the "
              "codebook only (.qdc)",
    "qualcoder": "QualCoder: Project > Export REFI-QDA project (not Export codebook)",
}


@dataclass(frozen=True)
class Code:
    """A code of the project's codebook."""

    guid: str
    name: str
    parent: str | None
    colour: str | None
    description: str


@dataclass(frozen=True)
class CodedSelection:
    """A coded (or uncoded) stretch of a text source."""

    guid: str
    name: str
    source: str
    start: int
    end: int
    codings: tuple[tuple[str, str], ...]  # (target guid, user guid)
    user: str = ""  # the selection's creatingUser
    description: str = ""


@dataclass(frozen=True)
class Case:
    """A case (here: a respondent) with its variable values and sources."""

    guid: str
    name: str
    variables: dict[str, str]
    sources: tuple[str, ...]


@dataclass
class Project:
    """The parts of a REFI-QDA project this package uses."""

    name: str
    origin: str = ""
    users: dict[str, str] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # guid -> name, in document order
    files: dict[str, tuple[str, ...]] = field(default_factory=dict)  # guid -> file names of its text
    texts: dict[str, str] = field(default_factory=dict)  # guid -> raw text
    selections: list[CodedSelection] = field(default_factory=list)
    cases: dict[str, Case] = field(default_factory=dict)
    skipped_sources: int = 0
    unknown_targets: int = 0  # codings whose target is neither a code nor a case


def norm_guid(guid: str | None) -> str:
    """A GUID without braces, lower case (exports differ in both)."""
    return (guid or "").strip().strip("{}").lower()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: Element, name: str) -> Element | None:
    found = _children(element, name)
    return found[0] if found else None


class _SafeZip(zipfile.ZipFile):
    """A zip that counts what it really unpacked (headers can lie about sizes)."""

    unpacked = 0


def _open_zip(path: Path) -> _SafeZip:
    try:
        archive = _SafeZip(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(
            path, f"this is not a readable QDPX (zip) file, or it is truncated ({exc}).", _FIX_EXPORT
        ) from None
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise DataError(path, f"the archive has {len(infos)} entries, more than {MAX_ENTRIES}.", _FIX_EXPORT)
    for info in infos:
        name = PurePosixPath(info.filename.replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts or re.match(r"^[A-Za-z]:", info.filename):
            raise DataError(
                path,
                f"the entry '{info.filename}' points outside the archive; refusing it.",
                "only open QDPX files from sources you trust; export the project again.",
            )
        if info.file_size > MAX_ENTRY_BYTES:
            raise DataError(
                path,
                f"the entry '{info.filename}' unpacks to {info.file_size} bytes, over the cap.",
                "split the project, or export it without media files.",
            )
    if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
        raise DataError(path, "the archive unpacks to more than 1 GiB.", "export the project without media files.")
    return archive


def _read_entry(path: Path, archive: _SafeZip, name: str) -> bytes:
    """Read one entry, never more than the cap, whatever its header claims."""
    try:
        with archive.open(name) as fh:
            data = fh.read(MAX_ENTRY_BYTES + 1)
    # zlib.error: damaged compressed data; NotImplementedError: an unknown compression method;
    # RuntimeError: an encrypted entry.
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError, RuntimeError) as exc:
        raise DataError(
            path, f"the entry '{name}' cannot be read; the file is damaged or truncated ({exc}).", _FIX_EXPORT
        ) from None
    if len(data) > MAX_ENTRY_BYTES:
        raise DataError(path, f"the entry '{name}' unpacks to more than its cap.", "export the project again.")
    archive.unpacked += len(data)
    if archive.unpacked > MAX_TOTAL_BYTES:
        raise DataError(path, "the archive unpacks to more than 1 GiB.", "export the project without media files.")
    return data


def _project_entry(path: Path, archive: _SafeZip) -> str:
    candidates = [n for n in archive.namelist() if n.lower().endswith(".qde") and "/" not in n.strip("/")]
    preferred = [n for n in candidates if n.lower() == "project.qde"]
    if preferred or len(candidates) == 1:
        return (preferred or candidates)[0]
    problem = (
        "no project file (*.qde) at the top of the archive."
        if not candidates
        else (f"several project files: {', '.join(candidates)}.")
    )
    raise DataError(path, problem, _FIX_EXPORT)


_DECLARED = re.compile(rb"""\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _without_dtd(data: bytes) -> bool:
    """True for UTF-8 XML that holds no document type declaration, so no entity can be declared.

    Such a file is parsed by expat through the C tree builder, several times faster on a large
    export than defusedxml's Python handlers; any other file (another encoding, or a DTD, which
    defusedxml then refuses) goes through defusedxml.
    """
    body = data.removeprefix(b"\xef\xbb\xbf")
    if b"\x00" in body[:256] or body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    declared = _DECLARED.match(body)
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        return False
    return b"<!DOCTYPE" not in body and b"<!ENTITY" not in body


def _parse(path: Path, data: bytes, entry: str) -> Element:
    try:
        if _without_dtd(data):
            return ElementTree.fromstring(data)
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise DataError(
            path,
            f"{entry} declares a DTD or entities ({type(exc).__name__}); refusing it as unsafe.",
            "export the project again; REFI-QDA files need no DTD.",
        ) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        raise DataError(
            path, f"{entry} is not well-formed XML ({exc}).", _FIX_EXPORT, line=line,
            column=None if column is None else f"{entry} character {column + 1}",
        ) from None
    except LookupError as exc:  # an XML declaration naming an encoding Python does not know
        raise DataError(path, f"{entry} declares an unknown encoding ({exc}).", _FIX_EXPORT) from None


def _codes(element: Element, parent: str | None, out: dict[str, Code]) -> None:
    for code in _children(element, "Code"):
        guid = norm_guid(code.get("guid"))
        description = _child(code, "Description")
        out[guid] = Code(
            guid,
            code.get("name", ""),
            parent,
            code.get("color"),
            (description.text or "") if description is not None else "",
        )
        _codes(code, guid, out)


def _source_entry(archive: _SafeZip, text_path: str) -> str | None:
    """Find a source's text file in the zip, whatever the scheme and folder capitalisation."""
    relative = re.sub(r"^(internal|relative)://", "", text_path).lstrip("/")
    wanted = {relative.lower(), f"sources/{relative}".lower()}
    return next((n for n in archive.namelist() if n.lower() in wanted), None)


def _text(path: Path, archive: _SafeZip, source: Element, names_for_missing: bool) -> str | None:
    inline = _child(source, "PlainTextContent")
    if inline is not None and inline.text is not None:
        return inline.text
    text_path = source.get("plainTextPath") or ""
    entry = _source_entry(archive, text_path) if text_path else None
    if entry is None and names_for_missing:
        return None
    if entry is None:
        raise DataError(
            path,
            f"the text of source '{source.get('name')}' ({text_path or 'no plainTextPath'}) is not in the archive.",
            "export the project again with its sources included, or, if each "
            "selection's name holds its text (ATLAS.ti does so), use --text-from-selection-names.",
        )
    return _read_entry(path, archive, entry).decode("utf-8", errors="replace")


def _file_names(source: Element) -> tuple[str, ...]:
    """The names a user may know a source by besides its name: its text and document files."""
    names = []
    for attr in ("richTextPath", "plainTextPath"):
        value = re.sub(r"^(internal|relative|file)://", "", source.get(attr) or "").replace("\\", "/")
        if value:
            names += [PurePosixPath(value).name, PurePosixPath(value).stem]
    return tuple(dict.fromkeys(n for n in names if n))


def _position(path: Path, sel: Element, name: str) -> int:
    value = (sel.get(name) or "").strip()
    if not value.isdigit():
        raise DataError(
            path,
            f"the selection has {name}='{value}', not a whole number of characters.",
            _FIX_EXPORT,
            column=f"PlainTextSelection {norm_guid(sel.get('guid'))} @{name}",
        )
    return int(value)


def _selections(path: Path, source: Element, guid: str) -> list[CodedSelection]:
    found = []
    for sel in _children(source, "PlainTextSelection"):
        user = norm_guid(sel.get("creatingUser"))
        codings, description = [], ""
        # One pass over the children: a large export has tens of thousands of selections.
        for child in sel:
            tag = _local(child.tag)
            if tag == "Coding":
                by = norm_guid(child.get("creatingUser")) or user
                codings += [(norm_guid(ref.get("targetGUID")), by) for ref in child if _local(ref.tag) == "CodeRef"]
            elif tag == "Description":
                description = child.text or ""
        found.append(CodedSelection(norm_guid(sel.get("guid")), sel.get("name", ""), guid,
                               _position(path, sel, "startPosition"), _position(path, sel, "endPosition"),
                               tuple(codings), user, description))
    return found


def _outside_sources(root: Element, name: str) -> list[Element]:
    """Elements of a kind anywhere in the project but in ``Sources``, whose selections are most of a file."""
    return [el for part in root if _local(part.tag) != "Sources" for el in part.iter() if _local(el.tag) == name]


def _cases(root: Element) -> dict[str, Case]:
    variables = {norm_guid(v.get("guid")): v.get("name", "") for v in _outside_sources(root, "Variable")}
    cases = {}
    for case in _outside_sources(root, "Case"):
        values = {}
        for value in _children(case, "VariableValue"):
            ref = _child(value, "VariableRef")
            content = next((v.text or "" for v in value if _local(v.tag).endswith("Value")), "")
            if ref is not None:
                values[variables.get(norm_guid(ref.get("targetGUID")), "")] = content.strip()
        sources = tuple(norm_guid(s.get("targetGUID")) for s in _children(case, "SourceRef"))
        guid = norm_guid(case.get("guid"))
        cases[guid] = Case(guid, case.get("name", ""), values, sources)
    return cases


def read_qdpx(path: str | Path, names_for_missing: bool = False) -> Project:
    """Read a REFI-QDA project file.

    Parameters
    ----------
    path : str or Path
        The ``.qdpx`` file.
    names_for_missing : bool
        Accept text sources whose file is missing (their selections then keep only their
        ``name``, which ATLAS.ti fills with the selected text); otherwise that is an error.

    Returns
    -------
    Project
        Users, codes (nested), text sources with their raw text, selections, cases.

    Raises
    ------
    DataError
        For a damaged, truncated, unsafe or incomplete file, with what to do about it.
    """
    path = Path(path)
    with _open_zip(path) as archive:
        entry = _project_entry(path, archive)
        root = _parse(path, _read_entry(path, archive, entry), entry)
        project = Project(name=root.get("name", path.stem), origin=root.get("origin", ""))
        for user in _outside_sources(root, "User"):
            project.users[norm_guid(user.get("guid"))] = user.get("name") or user.get("id") or "?"
        book = next((b for b in root if _local(b.tag) == "CodeBook"), None)
        codes = _child(book, "Codes") if book is not None else None
        if codes is not None:
            _codes(codes, None, project.codes)
        sources = _child(root, "Sources")
        for source in list(sources) if sources is not None else []:
            if _local(source.tag) != "TextSource":
                project.skipped_sources += 1
                continue
            guid = norm_guid(source.get("guid"))
            project.sources[guid] = source.get("name") or guid
            project.files[guid] = _file_names(source)
            selections = _selections(path, source, guid)
            project.selections += selections
            text = _text(path, archive, source, names_for_missing) if selections else None
            if text is not None:
                project.texts[guid] = text
        project.cases = _cases(root)
    project.unknown_targets = sum(
        t not in project.codes and t not in project.cases for s in project.selections for t, _ in s.codings
    )
    return project


def _utf16_slice(text: str, start: int, end: int) -> str:
    data = text.encode("utf-16-le")
    return data[2 * start : 2 * end].decode("utf-16-le", errors="replace")


def cut(text: str, start: int, end: int, counting: str) -> str:
    """Cut a selection from a source text, counting positions one way or the other.

    Parameters
    ----------
    text : str
        The source text as stored (a leading byte order mark is never counted).
    start, end : int
        Positions, end exclusive.
    counting : {"code_points", "utf16_units"}
        Code points of the text (the standard), or UTF-16 code units (NVivo for Windows).

    Returns
    -------
    str
        The selected text.

    Examples
    --------
    >>> cut("\\ufeffhé 😀 wereld", 6, 12, "utf16_units")
    'wereld'
    >>> cut("hé 😀 wereld", 6, 12, "code_points")
    'ereld'
    """
    body = text.removeprefix("\ufeff")
    if check_option("counting", counting, COUNTINGS) == "code_points":
        return body[start:end]
    return _utf16_slice(body, start, end)


def code_points(text: str, positions: np.ndarray, counting: str) -> np.ndarray:
    """Positions in a source text as code-point indices, in one pass over the text.

    Parameters
    ----------
    text : str
        The source text as stored (a leading byte order mark is never counted).
    positions : numpy.ndarray
        Positions as the export counts them.
    counting : {"code_points", "utf16_units"}
        How the export counts.

    Returns
    -------
    numpy.ndarray
        Code-point indices; a UTF-16 position inside a surrogate pair goes to the next character.

    Examples
    --------
    >>> code_points("\\ufeffhé 😀 wereld", np.array([0, 6, 12]), "utf16_units").tolist()
    [0, 5, 11]
    """
    positions = np.asarray(positions, dtype=np.int64)
    if check_option("counting", counting, COUNTINGS) == "code_points":
        return positions
    # Each code point above U+FFFF takes two UTF-16 units: the unit offset of every code point
    # is a cumulative sum, computed once per text instead of re-encoding the text per selection.
    body = text.removeprefix("\ufeff")
    wide = np.frombuffer(body.encode("utf-32-le"), dtype=np.uint32) > 0xFFFF
    offsets = np.concatenate(([0], np.cumsum(1 + wide.astype(np.int64))))
    return np.searchsorted(offsets, positions, side="left")


def _length(text: str, counting: str) -> int:
    body = text.removeprefix("\ufeff")
    if counting == "code_points" or body.isascii():
        return len(body)
    return len(body) + int((np.frombuffer(body.encode("utf-32-le"), dtype=np.uint32) > 0xFFFF).sum())


_WORD = re.compile(r"\w")


SAMPLE = 2000  # selections enough to tell the countings apart; more only cost time


def _boundary_share(project: Project, counting: str) -> float:
    """Share of selections whose both ends fall between words (or at punctuation), under one counting.

    At most :data:`SAMPLE` selections, evenly spread over the project, are looked at.
    """
    usable = [sel for sel in project.selections if sel.source in project.texts]
    step = max(1, len(usable) // SAMPLE)
    by_source: dict[str, list[CodedSelection]] = {}
    for sel in usable[::step]:
        by_source.setdefault(sel.source, []).append(sel)
    good = total = 0
    for guid, selections in by_source.items():
        text = project.texts[guid]
        body = text.removeprefix("\ufeff")
        ends = code_points(text, np.array([(s.start, s.end) for s in selections]).ravel(), counting)
        for start, end in ends.reshape(-1, 2).tolist():
            total += 1
            inside = body[start:end]
            before = body[start - 1] if 0 < start <= len(body) else " "
            after = body[end] if end < len(body) else " "
            good += bool(inside) and not (_WORD.match(before) and _WORD.match(inside[:1])) and not (
                _WORD.match(inside[-1:]) and _WORD.match(after)
            )
    return good / total if total else 0.0


def detect_counting(project: Project) -> tuple[str, float, float]:
    """Decide how a project counts positions: the counting that puts more selections on word boundaries.

    Parameters
    ----------
    project : Project
        A read project.

    Returns
    -------
    tuple of (str, float, float)
        The counting, and the share of selections on word boundaries under each counting
        (code points, UTF-16 units). Ties go to code points, as the standard says.
    """
    scores = [_boundary_share(project, c) for c in COUNTINGS]
    return (COUNTINGS[1] if scores[1] > scores[0] else COUNTINGS[0]), scores[0], scores[1]


def codes_by_user(selections: list[CodedSelection], codes: dict[str, str]) -> dict[str, list[str]]:
    """The codes each user applied to the selections, in order of first use, each once.

    Parameters
    ----------
    selections : list of CodedSelection
        Selections of one project.
    codes : dict of str to str
        Code GUID to the name the caller wants (a code id, or the code's name); codings of
        other targets (cases, unknown GUIDs) are left out.

    Returns
    -------
    dict of str to list of str
        User GUID (``""`` when a coding names no user) to its codes.
    """
    out: dict[str, list[str]] = defaultdict(list)
    for sel in selections:
        for target, user in sel.codings:
            if target in codes and codes[target] not in out[user]:
                out[user].append(codes[target])
    return out


def export_hint(project: Project) -> str:
    """The export menu of the program that wrote the project (all programs when unknown)."""
    origin = project.origin.lower().replace(".", "").replace(" ", "")
    known = [hint for key, hint in EXPORT_HINTS.items() if key in origin]
    return "; ".join(known or EXPORT_HINTS.values())


def _refuse_uncoded(file: Path, project: Project) -> None:
    """An export without text or without coded text selections is an error, never an empty success."""
    coded = [s for s in project.selections if any(t in project.codes for t, _ in s.codings)]
    empty = [project.sources[g] for g in project.sources
             if g in project.texts and not project.texts[g].removeprefix("\ufeff").strip()]
    if coded and not any(project.sources[s.source] in empty for s in coded):
        return
    if not project.sources:
        problem = (f"the export holds no text sources ({project.skipped_sources} other source(s), such as PDF, "
                   "picture, audio or video, are not read).")
    elif empty:
        problem = f"the text of source(s) {', '.join(repr(n) for n in empty)} is empty in the export."
    else:
        counts = defaultdict(int)
        for sel in project.selections:
            counts[sel.source] += 1
        listed = ", ".join(f"'{project.sources[g]}' ({counts[g]} selection(s), none coded)" for g in project.sources)
        problem = f"the export holds no coded text selections: {listed}."
    raise DataError(
        file, problem + " Nothing was imported.",
        "export again with the documents' texts and their codings included: " + export_hint(project) + ".",
    )


def read_coded(path: Path, names_for_missing: bool = False) -> tuple[Project, tuple[str, float, float]]:
    """Read a project that must hold coded text, and check its positions: the importer's and the span reader's start.

    Parameters
    ----------
    path : Path
        The ``.qdpx`` file.
    names_for_missing : bool
        Take a selection's text from its name when its source file is missing (see :func:`read_qdpx`).

    Returns
    -------
    tuple of (Project, (str, float, float))
        The project, and the counting of its positions as :func:`detect_counting` gives it.

    Raises
    ------
    DataError
        For an unreadable or unsafe file, an export without coded text (with the export menu of
        the program that wrote it), or a selection outside its text.
    """
    project = read_qdpx(path, names_for_missing=names_for_missing)
    _refuse_uncoded(path, project)
    counting = detect_counting(project)
    check_offsets(path, project, counting[0])
    return project, counting


def check_offsets(path: Path, project: Project, counting: str) -> None:
    """Refuse selections whose positions fall outside their source text."""
    check_option("counting", counting, COUNTINGS)
    lengths = {guid: _length(text, counting) for guid, text in project.texts.items()}
    for sel in project.selections:
        if sel.source not in project.texts:
            continue
        length = lengths[sel.source]
        if not 0 <= sel.start < sel.end <= length:
            raise DataError(
                path,
                f"selection {sel.guid} in source '{project.sources[sel.source]}' runs from "
                f"{sel.start} to {sel.end}, outside the text (length {length}, counted in {counting}).",
                _FIX_EXPORT,
                column=f"PlainTextSelection {sel.guid}",
            )


__all__ = [
    "COUNTINGS", "MAX_ENTRIES", "MAX_ENTRY_BYTES", "MAX_TOTAL_BYTES", "Case", "Code", "CodedSelection", "Project",
    "check_offsets", "code_points", "codes_by_user", "cut", "detect_counting", "export_hint", "norm_guid",
    "read_coded", "read_qdpx",
]
