"""Cross-table checks that a per-table schema cannot express.

Every foreign key the descriptor declares, which codes may be applied, who may code on their
own, what a claim's test needs, one round per interview and the anonymisation guard. Each
check is vectorised where the table can be large and raises one located :class:`DataError`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from samendoen_analysis.data.anonymisation import MARKERS, find_all_identifiers
from samendoen_analysis.data.columnar import all_distinct, isin
from samendoen_analysis.errors import DataError
from samendoen_analysis.vocabulary import CODABLE_KINDS

# What each claim test reads (see claims.csv's description in datapackage.json and
# analysis/claims.py): how many entries `groups` has, whether they are role groups or a code,
# which kinds of code the claim may be about, and whether it needs a threshold and of what kind.
CLAIM_RULES = {
    "top_code": {"groups": (1, None), "group_kind": "role", "codes": ("lens",), "threshold": None},
    "ratio": {"groups": (2, 2), "group_kind": "role", "codes": ("lens", "tag"), "threshold": "ratio"},
    "share_of_code": {"groups": (1, 1), "group_kind": "role", "codes": ("lens", "tag"), "threshold": "share"},
    "co_occurrence": {"groups": (1, 1), "group_kind": "code", "codes": ("lens", "tag"), "threshold": "share"},
    "subcode_share": {"groups": (0, 1), "group_kind": "role", "codes": ("lens", "tag"), "threshold": "share"},
}


# While a writer moves its files in, this journal names them (see data/store.py).
JOURNAL = ".samendoen-commit.json"


def _first_bad(mask: pd.Series | np.ndarray) -> int | None:
    hits = np.asarray(mask).nonzero()[0]
    return int(hits[0]) if len(hits) else None


def check_reference(
    child: pd.DataFrame, column: str, allowed: pd.Series, file: Path, parent_file: str, skip_empty: bool = False
) -> None:
    """Refuse values of ``child[column]`` that do not occur in ``allowed``.

    Parameters
    ----------
    child : pandas.DataFrame
        Table holding the reference, rows in file order.
    column : str
        Referencing column.
    allowed : pandas.Series
        Values the reference may take.
    file : Path
        File of ``child``, for the message.
    parent_file : str
        File name of the referenced table, for the fix.
    skip_empty : bool
        Accept empty values (an optional reference).
    """
    values = child[column]
    bad = _first_bad(~isin(values, allowed) & ~(skip_empty & (values == "").to_numpy()))
    if bad is not None:
        value = values.iloc[bad]
        raise DataError(
            file, f"'{value}' does not exist in {parent_file}.",
            f"use an id from {parent_file}, or add '{value}' there first.", line=bad + 2, column=column,
        )


def check_no_interrupted_write(folder: Path) -> None:
    """Refuse a folder whose last write was killed while moving its files in (some old, some new)."""
    if (folder / JOURNAL).exists():
        raise DataError(
            folder / JOURNAL, "a write into this folder was interrupted while it moved its files in, so some "
            "tables are new and some old.", f"run `samendoen validate {folder}` (or any import into it), "
            "which finishes that write first.",
        )


def check_resources(descriptor: dict, file: Path, names: tuple[str, ...]) -> None:
    """Refuse a descriptor that lacks a table the corpus needs (a folder made by an older version)."""
    present = {r.get("name") for r in descriptor.get("resources", []) if isinstance(r, dict)}
    missing = [name for name in names if name not in present]
    if missing:
        raise DataError(
            file, f"the data package has no resource(s) {', '.join(missing)}.",
            "copy them (and their CSV files) from the shipped data/datapackage.json; a folder made by an "
            "older version lacks 'coders' (who coded independently).",
        )


def check_foreign_keys(tables: dict[str, pd.DataFrame], descriptor: dict, folder: Path) -> None:
    """Check every single-field foreign key the descriptor declares, in resource order.

    An empty value in a field that is not required refers to nothing (a lens has no parent).
    """
    paths = {res["name"]: res["path"] for res in descriptor["resources"]}
    for res in descriptor["resources"]:
        if res["name"] not in tables:
            continue
        required = {f["name"] for f in res["schema"]["fields"] if f.get("constraints", {}).get("required")}
        for key in res["schema"].get("foreignKeys", []):
            (column,), (parent_column,) = key["fields"], key["reference"]["fields"]
            parent = key["reference"]["resource"] or res["name"]
            check_reference(tables[res["name"]], column, tables[parent][parent_column], folder / res["path"],
                            paths[parent], skip_empty=column not in required)


def check_coders(independent: pd.DataFrame, coders: pd.DataFrame, file: Path) -> None:
    """Independent codings are by declared coders of kind independent (not the consensus)."""
    # A coder declared with another kind; an undeclared coder is the foreign key check's error.
    bad = _first_bad(isin(independent["coder"], coders.loc[coders["kind"] != "independent", "coder_id"]))
    if bad is not None:
        coder = independent["coder"].iloc[bad]
        kind = coders.set_index("coder_id")["kind"][coder]
        allowed = ", ".join(coders.loc[coders["kind"] == "independent", "coder_id"]) or "none declared"
        raise DataError(
            file, f"'{coder}' is declared in coders.csv as kind '{kind}', not as an independent coder.",
            f"use an independent coder ({allowed}); the consensus coding belongs in codings.csv.",
            line=bad + 2, column="coder",
        )


def check_claims(claims: pd.DataFrame, codebook: pd.DataFrame, role_groups: tuple[str, ...], file: Path) -> None:
    """Each claim names what its test needs: groups, the kind of code, a threshold in range."""
    kinds = dict(zip(codebook["code_id"], codebook["kind"], strict=True))
    for line, claim in enumerate(claims.itertuples(index=False), start=2):
        rule = CLAIM_RULES[claim.test]
        problem = _claim_problem(claim, rule, kinds, role_groups)
        if problem is not None:
            column, text, fix = problem
            raise DataError(file, f"claim '{claim.claim_id}' ({claim.test}): {text}", fix, line=line, column=column)


def _claim_problem(claim, rule: dict, kinds: dict[str, str], role_groups: tuple[str, ...]):
    """(column, problem, fix) of the first thing wrong with one claim, or None."""
    if kinds.get(claim.code_id) not in rule["codes"]:
        return ("code_id", f"'{claim.code_id}' is a {kinds.get(claim.code_id)}, but this test compares "
                f"{' or '.join(rule['codes'])} codes.", f"choose a {' or '.join(rule['codes'])} from codebook.csv.")
    groups = [g for g in claim.groups.split(";") if g]
    low, high = rule["groups"]
    if len(groups) < low or (high is not None and len(groups) > high):
        count = f"exactly {low}" if low == high else f"at least {low}"
        example = "teacher;external_partner" if rule["group_kind"] == "role" else "obstacles"
        return ("groups", f"it needs {count} ';'-separated entries in groups, not {len(groups)}.",
                f"write them as '{example}'.")
    allowed = role_groups if rule["group_kind"] == "role" else tuple(c for c, k in kinds.items() if k == "lens")
    wrong = [g for g in groups if g not in allowed]
    if wrong:
        return ("groups", f"'{wrong[0]}' is not a {'role group' if rule['group_kind'] == 'role' else 'lens'}.",
                f"use one of: {', '.join(allowed)}.")
    subcodes = [c for c in str(getattr(claim, "subcodes", "")).split(";") if c]
    unknown = [c for c in subcodes if c not in kinds]
    if unknown:
        return ("subcodes", f"'{unknown[0]}' does not exist in codebook.csv.", "use code ids from codebook.csv.")
    if claim.test == "subcode_share" and not subcodes:
        return ("subcodes", "this test needs the sub-codes whose share it reads.",
                "list them ';'-separated, for example 'corona.absence;corona.infection_fear'.")
    if rule["threshold"] is None:
        return None if claim.threshold == "" else (
            "threshold", "this test takes no threshold (the code must simply rank first).", "leave threshold empty.")
    if claim.threshold == "":
        return ("threshold", "this test needs a threshold.", f"give the {rule['threshold']} the claim needs.")
    if rule["threshold"] == "share" and float(claim.threshold) > 1:
        return ("threshold", f"a share cannot exceed 1, and {claim.threshold} does.", "write the share as 0.5, not 50.")
    return None


def check_codable(codings: pd.DataFrame, codebook: pd.DataFrame, file: Path) -> None:
    """Refuse codings that use a lens (an aggregate) instead of a sub-theme or tag."""
    # A code that is not in the codebook has no kind, so it is not codable either.
    bad = _first_bad(~isin(codings["code_id"], codebook.loc[codebook["kind"].isin(CODABLE_KINDS), "code_id"]))
    if bad is not None:
        code = codings["code_id"].iloc[bad]
        children = codebook.loc[codebook["parent_id"] == code, "code_id"].head(3).tolist()
        raise DataError(
            file, f"'{code}' is a lens, which is not codable; lenses sum their sub-themes.",
            f"code one of its sub-themes instead (for example {', '.join(children)}).",
            line=bad + 2, column="code_id",
        )


def check_codebook_tree(codebook: pd.DataFrame, file: Path) -> None:
    """Sub-themes hang under a lens; a tag hangs under nothing or under a tag; lenses under nothing.

    Tags under a tag (for example ``corona.absence`` under ``corona``) are the project's own
    refinement of a cross-cutting tag; they are lifted to their parent tag at lens level, as
    sub-themes are lifted to their lens.
    """
    kind = codebook["kind"]
    parents = codebook["parent_id"]
    lenses = codebook.loc[kind == "lens", "code_id"]
    top_tags = codebook.loc[(kind == "tag") & (parents == ""), "code_id"]
    bad = _first_bad((kind == "subtheme") & ~parents.isin(lenses))
    if bad is not None:
        raise DataError(file, "a sub-theme must have a lens as parent_id.", "set parent_id to one of: "
                        + ", ".join(lenses) + ".", line=bad + 2, column="parent_id")
    bad = _first_bad((kind == "tag") & (parents != "") & ~parents.isin(top_tags))
    if bad is not None:
        raise DataError(file, "a tag with a parent_id must hang under a tag that has no parent itself.",
                        "set parent_id to one of: " + ", ".join(top_tags) + ", or leave it empty.",
                        line=bad + 2, column="parent_id")
    bad = _first_bad((kind == "lens") & (parents != ""))
    if bad is not None:
        raise DataError(file, "a lens has no parent_id.", "leave parent_id empty for lenses.",
                        line=bad + 2, column="parent_id")


def check_segments(segments: pd.DataFrame, respondents: pd.DataFrame, codings: pd.DataFrame, file: Path) -> None:
    """Each segment is in its respondent's round, at its own position, and coded unless marked uncoded talk."""
    # Each (respondent, round) pair of a segment must be a row of respondents.csv: the same
    # decision as mapping each segment's respondent to its round, as one hash lookup of pairs
    # (ids and rounds have passed their patterns, so none holds the NUL that joins a pair).
    pairs = respondents["respondent_id"] + "\0" + respondents["round"]
    bad = _first_bad(~isin(segments["respondent_id"] + "\0" + segments["round"], pairs))
    if bad is not None:
        rounds = segments["respondent_id"].iloc[[bad]].map(respondents.set_index("respondent_id")["round"])
        raise DataError(file, f"the round '{segments['round'].iloc[bad]}' differs from the respondent's round "
                        f"'{rounds.iloc[0]}' in respondents.csv.", "use the respondent's round, or add "
                        "the respondent again with a new id for the new round.", line=bad + 2, column="round")
    key = ["respondent_id", "round", "position"]
    dup = None if all_distinct([segments[c] for c in key]) else _first_bad(segments.duplicated(key))
    if dup is not None:
        raise DataError(file, "two segments of one interview share this position.",
                        "number the segments of each interview 1, 2, 3, ...", line=dup + 2, column="position")
    coded = segments["coded"] == "true"
    uncoded = _first_bad(coded.to_numpy() & ~isin(segments["segment_id"], codings["segment_id"]))
    if uncoded is not None:
        raise DataError(file, f"segment '{segments['segment_id'].iloc[uncoded]}' has no code in codings.csv.",
                        "add its consensus code(s) to codings.csv, or set coded to false if no code covers "
                        "this talk.", line=uncoded + 2, column="coded")


