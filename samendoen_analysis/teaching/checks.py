"""The lessons' self-checks: called by name, computed from the data, with a hint on a wrong answer.

Why checks live here and not in the notebooks: a check cell in a student copy that computes
the expected value in the open gives the method away (``cohen_kappa_score`` under a "by hand"
exercise), and a check that compares one typed-in number with one computed number lets a
wrong approach pass whenever it happens to give the same number on this corpus (the ratio of
means equals the ratio of totals when both groups have six people). So the lesson cell only
says ``check("kappa", kappa, corpus)``; the check here

* computes what is right from the corpus it is given, never from a stored number;
* asks for a *function* where the method matters, and runs it on the corpus, on parts of the
  corpus and on small constructed cases built to tell the right method from the known wrong
  ones, so that a typed-in number or a lazy method fails;
* names the likely mistake in its hint (double counting, ratio of means, Scott's pi instead
  of Cohen's kappa, ...) without printing the expected value;
* accepts the Dutch and English names of codes and levels (``bril``, ``hobbels``).

Under nbgrader (``NBGRADER_EXECUTION`` set while it validates or autogrades) a wrong answer
raises ``AssertionError``, so that the check cell scores its points only when right.

To add a check: write a judge ``(answer, corpus) -> None`` that raises :class:`Hint` on a wrong
answer, decorate it with ``@register(name, what)``, and add ``test_<name>`` to
``tests/test_teaching.py`` feeding it the known wrong answers (a test fails for a check without one).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from samendoen_analysis.analysis import agreement as ag
from samendoen_analysis.analysis.claims import evaluate_claims
from samendoen_analysis.analysis.measures import MEASURES, base_codes, emphasis, respondent_matrix
from samendoen_analysis.analysis.robustness import leave_one_out
from samendoen_analysis.data.corpus import Corpus
from samendoen_analysis.teaching import helpers
from samendoen_analysis.vocabulary import LEVELS

RIGHT, WRONG = "✔ Right", "✘ Not yet right"
EMPTY = "the answer is still empty. Fill it in and run the cell again."
GENERIC = "this is not what the data give. Look again and try once more."


class Hint(Exception):  # noqa: N818 - a hint for the student, not an error of the program
    """A wrong answer, with what the student should look at next (never the expected value)."""


@dataclass(frozen=True)
class _Check:
    what: str
    judge: Callable[[object, Corpus | None], None]


CHECKS: dict[str, _Check] = {}


def register(name: str, what: str) -> Callable:
    """Register a check under a name: a decorator for a judge ``(answer, corpus) -> None`` that raises :class:`Hint`.

    Parameters
    ----------
    name : str
        The name a lesson's check cell uses: ``check(name, answer, corpus)``.
    what : str
        What is checked, for the message ("your function for Cohen's kappa").

    Returns
    -------
    callable
        The decorator; it returns the judge unchanged.
    """
    def wrap(judge: Callable[[object, Corpus | None], None]) -> Callable:
        CHECKS[name] = _Check(what, judge)
        return judge
    return wrap


# ---------------------------------------------------------------- comparing values


def _same(answer: object, expected: object, tolerance: float) -> bool:
    if isinstance(expected, str) or isinstance(answer, str):
        return str(answer).strip().casefold() == str(expected).strip().casefold()
    if isinstance(expected, (set, frozenset)) or isinstance(answer, (set, frozenset)):
        return {str(a) for a in answer} == {str(e) for e in expected}
    if isinstance(expected, Mapping):
        return isinstance(answer, Mapping) and set(answer) == set(expected) and all(
            _same(answer[k], expected[k], tolerance) for k in expected)
    if isinstance(expected, Iterable):
        answer, expected = list(answer), list(expected)
        return len(answer) == len(expected) and all(_same(a, e, tolerance) for a, e in zip(answer, expected,
                                                                                              strict=True))
    a, e = float(answer), float(expected)
    if math.isnan(e) or math.isnan(a):
        return math.isnan(a) and math.isnan(e)
    if math.isinf(e) or math.isinf(a):
        return a == e
    return abs(a - e) <= tolerance


def _empty(answer: object) -> bool:
    return answer is None or answer is NotImplemented or answer is Ellipsis


def is_right(answer: object, expected: object, tolerance: float = 0.0) -> bool:
    """Whether an answer equals an expected value: texts without case, sets unordered, numbers within a tolerance.

    Examples
    --------
    >>> is_right({"b", "a"}, {"a", "b"}), is_right((1, 2), (2, 1)), is_right(0.41, 0.4, 0.05)
    (True, False, True)
    """
    if _empty(answer):
        return False
    try:
        return _same(answer, expected, tolerance)
    except (TypeError, ValueError):
        return False


def _close(answer: object, expected: float, tolerance: float = 1e-6) -> bool:
    return is_right(answer, expected, tolerance)


def _holds(value: object) -> bool:
    """A verdict as True or False: a claim that cannot be evaluated (missing) does not hold."""
    return bool(pd.notna(value) and value)


def _number(value: object, what: str) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise Hint(f"{what} should be a number, not True or False.")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise Hint(f"{what} should be a number; got {type(value).__name__}.") from None


def _call(function: object, *args: object) -> object:
    if not callable(function):
        raise Hint("this exercise asks for a function (def ...), so that it can be tried on other data; "
                   f"got {type(function).__name__}.")
    try:
        return function(*args)
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - any error in a student's function becomes a hint
        raise Hint(f"your function raised {type(exc).__name__}: {exc}") from None


# ---------------------------------------------------------------- running a check


def verdict(name: str, answer: object, corpus: Corpus | None = None) -> str | None:
    """Judge an answer with a named check: None when right, else the hint for the student.

    Parameters
    ----------
    name : str
        A check in :data:`CHECKS`.
    answer : object
        The student's answer (a value or a function, as the exercise asks).
    corpus : Corpus, optional
        The lesson's corpus; the expected value is computed from it.

    Returns
    -------
    str or None
        The hint, or None.
    """
    if name not in CHECKS:
        raise ValueError(f"unknown check '{name}'; valid values: {', '.join(sorted(CHECKS))}")
    if _empty(answer):
        return EMPTY
    try:
        CHECKS[name].judge(answer, corpus)
    except NotImplementedError:
        return EMPTY
    except Hint as hint:
        return str(hint)
    return None


def _report(hint: str | None, what: str) -> None:
    if hint is None:
        print(f"{RIGHT} ({what}).")
        return
    print(f"{WRONG} ({what}): {hint}")
    if os.environ.get("NBGRADER_EXECUTION"):
        raise AssertionError(f"{WRONG} ({what})")


def check(name: object, answer: object, corpus: Corpus | None = None, *, tolerance: float = 0.0,
          what: str = "your answer") -> None:
    """Tell a student whether an answer is right, with a hint but without the expected value.

    ``check("kappa", kappa, corpus)`` runs the named check (see :data:`CHECKS`).
    ``check(answer, expected, tolerance=..., what=...)``, with a first argument that names no
    check, compares with a value the cell computed (the first edition's form, kept for cells
    that use it). A name with a corpus is always the named form, so a misspelled name is refused
    with the valid names rather than judged as a wrong answer.

    Examples
    --------
    >>> check(0.401, 0.4, tolerance=0.01, what="kappa")
    ✔ Right (kappa).
    >>> check(3, 4)
    ✘ Not yet right (your answer): this is not what the data give. Look again and try once more.
    """
    if isinstance(name, str) and (name in CHECKS or isinstance(corpus, Corpus)):
        _report(verdict(name, answer, corpus), CHECKS[name].what)
        return
    answer, expected = name, answer
    if isinstance(corpus, (int, float)):  # the first edition passed the tolerance third
        tolerance = float(corpus)
    _report(EMPTY if _empty(answer) else (None if is_right(answer, expected, tolerance) else GENERIC), what)


# ---------------------------------------------------------------- lesson 1


def _pair(answer: object, what: str) -> tuple[float, float]:
    if isinstance(answer, (str, Mapping)) or not isinstance(answer, Iterable) or len(list(answer)) != 2:
        raise Hint(f"give two numbers as a pair: {what}.")
    first, second = list(answer)
    return _number(first, "the first number"), _number(second, "the second number")


@register("segments_and_respondents", "the number of segments and of respondents who speak in them")
def _segments_and_respondents(answer: object, corpus: Corpus) -> None:
    segments, speakers = len(corpus.segments), corpus.segments["respondent_id"].nunique()
    got = _pair(answer, "(segments, respondents)")
    if got == (segments, speakers):
        return
    if got == (speakers, segments):
        raise Hint("the order is (segments, respondents).")
    if got[0] == len(corpus.codings) != segments:
        raise Hint("the first number counts rows of the coding table (one row per code), not segments.")
    if got[1] == len(corpus.respondents) != speakers:
        raise Hint("count the respondents who have segments, not the rows of the respondents table.")
    raise Hint(GENERIC)


@register("multi_coded_segments", "the number of segments with more than one code")
def _multi_coded(answer: object, corpus: Corpus) -> None:
    got = _number(answer, "the answer")
    per_segment = corpus.codings.groupby("segment_id", observed=True).size()
    if got == int((per_segment > 1).sum()):
        return
    if got == len(per_segment):
        raise Hint("that counts every coded segment; the question is about segments with more than one code.")
    if got == int((per_segment - 1).sum()):
        raise Hint("that counts the extra codes, not the segments: a segment with three codes is one segment.")
    lens_rows = helpers.codings_with_context(corpus).drop_duplicates(["segment_id", "lens"])
    if got == int((lens_rows.groupby("segment_id").size() > 1).sum()):
        raise Hint("that counts segments with more than one lens; two sub-themes of one lens are two codes too.")
    raise Hint(GENERIC)


@register("my_coding", "your coding: every segment, codes from the codebook")
def _my_coding(answer: object, corpus: Corpus) -> None:
    if not isinstance(answer, Mapping):
        raise Hint('give a dictionary from segment id to a list of codes, {"SEG0012": ["...", "corona"], ...}.')
    wanted = set(helpers.exercise_segments(corpus)["segment_id"].astype(str))
    if missing := sorted(wanted - set(answer)):
        raise Hint(f"you have not coded {', '.join(missing)} yet.")
    if extra := sorted(set(answer) - wanted):
        raise Hint(f"{', '.join(map(str, extra))} is not one of the segments to code.")
    kind = corpus.codebook.set_index(corpus.codebook["code_id"].astype(str))["kind"].astype(str)
    for segment in sorted(answer):
        given = answer[segment]
        codes = [given] if isinstance(given, str) else list(given or [])
        if not codes:
            raise Hint(f"{segment} has no code yet.")
        for name in codes:
            code = helpers.code_id(name, corpus.codebook)
            if code is None:
                raise Hint(f"'{name}' is not in the codebook: use a code_id or a Dutch or English label "
                           "from the codebook table.")
            if kind[code] == "lens":
                raise Hint(f"'{name}' is a lens; code with its sub-themes (a lens is the sum of its sub-themes).")


@register("coded_by_both_percent", "the percentage of segments coded by both researchers")
def _coded_by_both(answer: object, corpus: Corpus) -> None:
    got = _number(answer, "the percentage")
    per_segment = corpus.independent_codings.groupby("segment_id", observed=True)["coder"].nunique()
    total = len(corpus.segments)
    right = 100 * int((per_segment >= 2).sum()) / total
    if _close(got, right, 0.5):
        return
    if _close(got, right / 100, 0.005):
        raise Hint("give a percentage (0 to 100), not a share.")
    if _close(got, 100 * int((per_segment >= 1).sum()) / total, 0.5):
        raise Hint("that counts segments coded by at least one researcher; the question asks for both.")
    raise Hint("divide the segments that both coded by all segments of the corpus.")


# ---------------------------------------------------------------- lesson 2


def _parts(corpus: Corpus) -> list[Corpus]:
    """The corpus and a few parts of it, so that a typed-in number or the global corpus fails."""
    schools = sorted(corpus.respondents["school_id"].astype(str).unique())
    parts = [corpus.subset(schools=[s for s in schools if s != left]) for left in schools[:2]]
    return [corpus] + [p for p in parts if len(p.segments)]


def _lens_words(corpus: Corpus, group: str, lens: str) -> float:
    table = emphasis(corpus, "lens", "words")
    return float(table.loc[(table["role_group"] == group) & (table["code_id"] == lens), "value"].sum())


@register("lens_words", "your function for the words a role group spoke on a lens")
def _lens_words_check(answer: object, corpus: Corpus) -> None:
    groups = [g for g in corpus.respondents["role_group"].astype(str).unique()]
    for i, part in enumerate(_parts(corpus)):
        rows = helpers.codings_with_context(part)
        for group in sorted(groups):
            for lens in base_codes(part.codebook, "lens"):
                got = _number(_call(answer, part, group, lens), "what your function returns")
                if _close(got, _lens_words(part, group, lens)):
                    continue
                twice = rows.loc[(rows["lens"] == lens) & (rows["role_group"] == group), "words"].sum()
                if _close(got, twice):
                    raise Hint("a segment coded with two sub-themes of one lens was counted twice: "
                               "count each segment once per lens.")
                if i:
                    raise Hint("right on the whole corpus but not on a part of it: compute from the corpus "
                               "passed to your function, not from a typed-in number or the global `corpus`.")
                raise Hint(f"not right for role group '{group}' and lens '{lens}'.")


@register("top_lens_teachers", "the lens with most teacher words")
def _top_lens(answer: object, corpus: Corpus) -> None:
    code = helpers.code_id(answer, corpus.codebook)
    kinds = corpus.codebook.set_index(corpus.codebook["code_id"].astype(str))["kind"].astype(str)
    if code is None:
        raise Hint(f"'{answer}' is not a lens of the codebook; give its id or its Dutch or English label.")
    if kinds[code] != "lens":
        raise Hint(f"'{answer}' is a {kinds[code]}; the question asks for a lens.")
    teachers = helpers.group_of(corpus) == "teacher"

    def top(measure: str) -> str:
        matrix = respondent_matrix(corpus, "lens", measure)
        return str(matrix.loc[teachers.reindex(matrix.index).fillna(False).to_numpy(), helpers.lenses(corpus)]
                   .sum().idxmax())

    if code == top("words"):
        return
    if code == top("segments"):
        raise Hint("that is the top lens counted in segments; the question counts words.")
    raise Hint("measured in words, without normalisation, another lens comes first for the teachers.")


def _toy_groups() -> tuple[pd.Series, pd.Series]:
    """Two groups of unequal size with a silent member: the ratio of means is not the ratio of totals."""
    people = [f"P{i}" for i in range(7)]
    values = pd.Series([120.0, 60.0, 0.0, 40.0, 30.0, 20.0, 10.0], index=people)
    groups = pd.Series(["a", "a", "a", "b", "b", "b", "b"], index=people)
    return values, groups


def _group_inputs(corpus: Corpus) -> list[tuple[pd.Series, pd.Series, str, str]]:
    cases = [(*_toy_groups(), "a", "b"), (*_toy_groups(), "b", "a")]
    for measure in MEASURES:
        matrix = respondent_matrix(corpus, "lens", measure)
        groups = helpers.group_of(corpus).reindex(matrix.index)
        cases += [(matrix[lens], groups, "teacher", "external_partner") for lens in helpers.lenses(corpus)]
    return cases


@register("group_ratio", "your function for the ratio of two groups")
def _group_ratio(answer: object, corpus: Corpus) -> None:
    for values, groups, first, second in _group_inputs(corpus):
        got = _number(_call(answer, values, groups, first, second), "what your function returns")
        total = {g: values[groups == g].sum() for g in (first, second)}
        with np.errstate(divide="ignore", invalid="ignore"):
            right = np.float64(total[first]) / total[second]
            means = np.float64(values[groups == first].mean()) / values[groups == second].mean()
        if _close(got, right):
            continue
        if _close(got, means):
            raise Hint("on groups of unequal size your function gives the ratio of the groups' averages; "
                       "the claim compares what each group said in total.")
        if _close(got, 1 / right if right else math.inf):
            raise Hint("the ratio is the first group over the second.")
        raise Hint(GENERIC)


@register("mean_per_person", "your function for the mean per member of a group")
def _mean_per_person(answer: object, corpus: Corpus) -> None:
    for values, groups, first, second in _group_inputs(corpus):
        for group in (first, second):
            members = values[groups == group]
            got = _number(_call(answer, values, groups, group), "what your function returns")
            if _close(got, members.mean()):
                continue
            if (members == 0).any() and _close(got, members[members > 0].mean()):
                raise Hint("you left out the members who said nothing on it; per respondent divides by "
                           "everyone in the group, silent members too.")
            if _close(got, members.sum()):
                raise Hint("that is the group's total; divide by the number of people in the group.")
            raise Hint(GENERIC)


def _obstacle_claim(corpus: Corpus) -> str:
    claims = corpus.claims
    chosen = claims[(claims["code_id"].astype(str) == "obstacles") & (claims["test"].astype(str) == "ratio")]
    return str(chosen["claim_id"].iloc[0])


def _with_threshold(corpus: Corpus, claim: str, threshold: float) -> Corpus:
    """The corpus with one claim's threshold moved: a function that reads the threshold follows, a typed-in one not."""
    claims = corpus.claims.copy()
    claims.loc[claims["claim_id"].astype(str) == claim, "threshold"] = threshold
    return replace(corpus, claims=claims)


