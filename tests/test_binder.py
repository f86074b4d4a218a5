"""Binder and conda: repo2docker's configuration is present, and its install steps work.

repo2docker installs ``.binder/environment.yml`` before the repository is copied in, then runs
``.binder/postBuild`` in the repository. The environment files are checked as text (no conda
here); the post-build step is run as written, in a clean virtual environment, on a copy of the
project, and the installed project must then load its data and answer on the command line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from samendoen_analysis.paths import PROJECT_ROOT

BINDER = PROJECT_ROOT / ".binder"
INSTALL_TIMEOUT = 900
yaml = pytest.importorskip("yaml", reason="PyYAML (installed with frictionless) reads environment.yml")


def _requirement_names() -> list[str]:
    import tomllib

    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return [re.split(r"[<>=!~\[ ;]", spec, maxsplit=1)[0].lower() for spec in specs]


@pytest.mark.parametrize("path", [BINDER / "environment.yml", PROJECT_ROOT / "environment.yml"])
def test_environment_files_do_not_install_the_project(path):
    env = yaml.safe_load(path.read_text(encoding="utf-8"))
    deps = env["dependencies"]
    assert "python=3.11" in deps and "pip" in deps
    pip = [d for d in deps if isinstance(d, dict)]
    assert not pip or not any(line.startswith(("-e", ".")) for line in pip[0].get("pip", [])), \
        "repo2docker installs environment.yml before the repository is there"


def test_constraints_pin_every_dependency():
    pins = {}
    for line in (PROJECT_ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not pinned: {line}"
            pins[name.lower().replace("_", "-")] = version
    for name in _requirement_names():
        assert name.replace("_", "-") in pins, f"{name} is not in constraints.txt"
    assert "samendoen-analysis" not in pins


def test_post_build_installs_a_working_project_in_a_clean_environment(tmp_path):
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "postBuild must be executable"
    repo = tmp_path / "repo"
    shutil.copytree(PROJECT_ROOT, repo, ignore=shutil.ignore_patterns(
        ".venv", ".git", "results", ".results.*", "__pycache__", "*.egg-info", "artifacts", "output", "build"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", "PIP_NO_CACHE_DIR": "false",
           "VIRTUAL_ENV": str(venv)}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(["bash", str(repo / ".binder" / "postBuild")], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=INSTALL_TIMEOUT)
    assert done.returncode == 0, done.stderr[-3000:]
    python = venv / "bin" / "python"
    probe = ("import samendoen_analysis, sys; from samendoen_analysis.data.corpus import load_corpus; "
             "c = load_corpus(); print(samendoen_analysis.__file__); print(len(c.segments))")
    loaded = subprocess.run([str(python), "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    installed_from, segments = loaded.stdout.split()
    assert Path(installed_from).is_relative_to(repo), "the project must be installed from the repository"
    assert int(segments) > 0
    cli = subprocess.run([str(venv / "bin" / "samendoen"), "validate"], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=120)
    assert cli.returncode == 0 and "valid: yes" in cli.stdout, cli.stderr[-3000:]
