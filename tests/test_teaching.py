"""The lessons: named self-checks against right and known wrong answers, nbgrader metadata, student copies."""

from __future__ import annotations

import math
import re

import nbformat
import numpy as np
import pandas as pd
import pytest

from samendoen_analysis.analysis import agreement as ag
from samendoen_analysis.analysis.claims import evaluate_claims
from samendoen_analysis.analysis.measures import emphasis, respondent_matrix
from samendoen_analysis.analysis.robustness import leave_one_out
from samendoen_analysis.cli import main
from samendoen_analysis.paths import NOTEBOOKS_DIR
from samendoen_analysis.teaching import helpers
from samendoen_analysis.teaching.checks import CHECKS, EMPTY, PASSAGE_NAMES, RAW_PASSAGE, check, is_right, verdict
from samendoen_analysis.teaching.student import (
    BEGIN,
    CODE_PLACEHOLDER,
    ROLES,
    STUDENT_DIR,
    TEACHING_DIR,
    grading_metadata,
    is_exercise,
    lesson_paths,
    role,
    strip_solution,
    student_copy,
    write_student_copies,
)
from samendoen_analysis.vocabulary import MEASURES

LESSONS = lesson_paths()
COURSE = [
    "01_from_interview_to_codes.ipynb",
    "02_what_spoke_most_means.ipynb",
    "03_reliability.ipynb",
    "04_small_samples.ipynb",
    "05_ethics_and_reflexivity.ipynb",
]


def _parameters(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))


def _right(name, answer, corpus):
    assert verdict(name, answer, corpus) is None


def _hint(name, answer, corpus, *fragments):
    hint = verdict(name, answer, corpus)
    assert hint is not None, f"{name} accepted a wrong answer"
    for fragment in fragments:
        assert fragment in hint, f"{name}: {hint!r} lacks {fragment!r}"
    return hint


def _obstacle_claim(corpus) -> str:
    claims = corpus.claims
    return str(claims.loc[(claims["code_id"] == "obstacles") & (claims["test"] == "ratio"), "claim_id"].iloc[0])


# ---------------------------------------------------------------- the check machinery


def test_every_check_is_tested():
    tested = {name for name, obj in globals().items() if name.startswith("test_") and callable(obj)}
    for name in CHECKS:
        assert f"test_{name}" in tested, f"check {name!r} has no test against wrong answers"


def test_unknown_check_lists_the_valid_ones(corpus):
    with pytest.raises(ValueError, match=r"unknown check 'nope'; valid values: .*kappa"):
        verdict("nope", 1, corpus)


@pytest.mark.parametrize("empty", [None, Ellipsis, NotImplemented])
def test_an_empty_answer_says_so(corpus, empty):
    assert verdict("kappa", empty, corpus) == EMPTY


def test_a_function_still_raising_not_implemented_counts_as_empty(corpus):
    def kappa(a, b):
        raise NotImplementedError()
    assert verdict("kappa", kappa, corpus) == EMPTY


def test_a_function_that_fails_gets_its_error_as_hint(corpus):
    _hint("kappa", lambda a, b: a.nope, corpus, "AttributeError")


def test_a_typed_in_number_where_a_function_is_asked_fails(corpus):
    _hint("group_ratio", 5.3, corpus, "asks for a function")


def test_check_prints_right_and_hints(capsys, corpus):
    per = corpus.independent_codings.groupby("segment_id", observed=True)["coder"].nunique()
    check("coded_by_both_percent", int((per >= 2).sum()) / len(corpus.segments), corpus)
    out = capsys.readouterr().out
    assert out.startswith("✘ Not yet right (the percentage of segments coded by both researchers): ")
    assert "not a share" in out


def test_under_nbgrader_a_wrong_answer_raises(monkeypatch, capsys, corpus):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(AssertionError):
        check("coded_by_both_percent", -1, corpus)
    monkeypatch.delenv("NBGRADER_EXECUTION")
    check("coded_by_both_percent", -1, corpus)
    assert "Not yet right" in capsys.readouterr().out