def _bool(value: object) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise Hint(f"your function should return True or False; it returned {value!r}.")
    return bool(value)


def _judge_verdicts(got: list[bool], wanted: list[bool], wrong_hint: Callable[[int], str]) -> None:
    if len(set(got)) == 1 and len(set(wanted)) > 1:
        raise Hint("your function gives the same verdict whatever the data: compute it from the corpus it is given.")
    for i, (g, w) in enumerate(zip(got, wanted, strict=True)):
        if g != w:
            raise Hint(wrong_hint(i))


@register("claim_holds", "your function for whether the obstacles claim holds")
def _claim_holds(answer: object, corpus: Corpus) -> None:
    claim = _obstacle_claim(corpus)
    cases = [(part, m) for part in _parts(corpus) for m in MEASURES]
    statistic = {m: evaluate_claims(corpus, m).set_index("claim_id").loc[claim, "statistic"] for m in MEASURES}
    # Thresholds just above and below the observed ratio, so that the verdict changes with the claims table.
    cases += [(_with_threshold(corpus, claim, statistic[m] * f), m) for m in MEASURES
              if np.isfinite(statistic[m]) and statistic[m] > 1 for f in (0.95, 1.05)]
    wanted, got, above_1 = [], [], []
    for part, measure in cases:
        row = evaluate_claims(part, measure).set_index("claim_id").loc[claim]
        wanted.append(_holds(row["holds"]))
        above_1.append(bool(row["statistic"] > 1))
        got.append(_bool(_call(answer, part, measure)))
    if got == above_1 != wanted:
        raise Hint("'clearly more' means a ratio of at least the claim's threshold, not just above 1.")
    _judge_verdicts(got, wanted, lambda i: (
        f"not right in {cases[i][1]}" + ("." if cases[i][0] is corpus else
                                        " on a changed corpus: read the threshold from the claims table.")))


