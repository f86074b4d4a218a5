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


def test_environment_yml_gives_the_python_and_says_how_to_install_the_project():
    # The project itself is installed with pip once the repository is there (repo2docker and conda
    # cannot install "-e ." from environment.yml); tests/test_binder.py runs that step.
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    python = pyproject["project"]["requires-python"].removeprefix(">=")
    for path in (PROJECT_ROOT / "environment.yml", PROJECT_ROOT / ".binder" / "environment.yml"):
        env = path.read_text(encoding="utf-8")
        assert f"- python={python}" in env, path
        content = "\n".join(line.split("#")[0] for line in env.splitlines())
        assert "-e ." not in content and "python=" in content, path
    assert 'python -m pip install -c constraints.txt -e ".[dev]"' in (PROJECT_ROOT / "environment.yml").read_text(
        encoding="utf-8")
    assert "-c constraints.txt -e ." in (PROJECT_ROOT / ".binder" / "postBuild").read_text(encoding="utf-8")
