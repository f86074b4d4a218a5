"""The warm corpus cache: equal to a cold load, never stale, safe with two processes at once."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import samendoen_analysis.data.corpus as corpus_mod
from samendoen_analysis.data import warm
from samendoen_analysis.data.corpus import load_corpus
from samendoen_analysis.errors import DataError
from samendoen_analysis.paths import PROJECT_ROOT
from samendoen_analysis.qdpx.importer import import_qdpx
from samendoen_analysis.vocabulary import TABLES

EXAMPLES = PROJECT_ROOT / "examples"


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(warm.CACHE_DIR_ENV, str(folder))
    return folder


@pytest.fixture
def cold_loads(monkeypatch) -> list[Path]:
    """Folders read and validated from their files (not served by the cache), in call order."""
    calls: list[Path] = []
    original = corpus_mod._read_all

    def counting(data_dir, notes):
        calls.append(data_dir)
        return original(data_dir, notes)

    monkeypatch.setattr(corpus_mod, "_read_all", counting)
    return calls


def _assert_same_corpus(a, b) -> None:
    for name in TABLES:
        left, right = getattr(a, name), getattr(b, name)
        pd.testing.assert_frame_equal(left, right, check_exact=True, check_categorical=True)
        assert list(left.dtypes) == list(right.dtypes), name
        for column in left.columns:
            if isinstance(left[column].dtype, pd.CategoricalDtype):
                assert left[column].cat.categories.name == right[column].cat.categories.name
    assert a.notes == b.notes and a.data_dir == b.data_dir


def _with_example_rounds(data: Path) -> Path:
    """The data copy with the example rounds of examples/ imported, as notebook 06 does."""
    import_qdpx(EXAMPLES / "round2" / "R2-ronde-twee.qdpx", "R2", data_dir=data)
    import_qdpx(EXAMPLES / "round3-panel" / "R3-panel.qdpx", "R3", data_dir=data, consensus_user="Consensus",
                redact=True)
    import_qdpx(EXAMPLES / "two_coders" / "twee-codeurs.qdpx", "R4", data_dir=data, consensus_user="none")
    return data


@pytest.mark.parametrize("rounds", ["shipped", "example rounds"])
def test_warm_load_equals_cold_load(data_copy, tmp_path, monkeypatch, cold_loads, rounds):
    if rounds == "example rounds":
        _with_example_rounds(data_copy)
    else:  # a note to carry over
        path = data_copy / "respondents.csv"
        path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    monkeypatch.setenv(warm.CACHE_DIR_ENV, str(tmp_path / "fresh-cache"))
    cold_loads.clear()
    cold = load_corpus(data_copy)
    warm_corpus = load_corpus(data_copy)
    assert cold_loads == [data_copy]  # the second load came from the cache
    _assert_same_corpus(cold, warm_corpus)
    if rounds == "shipped":
        assert any("';'" in note for note in cold.notes)
    else:
        assert len(cold.rounds) == 4 and len(cold.coder_spans) > 0


def _one_byte_more(path: Path) -> None:
    raw = path.read_bytes()
    path.write_bytes(raw + (b"\n" if path.suffix in (".csv", ".md") else b" "))


def test_one_changed_byte_in_any_file_forces_revalidation(data_copy, cache, cold_loads):
    load_corpus(data_copy)
    files = sorted(p for p in data_copy.iterdir() if p.is_file())
    assert {"segments.csv", "datapackage.json", "README.md"} <= {p.name for p in files}
    for path in files:
        before = len(cold_loads)
        _one_byte_more(path)
        load_corpus(data_copy)
        assert len(cold_loads) == before + 1, f"{path.name} changed but the cache answered"
        load_corpus(data_copy)
        assert len(cold_loads) == before + 1, f"after {path.name} changed the new content was not cached"


def _invalid_role(folder: Path) -> None:
    path = folder / "respondents.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",teacher,", ",teachr,", 1), encoding="utf-8")


def test_an_invalid_change_raises_exactly_the_cold_error(data_copy, tmp_path, cache, monkeypatch):
    cold_copy = Path(shutil.copytree(data_copy, tmp_path / "cold" / "data"))
    load_corpus(data_copy)  # cached while valid
    _invalid_role(data_copy)
    _invalid_role(cold_copy)
    with pytest.raises(DataError) as warm_error:
        load_corpus(data_copy)
    monkeypatch.setenv(warm.CACHE_DIR_ENV, str(tmp_path / "never-used"))
    with pytest.raises(DataError) as cold_error:
        load_corpus(cold_copy)
    assert "teachr" in str(warm_error.value)
    assert str(warm_error.value).replace(str(data_copy), "X") == str(cold_error.value).replace(str(cold_copy), "X")
    assert not (tmp_path / "never-used").exists() or not list((tmp_path / "never-used").iterdir())


def test_changed_text_is_seen_not_served_stale(data_copy, cache):
    first = load_corpus(data_copy)
    path = data_copy / "segments.csv"
    old = first.segments["text"].iloc[0]
    new = old.replace(" ", " extra-woord ", 1)
    path.write_bytes(path.read_bytes().replace(old.encode(), new.encode(), 1))
    second = load_corpus(data_copy)
    assert second.segments["text"].iloc[0] == new
    assert second.segments["words"].iloc[0] == first.segments["words"].iloc[0] + 1


@pytest.mark.parametrize("changed", ["data/schema.py", "data/integrity.py", "vocabulary.py", "errors.py",
                                     "paths.py", "present/labels.csv"])
def test_a_change_to_the_package_forces_revalidation(data_copy, cache, cold_loads, tmp_path, monkeypatch, changed):
    package = Path(shutil.copytree(warm.PACKAGE_DIR, tmp_path / "pkg", ignore=shutil.ignore_patterns("__pycache__")))
    monkeypatch.setattr(warm, "PACKAGE_DIR", package)
    load_corpus(data_copy)
    load_corpus(data_copy)
    assert cold_loads == [data_copy]  # the copy of the package has the fingerprint of the package
    _one_byte_more(package / changed)
    warm._code_fingerprint.cache_clear()  # as a new process would find it
    load_corpus(data_copy)
    assert cold_loads == [data_copy, data_copy], f"{changed} changed but the cache answered"


@pytest.mark.parametrize("damage", ["cut short", "removed", "meta removed"])
def test_damaged_entry_is_validated_again_and_replaced(data_copy, cache, cold_loads, damage):
    cold = load_corpus(data_copy)
    (entry,) = [p for p in cache.iterdir() if not p.name.startswith(".")]
    segments = entry / "segments.arrow"
    if damage == "cut short":
        segments.write_bytes(segments.read_bytes()[:100])
    else:
        (entry / "meta.json" if damage == "meta removed" else segments).unlink()
    _assert_same_corpus(cold, load_corpus(data_copy))
    _assert_same_corpus(cold, load_corpus(data_copy))
    assert len(cold_loads) == 2  # once at first, once for the damaged entry; then it was whole again


def test_a_cache_that_cannot_be_written_is_skipped(data_copy, tmp_path, monkeypatch, cold_loads):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(warm.CACHE_DIR_ENV, str(blocker / "cache"))
    first = load_corpus(data_copy)
    _assert_same_corpus(first, load_corpus(data_copy))
    assert len(cold_loads) == 2


def test_deny_list_joins_the_key(data_copy, cache, cold_loads, tmp_path):
    deny = tmp_path / "deny.txt"
    deny.write_text("Zzyzxwq\n", encoding="utf-8")  # a name no segment holds
    load_corpus(data_copy, deny_list=deny)
    load_corpus(data_copy, deny_list=deny)
    assert len(cold_loads) == 1
    load_corpus(data_copy)  # not checked against the list: its own entry
    assert len(cold_loads) == 2
    word = load_corpus(data_copy).segments["text"].iloc[0].split()[0].strip(".,!?")
    deny.write_text(word + "\n", encoding="utf-8")  # now a listed word occurs: must be found, cache or not
    with pytest.raises(DataError, match="deny-list"):
        load_corpus(data_copy, deny_list=deny)
    with pytest.raises(DataError, match="does not exist"):
        load_corpus(data_copy, deny_list=tmp_path / "missing.txt")


LOAD = "import sys; from samendoen_analysis import load_corpus; print(len(load_corpus(sys.argv[1]).segments))"


def test_two_processes_fill_and_read_the_cache_at_once(data_copy, cache):
    command = [sys.executable, "-c", LOAD, str(data_copy)]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)
             for _ in range(2)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    expected = str(len(load_corpus(data_copy).segments))
    assert [out.strip() for out, _ in outputs] == [expected, expected]
    entries = [p for p in cache.iterdir() if not p.name.startswith(".")]
    assert len(entries) == 1 and not [p for p in cache.iterdir() if p.name.startswith(".")]


def test_large_files_are_hashed_in_chunks_and_any_byte_counts(data_copy, cache, cold_loads, monkeypatch):
    monkeypatch.setattr(warm, "CHUNK_BYTES", 1000)
    path = data_copy / "segments.csv"
    assert path.stat().st_size > 3 * warm.CHUNK_BYTES
    small = data_copy / "coders.csv"
    assert warm.data_fingerprint(data_copy)[small.name] == warm.file_sha256(small)  # one chunk: plain SHA-256
    first = load_corpus(data_copy)
    raw = bytearray(path.read_bytes())
    middle = raw.index(b" ", 2 * warm.CHUNK_BYTES + 1)  # a space inside the third chunk becomes a letter
    raw[middle:middle + 1] = b"x"
    path.write_bytes(bytes(raw))
    second = load_corpus(data_copy)
    assert len(cold_loads) == 2
    assert second.segments["words"].sum() == first.segments["words"].sum() - 1