@pytest.mark.parametrize(("answer", "expected", "tolerance"), [
    (0.4, 0.4, 0), (0.404, 0.4, 0.01), ("Obstacles ", "obstacles", 0), ({"b", "a"}, {"a", "b"}, 0),
    ((1, 2.0), [1, 2], 0), ({"words": True}, {"words": True}, 0), (math.nan, float("nan"), 0),
])
def test_the_first_edition_form_still_compares_values(capsys, answer, expected, tolerance):
    assert is_right(answer, expected, tolerance)
    check(answer, expected, tolerance=tolerance, what="x")
    assert capsys.readouterr().out == "✔ Right (x).\n"


@pytest.mark.parametrize(("answer", "expected"), [
    (0.42, 0.4), ("ideal", "obstacles"), ({"a"}, {"a", "b"}), ((2, 1), (1, 2)), ({"words": False}, {"words": True}),
    (1.0, math.nan), ("3", 3.5),
])
def test_the_first_edition_form_refuses_without_revealing(capsys, answer, expected):
    check(answer, expected, 0.01)
    out = capsys.readouterr().out
    assert out.startswith("✘ Not yet right (your answer): ") and repr(expected) not in out


# ---------------------------------------------------------------- names in Dutch and English


def test_code_and_level_names_in_both_languages(corpus):
    book = corpus.codebook
    for name in ("obstacles", "Hobbels", "obstacles ", "OBSTACLES"):
        assert helpers.code_id(name, book) == "obstacles"
    assert helpers.code_id("obstacles.workload", book) is None
    assert [helpers.level_name(n) for n in ("bril", "Lens", "subthema", "sub-theme")] == [
        "lens", "lens", "subtheme", "subtheme"]


# ---------------------------------------------------------------- lesson 1


def test_segments_and_respondents(corpus):
    n, speakers = len(corpus.segments), corpus.segments["respondent_id"].nunique()
    _right("segments_and_respondents", (n, speakers), corpus)
    _hint("segments_and_respondents", (speakers, n), corpus, "order")
    _hint("segments_and_respondents", (len(corpus.codings), speakers), corpus, "coding table")
    _hint("segments_and_respondents", n, corpus, "pair")


def test_multi_coded_segments(corpus):
    per = corpus.codings.groupby("segment_id", observed=True).size()
    _right("multi_coded_segments", int((per > 1).sum()), corpus)
    _hint("multi_coded_segments", len(per), corpus, "every coded segment")
    _hint("multi_coded_segments", int((per - 1).sum()), corpus, "extra codes")


def test_my_coding(corpus):
    segments = list(helpers.exercise_segments(corpus)["segment_id"])
    consensus = helpers.consensus_codes(corpus, segments)
    _right("my_coding", consensus, corpus)
    labels = {s: [corpus.codebook.set_index("code_id").loc[c, "label_nl"] for c in codes]
              for s, codes in consensus.items()}
    _right("my_coding", labels, corpus)  # Dutch labels
    _right("my_coding", {s: ["obstacles.no_debrief"] for s in segments}, corpus)  # a coding of one's own
    _hint("my_coding", {**consensus, segments[0]: ["obstacles.workload"]}, corpus, "'obstacles.workload' is not")
    _hint("my_coding", {**consensus, segments[0]: ["obstacles"]}, corpus, "is a lens")
    _hint("my_coding", {s: consensus[s] for s in segments[1:]}, corpus, "not coded", segments[0])
    _hint("my_coding", {**consensus, segments[0]: []}, corpus, "no code")
    _hint("my_coding", ["obstacles.no_debrief"], corpus, "dictionary")


def test_coded_by_both_percent(corpus):
    per = corpus.independent_codings.groupby("segment_id", observed=True)["coder"].nunique()
    right = 100 * int((per >= 2).sum()) / len(corpus.segments)
    _right("coded_by_both_percent", right + 0.3, corpus)
    hint = _hint("coded_by_both_percent", right / 100, corpus, "not a share")
    assert f"{right:.1f}" not in hint


# ---------------------------------------------------------------- lesson 2