def check_uncoded_talk(segments: pd.DataFrame, codings: pd.DataFrame, file: Path) -> None:
    """Refuse a coding (consensus or independent) on a segment marked as uncoded talk."""
    talk = segments.loc[segments["coded"] == "false", "segment_id"]
    bad = _first_bad(isin(codings["segment_id"], talk))
    if bad is not None:
        raise DataError(file, f"segment '{codings['segment_id'].iloc[bad]}' is marked coded = false in "
                        "segments.csv (uncoded talk) but has a code here.",
                        "remove this coding, or set coded to true for the segment in segments.csv.",
                        line=bad + 2, column="segment_id")


def check_anonymised(segments: pd.DataFrame, file: Path, deny: list[str] | None) -> None:
    """Refuse segment texts that contain contact details, numbers, links, postcodes or listed names.

    Every hit is listed (line, characters, kind, masked excerpt), so that one round of fixes
    is enough; the error's line is the first hit's.
    """
    hits = find_all_identifiers(segments["text"], deny)
    if hits:
        listed = "; ".join(f"line {h.row + 2}: {h.describe()}" for h in hits)
        kinds = sorted({h.kind for h in hits})
        marker = ", ".join(MARKERS[k] for k in kinds)
        raise DataError(
            file, f"{len(hits)} identifying detail(s) in the texts: {listed}.",
            f"replace each with a bracketed marker ({marker}); the guard does not catch names outside "
            "the deny-list or addresses without a postcode, so read the texts too.",
            line=hits[0].row + 2, column="text",
        )


