"""The Arrow fast paths decide exactly what the Python ways decide, on valid and on broken input.

Loading reads CSV files with Arrow and checks, counts and matches whole columns with Arrow
compute functions; where Arrow cannot decide alike (a file with unusual quoting, a column that
is not Arrow text) the former Python way runs. Each test here runs both ways on the same
random or broken input and compares the results, or the error text, exactly.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samendoen_analysis.data import anonymisation, columnar, csvio, schema, words
from samendoen_analysis.data.corpus import load_corpus
from samendoen_analysis.data.words import WORD_PATTERN, count_words_series
from samendoen_analysis.errors import DataError

from .test_fuzz import CSV_FILES, FOLDER_MUTATIONS, FUZZ, _restore, _template

ORACLE = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow])
# Letters and digits of several scripts, joiners, blanks of several kinds, punctuation, digits
# that are not ASCII, and the characters that make CSV hard.
ALPHABET = st.sampled_from(list("aZé9_-'’ \t\n\r\u3000\u00a0\u2028.,;\"@[]") + ["中", "\u0661", "ß", "İ", "😀",
                                                                                   "\u0301", "ǅ", "Ⅻ"])
TEXT = st.text(ALPHABET, max_size=12) | st.text(max_size=12)


def _object(values: list[str]) -> pd.Series:
    return pd.Series(values, dtype=object)


def _arrow(values: list[str]) -> pd.Series:
    series = pd.Series(values, dtype="str")
    assert columnar.arrow_strings(series) is not None
    return series


@contextlib.contextmanager
def python_paths():
    """Every fast path switched off: Python decides, as before Arrow was used."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(csvio, "_read_fast", lambda *args: None)
        for module in (columnar, schema, words, anonymisation):
            mp.setattr(module, "arrow_strings", lambda s: None)
        yield


def _outcome(func, *args):
    """What a call gives: its value, or the text of the DataError it raises."""
    try:
        return func(*args)
    except DataError as exc:
        return f"DataError: {exc}"
    except Exception as exc:  # noqa: BLE001 - a crash must be the same crash on both paths
        return f"{type(exc).__name__}: {exc}"


@ORACLE
@given(st.lists(TEXT, max_size=30))
def test_word_counts_equal_the_regex_on_any_text(texts):
    expected = [len(WORD_PATTERN.findall(t)) for t in texts]
    assert count_words_series(_arrow(texts)).tolist() == expected
    assert count_words_series(_object(texts)).tolist() == expected


@ORACLE
@given(st.lists(TEXT, min_size=1, max_size=20))
def test_schema_checks_decide_as_python(values):
    patterns = sorted(set(schema._TYPE_PATTERNS.values()) | {"[A-Za-z0-9][A-Za-z0-9_.-]*", "#[0-9A-Fa-f]{6}",
                                                             r"\w+", r"\d{2,3}"})
    fast, slow = _arrow(values), _object(values)
    assert schema._required(fast).tolist() == schema._required(slow).tolist()
    for pattern in patterns:
        for required in (True, False):
            check = schema._matches(pattern, required)
            assert check(fast).tolist() == check(slow).tolist(), pattern
            assert check(fast).tolist() == [bool(re.fullmatch(pattern, v)) or (not required and v == "")
                                            for v in values]


@ORACLE
@given(st.lists(TEXT, max_size=20), st.lists(TEXT, max_size=5))
def test_membership_decides_as_pandas(values, allowed):
    expected = _object(values).isin(allowed).tolist()
    assert columnar.isin(_arrow(values), _arrow(allowed)).tolist() == expected
    assert columnar.isin(_arrow(values), allowed).tolist() == expected


IDENTIFYING = st.text(st.sampled_from(list("0123456789 .-+()/@:wht[]NLABaé\n")), max_size=40) | TEXT


@ORACLE
@given(st.lists(IDENTIFYING, max_size=15))
def test_identifiers_are_found_alike_in_arrow_and_in_python(texts):
    assert anonymisation.find_all_identifiers(_arrow(texts)) == anonymisation.find_all_identifiers(texts)


