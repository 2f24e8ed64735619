"""Browser tests of the studio: a real `papo studio` on a copy of the clinic, driven through Debian's chromium.

Playwright never downloads a browser here: it launches /usr/bin/chromium (installed by `.ci/run`). A missing
browser or a missing front-end build fails the run with what to do; these tests are never skipped.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests.studio.studio_helpers import CHROMIUM, CHROMIUM_ARGS, ROOT, STATIC, Studio, start_studio, stop_studio

# The test chat trains the clinic's NLU on its first message: give the page time on a shared machine.
expect.set_options(timeout=60_000)


# Module scope: Playwright's sync API keeps an asyncio loop running while it is open, which the asyncio
# tests of later modules must not find.
@pytest.fixture(scope="module")
def playwright_session() -> Iterator[Playwright]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"the studio's browser tests need Debian's chromium at {CHROMIUM}: "
                    "apt-get install -y chromium fonts-noto-color-emoji (bash .ci/run does it as root)")
    if not STATIC.exists():
        pytest.fail(f"the studio's front end is not built ({STATIC.relative_to(ROOT)} is missing): run make studio")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
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
