"""What each analysis notebook writes: one declaration read by reproduce, the report, the README table and the tests.

A notebook's tables and figures are named here once, with a caption in Dutch and English and,
for figures, a one-line reading (how to read it, in words that hold for any data). The report
takes titles and captions from here instead of file names, and a test checks that a run of the
notebooks writes exactly these files.

This is a stop-gap until the declaration of outputs moves into the vocabulary (``vocabulary.py``);
the structure is meant to carry over: ``OUTPUTS[notebook stem]`` is a tuple of :class:`Output`.
"""

from __future__ import annotations

from dataclasses import dataclass

from samendoen_analysis.vocabulary import LANGUAGES, check_option

KINDS = ("table", "figure")


@dataclass(frozen=True)
class Output:
    """One table or figure a notebook writes.

    Attributes
    ----------
    kind : {"table", "figure"}
        A table is written as ``tables/<name>.csv|md|tex``; a figure as ``figures/<name>.png|svg``
        with its plotted numbers in ``figures/<name>.csv`` where the figure function provides them.
    name : str
        File stem.
    caption_en, caption_nl : str
        What the output shows.
    reading_en, reading_nl : str
        For figures: how to read it, in one line.
    """

    kind: str
    name: str
    caption_en: str
    caption_nl: str
    reading_en: str = ""
    reading_nl: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown output kind '{self.kind}'; valid values: {', '.join(KINDS)}")

    def caption(self, lang: str) -> str:
        """Caption in ``lang`` (``nl`` or ``en``)."""
        return self.caption_nl if check_option("language", lang, LANGUAGES) == "nl" else self.caption_en

    def reading(self, lang: str) -> str:
        """One-line reading in ``lang`` (``nl`` or ``en``); empty for tables."""
        return self.reading_nl if check_option("language", lang, LANGUAGES) == "nl" else self.reading_en


def _t(name: str, en: str, nl: str) -> Output:
    return Output("table", name, en, nl)


def _f(name: str, en: str, nl: str, reading_en: str, reading_nl: str) -> Output:
    return Output("figure", name, en, nl, reading_en, reading_nl)


