"""Browser tests of the studio: a real `papo studio` on a copy of the clinic, driven through Debian's chromium.

Playwright never downloads a browser here: it launches /usr/bin/chromium (installed by `.ci/run`). A missing
browser or a missing front-end build fails the run with what to do; these tests are never skipped.
"""

from __future__ import annotations

import os
import re
import selectors
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
STATIC = ROOT / "runtime" / "studio_static" / "index.html"
# The test chat trains the clinic's NLU on its first message: give the page time on a shared machine.
expect.set_options(timeout=60_000)
URL = re.compile(r"http://127\.0\.0\.1:\d+/studio/\?token=\S+")


@dataclass
class Studio:
    url: str  # the one-time sign-in address
    botdir: Path
    process: subprocess.Popen[str]


def start_studio(botdir: Path) -> Studio:
    """Run `papo studio BOTDIR --port 0` and read the sign-in address it prints."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    env.pop("REDIS_URL", None)  # the studio runs on its embedded store
    proc = subprocess.Popen([sys.executable, "-m", "runtime.cli.main", "studio", str(botdir), "--port", "0"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    seen: list[str] = []
    deadline = time.monotonic() + 120  # a start-up guard on a busy machine, not a speed assertion
    while time.monotonic() < deadline:
        if not sel.select(timeout=1):
            if proc.poll() is not None:
                break
            continue
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        found = URL.search(line)
        if found:
            return Studio(found.group(0), botdir, proc)
    proc.kill()
    proc.wait()
    proc.stdout.close()
    raise RuntimeError("papo studio did not print its address:\n" + "".join(seen))


def stop_studio(studio: Studio) -> None:
    studio.process.terminate()
    try:
        studio.process.wait(10)
    except subprocess.TimeoutExpired:
        studio.process.kill()
        studio.process.wait()
    if studio.process.stdout is not None:
        studio.process.stdout.close()


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"the studio's browser tests need Debian's chromium at {CHROMIUM}: "
                    "apt-get install -y chromium fonts-noto-color-emoji (bash .ci/run does it as root)")
    if not STATIC.exists():
        pytest.fail(f"the studio's front end is not built ({STATIC.relative_to(ROOT)} is missing): run make studio")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    b = playwright_session.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    """A copy of examples/clinic, byte for byte."""
    dest = tmp_path / "clinic"
    shutil.copytree(ROOT / "examples" / "clinic", dest)
    return dest


@pytest.fixture
def studio(clinic: Path) -> Iterator[Studio]:
    s = start_studio(clinic)
    yield s
    stop_studio(s)


@pytest.fixture
def page(browser: Browser, studio: Studio) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1500, "height": 950}, locale="en-US")
    context.add_init_script("localStorage.setItem('papo-studio-lang', 'en')")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.set_default_timeout(30_000)
    pg.goto(studio.url)
    pg.wait_for_selector("[data-testid=home]")
    yield pg
    context.close()
    assert not errors, f"the page threw: {errors}"
