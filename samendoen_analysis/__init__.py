"""Reproducible analysis of response emphasis in the samen-DOEN interview study."""

from __future__ import annotations

from samendoen_analysis.errors import DataError

__all__ = ["Corpus", "DataError", "load_corpus"]
__version__ = "0.1.0"


def __getattr__(name: str):
    # Loaded on first use: the command line imports this package, and refusing a misspelled
    # parameter or showing --help should not wait for pandas.
    if name in ("Corpus", "load_corpus"):
        from samendoen_analysis.data import corpus

        return getattr(corpus, name)
    raise AttributeError(f"module 'samendoen_analysis' has no attribute '{name}'")
