"""Dutch and English labels from one table, so figures and tables switch language by parameter.

``labels.csv`` holds four kinds of keys: plain keys (role groups, measures, column names),
``column:value`` keys for the values of one column (a school's ``followup`` or ``school_type``:
the data stay as the article gives them, the English is added here), ``family_name`` keys for a
name that one family of tables labels its own way (``span_kappa`` is Brennan-Prediger's kappa in
the span tables, where ``kappa`` is Cohen's) and text templates with ``{placeholders}`` (figure
titles, the evidence of a claim in words). Its ``kind`` column marks the rows that are also
options (measures, normalisations): :mod:`samendoen_analysis.vocabulary` reads them from here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import pandas as pd

from samendoen_analysis.vocabulary import LANGUAGES, check_option, check_role_groups, labels_table


@cache
def _labels() -> dict[str, dict[str, str]]:
    return {row["key"]: {lang: row[lang] for lang in LANGUAGES} for row in labels_table()}


@cache
def _texts(lang: str) -> frozenset[str]:
    return frozenset(row[lang] for row in _labels().values())


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
    >>> label(label("kappa", "nl"), "nl")
    'Cohens kappa'
    """
    check_option("language", lang, LANGUAGES)
    if codebook is not None and key in set(codebook["code_id"]):
        return str(codebook.set_index("code_id").at[key, f"label_{lang}"])
    known = _labels().get(key)
    if known is not None:
        return known[lang]
    if key in _texts(lang):  # already labelled ("Cohens kappa"): labelling twice must not change it
        return key
    for separator in (" / ", " "):
        if separator in key:
            return separator.join(label(part, lang, codebook) for part in key.split(separator))
    return key


def ratio_label(groups: Sequence[str], lang: str) -> str:
    """Axis label of a ratio of two groups, such as "verhouding leraren / externe partners".

    Examples
    --------
    >>> ratio_label(["external_partner", "teacher"], "en")
    'ratio external partners / teachers'
    """
    first, second = (label(g, lang) for g in check_role_groups(groups))
    return f"{label('ratio', lang)} {first} / {second}"


def template(key: str, lang: str, **values: object) -> str:
    """Fill the text template ``key`` of ``labels.csv`` in a language.

    Examples
    --------
    >>> template("note_absent_panels", "en", groups="teachers", panels="S5")
    'Not shown (no teachers interviewed): S5'
    """
    return label(key, lang).format(**values)


def joined(items: list[str], lang: str, word: str = "and") -> str:
    """'a', 'a and b', 'a, b and c' in a language (``word``: ``and`` or ``or``).

    Examples
    --------
    >>> joined(["S2", "S5"], "nl", "or")
    'S2 of S5'
    """
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {label(word, lang)} {items[-1]}"


_NUMBER = r"(?:[-+0-9.e]+|inf|nan)"
_EVIDENCE = (
    ("evidence_subcodes",
     re.compile(rf"^with (?P<codes>\S+(?: or \S+)+) (?P<part>{_NUMBER}) of (?P<total>{_NUMBER})$")),
    ("evidence_cooccurrence", re.compile(rf"^with (?P<tag>\S+) (?P<part>{_NUMBER}) of (?P<total>{_NUMBER})$")),
    ("evidence_ratio", re.compile(rf"^(?P<group_a>\S+) (?P<a>{_NUMBER}) vs (?P<group_b>\S+) (?P<b>{_NUMBER})$")),
    ("evidence_share", re.compile(rf"^(?P<group>\S+) (?P<part>{_NUMBER}) of (?P<total>{_NUMBER})$")),
    ("evidence_top", re.compile(rf"^(?P<group>\S+): top (?P<top>\S+) \((?P<top_value>{_NUMBER})\), "
                                rf"(?P<code>\S+) (?P<value>{_NUMBER})$")),
)


def evidence_in_words(evidence: str, lang: str, codebook: pd.DataFrame | None = None) -> str:
    """The evidence of a claim (as :mod:`samendoen_analysis.analysis.claims` writes it) in words of a language.

    Group and code ids become their labels; a text in no known form is returned unchanged.

    Examples
    --------
    >>> evidence_in_words("teacher 1468 vs external_partner 275", "nl")
    'leraren 1468 tegen externe partners 275'
    >>> evidence_in_words("with absence or fear 3 of 4", "en")
    'in absence or fear: 3 of 4'
    """
    check_option("language", lang, LANGUAGES)
    parts = []
    for part in str(evidence).split("; "):
        for key, pattern in _EVIDENCE:
            match = pattern.match(part)
            if match:
                fields = {k: (v if re.fullmatch(_NUMBER, v) else label(v, lang, codebook))
                          for k, v in match.groupdict().items() if k != "codes"}
                if match.groupdict().get("codes"):
                    codes = [label(c, lang, codebook) for c in match["codes"].split(" or ")]
                    fields["codes"] = joined(codes, lang, "or")
                if key == "evidence_top" and match["top"] != match["code"]:
                    key = "evidence_top_other"
                parts.append(template(key, lang, **fields))
                break
        else:
            parts.append(part)
    return "; ".join(parts)


