"""The ``samendoen`` command line: validate, reproduce, import and export rounds."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from samendoen_analysis.errors import DataError
from samendoen_analysis.paths import RESULTS_DIR


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

    result = reproduce(args.out, dict(args.p or []), jobs=args.jobs, check=args.check)
    print(
        f"results written to {result.out_dir} ({len(result.notebooks)} notebooks); "
        f"open {result.out_dir / 'report' / 'index.html'}"
    )
    for line in result.differences:
        print(f"difference: {line}", file=sys.stderr)
    return 1 if result.differences else 0


def _refresh(args: argparse.Namespace) -> int:
    from samendoen_analysis.run.reproduce import refresh_notebooks

    for path in refresh_notebooks(jobs=args.jobs):
        print(f"refreshed {path.name}")
    return 0


def _import_qdpx(args: argparse.Namespace) -> int:
    from samendoen_analysis.qdpx.importer import import_qdpx

    report = import_qdpx(
        args.file,
        args.round,
        data_dir=args.data,
        respondents=args.respondents,
        codes=args.codes,
        replace=args.replace,
        keep_new_codes=args.keep_new_codes,
        text_from_selection_names=args.text_from_selection_names,
        **({"wait": args.wait} if args.wait is not None else {}),
    )
    print(report)
    return 0


def _export_qdpx(args: argparse.Namespace) -> int:
    from samendoen_analysis.qdpx.exporter import export_qdpx

    path = export_qdpx(args.out, data_dir=args.data, rounds=args.round)
    print(f"wrote {path}")
    return 0


def _student_copies(args: argparse.Namespace) -> int:
    from samendoen_analysis.teaching.lessons import write_student_copies

    for path in write_student_copies(out_dir=args.out):
        print(f"wrote {path.parent.name}/{path.name}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="samendoen", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check a data folder and print a summary")
    p.add_argument("data_dir", nargs="?", default=None, help="data folder (default: the shipped data/)")
    p.add_argument("--deny-list", type=Path, help="text file of names that must not occur in any segment")
    p.set_defaults(func=_validate)
    p = sub.add_parser("reproduce", help="run every notebook and rebuild all tables and figures")
    p.add_argument("--out", type=Path, default=RESULTS_DIR, help="output folder (default: results/)")
    p.add_argument("--jobs", type=int, default=None, help="notebooks run in parallel (default: cores)")
    p.add_argument("-p", nargs=2, action="append", metavar=("NAME", "VALUE"), help="notebook parameter")
    p.add_argument("--check", action="store_true", help="fail if tables differ from reference/")
    p.set_defaults(func=_reproduce)
    p = sub.add_parser("refresh-notebooks", help="re-execute the committed notebooks in place")
    p.add_argument("--jobs", type=int, default=None, help="notebooks run in parallel (default: cores)")
    p.set_defaults(func=_refresh)
    p = sub.add_parser("import-qdpx", help="append a round coded in a QDA program (REFI-QDA .qdpx)")
    p.add_argument("file", type=Path)
    p.add_argument("--round", required=True, help="id of the new round, e.g. R2")
    p.add_argument("--respondents", type=Path, help="CSV of respondent attributes keyed by source name")
    p.add_argument("--codes", type=Path, help="CSV mapping the project's codes to codebook code_ids")
    p.add_argument("--data", type=Path, default=None, help="data folder (default: the shipped data/)")
    p.add_argument("--replace", action="store_true", help="replace an existing round with this id")
    p.add_argument("--keep-new-codes", action="store_true", help="add unmapped codes to the codebook")
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
    p.add_argument("--data", type=Path, default=None, help="data folder (default: the shipped data/)")
    p.set_defaults(func=_export_qdpx)
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
