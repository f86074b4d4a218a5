"""The public API says what it is: every module has ``__all__``, and it lists exactly what exists.

Every module of the package is walked (none is skipped): ``__all__`` must exist, name nothing that
is missing or twice, and list every public top-level function and class the module defines itself
(names starting with ``_`` and names imported from elsewhere are not its own API).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types

import pytest

import samendoen_analysis


def _modules() -> list[str]:
    found = [samendoen_analysis.__name__]
    found += [m.name for m in pkgutil.walk_packages(samendoen_analysis.__path__, samendoen_analysis.__name__ + ".")]
    return sorted(found)


def _own_public_names(module: types.ModuleType) -> set[str]:
    return {
        name for name, obj in vars(module).items()
        if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == module.__name__
    }


def api_problems(module: types.ModuleType) -> list[str]:
    """What is wrong with a module's ``__all__`` (empty when nothing is)."""
    if not hasattr(module, "__all__"):
        return [f"{module.__name__} has no __all__"]
    name, listed = module.__name__, list(module.__all__)
    problems = [f"{name}.__all__ names {n!r}, which does not exist" for n in listed if not hasattr(module, n)]
    problems += [f"{name}.__all__ names {n!r} twice" for n in sorted({n for n in listed if listed.count(n) > 1})]
    problems += [f"{name}.{n} is public but not in __all__" for n in sorted(_own_public_names(module) - set(listed))]
    return problems


@pytest.mark.parametrize("name", _modules())
def test_every_module_says_what_is_public(name):
    assert api_problems(importlib.import_module(name)) == []


def test_the_walk_finds_every_subpackage():
    names = _modules()
    for sub in ("analysis", "data", "present", "qdpx", "run", "teaching"):
        assert f"samendoen_analysis.{sub}" in names
    assert len(names) > 40


def test_the_check_finds_each_kind_of_problem():
    module = types.ModuleType("fake")

    def listed():
        """Listed."""

    def forgotten():
        """Not listed."""

    listed.__module__ = forgotten.__module__ = "fake"
    module.listed, module.forgotten, module.imported = listed, forgotten, inspect.isclass
    assert api_problems(module) == ["fake has no __all__"]
    module.__all__ = ["listed", "listed", "ghost"]
    assert api_problems(module) == [
        "fake.__all__ names 'ghost', which does not exist",
        "fake.__all__ names 'listed' twice",
        "fake.forgotten is public but not in __all__",
    ]
    module.__all__ = ["listed", "forgotten"]
    assert api_problems(module) == []
