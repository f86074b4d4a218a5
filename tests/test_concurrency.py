"""Two writers at once, and a writer killed (SIGKILL) at every step of its write phase.

The data folder must end with both rounds or one, never a mix, and a killed import must leave
the old state or the new one; the next run finishes or removes what it left.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from samendoen_analysis import load_corpus
from samendoen_analysis.cli import main
from samendoen_analysis.qdpx.importer import import_qdpx

from .qdpx_helpers import EXAMPLE, G, case, codes_map, good, hashes, project, source, write_zip
from .qdpx_helpers import TEXT as QDPX_TEXT

TOPDOWN = {"Topdown": "obstacles.top_down"}
CLI = [sys.executable, "-m", "samendoen_analysis.cli"]


def _other_school(folder: Path) -> Path:
    """A small project at school S7 (the worked example is at S6 with respondents N6-*)."""
    people = case(G[4], name="S7-TEA1", values=("S7", "teacher", "leraar"))
    return write_zip(folder / "s7.qdpx", {"project.qde": project(source(), people), "sources/a.txt": QDPX_TEXT})


def _rounds(folder: Path) -> dict[str, int]:
    segments = load_corpus(folder).segments
    return segments.groupby("round", observed=True).size().to_dict()


@pytest.mark.parametrize("attempt", range(3))
def test_two_imports_at_once_keep_both_rounds(data_copy, tmp_path, attempt):
    """A round replaced while another is added (as on a shared drive): both rounds survive."""
    assert main(["import-qdpx", str(EXAMPLE), "--round", "R2", "--data", str(data_copy)]) == 0
    expected = _rounds(data_copy)
    alone = shutil.copytree(data_copy, tmp_path / "alone")  # what the added round holds when imported alone
    import_qdpx(_other_school(tmp_path), "R3", data_dir=alone, codes=codes_map(tmp_path, TOPDOWN))
    replace = [*CLI, "import-qdpx", str(EXAMPLE), "--round", "R2", "--replace", "--data", str(data_copy)]
    add = [*CLI, "import-qdpx", str(_other_school(tmp_path)), "--round", "R3", "--data", str(data_copy),
           "--codes", str(codes_map(tmp_path, TOPDOWN))]
    runs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for cmd in ((replace, add) if attempt % 2 else (add, replace))]
    results = [(run.wait(timeout=300), *run.communicate()) for run in runs]
    assert [code for code, _, _ in results] == [0, 0], results
    assert "Traceback" not in "".join(err for _, _, err in results)
    assert _rounds(data_copy) == {**expected, "R3": _rounds(alone)["R3"]}
    assert not [p.name for p in data_copy.iterdir() if p.name.startswith(".")]


def test_a_writer_that_cannot_wait_refuses_and_changes_nothing(data_copy, tmp_path):
    """The holder of the lock is named; the refused import changes no byte."""
    from samendoen_analysis.data.store import locked

    before = hashes(data_copy)
    with locked(data_copy):
        run = subprocess.run([*CLI, "import-qdpx", str(EXAMPLE), "--round", "R2", "--data", str(data_copy),
                              "--wait", "0.2"], capture_output=True, text=True)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert f"another run is writing to this data folder: pid {os.getpid()}" in run.stderr
    assert hashes(data_copy) == before


# The calls that make up an import's write phase: staging files, the commit, the moves, the
# clean-up. The child kills itself just before the n-th such call, for every n.
_STEPS = ("fsync", "replace", "unlink", "rmdir", "mkdir")


def _import_killed_at(step: int, folder: Path, qdpx: Path, codes: Path) -> int:
    """Fork; the child imports and SIGKILLs itself before call number ``step``; return how it ended."""
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        calls = [0]

        def counted(real):
            def call(*args, **kwargs):
                # Inside the validation copy every step leaves the folder as it was: count only
                # the steps on the copy's own folder (making and removing it), not those within.
                if args and any(part.startswith(".check-") for part in Path(str(args[0])).parent.parts):
                    return real(*args, **kwargs)
                calls[0] += 1
                if calls[0] == step:
                    os.kill(os.getpid(), signal.SIGKILL)
                return real(*args, **kwargs)
            return call

        for name in _STEPS:
            setattr(os, name, counted(getattr(os, name)))
        try:
            import_qdpx(qdpx, "R2", data_dir=folder, codes=codes)
        except BaseException:  # noqa: BLE001 - the parent sees it as exit status 3
            os._exit(3)
        os._exit(4)  # finished without reaching the step
    _, status = os.waitpid(pid, 0)
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def test_a_kill_at_any_step_of_the_write_leaves_the_old_or_the_new_folder(tmp_path, capsys):
    from .tiny import words, write_tiny_corpus

    template = write_tiny_corpus(tmp_path / "template", {"S1-T": ("S1", "teacher"), "S1-E": ("S1", "external_partner")},
                                 [("S1-T", words(20), "ideal.culture"), ("S1-E", words(10), "obstacles.top_down")])
    qdpx, codes = good(tmp_path), codes_map(tmp_path, TOPDOWN)
    new = Path(shutil.copytree(template, tmp_path / "new"))
    import_qdpx(qdpx, "R2", data_dir=new, codes=codes)
    old_state, new_state = hashes(template), hashes(new)
    outcomes = []
    for step in range(1, 200):
        folder = Path(shutil.copytree(template, tmp_path / f"kill{step}" / "data"))
        ended = _import_killed_at(step, folder, qdpx, codes)
        if ended == 4:
            break
        assert ended == -signal.SIGKILL, f"step {step}: the import ended with {ended}"
        assert main(["validate", str(folder)]) == 0, f"step {step}: {capsys.readouterr()}"
        state = hashes(folder)
        assert state in (old_state, new_state), f"step {step}: a mix of old and new files"
        outcomes.append("new" if state == new_state else "old")
        assert not [p for p in folder.parent.iterdir() if p.name != "data"], f"step {step}: leftovers"
    # The write phase was covered from before its first step to after its last one.
    assert step > 10 and outcomes[0] == "old" and outcomes[-1] == "new", outcomes
    print(f"{step - 1} kill points: {outcomes.count('old')} left the old folder, {outcomes.count('new')} the new one")


def test_a_kill_at_random_moments_of_the_command(data_copy, tmp_path):
    """The real command, killed after a random delay (fixed seed), then validated."""
    old_state = hashes(data_copy)
    new = Path(shutil.copytree(data_copy, tmp_path / "new"))
    assert main(["import-qdpx", str(EXAMPLE), "--round", "R2", "--data", str(new)]) == 0
    new_state = hashes(new)
    rng = random.Random(14)
    start = time.monotonic()
    subprocess.run([*CLI, "import-qdpx", str(EXAMPLE), "--round", "R2", "--data", str(new), "--replace"], check=True)
    duration = time.monotonic() - start
    for _ in range(3):
        folder = Path(shutil.copytree(data_copy, tmp_path / f"k{rng.random()}" / "data"))
        run = subprocess.Popen([*CLI, "import-qdpx", str(EXAMPLE), "--round", "R2", "--data", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.4, 1.0) * duration)
        run.send_signal(signal.SIGKILL)
        run.wait()
        assert main(["validate", str(folder)]) == 0
        assert hashes(folder) in (old_state, new_state)
