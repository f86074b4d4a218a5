"""A new round imported into a copy of a data folder, for notebook 6: the copy has both rounds, the original one."""

from __future__ import annotations

import shutil

from samendoen_analysis import load_corpus
from samendoen_analysis.qdpx.rounds import copy_with_round

from .qdpx_helpers import EXAMPLE, hashes


def test_the_copy_holds_both_rounds_and_the_original_is_untouched(data_copy):
    before = hashes(data_copy)
    folder = copy_with_round(EXAMPLE, "R2", data_copy)
    try:
        assert folder != data_copy and folder.name == "data"
        assert set(load_corpus(folder).respondents["round"]) == {"R1", "R2"}
        assert hashes(data_copy) == before
    finally:
        shutil.rmtree(folder.parent)
