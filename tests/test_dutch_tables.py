"""Every header of a Dutch table is Dutch: each table the notebooks write, rendered in ``nl``.

A header passes when it is a Dutch label of ``labels.csv`` or of the codebook, an id from the
data (round, coder, interviewer) or made of those (``"R1 klopt"``, ``"woorden / absoluut"``).
The Dutch words come from the labels file itself, not from a list in this test, so a new column
without a Dutch label fails here.
"""

from __future__ import annotations

import pandas as pd
import pytest

from samendoen_analysis.analysis import agreement as ag
from samendoen_analysis.analysis import agreement_intervals as ai
from samendoen_analysis.analysis import spans as sa
from samendoen_analysis.analysis.claims import evaluate_claims
from samendoen_analysis.analysis.cooccurrence import cooccurrence
from samendoen_analysis.analysis.measures import emphasis
from samendoen_analysis.analysis.retrieval import retrieve
from samendoen_analysis.analysis.robustness import compare_ratios, robustness_summary, robustness_table
from samendoen_analysis.analysis.rounds import claims_by_round, person_change
from samendoen_analysis.analysis.summary import code_frequencies, interviewer_table, sample_table
from samendoen_analysis.paths import PROJECT_ROOT
from samendoen_analysis.present.agreement_tables import agreement_table, span_table
from samendoen_analysis.present.labels import relabel
from samendoen_analysis.present.tables import wide
from samendoen_analysis.qdpx.spans import read_coder_spans
from samendoen_analysis.vocabulary import labels_table

COMPARE = ["teacher", "external_partner"]


def _tables(corpus) -> dict[str, tuple[pd.DataFrame, tuple[str, ...]]]:
    """Each table as the notebooks build it, with the columns whose values ``relabel`` translates."""
    book, independent = corpus.codebook, corpus.independent_codings
    claims = evaluate_claims(corpus)
    robust = robustness_table(corpus)
    by_round = emphasis(corpus, by=("round", "role_group"))
    by_round = by_round[by_round["role_group"].isin(COMPARE)].assign(
        column=lambda d: d["round"] + " " + d["role_group"].astype(str))
    found = ag.disagreements(independent, book, "lens", corpus.codings, corpus.segments)
    example = read_coder_spans(PROJECT_ROOT / "examples" / "two_coders" / "twee-codeurs.qdpx", book)
    domains = sa.lens_domains(book)
    agreement = {
        "07_agreement_summary": ag.agreement_summary(independent, book),
        "07_agreement_lens": ag.agreement_by_code(independent, book, "lens"),
        "07_agreement_lens_intervals": ai.code_intervals(independent, book, "lens"),
        "07_disagreements": found,
        "07_prevailed": ag.prevailed(found),
        "07_agreement_by_interviewer": ag.agreement_by_group(
            independent, book, "lens", corpus.segments.set_index("segment_id")["respondent_id"].map(
                corpus.respondents.set_index("respondent_id")["interviewer"])).rename(columns={"group": "interviewer"}),
    }
    spans = {
        "07_span_summary": sa.span_summary({"example": (example.spans, example.lengths)}, domains),
        "07_span_by_code": sa.span_agreement_by_code(example.spans, example.lengths),
        "07_span_cu_alpha": sa.cu_alpha(example.spans, example.lengths, domains),
        "07_span_unmatched": sa.with_text(sa.unmatched_spans(example.spans), example.texts),
    }
    return {
        "01_sample": (sample_table(corpus), ()),
        "01_interviewers": (interviewer_table(corpus), ()),
        "02_code_frequencies": (code_frequencies(corpus)[["code_id", "parent_id", "segments", "respondents", "words"]],
                                ("code_id", "parent_id")),
        "03_emphasis": (wide(emphasis(corpus), "code_id", "role_group"), ("code_id",)),
        "03_ratio_by_measure": (compare_ratios(corpus, *COMPARE).reset_index(), ("code_id",)),
        "04_claims": (claims[["claim_id", "code_id", "summary_nl", "evidence", "statistic", "threshold", "verdict",
                              "reason", "effect", "ci_low", "ci_high", "p_value", "flip_threshold", "design"]],
                      ("code_id",)),
        "04_robustness_long": (robust, ()),
        "04_robustness": (robustness_summary(robust), ("kind",)),
        "05_quotes": (retrieve(corpus, per_cell=2, groups=COMPARE), ("role_group", "code_id")),
        "05_cooccurrence": (cooccurrence(corpus, "lens").reset_index(), ("code_id",)),
        "06_respondents_by_round": (pd.crosstab(corpus.respondents["round"],
                                                corpus.respondents["role_group"]).reset_index(), ()),
        "06_emphasis_by_round": (wide(by_round, "code_id", "column"), ("code_id",)),
        "06_person_change": (person_change(corpus, "lens"), ("role_group", "code_id")),
        "06_claims_by_round": (claims_by_round(corpus), ()),
        "07_agreement_intervals": (ai.agreement_intervals(independent, book), ("level", "statistic")),
        **{name: (agreement_table(t, "nl", book), ()) for name, t in agreement.items()},
        **{name: (span_table(t, "nl", book), ()) for name, t in spans.items()},
    }


def _dutch_words(corpus) -> set[str]:
    return {row["nl"] for row in labels_table()} | set(corpus.codebook["label_nl"].astype(str))


def _ids(corpus) -> set[str]:
    return (set(corpus.rounds) | set(ag.coders(corpus.independent_codings))
            | set(corpus.respondents["interviewer"].astype(str)))


def is_dutch(header: str, words: set[str], ids: set[str]) -> bool:
    """A Dutch label, an id, or labels and ids joined by " / " or spaces ("R1 externe partners")."""
    known = words | ids
    if " / " in header:
        return all(is_dutch(part, words, ids) for part in header.split(" / "))
    tokens = header.split(" ")
    return header in known or any(" ".join(tokens[:i]) in known and is_dutch(" ".join(tokens[i:]), words, ids)
                                  for i in range(1, len(tokens)))


@pytest.fixture(scope="module")
def tables(corpus):
    return _tables(corpus)


def test_every_header_of_every_dutch_table_is_dutch(corpus, tables):
    words, ids = _dutch_words(corpus), _ids(corpus)
    shown = {name: relabel(frame, "nl", corpus.codebook, columns) for name, (frame, columns) in tables.items()}
    left = {name: [h for h in frame.columns if not is_dutch(str(h), words, ids)] for name, frame in shown.items()}
    assert {name: headers for name, headers in left.items() if headers} == {}


def test_the_check_finds_an_english_header(corpus):
    words, ids = _dutch_words(corpus), _ids(corpus)
    assert is_dutch("R1 klopt", words, ids) and is_dutch("woorden / absoluut", words, ids)
    assert not is_dutch("R1 holds", words, ids) and not is_dutch("ci_low", words, ids)
    assert not is_dutch("words / none", words, ids) and not is_dutch("R1 external partners", words, ids)
    assert is_dutch("R1 externe partners", words, ids)