# ---------------------------------------------------------------- lesson 3


def _binary_cases(corpus: Corpus) -> list[tuple[pd.Series, pd.Series]]:
    """Real decisions and constructed ones whose coders use 'yes' at different rates."""
    made = [([1, 1, 1, 1, 1, 1, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]),
            ([1, 0, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 0, 0, 0, 0, 0, 1, 0, 0]),
            ([1, 1, 0, 0], [1, 1, 0, 0])]
    cases = [(pd.Series(a, dtype="float64"), pd.Series(b, dtype="float64")) for a, b in made]
    pair = ag.coder_pair(corpus.independent_codings)
    if pair is not None:
        table = ag.decisions(corpus.independent_codings, corpus.codebook, "lens")
        for code in ("corona", *helpers.lenses(corpus)[:2]):
            rows = table.xs(code, level="code_id")[list(pair)].dropna()
            cases.append((rows[pair[0]], rows[pair[1]]))
    return cases


@register("percent_agreement", "your function for percent agreement")
def _percent_agreement(answer: object, corpus: Corpus) -> None:
    for a, b in _binary_cases(corpus):
        got = _number(_call(answer, a, b), "what your function returns")
        right = ag.percent_agreement(a, b)
        if _close(got, right, 0.01):
            continue
        if _close(got, right / 100, 0.0001):
            raise Hint("give a percentage (0 to 100), not a share.")
        if _close(got, 100 * ((a == 1) & (b == 1)).mean(), 0.01):
            raise Hint("'both no' is agreement too.")
        raise Hint(GENERIC)


