"""Figures with one message each, colour-blind-safe and byte-identical on every run.

Matplotlib writes a creation date into PNG and PDF, and random ids into SVG; here those are
switched off (no dates, a fixed SVG hash salt) so that results can be compared by hash.

Each figure has a title and carries the numbers it plots (:func:`attach_data`); :func:`save_figure`
writes them as ``<name>.csv`` beside the PNG and SVG, the source data journals ask for.

Each drawing function has a :class:`~samendoen_analysis.present.captions.Drawing` just above it:
its title, and the caption and reading of every figure a notebook makes with it. A new figure is
a function with its ``Drawing`` here and a ``ctx.figure`` call in a notebook.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from samendoen_analysis.present.captions import Drawing, Sentence, figure
from samendoen_analysis.present.labels import joined, label, ratio_label, relabel, template
from samendoen_analysis.vocabulary import LANGUAGES, check_option, check_role_groups

PALETTE = "colorblind"
SEQUENTIAL = "cividis"
DATA_ATTRIBUTE = "samendoen_data"  # where a figure keeps the numbers it plots
TICK_WRAP = 10  # characters per line of a horizontal tick label


def set_style() -> None:
    """Set a plain seaborn style and the settings that make saved files deterministic."""
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    mpl.rcParams.update({"svg.hashsalt": "samendoen", "svg.fonttype": "path", "figure.dpi": 100})


def attach_data(fig: plt.Figure, data: pd.DataFrame) -> plt.Figure:
    """Keep the numbers a figure plots with the figure, for :func:`save_figure` to write beside it."""
    setattr(fig, DATA_ATTRIBUTE, data.reset_index(drop=True))
    return fig


def plotted_data(fig: plt.Figure) -> pd.DataFrame | None:
    """The numbers attached to a figure by :func:`attach_data`, or None."""
    return getattr(fig, DATA_ATTRIBUTE, None)


def save_figure(fig: plt.Figure, out_dir: str | Path, name: str) -> list[Path]:
    """Save a figure as PNG and SVG without timestamps or random ids, and its plotted numbers as CSV.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    out_dir : str or Path
        Folder, created if needed.
    name : str
        File stem.

    Returns
    -------
    list of Path
        The files written: PNG, SVG and, when the figure carries its numbers, CSV.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{name}.png", folder / f"{name}.svg"]
    with mpl.rc_context({"svg.hashsalt": "samendoen"}):
        fig.savefig(paths[0], dpi=150, bbox_inches="tight", metadata={"Software": None})
        fig.savefig(paths[1], bbox_inches="tight", metadata={"Date": None, "Creator": None})
    data = plotted_data(fig)
    if data is not None:
        from samendoen_analysis.present.tables import DECIMALS

        paths.append(folder / f"{name}.csv")
        data.to_csv(paths[-1], index=False, float_format=f"%.{DECIMALS}f", lineterminator="\n")
    return paths


def _title(text: str) -> str:
    """A title starts with a capital, also when it starts with a group's label ("leraren")."""
    return text[:1].upper() + text[1:]


def _wrapped(labels: list[str], width: int = TICK_WRAP) -> list[str]:
    """Tick labels broken over lines so they can stand horizontally."""
    return [textwrap.fill(str(text), width, break_long_words=False) for text in labels]


def _source(
    tidy: pd.DataFrame, value_label: str, lang: str, codebook: pd.DataFrame, columns: list[str]
) -> pd.DataFrame:
    """The plotted rows of a tidy table, labelled in the figure's language, with the value column named."""
    return relabel(tidy[columns + ["value"]].rename(columns={"value": value_label}), lang, codebook,
                   tuple(columns))


def _labelled(tidy: pd.DataFrame, lang: str, codebook: pd.DataFrame) -> pd.DataFrame:
    out = tidy.copy()
    for col in ("role_group", "code_id", "school_id"):
        if col in out:
            out[col] = out[col].map(lambda v: label(str(v), lang, codebook))
    return out


HEATMAP = Drawing(
    title=Sentence(nl="Nadruk in de antwoorden per bril en rolgroep", en="Response emphasis by lens and role group"),
    figures=(
        figure("03_emphasis_heatmap",
               Sentence(nl="Nadruk in de antwoorden: bril naar rolgroep.", en="Response emphasis: lens by role group."),
               Sentence(nl="Lees kolom voor kolom: de donkerste cel is de bril waarover die groep het meest sprak.",
                        en="Read column by column: the darkest cell is the lens that group spoke most about.")),
    ),
)


