"""The teaching track: self-checks called by name (``checks``), table helpers for students (``helpers``),
student copies with nbgrader metadata (``student``); ``lessons`` keeps the first edition's import path."""
