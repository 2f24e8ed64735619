"""Start `papo studio` on a bot folder and read its sign-in address; launch options for Debian's chromium.

Shared by the browser tests and benchmarks/studio.py.
"""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

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
