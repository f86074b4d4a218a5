"""What each analysis notebook writes, read from the notebook itself, with the words that go with it.

A notebook writes its results through ``ctx.table(frame, "name")`` and ``ctx.figure(fig, "name")``;
those calls are its declaration of outputs. :func:`written_by` reads them from the notebook's
code cells (the standard library only, so that a re-run that re-uses every notebook stays cheap),
and reproduce, the report, the README table and the tests all take the list from there. The words
of a result live where the result is made: a table's caption in :data:`TABLES` below, a figure's
title, caption and reading beside its drawing function (a
:class:`~samendoen_analysis.present.captions.Drawing` in one of :data:`FIGURE_MODULES`).
"""

from __future__ import annotations

import ast
import importlib
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from samendoen_analysis.paths import NOTEBOOKS_DIR, PROJECT_ROOT
from samendoen_analysis.present.captions import KINDS, Drawing, Output, Sentence, table
from samendoen_analysis.vocabulary import check_option

# The modules whose Drawings declare figures; a new module of drawing functions is added here.
FIGURE_MODULES = ("samendoen_analysis.present.figures", "samendoen_analysis.present.span_figures")

TABLES: tuple[Output, ...] = (
    table("01_sample", Sentence(
        nl="Scholen naar rolgroep: wie is geïnterviewd, met schooltype, regio en vervolg per school.",
        en="Schools by role group: who was interviewed, with each school's type, region and follow-up.")),
    table("01_interviewers", Sentence(nl="Interviews per interviewer en rolgroep.",
                                      en="Interviews per interviewer and role group.")),
    table("02_code_frequencies", Sentence(nl="Gecodeerde fragmenten, respondenten en woorden per subthema en tag.",
                                          en="Coded segments, respondents and words per sub-theme and tag.")),
    table("03_emphasis", Sentence(
        nl="Nadruk in de antwoorden per bril en rolgroep, in de gekozen maat en normalisatie.",
        en="Response emphasis per lens and role group in the chosen measure and normalisation.")),
    table("03_ratio_by_measure", Sentence(
        nl="Verhouding van de twee vergeleken groepen per bril, in elke maat en normalisatie.",
        en="Ratio of the two compared groups per lens, in every measure and normalisation.")),
    table("04_claims", Sentence(nl="De bevindingen van het artikel met onderbouwing en oordeel op dit corpus.",
                                en="The article's claims with the evidence and the verdict on this corpus.")),
    table("04_robustness_long", Sentence(
        nl="Elke bevinding in elke robuustheidsconditie, met of de conditie iets kan zeggen.",
        en="Every claim in every robustness condition, with whether the condition can inform.")),
    table("04_robustness", Sentence(
        nl="Per bevinding en soort toets: informatieve condities en in hoeveel de bevinding klopt.",
        en="Per claim and kind of check: informative conditions and in how many the claim holds.")),
    table("05_quotes", Sentence(
        nl="Fragmenten om te citeren per bril en vergeleken groep: eerst de citaten uit het artikel.",
        en="Segments to quote per lens and compared group: the article's quotes first.")),
    table("05_cooccurrence", Sentence(
        nl="Fragmenten met beide codes (brilniveau; de diagonaal telt de code zelf).",
        en="Segments carrying both codes (lens level; the diagonal counts the code alone).")),
    table("06_respondents_by_round", Sentence(nl="Respondenten per interviewronde en rolgroep.",
                                              en="Respondents per interview round and role group.")),
    table("06_emphasis_by_round", Sentence(nl="Nadruk in de antwoorden per bril, ronde en vergeleken groep.",
                                           en="Response emphasis per lens, round and compared group.")),
    table("06_claims_by_round", Sentence(nl="Elke bevinding per ronde getoetst, en of ze in elke ronde klopt.",
                                         en="Each claim evaluated per round, and whether it holds in every round.")),
    table("06_person_change", Sentence(
        nl="Mensen die in meer dan één ronde zijn geïnterviewd: hun aandeel per bril in elke ronde.",
        en="People interviewed in more than one round: their share per lens in each round.")),
    table("07_agreement_summary", Sentence(nl="Overeenstemming tussen de codeurs op bril- en subthemaniveau.",
                                           en="Inter-coder agreement at lens and sub-theme level.")),
    table("07_agreement_lens", Sentence(nl="Overeenstemming per bril.", en="Agreement per lens.")),
    table("07_agreement_subtheme", Sentence(nl="Overeenstemming per subthema.", en="Agreement per sub-theme.")),
    table("07_disagreements", Sentence(nl="Elk meningsverschil op brilniveau met het fragment en de consensus.",
                                       en="Every lens-level disagreement with its segment and the consensus.")),
    table("07_prevailed", Sentence(nl="Per code: meningsverschillen en hoe vaak de consensus elke codeur volgde.",
                                   en="Per code: disagreements and how often the consensus followed each coder.")),
    table("07_agreement_by_interviewer", Sentence(
        nl="Overeenstemming op de fragmenten van de interviews van elke interviewer.",
        en="Agreement on the segments of each interviewer's interviews.")),
    table("07_agreement_intervals", Sentence(
        nl="Gepoolde en gestapelde kappa en alfa met bootstrap-intervallen over fragmenten.",
        en="Pooled and stacked kappa and alpha with segment-clustered bootstrap intervals.")),
    table("07_agreement_lens_intervals", Sentence(
        nl="Overeenstemming per bril met intervallen en vlaggen tegen alfa 0,667 en 0,8.",
        en="Agreement per lens with intervals and flags against alpha 0.667 and 0.8.")),
    table("07_agreement_subtheme_intervals", Sentence(
        nl="Overeenstemming per subthema met intervallen en vlaggen tegen alfa 0,667 en 0,8.",
        en="Agreement per sub-theme with intervals and flags against alpha 0.667 and 0.8.")),
    table("07_span_summary", Sentence(
        nl="Overeenstemming op stukken tekst per codeurpaar: overlap en alfa voor eenheden.",
        en="Span-level agreement of every coder pair: overlap matching and unitized alpha.")),
    table("07_span_by_code", Sentence(nl="Overeenstemming op stukken tekst per code.",
                                      en="Span-level agreement per code.")),
    table("07_span_cu_alpha", Sentence(nl="cu-alfa per bril en Cu-alfa over de brillen.",
                                       en="cu-alpha per lens and Cu-alpha across lenses.")),
    table("07_span_unmatched", Sentence(nl="Gecodeerde stukken die de andere codeur niet gelijk codeerde.",
                                        en="Coded stretches the other coder did not match.")),
)


