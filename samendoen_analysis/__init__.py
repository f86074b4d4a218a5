"""Reproducible analysis of response emphasis in the samen-DOEN interview study."""

from samendoen_analysis.data.corpus import Corpus, load_corpus
from samendoen_analysis.errors import DataError

__all__ = ["Corpus", "DataError", "load_corpus"]
__version__ = "0.1.0"