def _lens_words(corpus, group, lens):
    rows = helpers.codings_with_context(corpus)
    rows = rows[(rows["lens"] == lens) & (rows["role_group"] == group)]
    return rows.drop_duplicates("segment_id")["words"].sum()


def test_lens_words(corpus):
    _right("lens_words", _lens_words, corpus)

    def twice(c, group, lens):
        rows = helpers.codings_with_context(c)
        return rows.loc[(rows["lens"] == lens) & (rows["role_group"] == group), "words"].sum()

    _hint("lens_words", twice, corpus, "counted twice")
    _hint("lens_words", lambda c, group, lens: _lens_words(corpus, group, lens), corpus, "global `corpus`")
    typed = _lens_words(corpus, "teacher", "obstacles")
    _hint("lens_words", lambda c, group, lens: typed, corpus, "not right for")


def test_top_lens_teachers(corpus):
    words = emphasis(corpus, "lens", "words")
    teachers = words[(words["role_group"] == "teacher") & words["code_id"].isin(helpers.lenses(corpus))]
    top = str(teachers.loc[teachers["value"].idxmax(), "code_id"])
    book = corpus.codebook.set_index("code_id")
    for name in (top, book.loc[top, "label_nl"], book.loc[top, "label_en"].upper()):
        _right("top_lens_teachers", name, corpus)
    other = next(c for c in helpers.lenses(corpus) if c != top)
    _hint("top_lens_teachers", book.loc[other, "label_nl"], corpus)
    subtheme = str(corpus.codebook.loc[corpus.codebook["kind"] == "subtheme", "code_id"].iloc[0])
    _hint("top_lens_teachers", subtheme, corpus, "sub")
    _hint("top_lens_teachers", "obstacles.workload", corpus, "not a lens of the codebook")


def test_group_ratio(corpus):
    _right("group_ratio", lambda v, g, a, b: v[g == a].sum() / v[g == b].sum(), corpus)
    # The ratio of means passes on equal groups; the constructed unequal groups catch it.
    _hint("group_ratio", lambda v, g, a, b: v[g == a].mean() / v[g == b].mean(), corpus, "averages")
    _hint("group_ratio", lambda v, g, a, b: v[g == b].sum() / v[g == a].sum(), corpus, "first group over")


def test_mean_per_person(corpus):
    _right("mean_per_person", lambda v, g, group: v[g == group].mean(), corpus)
    _hint("mean_per_person", lambda v, g, group: v[(g == group) & (v > 0)].mean(), corpus, "said nothing")
    _hint("mean_per_person", lambda v, g, group: v[g == group].sum(), corpus, "total")


def _claim_holds(c, measure):
    claim = c.claims[(c.claims["code_id"] == "obstacles") & (c.claims["test"] == "ratio")].iloc[0]
    numerator, denominator = str(claim["groups"]).split(";")
    values = respondent_matrix(c, "lens", measure)["obstacles"]
    groups = helpers.group_of(c).reindex(values.index)
    return bool(values[groups == numerator].sum() / values[groups == denominator].sum() >= claim["threshold"])


def test_claim_holds(corpus):
    _right("claim_holds", _claim_holds, corpus)

    def above_one(c, measure):
        values = respondent_matrix(c, "lens", measure)["obstacles"]
        groups = helpers.group_of(c).reindex(values.index)
        return bool(values[groups == "teacher"].sum() / values[groups == "external_partner"].sum() > 1)

    _hint("claim_holds", above_one, corpus, "not just above 1")
    _hint("claim_holds", lambda c, m: True, corpus)  # caught: as "just above 1" when every ratio is
    typed = {m: _claim_holds(corpus, m) for m in MEASURES}
    _hint("claim_holds", lambda c, m: typed[m], corpus, "threshold")
    _hint("claim_holds", lambda c, m: "yes", corpus, "True or False")


# ---------------------------------------------------------------- lesson 3


def _kappa(a, b):
    p_o = (a == b).mean()
    p_e = a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean())
    return (p_o - p_e) / (1 - p_e)


def test_percent_agreement(corpus):
    _right("percent_agreement", lambda a, b: 100 * (a == b).mean(), corpus)
    _hint("percent_agreement", lambda a, b: (a == b).mean(), corpus, "not a share")
    _hint("percent_agreement", lambda a, b: 100 * ((a == 1) & (b == 1)).mean(), corpus, "both no")


