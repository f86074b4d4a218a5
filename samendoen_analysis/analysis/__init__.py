"""The analyses: response emphasis, the article's claims, robustness, agreement, rounds."""

# The subpackage exports nothing itself: its public names live in its modules, each with its own __all__.
__all__: list[str] = []
