"""The corpus as typed pandas tables, loaded only after every check has passed.

One loader serves the shipped reconstruction, imported rounds and test fixtures alike, so
whatever reaches a measure has been through the same validation. A folder that was validated
before, unchanged to the byte since, is mapped back from the warm cache (:mod:`.warm`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import pandas as pd

from samendoen_analysis.data import integrity, warm
from samendoen_analysis.data.anonymisation import read_deny_list
from samendoen_analysis.data.columnar import isin
from samendoen_analysis.data.csvio import read_table
from samendoen_analysis.data.interviews import interview_lengths
from samendoen_analysis.data.words import count_words_series
from samendoen_analysis.paths import resolve_data_dir
from samendoen_analysis.vocabulary import OPTIONAL_TABLES, ROLE_GROUPS, TABLES, codebook_order, columns, table_file

_INTEGER = {"codebook": ["order"], "segments": ["position"], "coder_spans": ["start", "end"]}


def _no_spans() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="int64" if name in ("start", "end") else "str")
                         for name in columns("coder_spans")})


@dataclass(frozen=True)
class Corpus:
    """All tables of one data folder, validated and typed.

    Attributes
    ----------
    schools, respondents, coders, codebook, segments, codings, independent_codings, claims : DataFrame
        One table per file; ``segments`` has an extra ``words`` column.
    coder_spans : DataFrame
        Each coder's own coded stretches (``respondent_id``, ``coder``, ``start``, ``end``,
        ``code_id``); empty when the folder has no ``coder_spans.csv``.
    coders : DataFrame
        Who coded: the independent coders and the consensus (``coders.csv``).
    notes : tuple of str
        Irregularities that were accepted while reading (for example a semicolon separator).
    data_dir : Path
        Folder the corpus was read from.
    """

    schools: pd.DataFrame
    respondents: pd.DataFrame
    codebook: pd.DataFrame
    segments: pd.DataFrame
    codings: pd.DataFrame
    independent_codings: pd.DataFrame
    claims: pd.DataFrame
    coder_spans: pd.DataFrame = field(default_factory=_no_spans)
    coders: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=columns("coders"), dtype="str"))
    notes: tuple[str, ...] = ()
    data_dir: Path = field(default_factory=Path)

    @cached_property
    def _derived(self) -> dict:
        """Positions derived from the tables' ids, filled once by the measures.

        A Corpus is frozen and its tables are never changed in place; subset() and replace()
        make a new Corpus, which starts with an empty cache.
        """
        return {}

    @property
    def rounds(self) -> list[str]:
        """Interview rounds present, sorted."""
        return sorted(self.respondents["round"].unique())

    def subset(
        self,
        rounds: list[str] | None = None,
        schools: list[str] | None = None,
        role_groups: list[str] | None = None,
    ) -> Corpus:
        """Return a corpus restricted to some rounds, schools and role groups.

        Parameters
        ----------
        rounds, schools, role_groups : list of str, optional
            Values to keep; None keeps all.

        Returns
        -------
        Corpus
            A new corpus; this one is not changed.
        """
        keep = pd.Series(True, index=self.respondents.index)
        for column, values in (("round", rounds), ("school_id", schools), ("role_group", role_groups)):
            if values:
                keep &= self.respondents[column].isin(values)
        respondents = self.respondents[keep]
        segments = self.segments[self.segments["respondent_id"].isin(respondents["respondent_id"])]
        return replace(
            self,
            respondents=respondents,
            segments=segments,
            codings=self.codings[self.codings["segment_id"].isin(segments["segment_id"])],
            independent_codings=self.independent_codings[
                self.independent_codings["segment_id"].isin(segments["segment_id"])
            ],
            coder_spans=self.coder_spans[self.coder_spans["respondent_id"].isin(respondents["respondent_id"])],
        )


def _read_all(data_dir: Path, notes: list[str]) -> dict[str, pd.DataFrame]:
    # Imported here, not at the top: pandera takes about 0.4 s to import, which every notebook
    # kernel of `samendoen reproduce` would pay although it gets the corpus from the cache below.
    from samendoen_analysis.data.schema import field_names, load_descriptor, resource, validate_table

    descriptor_path = data_dir / "datapackage.json"
    descriptor = load_descriptor(descriptor_path)
    integrity.check_resources(descriptor, descriptor_path, TABLES)
    tables = {}
    for name in TABLES:
        res = resource(descriptor, name)
        path = data_dir / res["path"]
        if name in OPTIONAL_TABLES and not path.exists():
            tables[name] = pd.DataFrame({column: pd.Series(dtype="str") for column in field_names(res)})
            continue
        frame = read_table(path, field_names(res), notes)
        validate_table(frame, name, descriptor_path, path)
        tables[name] = frame
    return tables


def _check_links(tables: dict[str, pd.DataFrame], data_dir: Path, deny: list[str] | None) -> None:
    from samendoen_analysis.data.schema import load_descriptor

    t = tables
    file = {name: data_dir / table_file(name) for name in TABLES}
    integrity.check_foreign_keys(t, load_descriptor(data_dir / "datapackage.json"), data_dir)
    integrity.check_codebook_tree(t["codebook"], file["codebook"])
    for name in ("codings", "independent_codings", "coder_spans"):
        integrity.check_codable(t[name], t["codebook"], file[name])
    # An interview's length depends on its own segments only: measure just the interviews
    # that have coded stretches (none, in most folders) instead of every segment.
    spanned = t["segments"][isin(t["segments"]["respondent_id"], t["coder_spans"]["respondent_id"])]
    integrity.check_spans(t["coder_spans"], interview_lengths(spanned), file["coder_spans"])
    integrity.check_coders(t["independent_codings"], t["coders"], file["independent_codings"])
    integrity.check_claims(t["claims"], t["codebook"], ROLE_GROUPS, file["claims"])
    integrity.check_segments(t["segments"], t["respondents"], t["codings"], file["segments"])
    for name in ("codings", "independent_codings"):
        integrity.check_uncoded_talk(t["segments"], t[name], file[name])
    integrity.check_anonymised(t["segments"], file["segments"], deny)


def _typed(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    t = {name: frame.copy() for name, frame in tables.items()}
    for name, integers in _INTEGER.items():
        t[name][integers] = t[name][integers].astype("int64")
    t["claims"]["threshold"] = pd.to_numeric(t["claims"]["threshold"])
    t["codebook"] = t["codebook"].sort_values("order", kind="stable").reset_index(drop=True)
    codes = pd.CategoricalDtype(codebook_order(t["codebook"]), ordered=True)
    for name in ("codings", "independent_codings", "coder_spans"):
        t[name]["code_id"] = t[name]["code_id"].astype(codes)
    t["respondents"]["role_group"] = t["respondents"]["role_group"].astype(
        pd.CategoricalDtype(ROLE_GROUPS, ordered=True))
    t["segments"]["coded"] = t["segments"]["coded"] == "true"
    t["segments"]["words"] = count_words_series(t["segments"]["text"])
    return t


def load_corpus(data_dir: str | Path | None = None, deny_list: str | Path | None = None) -> Corpus:
    """Load and validate a corpus folder.

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder with ``datapackage.json`` and the CSV files; default the shipped ``data/``.
    deny_list : str or Path, optional
        Text file of names (one per line) that must not occur in any segment.

    Returns
    -------
    Corpus
        Typed tables: categoricals in codebook and role-group order, integer positions,
        and a ``words`` column on segments.

    Raises
    ------
    DataError
        On the first invalid file, line and column, with what to do about it.

    Notes
    -----
    A folder validated before, with not one byte of it, of the deny-list or of this package
    changed since, is loaded from the warm cache (:mod:`samendoen_analysis.data.warm`).
    """
    folder = resolve_data_dir(data_dir)
    integrity.check_no_interrupted_write(folder)
    deny_path = Path(deny_list) if deny_list else None
    # A deny-list that cannot be read gets no key: the cold load below raises its error.
    cacheable = deny_path is None or deny_path.is_file()
    if cacheable:
        before = warm.stamp(folder)
        key = warm.key(folder, deny_path)
        cached = warm.load(key)
        if cached is not None:
            tables, notes = cached
            return Corpus(**tables, notes=notes, data_dir=folder)
    notes: list[str] = []
    tables = _read_all(folder, notes)
    deny = read_deny_list(deny_path) if deny_path else None
    _check_links(tables, folder, deny)
    typed = _typed(tables)
    if cacheable and warm.stamp(folder) == before:  # no file changed while it was hashed and read
        warm.store(key, typed, tuple(notes))
    return Corpus(**typed, notes=tuple(notes), data_dir=folder)


__all__ = ["Corpus", "load_corpus"]
