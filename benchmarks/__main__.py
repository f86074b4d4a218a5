"""Run the benchmarks: ``python -m benchmarks [--parts reproduce,scale,warm,import,spans,params] [--quick]``.

Prints one table per part and writes JSON to ``benchmarks/out/``. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import sys

from benchmarks.common import OUT_DIR

PARTS = ("reproduce", "scale", "warm", "import", "spans", "params")


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run the chosen parts."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}")
    parser.add_argument("--reps", type=int, default=3, help="repetitions for reproduce and import (default 3)")
    parser.add_argument("--sizes", default="1e3,1e4,1e5,1e6", help="segment counts for scale (default 1e3,1e4,1e5,1e6)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic corpora")
    parser.add_argument("--jobs", type=int, default=None, help="workers for reproduce (default: cores)")
    parser.add_argument("--no-by-hand", action="store_true", help="skip the serial nbconvert comparison")
    parser.add_argument("--no-loo", action="store_true", help="skip leave-one-out in scale")
    parser.add_argument("--huge", action="store_true", help="add 10,000,000 segments to scale (minutes, gigabytes)")
    parser.add_argument("--import-size", type=int, default=10_000, help="segments of the exported QDPX")
    parser.add_argument("--quick", action="store_true",
                        help="one repetition, sizes 1e3,1e4,1e5, no nbconvert comparison (about a minute)")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    if args.quick:
        args.reps, args.no_by_hand = 1, True
        if args.sizes == parser.get_default("sizes"):
            args.sizes = "1e3,1e4,1e5"
    sizes = [int(float(s)) for s in args.sizes.split(",") if s.strip()]
    if args.huge and 10_000_000 not in sizes:
        sizes.append(10_000_000)

    if "reproduce" in parts:
        from benchmarks.reproduce import bench_reproduce

        bench_reproduce(reps=args.reps, jobs=args.jobs, by_hand=not args.no_by_hand)
    if "scale" in parts:
        from benchmarks.scale import bench_scale

        bench_scale(sizes, seed=args.seed, loo=not args.no_loo)
    if "warm" in parts:
        from benchmarks.warm import bench_warm

        bench_warm(sizes=(max(sizes),), reps=max(args.reps, 5), seed=args.seed)
    if "import" in parts:
        from benchmarks.importer import bench_conversion, bench_import, bench_long_source

        bench_import(args.import_size, reps=args.reps, seed=args.seed)
        bench_long_source(reps=args.reps, seed=args.seed)
        bench_conversion(reps=args.reps, seed=args.seed)
    if "spans" in parts:
        from benchmarks.spans import bench_spans

        bench_spans(reps=args.reps, seed=args.seed)
    if "params" in parts:
        from benchmarks.params import bench_params

        bench_params(reps=args.reps)
    print(f"\nJSON written to {OUT_DIR}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
