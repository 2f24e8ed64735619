"""The staff inbox in a real browser (Debian's chromium) against a real `papo serve` on the clinic and real
Redis: patients talk over the web (REST) channel, two agents work the queue.

`PAPO_SCREENSHOTS=<folder>` saves the README's screenshots there as the test goes.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.studio.studio_helpers import ROOT, Staffed, serving, shot, sign_in

TOKEN = "inbox-admin-token-0123456789"


class Served(Staffed):
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


@pytest.fixture
def served(tmp_path: Path, redis_url: str, redis_prefix: str) -> Iterator[Served]:
    botdir = tmp_path / "clinic"
    shutil.copytree(ROOT / "examples" / "clinic", botdir)
    with serving(botdir, tmp_path / "serve.log", redis_url=redis_url, prefix=redis_prefix, token=TOKEN, env={},
                 agents=("ana", "beto")) as staffed:
        yield Served(staffed.url, staffed.token)


def agent(browser: Browser, served: Served, name: str, *, phone: bool = False) -> Page:
    size = {"width": 390, "height": 844} if phone else {"width": 1400, "height": 900}
    context = browser.new_context(viewport=size, locale="en-US")
    context.add_init_script("localStorage.setItem('papo-studio-lang', 'en')")
    return sign_in(context.new_page(), served.url + "/studio/#/inbox", name, me="inbox-me")


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
    marks: list[str] = []  # the open conversation is marked read when it changes, not on its own mark
    ana.on("request", lambda r: marks.append(r.url) if r.method == "POST" and r.url.endswith("/read") else None)
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
    assert len(marks) < 20, f"{len(marks)} marks as read: a view and its own marks feed each other"
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
