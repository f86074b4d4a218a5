"""Shared fixtures: the shipped corpus, loaded once, and a guard that no test changes data/."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from samendoen_analysis import load_corpus
from samendoen_analysis.paths import DATA_DIR


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="session", autouse=True)
def warm_cache_in_tmp(tmp_path_factory):
    """Keep the warm corpus cache of the tests, and of the kernels they start, out of the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAMENDOEN_CACHE_DIR", str(tmp_path_factory.mktemp("warm-cache")))
        yield


@pytest.fixture(scope="session", autouse=True)
def data_untouched():
    """Fail the run if any test modified the shipped data folder."""
    before = _hashes(DATA_DIR)
    yield
    assert _hashes(DATA_DIR) == before, "a test modified data/"


@pytest.fixture(scope="session")
def corpus():
    """The shipped corpus."""
    return load_corpus()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped data folder."""
    return Path(shutil.copytree(DATA_DIR, tmp_path / "data"))