OUTPUTS: dict[str, tuple[Output, ...]] = {
    "01_sample": (
        _t("01_sample", "Schools by role group: who was interviewed, with each school's type, region and follow-up.",
           "Scholen naar rolgroep: wie is geïnterviewd, met schooltype, regio en vervolg per school."),
        _t("01_interviewers", "Interviews per interviewer and role group.",
           "Interviews per interviewer en rolgroep."),
    ),
    "02_codebook": (
        _t("02_code_frequencies", "Coded segments, respondents and words per sub-theme and tag.",
           "Gecodeerde fragmenten, respondenten en woorden per subthema en tag."),
        _f("02_subtheme_frequencies", "Number of coded segments per sub-theme, coloured by lens.",
           "Aantal gecodeerde fragmenten per subthema, gekleurd naar bril.",
           "Compare bars within one colour: does one sub-theme carry most of its lens?",
           "Vergelijk de balken binnen één kleur: draagt één subthema het grootste deel van de bril?"),
    ),
    "03_emphasis": (
        _t("03_emphasis", "Response emphasis per lens and role group in the chosen measure and normalisation.",
           "Nadruk in de antwoorden per bril en rolgroep, in de gekozen maat en normalisatie."),
        _f("03_emphasis_heatmap", "Response emphasis: lens by role group.",
           "Nadruk in de antwoorden: bril naar rolgroep.",
           "Read column by column: the darkest cell is the lens that group spoke most about.",
           "Lees kolom voor kolom: de donkerste cel is de bril waarover die groep het meest sprak."),
        _f("03_emphasis_compare", "The two compared role groups side by side, per lens.",
           "De twee vergeleken rolgroepen naast elkaar, per bril.",
           "Within each lens, the longer bar is the group that spoke more about it.",
           "Binnen elke bril hoort de langste balk bij de groep die er meer over zei."),
        _t("03_ratio_by_measure", "Ratio of the two compared groups per lens, in every measure and normalisation.",
           "Verhouding van de twee vergeleken groepen per bril, in elke maat en normalisatie."),
        _f("03_emphasis_by_school", "The group comparison repeated per school.",
           "De groepsvergelijking herhaald per school.",
           "Each panel rests on a handful of people: look for the pattern that repeats, not for one panel.",
           "Elk paneel rust op een handvol mensen: zoek het patroon dat terugkomt, niet één paneel."),
    ),
    "04_claims": (
        _t("04_claims", "The article's claims with the evidence and the verdict on this corpus.",
           "De bevindingen van het artikel met onderbouwing en oordeel op dit corpus."),
        _f("04_claim_intervals",
           "Each claim's effect with its exact 95% confidence interval, as a multiple of its threshold.",
           "Het effect van elke bevinding met het exacte 95%-betrouwbaarheidsinterval, als veelvoud van de drempel.",
           "A claim whose interval lies wholly right of 1 holds whatever the data could reasonably have been.",
           "Een bevinding waarvan het interval helemaal rechts van 1 ligt, klopt ook bij redelijk andere data."),
        _t("04_robustness_long", "Every claim in every robustness condition, with whether the condition can inform.",
           "Elke bevinding in elke robuustheidsconditie, met of de conditie iets kan zeggen."),
        _t("04_robustness", "Per claim and kind of check: informative conditions and in how many the claim holds.",
           "Per bevinding en soort toets: informatieve condities en in hoeveel de bevinding klopt."),
        _f("04_robustness", "Share of informative robustness conditions in which each claim holds.",
           "Aandeel informatieve robuustheidscondities waarin elke bevinding klopt.",
           "Only conditions that can change the claim's numbers are counted; ties are shown, not counted.",
           "Alleen condities die de getallen van de bevinding kunnen veranderen tellen; gelijke stand telt niet."),
    ),
    "05_quotes": (
        _t("05_quotes", "Segments to quote per lens and compared group: the article's quotes first.",
           "Fragmenten om te citeren per bril en vergeleken groep: eerst de citaten uit het artikel."),
        _t("05_cooccurrence", "Segments carrying both codes (lens level; the diagonal counts the code alone).",
           "Fragmenten met beide codes (brilniveau; de diagonaal telt de code zelf)."),
    ),
    "06_rounds": (
        _t("06_respondents_by_round", "Respondents per interview round and role group.",
           "Respondenten per interviewronde en rolgroep."),
        _t("06_emphasis_by_round", "Response emphasis per lens, round and compared group.",
           "Nadruk in de antwoorden per bril, ronde en vergeleken groep."),
        _f("06_emphasis_by_round", "The group comparison repeated per interview round.",
           "De groepsvergelijking herhaald per interviewronde.",
           "A finding replicates when the same group's bar is longer in every round.",
           "Een bevinding herhaalt zich als dezelfde groep in elke ronde de langste balk heeft."),
        _t("06_claims_by_round", "Each claim evaluated per round, and whether it holds in every round.",
           "Elke bevinding per ronde getoetst, en of ze in elke ronde klopt."),
        _t("06_person_change", "People interviewed in more than one round: their share per lens in each round.",
           "Mensen die in meer dan één ronde zijn geïnterviewd: hun aandeel per bril in elke ronde."),
    ),
    "07_agreement": (
        _t("07_agreement_summary", "Inter-coder agreement at lens and sub-theme level.",
           "Overeenstemming tussen de codeurs op bril- en subthemaniveau."),
        _t("07_agreement_lens", "Agreement per lens.", "Overeenstemming per bril."),
        _t("07_agreement_subtheme", "Agreement per sub-theme.", "Overeenstemming per subthema."),
        _f("07_confusion_lens", "Lens codes of the first coder (rows) against the second (columns).",
           "Brilcodes van de eerste codeur (rijen) tegen die van de tweede (kolommen).",
           "Counts on the diagonal are agreement; each count off it is one disagreement.",
           "Aantallen op de diagonaal zijn overeenstemming; elk aantal ernaast is één meningsverschil."),
        _f("07_confusion_subtheme", "Sub-theme codes of the first coder (rows) against the second (columns).",
           "Subthemacodes van de eerste codeur (rijen) tegen die van de tweede (kolommen).",
           "Off-diagonal counts inside one lens's block are disagreements about the sub-theme only.",
           "Aantallen naast de diagonaal binnen het blok van één bril verschillen alleen in subthema."),
        _t("07_disagreements", "Every lens-level disagreement with its segment and the consensus.",
           "Elk meningsverschil op brilniveau met het fragment en de consensus."),
        _t("07_prevailed", "Per code: disagreements and how often the consensus followed each coder.",
           "Per code: meningsverschillen en hoe vaak de consensus elke codeur volgde."),
        _t("07_agreement_by_interviewer", "Agreement on the segments of each interviewer's interviews.",
           "Overeenstemming op de fragmenten van de interviews van elke interviewer."),
        _t("07_agreement_intervals", "Pooled and stacked kappa and alpha with segment-clustered bootstrap intervals.",
           "Gepoolde en gestapelde kappa en alfa met bootstrap-intervallen over fragmenten."),
        _t("07_agreement_lens_intervals", "Agreement per lens with intervals and flags against alpha 0.667 and 0.8.",
           "Overeenstemming per bril met intervallen en vlaggen tegen alfa 0,667 en 0,8."),
        _t("07_agreement_subtheme_intervals",
           "Agreement per sub-theme with intervals and flags against alpha 0.667 and 0.8.",
           "Overeenstemming per subthema met intervallen en vlaggen tegen alfa 0,667 en 0,8."),
        _t("07_span_summary", "Span-level agreement of every coder pair: overlap matching and unitized alpha.",
           "Overeenstemming op stukken tekst per codeurpaar: overlap en alfa voor eenheden."),
        _t("07_span_by_code", "Span-level agreement per code.", "Overeenstemming op stukken tekst per code."),
        _t("07_span_cu_alpha", "cu-alpha per lens and Cu-alpha across lenses.",
           "cu-alfa per bril en Cu-alfa over de brillen."),
        _t("07_span_unmatched", "Coded stretches the other coder did not match.",
           "Gecodeerde stukken die de andere codeur niet gelijk codeerde."),
        _f("07_span_timeline", "Each coder's coded stretches along one interview.",
           "De gecodeerde stukken van elke codeur langs één interview.",
           "Bars at the same place with different ends are the same code with other boundaries.",
           "Balken op dezelfde plek met andere uiteinden zijn dezelfde code met andere grenzen."),
    ),
}


