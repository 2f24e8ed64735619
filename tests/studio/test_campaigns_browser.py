"""The studio's campaigns page in a real browser (Debian's chromium, a phone-sized screen) against a real
`papo serve` on the campaign test bot, real Redis and a fake Graph API on 127.0.0.1: an admin starts a run,
watches its report fill in, pauses and resumes it, and it reaches done; an agent is told the page is not for
her role.

`PAPO_SCREENSHOTS=<folder>` saves screenshots there as the test goes.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from playwright.sync_api import Browser, Page, expect

from runtime.conversations.store import RedisStore
from runtime.engine.state import Conversation
from runtime.keys import ConversationKey
from runtime.service import redis_urls
from tests.connectors.connector_fakes import APP_SECRET, PHONE_NUMBER_ID, FakeGraph
from tests.studio.studio_helpers import PASSWORD, ROOT, Staffed, serving, shot, sign_in

T = TypeVar("T")
BOT = ROOT / "tests" / "service" / "bots" / "campaign"
TOKEN = "campaigns-admin-token-0123456789"
GRANTED = {"marketing": {"granted": True, "at": "2026-01-05T10:00:00+00:00", "source": "consent_node"}}
CLINIC = "America/Sao_Paulo"  # the browser's clock
SIZE = 40  # at 2 starts a second (the copy's limits.per_second): long enough to pause it mid-way


class Loop:
    """An asyncio loop on its own thread, for the fake Graph API and seeding Redis: Playwright's sync API
    holds the test thread's loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(120)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@dataclass
