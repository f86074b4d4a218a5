"""The one page a reader opens after ``samendoen reproduce``: a report to read, not an index of files.

It opens with the run's parameters and the hashes of its data, then the article's claims with
their verdicts and evidence, then every declared table and figure of every notebook (title,
caption and a one-line reading, listed by :mod:`samendoen_analysis.run.outputs`), and links to each
executed notebook rendered as HTML. The page is rendered from a jinja2 template
(``templates/report.html.j2``), styled for screen and print; figures show at their natural
width (never wider than the page) and open full size on a click.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from samendoen_analysis.present.captions import Output
from samendoen_analysis.run.outputs import all_outputs
from samendoen_analysis.vocabulary import labels_table

TEMPLATES = Path(__file__).with_name("templates")
CLAIMS_TABLE = "04_claims"
LONG_TABLE_ROWS = 25  # longer tables are folded (a reader opens them on demand)


def _texts(lang: str) -> dict[str, str]:
    """The page's own words (the ``report_`` rows of ``labels.csv``), by their name in the template."""
    # Imported here: present.labels imports pandas, which a re-run that re-uses every notebook
    # (and so takes the report over) must not pay for.
    from samendoen_analysis.present.labels import label

    return {row["key"].removeprefix("report_"): label(row["key"], lang)
            for row in labels_table() if row["key"].startswith("report_")}


@dataclass
class _Item:
    """One declared output as the template shows it."""

    output: Output
    number: int
    exists: bool
    files: list[tuple[str, str]] = field(default_factory=list)  # (label, relative href)
    image: str = ""
    data: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def _number_like(text: str) -> bool:
    """A table cell holding a number (right-aligned in the page)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return (rows[0], rows[1:]) if rows else ([], [])


def _items(work: Path, notebook: str) -> list[_Item]:
    items, numbers = [], {"table": 0, "figure": 0}
    for output in all_outputs([work / "notebooks" / f"{notebook}.ipynb"])[notebook]:
        numbers[output.kind] += 1
        folder = "tables" if output.kind == "table" else "figures"
        exts = ("csv", "md", "tex") if output.kind == "table" else ("png", "svg")
        main = work / folder / f"{output.name}.{exts[0]}"
        item = _Item(output, numbers[output.kind], main.is_file(),
                     [(ext.upper(), f"../{folder}/{output.name}.{ext}") for ext in exts
                      if (work / folder / f"{output.name}.{ext}").is_file()])
        if output.kind == "table" and item.exists:
            item.header, item.rows = _read_csv(main)
        elif item.exists:
            item.image = f"../figures/{output.name}.png"
            if (work / "figures" / f"{output.name}.csv").is_file():
                item.data = f"../figures/{output.name}.csv"
        items.append(item)
    return items


def _render_notebooks(work: Path, report: Path) -> list[str]:
    """Render each executed notebook to ``report/<stem>.html``; return the stems."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter()
    stems = []
    for nb in sorted((work / "notebooks").glob("*.ipynb")):
        body, _ = exporter.from_filename(str(nb))
        (report / f"{nb.stem}.html").write_text(body, encoding="utf-8")
        stems.append(nb.stem)
    return stems


def _notebook_title(work: Path, stem: str) -> str:
    """The first Markdown heading of an executed notebook, else its file name."""
    try:
        cells = json.loads((work / "notebooks" / f"{stem}.ipynb").read_text("utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return stem
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            first = "".join(cell["source"]).strip().splitlines()[:1]
            if first and first[0].startswith("#"):
                return first[0].lstrip("#").strip()
    return stem


def _parameters(work: Path, manifest: dict) -> list[tuple[str, str, bool]]:
    """(name, value, is default) for every parameter the run's notebooks declare."""
    from samendoen_analysis.run.params import notebook_parameters

    declared: dict[str, object] = {}
    for nb in sorted((work / "notebooks").glob("*.ipynb")):
        for name, param in notebook_parameters(nb).items():
            declared.setdefault(name, param.default)
    given = manifest.get("parameters", {})
    rows = [(name, str(given.get(name, default)), name not in given or str(given[name]) == str(default))
            for name, default in declared.items() if name != "out_dir"]
    return rows + [(name, str(value), False) for name, value in given.items() if name not in declared]


def write_report(work: str | Path, lang: str | None = None) -> Path:
    """Write ``report/index.html`` (and each executed notebook as HTML) for a run's output folder.

    Parameters
    ----------
    work : str or Path
        A run's output folder with ``notebooks/``, ``tables/``, ``figures/`` and ``manifest.json``.
    lang : {"nl", "en"}, optional
        Language of the page; default the run's ``lang`` parameter, else Dutch.

    Returns
    -------
    Path
        The index page.
    """
    import jinja2

    from samendoen_analysis.present.labels import LANGUAGES

    work = Path(work)
    manifest_path = work / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8")) if manifest_path.is_file() else {}
    lang = lang or manifest.get("parameters", {}).get("lang") or "nl"
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language '{lang}'; valid values: {', '.join(LANGUAGES)}")
    report = work / "report"
    report.mkdir(exist_ok=True)
    stems = _render_notebooks(work, report)
    claims = work / "tables" / f"{CLAIMS_TABLE}.csv"
    claims_header, claims_rows = _read_csv(claims) if claims.is_file() else ([], [])
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.tests["number_like"] = _number_like
    page = env.get_template("report.html.j2").render(
        lang=lang,
        t=_texts(lang),
        parameters=_parameters(work, manifest),
        inputs=[(name, digest[:12]) for name, digest in sorted(manifest.get("inputs", {}).items())],
        packages=sorted((manifest.get("packages") or {}).items()),
        claims_header=claims_header,
        claims_rows=claims_rows,
        notebooks=[{"stem": s, "title": _notebook_title(work, s), "items": _items(work, s)} for s in stems],
        long_rows=LONG_TABLE_ROWS,
    )
    index = report / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


__all__ = ["TEMPLATES", "write_report"]