def outputs(notebook: str, kind: str | None = None) -> tuple[Output, ...]:
    """The declared outputs of one notebook (by file name or stem), optionally of one kind.

    Examples
    --------
    >>> [o.name for o in outputs("02_codebook.ipynb", "figure")]
    ['02_subtheme_frequencies']
    """
    stem = notebook.removesuffix(".ipynb")
    if stem not in OUTPUTS:
        raise ValueError(f"unknown notebook '{stem}'; valid values: {', '.join(OUTPUTS)}")
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown output kind '{kind}'; valid values: {', '.join(KINDS)}")
    return tuple(o for o in OUTPUTS[stem] if kind is None or o.kind == kind)


def readme_table() -> str:
    """The README's "What is computed where" table, made from :data:`OUTPUTS`.

    The README carries this text between two markers and a test compares them, so a new output
    is declared once, here, and ``samendoen outputs-table`` prints the rows to paste.
    """
    rows = ["| result | notebook | files in `results/` |", "|---|---|---|"]
    for notebook, declared in OUTPUTS.items():
        for out in declared:
            files = f"tables/{out.name}.*" if out.kind == "table" else f"figures/{out.name}.*"
            rows.append(f"| {out.caption_en.rstrip('.')} | `{notebook}` | `{files}` |")
    return "\n".join(rows) + "\n"


__all__ = ["KINDS", "OUTPUTS", "Output", "outputs", "readme_table"]