def test_kappa(corpus):
    from sklearn.metrics import cohen_kappa_score

    _right("kappa", _kappa, corpus)
    _right("kappa", cohen_kappa_score, corpus)
    _hint("kappa", lambda a, b: (a == b).mean(), corpus, "observed agreement")

    def scotts_pi(a, b):
        p_o, p = (a == b).mean(), (a.mean() + b.mean()) / 2
        p_e = p ** 2 + (1 - p) ** 2
        return (p_o - p_e) / (1 - p_e)

    _hint("kappa", scotts_pi, corpus, "Scott's pi")
    _hint("kappa", lambda a, b: 0.8, corpus)  # a typed-in number as a function


def _same():
    codes = ["ideal.commitment", "ideal.culture", "expertise.educator", "expertise.signalling", "obstacles.top_down",
             "obstacles.no_debrief", "positive.click", "positive.feedback", "organisation.step_by_step",
             "organisation.brief_debrief"]
    return {f"X{i:02d}": (c, c) for i, c in enumerate(codes)}


def test_counterexample(corpus):
    same = _same()
    between = {**same, "X08": ("organisation.step_by_step", "positive.click"),
               "X09": ("organisation.brief_debrief", "obstacles.no_debrief")}
    _right("counterexample", helpers.two_coders(between), corpus)
    labelled = helpers.two_coders(between).replace({"positive.click": "De klik"})
    _right("counterexample", labelled, corpus)  # labels are accepted
    within = {**same, "X08": ("organisation.step_by_step", "organisation.joint_activities")}
    _hint("counterexample", helpers.two_coders(within), corpus, "within a lens or between lenses")
    _hint("counterexample", corpus.independent_codings, corpus, "your own")
    _hint("counterexample", helpers.two_coders({**between, "X01": ("ideal.culture", "ideal.nope")}), corpus,
          "'ideal.nope' is not in the codebook")
    one_coder = helpers.two_coders(between).assign(coder="I1")
    _hint("counterexample", one_coder, corpus, "two coders")
    _hint("counterexample", helpers.two_coders(same), corpus, "within a lens or between lenses")
    _hint("counterexample", {"X01": "ideal"}, corpus, "DataFrame")


def test_higher_level(corpus):
    summary = ag.agreement_summary(corpus.independent_codings, corpus.codebook)
    pooled = summary[summary["method"] == ag.POOLED].set_index("level")
    right = {s: str(pooled[s].idxmax()) for s in ("agreement", "kappa")}
    _right("higher_level", right, corpus)
    dutch = {"lens": "bril", "subtheme": "subthema"}
    _right("higher_level", {s: dutch[v] for s, v in right.items()}, corpus)
    flip = {"lens": "subtheme", "subtheme": "lens"}
    _hint("higher_level", {s: flip[v] for s, v in right.items()}, corpus, "look again")
    _hint("higher_level", {"agreement": "code", "kappa": "lens"}, corpus, "no level")
    _hint("higher_level", "lens", corpus, "dictionary")


def test_disagreeing_segments(corpus):
    ind, book = corpus.independent_codings, corpus.codebook

    def differ(level, tags=True):
        sets = ag.code_sets(ind, book, level, tags=tags)
        return int((sets.iloc[:, 0] != sets.iloc[:, 1]).sum())

    _right("disagreeing_segments", differ("subtheme"), corpus)
    if differ("lens") != differ("subtheme"):
        _hint("disagreeing_segments", differ("lens"), corpus, "lens level")
    if differ("subtheme", tags=False) != differ("subtheme"):
        _hint("disagreeing_segments", differ("subtheme", tags=False), corpus, "tags count")


# ---------------------------------------------------------------- lesson 4


def _holds_without(c, school):
    claim = _obstacle_claim(c)
    others = [s for s in c.respondents["school_id"].unique() if s != school]
    return evaluate_claims(c.subset(schools=others)).set_index("claim_id").loc[claim, "verdict"] == "holds"


