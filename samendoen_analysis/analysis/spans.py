"""Inter-coder agreement on each coder's own stretches of text (spans), not on fixed segments.

Why this module exists
----------------------
:mod:`samendoen_analysis.analysis.agreement` compares two coders on segments both coded, which
assumes they coded the same stretches. In a real project each coder selects their own stretches
in NVivo, ATLAS.ti or MAXQDA and the boundaries rarely coincide. This module compares such
selections (``coder_spans.csv``, or any table with columns ``source``, ``coder``, ``start``,
``end``, ``code_id``; offsets in code points, end exclusive) in the two ways QDA programs do:

**Overlap matching (as MAXQDA's "segment overlap" criterion).** A span of one coder *agrees*
when the other coder gave the same code to a span of the same source that overlaps it by at
least ``threshold`` (default 0.9, MAXQDA's default of 90%). The overlap of two spans is their
intersection over their union (the share of the text that either covers that both cover); a
span takes its best-overlapping partner. Percent agreement is the share of both coders' spans
that agree, per code and pooled over codes. Kappa follows Brennan & Prediger (1981) as MAXQDA
does: chance agreement is 1 / (number of codes in the table), because with free-form spans
there is no count of "neither coder coded it" that Cohen's kappa would need. Our choices where
MAXQDA's manual is silent: the per-code kappa uses the same chance agreement as the pooled one,
and a span may serve as the partner of several spans.

**Krippendorff's alpha for unitized text.** The text is a continuum of characters; the sources
(interviews) are laid end to end, and a stretch never runs over the end of its source.

* ``unitized_alpha``: per code, Krippendorff's |u-alpha (the binary alpha of Krippendorff
  1995, in the form of Krippendorff 2004, *Content Analysis*, 2nd ed., section 12.4, and
  Krippendorff et al. 2016): each coder's continuum is cut into sections that carry the code
  and gaps that do not; observed disagreement sums, over pairs of coders, the squared
  differences of the begin and end points of overlapping coded sections, and the squared
  length of a coded section that lies wholly inside the other coder's gap; expected
  disagreement takes every placement of the sections the coders made. This is ATLAS.ti's
  "alpha-binary" per code. Overlapping spans of one coder with one code are merged first (the
  coefficient needs non-overlapping sections). Across codes the pooled value is
  1 - sum(Do) / sum(De) over the codes, as in Krippendorff (2004)'s worked example.
* ``cu_alpha``: cu-alpha as Krippendorff et al. (2016) describe it: agreement on *which* code,
  only where at least two coders coded the text. Our reading, computed as nominal alpha over a
  coincidence matrix whose units are the characters coded by two or more coders (for two
  coders: the lengths of the intersections of their coded sections, by pair of codes; with
  more coders each character's pairs weigh 1 / (its coders - 1), as alpha does with missing
  values). It is checked against the ``krippendorff`` package character by character and a
  hand-worked case; no published cu-alpha example with its data was found to check it against.
  Per *domain* (a lens: the codes among which a coder chooses) this is ATLAS.ti's cu-alpha; with
  each code replaced by its domain it is Cu-alpha, agreement on the domain across domains.
  Where ATLAS.ti requires the codes of a domain to exclude one another, a coder here may give
  two codes of one domain to the same characters; each of them then counts with weight 1/2
  (our choice; with one code per character this is exactly nominal alpha). Here the domains
  are the lenses (:func:`lens_domains`); the cross-cutting tags (corona) belong to no domain,
  since they are given beside a sub-theme by design, and get only their binary alpha.

The tests check |u-alpha against the worked examples of Krippendorff (1995) and (2004), and
every statistic against hand-worked cases. Inputs are never changed; every function returns new tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from samendoen_analysis.data.interviews import SEPARATOR, interview_lengths, segment_offsets, spans_from_segments

SPAN_FIELDS = ["source", "coder", "start", "end", "code_id"]
DEFAULT_THRESHOLD = 0.9
POOLED = "pooled"
ACROSS = "across_domains"

def spans_of(corpus) -> pd.DataFrame:
    """Every coder's own spans: ``coder_spans.csv`` plus the independent codings as whole segments.

    An independent coding of a segment is a span over that segment's text; storing it twice
    would let the two files drift apart, so ``coder_spans.csv`` holds only selections whose
    boundaries are not a segment's, and both are combined here (a span in both counts once).

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.

    Returns
    -------
    pandas.DataFrame
        Columns ``source`` (the interview: its ``respondent_id``), ``coder``, ``start``, ``end``
        (int64, code points into the interview's text, end exclusive), ``code_id`` (str);
        sorted by source, coder, start and code.
    """
    derived = spans_from_segments(corpus.segments, corpus.independent_codings)
    rows = pd.concat([corpus.coder_spans.astype(str), derived], ignore_index=True).drop_duplicates()
    out = pd.DataFrame({
        "source": rows["respondent_id"].astype(str).to_numpy(),
        "coder": rows["coder"].astype(str).to_numpy(),
        "start": rows["start"].astype("int64").to_numpy(),
        "end": rows["end"].astype("int64").to_numpy(),
        "code_id": rows["code_id"].astype(str).to_numpy(),
    })
    return out.sort_values(["source", "coder", "start", "code_id"], kind="stable").reset_index(drop=True)


def source_lengths(corpus) -> pd.Series:
    """Length in code points of each interview's text, indexed by source (``respondent_id``)."""
    return interview_lengths(corpus.segments)


def independent_stretches(corpus) -> pd.DataFrame:
    """Where the independently coded segments lie in their interviews' texts.

    For a round whose spans were derived from segment-level independent codings, only the
    segments that two coders or more coded were compared; they, not the whole interviews, are the
    continuum to compare on (see :func:`restrict`).

    Returns
    -------
    pandas.DataFrame
        Columns ``source``, ``start``, ``end``.
    """
    offsets = segment_offsets(corpus.segments)
    coders = corpus.independent_codings.groupby("segment_id", observed=True)["coder"].nunique()
    coded = offsets[offsets["segment_id"].isin(coders[coders >= 2].index.astype(str))]
    return pd.DataFrame({"source": coded["respondent_id"].astype(str).to_numpy(),
                         "start": coded["start"].to_numpy(), "end": coded["end"].to_numpy()})


def restrict(spans: pd.DataFrame, stretches: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Spans and lengths on a continuum made only of some stretches of the sources.

    Parameters
    ----------
    spans : pandas.DataFrame
        Columns :data:`SPAN_FIELDS`.
    stretches : pandas.DataFrame
        Columns ``source``, ``start``, ``end``: the text the coders were asked to code; stretches
        of one source must not overlap.

    Returns
    -------
    tuple of (pandas.DataFrame, pandas.Series)
        The spans with offsets into each source's stretches laid end to end (a span is cut to the
        stretch its start lies in; spans outside every stretch are dropped), and the length of
        each source's new continuum.
    """
    parts = stretches.sort_values(["source", "start"], kind="stable")
    size = (parts["end"] - parts["start"]).to_numpy(dtype="int64")
    before = (pd.Series(size).groupby(parts["source"].to_numpy()).cumsum() - size).to_numpy()
    rows = []
    for source, idx in parts.groupby("source", sort=True).indices.items():
        mine = spans[spans["source"] == source]
        begin, finish = parts["start"].to_numpy()[idx], parts["end"].to_numpy()[idx]
        k = np.searchsorted(begin, mine["start"].to_numpy(), side="right") - 1
        inside = (k >= 0) & (mine["start"].to_numpy() < finish[np.maximum(k, 0)])
        k = k[inside]
        kept = mine[inside]
        new_start = before[idx][k] + kept["start"].to_numpy() - begin[k]
        new_end = before[idx][k] + np.minimum(kept["end"].to_numpy(), finish[k]) - begin[k]
        rows.append(kept.assign(start=new_start, end=new_end))
    out = pd.concat(rows, ignore_index=True) if rows else spans.iloc[:0]
    lengths = pd.Series(size).groupby(parts["source"].to_numpy()).sum().astype("int64")
    return out[SPAN_FIELDS].reset_index(drop=True), lengths


def span_summary(
    rounds: Mapping[str, tuple[pd.DataFrame, pd.Series]], domains: Mapping[str, str],
    threshold: float = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """One row per round: overlap matching, pooled binary alpha and Cu-alpha across lenses.

    Parameters
    ----------
    rounds : mapping of str to (pandas.DataFrame, pandas.Series)
        For each round name, its spans and the lengths of its sources (see :func:`round_spans`).
    domains : mapping of str to str
        Domain of each code (:func:`lens_domains`).
    threshold : float
        Least overlap for a match.

    Returns
    -------
    pandas.DataFrame
        Columns ``round``, ``coders``, ``spans``, ``characters`` (length of the continuum),
        ``agreement``, ``kappa`` (overlap matching of the first two coders, pooled),
        ``alpha_binary`` (pooled |u-alpha, all coders) and ``cu_alpha`` (Cu-alpha across lenses).

    Examples
    --------
    >>> s = pd.DataFrame({"source": ["x"] * 4, "coder": ["A", "B", "A", "B"], "start": [0, 2, 30, 40],
    ...                   "end": [20, 20, 60, 60], "code_id": ["a.x", "a.x", "b.z", "b.z"]})
    >>> lengths = pd.Series({"x": 100})
    >>> span_summary({"R1": (s, lengths)}, {"a.x": "a", "b.z": "b"}).round(3)
      round  coders  spans  characters  agreement  kappa  alpha_binary  cu_alpha
    0    R1       2      4         100       50.0    0.0         0.888       1.0
    """
    rows = []
    for name, (spans, lengths) in rounds.items():
        pooled = overlap_agreement(spans, threshold=threshold).set_index("code_id").loc[POOLED]
        rows.append({
            "round": name, "coders": spans["coder"].nunique(), "spans": len(spans), "characters": int(lengths.sum()),
            "agreement": pooled["agreement"], "kappa": pooled["kappa"],
            "alpha_binary": unitized_alpha(spans, lengths).set_index("code_id").loc[POOLED, "alpha"],
            "cu_alpha": cu_alpha(spans, lengths, domains).set_index("domain").loc[ACROSS, "alpha"],
        })
    columns = ["round", "coders", "spans", "characters", "agreement", "kappa", "alpha_binary", "cu_alpha"]
    return pd.DataFrame(rows, columns=columns)


def span_agreement_by_code(
    spans: pd.DataFrame, lengths: pd.Series, threshold: float = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """Per code: overlap matching of the first two coders and the binary alpha of all coders.

    Returns
    -------
    pandas.DataFrame
        Columns of :func:`overlap_agreement` plus ``alpha_binary`` (|u-alpha); the last row pooled.

    Examples
    --------
    >>> s = pd.DataFrame({"source": ["x"] * 4, "coder": ["A", "B", "A", "B"], "start": [0, 2, 30, 40],
    ...                   "end": [20, 20, 60, 60], "code_id": ["a.x", "a.x", "b.z", "b.z"]})
    >>> lengths = pd.Series({"x": 100})
    >>> span_agreement_by_code(s, lengths)[["code_id", "agreement", "alpha_binary"]].round(3)
      code_id  agreement  alpha_binary
    0     a.x      100.0         0.992
    1     b.z        0.0         0.766
    2  pooled       50.0         0.888
    """
    matched = overlap_agreement(spans, threshold=threshold)
    alpha = unitized_alpha(spans, lengths).set_index("code_id")["alpha"]
    return matched.assign(alpha_binary=matched["code_id"].map(alpha).to_numpy())


def with_text(rows: pd.DataFrame, texts: Mapping[str, str]) -> pd.DataFrame:
    """Rows with ``source``, ``start``, ``end`` and the stretch of text they point at.

    Parameters
    ----------
    rows : pandas.DataFrame
        For example :func:`unmatched_spans`.
    texts : mapping of str to str
        Each source's text.

    Returns
    -------
    pandas.DataFrame
        A copy with a column ``text``.
    """
    stretch = [texts[s][a:b] for s, a, b in zip(rows["source"], rows["start"], rows["end"], strict=True)]
    return rows.assign(text=stretch)


def lens_domains(codebook: pd.DataFrame) -> dict[str, str]:
    """The domain of each sub-theme: its lens (tags belong to no domain).

    Parameters
    ----------
    codebook : pandas.DataFrame
        Columns ``code_id``, ``parent_id``, ``kind``.

    Returns
    -------
    dict of str to str
        Sub-theme id to lens id.
    """
    subthemes = codebook[codebook["kind"] == "subtheme"]
    return dict(zip(subthemes["code_id"].astype(str), subthemes["parent_id"].astype(str), strict=True))


def continuum_of(corpus) -> pd.DataFrame:
    """The text the coders of each interview were asked to code.

    An interview coded segment by segment (every span of it is exactly one of its segments, as
    the spans derived from ``independent_codings.csv`` are) contributes only the segments that
    two coders or more coded; any other interview (a round imported with each coder's own
    selections) contributes its whole text. Our choice: text that nobody was asked to code
    must not count as agreed.

    Returns
    -------
    pandas.DataFrame
        Columns ``source``, ``start``, ``end``.
    """
    offsets = segment_offsets(corpus.segments)
    segment_keys = set(zip(offsets["respondent_id"].astype(str), offsets["start"], offsets["end"], strict=True))
    spans = spans_of(corpus)
    on_segment = pd.Series([key in segment_keys for key in zip(spans["source"], spans["start"], spans["end"],
                                                                strict=True)], dtype=bool)
    by_segment = on_segment.groupby(spans["source"].to_numpy()).all()
    coded = independent_stretches(corpus)
    coded = coded[coded["source"].isin(by_segment[by_segment].index)]
    lengths = source_lengths(corpus)
    whole = lengths[~lengths.index.isin(coded["source"])]
    rest = pd.DataFrame({"source": whole.index.astype(str), "start": 0, "end": whole.to_numpy()})
    return pd.concat([coded, rest], ignore_index=True).sort_values(["source", "start"]).reset_index(drop=True)


def round_spans(corpus) -> tuple[pd.DataFrame, pd.Series]:
    """The spans of a corpus (or a subset: one round) on the text its coders coded.

    Returns
    -------
    tuple of (pandas.DataFrame, pandas.Series)
        Spans (:data:`SPAN_FIELDS`) and the length of each source's continuum (see
        :func:`continuum_of` and :func:`restrict`).
    """
    spans = spans_of(corpus)
    stretches = continuum_of(corpus)
    return restrict(spans, stretches[stretches["source"].isin(spans["source"])])


def paragraph_stretches(texts: Mapping[str, str]) -> pd.DataFrame:
    """The paragraphs of each text (separated by a blank line), as fixed segments.

    Parameters
    ----------
    texts : mapping of str to str
        Text of each source.

    Returns
    -------
    pandas.DataFrame
        Columns ``source``, ``segment`` (1, 2, ... within the source), ``start``, ``end``.
    """
    rows = []
    for source in sorted(texts):
        offset = 0
        for number, part in enumerate(texts[source].split(SEPARATOR), start=1):
            rows.append((source, number, offset, offset + len(part)))
            offset += len(part) + len(SEPARATOR)
    return pd.DataFrame(rows, columns=["source", "segment", "start", "end"])


def segment_codes(spans: pd.DataFrame, segments: pd.DataFrame, pair: Sequence[str] | None = None) -> pd.DataFrame:
    """The codes each coder gave to each fixed segment: the codes of the spans that touch it.

    Parameters
    ----------
    spans : pandas.DataFrame
        Columns :data:`SPAN_FIELDS`.
    segments : pandas.DataFrame
        Columns ``source``, ``segment``, ``start``, ``end`` (for example from
        :func:`paragraph_stretches`).
    pair : sequence of two str, optional
        The coders; default the first two in sorted order.

    Returns
    -------
    pandas.DataFrame
        Index (``source``, ``segment``); one column per coder holding a sorted tuple of codes.
        This is the segment-level view of :mod:`samendoen_analysis.analysis.agreement`.
    """
    chosen = _pair(spans, pair)
    joined = spans.merge(segments, on="source", suffixes=("", "_seg"))
    touching = joined[(joined["start"] < joined["end_seg"]) & (joined["end"] > joined["start_seg"])]
    out = pd.DataFrame(index=pd.MultiIndex.from_frame(segments[["source", "segment"]]))
    for coder in chosen:
        mine = touching[touching["coder"] == coder].groupby(["source", "segment"])["code_id"].agg(
            lambda c: tuple(sorted(set(c))))
        out[coder] = [mine.get(key, ()) for key in out.index]
    return out


def _pair(spans: pd.DataFrame, pair: Sequence[str] | None) -> tuple[str, str]:
    found = sorted(spans["coder"].astype(str).unique())
    if pair is None:
        if len(found) < 2:
            raise ValueError(f"span agreement needs two coders; the spans have {len(found)}: {', '.join(found)}")
        return found[0], found[1]
    if len(pair) != 2:
        raise ValueError(f"a coder pair needs two coders, got {list(pair)}")
    for coder in pair:
        if coder not in found:
            raise ValueError(f"unknown coder '{coder}'; valid values: {', '.join(found)}")
    return str(pair[0]), str(pair[1])


def _check_threshold(threshold: float) -> None:
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be above 0 and at most 1 (a share of overlap), got {threshold}")


def _best_overlap(mine: pd.DataFrame, theirs: pd.DataFrame) -> np.ndarray:
    """For each span of ``mine``, the best intersection-over-union with a span of ``theirs``.

    Spans are compared only within one (source, code); candidates are found by sorting, so the
    work grows with the number of overlapping pairs, not with the product of the two lists.
    """
    best = np.zeros(len(mine))
    if len(mine) == 0 or len(theirs) == 0:
        return best
    keys = pd.concat([mine[["source", "code_id"]], theirs[["source", "code_id"]]]).astype(str)
    group = pd.MultiIndex.from_frame(keys).factorize()[0].astype("int64")
    width = int(max(mine["end"].max(), theirs["end"].max())) + 1
    g_mine, g_theirs = group[: len(mine)], group[len(mine):]
    a_start = g_mine * width + mine["start"].to_numpy(dtype="int64")
    a_end = g_mine * width + mine["end"].to_numpy(dtype="int64")
    order = np.argsort(g_theirs * width + theirs["start"].to_numpy(dtype="int64"), kind="stable")
    b_start = (g_theirs * width + theirs["start"].to_numpy(dtype="int64"))[order]
    b_end = (g_theirs * width + theirs["end"].to_numpy(dtype="int64"))[order]
    longest = int((b_end - b_start).max())
    lo = np.searchsorted(b_start, a_start - longest, side="left")
    hi = np.searchsorted(b_start, a_end, side="left")
    count = hi - lo
    a_idx = np.repeat(np.arange(len(mine)), count)
    b_idx = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count) + np.repeat(lo, count)
    inter = np.minimum(a_end[a_idx], b_end[b_idx]) - np.maximum(a_start[a_idx], b_start[b_idx])
    union = np.maximum(a_end[a_idx], b_end[b_idx]) - np.minimum(a_start[a_idx], b_start[b_idx])
    ratio = np.where(inter > 0, inter / union, 0.0)
    np.maximum.at(best, a_idx, ratio)
    return best


def match_spans(
    spans: pd.DataFrame, pair: Sequence[str] | None = None, threshold: float = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """Every span of the two coders, with its best overlap with the other coder's spans of its code.

    Parameters
    ----------
    spans : pandas.DataFrame
        Columns :data:`SPAN_FIELDS`.
    pair : sequence of two str, optional
        The coders; default the first two in sorted order.
    threshold : float
        Least intersection over union for a match, above 0 and at most 1 (default 0.9).

    Returns
    -------
    pandas.DataFrame
        The pair's spans (columns :data:`SPAN_FIELDS`) plus ``overlap`` (best intersection over
        union with a span of the other coder with the same code in the same source, 0 when none
        overlaps) and ``matched`` (overlap at least ``threshold``); first coder first.

    Examples
    --------
    >>> s = pd.DataFrame({"source": ["x"] * 4, "coder": ["A", "B", "A", "B"], "start": [0, 2, 30, 40],
    ...                   "end": [20, 20, 60, 60], "code_id": ["a.x", "a.x", "b.z", "b.z"]})
    >>> match_spans(s)[["coder", "start", "end", "code_id", "overlap", "matched"]].round(2)
      coder  start  end code_id  overlap  matched
    0     A      0   20     a.x     0.90     True
    1     A     30   60     b.z     0.67    False
    2     B      2   20     a.x     0.90     True
    3     B     40   60     b.z     0.67    False
    """
    _check_threshold(threshold)
    first, second = _pair(spans, pair)
    a = spans[spans["coder"].astype(str) == first].reset_index(drop=True)
    b = spans[spans["coder"].astype(str) == second].reset_index(drop=True)
    out = pd.concat([a.assign(overlap=_best_overlap(a, b)), b.assign(overlap=_best_overlap(b, a))],
                    ignore_index=True)
    out["matched"] = out["overlap"] >= threshold - 1e-12
    return out[[*SPAN_FIELDS, "overlap", "matched"]]


def _agreement_row(counts: np.ndarray, chance: float) -> dict:
    """A row from [spans of a, spans of b, matched of a, matched of b]."""
    spans_a, spans_b, matched_a, matched_b = (int(n) for n in counts)
    total = spans_a + spans_b
    share = (matched_a + matched_b) / total if total else float("nan")
    kappa = (share - chance) / (1 - chance) if total and chance < 1 else float("nan")
    return {"spans_a": spans_a, "spans_b": spans_b, "matched_a": matched_a, "matched_b": matched_b,
            "agreement": float(100 * share), "kappa": float(kappa)}


def overlap_agreement(
    spans: pd.DataFrame, pair: Sequence[str] | None = None, threshold: float = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """Percent agreement and Brennan-Prediger kappa of overlap matching, per code and pooled.

    Parameters
    ----------
    spans : pandas.DataFrame
        Columns :data:`SPAN_FIELDS`.
    pair : sequence of two str, optional
        The coders; default the first two in sorted order.
    threshold : float
        Least intersection over union for a match (default 0.9, as MAXQDA).

    Returns
    -------
    pandas.DataFrame
        One row per code either coder used (sorted), then a row ``pooled``: ``code_id``,
        ``spans_a``, ``spans_b`` (spans of each coder), ``matched_a``, ``matched_b`` (of those,
        how many found a partner), ``agreement`` (% of all spans matched) and ``kappa``
        (chance agreement 1 / number of codes; NaN with a single code).

    Examples
    --------
    >>> s = pd.DataFrame({"source": ["x"] * 3, "coder": ["A", "B", "B"], "start": [0, 1, 50],
    ...                   "end": [20, 20, 60], "code_id": ["c", "c", "k"]})
    >>> overlap_agreement(s)[["code_id", "agreement", "kappa"]].round(3).to_numpy().tolist()
    [['c', 100.0, 1.0], ['k', 0.0, -1.0], ['pooled', 66.667, 0.333]]
    """
    matched = match_spans(spans, pair, threshold)
    first = _pair(spans, pair)[0]
    code_idx, codes = pd.factorize(matched["code_id"].astype(str), sort=True)
    is_a = (matched["coder"].astype(str) == first).to_numpy()
    hit = matched["matched"].to_numpy()
    counts = np.stack([np.bincount(code_idx, weights=w, minlength=len(codes))
                       for w in (is_a, ~is_a, is_a & hit, ~is_a & hit)], axis=1)
    chance = 1 / len(codes) if len(codes) else float("nan")
    rows = [{"code_id": code, **_agreement_row(counts[i], chance)} for i, code in enumerate(codes)]
    rows.append({"code_id": POOLED, **_agreement_row(counts.sum(axis=0), chance)})
    return pd.DataFrame(rows)


def unmatched_spans(
    spans: pd.DataFrame, pair: Sequence[str] | None = None, threshold: float = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """The spans of either coder of the pair without a partner (see :func:`match_spans`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SPAN_FIELDS` and ``overlap``, sorted by source, start and coder.

    Examples
    --------
    >>> s = pd.DataFrame({"source": ["x"] * 4, "coder": ["A", "B", "A", "B"], "start": [0, 2, 30, 40],
    ...                   "end": [20, 20, 60, 60], "code_id": ["a.x", "a.x", "b.z", "b.z"]})
    >>> unmatched_spans(s)[["coder", "start", "end", "code_id", "overlap"]].round(2)
      coder  start  end code_id  overlap
    0     A     30   60     b.z     0.67
    1     B     40   60     b.z     0.67
    """
    matched = match_spans(spans, pair, threshold)
    out = matched[~matched["matched"]].drop(columns="matched")
    return out.sort_values(["source", "start", "coder"], kind="stable").reset_index(drop=True)


def _continuum(spans: pd.DataFrame, lengths: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Global begin and end of every span, and the source boundaries, with sources end to end."""
    lengths = lengths.astype("int64").sort_index()
    names = lengths.index.astype(str)
    size = lengths.to_numpy()
    offset = np.cumsum(size) - size
    position = pd.Index(names).get_indexer(spans["source"].astype(str))
    if (position < 0).any():
        unknown = spans["source"].astype(str).to_numpy()[position < 0][0]
        raise ValueError(f"unknown source '{unknown}' in the spans; valid values: {', '.join(names)}")
    start, end = spans["start"].to_numpy(dtype="int64"), spans["end"].to_numpy(dtype="int64")
    outside = (start < 0) | (end <= start) | (end > size[position])
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise ValueError(f"span {start[i]}-{end[i]} of source '{names[position[i]]}' is empty or outside its text")
    return offset[position] + start, offset[position] + end, offset, int(size.sum())


def _points(*arrays: np.ndarray) -> np.ndarray:
    """The distinct values of some integer arrays, sorted (np.unique hashes, which is slower here)."""
    values = np.sort(np.concatenate(arrays).astype("int64"))
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def _merged(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Overlapping intervals joined into one (touching ones stay apart), sorted."""
    order = np.lexsort((end, start))
    start, end = start[order], end[order]
    if len(start) == 0:
        return start, end
    reach = np.maximum.accumulate(end)
    new = np.r_[True, start[1:] >= reach[:-1]]
    return start[new], np.maximum.reduceat(end, np.flatnonzero(new))


def _gaps(start: np.ndarray, end: np.ndarray, cuts: np.ndarray, total: int) -> np.ndarray:
    """Lengths of the stretches not covered by the sorted, disjoint units, cut at source boundaries."""
    points = _points(start, end, cuts, np.array([0, total]))
    left, right = points[:-1], points[1:]
    idx = np.searchsorted(start, left, side="right") - 1
    covered = (idx >= 0) & (end[np.maximum(idx, 0)] > left) if len(start) else np.zeros(len(left), bool)
    return (right - left)[~covered]


def _pair_distance(a_start, a_end, b_start, b_end) -> float:
    """Sum of Krippendorff's squared distances between two coders' sections of one code."""
    lo = np.searchsorted(b_end, a_start, side="right")
    hi = np.searchsorted(b_start, a_end, side="left")
    count = np.maximum(hi - lo, 0)
    a_idx = np.repeat(np.arange(len(a_start)), count)
    b_idx = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count) + np.repeat(lo, count)
    both = ((a_start[a_idx] - b_start[b_idx]) ** 2 + (a_end[a_idx] - b_end[b_idx]) ** 2).astype("float64").sum()
    b_hit = np.zeros(len(b_start), bool)
    b_hit[b_idx] = True
    # A coded section that meets none of the other coder's sections lies wholly in one of its gaps.
    alone = ((a_end - a_start)[count == 0].astype("float64") ** 2).sum()
    alone += ((b_end - b_start)[~b_hit].astype("float64") ** 2).sum()
    return float(both + alone)


def _expected(lengths: np.ndarray, gaps: np.ndarray, coders: int, total: int) -> float:
    """Krippendorff's expected disagreement of one code (1995; 2004, section 12.4)."""
    if len(lengths) == 0:
        return float("nan")
    l = lengths.astype("float64")  # noqa: E741 - the papers' name
    n = len(l)
    within = (n - 1) * (2 * l**3 - 3 * l**2 + l) / 3
    g = np.sort(gaps.astype("float64"))
    tail = np.concatenate([np.cumsum(g[::-1])[::-1], [0.0]])  # sum of gaps from index i on
    first = np.searchsorted(g, l, side="left")
    count = len(g) - first
    placed = l**2 * (tail[first] - (l - 1) * count)
    denominator = coders * total * (coders * total - 1) - (l * (l - 1)).sum()
    return float(2 / total * (within.sum() + placed.sum()) / denominator)


def unitized_alpha(
    spans: pd.DataFrame, lengths: pd.Series, codes: Sequence[str] | None = None,
    coders: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Krippendorff's |u-alpha per code (ATLAS.ti's alpha-binary) and pooled over codes.

    Parameters
    ----------
    spans : pandas.DataFrame
        Columns :data:`SPAN_FIELDS`.
    lengths : pandas.Series
        Length of each source's text in code points, indexed by source: the continuum.
    codes : sequence of str, optional
        Codes to report; default every code in the spans.
    coders : sequence of str, optional
        The coders; default every coder in the spans (a coder without any span of a code counts
        as having coded none of the text with it).

    Returns
    -------
    pandas.DataFrame
        One row per code, then ``pooled``: ``code_id``, ``sections`` (coded sections of all
        coders, after merging overlaps), ``observed`` and ``expected`` disagreement and
        ``alpha`` = 1 - observed / expected (NaN where no coder used the code). The pooled
        row sums observed and expected disagreement over the codes.

    Examples
    --------
    >>> s = pd.DataFrame({"source": ["x"] * 4, "coder": ["A", "B", "A", "B"], "start": [0, 2, 30, 40],
    ...                   "end": [20, 20, 60, 60], "code_id": ["a.x", "a.x", "b.z", "b.z"]})
    >>> lengths = pd.Series({"x": 100})
    >>> unitized_alpha(s, lengths)[["code_id", "sections", "alpha"]].round(3)
      code_id  sections  alpha
    0     a.x         2  0.992
    1     b.z         2  0.766
    2  pooled         4  0.888
    """
    who = sorted(spans["coder"].astype(str).unique()) if coders is None else [str(c) for c in coders]
    if len(who) < 2:
        raise ValueError(f"alpha needs two coders or more; got {len(who)}: {', '.join(who)}")
    start, end, offsets, total = _continuum(spans, lengths)
    cuts = offsets[1:]
    code_idx, found = pd.factorize(spans["code_id"].astype(str), sort=True)
    coder_idx = pd.Index(who).get_indexer(spans["coder"].astype(str))
    by_code = {code: np.flatnonzero(code_idx == i) for i, code in enumerate(found)}
    rows = []
    for code in (list(found) if codes is None else [str(c) for c in codes]):
        mine = by_code.get(code, np.zeros(0, dtype="int64"))
        units = [_merged(start[mine[coder_idx[mine] == c]], end[mine[coder_idx[mine] == c]]) for c in range(len(who))]
        observed = sum(_pair_distance(*units[i], *units[j]) for i in range(len(who)) for j in range(i + 1, len(who)))
        observed = 2 * observed / (len(who) * (len(who) - 1) * float(total) ** 2)
        unit_lengths = np.concatenate([e - s for s, e in units])
        gaps = np.concatenate([_gaps(s, e, cuts, total) for s, e in units])
        expected = _expected(unit_lengths, gaps, len(who), total)
        rows.append({"code_id": code, "sections": len(unit_lengths), "observed": observed, "expected": expected})
    out = pd.DataFrame(rows, columns=["code_id", "sections", "observed", "expected"])
    used = out[out["sections"] > 0]
    out.loc[out["sections"] == 0, "observed"] = float("nan")
    pooled = {"code_id": POOLED, "sections": int(used["sections"].sum()),
              "observed": float(used["observed"].sum()), "expected": float(used["expected"].sum())}
    out = pd.concat([out, pd.DataFrame([pooled])], ignore_index=True)
    observed, expected = out["observed"].to_numpy(dtype="float64"), out["expected"].to_numpy(dtype="float64")
    defined = expected > 0
    out["alpha"] = np.where(defined, 1 - observed / np.where(defined, expected, 1.0), np.nan)
    return out


def _coincidences(start, end, coder_idx, value_idx, n_coders, n_values) -> np.ndarray:
    """Coincidence matrix of values over the characters coded by two coders or more."""
    if n_values == 0:
        return np.zeros((0, 0))
    points = _points(start, end)
    left, width = points[:-1], np.diff(points)
    cover = np.zeros((len(left), n_coders, n_values))
    for c in range(n_coders):
        for v in range(n_values):
            s, e = _merged(start[(coder_idx == c) & (value_idx == v)], end[(coder_idx == c) & (value_idx == v)])
            if len(s):
                idx = np.searchsorted(s, left, side="right") - 1
                cover[:, c, v] = (idx >= 0) & (e[np.maximum(idx, 0)] > left)
    given = cover.sum(axis=2, keepdims=True)
    weight = np.divide(cover, given, out=np.zeros_like(cover), where=given > 0)
    pairable = (given[:, :, 0] > 0).sum(axis=1)
    keep = pairable >= 2
    weight, factor = weight[keep], width[keep] / (pairable[keep] - 1)
    totals = weight.sum(axis=1)
    within = (weight * factor[:, None, None]).reshape(-1, n_values).T @ weight.reshape(-1, n_values)
    return (totals * factor[:, None]).T @ totals - within


def _nominal_alpha(coincidences: np.ndarray) -> float:
    n_c = coincidences.sum(axis=1)
    n = n_c.sum()
    off = ~np.eye(len(n_c), dtype=bool)
    expected = (np.outer(n_c, n_c)[off]).sum()
    if n <= 1 or expected == 0:
        return float("nan")
    return float(1 - (n - 1) * coincidences[off].sum() / expected)


def cu_alpha(
    spans: pd.DataFrame, lengths: pd.Series, domain_of: Mapping[str, str], coders: Sequence[str] | None = None
) -> pd.DataFrame:
    """Krippendorff's cu-alpha per domain and Cu-alpha across domains (as ATLAS.ti reports them).

    Parameters
    ----------
    spans : pandas.DataFrame
        Columns :data:`SPAN_FIELDS`.
    lengths : pandas.Series
        Length of each source's text, indexed by source.
    domain_of : mapping of str to str
        Domain of each code (here: a sub-theme's lens; a tag is its own domain). Codes without
        a domain are left out.
    coders : sequence of str, optional
        The coders; default every coder in the spans.

    Returns
    -------
    pandas.DataFrame
        One row per domain (sorted), then ``across_domains``: ``domain``, ``codes`` (codes of
        the domain in the spans), ``coded_by_several`` (characters that two coders or more gave
        a code of the domain), ``alpha`` (cu-alpha; NaN when they used a single code; the
        across row is Cu-alpha, each code replaced by its domain).

    Examples
    --------
    >>> s = pd.DataFrame({"source": ["x"] * 4, "coder": ["A", "B", "A", "B"], "start": [0, 2, 30, 40],
    ...                   "end": [20, 20, 60, 60], "code_id": ["a.x", "a.x", "b.z", "b.z"]})
    >>> lengths = pd.Series({"x": 100})
    >>> cu_alpha(s, lengths, {"a.x": "a", "b.z": "b"}).round(3)
               domain  codes  coded_by_several  alpha
    0               a      1                18    NaN
    1               b      1                20    NaN
    2  across_domains      2                38    1.0
    """
    who = sorted(spans["coder"].astype(str).unique()) if coders is None else [str(c) for c in coders]
    start, end, _, _ = _continuum(spans, lengths)
    code = spans["code_id"].astype(str).map(domain_of).notna().to_numpy()
    start, end = start[code], end[code]
    codes = spans["code_id"].astype(str).to_numpy()[code]
    domains = pd.Series(codes).map(domain_of).astype(str).to_numpy()
    coder_idx = pd.Index(who).get_indexer(spans["coder"].astype(str).to_numpy()[code])

    def one(mask: np.ndarray, values: np.ndarray) -> float:
        value_idx, kinds = pd.factorize(values[mask])
        return _nominal_alpha(_coincidences(start[mask], end[mask], coder_idx[mask], value_idx, len(who), len(kinds)))

    rows = []
    for domain in sorted(set(domains)):
        mask = domains == domain
        rows.append({"domain": domain, "codes": len(set(codes[mask])),
                     "coded_by_several": _several(start, end, coder_idx, mask), "alpha": one(mask, codes)})
    every = np.ones(len(codes), bool)
    rows.append({"domain": ACROSS, "codes": len(set(codes)), "coded_by_several": _several(start, end, coder_idx, every),
                 "alpha": one(every, domains)})
    return pd.DataFrame(rows, columns=["domain", "codes", "coded_by_several", "alpha"])


def _several(start: np.ndarray, end: np.ndarray, coder_idx: np.ndarray, mask: np.ndarray) -> int:
    """Characters covered by two coders or more among the masked spans."""
    points = _points(start[mask], end[mask])
    if len(points) < 2:
        return 0
    left, width = points[:-1], np.diff(points)
    count = np.zeros(len(left), dtype="int64")
    for c in np.unique(coder_idx[mask]):
        s, e = _merged(start[mask & (coder_idx == c)], end[mask & (coder_idx == c)])
        idx = np.searchsorted(s, left, side="right") - 1
        count += (idx >= 0) & (e[np.maximum(idx, 0)] > left)
    return int(width[count >= 2].sum())


__all__ = [
    "ACROSS", "DEFAULT_THRESHOLD", "POOLED", "SPAN_FIELDS", "continuum_of", "cu_alpha", "independent_stretches",
    "lens_domains", "match_spans", "overlap_agreement", "paragraph_stretches", "restrict", "round_spans",
    "segment_codes", "source_lengths", "span_agreement_by_code", "span_summary", "spans_of",
    "unitized_alpha", "unmatched_spans", "with_text",
]
