"""The data package validates with Frictionless, and conda users get the same dependencies."""

from __future__ import annotations

import tomllib

from frictionless import Package

from samendoen_analysis.paths import DATA_DIR, PROJECT_ROOT


def test_datapackage_validates_with_frictionless():
    report = Package(str(DATA_DIR / "datapackage.json")).validate()
    errors = [e.message for task in report.tasks for e in task.errors] + [e.message for e in report.errors]
    assert report.valid, errors[:5]


def test_descriptor_says_reconstructed_and_licence():
    import json

    descriptor = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["description"].startswith("RECONSTRUCTED DATA")
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert {r["path"] for r in descriptor["resources"]} == {p.name for p in DATA_DIR.glob("*.csv")}


def test_environment_yml_installs_the_pyproject_dependencies():
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    env = (PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8")
    extras = pyproject["project"]["optional-dependencies"]
    assert f"- -e .[{','.join(extras)}]" in env
    python = pyproject["project"]["requires-python"].removeprefix(">=")
    assert f"- python={python}" in env
