"""Helpers for the lessons in ``notebooks/teaching/``: self-checks, coding exercises, student copies.

The lessons are ordinary executed notebooks with the solutions inside nbgrader-style markers
(``### BEGIN SOLUTION`` / ``### END SOLUTION``). Student copies are generated from them by
:func:`write_student_copies` (``samendoen student-copies``), never edited by hand, so a fix in
a lesson reaches the students' version with one command and a test can tell when the two
have drifted apart. Self-checks compare a student's answer with a value the check cell
computes from the data, so they stay right when the corpus changes.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import nbformat
import pandas as pd

from samendoen_analysis.data.corpus import Corpus
from samendoen_analysis.paths import NOTEBOOKS_DIR

TEACHING_DIR = NOTEBOOKS_DIR / "teaching"
STUDENT_DIR = TEACHING_DIR / "student"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CODE_PLACEHOLDER = "# YOUR ANSWER HERE\nraise NotImplementedError()"
MARKDOWN_PLACEHOLDER = "YOUR ANSWER HERE"
NOTE_ID = "student-copy-note"
NOTE = ("*Student copy, generated from the lesson by `samendoen student-copies`; do not edit it, "
        "your changes would be overwritten. Fill in the cells that say `YOUR ANSWER HERE` and run "
        "the check below each of them.*")
RIGHT, WRONG = "✔ Right", "✘ Not yet right"
_SOLUTION = re.compile(rf"^([ \t]*){re.escape(BEGIN)}[^\n]*\n.*?^[ \t]*{re.escape(END)}[^\n]*(\n|$)",
                       re.MULTILINE | re.DOTALL)


# ---------------------------------------------------------------- self-checks


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
    return abs(a - e) <= tolerance


def is_right(answer: object, expected: object, tolerance: float = 0.0) -> bool:
    """Whether an answer equals the expected value (see :func:`check` for the rules).

    Examples
    --------
    >>> is_right({"b", "a"}, {"a", "b"}), is_right((1, 2), (2, 1)), is_right(0.41, 0.4, 0.05)
    (True, False, True)
    """
    if answer is None or answer is NotImplemented or answer is Ellipsis:
        return False
    try:
        return _same(answer, expected, tolerance)
    except (TypeError, ValueError):
        return False


def check(answer: object, expected: object, tolerance: float = 0.0, what: str = "your answer") -> None:
    """Tell a student whether an answer is right, without giving the expected value away.

    Parameters
    ----------
    answer : object
        The student's answer: a number, a text (compared without case and outer spaces), a set
        (order does not matter), a list or tuple (order matters) or a dict.
    expected : object
        The right answer, computed from the data by the check cell.
    tolerance : float
        Largest accepted absolute difference for numbers.
    what : str
        What is being checked, for the message.

    Examples
    --------
    >>> check(0.401, 0.4, tolerance=0.01, what="kappa")
    ✔ Right (kappa).
    >>> check("Obstacles", "obstacles")
    ✔ Right (your answer).
    >>> check(3, 4)
    ✘ Not yet right (your answer): 3 is not what the data give. Look again and try once more.
    """
    if answer is None or answer is NotImplemented or answer is Ellipsis:
        print(f"{WRONG} ({what}): the answer is still empty. Fill it in and run the cell again.")
    elif is_right(answer, expected, tolerance):
        print(f"{RIGHT} ({what}).")
    else:
        print(f"{WRONG} ({what}): {answer!r} is not what the data give. Look again and try once more.")


# ---------------------------------------------------------------- coding exercise


def exercise_segments(corpus: Corpus, n: int = 3, seed: int = 7) -> pd.DataFrame:
    """A fixed handful of segments to code by hand, preferably ones both researchers coded.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    n : int
        Number of segments.
    seed : int
        Seed of the draw, so every student (and every run) gets the same segments.

    Returns
    -------
    pandas.DataFrame
        Columns ``segment_id``, ``respondent_id``, ``text``, sorted by segment.
    """
    double = corpus.independent_codings.groupby("segment_id", observed=True)["coder"].nunique()
    pool = corpus.segments[corpus.segments["segment_id"].isin(double[double >= 2].index)]
    if len(pool) < n:
        pool = corpus.segments
    drawn = pool.sample(n=min(n, len(pool)), random_state=seed)
    return drawn[["segment_id", "respondent_id", "text"]].sort_values("segment_id").reset_index(drop=True)


def consensus_codes(corpus: Corpus, segment_ids: Iterable[str]) -> dict[str, list[str]]:
    """The consensus sub-themes and tags of some segments, in codebook order.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    segment_ids : iterable of str
        Segments.

    Returns
    -------
    dict of str to list of str
        Segment id to its codes.
    """
    order = {c: i for i, c in enumerate(corpus.codebook["code_id"])}
    codings = corpus.codings.assign(code_id=corpus.codings["code_id"].astype(str))
    return {s: sorted(codings.loc[codings["segment_id"] == s, "code_id"], key=order.__getitem__)
            for s in segment_ids}


def compare_with_consensus(mine: Mapping[str, str | Iterable[str]], corpus: Corpus) -> pd.DataFrame:
    """Set one's own codes beside the researchers' consensus, at lens and at sub-theme level.

    Parameters
    ----------
    mine : mapping of str to str or iterable of str
        Segment id to the code(s) given, sub-themes or tags (a lens alone counts at lens level).
    corpus : Corpus
        A loaded corpus.

    Returns
    -------
    pandas.DataFrame
        Columns ``segment_id``, ``mine``, ``consensus``, ``same_lens``, ``same_subtheme``.
    """
    parent = corpus.codebook.set_index("code_id")["parent_id"].fillna("").astype(str)

    def lenses(codes: Iterable[str]) -> set[str]:
        return {parent.get(c, "") or c for c in codes}

    final = consensus_codes(corpus, mine)
    rows = []
    for segment, given in mine.items():
        codes = [given] if isinstance(given, str) else list(given)
        rows.append({"segment_id": segment, "mine": ", ".join(codes), "consensus": ", ".join(final[segment]),
                     "same_lens": lenses(codes) == lenses(final[segment]),
                     "same_subtheme": set(codes) == set(final[segment])})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- student copies


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
    """Whether a cell of a lesson or of a student copy is an exercise (holds a solution or its placeholder)."""
    return cell.cell_type == "code" and (BEGIN in cell.source or CODE_PLACEHOLDER in cell.source)


def student_copy(lesson: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student version of a lesson: solutions replaced, outputs cleared, a note on top.

    Parameters
    ----------
    lesson : nbformat.NotebookNode
        The lesson notebook; it is not changed.

    Returns
    -------
    nbformat.NotebookNode
        A new notebook.
    """
    nb = copy.deepcopy(lesson)
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
        copy = student_copy(nbformat.read(path, as_version=4))
        target = out / path.name
        target.write_text(nbformat.writes(copy) + "\n", encoding="utf-8")
        written.append(target)
    for stale in sorted(set(out.glob("[0-9][0-9]_*.ipynb")) - set(written)):
        stale.unlink()
    return written


__all__ = [
    "check", "compare_with_consensus", "consensus_codes", "exercise_segments", "is_exercise", "is_right",
    "lesson_paths",
    "strip_solution", "student_copy", "write_student_copies",
]
