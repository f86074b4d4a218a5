"""The lessons: self-checks, generated student copies that are up to date and run until their first exercise."""

from __future__ import annotations

import math

import nbformat
import pytest

from samendoen_analysis.cli import main
from samendoen_analysis.paths import NOTEBOOKS_DIR
from samendoen_analysis.teaching.lessons import (
    BEGIN,
    CODE_PLACEHOLDER,
    STUDENT_DIR,
    TEACHING_DIR,
    check,
    is_exercise,
    is_right,
    lesson_paths,
    strip_solution,
    student_copy,
    write_student_copies,
)

LESSONS = lesson_paths()
COURSE = [
    "01_from_interview_to_codes.ipynb",
    "02_what_spoke_most_means.ipynb",
    "03_reliability.ipynb",
    "04_small_samples.ipynb",
]


def _parameters(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))


# ---------------------------------------------------------------- self-checks


@pytest.mark.parametrize(("answer", "expected", "tolerance"), [
    (0.4, 0.4, 0), (0.404, 0.4, 0.01), ("Obstacles ", "obstacles", 0), ({"b", "a"}, {"a", "b"}, 0),
    ((1, 2.0), [1, 2], 0), ({"words": True}, {"words": True}, 0), (math.nan, float("nan"), 0),
], ids=["exact", "tolerance", "text", "set", "sequence", "dict", "nan"])
def test_check_accepts_right_answers(capsys, answer, expected, tolerance):
    assert is_right(answer, expected, tolerance)
    check(answer, expected, tolerance, what="x")
    assert capsys.readouterr().out == "✔ Right (x).\n"


@pytest.mark.parametrize(("answer", "expected"), [
    (0.42, 0.4), ("ideal", "obstacles"), ({"a"}, {"a", "b"}), ((2, 1), (1, 2)), ({"words": False}, {"words": True}),
    (1.0, math.nan), ("3", 3.5), (None, 1),
])
def test_check_refuses_wrong_answers_without_revealing_the_expected_value(capsys, answer, expected):
    assert not is_right(answer, expected, tolerance=0.01)
    check(answer, expected, tolerance=0.01)
    out = capsys.readouterr().out
    if answer is None:
        assert out == "✘ Not yet right (your answer): the answer is still empty. Fill it in and run the cell again.\n"
    else:
        assert out == (f"✘ Not yet right (your answer): {answer!r} is not what the data give. "
                       "Look again and try once more.\n")


# ---------------------------------------------------------------- student copies


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
        assert "check(" in nb.cells[i + 1].source, f"exercise cell {i} is not followed by a self-check"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "commit the lesson executed (samendoen refresh-notebooks)"
    printed = "".join(o.get("text", "") for c in code for o in c.outputs if o.output_type == "stream")
    assert "Not yet right" not in printed and printed.count("✔ Right") == len(exercises)
    assert not any(o.output_type == "stream" and o.name == "stderr" for c in code for o in c.outputs)


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
