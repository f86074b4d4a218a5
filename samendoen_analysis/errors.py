"""The error types for bad input: data (file, row, column and a fix) and options (the valid values)."""

from __future__ import annotations

from pathlib import Path


class DataError(ValueError):
    """Invalid input data, located as precisely as the problem allows.

    Parameters
    ----------
    file : str or Path
        The file the problem is in.
    problem : str
        What is wrong, in one sentence.
    fix : str
        What the user should do about it.
    line : int, optional
        Line number in the file as a text editor or spreadsheet shows it (header = line 1).
    column : str, optional
        Column name.
    """

    def __init__(
        self,
        file: str | Path,
        problem: str,
        fix: str,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = str(file)
        self.line = line
        self.column = column
        self.problem = problem
        self.fix = fix
        super().__init__(self._message())

    def _message(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.problem} Fix: {self.fix}"


class ParameterError(ValueError):
    """An option or parameter has a value that is not valid; the message lists the valid ones."""


__all__ = ["DataError", "ParameterError"]
