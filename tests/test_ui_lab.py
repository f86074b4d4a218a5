"""A student can work: JupyterLab opens a student copy, the kernel connects, a self-check answers.

Playwright (the pip package) drives Debian's Chromium (``/usr/bin/chromium``; Playwright cannot
download a browser here), the way JupyterLab's own Galata tests drive the UI: open the first
lesson's student copy, type an answer into the first exercise, run every cell from the menu and
wait for the first self-check's verdict. A screenshot of a kernel stuck at "Connecting" proves
nothing; a verdict printed by the kernel proves that it runs.

The student copy is served from a temporary folder (autosave off too), so the test never
changes the committed copy. Skipped without Chromium or Playwright.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from samendoen_analysis.paths import NOTEBOOKS_DIR
from tests.test_browser import ARTIFACTS, CHROMIUM, running_lab

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (a dev dependency)")

STUDENT_COPY = NOTEBOOKS_DIR / "teaching" / "student" / "01_from_interview_to_codes.ipynb"
EXERCISE = "# YOUR ANSWER HERE\nraise NotImplementedError()"
WRONG_ANSWER = "answer_1 = (0, 0)"
VERDICT_TIMEOUT_MS = 180_000

pytestmark = pytest.mark.skipif(not CHROMIUM.is_file(), reason="/usr/bin/chromium is not installed "
                                "(apt-get install -y chromium); the UI test needs it")


def _settings(home: Path) -> None:
    """No news or update checks (no network), no autosave (the served copy stays as it was)."""
    for plugin, text in (("apputils-extension/notification", '{"fetchNews": "false", "checkForUpdates": false}'),
                         ("docmanager-extension/plugin", '{"autosave": false}')):
        path = home / "settings" / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def lab_with_student_copy(tmp_path_factory):
    """JupyterLab on loopback serving a temporary folder that holds a copy of the first student copy."""
    root = tmp_path_factory.mktemp("class")
    shutil.copy(STUDENT_COPY, root / STUDENT_COPY.name)
    home = tmp_path_factory.mktemp("jupyter")
    _settings(home)
    with running_lab(root, home) as (base, token, log_path):
        yield base, token, root, log_path


def test_student_runs_the_first_lesson_and_gets_a_self_check(lab_with_student_copy):
    base, token, root, log_path = lab_with_student_copy
    served = root / STUDENT_COPY.name
    before = served.read_bytes()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "student_copy_01_jupyterlab.png"
    shot.unlink(missing_ok=True)
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-quic"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(f"{base}/lab/tree/{STUDENT_COPY.name}?token={token}", wait_until="domcontentloaded")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=VERDICT_TIMEOUT_MS)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=VERDICT_TIMEOUT_MS)
            exercise = page.locator(".jp-CodeCell").filter(has_text="YOUR ANSWER HERE").first
            exercise.locator(".cm-content").click()
            page.keyboard.press("Control+A")
            page.keyboard.type(WRONG_ANSWER)
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            verdict = page.locator(".jp-OutputArea-output").filter(has_text="Not yet right").first
            verdict.wait_for(timeout=VERDICT_TIMEOUT_MS)
            text = verdict.text_content() or ""
            verdict.scroll_into_view_if_needed()
            page.screenshot(path=str(shot), full_page=False)
        finally:
            browser.close()
    from samendoen_analysis.teaching.checks import CHECKS

    assert CHECKS["segments_and_respondents"].what in text, text  # the first exercise's own check
    assert "kernel_ws_protocol" not in log_path.read_text(encoding="utf-8", errors="replace")
    assert served.read_bytes() == before, "the served student copy was changed"
    assert shot.is_file()
