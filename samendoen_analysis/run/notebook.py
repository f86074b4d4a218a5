"""What every analysis notebook does first: check parameters, load data, prepare output.

Keeping this here keeps the notebooks to narrative and one call per result, and makes a
notebook run by papermill from any folder find the same data and write to the same place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from samendoen_analysis.data.corpus import Corpus, load_corpus
from samendoen_analysis.paths import PROJECT_ROOT
from samendoen_analysis.present.labels import label, relabel
from samendoen_analysis.present.tables import write_table
from samendoen_analysis.run.outputs import declared
from samendoen_analysis.run.params import ParameterError, Selection, as_list, check_choices, check_parameters

# A notebook run on its own (JupyterLab, papermill) writes here, in its working directory, so that
# it never overwrites results/ of a reproduce run and leaves it out of step with its manifest.
ONE_OFF_DIR = "output"


@dataclass(frozen=True)
class Context:
    """A notebook's validated parameters, its corpus and where its results go."""

    corpus: Corpus
    full: Corpus
    selection: Selection
    compare: list[str]
    out_dir: Path

    def table(
        self, frame: pd.DataFrame, name: str, columns: tuple[str, ...] = ("role_group", "code_id")
    ) -> pd.DataFrame:
        """Write a table (CSV, Markdown, LaTeX) in the notebook's language and return it for display."""
        declared("table", name)  # a table without a caption would reach the report as a bare file name
        shown = relabel(frame, self.selection.lang, self.corpus.codebook, columns)
        write_table(shown, self.out_dir / "tables", name)
        return shown

    def figure(self, fig, name: str) -> None:
        """Save a figure as PNG and SVG in the output folder."""
        from samendoen_analysis.present.figures import save_figure

        declared("figure", name)
        save_figure(fig, self.out_dir / "figures", name)

    def label(self, key: str) -> str:
        """Label of a key or code in the notebook's language."""
        return label(key, self.selection.lang, self.corpus.codebook)

    @property
    def value_label(self) -> str:
        """Axis label for the chosen measure and normalisation."""
        return f"{self.label(self.selection.measure)} ({self.label(self.selection.normalisation)})"


def prepare(
    data_dir: str = "",
    rounds: str = "",
    schools: str = "",
    compare: str = "teacher,external_partner",
    measure: str = "words",
    normalisation: str = "none",
    lang: str = "nl",
    out_dir: str = "",
    figures: bool = True,
) -> Context:
    """Validate notebook parameters, load and subset the corpus, set the figure style.

    Parameters
    ----------
    data_dir : str
        Data folder; empty for the shipped ``data/``.
    rounds, schools : str
        Comma-separated selections; empty for all.
    compare : str
        The two role groups compared, comma-separated.
    measure, normalisation, lang : str
        See :func:`samendoen_analysis.run.params.check_parameters`.
    out_dir : str
        Output folder (relative paths start at the project root); empty for ``output/`` in the
        working directory: beside the notebook in JupyterLab, or the folder papermill's ``--cwd`` names.
        ``samendoen reproduce`` always sets it.
    figures : bool
        Set the plotting style (imports seaborn); notebooks without figures skip it.

    Returns
    -------
    Context
        Everything the notebook needs.

    Raises
    ------
    ParameterError
        If a parameter has a value that is not valid; the message lists the valid values.
    """
    full = load_corpus(data_dir or None)
    selection = check_parameters(full, rounds, schools, None, measure, normalisation, lang)
    groups = check_choices("role group", compare, full.respondents["role_group"].cat.categories)
    if len(groups) != 2:
        raise ParameterError(f"compare needs exactly two role groups, got {as_list(compare)}")
    if figures:
        from samendoen_analysis.present.figures import set_style

        set_style()
    out = (PROJECT_ROOT / out_dir if out_dir else Path.cwd() / ONE_OFF_DIR).resolve()
    corpus = full.subset(rounds=selection.rounds or None, schools=selection.schools or None)
    return Context(corpus=corpus, full=full, selection=selection, compare=groups, out_dir=out)


__all__ = ["Context", "prepare"]