def check_spans(spans: pd.DataFrame, lengths: pd.Series, file: Path) -> None:
    """Each coded stretch starts before it ends and ends within its interview's text.

    Parameters
    ----------
    spans : pandas.DataFrame
        ``coder_spans`` as strings (``respondent_id``, ``start``, ``end``), rows in file order.
    lengths : pandas.Series
        Length of each interview's text in code points, indexed by ``respondent_id``.
    file : Path
        File of ``spans``, for the message.
    """
    start = pd.to_numeric(spans["start"]).to_numpy()
    end = pd.to_numeric(spans["end"]).to_numpy()
    bad = _first_bad(pd.Series(start >= end))
    if bad is not None:
        raise DataError(file, f"the stretch starts at {start[bad]} and ends at {end[bad]}; it must end after it "
                        "starts.",
                        "give the code point after the stretch's last character as end.", line=bad + 2, column="end")
    length = spans["respondent_id"].map(lengths).fillna(0).to_numpy()
    bad = _first_bad(pd.Series(end > length))
    if bad is not None:
        raise DataError(file, f"the stretch ends at {end[bad]}, after the end of the interview's text "
                        f"({int(length[bad])} code points: its segments joined by a blank line).",
                        "count offsets in code points in the interview's text as segments.csv gives it.",
                        line=bad + 2, column="end")


__all__ = [
    "check_anonymised", "check_claims", "check_codable", "check_codebook_tree", "check_coders",
    "check_foreign_keys", "check_no_interrupted_write", "check_reference", "check_resources", "check_segments",
    "check_spans", "check_uncoded_talk",
]