def _read(path: Path, exact: bool):
    notes: list[str] = []
    if exact:
        with python_paths():
            frame = _outcome(csvio.read_table, path, ["x", "y"], notes)
    else:
        frame = _outcome(csvio.read_table, path, ["x", "y"], notes)
    return frame if isinstance(frame, str) else (frame.to_numpy().tolist(), [str(d) for d in frame.dtypes], notes)


CSV_CHARS = ["a", ",", ";", '"', "\n", "\r\n", "\r", "é", " ", "\t", "中", "'", "\x01", ""]


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(rows=st.lists(st.lists(st.lists(st.sampled_from(CSV_CHARS[:-2]), max_size=5).map("".join), min_size=2,
                                       max_size=2), max_size=4),
       delimiter=st.sampled_from(",;"), quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
       ending=st.sampled_from(["\n", "\r\n"]), bom=st.booleans(),
       mutation=st.none() | st.tuples(st.integers(0, 10_000), st.sampled_from(CSV_CHARS)))
def test_csv_files_read_alike_by_arrow_and_by_the_csv_module(tmp_path_factory, rows, delimiter, quoting, ending,
                                                            bom, mutation):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=ending)
    writer.writerow(["x", "y"])
    writer.writerows(rows)
    text = out.getvalue()
    if mutation is not None:  # one character replaced: a stray quote, a lone CR, a control character
        at = mutation[0] % len(text)
        text = text[:at] + mutation[1] + text[at + 1 :]
    path = tmp_path_factory.mktemp("csv") / "table.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    assert _read(path, exact=False) == _read(path, exact=True)


@pytest.mark.parametrize(("body", "plain"), [
    (b'x,y\na,b\n', True),
    (b'x,y\n"a,b","c""d"\n', True),
    (b'x,y\n"",""""\r\n', True),
    (b'x,y\n"a\nb",c', True),
    (b'x,y\na"b,c\n', False),  # a quote inside an unquoted value
    (b'x,y\n"a"b,c\n', False),  # text after the closing quote
    (b'x,y\n"a,b\n', False),  # a quote left open at the end
    (b'x,y\ra,b\n', False),  # a lone carriage return
])
def test_plain_quoting_is_recognised(body, plain):
    assert csvio._plainly_quoted(body, ",") is plain


def _load(folder: Path):
    corpus = load_corpus(folder)
    return {name: (frame.to_csv(), [str(d) for d in frame.dtypes])  # as text: NaN equals NaN
            for name, frame in vars(corpus).items() if isinstance(frame, pd.DataFrame)} | {"notes": corpus.notes}


@FUZZ
@given(data=st.data())
def test_broken_folders_give_the_same_result_on_both_paths(tmp_path_factory, data):
    """A valid tiny folder with one or two things broken, as users break it, loaded both ways."""
    folder = tmp_path_factory.mktemp("both") / "data"
    _restore(folder, _template())
    for _ in range(data.draw(st.integers(1, 2), label="faults")):
        path = folder / data.draw(st.sampled_from(CSV_FILES), label="file")
        mutation = FOLDER_MUTATIONS[data.draw(st.sampled_from(sorted(FOLDER_MUTATIONS)), label="mutation")]
        path.write_bytes(mutation(path.read_bytes(), data.draw))
    fast = _outcome(_load, folder)
    with python_paths():
        assert _outcome(_load, folder) == fast


@ORACLE
@given(st.lists(st.tuples(st.sampled_from(["", "a", "b", "a\0", "\0b", "é"]), st.sampled_from(["", "x", "\0x"]),
                          st.sampled_from(["1", "2"])), max_size=12), st.integers(1, 3))
def test_distinct_rows_decide_as_pandas(rows, width):
    frame = pd.DataFrame([row[:width] for row in rows], columns=["a", "b", "c"][:width], dtype="str") if rows else \
        pd.DataFrame({c: pd.Series(dtype="str") for c in ["a", "b", "c"][:width]})
    assert columnar.all_distinct([frame[c] for c in frame.columns]) == (not frame.duplicated().any())
