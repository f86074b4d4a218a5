"""Whole-column operations on Arrow-backed text, deciding exactly what the pandas calls decide.

With pyarrow installed pandas keeps every text column in Apache Arrow. Some pandas methods then
walk the values one Python object at a time (``Series.isin`` builds a list of the allowed
values, ``.str`` methods call back into Python), which made loading a large corpus slow. These
helpers run the same operations as Arrow compute functions; for a column that is not
Arrow-backed (or holds missing values) they return None, and the caller keeps the pandas way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def arrow_strings(s: pd.Series) -> pa.ChunkedArray | None:
    """The column's Arrow strings without copying, or None if it is not an Arrow string column without nulls."""
    dtype = s.dtype
    if not isinstance(dtype, pd.StringDtype) or dtype.storage != "pyarrow":
        return None
    values = pa.chunked_array(s.array._pa_array) if hasattr(s.array, "_pa_array") else None
    if values is None or values.null_count:
        return None
    return values


def to_numpy_bool(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """An Arrow boolean result (no nulls) as a numpy array."""
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=bool)


def isin(values: pd.Series, allowed: pd.Series | list | tuple) -> np.ndarray:
    """``values.isin(allowed).to_numpy()``, by a hash table in Arrow when both are Arrow strings.

    Parameters
    ----------
    values : pandas.Series
        The column to test.
    allowed : pandas.Series or list
        The values it may take.

    Returns
    -------
    numpy.ndarray
        One boolean per value.
    """
    column = arrow_strings(values)
    if column is not None:
        if isinstance(allowed, pd.Series):
            value_set = arrow_strings(allowed)
        else:
            value_set = pa.array(list(allowed), type=pa.large_string()) if all(
                isinstance(v, str) for v in allowed) else None
        if value_set is not None:
            value_set = pa.chunked_array(value_set).cast(column.type).combine_chunks() if len(value_set) else \
                pa.array([], type=column.type)
            return to_numpy_bool(pc.is_in(column, value_set=value_set))
    return values.isin(allowed).to_numpy()


def all_distinct(columns: list[pd.Series]) -> bool:
    """True if no two rows have equal values in all ``columns``; False also means: not proven here.

    Each column is dictionary-encoded by Arrow (one hash pass, a small integer per value) and
    a row's integers are combined into one number per row, which numpy sorts; equal rows give
    equal numbers, distinct rows distinct ones. Faster than pandas' ``duplicated`` on Arrow
    text, which was the largest part of validating a big table.
    """
    arrays = [arrow_strings(c) for c in columns]
    if not arrays or any(a is None for a in arrays):
        return False
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for array in arrays:
        encoded = pc.dictionary_encode(array.combine_chunks())
        size = max(len(encoded.dictionary), 1)
        if key.size and int(key.max()) >= (2**62) // size:  # keep the combined number within int64
            key = np.unique(key, return_inverse=True)[1].astype(np.int64)
        key = key * size + encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    key.sort()
    return not bool((key[1:] == key[:-1]).any())


def blank(s: pd.Series, whitespace_re2: str) -> np.ndarray | None:
    """Which values are empty or whitespace only (``s.str.strip() == ""``), or None if ``s`` is not Arrow text.

    Only values whose first character is whitespace can be blank, so the whole-value match runs
    on those few and not over every character of a column of transcripts.
    """
    column = arrow_strings(s)
    if column is None:
        return None
    maybe = to_numpy_bool(pc.match_substring_regex(pc.utf8_slice_codeunits(column, 0, 1), f"^{whitespace_re2}?$"))
    result = np.zeros(len(s), dtype=bool)
    rows = np.flatnonzero(maybe)
    if len(rows):
        result[rows] = to_numpy_bool(pc.match_substring_regex(column.take(rows), f"^{whitespace_re2}*$"))
    return result


__all__ = ["all_distinct", "arrow_strings", "blank", "isin", "to_numpy_bool"]