def translate_with(
    frame: pd.DataFrame, lang: str, codebook: pd.DataFrame | None, columns: Sequence[str], family: str = "",
) -> pd.DataFrame:
    """A copy of a table with the values of some columns and all column names in a language.

    A name is labelled by its ``family_name`` key when ``labels.csv`` has one (a family of
    tables, such as ``span``, that names a column its own way), else by :func:`label`
    (codes through the codebook).

    Examples
    --------
    >>> t = pd.DataFrame({"code_id": ["teacher"], "kappa": [0.5]})
    >>> translate_with(t, "nl", None, ["code_id"], family="span").columns.tolist()
    ['code', 'kappa (Brennan-Prediger)']
    """
    check_option("language", lang, LANGUAGES)
    labels = _labels()

    def name(key: object) -> str:
        own = labels.get(f"{family}_{key}") if family else None
        return own[lang] if own else label(str(key), lang, codebook)

    out = frame.copy()
    for column in columns:
        if column in out:
            out[column] = out[column].map(name)
    return out.rename(columns=name)


def _is_boolean(column: pd.Series) -> bool:
    values = column.dropna()
    return column.dtype == bool or (len(values) > 0 and values.map(lambda v: isinstance(v, bool)).all())


def _is_whole(column: pd.Series) -> bool:
    """A float column that holds counts (every value whole): shown as integers, not as ``36.00``."""
    if not pd.api.types.is_float_dtype(column):
        return False
    values = column.dropna()
    finite = values[values.abs() != float("inf")]
    return len(values) > 0 and len(finite) == len(values) and bool((finite == finite.round()).all())


def _composed(value: object, lang: str) -> object:
    """A value such as ``"words / none"`` (a measure and a normalisation) in words; others unchanged."""
    parts = str(value).split(" / ")
    labels = _labels()
    if len(parts) > 1 and all(part in labels for part in parts):
        return " / ".join(labels[part][lang] for part in parts)
    return value


def _values_in_words(column: pd.Series, name: str, lang: str) -> pd.Series:
    """Values of a column translated by ``column:value`` keys when every value has one, else composed values."""
    labels = _labels()
    values = column.dropna().astype(str)
    if len(values) > 0 and values.map(lambda v: f"{name}:{v}" in labels).all():
        return column.map(lambda v: labels[f"{name}:{v}"][lang] if pd.notna(v) else v)
    if values.str.contains(" / ", regex=False).any():
        return column.map(lambda v: _composed(v, lang) if pd.notna(v) else v)
    return column


def relabel(
    frame: pd.DataFrame,
    lang: str,
    codebook: pd.DataFrame | None = None,
    columns: tuple[str, ...] = ("role_group", "code_id"),
) -> pd.DataFrame:
    """Return a copy ready to show in a language: values, yes/no, whole counts and column names.

    Translated are the values of ``columns`` (label keys or codes), of every column whose values all
    have ``column:value`` keys, booleans (``ja``/``nee``, ``yes``/``no``) and a claim's ``evidence``;
    float columns holding only whole numbers become integers.

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
    for col in out.columns:
        if col in columns:
            out[col] = out[col].map(lambda v: label(str(v), lang, codebook))
        elif col == "evidence":
            out[col] = out[col].map(lambda v: evidence_in_words(v, lang, codebook) if pd.notna(v) else v)
        elif _is_boolean(out[col]):
            out[col] = out[col].map(lambda v: label(str(v).lower(), lang) if isinstance(v, bool) else v)
        elif _is_whole(out[col]):
            out[col] = out[col].astype("Int64")
        elif not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = _values_in_words(out[col], str(col), lang)
    return out.rename(columns=lambda c: label(str(c), lang, codebook))  # a code may be a column (co-occurrence)


__all__ = ["evidence_in_words", "joined", "label", "ratio_label", "relabel", "template", "translate_with"]
