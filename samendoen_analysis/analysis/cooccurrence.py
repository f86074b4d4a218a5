"""Which codes are applied to the same stretch of talk, such as corona with obstacles."""

from __future__ import annotations

import pandas as pd

from samendoen_analysis.analysis.measures import coded_units
from samendoen_analysis.data.corpus import Corpus
from samendoen_analysis.vocabulary import level_codes


def cooccurrence(corpus: Corpus, level: str = "lens") -> pd.DataFrame:
    """Number of segments carrying both codes, for every pair of codes at a level.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    level : {"lens", "subtheme"}
        Code level; tags such as corona are included at both.

    Returns
    -------
    pandas.DataFrame
        Square table, codes in codebook order; the diagonal counts segments with the code.
    """
    units = coded_units(corpus, level)
    codes = level_codes(corpus.codebook, level)
    incidence = pd.crosstab(units["segment_id"], units["code_id"]).reindex(columns=codes, fill_value=0)
    incidence = (incidence > 0).astype("int64")
    table = incidence.T @ incidence
    table.index.name, table.columns.name = "code_id", None
    return table


__all__ = ["cooccurrence"]
