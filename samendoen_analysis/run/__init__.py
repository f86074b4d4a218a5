"""Running the notebooks: parameters, notebook set-up, ``samendoen reproduce`` and its report."""

# The subpackage exports nothing itself: its public names live in its modules, each with its own __all__.
__all__: list[str] = []
