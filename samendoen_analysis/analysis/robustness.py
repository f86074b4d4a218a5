"""How sure can we be with seventeen people? Claims under other measures, leave-one-out, bootstrap.

No QDA program reports whether a finding survives a change of measure or the loss of one
school or respondent. All of it is computed here from respondent-by-code matrices built once
per measure: leaving someone out subtracts rows, it never re-reads or re-validates data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samendoen_analysis.analysis.claims import claim_matrix, evaluate_table
from samendoen_analysis.analysis.measures import group_table, normalise, respondent_matrix
from samendoen_analysis.data.corpus import Corpus
from samendoen_analysis.vocabulary import MEASURES, NORMALISATIONS, base_codes


def _matrices(corpus: Corpus) -> dict[str, pd.DataFrame]:
    return {m: claim_matrix(corpus, m) for m in MEASURES}


def by_measure(corpus: Corpus) -> pd.DataFrame:
    """Each claim under every measure and normalisation.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id``, ``condition`` ("measure / normalisation"), ``statistic``, ``holds``.
    """
    matrices, lenses, frames = _matrices(corpus), base_codes(corpus.codebook, "lens"), []
    for measure, matrix in matrices.items():
        for norm in NORMALISATIONS:
            table = group_table(matrix, corpus.respondents, ("role_group",), norm, lenses)
            frames.append(evaluate_table(corpus.claims, table, lenses).assign(
                kind="measure", condition=f"{measure} / {norm}"))
    return pd.concat(frames, ignore_index=True)


def leave_one_out(corpus: Corpus, unit: str, measure: str = "words", normalisation: str = "none") -> pd.DataFrame:
    """Each claim with one school (or one respondent) left out at a time.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    unit : {"school_id", "respondent_id"}
        What to leave out.
    measure, normalisation : str
        As in :func:`samendoen_analysis.analysis.claims.evaluate_claims`.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id``, ``condition`` ("without S3"), ``statistic``, ``holds``.
    """
    matrix = claim_matrix(corpus, measure)
    people = corpus.respondents.set_index("respondent_id").reindex(matrix.index)
    units = pd.Series(matrix.index, index=matrix.index) if unit == "respondent_id" else people[unit]
    groups = people["role_group"]
    # Group totals without a unit are the full totals minus that unit's share, so each
    # iteration is a subtraction of small tables, not a new pass over the respondents.
    totals = matrix.groupby(groups, observed=True).sum()
    sizes = groups.value_counts().reindex(totals.index)
    by_unit = matrix.groupby([units, groups], observed=True).sum()
    unit_sizes = pd.Series(1, index=matrix.index).groupby([units, groups], observed=True).sum()
    lenses, frames = base_codes(corpus.codebook, "lens"), []
    for left_out in sorted(units.unique()):
        minus = by_unit.loc[left_out].reindex(totals.index, fill_value=0)
        remaining = sizes - unit_sizes.loc[left_out].reindex(totals.index, fill_value=0)
        kept = remaining > 0
        table = normalise(totals[kept] - minus[kept], remaining[kept], normalisation, lenses)
        frames.append(evaluate_table(corpus.claims, table, lenses).assign(
            kind=f"leave_out_{unit.removesuffix('_id')}", condition=f"without {left_out}"))
    return pd.concat(frames, ignore_index=True)


def robustness_table(corpus: Corpus) -> pd.DataFrame:
    """Every claim under every measure, without each school and without each respondent.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.

    Returns
    -------
    pandas.DataFrame
        Long table: ``claim_id``, ``kind``, ``condition``, ``statistic``, ``holds``.
    """
    frames = [by_measure(corpus), leave_one_out(corpus, "school_id"), leave_one_out(corpus, "respondent_id")]
    return pd.concat(frames, ignore_index=True)[["claim_id", "kind", "condition", "statistic", "holds"]]


def robustness_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per claim and kind of check: in how many conditions the claim holds.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`robustness_table`.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id``, ``kind``, ``holds``, ``conditions``, ``share``.
    """
    summary = table.groupby(["claim_id", "kind"], sort=False)["holds"].agg(holds="sum", conditions="size").reset_index()
    summary["holds"] = summary["holds"].astype("int64")
    summary["share"] = summary["holds"] / summary["conditions"]
    return summary


def bootstrap_ratios(
    corpus: Corpus,
    numerator: str = "teacher",
    denominator: str = "external_partner",
    measure: str = "words",
    n_boot: int = 2000,
    seed: int = 20201,
    level: float = 0.95,
) -> pd.DataFrame:
    """Bootstrap interval of the numerator/denominator group ratio per lens.

    Respondents are resampled with replacement within each of the two groups, so each
    resample keeps the group sizes; the ratio is of the groups' totals.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    numerator, denominator : str
        Role groups.
    measure : {"words", "segments", "respondents"}
        Measure of emphasis.
    n_boot : int
        Number of resamples.
    seed : int
        Seed of the random generator, for identical results on every run.
    level : float
        Coverage of the percentile interval; bounds may be ``inf``.

    Returns
    -------
    pandas.DataFrame
        Columns ``code_id``, ``ratio``, ``low``, ``high``, ``share_above_1``.
    """
    matrix = respondent_matrix(corpus, "lens", measure)
    groups = corpus.respondents.set_index("respondent_id")["role_group"].reindex(matrix.index)
    rng = np.random.default_rng(seed)
    sums = {}
    for group in (numerator, denominator):
        rows = matrix[(groups == group).to_numpy()].to_numpy(dtype="float64")
        draws = rng.integers(0, len(rows), size=(n_boot, len(rows)))
        sums[group] = rows[draws].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = sums[numerator] / sums[denominator]
        observed = matrix[(groups == numerator).to_numpy()].sum() / matrix[(groups == denominator).to_numpy()].sum()
    tail = (1 - level) / 2 * 100
    # No interpolation: a resample without any words of the second group gives an infinite
    # ratio, and an unbounded interval is the honest answer then.
    low, high = np.nanpercentile(ratios, [tail, 100 - tail], axis=0, method="inverted_cdf")
    return pd.DataFrame({
        "code_id": matrix.columns, "ratio": observed.to_numpy(), "low": low, "high": high,
        "share_above_1": (ratios > 1).mean(axis=0),
    })
