"""One vocabulary: the descriptor, the labels and the code agree, and no list of names is written twice."""

from __future__ import annotations

import ast
import csv
import json

import pandas as pd
import pytest

from samendoen_analysis import vocabulary as voc
from samendoen_analysis.paths import DATA_DIR, PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "samendoen_analysis"
LISTS = {
    "ROLE_GROUPS": voc.ROLE_GROUPS, "CLAIM_TESTS": voc.CLAIM_TESTS, "ORIGINS": voc.ORIGINS,
    "LEVELS": voc.LEVELS, "MEASURES": voc.MEASURES, "NORMALISATIONS": voc.NORMALISATIONS,
    "TABLES": voc.TABLES, "CODABLE_KINDS": voc.CODABLE_KINDS,
}


def _labels() -> dict[str, dict[str, str]]:
    with (PACKAGE / "present" / "labels.csv").open(encoding="utf-8") as fh:
        return {row["key"]: row for row in csv.DictReader(fh)}


def test_tables_and_columns_come_from_the_descriptor():
    descriptor = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    assert voc.TABLES == tuple(r["name"] for r in descriptor["resources"])
    for res in descriptor["resources"]:
        assert voc.columns(res["name"]) == tuple(f["name"] for f in res["schema"]["fields"])
        assert (DATA_DIR / voc.table_file(res["name"])).is_file()


@pytest.mark.parametrize("name", ["ROLE_GROUPS", "MEASURES", "NORMALISATIONS", "LEVELS"])
def test_every_name_users_see_has_a_dutch_and_an_english_label(name):
    labels = _labels()
    for key in LISTS[name]:
        assert key in labels, f"{key} ({name}) has no row in labels.csv"
        assert labels[key]["nl"] and labels[key]["en"]


def _string_sequences(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and len(node.elts) >= 2 and all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
            yield node.lineno, {e.value for e in node.elts}


def test_no_vocabulary_list_is_written_again_in_the_package():
    """A literal with the same names as a vocabulary list, outside vocabulary.py, is a second copy."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "vocabulary.py":
            continue
        for line, values in _string_sequences(ast.parse(path.read_text(encoding="utf-8"))):
            found += [f"{path.relative_to(PROJECT_ROOT)}:{line} repeats {name}" for name, vocab in LISTS.items()
                      if values == set(vocab)]
    assert not found, "\n".join(found)


def test_unknown_options_fail_with_the_valid_values():
    book = pd.DataFrame({"code_id": ["a"], "kind": ["lens"], "parent_id": [""]})
    with pytest.raises(ValueError, match=r"unknown level 'lenses'; valid values: lens, subtheme"):
        voc.level_codes(book, "lenses")
    with pytest.raises(ValueError, match=r"unknown table 'segment'"):
        voc.columns("segment")


def test_lift_is_the_one_way_to_go_from_sub_theme_to_lens(corpus):
    lifted = voc.lift(corpus.codings["code_id"].astype(str), corpus.codebook, "lens")
    lenses = set(corpus.codebook.loc[corpus.codebook["kind"].isin(["lens", "tag"]), "code_id"])
    assert set(lifted) <= lenses
    assert voc.lift(corpus.codings["code_id"].astype(str), corpus.codebook, "subtheme").tolist() == \
        corpus.codings["code_id"].astype(str).tolist()


def test_every_notebook_starts_its_parameters_from_the_one_declaration():
    import nbformat

    from samendoen_analysis.run.params import COMMON, parameters_cell

    notebooks = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
    notebooks += sorted((PROJECT_ROOT / "notebooks" / "teaching").glob("*.ipynb"))
    for path in notebooks:
        cell = next(c for c in nbformat.read(path, as_version=4).cells if "parameters" in c.metadata.get("tags", []))
        head = "\n".join(cell.source.splitlines()[:len(COMMON) + 1])
        assert head == parameters_cell(), f"{path.name}: run `samendoen sync-notebooks`"
    assert [p.name for p in COMMON if p.name in ("measure", "normalisation", "lang")] == ["measure", "normalisation",
                                                                                         "lang"]
    assert f"# {' | '.join(voc.MEASURES)}" in parameters_cell()


def test_a_measure_is_its_labels_row_and_its_counting():
    """MEASURES and NORMALISATIONS are the rows of labels.csv of that kind; each measure has a counting."""
    from samendoen_analysis.analysis.measures import COUNTING

    rows = list(csv.DictReader((PACKAGE / "present" / "labels.csv").open(encoding="utf-8")))
    assert voc.MEASURES == tuple(r["key"] for r in rows if r["kind"] == "measure")
    assert voc.NORMALISATIONS == tuple(r["key"] for r in rows if r["kind"] == "normalisation")
    assert set(COUNTING) == set(voc.MEASURES), "a measure needs both its labels row and its COUNTING entry"
    assert {r["kind"] for r in rows} <= {"", "measure", "normalisation"}


def test_no_label_key_is_written_twice():
    keys = [r["key"] for r in csv.DictReader((PACKAGE / "present" / "labels.csv").open(encoding="utf-8"))]
    assert sorted(k for k in set(keys) if keys.count(k) > 1) == []


def test_label_dictionaries_live_in_labels_csv_only():
    """No module keeps its own (Dutch, English) label pairs: a dict of 2-tuples of strings outside labels.csv."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict) and len(node.values) >= 2 and all(
                    isinstance(v, ast.Tuple) and len(v.elts) == 2
                    and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in v.elts)
                    for v in node.values):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert found == []
