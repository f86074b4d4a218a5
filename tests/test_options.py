"""Every public function refuses an unknown option on entry, with one message listing the valid values.

Each case calls one public function with one option set to a value no function knows; the call must
raise ``ValueError`` (``ParameterError`` is one) saying ``unknown <what> 'bogus'; valid values: ...``,
never count something else silently or fail later with a ``KeyError``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from samendoen_analysis import vocabulary as voc
from samendoen_analysis.analysis import (
    agreement,
    agreement_intervals,
    claims,
    cooccurrence,
    measures,
    retrieval,
    robustness,
    rounds,
    spans,
    summary,
)
from samendoen_analysis.data import schema
from samendoen_analysis.present import agreement_tables, captions, figures, labels, span_figures
from samendoen_analysis.qdpx import read
from samendoen_analysis.run import notebook, outputs, params, report
from samendoen_analysis.teaching import checks, helpers

BAD = "bogus"


def _ind(c):
    return c.independent_codings


def _spans():
    return pd.DataFrame({"source": ["R1"] * 2, "coder": ["A", "B"], "start": [0, 0], "end": [5, 5],
                         "code_id": ["x", "x"]})


def _claim(c):
    return c.claims.iloc[0].copy()


def _bad_test(c):
    claim = _claim(c)
    claim["test"] = BAD
    return claim


def _agreement_call(name, level, pair):
    function = getattr(agreement, name)
    if pair is None:
        return lambda c: function(_ind(c), c.codebook, level)
    return lambda c: function(_ind(c), c.codebook, level, pair=pair)


def _span_pair_call(name):
    function = getattr(spans, name)
    return lambda c: function(_spans(), pair=(BAD, "A"))


# (id, what the message names, the call with BAD in the option)
CASES = [
    ("measures.coded_units level", "level", lambda c: measures.coded_units(c, level=BAD)),
    ("measures.respondent_matrix level", "level", lambda c: measures.respondent_matrix(c, level=BAD)),
    ("measures.respondent_matrix measure", "measure", lambda c: measures.respondent_matrix(c, measure=BAD)),
    ("measures.normalise normalisation", "normalisation",
     lambda c: measures.normalise(pd.DataFrame({"a": [1.0]}), pd.Series([1]), BAD)),
    ("measures.group_table normalisation", "normalisation",
     lambda c: measures.group_table(measures.respondent_matrix(c), c.respondents, normalisation=BAD)),
    ("measures.group_table by", "respondent column",
     lambda c: measures.group_table(measures.respondent_matrix(c), c.respondents, by=(BAD,))),
    ("measures.emphasis level", "level", lambda c: measures.emphasis(c, level=BAD)),
    ("measures.emphasis measure", "measure", lambda c: measures.emphasis(c, measure=BAD)),
    ("measures.emphasis normalisation", "normalisation", lambda c: measures.emphasis(c, normalisation=BAD)),
    ("measures.emphasis by", "respondent column", lambda c: measures.emphasis(c, by=(BAD,))),
    ("measures.multi_code_segments level", "level", lambda c: measures.multi_code_segments(c, level=BAD)),
    ("measures.split_matrix level", "level", lambda c: measures.split_matrix(c, level=BAD)),
    ("measures.split_matrix measure", "measure", lambda c: measures.split_matrix(c, measure=BAD)),
    ("claims.claim_matrix measure", "measure", lambda c: claims.claim_matrix(c, measure=BAD)),
    ("claims.evaluate_claims measure", "measure", lambda c: claims.evaluate_claims(c, measure=BAD)),
    ("claims.evaluate_claims normalisation", "normalisation",
     lambda c: claims.evaluate_claims(c, normalisation=BAD)),
    ("claims.check_claim test", "claim test",
     lambda c: claims.check_claim(_bad_test(c), pd.DataFrame(), voc.base_codes(c.codebook, "lens"))),
    ("claims.claim_inference test", "claim test",
     lambda c: claims.claim_inference(_bad_test(c), claims.claim_matrix(c), c.respondents, [])),
    ("cooccurrence.cooccurrence level", "level", lambda c: cooccurrence.cooccurrence(c, level=BAD)),
    ("retrieval.retrieve groups", "role group", lambda c: retrieval.retrieve(c, groups=[BAD])),
    ("robustness.leave_one_out unit", "unit", lambda c: robustness.leave_one_out(c, BAD)),
    ("robustness.leave_one_out measure", "measure", lambda c: robustness.leave_one_out(c, "school_id", measure=BAD)),
    ("robustness.leave_one_out normalisation", "normalisation",
     lambda c: robustness.leave_one_out(c, "school_id", normalisation=BAD)),
    ("robustness.robustness_table measure", "measure", lambda c: robustness.robustness_table(c, measure=BAD)),
    ("robustness.robustness_table normalisation", "normalisation",
     lambda c: robustness.robustness_table(c, normalisation=BAD)),
    ("robustness.compare_ratios first", "role group", lambda c: robustness.compare_ratios(c, BAD, "teacher")),
    ("robustness.compare_ratios second", "role group", lambda c: robustness.compare_ratios(c, "teacher", BAD)),
    ("robustness.compare_ratios level", "level",
     lambda c: robustness.compare_ratios(c, "teacher", "external_partner", level=BAD)),
    ("robustness.bootstrap_ratios numerator", "role group",
     lambda c: robustness.bootstrap_ratios(c, numerator=BAD, n_boot=2)),
    ("robustness.bootstrap_ratios denominator", "role group",
     lambda c: robustness.bootstrap_ratios(c, denominator=BAD, n_boot=2)),
    ("robustness.bootstrap_ratios measure", "measure", lambda c: robustness.bootstrap_ratios(c, measure=BAD, n_boot=2)),
    ("rounds.claims_by_round measure", "measure", lambda c: rounds.claims_by_round(c, measure=BAD)),
    ("rounds.claims_by_round normalisation", "normalisation", lambda c: rounds.claims_by_round(c, normalisation=BAD)),
    ("rounds.person_change level", "level", lambda c: rounds.person_change(c, level=BAD)),
    ("rounds.person_change measure", "measure", lambda c: rounds.person_change(c, measure=BAD)),
    *[(f"agreement.{name} level", "level", _agreement_call(name, BAD, None))
      for name in ("lifted", "decisions", "agreement_by_code", "overall_agreement", "code_sets", "identical_share",
                   "confusion_pairs", "confusion_matrix", "disagreements")],
    ("agreement.agreement_by_group level", "level",
     lambda c: agreement.agreement_by_group(_ind(c), c.codebook, BAD, pd.Series(dtype=str))),
    *[(f"agreement.{name} pair", "coder",
       _agreement_call(name, "lens", (BAD, "I1")))
      for name in ("agreement_by_code", "overall_agreement", "code_sets", "identical_share", "confusion_pairs",
                   "confusion_matrix", "disagreements")],
    ("agreement.agreement_by_group pair", "coder",
     lambda c: agreement.agreement_by_group(_ind(c), c.codebook, "lens", pd.Series(dtype=str), pair=(BAD, "I1"))),
    ("agreement.agreement_summary pair", "coder",
     lambda c: agreement.agreement_summary(_ind(c), c.codebook, pair=("I1", BAD))),
    ("agreement.coder_pair pair", "coder", lambda c: agreement.coder_pair(_ind(c), pair=(BAD, "I2"))),
    ("agreement_intervals.code_intervals level", "level",
     lambda c: agreement_intervals.code_intervals(_ind(c), c.codebook, BAD, n_boot=2)),
    ("agreement_intervals.code_intervals pair", "coder",
     lambda c: agreement_intervals.code_intervals(_ind(c), c.codebook, "lens", pair=(BAD, "I1"), n_boot=2)),
    ("agreement_intervals.agreement_intervals pair", "coder",
     lambda c: agreement_intervals.agreement_intervals(_ind(c), c.codebook, pair=(BAD, "I1"), n_boot=2)),
    *[(f"spans.{name} pair", "coder", _span_pair_call(name))
      for name in ("match_spans", "overlap_agreement", "unmatched_spans")],
    ("spans.segment_codes pair", "coder", lambda c: spans.segment_codes(_spans(), c.segments, pair=(BAD, "A"))),
    ("helpers.crossed_schools groups", "role group", lambda c: helpers.crossed_schools(c, [BAD, "teacher"])),
    ("helpers.side_by_side groups", "role group", lambda c: helpers.side_by_side(c, [BAD, "teacher"], ["S1"])),
    ("checks.check name", "check", lambda c: checks.check(BAD, 1, c)),
    ("checks.verdict name", "check", lambda c: checks.verdict(BAD, 1, c)),
    ("outputs.outputs notebook", "notebook", lambda c: outputs.outputs(BAD)),
    ("outputs.outputs kind", "output kind", lambda c: outputs.outputs("03_emphasis", kind=BAD)),
    ("outputs.Output.caption lang", "language", lambda c: outputs.outputs("03_emphasis")[0].caption(BAD)),
    ("outputs.Output.reading lang", "language", lambda c: outputs.outputs("03_emphasis", "figure")[0].reading(BAD)),
    ("outputs.declared kind", "output kind", lambda c: outputs.declared(BAD, "03_emphasis")),
    ("captions.Sentence lang", "language", lambda c: captions.Sentence(nl="a", en="b")(BAD)),
    ("captions.Output kind", "output kind", lambda c: captions.Output(BAD, "x", captions.Sentence(nl="a", en="b"))),
    ("params.check_parameters measure", "measure", lambda c: params.check_parameters(c, measure=BAD)),
    ("params.check_parameters normalisation", "normalisation",
     lambda c: params.check_parameters(c, normalisation=BAD)),
    ("params.check_parameters lang", "language", lambda c: params.check_parameters(c, lang=BAD)),
    ("notebook.prepare measure", "measure", lambda c: notebook.prepare(measure=BAD)),
    ("notebook.prepare normalisation", "normalisation", lambda c: notebook.prepare(normalisation=BAD)),
    ("notebook.prepare lang", "language", lambda c: notebook.prepare(lang=BAD)),
    ("notebook.prepare compare", "role group", lambda c: notebook.prepare(compare=f"teacher,{BAD}")),
    ("read.code_points counting", "counting", lambda c: read.code_points("abc", np.array([0, 1]), BAD)),
    ("read.cut counting", "counting", lambda c: read.cut("abc", 0, 1, BAD)),
    ("read.check_offsets counting", "counting", lambda c: read.check_offsets(Path("p.qdpx"), read.Project("p"), BAD)),
    ("labels.label lang", "language", lambda c: labels.label("teacher", BAD)),
    ("labels.template lang", "language", lambda c: labels.template("teacher", BAD)),
    ("labels.ratio_label lang", "language", lambda c: labels.ratio_label(["teacher", "management"], BAD)),
    ("labels.joined lang", "language", lambda c: labels.joined(["a", "b"], BAD)),
    ("labels.relabel lang", "language", lambda c: labels.relabel(pd.DataFrame({"code_id": ["x"]}), BAD, c.codebook)),
    ("labels.evidence_in_words lang", "language", lambda c: labels.evidence_in_words("x", BAD)),
    ("labels.translate_with lang", "language",
     lambda c: labels.translate_with(pd.DataFrame({"code_id": ["x"]}), BAD, c.codebook, {}, ())),
    ("labels.ratio_label groups", "role group",
             lambda c: labels.ratio_label(["teacher", BAD], "nl")),
    ("figures.group_bars groups", "role group",
             lambda c: figures.group_bars(measures.emphasis(c), ["teacher", BAD], "x", "nl", c.codebook)),
    ("figures.small_multiples groups", "role group",
             lambda c: figures.small_multiples(measures.emphasis(c, by=("school_id", "role_group")),
                                               ["teacher", BAD], "x", "nl", c.codebook)),
    ("agreement_tables.agreement_table lang", "language",
     lambda c: agreement_tables.agreement_table(pd.DataFrame({"code_id": ["x"]}), BAD, c.codebook)),
    ("agreement_tables.span_table lang", "language",
     lambda c: agreement_tables.span_table(pd.DataFrame({"code_id": ["x"]}), BAD, c.codebook)),
    ("figures.heatmap lang", "language", lambda c: figures.heatmap(measures.emphasis(c), "x", BAD, c.codebook)),
    ("figures.group_bars lang", "language",
     lambda c: figures.group_bars(measures.emphasis(c), ["teacher", "external_partner"], "x", BAD, c.codebook)),
    ("figures.small_multiples lang", "language",
     lambda c: figures.small_multiples(measures.emphasis(c, by=("school_id", "role_group")),
                                       ["teacher", "external_partner"], "x", BAD, c.codebook)),
    ("figures.subtheme_bars lang", "language",
     lambda c: figures.subtheme_bars(summary.code_frequencies(c), BAD, c.codebook)),
    ("figures.claim_intervals lang", "language",
             lambda c: figures.claim_intervals(claims.evaluate_claims(c), BAD)),
    ("figures.ratio_intervals lang", "language",
     lambda c: figures.ratio_intervals(robustness.bootstrap_ratios(c, n_boot=5), BAD, c.codebook,
                                       ["teacher", "external_partner"])),
    ("figures.robustness_grid lang", "language",
     lambda c: figures.robustness_grid(robustness.robustness_summary(robustness.robustness_table(c)), BAD)),
    ("figures.confusion_heatmap lang", "language",
     lambda c: figures.confusion_heatmap(agreement.confusion_matrix(_ind(c), c.codebook, "lens"), BAD, c.codebook)),
    ("span_figures.span_timeline lang", "language",
     lambda c: span_figures.span_timeline(_spans(), "R1", 10, BAD, c.codebook)),
    ("report.write_report lang", "language", lambda c: report.write_report(Path("no-such-run"), BAD)),
    ("schema.resource name", "table",
     lambda c: schema.resource(voc.descriptor(), BAD)),
    ("vocabulary.level_codes level", "level", lambda c: voc.level_codes(c.codebook, BAD)),
    ("vocabulary.base_codes level", "level", lambda c: voc.base_codes(c.codebook, BAD)),
    ("vocabulary.lift level", "level", lambda c: voc.lift(c.codebook["code_id"], c.codebook, BAD)),
    ("vocabulary.columns table", "table", lambda c: voc.columns(BAD)),
]


@pytest.mark.parametrize(("what", "call"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_an_unknown_option_is_refused_with_the_valid_values(corpus, what, call):
    with pytest.raises(ValueError, match=rf"unknown {re.escape(what)} '{BAD}'; valid values: \S"):
        call(corpus)


def test_the_cases_name_each_function_and_option_once():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))
