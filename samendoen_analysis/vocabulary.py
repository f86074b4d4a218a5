"""The project's names, written down once: tables, columns, role groups, levels, measures.

The data schema lives in ``data/datapackage.json`` (tables, their columns and allowed values);
the names users choose from (measures, normalisations) are the rows of ``present/labels.csv``
with that ``kind``, so that a measure is its labels row and its counting, nothing more. Every module, the
importer and exporter, the test helpers, the example builders and the benchmark generator take
their names from here, so that a new column or measure is added in one place, and every public
function refuses an unknown option with the same message (:func:`check_option`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from samendoen_analysis.errors import ParameterError
from samendoen_analysis.paths import DATA_DIR

if TYPE_CHECKING:  # the command line checks options before it imports pandas
    import pandas as pd

DESCRIPTOR_PATH = DATA_DIR / "datapackage.json"
LABELS_PATH = Path(__file__).parent / "present" / "labels.csv"


@cache
def descriptor() -> dict:
    """The shipped data package descriptor, read once."""
    return json.loads(DESCRIPTOR_PATH.read_text(encoding="utf-8"))


@cache
def labels_table() -> tuple[dict[str, str], ...]:
    """The rows of ``labels.csv`` (``key``, ``kind``, ``nl``, ``en``), read once, in file order."""
    with LABELS_PATH.open(encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def of_kind(kind: str) -> tuple[str, ...]:
    """Keys of ``labels.csv`` of one ``kind`` (``measure``, ``normalisation``), in file order.

    Examples
    --------
    >>> of_kind("normalisation")
    ('none', 'per_respondent', 'share_within_group', 'share_within_code')
    """
    return tuple(row["key"] for row in labels_table() if row["kind"] == kind)


def _resource(table: str) -> dict:
    for res in descriptor()["resources"]:
        if res["name"] == table:
            return res
    raise ParameterError(f"unknown table {table!r}; valid values: {', '.join(TABLES)}")


def columns(table: str) -> tuple[str, ...]:
    """Column names of a table, in file order.

    Examples
    --------
    >>> columns("codings")
    ('segment_id', 'code_id')
    """
    return tuple(f["name"] for f in _resource(table)["schema"]["fields"])


def table_file(table: str) -> str:
    """File name of a table inside a data folder, as the descriptor's ``path`` gives it."""
    return _resource(table)["path"]


def allowed(table: str, column: str) -> tuple[str, ...]:
    """The values a column may take (its ``enum`` constraint), in the descriptor's order.

    Examples
    --------
    >>> allowed("codebook", "kind")
    ('lens', 'subtheme', 'tag')
    """
    field = next(f for f in _resource(table)["schema"]["fields"] if f["name"] == column)
    return tuple(field["constraints"]["enum"])


TABLES: tuple[str, ...] = tuple(res["name"] for res in descriptor()["resources"])
ROLE_GROUPS: tuple[str, ...] = allowed("respondents", "role_group")
CLAIM_TESTS: tuple[str, ...] = allowed("claims", "test")
ORIGINS: tuple[str, ...] = allowed("segments", "origin")
# Tables a data folder may lack (folders written before the table existed): read as empty.
OPTIONAL_TABLES: tuple[str, ...] = ("coder_spans",)
CODABLE_KINDS: tuple[str, ...] = ("subtheme", "tag")
LEVELS: tuple[str, ...] = ("lens", "subtheme")
MEASURES: tuple[str, ...] = of_kind("measure")
NORMALISATIONS: tuple[str, ...] = of_kind("normalisation")
LANGUAGES: tuple[str, ...] = ("nl", "en")
PAIR_SEPARATOR = "&"


def check_option(what: str, value: object, valid: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``valid``, else raise one message listing them.

    Examples
    --------
    >>> check_option("measure", "words", MEASURES)
    'words'
    >>> check_option("measure", "word", MEASURES)
    Traceback (most recent call last):
    ...
    samendoen_analysis.errors.ParameterError: unknown measure 'word'; valid values: words, segments, respondents
    """
    valid = list(valid)
    if value not in valid:
        raise ParameterError(f"unknown {what} {value!r}; valid values: {', '.join(map(str, valid))}")
    return str(value)


def check_role_groups(groups: Iterable[str]) -> list[str]:
    """Return ``groups`` as a list if each is a role group, else raise :func:`check_option`'s message.

    Examples
    --------
    >>> check_role_groups(("teacher", "management"))
    ['teacher', 'management']
    """
    return [check_option("role group", group, ROLE_GROUPS) for group in groups]


def codebook_order(codebook: pd.DataFrame) -> list[str]:
    """Code ids in display order (the codebook's ``order`` column)."""
    return codebook.sort_values("order", kind="stable")["code_id"].astype(str).tolist()


def level_codes(codebook: pd.DataFrame, level: str) -> list[str]:
    """Codes reported at a level, in the codebook's row order.

    Tags are reported at both levels; a tag under a tag (``corona.absence``) only at sub-theme
    level, since at lens level it is lifted to its parent tag. A loaded corpus keeps its codebook
    in display order (:func:`codebook_order`).

    Examples
    --------
    >>> import pandas as pd
    >>> book = pd.DataFrame({"code_id": ["a", "a.x", "t", "t.y"], "kind": ["lens", "subtheme", "tag", "tag"],
    ...                      "parent_id": ["", "a", "", "t"]})
    >>> level_codes(book, "lens"), level_codes(book, "subtheme")
    (['a', 't'], ['a.x', 't', 't.y'])
    """
    if check_option("level", level, LEVELS) == "lens":
        keep = (codebook["kind"] == "lens") | ((codebook["kind"] == "tag") & (codebook["parent_id"].fillna("") == ""))
    else:
        keep = codebook["kind"].isin(CODABLE_KINDS)
    return codebook.loc[keep, "code_id"].astype(str).tolist()


def base_codes(codebook: pd.DataFrame, level: str) -> list[str]:
    """Codes at a level that partition talk (lenses or sub-themes), without tags, in row order."""
    check_option("level", level, LEVELS)
    return codebook.loc[codebook["kind"] == level, "code_id"].astype(str).tolist()


def lift(codes: pd.Series, codebook: pd.DataFrame, level: str) -> pd.Series:
    """Codes at a level: at lens level a sub-theme becomes its lens; tags and lenses stay.

    Codes the codebook does not know become missing, so a caller sees them rather than
    counting them under a wrong name.

    Examples
    --------
    >>> import pandas as pd
    >>> book = pd.DataFrame({"code_id": ["a", "a.x", "t"], "parent_id": ["", "a", ""]})
    >>> lift(pd.Series(["a.x", "t", "zz"]), book, "lens").tolist()
    ['a', 't', nan]
    """
    check_option("level", level, LEVELS)
    codes = codes.astype(object)
    parent = codebook.set_index(codebook["code_id"].astype(str))["parent_id"].astype(object)
    known = codes.where(codes.isin(parent.index))
    if level == "subtheme":
        return known
    lifted = known.map(parent)
    return lifted.where(lifted.notna() & (lifted != ""), known)


__all__ = [
    "CLAIM_TESTS", "CODABLE_KINDS", "LABELS_PATH", "LANGUAGES", "LEVELS", "MEASURES", "NORMALISATIONS",
    "OPTIONAL_TABLES", "ORIGINS", "PAIR_SEPARATOR", "ROLE_GROUPS", "TABLES", "allowed", "base_codes", "check_option",
    "check_role_groups", "codebook_order", "columns", "descriptor", "labels_table", "level_codes", "lift", "of_kind",
    "table_file",
]
