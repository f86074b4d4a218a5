"""Word counting: the single definition of "a word" used by every measure.

The article reports which group spoke most "in words", so the unit matters. A word is a run
of letters or digits, optionally joined by hyphens or apostrophes (``samen-DOEN``, ``zo'n``
and ``m'n`` are one word each). Punctuation, ellipses and the brackets of anonymisation markers
are not words; the marker text inside them is (``[naam school]`` is two words).
"""

from __future__ import annotations

import re

import pandas as pd

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
    return texts.astype("string").str.count(WORD_PATTERN.pattern).astype("int64")