def heatmap(tidy: pd.DataFrame, value_label: str, lang: str, codebook: pd.DataFrame) -> plt.Figure:
    """Heatmap of emphasis: codes (rows) by role group (columns).

    Parameters
    ----------
    tidy : pandas.DataFrame
        From :func:`samendoen_analysis.analysis.measures.emphasis` with ``by=("role_group",)``.
    value_label : str
        Colour bar label.
    lang : {"nl", "en"}
        Label language.
    codebook : pandas.DataFrame
        For code labels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    data = _labelled(tidy, lang, codebook).pivot_table(
        index="code_id", columns="role_group", values="value", observed=True, sort=False)
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    sns.heatmap(data, annot=True, fmt=".0f" if data.to_numpy().max() > 20 else ".2f", cmap=SEQUENTIAL,
                cbar_kws={"label": value_label}, ax=ax)
    ax.set_xticks(ax.get_xticks(), labels=_wrapped(list(data.columns)), rotation=0)
    ax.set_xlabel(label("role_group", lang))
    ax.set_ylabel(label("lens", lang))
    ax.set_title(HEATMAP.title(lang))
    fig.tight_layout()
    return attach_data(fig, _source(tidy, value_label, lang, codebook, ["code_id", "role_group"]))


GROUP_BARS = Drawing(
    title=Sentence(nl="{a} en {b} per bril", en="{a} and {b} by lens"),
    figures=(
        figure("03_emphasis_compare",
               Sentence(nl="De twee vergeleken rolgroepen naast elkaar, per bril.",
                        en="The two compared role groups side by side, per lens."),
               Sentence(nl="Binnen elke bril hoort de langste balk bij de groep die er meer over zei.",
                        en="Within each lens, the longer bar is the group that spoke more about it.")),
    ),
)


def group_bars(
    tidy: pd.DataFrame, groups: list[str], value_label: str, lang: str, codebook: pd.DataFrame
) -> plt.Figure:
    """Side-by-side bars per lens for the compared role groups.

    Parameters
    ----------
    tidy : pandas.DataFrame
        Emphasis by role group.
    groups : list of str
        Role groups to compare, in order.
    value_label : str
        Value axis label.
    lang : {"nl", "en"}
        Label language.
    codebook : pandas.DataFrame
        For code labels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    # A misspelled group would otherwise draw an empty half of the comparison without a word.
    check_role_groups(groups)
    data = _labelled(tidy[tidy["role_group"].isin(groups)], lang, codebook)
    order = [label(g, lang) for g in groups]
    fig, ax = plt.subplots(figsize=(8, 4))
    sns.barplot(data=data, y="code_id", x="value", hue="role_group", hue_order=order, orient="h", ax=ax)
    ax.set_xlabel(value_label)
    ax.set_ylabel(label("lens", lang))
    ax.legend(title=label("role_group", lang))
    ax.set_title(_title(GROUP_BARS.title(lang, a=order[0], b=order[1])))
    fig.tight_layout()
    shown = tidy[tidy["role_group"].isin(groups)]
    return attach_data(fig, _source(shown, value_label, lang, codebook, ["code_id", "role_group"]))


SMALL_MULTIPLES = Drawing(
    title=Sentence(nl="{a} en {b} per bril: elke {panel} apart", en="{a} and {b} by lens: each {panel} apart"),
    figures=(
        figure("03_emphasis_by_school",
               Sentence(nl="De groepsvergelijking herhaald per school.",
                        en="The group comparison repeated per school."),
               Sentence(nl="Elk paneel rust op een handvol mensen: zoek het patroon dat terugkomt, niet één paneel.",
                        en="Each panel rests on a handful of people: look for the pattern that repeats, "
                           "not for one panel.")),
        figure("06_emphasis_by_round",
               Sentence(nl="De groepsvergelijking herhaald per interviewronde.",
                        en="The group comparison repeated per interview round."),
               Sentence(nl="Een bevinding herhaalt zich als dezelfde groep in elke ronde de langste balk heeft.",
                        en="A finding replicates when the same group's bar is longer in every round.")),
    ),
)


