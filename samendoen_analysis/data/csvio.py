"""Reading the project's CSV files the way people actually save them.

Researchers edit these files in Excel. A Dutch Excel saves with a semicolon separator, a byte
order mark and Windows-1252 characters; this module accepts each of those when the reading is
unambiguous, records a note saying so, and refuses with a located error when it is not.

A file is parsed by Apache Arrow's multi-threaded CSV reader straight into columns (a million
segments are hundreds of megabytes of text). Arrow decides less than this module must say: it
refuses a file without naming the line, and it knows no Windows-1252. So whenever Arrow refuses
a file, or anything about it is not plain UTF-8 CSV, the file is read again the exact way
(Python's csv module, then pandas), which accepts what it accepts and words every error; when
Arrow accepts a file, it yields the same table the exact way would (tests compare both on
random and broken files).
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from samendoen_analysis.errors import DataError

BOM = b"\xef\xbb\xbf"
MAX_FILE_BYTES = 2 * 1024**3
# A whole interview pasted into one cell is a field of megabytes; the csv module refuses fields
# over 131,072 characters unless told otherwise (the file size above is the real bound).
csv.field_size_limit(2**31 - 1)
# Text is text: a control character (other than tab and line breaks) is a broken export or a
# binary file, and it would end up in every table and figure.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Both encodings read (UTF-8, Windows-1252) write these characters as the same single bytes, and
# no other byte (nor any part of a UTF-8 sequence) stands for them: a file without such a byte
# holds no such character. Deleting every other byte with bytes.translate is a C loop over the
# file; a bytes regex with this class took 40 times as long.
_NOT_CONTROL = bytes(b for b in range(256) if not _CONTROL.fullmatch(chr(b)))
_BLOCK_BYTES = 1 << 22
# The dtype pandas gives text read with dtype=str: the fast path hands over the same columns.
_TEXT = pd.StringDtype(na_value=float("nan"))


def _decode(path: Path, raw: bytes, notes: list[str]) -> str:
    if raw.startswith(BOM):
        raw = raw[len(BOM) :]
        notes.append(f"{path.name}: skipped a byte order mark (as Excel writes it).")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise DataError(
                path, "the file is neither UTF-8 nor Windows-1252 text.",
                "save it as 'CSV UTF-8 (comma delimited)'.", line=line,
            ) from None
        notes.append(
            f"{path.name}: not UTF-8 (first at line {line}); read as Windows-1252, as Excel "
            "saves it. Save as 'CSV UTF-8' to silence this note."
        )
        return text


def _header_fields(first_line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([first_line], delimiter=delimiter), [])
    except csv.Error:  # not a header at all (a stray quote, an enormous field): it matches nothing
        return []


def _choose_delimiter(path: Path, text: str, expected: list[str], notes: list[str]) -> str:
    end = text.find("\n")  # not text.split("\n", 1), which copies the whole rest of the file
    first = (text if end < 0 else text[:end]).rstrip("\r")
    if "\r" in first:
        raise DataError(path, "the lines end in a lone carriage return (as old Mac programs save), so the header "
                        "runs into the data.", "save the file as 'CSV UTF-8 (comma delimited)'.", line=1)
    by_comma, by_semicolon = _header_fields(first, ","), _header_fields(first, ";")
    if set(by_comma) == set(expected):
        return ","
    if set(by_semicolon) == set(expected):
        notes.append(f"{path.name}: read with ';' as separator (as Dutch Excel saves CSV).")
        return ";"
    found = by_semicolon if len(by_semicolon) > len(by_comma) else by_comma
    missing = [c for c in expected if c not in found]
    extra = [c for c in found if c not in expected]
    problem = "the header does not match."
    if missing:
        problem += f" Missing column(s): {', '.join(missing)}."
    if extra:
        problem += f" Unexpected column(s): {', '.join(extra)}."
    raise DataError(
        path, problem, f"the header must be exactly: {','.join(expected)}.", line=1,
        column=(missing or extra or [None])[0],
    )


def _check_field_counts(path: Path, text: str, delimiter: str, expected: list[str]) -> None:
    """Refuse a row with more or fewer fields than the header (pandas would pad it silently)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError(path, f"this line cannot be read as CSV ({exc}).",
                            "put values with line breaks in double quotes, or remove the stray character.",
                            line=reader.line_num) from None
        if row and len(row) != len(expected):
            few = len(row) < len(expected)
            raise DataError(
                path, f"this row has {len(row)} fields, the header {len(expected)}.",
                "check for a missing separator or a line break inside an unquoted value." if few else
                "quote values that contain the separator, or remove the extra separator.",
                line=reader.line_num, column=expected[len(row)] if few else None,
            )