@register("kappa", "your function for Cohen's kappa")
def _kappa(answer: object, corpus: Corpus) -> None:
    for a, b in _binary_cases(corpus):
        right = ag.cohen_kappa(a, b)
        if math.isnan(right):
            continue
        got = _number(_call(answer, a, b), "what your function returns")
        if _close(got, right, 0.001):
            continue
        observed = (a == b).mean()
        pooled = (a.mean() + b.mean()) / 2
        chance = pooled ** 2 + (1 - pooled) ** 2
        if _close(got, observed, 0.001) or _close(got, 100 * observed, 0.1):
            raise Hint("that is the observed agreement; kappa corrects it for the agreement expected by chance.")
        if _close(got, (observed - chance) / (1 - chance), 0.001):
            raise Hint("your chance agreement uses one shared rate of 'yes' for both coders (that is Scott's pi); "
                       "Cohen's kappa uses each coder's own rate.")
        raise Hint(GENERIC)


def _codings_frame(answer: object, corpus: Corpus) -> pd.DataFrame:
    if not isinstance(answer, pd.DataFrame) or not {"segment_id", "coder", "code_id"} <= set(answer.columns):
        raise Hint("give a table (DataFrame) with the columns segment_id, coder and code_id.")
    frame = answer[["segment_id", "coder", "code_id"]].astype(str)
    codes = frame["code_id"].map(lambda c: helpers.code_id(c, corpus.codebook))
    if codes.isna().any():
        raise Hint(f"'{frame.loc[codes.isna(), 'code_id'].iloc[0]}' is not in the codebook.")
    if frame["coder"].nunique() != 2:
        raise Hint("agreement needs exactly two coders.")
    return frame.assign(code_id=codes)