def small_multiples(tidy: pd.DataFrame, groups: list[str], value_label: str, lang: str, codebook: pd.DataFrame,
                    panel: str = "school_id", panels: list[str] | None = None) -> plt.Figure:
    """The group comparison repeated per school (or round), one panel each.

    Parameters
    ----------
    tidy : pandas.DataFrame
        Emphasis by school and role group.
    groups : list of str
        Role groups to compare.
    value_label : str
        Value axis label.
    lang : {"nl", "en"}
        Label language.
    codebook : pandas.DataFrame
        For code labels.
    panel : str
        Column that makes the panels, ``school_id`` or ``round``.
    panels : list of str, optional
        Every school (or round) of the data; those without any of the compared groups are named
        in a note under the figure instead of getting an empty panel. Default: the categories of
        ``tidy[panel]``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if panel not in ("school_id", "round"):
        raise ValueError(f"unknown panel '{panel}'; valid values: school_id, round")
    check_role_groups(groups)
    shown = tidy[tidy["role_group"].isin(groups) & (tidy["value"].notna())]
    present = [str(p) for p in pd.unique(shown[panel].astype(str))]
    if panels is None:
        column = tidy[panel]
        panels = [str(c) for c in column.cat.categories] if isinstance(column.dtype, pd.CategoricalDtype) else present
    absent = [p for p in panels if p not in present]
    data = _labelled(shown, lang, codebook)
    names = [label(g, lang) for g in groups]
    grid = sns.catplot(data=data, kind="bar", y="code_id", x="value", hue="role_group", hue_order=names,
                       col=panel, col_order=present, col_wrap=min(3, max(len(present), 1)),
                       orient="h", height=3.4, aspect=1.15, legend_out=True)
    grid.set_axis_labels(value_label, label("lens", lang))
    grid.set_titles(f"{label(panel, lang)} {{col_name}}")
    grid.legend.set_title(label("role_group", lang))
    title = SMALL_MULTIPLES.title(lang, a=names[0], b=names[1], panel=label(panel, lang))
    grid.figure.suptitle(_title(title), y=1.02, fontsize="large")
    if absent:
        note = template("note_absent_panels", lang, groups=joined(names, lang, "or"), panels=", ".join(absent))
        grid.figure.text(0.01, -0.02, note, ha="left", va="top", fontsize="small", color="0.3")
    return attach_data(grid.figure, _source(shown, value_label, lang, codebook, [panel, "code_id", "role_group"]))


SUBTHEME_BARS = Drawing(
    title=Sentence(nl="Hoe vaak elk subthema is gecodeerd", en="How often each sub-theme was coded"),
    figures=(
        figure("02_subtheme_frequencies",
               Sentence(nl="Aantal gecodeerde fragmenten per subthema, gekleurd naar bril.",
                        en="Number of coded segments per sub-theme, coloured by lens."),
               Sentence(nl="Vergelijk de balken binnen één kleur: draagt één subthema het grootste deel van de bril?",
                        en="Compare bars within one colour: does one sub-theme carry most of its lens?")),
    ),
)


def subtheme_bars(counts: pd.DataFrame, lang: str, codebook: pd.DataFrame) -> plt.Figure:
    """Number of coded segments per sub-theme, coloured by lens.

    Parameters
    ----------
    counts : pandas.DataFrame
        Columns ``code_id``, ``parent_id`` and ``segments``.
    lang : {"nl", "en"}
        Label language.
    codebook : pandas.DataFrame
        For labels and the lens colours.

    Returns
    -------
    matplotlib.figure.Figure
    """
    data = counts.assign(code=counts["code_id"].map(lambda c: label(c, lang, codebook)),
                         lens=counts["parent_id"].map(lambda c: label(c, lang, codebook)))
    colours = {label(c, lang, codebook): col for c, col in codebook.set_index("code_id")["colour"].items()}
    fig, ax = plt.subplots(figsize=(8, 8))
    sns.barplot(data=data, y="code", x="segments", hue="lens", palette=colours, dodge=False, ax=ax)
    ax.set_xlabel(label("coded_segments", lang))
    ax.set_ylabel(label("subtheme", lang))
    ax.legend(title=label("lens", lang), loc="lower right")
    ax.set_title(SUBTHEME_BARS.title(lang))
    fig.tight_layout()
    source = relabel(counts[["parent_id", "code_id", "segments"]], lang, codebook, ("parent_id", "code_id"))
    return attach_data(fig, source)


def _claim_names(claim_ids: pd.Series, claims: pd.DataFrame | None, lang: str, width: int = 48) -> list[str]:
    """'C3  teachers talk clearly more ...': the id with the claim's summary beside it, shortened."""
    if claims is None:
        return [str(c) for c in claim_ids]
    text = claims.set_index("claim_id")[f"summary_{lang}"]
    return [f"{c}  {text[c][:width - 1] + '…' if len(text[c]) > width else text[c]}" for c in claim_ids]


