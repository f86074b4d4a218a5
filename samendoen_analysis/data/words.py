"""Word counting: the single definition of "a word" used by every measure.

The article reports which group spoke most "in words", so the unit matters. A word is a run
of letters or digits, optionally joined by hyphens or apostrophes (``samen-DOEN``, ``zo'n``
and ``m'n`` are one word each). Punctuation, ellipses and the brackets of anonymisation markers
are not words; the marker text inside them is (``[naam school]`` is two words).
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from samendoen_analysis.data.columnar import arrow_strings

WORD_PATTERN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def count_words(text: str) -> int:
    """Count the words in one text.

    Parameters
    ----------
    text : str
        Any text; ``None``-like values are not accepted.

    Returns
    -------
    int
        Number of words as defined in this module.

    Examples
    --------
    >>> count_words("Samen-DOEN, dat is... lastig!")
    4
    >>> count_words("Ik appte [collega] even.")
    4
    """
    return len(WORD_PATTERN.findall(text))


def count_words_series(texts: pd.Series) -> pd.Series:
    """Count words in every text of a Series, vectorised.

    Parameters
    ----------
    texts : pandas.Series
        Text values.

    Returns
    -------
    pandas.Series
        Integer word counts with the same index.
    """
    column = arrow_strings(texts)
    if column is not None:
        return pd.Series(count_words_arrow(column), index=texts.index, name=texts.name)
    values = texts.to_numpy(dtype=object)
    # One regex findall per text made word counting a large share of loading a big corpus.
    # The same count, vectorised over blocks of texts (see _count_block).
    counts = np.empty(len(values), dtype=np.int64)
    for start in range(0, len(values), _BLOCK_ROWS):
        block = values[start : start + _BLOCK_ROWS]
        try:
            counts[start : start + len(block)] = _count_block(_code_points("\n".join(block)),
                                                              np.fromiter(map(len, block), np.int64, len(block)))
        except UnicodeEncodeError:  # lone surrogates: count these texts one by one
            counts[start : start + len(block)] = [len(WORD_PATTERN.findall(v)) for v in block]
        except TypeError:  # a value that is not a string (missing): the pandas way decides
            return texts.astype("string").str.count(WORD_PATTERN.pattern).astype("int64")
    return pd.Series(counts, index=texts.index, name=texts.name)


def count_words_arrow(texts: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Count words in every text of an Arrow string column (no missing values).

    The texts are taken from Arrow's UTF-8 buffer in blocks, decoded once per block (Arrow has
    checked that they are valid UTF-8) and counted by :func:`_count_block`; the two cores count
    blocks side by side (numpy releases the GIL). Every count equals
    ``len(WORD_PATTERN.findall(text))``.

    Parameters
    ----------
    texts : pyarrow.ChunkedArray or pyarrow.Array
        UTF-8 strings without missing values.

    Returns
    -------
    numpy.ndarray
        Word counts, int64, one per text.
    """
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks != 1 else texts.chunk(0)
    blocks = [texts.slice(start, _ARROW_BLOCK_ROWS) for start in range(0, len(texts), _ARROW_BLOCK_ROWS)]
    if not blocks:
        return np.zeros(0, dtype=np.int64)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return np.concatenate(list(pool.map(_count_arrow_block, blocks)))


def _count_arrow_block(block: pa.Array) -> np.ndarray:
    """Word counts of a slice of an Arrow string array, joined by "\n" as _count_block expects."""
    offset_type = np.int32 if pa.types.is_string(block.type) else np.int64
    offsets = np.frombuffer(block.buffers()[1], dtype=offset_type)[block.offset : block.offset + len(block) + 1]
    data = block.buffers()[2]
    text = "" if data is None else str(memoryview(data)[offsets[0] : offsets[-1]], "utf-8")
    lengths = np.asarray(pc.utf8_length(block).to_numpy(zero_copy_only=False), dtype=np.int64)
    return _count_block(_code_points(text), lengths, joined=False)


_BLOCK_ROWS = 1 << 16
_ARROW_BLOCK_ROWS = 1 << 13  # about 4 MB of text: bounds the four-byte code point copies
_JOINERS = [ord(c) for c in "-'’"]


def _shifted(flags: np.ndarray, by: int) -> np.ndarray:
    """``flags`` moved ``by`` places to the right, False shifted in (the text before the start)."""
    out = np.zeros_like(flags)
    out[by:] = flags[: max(len(flags) - by, 0)]
    return out


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _count_block(codes: np.ndarray, lengths: np.ndarray, joined: bool = True) -> np.ndarray:
    """Word counts of texts laid end to end as code points (``joined``: one "\\n" between two).

    A word starts at every letter or digit ([^\\W_] is exactly str.isalnum) that does not
    continue a word, that is, is not preceded within its text by a letter or digit, nor by a
    joiner (- ' ’) that itself follows a letter or digit.
    """
    alnum = ((codes >= 48) & (codes <= 57)) | ((codes | 32) >= 97) & ((codes | 32) <= 122)  # ASCII [0-9A-Za-z]
    high = codes >= 128
    if high.any():
        distinct, where = np.unique(codes[high], return_inverse=True)
        alnum[high] = np.array([chr(c).isalnum() for c in distinct], dtype=bool)[where]
    joiner = (codes == _JOINERS[0]) | (codes == _JOINERS[1]) | (codes == _JOINERS[2])
    before1, before2, joiner1 = _shifted(alnum, 1), _shifted(alnum, 2), _shifted(joiner, 1)
    first = np.r_[0, np.cumsum(lengths + joined)[:-1]]
    if not joined:  # nothing before a text's first character (or two back from its second) is its own
        before1[first[lengths > 0]] = joiner1[first[lengths > 0]] = before2[first[lengths > 0]] = False
        before2[first[lengths > 1] + 1] = False
    word_starts = np.flatnonzero(alnum & ~(before1 | (joiner1 & before2)))
    return np.searchsorted(word_starts, first + lengths) - np.searchsorted(word_starts, first)


__all__ = ["count_words", "count_words_arrow", "count_words_series"]
