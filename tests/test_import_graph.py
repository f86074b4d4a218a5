"""The import graph flows one way: the statistics and the data layer know nothing of the layers above.

Imports are read from the source with ``ast`` (top-level and inside functions alike, so a late
import cannot hide an upward dependency), not by importing the package.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from samendoen_analysis.paths import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "samendoen_analysis"
# The layers, top to bottom, as the README's package table lists them. A module may import only
# layers below its own: `analysis` and `present` share a level, so statistics and presentation
# never import each other.
LEVELS = (("cli",), ("run",), ("teaching",), ("qdpx",), ("analysis", "present"), ("data",), ("vocabulary",),
          ("errors", "paths"))
# folder -> layers of the package it must never import (its own level and every level above it)
FORBIDDEN = {
    name: tuple(other for upper in LEVELS[: i + 1] for other in upper if other != name)
    for i, level in enumerate(LEVELS) for name in level
}


def imported_modules(path: Path) -> set[str]:
    """Every ``samendoen_analysis`` module a file imports, as dotted names (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # "from ..run import x" in package a.b.c is a.b.run
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] == "samendoen_analysis"}


def upward_imports(folder: str) -> list[str]:
    """``file imports module`` for every import of ``folder`` into a layer it must not know."""
    banned = tuple(f"samendoen_analysis.{name}" for name in FORBIDDEN[folder])
    layer = PACKAGE / folder
    files = sorted(layer.rglob("*.py")) if layer.is_dir() else [layer.with_suffix(".py")]
    return [f"{path.relative_to(PROJECT_ROOT)} imports {name}"
            for path in files
            for name in sorted(imported_modules(path))
            if name in banned or name.startswith(tuple(f"{b}." for b in banned))]


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_imports_only_point_down(folder):
    assert upward_imports(folder) == []


def test_every_layer_of_the_package_is_placed():
    on_disk = {p.name.removesuffix(".py") for p in PACKAGE.iterdir()
               if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.name != "__init__.py")}
    assert on_disk == set(FORBIDDEN)


def test_the_reader_sees_late_and_relative_imports(tmp_path, monkeypatch):
    """The check can fail: an import inside a function, or a relative one, is found."""
    fake = tmp_path / "samendoen_analysis" / "analysis"
    fake.mkdir(parents=True)
    (fake / "late.py").write_text("def f():\n    from samendoen_analysis.present import labels\n", encoding="utf-8")
    (fake / "relative.py").write_text("from ..run.params import Selection\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "samendoen_analysis")
    assert upward_imports("analysis") == [
        "samendoen_analysis/analysis/late.py imports samendoen_analysis.present",
        "samendoen_analysis/analysis/late.py imports samendoen_analysis.present.labels",
        "samendoen_analysis/analysis/relative.py imports samendoen_analysis.run.params",
        "samendoen_analysis/analysis/relative.py imports samendoen_analysis.run.params.Selection",
    ]
