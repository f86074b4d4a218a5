"""Checking notebook parameters before any work, with the valid values in the message.

Papermill passes ``-p schools S3`` as the string "S3", so list parameters accept a list, a
single value or a comma-separated string.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from samendoen_analysis.data.corpus import Corpus
from samendoen_analysis.errors import ParameterError
from samendoen_analysis.vocabulary import LANGUAGES, MEASURES, NORMALISATIONS, ROLE_GROUPS, check_option


def as_list(value: str | Iterable[str] | None) -> list[str]:
    """Turn a parameter value into a list of strings.

    Examples
    --------
    >>> as_list("S1, S3")
    ['S1', 'S3']
    >>> as_list(None)
    []
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


def check_choices(name: str, values: str | Iterable[str] | None, valid: Iterable[str]) -> list[str]:
    """Return the values as a list if each is in ``valid``, else raise a ParameterError."""
    return [check_option(name, v, valid) for v in as_list(values)]


@dataclass(frozen=True)
class Selection:
    """Validated common parameters of the notebooks."""

    rounds: list[str]
    schools: list[str]
    role_groups: list[str]
    measure: str
    normalisation: str
    lang: str


def check_parameters(
    corpus: Corpus,
    rounds: str | Iterable[str] | None = None,
    schools: str | Iterable[str] | None = None,
    role_groups: str | Iterable[str] | None = None,
    measure: str = "words",
    normalisation: str = "none",
    lang: str = "nl",
) -> Selection:
    """Validate the common notebook parameters against the corpus.

    Parameters
    ----------
    corpus : Corpus
        The loaded corpus, which says which rounds and schools exist.
    rounds, schools, role_groups : str or list of str, optional
        Selections; empty means all.
    measure, normalisation, lang : str
        See :mod:`samendoen_analysis.analysis.measures` and :mod:`samendoen_analysis.present.labels`.

    Returns
    -------
    Selection
        The parameters as lists and checked strings.

    Raises
    ------
    ParameterError
        Naming the parameter, the bad value and the valid values.
    """
    return Selection(
        rounds=check_choices("round", rounds, corpus.rounds),
        schools=check_choices("school", schools, corpus.schools["school_id"]),
        role_groups=check_choices("role group", role_groups, ROLE_GROUPS),
        measure=check_option("measure", measure, MEASURES),
        normalisation=check_option("normalisation", normalisation, NORMALISATIONS),
        lang=check_option("language", lang, LANGUAGES),
    )


__all__ = ["ParameterError", "Selection", "as_list", "check_choices", "check_parameters"]
