"""The import graph flows one way: a module imports only from its own floor or the floors below.

Floors, top to bottom (the layout the README describes): ``cli``; ``run`` and ``qdpx``; ``analysis``
and ``teaching``; ``data`` and ``present``; ``vocabulary``, ``errors`` and ``paths``. Imports inside
functions count too: importing late hides an upward import from a reader, not from the design.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from samendoen_analysis.paths import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "samendoen_analysis"
FLOORS = {
    "cli": 4, "run": 3, "qdpx": 3, "analysis": 2, "teaching": 2, "data": 1, "present": 1,
    "vocabulary": 0, "errors": 0, "paths": 0,
}
# Known exceptions, each with its reason; the lead decides whether they stay.
ALLOWED = {
    # Lesson 3's self-check ``boundary_gap`` reads the shipped two-coder example project.
    ("teaching/checks.py", "samendoen_analysis.qdpx.spans"),
}


def _part(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imported(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            if node.module == "samendoen_analysis":  # from samendoen_analysis import data
                found += [f"samendoen_analysis.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return [m for m in found if m.startswith("samendoen_analysis.") and m.split(".")[1] in FLOORS]


def upward_imports(source: str, path: Path) -> list[str]:
    """The imports of one module that reach above its floor (sibling parts on one floor may import each other)."""
    part = _part(path)
    if part not in FLOORS:  # the package's own __init__ sits above everything
        return []
    return [m for m in _imported(ast.parse(source)) if FLOORS[m.split(".")[1]] > FLOORS[part]]


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_downwards(path):
    name = str(path.relative_to(PACKAGE))
    found = [m for m in upward_imports(path.read_text(encoding="utf-8"), path) if (name, m) not in ALLOWED]
    assert found == [], f"{name} imports from a floor above its own: {found}"


def test_every_part_of_the_package_has_a_floor():
    parts = {_part(p) for p in PACKAGE.rglob("*.py")} - {"__init__"}
    assert parts == set(FLOORS)


def test_the_check_sees_late_and_plain_imports():
    module = PACKAGE / "analysis" / "example.py"
    late = "def f():\n    from samendoen_analysis.qdpx.importer import import_qdpx\n"
    assert upward_imports(late, module) == ["samendoen_analysis.qdpx.importer"]
    assert upward_imports("import samendoen_analysis.cli\n", module) == ["samendoen_analysis.cli"]
    assert upward_imports("from samendoen_analysis import run\n", module) == ["samendoen_analysis.run"]
    assert upward_imports("from samendoen_analysis.data import corpus\n", module) == []
    assert upward_imports("from samendoen_analysis.teaching import helpers\n", module) == []


def test_each_allowed_exception_still_exists():
    for name, module in ALLOWED:
        path = PACKAGE / name
        assert module in upward_imports(path.read_text(encoding="utf-8"), path), f"remove {name} from ALLOWED"