ROBUSTNESS_GRID = Drawing(
    title=Sentence(
        nl="Robuustheid: in hoeveel informatieve condities klopt de bevinding? (klopt/informatief; g = gelijk aan "
           "plafond, telt niet mee in de kleur)",
        en="Robustness: in how many informative conditions does the claim hold? (holds/informative; t = tie at "
           "ceiling, not counted in the colour)"),
    figures=(
        figure("04_robustness",
               Sentence(nl="Aandeel informatieve robuustheidscondities waarin elke bevinding klopt.",
                        en="Share of informative robustness conditions in which each claim holds."),
               Sentence(nl="Alleen condities die de getallen van de bevinding kunnen veranderen tellen; "
                           "gelijke stand telt niet.",
                        en="Only conditions that can change the claim's numbers are counted; ties are shown, "
                           "not counted.")),
    ),
)


def robustness_grid(summary: pd.DataFrame, lang: str, claims: pd.DataFrame | None = None) -> plt.Figure:
    """Share of the informative conditions in which each claim holds, per kind of check.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`samendoen_analysis.analysis.robustness.robustness_summary`.
    lang : {"nl", "en"}
        Label language.
    claims : pandas.DataFrame, optional
        The claims table; its summaries are written beside the ids.

    Returns
    -------
    matplotlib.figure.Figure
        Each cell shows holds/informative (and ties); the colour is holds / (holds + fails); a
        white cell had no informative condition that decides.
    """
    data = summary.assign(kind=summary["kind"].map(lambda k: label(k, lang)))
    data["text"] = [f"{h}/{n}" + (f" ({t}{'g' if lang == 'nl' else 't'})" if t else "")
                    for h, n, t in zip(data["holds"], data["informative"], data["ties"], strict=True)]
    grid = data.pivot_table(index="claim_id", columns="kind", values="share", sort=False, dropna=False)
    text = data.pivot_table(index="claim_id", columns="kind", values="text", aggfunc="first", sort=False)
    text = text.reindex(index=grid.index, columns=grid.columns).fillna("0/0")
    fig, ax = plt.subplots(figsize=(9.5, 0.45 * len(grid) + 1.8))
    sns.heatmap(grid, annot=text.to_numpy(), fmt="", cmap=SEQUENTIAL, vmin=0, vmax=1,
                cbar_kws={"label": textwrap.fill(label("share_informative", lang), 32)}, ax=ax)
    ax.set_xticks(ax.get_xticks(), labels=[textwrap.fill(str(k), 16) for k in grid.columns], rotation=0)
    ax.set_yticks([i + 0.5 for i in range(len(grid))], labels=_claim_names(grid.index.to_series(), claims, lang),
                  rotation=0)
    ax.grid(False)
    for i, j in zip(*np.nonzero(grid.isna().to_numpy()), strict=True):  # seaborn leaves empty cells unlabelled
        ax.text(j + 0.5, i + 0.5, text.iat[i, j], ha="center", va="center", color="0.3")
    ax.set_xlabel("")
    ax.set_ylabel(label("claim_id", lang))
    fig.suptitle(textwrap.fill(ROBUSTNESS_GRID.title(lang), 90), fontsize=10)
    fig.tight_layout()
    return fig


