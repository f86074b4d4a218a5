"""The agreement and span-agreement tables in Dutch or English, ready to show.

:mod:`samendoen_analysis.analysis.agreement` and :mod:`samendoen_analysis.analysis.spans` compute
the statistics and name their columns with plain keys; naming them for a reader is presentation,
so it lives here, with the labels in ``labels.csv`` (keys ``agreement_*`` and ``span_*`` where
the two families name a column differently, such as their kappas).
"""

from __future__ import annotations

import pandas as pd

from samendoen_analysis.present.labels import translate_with


def agreement_table(frame: pd.DataFrame, lang: str, codebook: pd.DataFrame) -> pd.DataFrame:
    """A copy of an agreement table with codes, levels, summaries and column names in a language.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table of :mod:`samendoen_analysis.analysis.agreement` or ``agreement_intervals``.
    lang : {"nl", "en"}
        Language.
    codebook : pandas.DataFrame
        For code labels.

    Returns
    -------
    pandas.DataFrame
        Translated copy.

    Examples
    --------
    >>> table = pd.DataFrame({"level": ["lens"], "method": ["pooled"], "segments": [3], "kappa": [0.8]})
    >>> agreement_table(table, "nl", None).columns.tolist()
    ['niveau', 'samenvatting', 'segmenten', 'Cohens kappa']
    """
    return translate_with(frame, lang, codebook, ("code_id", "level", "method"), family="agreement")


def span_table(frame: pd.DataFrame, lang: str, codebook: pd.DataFrame) -> pd.DataFrame:
    """A copy of a span-agreement table with codes, domains and column names in a language.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table of :mod:`samendoen_analysis.analysis.spans`.
    lang : {"nl", "en"}
        Language.
    codebook : pandas.DataFrame
        For code and lens labels.

    Returns
    -------
    pandas.DataFrame
        Translated copy.

    Examples
    --------
    >>> table = pd.DataFrame({"domain": ["across_domains"], "kappa": [0.8], "alpha": [0.7]})
    >>> span_table(table, "en", None).iloc[0, 0], span_table(table, "en", None).columns.tolist()[1:]
    ('across domains', ['kappa (Brennan-Prediger)', 'alpha'])
    """
    return translate_with(frame, lang, codebook, ("code_id", "domain"), family="span")


__all__ = ["agreement_table", "span_table"]
