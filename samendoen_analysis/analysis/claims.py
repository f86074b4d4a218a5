"""The article's findings as testable claims, evaluated on any corpus.

The claims live in ``data/claims.csv`` (what the article says, where, and how it is tested);
this module only computes. Every claim reads one group-by-code table, so the same function
serves the plain evaluation, every measure and normalisation, and leave-one-out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samendoen_analysis.analysis.measures import group_table, respondent_matrix
from samendoen_analysis.data.corpus import Corpus
from samendoen_analysis.vocabulary import PAIR_SEPARATOR, base_codes

SUBCODE_SEPARATOR = ">"


def split_groups(value: str) -> list[str]:
    """Split a claim's ``groups`` field ("teacher;external_partner") into a list."""
    return [g for g in value.split(";") if g]


def claim_pairs(claims: pd.DataFrame) -> list[tuple[str, str]]:
    """Code pairs that co-occurrence claims need as extra matrix columns."""
    rows = claims[claims["test"] == "co_occurrence"]
    return [(row.code_id, split_groups(row.groups)[0]) for row in rows.itertuples()]


def _subcode_column(code: str, subcodes: str) -> str:
    """Name of the matrix column a ``subcode_share`` claim reads ("corona>corona.absence;...")."""
    return f"{code}{SUBCODE_SEPARATOR}{subcodes}"


def subcode_columns(corpus: Corpus, measure: str = "words") -> pd.DataFrame:
    """Per respondent, the measure of segments carrying any of a subcode_share claim's sub-codes.

    A segment with two of the sub-codes counts once, so the share can never exceed 1.
    """
    index = pd.Index(corpus.respondents["respondent_id"], name="respondent_id")
    out = pd.DataFrame(index=index)
    codes = corpus.codings["code_id"].astype(str)
    for row in corpus.claims[corpus.claims["test"] == "subcode_share"].itertuples():
        hit = corpus.codings.loc[codes.isin(split_groups(row.subcodes)), "segment_id"].unique()
        segments = corpus.segments[corpus.segments["segment_id"].isin(hit)]
        values = segments["words"] if measure == "words" else pd.Series(1, index=segments.index)
        per = values.groupby(segments["respondent_id"]).sum().reindex(index, fill_value=0)
        out[_subcode_column(row.code_id, row.subcodes)] = (per > 0 if measure == "respondents" else per).astype("int64")
    return out


def claim_matrix(corpus: Corpus, measure: str = "words") -> pd.DataFrame:
    """The lens-level respondent matrix with the extra columns the corpus's claims read."""
    matrix = respondent_matrix(corpus, "lens", measure, claim_pairs(corpus.claims))
    extra = subcode_columns(corpus, measure)
    return matrix.join(extra) if len(extra.columns) else matrix


def _value(table: pd.DataFrame, group: str, code: str) -> float:
    return float(table.at[group, code]) if group in table.index else 0.0


def _ratio(a: float, b: float) -> float:
    return a / b if b else (np.inf if a else np.nan)


def check_claim(claim: pd.Series, table: pd.DataFrame, lenses: list[str]) -> tuple[float, bool, str]:
    """Evaluate one claim on a group-by-code table.

    Parameters
    ----------
    claim : pandas.Series
        A row of the claims table.
    table : pandas.DataFrame
        Rows role groups, columns codes (lenses, tags and ``a&b`` pair columns).
    lenses : list of str
        The lens codes a ``top_code`` claim ranks.

    Returns
    -------
    tuple of (float, bool, str)
        The test statistic, whether the claim holds, and the evidence in words.
    """
    groups, code, test = split_groups(claim["groups"]), claim["code_id"], claim["test"]
    if test == "top_code":
        ranked = {
            g: table.loc[g, lenses].astype(float) if g in table.index else pd.Series(0.0, index=lenses) for g in groups
        }
        margins = [float(r[code] - r.drop(code).max()) for r in ranked.values()]
        evidence = "; ".join(f"{g}: top {r.idxmax()} ({r.max():.4g}), {code} {r[code]:.4g}" for g, r in ranked.items())
        return min(margins), all(m > 0 for m in margins), evidence
    if test == "ratio":
        a, b = (_value(table, g, code) for g in groups)
        stat = _ratio(a, b)
        return stat, bool(stat >= claim["threshold"]), f"{groups[0]} {a:.4g} vs {groups[1]} {b:.4g}"
    if test == "share_of_code":
        total = float(table[code].sum())
        stat = _value(table, groups[0], code) / total if total else np.nan
        return (
            stat,
            bool(stat >= claim["threshold"]),
            f"{groups[0]} {_value(table, groups[0], code):.4g} of {total:.4g}",
        )
    if test == "subcode_share":
        part = _value(table, groups[0], _subcode_column(code, claim["subcodes"]))
        whole = _value(table, groups[0], code)
        stat = part / whole if whole else np.nan
        return stat, bool(stat >= claim["threshold"]), f"{groups[0]}: {part:.4g} of {whole:.4g} in {claim['subcodes']}"
    pair = f"{code}{PAIR_SEPARATOR}{groups[0]}"
    both, total = float(table[pair].sum()), float(table[code].sum())
    stat = both / total if total else np.nan
    return stat, bool(stat >= claim["threshold"]), f"with {groups[0]} {both:.4g} of {total:.4g}"


def evaluate_table(claims: pd.DataFrame, table: pd.DataFrame, lenses: list[str]) -> pd.DataFrame:
    """Evaluate every claim on one group-by-code table.

    Parameters
    ----------
    claims : pandas.DataFrame
        The claims table.
    table : pandas.DataFrame
        Rows role groups, columns codes including pair columns.
    lenses : list of str
        Lens codes.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id``, ``statistic``, ``holds``, ``evidence``.
    """
    rows = [(c.claim_id, *check_claim(pd.Series(c._asdict()), table, lenses)) for c in claims.itertuples(index=False)]
    return pd.DataFrame(rows, columns=["claim_id", "statistic", "holds", "evidence"])


def evaluate_claims(corpus: Corpus, measure: str = "words", normalisation: str = "none") -> pd.DataFrame:
    """Evaluate the corpus's claims and return evidence and verdict per claim.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus, possibly a subset.
    measure : {"words", "segments", "respondents"}
        Measure of emphasis.
    normalisation : {"none", "per_respondent", "share_within_group", "share_within_code"}
        Normalisation of the role-group table.

    Returns
    -------
    pandas.DataFrame
        The claims with ``statistic``, ``threshold``, ``holds`` and ``evidence``.
    """
    matrix = claim_matrix(corpus, measure)
    lenses = base_codes(corpus.codebook, "lens")
    table = group_table(matrix, corpus.respondents, ("role_group",), normalisation, lenses)
    verdicts = evaluate_table(corpus.claims, table, lenses)
    columns = ["claim_id", "code_id", "test", "groups", "threshold", "section", "summary_en", "summary_nl"]
    return corpus.claims[columns].merge(verdicts, on="claim_id").assign(measure=measure, normalisation=normalisation)