CLAIM_INTERVALS = Drawing(
    title=Sentence(
        nl="Effect per bevinding met {level:.0%}-betrouwbaarheidsinterval (exacte permutatietoets), gedeeld door "
           "de drempel",
        en="Effect per claim with {level:.0%} confidence interval (exact permutation test), divided by its "
           "threshold"),
    figures=(
        figure("04_claim_intervals",
               Sentence(nl="Het effect van elke bevinding met het exacte 95%-betrouwbaarheidsinterval, als veelvoud "
                           "van de drempel.",
                        en="Each claim's effect with its exact 95% confidence interval, as a multiple of its "
                           "threshold."),
               Sentence(nl="Een bevinding waarvan het interval helemaal rechts van 1 ligt, klopt ook bij redelijk "
                           "andere data.",
                        en="A claim whose interval lies wholly right of 1 holds whatever the data could "
                           "reasonably have been.")),
    ),
)


def claim_intervals(claims: pd.DataFrame, lang: str) -> plt.Figure:
    """Each claim's effect and confidence interval as a multiple of its threshold (log scale).

    Parameters
    ----------
    claims : pandas.DataFrame
        From :func:`samendoen_analysis.analysis.claims.evaluate_claims` (with ``level``).
    lang : {"nl", "en"}
        Label language.

    Returns
    -------
    matplotlib.figure.Figure
        A claim not evaluable on the selection is listed without a point.
    """
    check_option("language", lang, LANGUAGES)
    threshold = claims["threshold"].fillna(1.0).astype(float)  # a top-code claim needs a lead ratio above 1
    centre, low, high = (claims[c].astype(float) / threshold for c in ("effect", "ci_low", "ci_high"))
    names = _claim_names(claims["claim_id"], claims, lang)
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(claims) + 1.6))
    shown = centre.notna().to_numpy()
    finite_low = low.clip(lower=1 / 64)
    finite_high = high.clip(upper=64)
    rows = np.arange(len(names))
    ax.errorbar(centre[shown], rows[shown], xerr=[(centre - finite_low)[shown], (finite_high - centre)[shown]],
                fmt="o", color=sns.color_palette(PALETTE)[0], capsize=4)
    for row in rows[~shown]:
        ax.text(1, row, label("not_evaluable_short", lang), ha="center", va="center", color="0.3")
    ax.set_yticks(rows, labels=names)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.axvline(1, color="0.4", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    # Multiples read best as plain numbers at doublings; an open-ended bound is drawn to the frame.
    ax.set_xticks([1 / 64, 1 / 8, 1 / 2, 1, 2, 8, 64], labels=["≤1/64", "1/8", "1/2", "1", "2", "8", "≥64"])
    ax.xaxis.set_minor_formatter(mpl.ticker.NullFormatter())
    ax.set_xlim(1 / 80, 80)
    ax.set_ylabel(label("claim_id", lang))
    level = float(claims["level"].iloc[0]) if "level" in claims else 0.95
    fig.suptitle(textwrap.fill(CLAIM_INTERVALS.title(lang, level=level), 90), fontsize=10)
    ax.set_xlabel(textwrap.fill(label("effect_over_threshold", lang), 60))
    fig.tight_layout()
    return fig


# Drawn in the lesson on small samples, which writes no result files: a title, no figures.
RATIO_INTERVALS = Drawing(
    title=Sentence(
        nl="Verhouding per bril met {level:.0%}-bootstrapinterval (percentiel, respondenten binnen groepen "
           "getrokken; dekt bij zo weinig personen per groep minder vaak dan het belooft)",
        en="Ratio per lens with {level:.0%} bootstrap interval (percentile, respondents resampled within groups; "
           "covers less often than stated with so few people per group)"),
)


def ratio_intervals(
    boot: pd.DataFrame, lang: str, codebook: pd.DataFrame, groups: Sequence[str], level: float = 0.95
) -> plt.Figure:
    """Observed ratio of two groups per lens with its bootstrap percentile interval (log scale).

    Parameters
    ----------
    boot : pandas.DataFrame
        From :func:`samendoen_analysis.analysis.robustness.bootstrap_ratios`.
    lang : {"nl", "en"}
        Label language.
    codebook : pandas.DataFrame
        For code labels.
    groups : sequence of str
        The numerator and denominator role groups ``boot`` was computed for: they name the axis.
    level : float
        Coverage the intervals were computed with, stated in the title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_option("language", lang, LANGUAGES)
    check_role_groups(groups)
    names = [label(c, lang, codebook) for c in boot["code_id"]]
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.errorbar(boot["ratio"], names, xerr=[boot["ratio"] - boot["low"], boot["high"] - boot["ratio"]],
                fmt="o", color=sns.color_palette(PALETTE)[0], capsize=4)
    ax.axvline(1, color="0.4", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    # Ratios read best as plain numbers at doublings; matplotlib's default log labels overlap here.
    ax.set_xticks([0.125, 0.25, 0.5, 1, 2, 4, 8], labels=["1/8", "1/4", "1/2", "1", "2", "4", "8"])
    ax.xaxis.set_minor_formatter(mpl.ticker.NullFormatter())
    ax.invert_yaxis()
    ax.set_xlabel(ratio_label(groups, lang))
    ax.set_ylabel(label("lens", lang))
    fig.suptitle(textwrap.fill(RATIO_INTERVALS.title(lang, level=level), 90), fontsize=10)
    fig.tight_layout()
    return fig


CONFUSION_HEATMAP = Drawing(
    title=Sentence(nl="Codes van {a} tegen codes van {b}", en="Codes of {a} against codes of {b}"),
    figures=(
        figure("07_confusion_lens",
               Sentence(nl="Brilcodes van de eerste codeur (rijen) tegen die van de tweede (kolommen).",
                        en="Lens codes of the first coder (rows) against the second (columns)."),
               Sentence(nl="Aantallen op de diagonaal zijn overeenstemming; elk aantal ernaast is één "
                           "meningsverschil.",
                        en="Counts on the diagonal are agreement; each count off it is one disagreement.")),
        figure("07_confusion_subtheme",
               Sentence(nl="Subthemacodes van de eerste codeur (rijen) tegen die van de tweede (kolommen).",
                        en="Sub-theme codes of the first coder (rows) against the second (columns)."),
               Sentence(nl="Aantallen naast de diagonaal binnen het blok van één bril verschillen alleen in "
                           "subthema.",
                        en="Off-diagonal counts inside one lens's block are disagreements about the sub-theme "
                           "only.")),
    ),
)


def confusion_heatmap(matrix: pd.DataFrame, lang: str, codebook: pd.DataFrame) -> plt.Figure:
    """Heatmap of one coder's codes (rows) against another's (columns); the diagonal is agreement.

    Parameters
    ----------
    matrix : pandas.DataFrame
        From :func:`samendoen_analysis.analysis.agreement.confusion_matrix`; its axis names are the coders.
    lang : {"nl", "en"}
        Label language.
    codebook : pandas.DataFrame
        For code labels; the row and column ``(none)`` ("no code of this level") is labelled
        by ``labels.csv``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    data = matrix.rename(index=lambda c: label(c, lang, codebook), columns=lambda c: label(c, lang, codebook))
    few = len(data.columns) <= 8  # few columns get cells wide enough for a horizontal, wrapped label
    size = max(4.5, (1.1 if few else 0.32) * len(data) + 2.5)
    annot = data.astype(str).where(data > 0, "")
    fig, ax = plt.subplots(figsize=(size + 1.2, size))
    sns.heatmap(data, annot=annot, fmt="", cmap=SEQUENTIAL, cbar_kws={"label": label("segments", lang)},
                linewidths=0.5, linecolor="0.9", square=True, ax=ax)
    # Few codes: horizontal, wrapped labels; a long list of sub-themes only fits standing upright.
    if few:
        ax.set_xticks(ax.get_xticks(), labels=_wrapped(list(data.columns), 11), rotation=0)
    else:
        ax.set_xticks(ax.get_xticks(), labels=list(data.columns), rotation=90)  # slanted ones overlap
    first, second = str(matrix.index.name or "1"), str(matrix.columns.name or "2")
    coder = label("coder", lang)
    ax.set_ylabel(f"{coder} {first}")
    ax.set_xlabel(f"{coder} {second}")
    fig.suptitle(_title(CONFUSION_HEATMAP.title(lang, a=f"{coder} {first}", b=f"{coder} {second}")))
    fig.tight_layout()
    long = data.rename_axis(index=f"{coder} {first}", columns=f"{coder} {second}").stack().rename(
        label("segments", lang)).reset_index()
    return attach_data(fig, long)


__all__ = [
    "attach_data", "claim_intervals", "confusion_heatmap", "group_bars", "heatmap", "plotted_data", "ratio_intervals",
    "robustness_grid", "save_figure", "set_style", "small_multiples", "subtheme_bars",
]