def _field_counts_ok(lines, delimiter: str, expected: list[str]) -> bool:
    """True if every non-empty row has as many fields as the header.

    The same csv.reader pass as :func:`_check_field_counts`, but counted in C (``set(map(len,
    ...))``) instead of a Python loop over every row; only when it finds a bad row does the
    exact loop run again to locate it, so the error is the same.
    """
    try:
        return set(map(len, csv.reader(lines, delimiter=delimiter))) <= {0, len(expected)}
    except csv.Error:
        return False  # the exact loop raises it, or an earlier row's error


def read_table(path: Path, expected: list[str], notes: list[str]) -> pd.DataFrame:
    """Read one CSV file into a DataFrame of strings with exactly the expected columns.

    Parameters
    ----------
    path : Path
        The CSV file.
    expected : list of str
        Column names, in the order the result should have.
    notes : list of str
        Notes about accepted irregularities are appended here.

    Returns
    -------
    pandas.DataFrame
        All values as strings, empty cells as "".

    Raises
    ------
    DataError
        If the file is missing, too large, undecodable, or does not parse as a table.
    """
    if not path.is_file():
        raise DataError(path, "the file does not exist.", "restore it from the repository or check the data folder.")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise DataError(path, "the file is larger than 2 GiB.", "split the data into rounds.")
    raw = path.read_bytes()
    controls = bool(raw.translate(None, _NOT_CONTROL))  # else no value holds one, in either encoding
    frame = None if controls else _read_fast(path, raw, expected, notes)
    if frame is None:
        frame = _read_exact(path, raw, expected, notes)
        if controls:
            _refuse_control_characters(path, frame)
    return frame


def _read_fast(path: Path, raw: bytes, expected: list[str], notes: list[str]) -> pd.DataFrame | None:
    """The table by Arrow, or None where the exact reading must decide (or word the error)."""
    body = raw[len(BOM):] if raw.startswith(BOM) else raw
    end = body.find(b"\n")
    try:
        first = (body if end < 0 else body[:end]).decode("utf-8")
        found: list[str] = []
        delimiter = _choose_delimiter(path, first, expected, found)
    except (UnicodeDecodeError, DataError):
        return None
    header = _header_fields(first.rstrip("\r"), delimiter)
    if len(header) != len(expected) or len(set(header)) != len(header) or not _plainly_quoted(body, delimiter):
        return None
    try:
        table = _parse(body, delimiter, header)
    except pa.ArrowInvalid:  # not UTF-8, a row with the wrong number of fields, a quote left open
        return None
    if table.column_names != header:
        return None
    if raw.startswith(BOM):
        notes.append(f"{path.name}: skipped a byte order mark (as Excel writes it).")
    notes.extend(found)
    return table.select(expected).to_pandas(types_mapper=lambda _: _TEXT)


def _plainly_quoted(body: bytes, delimiter: str) -> bool:
    """True if every quote opens a value, closes it, or is doubled inside it, and every CR ends a line.

    In such a file Arrow, the csv module and pandas split rows and values alike; elsewhere (a
    stray quote inside a value, text after a closing quote, a quote left open at the end, a
    lone carriage return) they differ, and the exact reading decides. The quotes are found
    with numpy and grouped into runs of adjacent quotes: a run of odd length flips between
    inside and outside a quoted value, so whether each run starts inside is a cumulative sum.
    """
    if b"\r" in body and body.count(b"\r") != body.count(b"\r\n"):  # one memchr pass for the usual file
        return False
    data = np.frombuffer(body, dtype=np.uint8)
    quotes = np.concatenate([np.flatnonzero(data[i : i + _BLOCK_BYTES] == ord('"')) + i
                             for i in range(0, len(data), _BLOCK_BYTES)] or [np.zeros(0, dtype=np.int64)])
    if not len(quotes):
        return True
    breaks = np.flatnonzero(np.diff(quotes) != 1) + 1
    first, last = quotes[np.r_[0, breaks]], quotes[np.r_[breaks - 1, len(quotes) - 1]]
    odd = (last - first) % 2 == 0
    inside_before = (np.cumsum(odd) - odd) % 2 == 1
    inside_after = inside_before ^ odd
    # The start of the file counts as a line start, its end as a line end.
    before = np.where(first > 0, data[np.maximum(first - 1, 0)], ord("\n"))
    after = np.where(last + 1 < len(data), data[np.minimum(last + 1, len(data) - 1)], ord("\n"))
    opens = inside_before | (before == ord(delimiter)) | (before == ord("\n"))
    closes = inside_after | (after == ord(delimiter)) | (after == ord("\n")) | (after == ord("\r"))
    return not inside_after[-1] and bool(opens.all()) and bool(closes.all())


