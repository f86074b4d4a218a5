"""The figure of span-level agreement: where in one interview each coder put each code.

Kept apart from :mod:`samendoen_analysis.present.figures` because it draws stretches of text
rather than counts; it uses the same style and deterministic saving.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from samendoen_analysis.present.captions import Drawing, Sentence, figure
from samendoen_analysis.present.figures import PALETTE, attach_data, set_style
from samendoen_analysis.present.labels import label
from samendoen_analysis.vocabulary import LANGUAGES, check_option

SPAN_TIMELINE = Drawing(
    title=Sentence(nl="Zelfde codes, eigen grenzen: {source}", en="Same codes, own boundaries: {source}"),
    figures=(
        figure("07_span_timeline",
               Sentence(nl="De gecodeerde stukken van elke codeur langs één interview.",
                        en="Each coder's coded stretches along one interview."),
               Sentence(nl="Balken op dezelfde plek met andere uiteinden zijn dezelfde code met andere grenzen.",
                        en="Bars at the same place with different ends are the same code with other boundaries.")),
    ),
)


def span_timeline(spans: pd.DataFrame, source: str, length: int, lang: str, codebook: pd.DataFrame) -> plt.Figure:
    """Each coder's spans of one source, one row per code and coder, coloured by coder.

    Parameters
    ----------
    spans : pandas.DataFrame
        Columns ``source``, ``coder``, ``start``, ``end``, ``code_id``.
    source : str
        The source to draw.
    length : int
        Length of the source's text (the x axis).
    lang : {"nl", "en"}
        Language of the labels.
    codebook : pandas.DataFrame
        For code labels.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; rows of one code sit together so that boundary differences show at a glance.
    """
    check_option("language", lang, LANGUAGES)
    mine = spans[spans["source"] == source]
    if mine.empty:
        raise ValueError(f"unknown source '{source}'; valid values: {', '.join(sorted(spans['source'].unique()))}")
    set_style()
    coders = sorted(mine["coder"].unique())
    colours = dict(zip(coders, sns.color_palette(PALETTE, len(coders)), strict=True))
    first_use = mine.groupby("code_id", observed=True)["start"].min().sort_values(kind="stable")
    rows = [(code, coder) for code in first_use.index for coder in coders]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.2))
    for y, (code, coder) in enumerate(rows):
        part = mine[(mine["code_id"] == code) & (mine["coder"] == coder)]
        ax.broken_barh(list(zip(part["start"], part["end"] - part["start"], strict=True)), (y - 0.35, 0.7),
                       facecolors=colours[coder])
    ax.set_yticks(range(len(rows)), [f"{label(str(c), lang, codebook)} · {who}" for c, who in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, length)
    ax.set_xlabel(label("span_timeline_x", lang))
    ax.set_ylabel(label("span_timeline_y", lang))
    ax.set_title(SPAN_TIMELINE.title(lang, source=source))
    fig.tight_layout()
    plotted = mine[["coder", "code_id", "start", "end"]].sort_values(["code_id", "coder", "start"], kind="stable")
    return attach_data(fig, plotted.reset_index(drop=True))


__all__ = ["span_timeline"]
