"""Every command of the README's "Adding a new interview round", run in order as a researcher would.

The commands are read from the README itself, so a command changed there is a command tested
here. They run from a fresh folder holding ``examples/`` and ``notebooks/`` of the project (the
README's commands start in the project folder); what the researcher does between two commands
(edit the map file the import wrote, write the respondents CSV) is done by the test.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import papermill
import pytest

from samendoen_analysis.cli import main
from samendoen_analysis.data.store import read_raw
from samendoen_analysis.paths import DATA_DIR, PROJECT_ROOT

from .qdpx_helpers import MAP_HEADER, TEXT, G, coding, mapping_rows, project, selection, source, write_csv, write_zip

SECTION = "## Adding a new interview round"


def readme_commands() -> list[str]:
    """The shell commands of the section, in order, comments kept."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.index("\n## ", start + len(SECTION))
    blocks = re.findall(r"```sh\n(.*?)```", text[start:end], flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def _your_export(folder: Path) -> None:
    """The researcher's own export of step 6: no Cases, one code of the codebook's, one of their own."""
    codes = f'<Code guid="{G[1]}" name="Korte lijnen"/><Code guid="{G[2]}" name="Gedoe"/>'
    sel = selection(G[5], 0, 3, coding(G[6], G[1])) + selection(G[7], 5, 7, coding(G[8], G[2]))
    qde = project(source(name="Interview Karin", selections=sel), codes=codes)
    write_zip(folder / "interviews.qdpx", {"project.qde": qde, "sources/a.txt": TEXT})


def _between(command: str, folder: Path) -> None:
    """What the researcher does by hand before a command."""
    if "--codes interviews-codes.csv" in command:
        path = folder / "interviews-codes.csv"
        path.write_text(path.read_text(encoding="utf-8").replace("Gedoe,\n", "Gedoe,obstacles.different_ways\n"),
                        encoding="utf-8")
    if "--respondents people.csv" in command:
        write_csv(folder / "people.csv", MAP_HEADER, mapping_rows([
            {"source": "Interview Karin", "school_id": "S5", "role_group": "teacher", "role_nl": "leraar",
             "role_en": "teacher", "interviewer": "I1", "mode": "video"}]))


def _run(command: str, folder: Path) -> int:
    line, _, comment = command.partition("  #")
    args = shlex.split(line.replace('"$PWD', f'"{folder}'))
    if args[:3] == ["cp", "-r", "data"]:
        shutil.copytree(DATA_DIR, folder / args[3])
        return 0
    if args[0] == ".venv/bin/samendoen":
        return main(args[1:])
    if args[0] == ".venv/bin/papermill":
        params = dict(zip(args[4::3], args[5::3], strict=True))
        assert args[3::3] == ["-p"] * len(params)
        papermill.execute_notebook(str(folder / args[1]), str(folder / args[2]), parameters=params,
                                   progress_bar=False, cwd=str(folder))
        return 0
    raise AssertionError(f"the README shows a command this test does not run: {command}")


def test_every_command_of_the_section_runs(tmp_path, monkeypatch, capsys):
    commands = readme_commands()
    assert len(commands) >= 8
    for name in ("examples", "notebooks"):
        shutil.copytree(PROJECT_ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    _your_export(tmp_path)
    monkeypatch.chdir(tmp_path)
    for command in commands:
        _between(command, tmp_path)
        expected = 1 if "# stops" in command else 0
        assert _run(command, tmp_path) == expected, f"{command}\n{capsys.readouterr().err}"
    raw = read_raw(tmp_path / "mydata")
    people = raw["respondents"].set_index("respondent_id")
    assert sorted(set(people["round"])) == ["R1", "R2", "R3", "R4"]
    assert (people.loc[people["round"] == "R3", "person_id"] != people.loc[people["round"] == "R3"].index).sum() == 3
    assert (tmp_path / "mydata" / "redactions-R3.csv").read_text(encoding="utf-8").count("[url]") == 1
    assert {"Anna", "Bram", "Consensus"} <= set(raw["coders"]["coder_id"])
    assert (tmp_path / "06-mydata.ipynb").is_file()


@pytest.mark.parametrize("command", readme_commands())
def test_commands_are_ones_the_test_knows(command):
    assert command.split()[0] in ("cp", ".venv/bin/samendoen", ".venv/bin/papermill")
