"""Student copies of the lessons, and the nbgrader metadata that lets a course grade them.

The lessons in ``notebooks/teaching/`` are the teacher's copies: model solutions between
nbgrader's markers (``### BEGIN SOLUTION`` / ``### END SOLUTION``), in code cells tagged
``exercise`` and in Markdown cells tagged ``written`` (a written answer: the methods work a
teacher grades). Student copies are generated from them by :func:`write_student_copies`
(``samendoen student-copies``), never edited by hand, so that a fix in a lesson reaches the
students with one command and a test can tell when the two have drifted apart.

The cell tags also decide each cell's nbgrader metadata (:func:`grading_metadata`), so that
the lessons are a valid nbgrader *source*: ``exercise`` cells are solution cells, the
``self-check`` cell after each is an autograded test cell (the check raises under nbgrader
when the answer is wrong), ``written`` cells are manually graded answers.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

from samendoen_analysis.paths import NOTEBOOKS_DIR

TEACHING_DIR = NOTEBOOKS_DIR / "teaching"
STUDENT_DIR = TEACHING_DIR / "student"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CODE_PLACEHOLDER = "# YOUR ANSWER HERE\nraise NotImplementedError()"
MARKDOWN_PLACEHOLDER = "YOUR ANSWER HERE"
NOTE_ID = "student-copy-note"
NOTE = ("*Your working copy of the lesson, generated from the teacher's version by `samendoen student-copies`. "
        "Save it under a name of your own before you start (File > Save Notebook As...), because generating the "
        "copies again overwrites this file. Then fill in every cell that says `YOUR ANSWER HERE` and run the "
        "check below each code answer; the written answers are for your teacher.*")
# nbgrader's cell metadata, schema version 3: role of a cell by its tag, and the points it carries.
SCHEMA_VERSION = 3
ROLES = {
    "exercise": {"solution": True, "grade": False, "locked": False},
    "self-check": {"solution": False, "grade": True, "locked": True, "points": 1},
    "written": {"solution": True, "grade": True, "locked": False, "points": 2},
}
_SOLUTION = re.compile(rf"^([ \t]*){re.escape(BEGIN)}[^\n]*\n.*?^[ \t]*{re.escape(END)}[^\n]*(\n|$)",
                       re.MULTILINE | re.DOTALL)


def strip_solution(source: str, markdown: bool = False) -> str:
    """Replace every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` block by the placeholder.

    Parameters
    ----------
    source : str
        Cell source.
    markdown : bool
        Markdown cells get ``YOUR ANSWER HERE``; code cells a comment and
        ``raise NotImplementedError()``, indented like the marker.

    Returns
    -------
    str
        The source without solutions.

    Examples
    --------
    >>> print(strip_solution("x = 1\\n### BEGIN SOLUTION\\nanswer = 2\\n### END SOLUTION\\ncheck(answer, 2)"))
    x = 1
    # YOUR ANSWER HERE
    raise NotImplementedError()
    check(answer, 2)
    """
    def placeholder(match: re.Match) -> str:
        indent, tail = match.group(1), match.group(2)
        text = MARKDOWN_PLACEHOLDER if markdown else CODE_PLACEHOLDER
        return "\n".join(indent + line for line in text.splitlines()) + tail

    return _SOLUTION.sub(placeholder, source)


def is_exercise(cell: nbformat.NotebookNode) -> bool:
    """Whether a cell of a lesson or of a student copy is a code exercise (a solution or its placeholder)."""
    return cell.cell_type == "code" and (BEGIN in cell.source or CODE_PLACEHOLDER in cell.source)


def role(cell: nbformat.NotebookNode) -> str | None:
    """The grading role of a cell (``exercise``, ``self-check``, ``written``) from its tags, or None."""
    tags = cell.metadata.get("tags", [])
    return next((r for r in ROLES if r in tags), None)


def grading_metadata(cell: nbformat.NotebookNode) -> dict | None:
    """The nbgrader metadata (schema 3) a lesson cell should carry, from its tag; None for other cells.

    Parameters
    ----------
    cell : nbformat.NotebookNode
        A lesson cell with an ``id``.

    Returns
    -------
    dict or None
        ``grade``, ``grade_id`` (the cell id), ``locked``, ``solution``, ``task``,
        ``schema_version`` and, for graded cells, ``points``.
    """
    found = role(cell)
    if found is None:
        return None
    return {"grade_id": cell.id, "schema_version": SCHEMA_VERSION, "task": False, **ROLES[found]}


def with_grading_metadata(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Set (or remove) every cell's nbgrader metadata from its tag; the notebook is changed in place and returned."""
    for cell in nb.cells:
        meta = grading_metadata(cell)
        if meta is None:
            cell.metadata.pop("nbgrader", None)
        else:
            cell.metadata["nbgrader"] = meta
    return nb


def student_copy(lesson: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student version of a lesson: solutions replaced, outputs cleared, a note on top.

    Parameters
    ----------
    lesson : nbformat.NotebookNode
        The lesson notebook; it is not changed.

    Returns
    -------
    nbformat.NotebookNode
        A new notebook, with the nbgrader metadata of the lesson's tags.
    """
    nb = with_grading_metadata(copy.deepcopy(lesson))
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.source = strip_solution(cell.source, markdown=cell.cell_type == "markdown")
        for key in ("papermill", "execution", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    note = nbformat.v4.new_markdown_cell(NOTE)
    note.id = NOTE_ID
    nb.cells.insert(1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0, note)
    return nb


def lesson_paths(folder: Path = TEACHING_DIR) -> list[Path]:
    """The lessons in course order."""
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def write_student_copies(lessons: Path = TEACHING_DIR, out_dir: Path | None = None) -> list[Path]:
    """Generate the student copy of every lesson; stale copies of removed lessons are deleted.

    Parameters
    ----------
    lessons : Path
        Folder of the lessons.
    out_dir : Path, optional
        Destination; default ``student/`` inside ``lessons``.

    Returns
    -------
    list of Path
        The copies written.
    """
    out = Path(out_dir) if out_dir is not None else lessons / "student"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in lesson_paths(lessons):
        target = out / path.name
        target.write_text(nbformat.writes(student_copy(nbformat.read(path, as_version=4))) + "\n", encoding="utf-8")
        written.append(target)
    for stale in sorted(set(out.glob("[0-9][0-9]_*.ipynb")) - set(written)):
        stale.unlink()
    return written


__all__ = [
    "BEGIN", "CODE_PLACEHOLDER", "END", "MARKDOWN_PLACEHOLDER", "NOTE", "ROLES", "STUDENT_DIR", "TEACHING_DIR",
    "grading_metadata", "is_exercise", "lesson_paths", "role", "strip_solution", "student_copy",
    "with_grading_metadata", "write_student_copies",
]
