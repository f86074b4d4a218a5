"""The ``samendoen`` command line: validate, reproduce, import and export rounds."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from samendoen_analysis.errors import DataError
from samendoen_analysis.paths import REFERENCE_DIR, RESULTS_DIR

DESCRIPTION = """\
Reproducible analysis of the samen-DOEN interview study on a reconstructed corpus.

Typical use:
  samendoen reproduce                     rebuild every table, figure and the report into results/
  samendoen reproduce -p lang en          the same with English labels
  samendoen validate                      check the shipped data/ and print a summary

Run "samendoen COMMAND --help" for the options of one command.
"""


def _validate(args: argparse.Namespace) -> int:
    from samendoen_analysis.analysis.summary import corpus_summary
    from samendoen_analysis.data.corpus import load_corpus
    from samendoen_analysis.data.store import needs_recovery, recover
    from samendoen_analysis.paths import resolve_data_dir

    folder = resolve_data_dir(args.data_dir)
    if needs_recovery(folder):  # a writer was killed, or is running: finish or wait for it first
        for note in recover(folder):
            print(f"note: {note}")
    corpus = load_corpus(folder, deny_list=args.deny_list)
    for note in corpus.notes:
        print(f"note: {note}")
    print(corpus_summary(corpus))
    return 0


def _reproduce(args: argparse.Namespace) -> int:
    from samendoen_analysis.run.reproduce import reproduce

    result = reproduce(args.out, dict(args.p or []), jobs=args.jobs, check=args.check, force=args.force)
    print(
        f"results written to {result.out_dir} ({len(result.notebooks)} notebooks, {len(result.reused)} re-used); "
        f"open {result.out_dir / 'report' / 'index.html'}"
    )
    if args.check:
        compared = sorted(p.name for p in REFERENCE_DIR.glob("*.csv"))
        print(f"compared {len(compared)} tables in {result.out_dir / 'tables'} with {REFERENCE_DIR}: "
              + ("all identical" if not result.differences else f"{len(result.differences)} differ"))
    for line in result.differences:
        print(f"difference: {line}", file=sys.stderr)
    return 1 if result.differences else 0


def _refresh(args: argparse.Namespace) -> int:
    from samendoen_analysis.run.reproduce import refresh_notebooks

    for path in refresh_notebooks(jobs=args.jobs):
        print(f"refreshed {path.name}")
    return 0


def _here(path: Path | None) -> Path | None:
    """A path as the shell user means it: relative to the current folder, not to the project."""
    return None if path is None else (Path.cwd() / path.expanduser()).absolute()


def _import_qdpx(args: argparse.Namespace) -> int:
    from samendoen_analysis.qdpx.importer import import_qdpx

    report = import_qdpx(
        _here(args.file),
        args.round,
        data_dir=_here(args.data),
        respondents=_here(args.respondents),
        codes=_here(args.codes),
        replace=args.replace,
        keep_new_codes=args.keep_new_codes,
        text_from_selection_names=args.text_from_selection_names,
        consensus_user=args.consensus_user,
        redact=args.redact,
        **({"wait": args.wait} if args.wait is not None else {}),
    )
    print(report)
    return 0


def _export_qdpx(args: argparse.Namespace) -> int:
    from samendoen_analysis.qdpx.exporter import export_qdpx

    path = export_qdpx(_here(args.out), data_dir=_here(args.data), rounds=args.round)
    print(f"wrote {path}")
    return 0


def _student_copies(args: argparse.Namespace) -> int:
    from samendoen_analysis.teaching.student import write_student_copies

    for path in write_student_copies(out_dir=args.out):
        print(f"wrote {path.parent.name}/{path.name}")
    return 0


def _sync_notebooks(args: argparse.Namespace) -> int:
    from samendoen_analysis.paths import NOTEBOOKS_DIR
    from samendoen_analysis.run.params import sync_parameters_cells

    notebooks = sorted(NOTEBOOKS_DIR.glob("*.ipynb")) + sorted((NOTEBOOKS_DIR / "teaching").glob("*.ipynb"))
    for path in sync_parameters_cells(notebooks):
        print(f"updated the parameters cell of {path.relative_to(NOTEBOOKS_DIR)}")
    return 0


def _outputs_table(args: argparse.Namespace) -> int:
    from samendoen_analysis.run.outputs import readme_table

    print(readme_table(), end="")
    return 0


def _parameters_epilog() -> str:
    """The notebooks' parameters for ``reproduce --help``, read from their parameters cells."""
    from samendoen_analysis.run.outputs import notebook_paths
    from samendoen_analysis.run.params import parameter_help

    return ("notebook parameters (-p NAME VALUE; empty means all, or the default):\n"
            f"{parameter_help(notebook_paths(), skip=('out_dir',))}\n"
            "  (out_dir is set by --out)\n\n"
            "example:\n  samendoen reproduce --out results-s3 -p schools S3 -p lang en -p measure segments")