@register("counterexample", "your constructed coding with higher pooled kappa at sub-theme level")
def _counterexample(answer: object, corpus: Corpus) -> None:
    frame = _codings_frame(answer, corpus)
    shipped = corpus.independent_codings[["segment_id", "coder", "code_id"]].astype(str)
    if len(frame.merge(shipped).drop_duplicates()) == len(shipped.drop_duplicates()) > 0:
        raise Hint("construct your own small coding; the shipped one shows only what happened on this corpus.")
    kappa = {level: ag.overall_agreement(frame, corpus.codebook, level).iloc[0]["kappa"]
             for level in LEVELS}
    if any(math.isnan(k) for k in kappa.values()):
        raise Hint("kappa is undefined for your coding (no disagreement possible); code more segments.")
    if not kappa["subtheme"] > kappa["lens"]:
        raise Hint(f"in your coding kappa is {kappa['lens']:.2f} at lens and {kappa['subtheme']:.2f} at sub-theme "
                   "level; think about where the coders disagree: within a lens or between lenses?")


@register("higher_level", "which level comes out higher for each coefficient")
def _higher_level(answer: object, corpus: Corpus) -> None:
    if not isinstance(answer, Mapping) or set(answer) != {"agreement", "kappa"}:
        raise Hint('give a dictionary {"agreement": level, "kappa": level}.')
    summary = ag.agreement_summary(corpus.independent_codings, corpus.codebook)
    pooled = summary[summary["method"] == ag.POOLED].set_index("level")
    for statistic in ("agreement", "kappa"):
        level = helpers.level_name(answer[statistic])
        if level is None:
            raise Hint(f"'{answer[statistic]}' is no level; say lens (bril) or sub-theme (subthema).")
        if level != pooled[statistic].idxmax():
            raise Hint(f"look again at the pooled {statistic} of the two levels.")