class Served(Staffed):
    graph: FakeGraph = field(default_factory=FakeGraph)

    def templated(self) -> Counter[str]:
        return Counter(c.json["to"] for c in list(self.graph.calls) if c.json.get("type") == "template")

    def wamids(self) -> dict[str, str]:
        """Each templated contact's message id, as the fake Graph API numbered it (`wamid.out<n>`)."""
        return {c.json["to"]: f"wamid.out{n}" for n, c in enumerate(list(self.graph.calls), start=1)
                if c.json.get("type") == "template"}

    def webhook(self, value: dict[str, Any]) -> None:
        """A signed WhatsApp webhook, as Meta posts it."""
        value = {"messaging_product": "whatsapp",
                 "metadata": {"display_phone_number": "5511940000000", "phone_number_id": PHONE_NUMBER_ID}, **value}
        body = json.dumps({"object": "whatsapp_business_account",
                           "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}]})
        digest = hmac.new(APP_SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
        request = urllib.request.Request(self.url + "/webhooks/whatsapp", data=body.encode(), method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "X-Hub-Signature-256": f"sha256={digest}"})
        with urllib.request.urlopen(request, timeout=120) as answer:
            assert answer.status == 200


def _patient(n: int) -> Conversation:
    """Every tenth contact opted out, every tenth (another one) never opted in to marketing."""
    return Conversation(started_at="2026-01-05T10:00:00+00:00", last_inbound_at="2026-01-05T10:00:00+00:00",
                        vars={"labels": ["paciente"], "nome": f"Paciente {n}"},
                        consents={} if n % 10 == 7 else dict(GRANTED),
                        opted_out_at="2026-02-01T10:00:00+00:00" if n % 10 == 3 else None)


def _user(n: int) -> str:
    return f"55119{n:08d}"


async def _seed(redis_url: str, prefix: str) -> None:
    client = redis_urls.connect(redis_url)
    store = RedisStore(client, prefix=prefix)
    for n in range(SIZE):
        await store.commit(ConversationKey("campaign", "whatsapp", _user(n)), _patient(n), [], expected_version=0)
    await client.aclose()


async def _start_graph(fake: FakeGraph) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(fake.app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


@pytest.fixture
def served(tmp_path: Path, redis_url: str, redis_prefix: str) -> Iterator[Served]:
    botdir = tmp_path / "campaign"
    shutil.copytree(BOT, botdir)
    definitions = json.loads((botdir / "campaigns.json").read_text())
    definitions["limits"]["per_second"] = 2
    (botdir / "campaigns.json").write_text(json.dumps(definitions))
    loop = Loop()
    fake = loop.run(_make_graph())
    graph_runner, graph_url = loop.run(_start_graph(fake))
    loop.run(_seed(redis_url, redis_prefix))
    env = {"GRAPH_BASE_URL": graph_url, "WHATSAPP_TOKEN": "wa-token", "WHATSAPP_APP_SECRET": APP_SECRET,
           "WHATSAPP_VERIFY_TOKEN": "verify-me", "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID}
    try:
        with serving(botdir, tmp_path / "serve.log", redis_url=redis_url, prefix=redis_prefix, token=TOKEN, env=env,
                     agents=("ana",)) as staffed:
            yield Served(staffed.url, staffed.token, fake)
    finally:
        loop.run(graph_runner.cleanup())
        loop.close()


async def _make_graph() -> FakeGraph:
    return FakeGraph()  # made on the loop that serves it


def open_page(browser: Browser, served: Served, name: str) -> Page:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US",  # a phone
                                  timezone_id=CLINIC)
    context.add_init_script("localStorage.setItem('papo-studio-lang', 'en')")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "Run now" asks first
    return sign_in(page, served.url + "/studio/#/campaigns", name, me="campaigns-me", titled="Campaigns")


def number(page: Page, run: str, what: str) -> int:
    return int(page.locator(f"[data-testid=run][data-run='{run}'] [data-testid=report-{what}]").inner_text())


def test_an_admin_runs_pauses_and_resumes_a_campaign_on_a_phone(browser: Browser, served: Served) -> None:
    page = open_page(browser, served, "chefe")
    card = page.locator("[data-testid=campaign][data-name=limpeza]")
    expect(card.locator("[data-testid=campaign-template]")).to_have_text("oferta_limpeza")
    expect(card).to_contain_text("marketing")
    expect(page.locator("[data-testid=campaign][data-name=sentinela]")).to_contain_text("utility")
    expect(page.locator("[data-testid=run]")).to_have_count(0)

    card.locator("[data-testid=run-now]").click()
    expect(page.locator("[data-testid=campaigns-note]")).to_contain_text(f"{SIZE} contacts")
    [listed] = served.call("GET", "/admin/campaigns")["runs"]
    run_id = listed["id"]
    run = page.locator(f"[data-testid=run][data-run='{run_id}']")
    expect(run).to_have_attribute("data-status", "running")
    expect(run.locator("[data-testid=report-audience]")).to_have_text(str(SIZE))
    expect(run.locator("[data-testid=report-sent]")).not_to_have_text("0")  # the page asks again by itself
    shot(page, "campaigns-running.png", full_page=True)

    run.locator("[data-testid=run-pause]").click()
    expect(run).to_have_attribute("data-status", "paused")
    expect(run.locator("[data-testid=run-status]")).to_have_text("paused")
    assert served.call("GET", f"/admin/campaigns/runs/{run_id}")["status"] == "paused"
    expect(run.locator("[data-testid=run-pause]")).to_have_count(0)
    held = number(page, run_id, "sent")
    assert 0 < held < SIZE
    shot(page, "campaigns-paused.png", full_page=True)

    run.locator("[data-testid=run-resume]").click()
    expect(run).to_have_attribute("data-status", "running")
    expect(run).to_have_attribute("data-status", "done", timeout=120_000)
    wanted = {_user(n) for n in range(SIZE) if n % 10 not in (3, 7)}
    expect(run.locator("[data-testid=report-sent]")).to_have_text(str(len(wanted)))
    expect(run.locator("[data-testid=report-skipped]")).to_have_text(str(SIZE - len(wanted)))
    expect(run.locator("[data-testid=report-reasons]")).to_contain_text("no_consent 4")
    expect(run.locator("[data-testid=report-reasons]")).to_contain_text("opted_out 4")
    expect(run.locator("[data-testid=run-progress]")).to_have_text(f"{SIZE} of {SIZE}")
    expect(run.locator("[data-testid=run-cancel]")).to_have_count(0)  # a done run is over
    report = served.call("GET", f"/admin/campaigns/runs/{run_id}")
    assert report["sent"] == len(wanted) and report["skipped"] == {"no_consent": 4, "opted_out": 4}
    shot(page, "campaigns-done.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    shot(page, "campaigns-done.png", full_page=True)

    deadline = time.monotonic() + 60  # the sender works after the runner: a guard against a hang
    while set(served.templated()) < wanted and time.monotonic() < deadline:
        time.sleep(0.2)
    counted = served.templated()
    assert set(counted) == wanted and set(counted.values()) == {1}  # each wanted contact once, nobody else

    # after the run: the phones report deliveries and reads, a patient answers the template's question
    first, second, third = sorted(wanted)[:3]
    ids, now = served.wamids(), int(time.time())
    served.webhook({"statuses": [{"id": ids[user], "status": status, "timestamp": str(now), "recipient_id": user}
                                 for user, status in ((first, "read"), (second, "read"), (third, "delivered"))]})
    served.webhook({"contacts": [{"profile": {"name": "Paciente"}, "wa_id": third}],
                    "messages": [{"from": third, "id": "wamid.in1", "timestamp": str(now), "type": "text",
                                  "text": {"body": "sim"}}]})

    def settled() -> bool:
        got = served.call("GET", f"/admin/campaigns/runs/{run_id}")
        return bool(got["delivered"] == 3 and got["read"] == 2 and got["replied"] == 1)
    deadline = time.monotonic() + 60  # the worker takes the webhook's events in turn: a guard against a hang
    while not settled() and time.monotonic() < deadline:
        time.sleep(0.2)
    page.click("[data-testid=refresh]")  # a done run is not polled every few seconds
    expect(run.locator("[data-testid=report-delivered]")).to_have_text("3")
    expect(run.locator("[data-testid=report-read]")).to_have_text("2")
    expect(run.locator("[data-testid=report-replied]")).to_have_text("1")
    shot(page, "campaigns-report.png", full_page=True)

    # another admin cancels a paused run the page still shows paused: the page's Resume is refused, clearly
    other = served.call("POST", "/admin/campaigns/sentinela/runs", {"paused": True})["id"]
    page.click("[data-testid=refresh]")
    stale = page.locator(f"[data-testid=run][data-run='{other}']")
    expect(stale).to_have_attribute("data-status", "paused")
    served.call("POST", f"/admin/campaigns/runs/{other}/cancel")
    stale.locator("[data-testid=run-resume]").click()
    expect(page.locator("[data-testid=campaigns-refused]")).to_contain_text("is cancelled")
    expect(stale).to_have_attribute("data-status", "cancelled")  # and the page shows what the server has
    expect(stale.locator("button")).to_have_count(0)
    assert not getattr(page, "papo_errors"), getattr(page, "papo_errors")  # noqa: B009
    page.context.close()


def test_an_admin_schedules_a_run_for_tomorrow_and_cancels_it(browser: Browser, served: Served) -> None:
    page = open_page(browser, served, "chefe")
    card = page.locator("[data-testid=campaign][data-name=limpeza]")
    card.locator("[data-testid=run-later]").click()
    expect(card.locator("[data-testid=run-schedule]")).to_be_disabled()  # no time yet
    tomorrow = (datetime.now(ZoneInfo(CLINIC)) + timedelta(days=1)).strftime("%Y-%m-%dT09:00")
    card.locator("[data-testid=run-at]").fill(tomorrow)
    card.locator("[data-testid=run-schedule]").click()
    expect(page.locator("[data-testid=campaigns-note]")).to_contain_text(f"{SIZE} contacts")
    [listed] = served.call("GET", "/admin/campaigns")["runs"]
    assert listed["not_before"] == f"{tomorrow}:00-03:00"  # the browser's clock, with its offset
    run = page.locator(f"[data-testid=run][data-run='{listed['id']}']")
    expect(run).to_contain_text("starts at")
    expect(run).to_have_attribute("data-status", "running")  # waiting for its time

    run.locator("[data-testid=run-cancel]").click()  # asks first (accepted)
    expect(run).to_have_attribute("data-status", "cancelled")
    expect(run.locator("button")).to_have_count(0)
    assert served.call("GET", f"/admin/campaigns/runs/{listed['id']}")["status"] == "cancelled"
    assert served.templated() == Counter()  # nobody was written to
    assert not getattr(page, "papo_errors"), getattr(page, "papo_errors")  # noqa: B009
    page.context.close()


def test_an_agent_is_told_campaigns_need_an_admin(browser: Browser, served: Served) -> None:
    page = open_page(browser, served, "ana")
    denied = page.locator("[data-testid=campaigns-forbidden]")
    expect(denied).to_contain_text("need an admin account")
    expect(denied).to_contain_text("ana (agent)")
    expect(page.locator("[data-testid=campaign]")).to_have_count(0)
    page.select_option("[data-testid=lang]", "pt-BR")  # the studio's language menu
    expect(denied).to_contain_text("Campanhas exigem uma conta de administrador")
    expect(page.locator("header nav a[href='#/campaigns']")).to_have_text("Campanhas")
    with pytest.raises(urllib.error.HTTPError) as refused:  # what the page spares her: the server says 403
        served.call("GET", "/admin/campaigns", token=served.call("POST", "/admin/login",
                                                                   {"name": "ana", "password": PASSWORD},
                                                                   token=None)["token"])
    assert refused.value.code == 403
    assert not getattr(page, "papo_errors"), getattr(page, "papo_errors")  # noqa: B009
    page.context.close()
