"""The import path the lessons of the first edition used, kept so that their cells keep working.

New cells import from :mod:`~samendoen_analysis.teaching.checks` (self-checks),
:mod:`~samendoen_analysis.teaching.helpers` (table helpers) and
:mod:`~samendoen_analysis.teaching.student` (student copies).
"""

from samendoen_analysis.teaching.checks import check, is_right
from samendoen_analysis.teaching.helpers import compare_with_consensus, consensus_codes, exercise_segments
from samendoen_analysis.teaching.student import (
    STUDENT_DIR,
    TEACHING_DIR,
    is_exercise,
    lesson_paths,
    strip_solution,
    student_copy,
    write_student_copies,
)

__all__ = [
    "STUDENT_DIR", "TEACHING_DIR", "check", "compare_with_consensus", "consensus_codes", "exercise_segments",
    "is_exercise", "is_right", "lesson_paths", "strip_solution", "student_copy", "write_student_copies",
]
