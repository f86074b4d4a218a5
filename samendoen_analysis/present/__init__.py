"""What readers see: Dutch/English labels, deterministic tables and figures."""

# The subpackage exports nothing itself: its public names live in its modules, each with its own __all__.
__all__: list[str] = []
