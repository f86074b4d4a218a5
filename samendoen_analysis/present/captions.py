"""The sentences that go with a result: a figure's title, a table's or figure's caption and reading.

``labels.csv`` names the things users see (codes, groups, measures, columns, axes). A result's
own sentences belong to that result, so they are declared where it is made: a figure's title,
caption and reading beside the function that draws it (:class:`Drawing`, in
:mod:`~samendoen_analysis.present.figures`), a table's caption in
:mod:`samendoen_analysis.run.outputs`. Adding a figure then touches the drawing module and the
notebook that calls it, nothing else. This module needs nothing but the standard library, so
that reading the declarations costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from samendoen_analysis.vocabulary import LANGUAGES, check_option

KINDS = ("table", "figure")


@dataclass(frozen=True)
class Sentence:
    """One sentence in Dutch and English; ``{name}`` fields are filled in when it is read.

    Examples
    --------
    >>> Sentence(nl="{a} en {b} per bril", en="{a} and {b} by lens")("en", a="teachers", b="directors")
    'teachers and directors by lens'
    """

    nl: str
    en: str

    def __post_init__(self) -> None:
        if not (self.nl.strip() and self.en.strip()):
            raise ValueError(f"a sentence needs both its Dutch and its English text: {self!r}")

    def __call__(self, lang: str, **fields: object) -> str:
        """The text in ``lang``, with ``fields`` filled in."""
        text = self.nl if check_option("language", lang, LANGUAGES) == "nl" else self.en
        return text.format(**fields) if fields else text


@dataclass(frozen=True)
class Output:
    """One table or figure a notebook writes, with what it shows and, for a figure, how to read it.

    Attributes
    ----------
    kind : {"table", "figure"}
        A table is written as ``tables/<name>.csv|md|tex``; a figure as ``figures/<name>.png|svg``
        with its plotted numbers in ``figures/<name>.csv`` where the drawing provides them.
    name : str
        File stem, also the name the notebook passes to ``ctx.table`` or ``ctx.figure``.
    shows : Sentence
        The caption.
    how_to_read : Sentence or None
        For a figure: how to read it, in one line that holds for any data.
    """

    kind: str
    name: str
    shows: Sentence
    how_to_read: Sentence | None = None

    def __post_init__(self) -> None:
        check_option("output kind", self.kind, KINDS)
        if (self.kind == "figure") != (self.how_to_read is not None):
            raise ValueError(f"{self.kind} '{self.name}': a figure has a reading, a table has none")

    def caption(self, lang: str) -> str:
        """Caption in ``lang`` (``nl`` or ``en``)."""
        return self.shows(lang)

    def reading(self, lang: str) -> str:
        """One-line reading in ``lang``; empty for a table."""
        check_option("language", lang, LANGUAGES)
        return self.how_to_read(lang) if self.how_to_read else ""


def table(name: str, shows: Sentence) -> Output:
    """Declare a table: its file stem and caption."""
    return Output("table", name, shows)


def figure(name: str, shows: Sentence, how_to_read: Sentence) -> Output:
    """Declare a figure: its file stem, caption and one-line reading."""
    return Output("figure", name, shows, how_to_read)


@dataclass(frozen=True)
class Drawing:
    """A drawing function's words: its title, and each figure the notebooks make with it.

    A module of drawing functions declares one ``Drawing`` per function, beside it; the run
    finds them (:func:`samendoen_analysis.run.outputs.declared_figures`), so that a new figure is
    its drawing, its words and the notebook cell that calls it.
    """

    title: Sentence
    figures: tuple[Output, ...] = field(default=())

    def __post_init__(self) -> None:
        kinds = {o.kind for o in self.figures}
        if kinds - {"figure"}:
            raise ValueError("a Drawing declares figures only; declare tables in run/outputs.py")


__all__ = ["KINDS", "Drawing", "Output", "Sentence", "figure", "table"]
