"""Small helpers for the lessons, so that students spend their time on the method, not on pandas.

Each helper does one piece of table plumbing (a join, a lookup of names) that a methods
student should not have to fight; none of them takes a methodological decision that an
exercise asks for (counting a segment once per lens, dividing by the whole group, correcting
for chance): those stay with the student and are what the self-checks test.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from samendoen_analysis.analysis import agreement as ag
from samendoen_analysis.analysis.measures import base_codes
from samendoen_analysis.data.anonymisation import DESCRIPTIONS, find_all_identifiers
from samendoen_analysis.data.corpus import Corpus
from samendoen_analysis.paths import PROJECT_ROOT
from samendoen_analysis.vocabulary import check_role_groups, lift

RECONSTRUCTION_DIR = PROJECT_ROOT / "docs" / "reconstruction"

# Words a student may use for a level, in Dutch or English (the Dutch tables say "bril").
LEVEL_NAMES = {
    "lens": ("lens", "lenses", "bril", "brillen"),
    "subtheme": ("subtheme", "sub-theme", "sub theme", "subthemes", "sub-themes", "subthema", "subthema's"),
}


def _key(text: object) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


def code_names(codebook: pd.DataFrame) -> dict[str, str]:
    """Every accepted name of a code (id, Dutch label, English label), lower-cased, to its ``code_id``.

    Parameters
    ----------
    codebook : pandas.DataFrame
        The codebook (``code_id``, ``label_nl``, ``label_en``).

    Returns
    -------
    dict of str to str
        Name to code id.
    """
    names: dict[str, str] = {}
    for column in ("label_en", "label_nl", "code_id"):
        for name, code in zip(codebook[column].astype(str), codebook["code_id"].astype(str), strict=True):
            names[_key(name)] = code
    return names


def code_id(name: object, codebook: pd.DataFrame) -> str | None:
    """The ``code_id`` a student means by a name (id, Dutch or English label), or None.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["obstacles"], "label_nl": ["Hobbels"], "label_en": ["Obstacles"]})
    >>> code_id("hobbels", book), code_id(" Obstacles ", book), code_id("workload", book)
    ('obstacles', 'obstacles', None)
    """
    return code_names(codebook).get(_key(name))


def level_name(name: object) -> str | None:
    """The level (``lens`` or ``subtheme``) a student means, in Dutch or English, or None.

    Examples
    --------
    >>> level_name("Bril"), level_name("sub-theme"), level_name("subthema"), level_name("code")
    ('lens', 'subtheme', 'subtheme', None)
    """
    key = _key(name)
    return next((level for level, names in LEVEL_NAMES.items() if key in names), None)


def lens_of(codebook: pd.DataFrame) -> dict[str, str]:
    """Each code's lens: a sub-theme's parent, a lens itself; tags map to themselves.

    Parameters
    ----------
    codebook : pandas.DataFrame
        The codebook.

    Returns
    -------
    dict of str to str
        Code id to lens (or tag) id.
    """
    codes = codebook["code_id"].astype(str)
    return dict(zip(codes, lift(codes, codebook, "lens"), strict=True))


def codings_with_context(corpus: Corpus) -> pd.DataFrame:
    """The consensus codings, one row per segment and code, with everything a count needs beside them.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.

    Returns
    -------
    pandas.DataFrame
        Columns ``segment_id``, ``code_id``, ``lens`` (the code's lens, or the tag itself),
        ``respondent_id``, ``school_id``, ``role_group``, ``interviewer``, ``words``. A segment
        with two sub-themes of one lens appears twice, once per code.
    """
    rows = pd.DataFrame({"segment_id": corpus.codings["segment_id"].astype(str).to_numpy(),
                         "code_id": corpus.codings["code_id"].astype(str).to_numpy()})
    rows["lens"] = lift(rows["code_id"], corpus.codebook, "lens")
    return rows.merge(segments_with_context(corpus)[["segment_id", "respondent_id", "school_id", "role_group",
                                                     "interviewer", "words"]], on="segment_id")


def segments_with_context(corpus: Corpus) -> pd.DataFrame:
    """The segments with their respondent's school, role group, interviewer and mode beside them.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.

    Returns
    -------
    pandas.DataFrame
        Columns of ``segments`` plus ``school_id``, ``role_group``, ``interviewer``, ``mode``
        (as plain strings).
    """
    people = corpus.respondents[["respondent_id", "school_id", "role_group", "interviewer", "mode"]].astype(str)
    segments = corpus.segments.assign(respondent_id=corpus.segments["respondent_id"].astype(str))
    return segments.merge(people, on="respondent_id", how="left")


def group_of(corpus: Corpus) -> pd.Series:
    """Each respondent's role group, indexed by ``respondent_id`` (plain strings)."""
    people = corpus.respondents
    return pd.Series(people["role_group"].astype(str).to_numpy(), index=people["respondent_id"].astype(str),
                     name="role_group")


def people_and_schools(corpus: Corpus) -> pd.DataFrame:
    """One row per respondent with the school's description beside the role (for re-identification).

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.

    Returns
    -------
    pandas.DataFrame
        The columns of ``respondents`` and of ``schools`` joined on ``school_id``, as strings.
    """
    people = corpus.respondents.astype(str)
    return people.merge(corpus.schools.astype(str), on="school_id", how="left")


def identifiers_in(text: str, names: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Every identifier the project's guard looks for in one text, plus names from a deny list.

    The project's guard (:func:`samendoen_analysis.data.anonymisation.find_all_identifiers`)
    with its findings in words, for a student anonymising a passage.

    Parameters
    ----------
    text : str
        A passage.
    names : iterable of str
        Names to look for (the researcher's deny list), as whole words, case-insensitive.

    Returns
    -------
    list of (str, str)
        (what was found, the text found), in the order of the text.

    Examples
    --------
    >>> identifiers_in("Bel 06-12345678 of mail a@b.nl, groet van Anna", ["anna"])
    [('a phone number', '06-12345678'), ('an e-mail address', 'a@b.nl'), ('a name from the deny-list', 'Anna')]
    """
    return [(DESCRIPTIONS[hit.kind], text[hit.start:hit.end]) for hit in find_all_identifiers([text], list(names))]


def exercise_segments(corpus: Corpus, n: int = 3, seed: int = 7) -> pd.DataFrame:
    """A fixed handful of segments to code by hand, preferably ones both researchers coded.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    n : int
        Number of segments.
    seed : int
        Seed of the draw, so every student (and every run) gets the same segments.

    Returns
    -------
    pandas.DataFrame
        Columns ``segment_id``, ``respondent_id``, ``text``, sorted by segment.
    """
    double = corpus.independent_codings.groupby("segment_id", observed=True)["coder"].nunique()
    pool = corpus.segments[corpus.segments["segment_id"].isin(double[double >= 2].index)]
    if len(pool) < n:
        pool = corpus.segments
    drawn = pool.sample(n=min(n, len(pool)), random_state=seed)
    return drawn[["segment_id", "respondent_id", "text"]].sort_values("segment_id").reset_index(drop=True)


def consensus_codes(corpus: Corpus, segment_ids: Iterable[str]) -> dict[str, list[str]]:
    """The consensus sub-themes and tags of some segments, in codebook order.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    segment_ids : iterable of str
        Segments.

    Returns
    -------
    dict of str to list of str
        Segment id to its codes.
    """
    order = {c: i for i, c in enumerate(corpus.codebook["code_id"].astype(str))}
    codings = corpus.codings.assign(code_id=corpus.codings["code_id"].astype(str))
    return {s: sorted(codings.loc[codings["segment_id"] == s, "code_id"], key=order.__getitem__)
            for s in segment_ids}


def as_code_ids(codes: str | Iterable[str], codebook: pd.DataFrame) -> list[str]:
    """A student's code or codes as code ids; names that are no code are kept as given."""
    codes = [codes] if isinstance(codes, str) else list(codes)
    return [code_id(c, codebook) or str(c) for c in codes]


def compare_with_consensus(mine: Mapping[str, str | Iterable[str]], corpus: Corpus) -> pd.DataFrame:
    """Set one's own codes beside the researchers' consensus, at lens and at sub-theme level.

    Parameters
    ----------
    mine : mapping of str to str or iterable of str
        Segment id to the code(s) given: ids or Dutch or English labels of sub-themes or tags
        (a lens alone counts at lens level).
    corpus : Corpus
        A loaded corpus.

    Returns
    -------
    pandas.DataFrame
        Columns ``segment_id``, ``mine``, ``consensus``, ``same_lens``, ``same_subtheme``.
    """
    lens = lens_of(corpus.codebook)
    final = consensus_codes(corpus, mine)
    rows = []
    for segment, given in mine.items():
        codes = as_code_ids(given, corpus.codebook)
        rows.append({"segment_id": segment, "mine": ", ".join(codes), "consensus": ", ".join(final[segment]),
                     "same_lens": {lens.get(c, c) for c in codes} == {lens[c] for c in final[segment]},
                     "same_subtheme": set(codes) == set(final[segment])})
    return pd.DataFrame(rows)


def two_coders(codes: Mapping[str, tuple[str | Iterable[str], str | Iterable[str]]],
               coders: tuple[str, str] = ("I1", "I2")) -> pd.DataFrame:
    """An independent coding in the layout of ``independent_codings.csv``, from segment -> (codes of A, codes of B).

    Examples
    --------
    >>> two_coders({"X1": ("ideal.culture", ["ideal.culture", "corona"])})
      segment_id coder        code_id
    0         X1    I1  ideal.culture
    1         X1    I2  ideal.culture
    2         X1    I2         corona
    """
    rows = []
    for segment, given in codes.items():
        for coder, some in zip(coders, given, strict=True):
            rows += [(segment, coder, code) for code in ([some] if isinstance(some, str) else some)]
    return pd.DataFrame(rows, columns=["segment_id", "coder", "code_id"])


def agreement_at_levels(independent: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """Pooled decisions, percent agreement, kappa and alpha at lens and at sub-theme level, one row each."""
    summary = ag.agreement_summary(independent, codebook)
    pooled = summary[summary["method"] == ag.POOLED].set_index("level")
    return pooled[["decisions", "agreement", "kappa", "alpha"]]


def reconstruction_budgets(folder: Path = RECONSTRUCTION_DIR) -> pd.DataFrame | None:
    """The word budget each reconstructed respondent was given in total, or None where the file is absent.

    The budgets are how the reconstruction was written (``docs/reconstruction/budgets.csv``),
    not data of the study; a lesson shows them to disclose what was built in.

    Returns
    -------
    pandas.DataFrame or None
        Columns ``respondent_id``, ``budget`` (the sum over the file's columns).
    """
    path = folder / "budgets.csv"
    if not path.is_file():
        return None
    table = pd.read_csv(path, dtype={"respondent_id": str})
    return pd.DataFrame({"respondent_id": table["respondent_id"],
                         "budget": table.drop(columns="respondent_id").sum(axis=1)})


def crossed_schools(corpus: Corpus, groups: Iterable[str]) -> list[str]:
    """Schools in which every interviewer held at least one interview of every one of the role groups.

    In such a school an interviewer difference can be compared within one school and one role:
    the design is crossed there.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    groups : iterable of str
        Role groups, such as the two compared.

    Returns
    -------
    list of str
        School ids, sorted.
    """
    groups = check_role_groups(groups)
    people = corpus.respondents.astype(str)
    people = people[people["role_group"].isin(groups)]
    interviewers = set(corpus.respondents["interviewer"].astype(str))
    held = people.groupby("school_id")[["role_group", "interviewer"]].apply(
        lambda p: set(zip(p["role_group"], p["interviewer"], strict=True)))
    return sorted(school for school, cells in held.items()
                  if all((g, i) in cells for g in groups for i in interviewers))


def side_by_side(corpus: Corpus, groups: Iterable[str], schools: Iterable[str]) -> pd.DataFrame:
    """Words per interview, and the reconstruction's word budget where shipped, by school, role and interviewer.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    groups : iterable of str
        Role groups.
    schools : iterable of str
        Schools, typically :func:`crossed_schools`.

    Returns
    -------
    pandas.DataFrame
        Index (``school_id``, ``role_group``); columns (``words`` or ``budget``, interviewer).
    """
    groups = check_role_groups(groups)
    people = corpus.respondents.astype(str)
    people = people[people["role_group"].isin(groups) & people["school_id"].isin(list(schools))]
    words = corpus.segments.groupby(corpus.segments["respondent_id"].astype(str))["words"].sum()
    people = people.assign(words=people["respondent_id"].map(words).fillna(0))
    values = ["words"]
    budgets = reconstruction_budgets()
    if budgets is not None:
        people = people.merge(budgets, on="respondent_id", how="left")
        values.append("budget")
    return people.pivot_table(index=["school_id", "role_group"], columns="interviewer", values=values,
                              aggfunc="sum")


def lenses(corpus: Corpus) -> list[str]:
    """The lens ids in codebook order."""
    return base_codes(corpus.codebook, "lens")


__all__ = [
    "LEVEL_NAMES", "agreement_at_levels", "as_code_ids", "code_id", "code_names", "codings_with_context",
    "compare_with_consensus", "consensus_codes", "crossed_schools", "exercise_segments", "group_of",
    "identifiers_in", "lens_of", "lenses", "level_name", "people_and_schools", "reconstruction_budgets",
    "segments_with_context", "side_by_side", "two_coders"
]
