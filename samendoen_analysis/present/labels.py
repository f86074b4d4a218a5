"""Dutch and English labels from one table, so figures and tables switch language by parameter."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pandas as pd

LANGUAGES = ("nl", "en")
_TABLE = Path(__file__).with_name("labels.csv")


@cache
def _labels() -> dict[str, dict[str, str]]:
    with _TABLE.open(encoding="utf-8") as fh:
        return {row["key"]: {lang: row[lang] for lang in LANGUAGES} for row in csv.DictReader(fh)}


def label(key: str, lang: str, codebook: pd.DataFrame | None = None) -> str:
    """Return the label of a key (role group, measure, axis name or code) in a language.

    Parameters
    ----------
    key : str
        A key of ``labels.csv`` or, when ``codebook`` is given, a code id.
    lang : {"nl", "en"}
        Language.
    codebook : pandas.DataFrame, optional
        Codebook whose ``label_nl``/``label_en`` name the codes.

    Returns
    -------
    str
        The label, or the key itself when none is known.

    Examples
    --------
    >>> label("teacher", "nl")
    'leraren'
    """
    if codebook is not None and key in set(codebook["code_id"]):
        return str(codebook.set_index("code_id").at[key, f"label_{lang}"])
    return _labels().get(key, {}).get(lang, key)


def relabel(
    frame: pd.DataFrame,
    lang: str,
    codebook: pd.DataFrame | None = None,
    columns: tuple[str, ...] = ("role_group", "code_id"),
) -> pd.DataFrame:
    """Return a copy with values of some columns and all column names translated.

    Parameters
    ----------
    frame : pandas.DataFrame
        A tidy table.
    lang : {"nl", "en"}
        Language.
    codebook : pandas.DataFrame, optional
        For code labels.
    columns : tuple of str
        Columns whose values are keys to translate.

    Returns
    -------
    pandas.DataFrame
        Translated copy; the input is not changed.
    """
    out = frame.copy()
    for col in columns:
        if col in out:
            out[col] = out[col].map(lambda v: label(str(v), lang, codebook))
    return out.rename(columns=lambda c: label(c, lang))