def test_holds_without_school(corpus):
    _right("holds_without_school", _holds_without, corpus)

    def only(c, school):
        verdicts = evaluate_claims(c.subset(schools=[school])).set_index("claim_id")["verdict"]
        return verdicts[_obstacle_claim(c)] == "holds"

    _hint("holds_without_school", only, corpus, "kept only that school")
    # Every condition holds on the shipped data, so a function that always says True is caught
    # by the check's variant with a moved threshold.
    _hint("holds_without_school", lambda c, school: True, corpus, "same verdict")


def _most_influential(c):
    claim = _obstacle_claim(c)
    full = evaluate_claims(c).set_index("claim_id").loc[claim, "statistic"]
    loo = leave_one_out(c, "respondent_id")
    loo = loo[loo["claim_id"] == claim].set_index("condition")["statistic"]
    return (loo - full).abs().idxmax().removeprefix("without ")


def test_most_influential(corpus):
    _right("most_influential", _most_influential, corpus)
    typed = _most_influential(corpus)
    _hint("most_influential", lambda c: typed, corpus)

    def most_talk(c):
        rows = helpers.codings_with_context(c).drop_duplicates(["segment_id", "lens"])
        return rows[rows["lens"] == "obstacles"].groupby("respondent_id")["words"].sum().idxmax()

    if most_talk(corpus) != typed:
        _hint("most_influential", most_talk, corpus, "denominator")
    _hint("most_influential", lambda c: "S9-NOBODY", corpus, "no respondent")


def _interviewer_ratio(c, how="mean"):
    words = c.segments.groupby("respondent_id", observed=True)["words"].sum()
    people = c.respondents.set_index("respondent_id")
    per = words.reindex(people.index, fill_value=0).groupby(people["interviewer"], observed=True).agg(how)
    return per["I1"] / per["I2"]


def test_interviewer_ratio(corpus):
    _right("interviewer_ratio", _interviewer_ratio, corpus)
    _hint("interviewer_ratio", lambda c: _interviewer_ratio(c, "sum"), corpus, "mean per interview")
    typed = _interviewer_ratio(corpus)
    _hint("interviewer_ratio", lambda c: typed, corpus)


# ---------------------------------------------------------------- lesson 5


GOOD = ("Ik ben [naam], ik werk in de zorg hier op [naam school] in [plaats]. Toen die jongen uit [klas] [moment] "
        "werd opgenomen, heb ik meteen [collega] van het jongerenwerk gebeld, [telefoonnummer]. Hij kwam de volgende "
        "dag al langs op [adres]. Je kunt me altijd mailen: [e-mailadres].")


def test_anonymised(corpus):
    _right("anonymised", GOOD, corpus)
    _hint("anonymised", RAW_PASSAGE, corpus, "guard still finds")
    guard_only = re.sub(r"\S+@\S+|06-[\d ]+\d|\d{4} [A-Z]{2}", "[x]", RAW_PASSAGE)
    assert not helpers.identifiers_in(guard_only)
    _hint("anonymised", guard_only, corpus, "name", "deny list")
    for name in PASSAGE_NAMES:
        guard_only = guard_only.replace(name, "[naam]")
    _hint("anonymised", guard_only, corpus, "the guard does not look for it")
    _hint("anonymised", "[weggelaten]", corpus, "keep the rest")
    _hint("anonymised", GOOD.replace("[klas]", "3B"), corpus, "the class")
    _hint("anonymised", ["a", "list"], corpus, "as a text")


def _unique_people(table, columns):
    return int((table.groupby(columns)[columns[0]].transform("size") == 1).sum())


def test_unique_people(corpus):
    _right("unique_people", _unique_people, corpus)
    _hint("unique_people", lambda t, cols: len(t.drop_duplicates(cols)), corpus, "combinations")
    _hint("unique_people", lambda t, cols: 12, corpus)


def _own_share(c, coder, dedupe=True):
    rows = c.independent_codings.loc[c.independent_codings["coder"] == coder, ["segment_id"]]
    rows = rows.drop_duplicates() if dedupe else rows
    rows = rows.merge(c.segments[["segment_id", "respondent_id"]], on="segment_id")
    rows = rows.merge(c.respondents[["respondent_id", "interviewer"]], on="respondent_id")
    return 100 * (rows["interviewer"].astype(str) == coder).mean()


