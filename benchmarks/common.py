"""Timing statistics, the printed table and the JSON output shared by all benchmark parts."""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent / "out"


def summarise(samples: list[float]) -> dict:
    """Median, min, max and spread (max - min, and relative to the median) of timings in seconds."""
    median = statistics.median(samples)
    return {
        "median": median, "min": min(samples), "max": max(samples), "n": len(samples),
        "spread": max(samples) - min(samples), "spread_rel": (max(samples) - min(samples)) / median if median else 0.0,
        "samples": samples,
    }


def timed(func, *args, **kwargs) -> tuple[float, object]:
    """Wall time of one call (perf_counter) and its result."""
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


def loglog_slope(sizes: list[float], times: list[float]) -> float | None:
    """Least-squares slope of log(time) on log(size): the scaling exponent."""
    points = [(math.log(s), math.log(t)) for s, t in zip(sizes, times, strict=True) if t > 0]
    if len(points) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else None


def machine() -> dict:
    """Where the figures were measured."""
    return {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count()}


def print_table(title: str, header: list[str], rows: list[list]) -> None:
    """Print an aligned plain-text (Markdown-compatible) table."""
    cells = [[str(c) for c in header]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n## {title}\n")
    for i, row in enumerate(cells):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    sys.stdout.flush()


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return "" if value is None else str(value)


def write_json(name: str, payload: dict, out_dir: Path = OUT_DIR) -> Path:
    """Write one part's results to ``benchmarks/out/<name>.json`` (gitignored)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.json"
    payload = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "machine": machine(), **payload}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def verdict(value: float | None, target: float, smaller_is_better: bool = True) -> str:
    """'met', 'missed by x%' (or 'by N.Nx' from twice the target on) or 'not measured'."""
    if value is None:
        return "not measured"
    if (value <= target) if smaller_is_better else (value >= target):
        return "met"
    factor = value / target if smaller_is_better else target / value
    return f"missed by {100 * (factor - 1):.0f}%" if factor < 2 else f"missed by {factor:.1f}x"


def print_targets(title: str, rows: list[tuple[str, float | None, str, float, bool]]) -> list[dict]:
    """Print rows of (what, measured, unit, target, smaller is better) with whether each target is met."""
    table = [[what, value, f"{'<=' if smaller else '>='} {target:g} {unit}".strip(), verdict(value, target, smaller)]
             for what, value, unit, target, smaller in rows]
    print_table(title, ["target", "measured", "goal", "verdict"], table)
    return [{"target": r[0], "measured": r[1], "goal": r[2], "verdict": r[3]} for r in table]
