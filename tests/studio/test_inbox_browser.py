"""The staff inbox in a real browser (Debian's chromium) against a real `papo serve` on the clinic and real
Redis: patients talk over the web (REST) channel, two agents work the queue.

`PAPO_SCREENSHOTS=<folder>` saves the README's screenshots there as the test goes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from playwright.sync_api import Browser, Page, expect

from tests.studio.studio_helpers import ROOT

TOKEN = "inbox-admin-token-0123456789"
PASSWORD = "a-long-password-for-tests"


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    token: str = TOKEN  # the admin token until the first admin account exists; then that admin's

    def call(self, method: str, path: str, body: Any = None, *, token: str | None = "") -> Any:
        token = self.token if token == "" else token
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=120) as answer:
            return json.loads(answer.read() or b"null")

    def say(self, user: str, text: str) -> list[dict[str, Any]]:
        replies: list[dict[str, Any]] = self.call("POST", "/webhooks/rest/webhook", {"sender": user, "message": text},
                                                  token=None)
        return replies

    def pending(self, user: str) -> list[dict[str, Any]]:
        replies: list[dict[str, Any]] = self.call("GET", f"/webhooks/web/pending?sender={user}", token=None)
        return replies

    def to_staff(self, user: str, name: str) -> None:
        self.say(user, "oi")
        self.say(user, name)
        self.say(user, "quero falar com atendente")
        self.say(user, "sim")


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path, redis_url: str, redis_prefix: str) -> Iterator[Served]:
    botdir = tmp_path / "clinic"
    shutil.copytree(ROOT / "examples" / "clinic", botdir)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPO_", "WHATSAPP_", "REDIS_"))}
    env |= {"PYTHONPATH": str(ROOT), "REDIS_URL": redis_url, "PAPO_KEY_PREFIX": redis_prefix,
            "PAPO_ADMIN_TOKEN": TOKEN, "PAPO_BLOCK_MS": "50", "PAPO_PACING_PER_USER_S": "0"}
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "runtime.cli.main", "serve", str(botdir), "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Served(f"http://127.0.0.1:{port}", proc)
    deadline = time.monotonic() + 120  # a start-up guard on a busy machine, not a speed assertion
    while time.monotonic() < deadline:
        try:
            server.call("GET", "/readyz", token=None)
            break
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    else:
        proc.kill()
    if proc.poll() is not None:
        log.close()
        pytest.fail("papo serve did not start:\n" + (tmp_path / "serve.log").read_text(errors="replace"))
    server.call("POST", "/admin/users", {"name": "chefe", "role": "admin", "password": PASSWORD})
    server.token = server.call("POST", "/admin/login", {"name": "chefe", "password": PASSWORD}, token=None)["token"]
    for name in ("ana", "beto"):
        server.call("POST", "/admin/users", {"name": name, "role": "agent", "password": PASSWORD})
    yield server
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{redis_prefix}*", count=1000):
        client.delete(key)
    client.close()


def agent(browser: Browser, served: Served, name: str, *, phone: bool = False) -> Page:
    size = {"width": 390, "height": 844} if phone else {"width": 1400, "height": 900}
    context = browser.new_context(viewport=size, locale="en-US")
    context.add_init_script("localStorage.setItem('papo-studio-lang', 'en')")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text
            else None)  # (401s before signing in are expected; React reports a crash here)
    page.set_default_timeout(60_000)
    page.goto(served.url + "/studio/#/inbox")
    form = page.locator("[data-testid=inbox-signin]")
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=inbox-me]")).to_contain_text(name)
    setattr(page, "papo_errors", errors)  # noqa: B010 (read back after the test)
    return page


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("PAPO_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name))


def until(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + 60  # a guard against a hang, not a speed assertion
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.2)
    raise AssertionError(f"never happened: {what}")


def item(page: Page, user: str) -> Any:
    return page.locator(f"[data-testid=queue-item][data-user={user}]")


def test_an_agent_answers_a_patient_and_hands_back_to_the_bot(browser: Browser, served: Served) -> None:
    ana = agent(browser, served, "ana")
    beto = agent(browser, served, "beto")
    served.to_staff("lia-web", "Lia")
    served.say("lia-web", "meu filho está com febre desde ontem")
    waiting = item(ana, "lia-web")
    expect(waiting).to_be_visible()  # live: no reload
    expect(waiting.locator(".queue-name")).to_have_text("Lia")
    expect(waiting.locator("[data-testid=queue-last]")).to_have_text("meu filho está com febre desde ontem")
    [listed] = served.call("GET", "/admin/inbox")["conversations"]
    since = listed["since_local"]
    assert since.endswith("-03:00")  # the clinic's zone, America/Sao_Paulo
    expect(waiting.locator("[data-testid=queue-since]")).to_contain_text(since[11:16])
    expect(waiting.locator("[data-testid=unread]")).to_have_text("1")
    shot(ana, "inbox-queue.png")

    waiting.click()
    transcript = ana.locator("[data-testid=transcript]")
    expect(transcript).to_contain_text("meu filho está com febre desde ontem")  # sent during the handoff
    expect(transcript).to_contain_text("Já avisei a recepção")
    expect(ana.locator("[data-testid=profile-name]")).to_have_text("Lia")
    ana.click("[data-testid=assign-me]")
    expect(item(beto, "lia-web").locator("[data-testid=queue-assignee]")).to_contain_text("ana")  # the second agent

    ana.locator("[data-testid=quick-replies] [data-quick=saudacao]").click()
    expect(transcript.locator("[data-testid=line-out]").last).to_contain_text("Olá, Lia!")
    got = until(lambda: served.pending("lia-web"), "the patient's page gets the staff reply")
    assert got[0]["text"].startswith("Olá, Lia! Aqui é da recepção")

    url = "https://clinica.example/orientacoes-febre.pdf"  # a file by its address, the text box its caption
    ana.once("dialog", lambda dialog: dialog.accept(url))
    ana.fill("[data-testid=composer]", "Orientações para febre")
    ana.locator("[data-testid=quick-replies] [data-testid=send-file]").click()
    sent = until(lambda: served.pending("lia-web"), "the patient's page gets the file")
    assert sent[0]["attachment"] == url and sent[0]["text"] == "Orientações para febre"

    ana.click("[data-testid=mode-note]")
    ana.fill("[data-testid=composer]", "mãe ansiosa, ligar se piorar")
    ana.click("[data-testid=send]")
    expect(transcript.locator("[data-testid=line-note]")).to_contain_text("mãe ansiosa, ligar se piorar")
    ana.fill("[data-testid=label-input]", "pediatria")
    ana.click("[data-testid=label-add]")
    expect(ana.locator("[data-testid=profile-labels]")).to_contain_text("pediatria")
    expect(item(beto, "lia-web")).to_contain_text("pediatria")
    shot(ana, "inbox-conversation.png")
    assert "mãe ansiosa" not in json.dumps(served.pending("lia-web"), ensure_ascii=False)  # notes are never sent

    ana.select_option("[data-testid=handback-flow]", "horarios")
    ana.click("[data-testid=handback]")
    expect(item(ana, "lia-web")).to_have_count(0)
    hours = until(lambda: served.pending("lia-web"), "the bot answers at the chosen flow")
    assert "segunda a sexta" in json.dumps(hours, ensure_ascii=False)
    menu = served.say("lia-web", "menu")  # the patient goes on with the bot
    assert any(r.get("buttons") for r in menu)
    for page in (ana, beto):
        assert not getattr(page, "papo_errors"), getattr(page, "papo_errors")  # noqa: B009
        page.context.close()


def test_an_urgent_message_jumps_the_queue_on_a_phone(browser: Browser, served: Served) -> None:
    ana = agent(browser, served, "ana", phone=True)
    served.to_staff("calmo", "Bia")
    expect(item(ana, "calmo")).to_be_visible()
    served.to_staff("aflito", "Caio")
    first = ana.locator("[data-testid=queue-item]").first
    expect(first).to_have_attribute("data-user", "calmo")  # oldest first
    served.say("aflito", "meu filho vomitou a noite toda, é urgente")
    expect(first).to_have_attribute("data-user", "aflito")
    expect(first).to_have_attribute("data-urgent", "1")
    shot(ana, "inbox-phone.png")
    first.click()
    expect(ana.locator("[data-testid=transcript]")).to_contain_text("vomitou a noite toda")
    expect(ana.locator("[data-testid=queue]")).to_be_hidden()  # one pane at a time on a phone
    assert not getattr(ana, "papo_errors"), getattr(ana, "papo_errors")  # noqa: B009
    ana.context.close()
