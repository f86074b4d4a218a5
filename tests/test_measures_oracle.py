"""The respondent matrix counts positions for speed; a plain pandas group-by is its oracle here.

The oracle is the first release's implementation, kept only in the tests: it joins ids and
groups them, which is slow but easy to read, and both must give the same table on every corpus.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from samendoen_analysis.analysis.measures import COUNTING, coded_units, respondent_matrix, segment_weights
from samendoen_analysis.data.corpus import Corpus
from samendoen_analysis.vocabulary import LEVELS, MEASURES, PAIR_SEPARATOR, level_codes


def oracle_matrix(corpus: Corpus, level: str, measure: str, pairs=()) -> pd.DataFrame:
    units = coded_units(corpus, level).dropna(subset=["code_id"])
    frames = [units]
    for first, second in pairs:
        both = set(units.loc[units["code_id"] == first, "segment_id"]) & set(
            units.loc[units["code_id"] == second, "segment_id"])
        rows = units[(units["code_id"] == first) & units["segment_id"].isin(both)]
        frames.append(rows.assign(code_id=f"{first}{PAIR_SEPARATOR}{second}"))
    units = pd.concat(frames, ignore_index=True)
    # The measure's own definition (what a segment counts for) is shared; the counting is not.
    weights = segment_weights(corpus, measure)
    values = pd.Series(1, index=units.index) if weights is None else units["segment_id"].map(
        pd.Series(weights, index=corpus.segments["segment_id"]))
    table = values.groupby([units["respondent_id"], units["code_id"]]).sum().unstack(fill_value=0)
    if COUNTING[measure].presence:
        table = (table > 0).astype("int64")
    columns = level_codes(corpus.codebook, level) + [f"{a}{PAIR_SEPARATOR}{b}" for a, b in pairs]
    return table.reindex(index=corpus.respondents["respondent_id"], columns=columns, fill_value=0).astype("int64")


def _random_corpus(corpus: Corpus, seed: int) -> Corpus:
    """A random part of the corpus: some respondents, segments and codings dropped."""
    rng = np.random.default_rng(seed)
    respondents = corpus.respondents[rng.random(len(corpus.respondents)) < rng.uniform(0.3, 1.0)]
    segments = corpus.segments[rng.random(len(corpus.segments)) < rng.uniform(0.0, 1.0)]
    codings = corpus.codings[corpus.codings["segment_id"].isin(segments["segment_id"])]
    codings = codings[rng.random(len(codings)) < rng.uniform(0.2, 1.0)]
    return replace(corpus, respondents=respondents.reset_index(drop=True), segments=segments.reset_index(drop=True),
                   codings=codings.reset_index(drop=True))


def _compare(corpus: Corpus, pairs=()) -> None:
    for level in LEVELS:
        for measure in MEASURES:
            fast = respondent_matrix(corpus, level, measure, pairs)
            expected = oracle_matrix(corpus, level, measure, pairs)
            pd.testing.assert_frame_equal(fast, expected, check_names=False, check_index_type=False,
                                          check_column_type=False)


@pytest.mark.parametrize("seed", range(12))
def test_counting_matches_the_group_by_oracle_on_random_corpora(corpus, seed):
    _compare(_random_corpus(corpus, seed), pairs=[("corona", "obstacles"), ("ideal", "positive")])


def test_counting_matches_the_oracle_on_the_whole_corpus(corpus):
    _compare(corpus, pairs=[("corona", "obstacles")])


def test_counting_matches_the_oracle_without_any_coding(corpus):
    _compare(replace(corpus, codings=corpus.codings.iloc[:0]))


def test_unknown_options_are_refused(corpus):
    with pytest.raises(ValueError, match="unknown measure 'word'; valid values: words, segments, respondents"):
        respondent_matrix(corpus, measure="word")
    with pytest.raises(ValueError, match="unknown level 'theme'"):
        respondent_matrix(corpus, level="theme")