@register("disagreeing_segments", "the number of segments with a disagreement")
def _disagreeing(answer: object, corpus: Corpus) -> None:
    got = _number(answer, "the answer")
    ind, book = corpus.independent_codings, corpus.codebook

    def differ(level: str, tags: bool = True) -> int:
        sets = ag.code_sets(ind, book, level, tags=tags)
        return int((sets.iloc[:, 0] != sets.iloc[:, 1]).sum())

    if got == differ("subtheme"):
        return
    if got == differ("lens"):
        raise Hint("that is at lens level; the question asks for sub-theme level.")
    if got == differ("subtheme", tags=False):
        raise Hint("tags count too: a forgotten corona tag is a disagreement.")
    if got == len(ag.disagreements(ind, book, "subtheme")):
        raise Hint("that counts decisions (code × segment); count segments.")
    raise Hint(GENERIC)


@register("boundary_gap", "the drop in percentage points from segment-level to span-level agreement")
def _boundary_gap(answer: object, corpus: Corpus) -> None:
    from samendoen_analysis.paths import PROJECT_ROOT
    from samendoen_analysis.qdpx.spans import read_coder_spans
    from samendoen_analysis.teaching.spans_checks import segment_level_share, span_level_share

    example = read_coder_spans(PROJECT_ROOT / "examples" / "two_coders" / "twee-codeurs.qdpx", corpus.codebook)
    coders = tuple(sorted(example.spans["coder"].unique()))
    segment, span = segment_level_share(example.spans, example.texts, coders), span_level_share(example.spans, coders)
    got = _number(answer, "the difference")
    if abs(got - (span - segment)) <= 0.5:
        raise Hint("the sign: subtract the span level from the segment level, not the other way round.")
    if abs(got - (segment - span)) > 0.5:
        raise Hint("compute both levels as percentages (0 to 100) and give segment level minus span level; at "
                   "span level count the stretches of both coders that the other matched at 90% overlap.")


