"""Class-ready in a real browser: a lesson renders in JupyterLab, the HTML report shows every figure.

Starts JupyterLab on loopback with a token, opens a lesson in headless Chromium (Debian
package ``chromium``), takes screenshots into ``tests/artifacts/`` and reads the rendered DOM.
The report is opened with Playwright driving the same Chromium: every figure at its natural
width, every link resolving. (``tests/test_ui_lab.py`` runs a student copy's cells.)
Skipped when ``/usr/bin/chromium`` is not installed. Every process started here is stopped
by its process group, also when a test fails.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from samendoen_analysis.paths import NOTEBOOKS_DIR, PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
LESSON = "notebooks/teaching/02_what_spoke_most_means.ipynb"
LESSON_TITLE = "Lesson 2. What"
SERVER_TIMEOUT = 90
BROWSER_TIMEOUT = 120

pytestmark = pytest.mark.skipif(not CHROMIUM.is_file(), reason="/usr/bin/chromium is not installed "
                                "(apt-get install -y chromium); the browser tests need it")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """Stop a process started here, with everything it started, by its process group id."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _chromium(tmp: Path, *args: str) -> str:
    """Run headless Chromium once with a fresh profile; return what it printed on stdout."""
    profile = tmp / f"profile-{secrets.token_hex(4)}"
    profile.mkdir()
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--virtual-time-budget=20000", "--window-size=1280,3000",
        "--hide-scrollbars", *args,
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=BROWSER_TIMEOUT)
    except subprocess.TimeoutExpired:
        _stop(proc)
        pytest.fail(f"chromium did not finish within {BROWSER_TIMEOUT} s: {' '.join(args)}")
    finally:
        _stop(proc)
    return out.decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def browser_tmp(tmp_path_factory) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return tmp_path_factory.mktemp("browser")


@contextmanager
def running_lab(root: Path, home: Path) -> Iterator[tuple[str, str, Path]]:
    """JupyterLab on 127.0.0.1 with a token, serving ``root``, its settings and log under ``home``.

    Yields the base URL, the token and the log file; the server and its kernels are stopped by
    process group afterwards, also when a test fails.
    """
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    env.pop("MPLBACKEND", None)  # kernels would inherit it and record no figure
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "lab.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {proc.returncode}; see {log_path}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer within {SERVER_TIMEOUT} s")
            time.sleep(0.5)
        yield base, token, log_path
    finally:
        _stop(proc)
        log.close()


@pytest.fixture(scope="module")
def lab(browser_tmp):
    """A JupyterLab server rooted at the project, without news or update checks (no network)."""
    home = browser_tmp / "jupyter"
    news = home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false", "checkForUpdates": false}', encoding="utf-8")
    with running_lab(PROJECT_ROOT, home) as (base, token, _):
        yield base, token


def test_lesson_renders_in_jupyterlab(lab, browser_tmp):
    base, token = lab
    url = f"{base}/lab/tree/{LESSON}?token={token}"
    shot = ARTIFACTS / "lesson_02_jupyterlab.png"
    shot.unlink(missing_ok=True)
    _chromium(browser_tmp, f"--screenshot={shot}", url)
    assert shot.is_file() and shot.stat().st_size > 10_000, "no screenshot of the lesson"
    dom = _chromium(browser_tmp, "--dump-dom", url)
    assert "jp-Notebook" in dom, "JupyterLab did not open the notebook"
    assert LESSON_TITLE in dom, "the lesson's title is not rendered"
    assert re.search(r'<img[^>]+src="data:image/png;base64,', dom), "no output image in the rendered notebook"
    assert "Learning goals" in dom


@pytest.fixture(scope="module")
def report(browser_tmp) -> Path:
    from samendoen_analysis.run.reproduce import reproduce

    out = browser_tmp / "results"
    notebooks = [NOTEBOOKS_DIR / "02_codebook.ipynb", NOTEBOOKS_DIR / "07_agreement.ipynb"]
    reproduce(out, {}, jobs=2, notebooks=notebooks, progress=False)
    return out / "report"


FIGURE_SIZES = """() => Array.from(document.images).map(img => ({
  src: img.getAttribute('src'), natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
  room: img.closest('figure').getBoundingClientRect().width, complete: img.complete,
}))"""


def test_report_shows_every_figure_at_natural_size_and_every_link_resolves(report):
    playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (a dev dependency)")
    from samendoen_analysis.run.outputs import all_outputs

    index = report / "index.html"
    figures = sorted((report.parent / "figures").glob("*.png"))
    assert figures, "the run produced no figures"
    shot = ARTIFACTS / "report_index.png"
    shot.unlink(missing_ok=True)
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(index.as_uri(), wait_until="load")
            sizes = page.evaluate(FIGURE_SIZES)
            links = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
            titles = page.eval_on_selector_all("figcaption strong", "els => els.map(e => e.textContent)")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert sorted(Path(s["src"]).name for s in sizes) == [p.name for p in figures], "not every figure is shown"
    for size in sizes:
        assert size["complete"] and size["natural"] > 0, f"the browser could not load {size['src']}"
        # natural width, only scaled down where the page is narrower than the figure (a click enlarges it)
        assert abs(size["shown"] - min(size["natural"], size["room"])) <= 2, size
    declared = {o.name for outputs in all_outputs().values() for o in outputs if o.kind == "figure"}
    assert {Path(s["src"]).stem for s in sizes} <= declared
    assert len(titles) >= len(sizes)
    for link in links:
        if link.startswith("file://"):
            target = Path(urllib.request.url2pathname(link.removeprefix("file://").split("#")[0]))
            assert target.is_file(), f"broken link in the report: {link}"
    assert any(link.endswith("07_agreement.html") for link in links), "no link to the executed notebook"
    assert shot.is_file() and shot.stat().st_size > 10_000
    page_html = (report / "07_agreement.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', page_html)) >= 2, "the notebook lost its figures"
