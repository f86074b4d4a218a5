"""Reading, validating and writing a data folder: everything that touches the CSV files on disk."""

# The subpackage exports nothing itself: its public names live in its modules, each with its own __all__.
__all__: list[str] = []
