"""The teaching track: self-checks called by name (``checks``), table helpers for students (``helpers``),
student copies with nbgrader metadata (``student``); ``lessons`` keeps the first edition's import path."""

# The subpackage exports nothing itself: its public names live in its modules, each with its own __all__.
__all__: list[str] = []