class _Parser(argparse.ArgumentParser):
    """A parser whose epilog may be computed only when help is shown (``lazy_epilog``)."""

    lazy_epilog = None

    def format_help(self) -> str:
        if self.lazy_epilog is not None:
            self.epilog = self.lazy_epilog()
        return super().format_help()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="samendoen", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("validate", help="check a data folder and print a summary")
    p.add_argument("data_dir", nargs="?", default=None, help="data folder (default: the shipped data/)")
    p.add_argument("--deny-list", type=Path, help="text file of names that must not occur in any segment")
    p.set_defaults(func=_validate)
    p = sub.add_parser("reproduce", help="run every notebook and rebuild all tables and figures",
                       description="Run every analysis notebook with the same parameters and rebuild all "
                       "tables, figures and the report (report/index.html) in the output folder. Parameters "
                       "are checked before any notebook starts.",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.lazy_epilog = _parameters_epilog  # reads the notebooks and imports pandas: only for --help
    p.add_argument("--out", type=Path, default=RESULTS_DIR, help="output folder (default: results/)")
    p.add_argument("--jobs", type=int, default=None, help="notebooks run in parallel (default: cores)")
    p.add_argument("-p", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="notebook parameter (repeatable); the names are listed below")
    p.add_argument("--check", action="store_true", help="fail if tables differ from reference/")
    p.add_argument("--force", action="store_true",
                   help="run every notebook, also those whose inputs are unchanged since the last run into --out")
    p.set_defaults(func=_reproduce)
    p = sub.add_parser("refresh-notebooks", help="re-execute the committed notebooks in place")
    p.add_argument("--jobs", type=int, default=None, help="notebooks run in parallel (default: cores)")
    p.set_defaults(func=_refresh)
    p = sub.add_parser("import-qdpx", help="append a round coded in a QDA program (REFI-QDA .qdpx)")
    p.add_argument("file", type=Path)
    p.add_argument("--round", required=True, help="id of the new round, e.g. R2")
    p.add_argument("--respondents", type=Path,
                   help="CSV of respondent attributes keyed by source name, file name or GUID")
    p.add_argument("--codes", type=Path, help="CSV mapping the project's codes to codebook code_ids")
    p.add_argument("--data", type=Path, default=None,
                   help="data folder, relative to the current folder (default: the shipped data/)")
    p.add_argument("--replace", action="store_true", help="replace an existing round with this id")
    p.add_argument("--keep-new-codes", action="store_true",
                   help="add unmapped codes to the codebook, keeping their nesting")
    p.add_argument("--consensus-user", metavar="NAME",
                   help="the User whose codings are the consensus, or 'none' when every User coded on their own")
    p.add_argument("--redact", action="store_true",
                   help="replace links, e-mail addresses, phone numbers and postcodes by markers, with a report")
    p.add_argument("--wait", type=float, metavar="SECONDS",
                   help="how long to wait while another run writes to the data folder (default: 30)")
    p.add_argument(
        "--text-from-selection-names",
        action="store_true",
        help="when a source's text file is missing, take each selection's text from its name",
    )
    p.set_defaults(func=_import_qdpx)
    p = sub.add_parser("export-qdpx", help="write the corpus as a REFI-QDA project (.qdpx)")
    p.add_argument("out", type=Path)
    p.add_argument("--round", action="append", help="round(s) to export (default: all)")
    p.add_argument("--data", type=Path, default=None,
                   help="data folder, relative to the current folder (default: the shipped data/)")
    p.set_defaults(func=_export_qdpx)
    p = sub.add_parser("sync-notebooks", help="write the common parameters cell (run/params.py) into every notebook")
    p.set_defaults(func=_sync_notebooks)
    p = sub.add_parser("outputs-table", help="print the README's table of what each notebook writes")
    p.set_defaults(func=_outputs_table)
    p = sub.add_parser("student-copies", help="generate the student copies of the lessons in notebooks/teaching/")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: notebooks/teaching/student/)")
    p.set_defaults(func=_student_copies)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["main"]