def _parse(utf8: bytes, delimiter: str, header: list[str]) -> pa.Table:
    """Parse UTF-8 CSV bytes with Arrow's reader, every column as text, empty cells as ""."""
    # large_string is what pandas keeps Arrow text in: the columns are handed over without a copy.
    convert = pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.large_string()), strings_can_be_null=False,
                                   quoted_strings_can_be_null=False, auto_dict_encode=False)
    parse = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=True)
    # A row must fit in one block; a value bigger than a block (a transcript in one cell) is
    # read with one block for the whole file.
    block = max(_BLOCK_BYTES, len(utf8) // (4 * (os.cpu_count() or 1)) + 1)
    for size in (block, len(utf8) + 1):
        try:
            return pacsv.read_csv(pa.py_buffer(utf8), read_options=pacsv.ReadOptions(block_size=size),
                                  parse_options=parse, convert_options=convert)
        except pa.ArrowInvalid as exc:
            if "straddl" not in str(exc) or size > len(utf8):
                raise
    raise AssertionError("unreachable")  # the second size holds the whole file in one block


def _read_exact(path: Path, raw: bytes, expected: list[str], notes: list[str]) -> pd.DataFrame:
    """Decode in Python (UTF-8, else Windows-1252), check every row with the csv module, parse with pandas."""
    text = _decode(path, raw, notes)
    delimiter = _choose_delimiter(path, text, expected, notes)
    # A UTF-8 file is parsed from its bytes: io.StringIO would hold the text again at four
    # bytes per character, and pandas would encode it back to UTF-8 before parsing. Lines of
    # the bytes, decoded one by one, are the lines io.StringIO(text) yields (split at "\n").
    utf8 = raw[len(BOM):] if raw.startswith(BOM) else raw
    if len(text) == len(utf8) and not text.isascii():
        utf8 = None  # read as Windows-1252 (one character per byte), so parse the text
    lines = map(bytes.decode, io.BytesIO(utf8)) if utf8 is not None else io.StringIO(text)
    if not _field_counts_ok(lines, delimiter, expected):
        _check_field_counts(path, text, delimiter, expected)
    source = io.BytesIO(utf8) if utf8 is not None else io.StringIO(text)
    del text
    try:
        frame = pd.read_csv(source, sep=delimiter, dtype=str, keep_default_na=False, engine="c")
    except pd.errors.ParserError:
        raise DataError(
            path, "a quoted value is opened but never closed (a cut-off file, or a stray '\"').",
            "close the quote or remove it; if the file was cut off, restore it.",
            line=_unclosed_quote_line(path, raw, delimiter),
        ) from None
    return frame[expected]


def _refuse_control_characters(path: Path, frame: pd.DataFrame) -> None:
    """One located error for the first cell holding a control character other than tab or line breaks."""
    for column in frame.columns:
        hits = frame[column].str.contains(_CONTROL, regex=True).to_numpy().nonzero()[0]
        if len(hits):
            value = frame[column].iloc[hits[0]]
            where = _CONTROL.search(value).start()
            raise DataError(
                path, f"the value holds the control character U+{ord(value[where]):04X} at character {where + 1}.",
                "remove it (it often comes from a copied binary file or a broken export) and save the file again.",
                line=_line_of(path, int(hits[0])), column=str(column))


def _line_of(path: Path, row: int) -> int:
    """The line a data row starts on (header = line 1): a quoted value may span several lines."""
    reader = csv.reader(io.StringIO(_decode(path, path.read_bytes(), [])))
    next(reader, None)
    start = reader.line_num + 1
    for index, _ in enumerate(reader):
        if index == row:
            return start
        start = reader.line_num + 1
    return row + 2


def _unclosed_quote_line(path: Path, raw: bytes, delimiter: str) -> int | None:
    """First line of the row in which the csv module, read strictly, runs out of data."""
    reader = csv.reader(io.StringIO(_decode(path, raw, [])), delimiter=delimiter, strict=True)
    start = 1
    try:
        for _ in reader:
            start = reader.line_num + 1
    except csv.Error:
        return start
    return None


__all__ = ["read_table"]
