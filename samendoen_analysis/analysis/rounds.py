"""Comparing interview rounds: does a finding of the first round replicate in the next?

Two views: per round, the group emphasis and every claim (:func:`claims_by_round`); and, for
people interviewed in more than one round (the same ``person_id``), how each person's own
emphasis moved (:func:`person_change`). A new round may hold returning and new people; only the
returning ones enter the second view.
"""

from __future__ import annotations

import pandas as pd

from samendoen_analysis.analysis.claims import evaluate_claims
from samendoen_analysis.analysis.measures import respondent_matrix
from samendoen_analysis.data.corpus import Corpus
from samendoen_analysis.vocabulary import LEVELS, check_option


def claims_by_round(corpus: Corpus, measure: str = "words", normalisation: str = "none") -> pd.DataFrame:
    """Evaluate every claim separately in each round, side by side.

    Parameters
    ----------
    corpus : Corpus
        A corpus with one or more rounds.
    measure, normalisation : str
        As in :func:`samendoen_analysis.analysis.claims.evaluate_claims`.

    Returns
    -------
    pandas.DataFrame
        One row per claim; per round a ``statistic`` and a ``holds`` column, and
        ``replicates``: True when the claim holds in every round, False when it fails in one,
        missing when it holds wherever it can be evaluated but some round cannot evaluate it.
    """
    frames = []
    for round_id in corpus.rounds:
        result = evaluate_claims(corpus.subset(rounds=[round_id]), measure, normalisation)
        frames.append(result.set_index("claim_id")[["statistic", "holds"]].add_prefix(f"{round_id} "))
    table = pd.concat(frames, axis=1)
    holds = table[[c for c in table.columns if c.endswith(" holds")]]
    # A round that cannot evaluate a claim (a group absent) neither confirms nor refutes it.
    fails = holds.eq(False).any(axis=1)
    unknown = holds.isna().any(axis=1)
    table["replicates"] = pd.Series(~fails, dtype="boolean").mask(~fails & unknown)
    return table.reset_index()


def returning_people(corpus: Corpus) -> pd.DataFrame:
    """Respondents whose person was interviewed in more than one round.

    Parameters
    ----------
    corpus : Corpus
        A corpus with a ``person_id`` column in its respondents.

    Returns
    -------
    pandas.DataFrame
        Their rows of ``respondents``, ordered by person and round.
    """
    people = corpus.respondents
    rounds = people.groupby("person_id", observed=True)["round"].transform("nunique")
    return people[rounds > 1].sort_values(["person_id", "round"], kind="stable")


def person_change(corpus: Corpus, level: str = "lens", measure: str = "words") -> pd.DataFrame:
    """Each returning person's emphasis per round: the share of their coded measure on each code.

    A share within the person, so that a longer or shorter interview in one round does not read
    as a change of emphasis.

    Parameters
    ----------
    corpus : Corpus
        A corpus with two or more rounds.
    level : {"lens", "subtheme"}
        Code level.
    measure : {"words", "segments", "respondents"}
        As in :func:`samendoen_analysis.analysis.measures.respondent_matrix`.

    Returns
    -------
    pandas.DataFrame
        Columns ``person_id``, ``role_group``, ``code_id``, one share (0 to 1) per round the person
        took part in (empty where they did not), and ``change``: the last round's share minus the
        first's. No rows when nobody returned.
    """
    check_option("level", level, LEVELS)
    people = returning_people(corpus)
    matrix = respondent_matrix(corpus, level, measure).loc[people["respondent_id"]]
    totals = matrix.sum(axis=1).replace(0, float("nan"))
    shares = matrix.div(totals, axis=0).fillna(0.0)
    shares.columns.name = "code_id"
    tidy = shares.stack().rename("share").reset_index()
    tidy = tidy.join(people.set_index("respondent_id")[["person_id", "round", "role_group"]], on="respondent_id")
    rounds = sorted(tidy["round"].unique())
    wide = tidy.pivot_table(index=["person_id", "code_id"], columns="round", values="share", observed=True,
                            sort=False).reindex(columns=rounds)
    first = wide.apply(lambda r: r.dropna().iloc[0], axis=1) if len(wide) else pd.Series(dtype=float)
    last = wide.apply(lambda r: r.dropna().iloc[-1], axis=1) if len(wide) else pd.Series(dtype=float)
    wide = wide.assign(change=last - first).reset_index()
    wide.columns.name = None
    groups = people.drop_duplicates("person_id", keep="last").set_index("person_id")["role_group"]
    wide.insert(1, "role_group", wide["person_id"].map(groups))
    order = {c: i for i, c in enumerate(matrix.columns)}
    return wide.sort_values(["person_id", "code_id"], key=lambda s: s.map(order) if s.name == "code_id" else s,
                            kind="stable").reset_index(drop=True)


__all__ = ["claims_by_round", "person_change", "returning_people"]