class OutputError(ValueError):
    """A notebook writes a result this module cannot name or has no words for."""


def notebook_paths(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered analysis notebooks in reading order."""
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def _shown(path: Path) -> str:
    """A path as the reader of an error message finds it: from the project root when inside it."""
    full = path.resolve()
    return full.relative_to(PROJECT_ROOT).as_posix() if full.is_relative_to(PROJECT_ROOT) else str(path)


def _code_cells(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    # IPython's own syntax (%magic, !shell) is not Python; it never writes a result, so it becomes blank.
    return ["\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in "".join(c["source"]).split("\n"))
            for c in cells if c.get("cell_type") == "code"]


def _writer_calls(source: str) -> list[ast.Call]:
    calls = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Attribute) and node.func.attr in KINDS
             and isinstance(node.func.value, ast.Name) and node.func.value.id == "ctx"]
    return sorted(calls, key=lambda node: (node.lineno, node.col_offset))


def _name_argument(call: ast.Call) -> ast.expr | None:
    named = [k.value for k in call.keywords if k.arg == "name"]
    return named[0] if named else (call.args[1] if len(call.args) > 1 else None)


def written_by(notebook: Path) -> tuple[tuple[str, str], ...]:
    """The ``(kind, name)`` of every ``ctx.table``/``ctx.figure`` call of a notebook, in reading order.

    Raises
    ------
    OutputError
        When a call does not give its file name as a literal text, or a cell is not valid Python.
    """
    found: list[tuple[str, str]] = []
    for number, source in enumerate(_code_cells(notebook), start=1):
        try:
            calls = _writer_calls(source)
        except SyntaxError as exc:
            raise OutputError(f"{_shown(notebook)}, code cell {number}, line {exc.lineno}: not valid Python "
                              f"({exc.msg}). Fix: correct the cell so that its results can be listed.") from None
        for call in calls:
            name = _name_argument(call)
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                raise OutputError(f"{_shown(notebook)}, code cell {number}, line {call.lineno}: ctx.{call.func.attr} "
                                  "needs its file name as a literal text, such as \"03_emphasis\". Fix: write the "
                                  "name out, so that reproduce and the report can list it without running the "
                                  "notebook.")
            if (call.func.attr, name.value) not in found:
                found.append((call.func.attr, name.value))
    return tuple(found)


@cache
def declared_figures() -> dict[str, Output]:
    """Every figure a :class:`~samendoen_analysis.present.captions.Drawing` declares, by name."""
    figures: dict[str, Output] = {}
    for module in map(importlib.import_module, FIGURE_MODULES):
        for drawing in (v for v in vars(module).values() if isinstance(v, Drawing)):
            for out in drawing.figures:
                if out.name in figures:
                    raise OutputError(f"figure '{out.name}' is declared twice; keep one declaration")
                figures[out.name] = out
    return figures


def declared(kind: str, name: str) -> Output:
    """The words of one table or figure, or an error that says where to write them."""
    check_option("output kind", kind, KINDS)
    words = {o.name: o for o in TABLES} if kind == "table" else declared_figures()
    if name not in words:
        where = ("a table(...) entry in TABLES of samendoen_analysis/run/outputs.py" if kind == "table" else
                 "a figure(...) in the Drawing beside its drawing function (samendoen_analysis/present/figures.py)")
        raise OutputError(f"{kind} '{name}' has no caption. Fix: declare it as {where}.")
    return words[name]


def all_outputs(notebooks: Iterable[Path] | None = None) -> dict[str, tuple[Output, ...]]:
    """Each notebook's outputs with their words, by notebook stem; default every analysis notebook."""
    paths = notebook_paths() if notebooks is None else list(notebooks)
    return {path.stem: tuple(declared(kind, name) for kind, name in written_by(path)) for path in paths}


def outputs(notebook: str, kind: str | None = None) -> tuple[Output, ...]:
    """The outputs of one analysis notebook (by file name or stem), optionally of one kind.

    Examples
    --------
    >>> [o.name for o in outputs("02_codebook.ipynb", "figure")]
    ['02_subtheme_frequencies']
    """
    stems = [p.stem for p in notebook_paths()]
    stem = check_option("notebook", notebook.removesuffix(".ipynb"), stems)
    if kind is not None:
        check_option("output kind", kind, KINDS)
    return tuple(o for o in all_outputs([NOTEBOOKS_DIR / f"{stem}.ipynb"])[stem] if kind is None or o.kind == kind)


def readme_table() -> str:
    """The README's "What is computed where" table, made from the notebooks and their outputs' words.

    The README carries this text between two markers and a test compares them; ``samendoen
    outputs-table`` prints the rows to paste.
    """
    rows = ["| result | notebook | files in `results/` |", "|---|---|---|"]
    for notebook, declared_outputs in all_outputs().items():
        for out in declared_outputs:
            rows.append(f"| {out.caption('en').rstrip('.')} | `{notebook}` | `{out.kind}s/{out.name}.*` |")
    return "\n".join(rows) + "\n"


__all__ = ["FIGURE_MODULES", "TABLES", "OutputError", "all_outputs", "declared", "declared_figures", "notebook_paths",
           "outputs", "readme_table", "written_by"]
