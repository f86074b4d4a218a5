"""Descriptive tables of the sample and the codebook, and the short summary ``validate`` prints."""

from __future__ import annotations

import pandas as pd

from samendoen_analysis.analysis.measures import respondent_matrix
from samendoen_analysis.data.corpus import Corpus
from samendoen_analysis.vocabulary import CODABLE_KINDS, MEASURES


def sample_table(corpus: Corpus) -> pd.DataFrame:
    """Respondents per school and role group, with the school's type and follow-up.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.

    Returns
    -------
    pandas.DataFrame
        One row per school; a column per role group and a total.
    """
    counts = pd.crosstab(corpus.respondents["school_id"], corpus.respondents["role_group"], dropna=False)
    counts = counts.reindex(corpus.schools["school_id"], fill_value=0)
    counts["total"] = counts.sum(axis=1)
    info = corpus.schools.set_index("school_id")[["school_type", "region", "followup"]]
    return info.join(counts).reset_index()


def interviewer_table(corpus: Corpus) -> pd.DataFrame:
    """Interviews per interviewer and role group.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.

    Returns
    -------
    pandas.DataFrame
        One row per interviewer; a column per role group and a total.
    """
    counts = pd.crosstab(corpus.respondents["interviewer"], corpus.respondents["role_group"], dropna=False)
    counts["total"] = counts.sum(axis=1)
    return counts.reset_index()


def code_frequencies(corpus: Corpus) -> pd.DataFrame:
    """Coded segments and respondents per sub-theme and tag, in codebook order.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.

    Returns
    -------
    pandas.DataFrame
        Columns ``code_id``, ``parent_id``, ``label_nl``, ``label_en`` and one per measure.
    """
    measures = {m: respondent_matrix(corpus, "subtheme", m).sum() for m in MEASURES}
    book = corpus.codebook[corpus.codebook["kind"] != "lens"].set_index("code_id")
    table = book[["parent_id", "label_nl", "label_en"]].join(pd.DataFrame(measures))
    return table.reset_index()


def corpus_summary(corpus: Corpus) -> str:
    """A few lines describing a corpus: schools, respondents by role group, segments, words, codes.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.

    Returns
    -------
    str
        Plain text.
    """
    groups = corpus.respondents["role_group"].value_counts(sort=False)
    used = corpus.codings["code_id"].astype(str).nunique()
    codable = int(corpus.codebook["kind"].isin(CODABLE_KINDS).sum())
    origins = corpus.segments["origin"].value_counts().sort_index()
    return "\n".join(
        [
            f"data: {corpus.data_dir}",
            f"rounds: {', '.join(corpus.rounds)}",
            f"schools: {len(corpus.schools)}",
            f"respondents: {len(corpus.respondents)} (" + ", ".join(f"{g} {n}" for g, n in groups.items()) + ")",
            f"segments: {len(corpus.segments)} (" + ", ".join(f"{o} {n}" for o, n in origins.items()) + ")",
            f"words: {int(corpus.segments['words'].sum())}",
            f"codes used: {used} of {codable} codable; codings: {len(corpus.codings)}",
            "valid: yes",
        ]
    )


__all__ = ["code_frequencies", "corpus_summary", "interviewer_table", "sample_table"]
