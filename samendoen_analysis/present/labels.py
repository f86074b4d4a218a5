"""Dutch and English labels from one table, so figures and tables switch language by parameter."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import pandas as pd

from samendoen_analysis.vocabulary import LANGUAGES, check_option

_TABLE = Path(__file__).with_name("labels.csv")


@cache
def _labels() -> dict[str, dict[str, str]]:
    with _TABLE.open(encoding="utf-8") as fh:
        return {row["key"]: {lang: row[lang] for lang in LANGUAGES} for row in csv.DictReader(fh)}


def label(key: str, lang: str, codebook: pd.DataFrame | None = None) -> str:
    """Return the label of a key (role group, measure, axis name or code) in a language.

    A composite column name, made of keys joined by " / " or by spaces (``"words / none"``,
    ``"R1 teacher"``), is labelled part by part, so tables whose headers combine several
    names are translated as a whole.

    Parameters
    ----------
    key : str
        A key of ``labels.csv``, a code id when ``codebook`` is given, or a composite of keys.
    lang : {"nl", "en"}
        Language.
    codebook : pandas.DataFrame, optional
        Codebook whose ``label_nl``/``label_en`` name the codes.

    Returns
    -------
    str
        The label; a part that no table knows (such as a round id) is kept as it is.

    Examples
    --------
    >>> label("teacher", "nl")
    'leraren'
    >>> label("R1 holds", "nl")
    'R1 klopt'
    >>> label("words / share_within_code", "en")
    'words / % within code'
    """
    check_option("language", lang, LANGUAGES)
    if codebook is not None and key in set(codebook["code_id"]):
        return str(codebook.set_index("code_id").at[key, f"label_{lang}"])
    known = _labels().get(key)
    if known is not None:
        return known[lang]
    for separator in (" / ", " "):
        if separator in key:
            return separator.join(label(part, lang, codebook) for part in key.split(separator))
    return key


def ratio_label(groups: Sequence[str], lang: str) -> str:
    """Axis label of a ratio of two groups, such as "leraren / externe partners".

    Examples
    --------
    >>> ratio_label(["external_partner", "teacher"], "en")
    'ratio external partners / teachers'
    """
    first, second = (label(g, lang) for g in groups)
    return f"{label('ratio_of', lang)} {first} / {second}"


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
    check_option("language", lang, LANGUAGES)
    out = frame.copy()
    for col in columns:
        if col in out:
            out[col] = out[col].map(lambda v: label(str(v), lang, codebook))
    return out.rename(columns=lambda c: label(c, lang))


__all__ = ["label", "ratio_label", "relabel"]