# ---------------------------------------------------------------- lesson 4


@register("holds_without_school", "your function for the claim without one school")
def _holds_without(answer: object, corpus: Corpus) -> None:
    claim = _obstacle_claim(corpus)
    schools = sorted(corpus.respondents["school_id"].astype(str).unique())
    statistics = leave_one_out(corpus, "school_id").query("claim_id == @claim")["statistic"]
    finite = statistics[np.isfinite(statistics)]
    variants = [corpus]
    if len(finite) and finite.min() < finite.max():  # a threshold that some conditions pass and others not
        variants.append(_with_threshold(corpus, claim, (finite.min() + finite.max()) / 2))
    got, wanted, alone = [], [], []
    for variant in variants:
        loo = leave_one_out(variant, "school_id")
        loo = loo[loo["claim_id"] == claim].set_index("condition")["holds"]
        for school in schools:
            got.append(_bool(_call(answer, variant, school)))
            wanted.append(_holds(loo[f"without {school}"]))
            only = evaluate_claims(variant.subset(schools=[school])).set_index("claim_id")
            alone.append(_holds(only.loc[claim, "holds"]))
    if got == alone != wanted:
        raise Hint("you kept only that school; leave it out and keep the others.")
    _judge_verdicts(got, wanted, lambda i: f"not right without {schools[i % len(schools)]}.")


def _influence(corpus: Corpus) -> pd.Series:
    claim = _obstacle_claim(corpus)
    full = evaluate_claims(corpus).set_index("claim_id").loc[claim, "statistic"]
    loo = leave_one_out(corpus, "respondent_id")
    loo = loo[loo["claim_id"] == claim].set_index("condition")["statistic"]
    return (loo - full).abs().rename(index=lambda c: c.removeprefix("without "))


@register("most_influential", "your function for the most influential respondent")
def _most_influential(answer: object, corpus: Corpus) -> None:
    top = str(_influence(corpus).idxmax())
    school = corpus.respondents.set_index(corpus.respondents["respondent_id"].astype(str)).loc[top, "school_id"]
    others = [s for s in corpus.respondents["school_id"].astype(str).unique() if s != str(school)]
    for part in [*_parts(corpus), corpus.subset(schools=others)]:
        change = _influence(part)
        got = str(_call(answer, part))
        if got in set(change[np.isclose(change, change.max())].index):
            continue
        if got not in change.index:
            raise Hint(f"'{got}' is no respondent of the corpus your function was given; return a respondent_id.")
        rows = helpers.codings_with_context(part).drop_duplicates(["segment_id", "lens"])
        talk = rows[rows["lens"] == "obstacles"].groupby("respondent_id")["words"].sum()
        if got == str(talk.idxmax()):
            raise Hint("the person who said most about it is not always the one whose absence moves the ratio "
                       "most: a few words of the smaller side weigh heavily in the denominator.")
        raise Hint("leave each respondent out in turn and compare the ratio with the ratio on all of them.")


def _interview_words(corpus: Corpus) -> pd.DataFrame:
    words = corpus.segments.groupby(corpus.segments["respondent_id"].astype(str))["words"].sum()
    people = corpus.respondents.assign(respondent_id=corpus.respondents["respondent_id"].astype(str))
    return people.assign(words=people["respondent_id"].map(words).fillna(0), interviewer=people["interviewer"]
                         .astype(str))


@register("interviewer_ratio", "your function for the ratio of words per interview")
def _interviewer_ratio(answer: object, corpus: Corpus) -> None:
    schools = sorted(corpus.respondents["school_id"].astype(str).unique())
    parts = [corpus] + [corpus.subset(schools=[s for s in schools if s != left]) for left in schools]
    for part in parts:
        table = _interview_words(part)
        per = table.groupby("interviewer")["words"]
        if not {"I1", "I2"} <= set(per.groups):
            continue
        got = _number(_call(answer, part), "what your function returns")
        if _close(got, per.mean()["I1"] / per.mean()["I2"], 0.001):
            continue
        if _close(got, per.sum()["I1"] / per.sum()["I2"], 0.001):
            raise Hint("that is the ratio of all words; the two held different numbers of interviews in this part, "
                       "so compare the mean per interview.")
        raise Hint("not right on a part of the corpus." if part is not corpus else GENERIC)


# ---------------------------------------------------------------- lesson 5


