"""Start `papo studio` on a bot folder and read its sign-in address; launch options for Debian's chromium.

Shared by the browser tests and benchmarks/studio.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import selectors
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
STATIC = ROOT / "runtime" / "studio_static" / "index.html"
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


# -- `papo serve` with staff signing in, for the inbox and campaigns pages ---------------------------------

PASSWORD = "a-long-password-for-tests"


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Staffed:
    """A running `papo serve` and the token of its admin (the bootstrap token until the first account)."""

    url: str
    token: str

    def call(self, method: str, path: str, body: Any = None, *, token: str | None = "") -> Any:
        token = self.token if token == "" else token
        request = urllib.request.Request(self.url + path, data=None if body is None else json.dumps(body).encode(),
                                         method=method, headers={"Content-Type": "application/json"})
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=120) as answer:
            return json.loads(answer.read() or b"null")


@contextlib.contextmanager
def serving(botdir: Path, log_path: Path, *, redis_url: str, prefix: str, token: str, env: dict[str, str],
            agents: tuple[str, ...]) -> Iterator[Staffed]:
    """`papo serve` on `botdir` until its /readyz answers, with an admin `chefe` signed in and `agents`
    made; stopped, and the test's keys deleted, afterwards."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PAPO_", "WHATSAPP_", "REDIS_"))}
    environ |= {"PYTHONPATH": str(ROOT), "REDIS_URL": redis_url, "PAPO_KEY_PREFIX": prefix, "PAPO_ADMIN_TOKEN": token,
                "PAPO_BLOCK_MS": "50", "PAPO_PACING_PER_USER_S": "0", **env}
    log = log_path.open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "runtime.cli.main", "serve", str(botdir), "--port", str(port)],
                            cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT)
    server = Staffed(f"http://127.0.0.1:{port}", token)
    try:
        deadline = time.monotonic() + 120  # a start-up guard on a busy machine, not a speed assertion
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                server.call("GET", "/readyz", token=None)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        if proc.poll() is not None or time.monotonic() >= deadline:
            raise AssertionError("papo serve did not start:\n" + log_path.read_text(errors="replace"))
        server.call("POST", "/admin/users", {"name": "chefe", "role": "admin", "password": PASSWORD})
        server.token = server.call("POST", "/admin/login", {"name": "chefe", "password": PASSWORD}, token=None)["token"]
        for name in agents:
            server.call("POST", "/admin/users", {"name": name, "role": "agent", "password": PASSWORD})
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            client.delete(key)
        client.close()


def sign_in(page: Page, url: str, name: str, *, me: str, titled: str | None = None) -> Page:
    """Open a page of the studio's staff app at `url`, sign `name` in (on a form `titled` so), and wait for
    `me` to show it; the page's errors are kept in `page.papo_errors` (401s before signing in are expected)."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text
            else None)  # React reports a crash here
    page.set_default_timeout(60_000)
    page.goto(url)
    form = page.locator("[data-testid=inbox-signin]")
    if titled is not None:
        expect(form).to_contain_text(titled)
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page.locator(f"[data-testid={me}]")).to_contain_text(name)
    setattr(page, "papo_errors", errors)  # noqa: B010 (read back after the test)
    return page


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    """With PAPO_SCREENSHOTS=<folder>, a screenshot of the page there."""
    folder = os.environ.get("PAPO_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=full_page)