def test_own_interviews(corpus):
    _right("own_interviews", _own_share, corpus)
    _hint("own_interviews", lambda c, coder: _own_share(c, coder) / 100, corpus, "not a share")
    _hint("own_interviews", lambda c, coder: 100 - _own_share(c, coder), corpus, "other")
    _hint("own_interviews", lambda c, coder: _own_share(corpus, coder), corpus, "part")
    if not np.isclose(_own_share(corpus, "I1", dedupe=False), _own_share(corpus, "I1")):
        _hint("own_interviews", lambda c, coder: _own_share(c, coder, dedupe=False), corpus, "once")


def test_hints_never_print_the_expected_number(corpus):
    right = 100 * int((corpus.independent_codings.groupby("segment_id", observed=True)["coder"].nunique() >= 2)
                      .sum()) / len(corpus.segments)
    for wrong in (0.0, right / 100, 100.0):
        assert f"{right:.1f}" not in (verdict("coded_by_both_percent", wrong, corpus) or "")


# ---------------------------------------------------------------- student copies and nbgrader


def test_strip_solution_keeps_code_around_and_indentation():
    source = "x = 1\n### BEGIN SOLUTION\nanswer = 2\n### END SOLUTION\nif x:\n    ### BEGIN SOLUTION\n    y = 3\n" \
             "    ### END SOLUTION\n    pass"
    assert strip_solution(source) == (
        "x = 1\n# YOUR ANSWER HERE\nraise NotImplementedError()\nif x:\n    # YOUR ANSWER HERE\n"
        "    raise NotImplementedError()\n    pass")
    assert strip_solution("Why?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION", markdown=True) == \
        "Why?\nYOUR ANSWER HERE"
    assert strip_solution("no solution here") == "no solution here"


def test_student_copy_does_not_change_the_lesson():
    lesson = nbformat.read(LESSONS[0], as_version=4)
    before = nbformat.writes(lesson)
    copy = student_copy(lesson)
    assert nbformat.writes(lesson) == before
    assert all(BEGIN not in c.source for c in copy.cells)
    assert all(not c.outputs and c.execution_count is None for c in copy.cells if c.cell_type == "code")


def test_lessons_in_course_order():
    assert [p.name for p in LESSONS] == COURSE


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_lesson_structure(lesson):
    nb = nbformat.read(lesson, as_version=4)
    assert "Learning goals" in nb.cells[0].source, "learning goals at the top"
    assert _parameters(lesson) == _parameters(NOTEBOOKS_DIR / "03_emphasis.ipynb"), "same parameters cell"
    exercises = [i for i, c in enumerate(nb.cells) if is_exercise(c)]
    assert len(exercises) >= 3
    for i in exercises:
        assert role(nb.cells[i]) == "exercise", f"exercise cell {i} is not tagged 'exercise'"
        assert role(nb.cells[i + 1]) == "self-check", f"exercise cell {i} is not followed by a self-check"
    written = [c for c in nb.cells if role(c) == "written"]
    assert len(written) >= 1, "every lesson has a written task"
    assert all(c.cell_type == "markdown" and BEGIN in c.source for c in written)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "commit the lesson executed (samendoen refresh-notebooks)"
    printed = "".join(o.get("text", "") for c in code for o in c.outputs if o.output_type == "stream")
    assert "Not yet right" not in printed and printed.count("✔ Right") == len(exercises)
    assert not any(o.output_type == "stream" and o.name == "stderr" for c in code for o in c.outputs)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_self_checks_call_a_named_check_and_reveal_no_method(lesson):
    nb = nbformat.read(lesson, as_version=4)
    for cell in nb.cells:
        if role(cell) == "self-check":
            match = re.fullmatch(r'check\("(\w+)", \w+, corpus\)', cell.source.strip())
            assert match and match.group(1) in CHECKS, cell.source
    copy = student_copy(nb)
    visible = "\n".join(c.source for c in copy.cells)
    assert "cohen_kappa_score" not in visible and "sklearn" not in visible


