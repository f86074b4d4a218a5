"""Writing result tables as CSV, Markdown and LaTeX with fixed formatting.

Two runs must give identical bytes, so numbers are written with a fixed number of decimals,
line ends are ``\\n`` and nothing depends on the locale or the clock.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DECIMALS = 2


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    floats = out.select_dtypes("float").columns
    out[floats] = out[floats].round(DECIMALS)
    return out


def write_table(frame: pd.DataFrame, out_dir: str | Path, name: str) -> list[Path]:
    """Write a table as ``name.csv``, ``name.md`` and ``name.tex`` (booktabs).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; its index is not written.
    out_dir : str or Path
        Folder, created if needed.
    name : str
        File stem.

    Returns
    -------
    list of Path
        The three files written.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    table = _rounded(frame).reset_index(drop=True)
    fmt = f"%.{DECIMALS}f"
    paths = [folder / f"{name}.{ext}" for ext in ("csv", "md", "tex")]
    table.to_csv(paths[0], index=False, float_format=fmt, lineterminator="\n")
    # Missing values are empty cells in every format (tabulate leaves None empty, and would print "nan").
    shown = table.astype(object).where(table.notna(), None)
    paths[1].write_text(shown.to_markdown(index=False, floatfmt=f".{DECIMALS}f") + "\n", encoding="utf-8")
    latex = table.style.format(precision=DECIMALS, escape="latex", na_rep="").hide(axis="index").to_latex(hrules=True)
    paths[2].write_text(latex, encoding="utf-8")
    return paths


def wide(tidy: pd.DataFrame, index: str, columns: str, values: str = "value") -> pd.DataFrame:
    """Pivot a tidy table to a wide one for display, keeping category order.

    Parameters
    ----------
    tidy : pandas.DataFrame
        Long table.
    index, columns, values : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        With ``index`` as first column.
    """
    out = tidy.pivot_table(index=index, columns=columns, values=values, observed=True, sort=False)
    out.columns = [str(c) for c in out.columns]
    return out.reset_index()


__all__ = ["wide", "write_table"]
