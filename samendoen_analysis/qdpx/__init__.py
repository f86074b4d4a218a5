"""REFI-QDA exchange: reading, importing and exporting ``.qdpx`` project files of QDA programs."""

# The subpackage exports nothing itself: its public names live in its modules, each with its own __all__.
__all__: list[str] = []