def test_written_tasks_are_answered_in_their_own_cell():
    for lesson in LESSONS:
        nb = nbformat.read(lesson, as_version=4)
        for i, cell in enumerate(nb.cells):
            if role(cell) == "written":
                assert "Written task" in nb.cells[i - 1].source, f"{lesson.name}: cell {i} has no task above it"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_nbgrader_metadata_follows_the_tags_and_is_valid(lesson):
    nb = nbformat.read(lesson, as_version=4)
    for cell in nb.cells:
        assert cell.metadata.get("nbgrader") == grading_metadata(cell), f"cell {cell.id}: run the lesson builder"
    assert {role(c) for c in nb.cells} >= set(ROLES)
    nbgraderformat = pytest.importorskip("nbgrader.nbgraderformat")
    nbgraderformat.MetadataValidator().validate_nb(nb)
    nbgraderformat.MetadataValidator().validate_nb(student_copy(nb))


def test_nbgrader_clears_our_solutions_as_ours_do():
    preprocessors = pytest.importorskip("nbgrader.preprocessors")
    nb = nbformat.read(LESSONS[2], as_version=4)
    cleared, _ = preprocessors.ClearSolutions().preprocess(nbformat.from_dict(nb), {})
    ours = student_copy(nb)
    for theirs, mine in zip(cleared.cells, [c for c in ours.cells if c.id != "student-copy-note"], strict=True):
        assert (BEGIN in theirs.source) == (BEGIN in mine.source) is False
        if role(mine) == "exercise":
            assert "raise NotImplementedError()" in theirs.source and CODE_PLACEHOLDER in mine.source


def test_student_copies_are_up_to_date(tmp_path):
    written = write_student_copies(out_dir=tmp_path)
    committed = sorted(STUDENT_DIR.glob("*.ipynb"))
    assert [p.name for p in committed] == [p.name for p in written], "run `samendoen student-copies`"
    for new in written:
        assert (STUDENT_DIR / new.name).read_bytes() == new.read_bytes(), (
            f"student/{new.name} is out of date: run `samendoen student-copies`")


def test_cli_writes_student_copies(tmp_path, capsys):
    assert main(["student-copies", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == COURSE
    assert "wrote" in capsys.readouterr().out


def test_the_note_does_not_contradict_itself():
    note = student_copy(nbformat.read(LESSONS[0], as_version=4)).cells[1].source
    assert "do not edit" not in note.lower() and "YOUR ANSWER HERE" in note and "Save" in note


@pytest.mark.parametrize("name", COURSE)
def test_student_copy_runs_until_its_first_exercise(name):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(STUDENT_DIR / name, as_version=4)
    assert any(CODE_PLACEHOLDER in c.source for c in nb.cells)
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(STUDENT_DIR)}})
    stopped = None
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as exc:
                stopped = (index, exc.ename)
                break
    assert stopped is not None, "the student copy ran to the end: no exercise left to do"
    index, error = stopped
    assert error == "NotImplementedError", f"cell {index} failed with {error} before the first exercise"
    assert is_exercise(nb.cells[index]), f"cell {index} raised NotImplementedError but is no exercise cell"
    assert TEACHING_DIR in STUDENT_DIR.parents


def test_helpers_keep_the_method_to_the_student(corpus):
    rows = helpers.codings_with_context(corpus)
    assert len(rows) == len(corpus.codings), "one row per coding: deduplicating is the student's decision"
    budgets = helpers.reconstruction_budgets()
    if budgets is not None:
        assert set(budgets["respondent_id"]) <= set(corpus.respondents["respondent_id"].astype(str))
    assert helpers.identifiers_in(RAW_PASSAGE) and not helpers.identifiers_in(GOOD, PASSAGE_NAMES)
    frame = helpers.two_coders({"A": ("ideal.culture", ["ideal.culture", "corona"])})
    assert list(frame.itertuples(index=False, name=None)) == [
        ("A", "I1", "ideal.culture"), ("A", "I2", "ideal.culture"), ("A", "I2", "corona")]
    assert isinstance(helpers.agreement_at_levels(frame, corpus.codebook), pd.DataFrame)


