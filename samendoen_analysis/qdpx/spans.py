"""Each user's own coded selections in a REFI-QDA project, for span-level agreement.

A project coded by several people (merged in ATLAS.ti or MAXQDA, or exported per coder and
combined) records who applied each code (``creatingUser`` on the coding or its selection).
This module reads those selections as they are, one row per user, selection and code, without
forcing them onto shared segments, so that :mod:`samendoen_analysis.analysis.spans` can compare
the coders' boundaries. It only reads; writing a round into the data folder is the importer's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from samendoen_analysis.errors import DataError
from samendoen_analysis.qdpx.cases import make_id
from samendoen_analysis.qdpx.read import code_points, codes_by_user, read_coded

SPAN_FIELDS = ["source", "coder", "start", "end", "code_id"]


@dataclass(frozen=True)
class CoderSpans:
    """The coders' selections of a project.

    Attributes
    ----------
    spans : pandas.DataFrame
        Columns ``source`` (source name), ``coder`` (user name as an id), ``start``, ``end``
        (code points into the source's text, end exclusive), ``code_id`` (the codebook id when
        the code's name is a code id or label of the codebook, else the code's name).
    texts : dict of str to str
        Each source's text (without a byte order mark), by name.
    counting : str
        How the file counted positions (``code_points`` or ``utf16_units``); spans are in code points.
    """

    spans: pd.DataFrame
    texts: dict[str, str]
    counting: str

    @property
    def lengths(self) -> pd.Series:
        """Length of each source's text in code points, by source name."""
        return pd.Series({name: len(text) for name, text in self.texts.items()}, dtype="int64").sort_index()


def read_coder_spans(path: str | Path, codebook: pd.DataFrame | None = None) -> CoderSpans:
    """Read every user's coded selections from a QDPX file.

    Parameters
    ----------
    path : str or Path
        The ``.qdpx`` file.
    codebook : pandas.DataFrame, optional
        Codes whose name is a ``code_id``, ``label_nl`` or ``label_en`` of it get that ``code_id``.

    Returns
    -------
    CoderSpans
        The selections per user, sorted by source, coder, start and code.

    Raises
    ------
    DataError
        For an unreadable or unsafe file, an export without coded text, positions outside a text,
        or a coding without a user.
    """
    path = Path(path)
    project, (counting, _, _) = read_coded(path)
    lookup = {}
    if codebook is not None:
        for column in ("label_en", "label_nl", "code_id"):
            lookup.update(dict(zip(codebook[column].astype(str), codebook["code_id"].astype(str), strict=True)))
    names = {guid: code.name for guid, code in project.codes.items()}
    rows = []
    for sel in project.selections:
        for user, codes in codes_by_user([sel], names).items():
            if user not in project.users:
                raise DataError(path, f"a coding in source '{project.sources[sel.source]}' has no known user "
                                f"(creatingUser '{user}').", "export the project with its users (a merged "
                                "project of all coders), so that each coding says who made it.")
            coder = make_id(project.users[user], "coder")
            rows += [(sel.source, coder, sel.start, sel.end, lookup.get(name, name)) for name in codes]
    frame = pd.DataFrame(rows, columns=["guid", "coder", "start", "end", "code_id"]).drop_duplicates()
    texts = {guid: project.texts[guid].removeprefix("\ufeff") for guid in frame["guid"].unique()}
    for guid, idx in frame.groupby("guid").indices.items():
        for column in ("start", "end"):
            frame.iloc[idx, frame.columns.get_loc(column)] = code_points(
                texts[guid], frame[column].to_numpy()[idx], counting)
    frame["source"] = frame["guid"].map(project.sources)
    spans = frame[SPAN_FIELDS].sort_values(["source", "coder", "start", "code_id"], kind="stable")
    return CoderSpans(spans.reset_index(drop=True).astype({"start": "int64", "end": "int64"}),
                      {project.sources[g]: t for g, t in texts.items()}, counting)


__all__ = ["SPAN_FIELDS", "CoderSpans", "read_coder_spans"]