# A passage written for this exercise; every name, school, place and number in it is invented.
RAW_PASSAGE = (
    "Ik ben Marieke Jansen, ik ben de enige zorgcoördinator hier op het Vlietlande College in Tegelen. "
    "Toen die jongen uit 3B in maart werd opgenomen, heb ik meteen Ahmed van het jongerenwerk gebeld, "
    "06-41 23 45 67. Hij kwam de volgende dag al langs op de Kerkstraat 12, 5932 AB. "
    "Je kunt me altijd mailen: m.jansen@vlietlande.nl."
)
PASSAGE_NAMES = ("Marieke", "Jansen", "Ahmed")
PASSAGE_INDIRECT = {
    "the school's name": ("Vlietlande",),
    "the town": ("Tegelen",),
    "the street": ("Kerkstraat",),
    "the class": ("3B",),
    "a role only one person in the school has": ("zorgcoördinator", "zorgcoordinator"),
}


@register("anonymised", "your anonymised passage")
def _anonymised(answer: object, corpus: Corpus | None) -> None:
    if not isinstance(answer, str):
        raise Hint("give the anonymised passage as a text.")
    if found := helpers.identifiers_in(answer):
        raise Hint(f"the project's guard still finds {found[0][0]}.")
    if helpers.identifiers_in(answer, PASSAGE_NAMES):
        raise Hint("a person's name is still there; the guard finds names only when they are on a deny list.")
    lowered = answer.casefold()
    for what, words in PASSAGE_INDIRECT.items():
        if any(w.casefold() in lowered for w in words):
            raise Hint(f"{what} is still there: the guard does not look for it, but a reader who knows the school "
                       "would recognise it.")
    if "[" not in answer or len(answer) < 0.4 * len(RAW_PASSAGE):
        raise Hint("replace what identifies by bracketed markers such as [collega] or [naam school]; keep "
                   "the rest of what was said.")


def _unique_people(table: pd.DataFrame, columns: list[str]) -> int:
    sizes = table.groupby(columns, dropna=False)[columns[0]].transform("size")
    return int((sizes == 1).sum())


@register("unique_people", "your function for the number of people unique on some columns")
def _unique_people_check(answer: object, corpus: Corpus) -> None:
    table = helpers.people_and_schools(corpus)
    for columns in (["region", "role_nl"], ["school_type", "role_group"], ["role_group"], ["region"]):
        got = _number(_call(answer, table.copy(), list(columns)), "what your function returns")
        if got == _unique_people(table, columns):
            continue
        if got == len(table.drop_duplicates(columns)):
            raise Hint("that counts the different combinations; count the people who are alone in theirs.")
        raise Hint(f"not right for the columns {columns}.")


def _own_share(corpus: Corpus, coder: str, once: bool = True) -> float:
    pairs = corpus.independent_codings[["segment_id", "coder"]].astype(str)
    pairs = pairs.drop_duplicates() if once else pairs
    pairs = pairs[pairs["coder"] == coder]
    speaker = corpus.segments.set_index(corpus.segments["segment_id"].astype(str))["respondent_id"].astype(str)
    held = corpus.respondents.set_index(corpus.respondents["respondent_id"].astype(str))["interviewer"].astype(str)
    own = pairs["segment_id"].map(speaker).map(held) == coder
    return 100 * float(own.mean()) if len(own) else math.nan


@register("own_interviews", "your function for the share of a coder's segments from their own interviews")
def _own_interviews(answer: object, corpus: Corpus) -> None:
    for part in _parts(corpus):
        for coder in ag.coders(part.independent_codings):
            right = _own_share(part, coder)
            got = _number(_call(answer, part, coder), "what your function returns")
            if _close(got, right, 0.01):
                continue
            if _close(got, right / 100, 0.0001):
                raise Hint("give a percentage (0 to 100), not a share.")
            if _close(got, 100 - right, 0.01):
                raise Hint("that is the share of the coder's segments from the *other* researcher's interviews.")
            if _close(got, _own_share(part, coder, once=False), 0.01):
                raise Hint("count each segment once per coder: a coder who gave a segment two codes coded it once.")
            raise Hint(f"not right for coder {coder}" + ("." if part is corpus else " on a part of the corpus."))


__all__ = ["CHECKS", "EMPTY", "PASSAGE_NAMES", "RAW_PASSAGE", "RIGHT", "WRONG", "Hint", "check", "is_right",
           "register", "verdict"]