def test_nbgrader_grades_a_lesson_end_to_end(tmp_path):
    """The grading route of the README: generate, autograde, and a wrong answer loses its check's point."""
    pytest.importorskip("nbgrader")
    import os
    import subprocess
    import sys
    from pathlib import Path

    from nbgrader.api import Gradebook

    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}

    def nbgrader(*args):
        done = subprocess.run([str(bin_dir / "nbgrader"), *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]

    lesson = LESSONS[2]
    (tmp_path / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "course"\n')
    (tmp_path / "source" / "l3").mkdir(parents=True)
    (tmp_path / "source" / "l3" / lesson.name).write_bytes(lesson.read_bytes())
    nbgrader("generate_assignment", "l3", "--force")
    released = nbformat.read(tmp_path / "release" / "l3" / lesson.name, as_version=4)
    assert all(BEGIN not in c.source for c in released.cells)
    teacher = nbformat.read(lesson, as_version=4)
    wrong = nbformat.read(lesson, as_version=4)
    for cell in wrong.cells:
        if "def kappa(a, b):" in cell.source:  # Scott's pi instead of Cohen's kappa
            cell.source = cell.source.replace("yes_a * yes_b + (1 - yes_a) * (1 - yes_b)",
                                              "((yes_a + yes_b) / 2) ** 2 + (1 - (yes_a + yes_b) / 2) ** 2")
    (tmp_path / "submitted" / "wrong" / "l3").mkdir(parents=True)
    nbformat.write(wrong, tmp_path / "submitted" / "wrong" / "l3" / lesson.name)
    nbgrader("db", "student", "add", "wrong")
    nbgrader("autograde", "l3", "--force")
    checks = sum(role(c) == "self-check" for c in teacher.cells)
    written = 2 * sum(role(c) == "written" for c in teacher.cells)
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        graded = gradebook.find_submission("l3", "wrong")
        # Every other solution of the teacher's copy scores its check's point; the wrong kappa does not.
        assert (graded.code_score, graded.max_code_score, graded.max_written_score) == (checks - 1, checks, written)


def test_crossed_schools_and_side_by_side(corpus):
    groups = ("teacher", "external_partner")
    crossed = helpers.crossed_schools(corpus, groups)
    people = corpus.respondents.astype(str)
    for school in sorted(people["school_id"].unique()):
        here = people[(people["school_id"] == school) & people["role_group"].isin(groups)]
        full = all(((here["role_group"] == g) & (here["interviewer"] == i)).any()
                   for g in groups for i in set(people["interviewer"]))
        assert (school in crossed) == full
    side = helpers.side_by_side(corpus, groups, crossed)
    assert set(side.index.get_level_values("school_id")) == set(crossed)
    words = corpus.segments.groupby("respondent_id", observed=True)["words"].sum()
    held = people[people["school_id"].isin(crossed) & people["role_group"].isin(groups)]
    assert side["words"].to_numpy().sum() == words.reindex(held["respondent_id"]).fillna(0).sum()
    assert helpers.crossed_schools(corpus.subset(schools=["S2"]), groups) == []


def test_boundary_gap(corpus):
    from samendoen_analysis.paths import PROJECT_ROOT
    from samendoen_analysis.qdpx.spans import read_coder_spans
    from samendoen_analysis.teaching.spans_checks import segment_level_share, span_level_share

    example = read_coder_spans(PROJECT_ROOT / "examples" / "two_coders" / "twee-codeurs.qdpx", corpus.codebook)
    coders = tuple(sorted(example.spans["coder"].unique()))
    segment, span = segment_level_share(example.spans, example.texts, coders), span_level_share(example.spans, coders)
    assert segment > span  # the example is built so that boundaries cost agreement
    _right("boundary_gap", segment - span, corpus)
    _hint("boundary_gap", span - segment, corpus, "the sign")
    _hint("boundary_gap", segment, corpus, "segment level minus span level")
    _hint("boundary_gap", "a lot", corpus, "should be a number")
