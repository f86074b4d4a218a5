"""Python's character classes spelled out for RE2, the regex engine of Apache Arrow.

Reading, validating and counting run as Arrow compute functions over whole columns, which use
RE2. RE2 and Python's ``re`` disagree on what ``\\w``, ``\\d`` and ``\\s`` mean outside ASCII,
and their Unicode tables can be of different versions; a class listed code point by code point
from Python's own ``re`` decides in RE2 exactly as it does in Python, so a word, a blank value
or a valid id is the same thing on both paths.
"""

from __future__ import annotations

import re
import sys
from functools import cache

import numpy as np


@cache
def _every_code_point() -> str:
    # Decoded in one C call; "".join(map(chr, ...)) takes ten times as long.
    return np.arange(sys.maxunicode + 1, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")


@cache
def spelled_out(python_class: str) -> str:
    """The RE2 class of exactly the characters that ``python_class`` matches in Python.

    Parameters
    ----------
    python_class : str
        A one-character Python pattern such as ``[^\\W_]`` or ``\\s``.

    Returns
    -------
    str
        A bracketed RE2 class of code point ranges, for example ``[\\x{30}-\\x{39}...]``.

    Examples
    --------
    >>> spelled_out("[0-9]")
    '[\\\\x{30}-\\\\x{39}]'
    """
    runs = re.finditer(f"(?:{python_class})+", _every_code_point())
    return "[" + "".join(f"\\x{{{m.start():x}}}-\\x{{{m.end() - 1:x}}}" for m in runs) + "]"


def to_re2(pattern: str, classes: tuple[str, ...]) -> str:
    """``pattern`` with each of the given Python classes replaced by its spelled-out RE2 class."""
    for python_class in classes:
        pattern = pattern.replace(python_class, spelled_out(python_class))
    return pattern


__all__ = ["spelled_out", "to_re2"]
