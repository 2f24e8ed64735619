"""Retention on a virtual clock, one test per data class: kept the day before its period ends,
removed (or anonymised) the day after, by the sweeper the timers process runs (bot.json
`retention`, defaults in README "Privacy and LGPD")."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from flows.loader import load_bot
from flows.messages import DeliveryStatus
from runtime.cli.privacy import retention as retention_cli
from runtime.engine.clock import ManualClock
from runtime.keys import ConversationKey, Keys
from runtime.llm.ledger import Ledger
from runtime.privacy import PrivacyRequests, Sweeper
from runtime.service.delivery import DeliveryBook
from runtime.service.harness import BotHarness
from runtime.service.settings import Settings

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
START = datetime.fromisoformat("2026-03-02T12:00:00+00:00")
DAY = timedelta(days=1)


@pytest.fixture
async def clinic(client: aioredis.Redis, redis_prefix: str) -> AsyncIterator[BotHarness]:
    h = await BotHarness.open(CLINIC, client=client, prefix=redis_prefix, clock=ManualClock(START),
                              channel="whatsapp", user="5511987650000")
    await h.say("oi")
    await h.say("Carla")
    yield h
    await h.aclose()


def sweeper(h: BotHarness) -> Sweeper:
    return Sweeper(h.store.client, prefix=h.store.keys.prefix, bot=h.library.name,
                   retention=h.library.current.retention)


async def sweep_at(h: BotHarness, at: datetime) -> None:
    await sweeper(h).run(at)


async def test_an_idle_conversation_is_forgotten_after_90_days(clinic: BotHarness) -> None:
    await sweep_at(clinic, START + 89 * DAY)
    assert await clinic.state() is not None
    await sweep_at(clinic, START + 91 * DAY)
    assert await clinic.state() is None


async def test_empty_inbox_and_outbox_streams_go_with_their_state(clinic: BotHarness) -> None:
    keys, client = clinic.store.keys, clinic.store.client
    assert await client.exists(keys.inbox(clinic.key), keys.outbox(clinic.key)) == 2  # empty, kept by Redis
    await sweep_at(clinic, START + 91 * DAY)
    assert await client.exists(keys.inbox(clinic.key), keys.outbox(clinic.key)) == 0
    other = ConversationKey(clinic.key.bot, "whatsapp", "5511900000009")  # its state expired by its TTL...
    await client.xadd(keys.inbox(other), {"e": "{}"})  # ...while an event waits: it stays
    await sweep_at(clinic, START + 92 * DAY)
    assert await client.xlen(keys.inbox(other)) == 1


async def test_llm_history_and_decisions_go_after_30_quiet_days(clinic: BotHarness) -> None:
    keys, client = clinic.store.keys, clinic.store.client
    conversation = f"{clinic.key.channel}:{clinic.key.user}"
    await Ledger(client, prefix=keys.prefix, bot=clinic.library.name).remember(conversation, "[dado] ok?", "Sim.", 6)
    await client.lpush(keys.decisions(clinic.key), json.dumps({"at": START.isoformat(), "kind": "faq"}))
    await sweep_at(clinic, START + 29 * DAY)
    assert await client.exists(keys.llm_history(clinic.library.name, conversation), keys.decisions(clinic.key)) == 2
    await sweep_at(clinic, START + 31 * DAY)
    assert await client.exists(keys.llm_history(clinic.library.name, conversation), keys.decisions(clinic.key)) == 0
    assert await clinic.state() is not None  # the state itself waits for its own period


async def test_delivery_records_go_after_90_days(clinic: BotHarness) -> None:
    client, keys = clinic.store.client, clinic.store.keys
    book = DeliveryBook(client, prefix=keys.prefix)
    await book.accepted(clinic.key, channel_id="wamid.out1", papo_id="m1", at=START.isoformat())
    await book.apply(clinic.key, DeliveryStatus("whatsapp", clinic.key.user, "wamid.out1", "read", START + DAY))
    await book.refused(clinic.key, papo_id="m2", error=RuntimeError("window"), at=START.isoformat())
    await sweep_at(clinic, START + 90 * DAY)
    assert await book.record(clinic.key, "wamid.out1") and await book.failures(clinic.key)
    await sweep_at(clinic, START + 92 * DAY)
    assert await book.record(clinic.key, "wamid.out1") == {} and await book.papo_id(clinic.key, "wamid.out1") is None
    assert await book.failures(clinic.key) == {}


async def test_dedupe_markers_go_after_7_days(clinic: BotHarness) -> None:
    client, keys = clinic.store.client, clinic.store.keys
    pattern = keys.seen(clinic.key, "*")
    assert [k async for k in client.scan_iter(match=pattern)]
    await sweep_at(clinic, START + 6 * DAY)
    assert [k async for k in client.scan_iter(match=pattern)]
    await sweep_at(clinic, START + 8 * DAY)
    assert [k async for k in client.scan_iter(match=pattern)] == []


async def test_an_appointment_loses_its_patient_a_year_after_its_slot(clinic: BotHarness) -> None:
    await clinic.say("6")
    await clinic.say("clinica geral")
    await clinic.say("1")
    await clinic.say("sim")
    scheduler = clinic.processor.services.scheduler
    assert scheduler is not None
    [appt] = await scheduler.appointments_of(f"whatsapp:{clinic.key.user}")
    await sweep_at(clinic, appt.slot.end + 364 * DAY)
    assert await scheduler.appointments_of(f"whatsapp:{clinic.key.user}")
    await sweep_at(clinic, appt.slot.end + 366 * DAY)
    assert await scheduler.appointments_of(f"whatsapp:{clinic.key.user}") == []
    raw = await clinic.store.client.hgetall(Keys(clinic.store.keys.prefix).calendar(clinic.library.name).appts)
    [kept] = [json.loads(v) for v in raw.values()]
    assert kept["patient"] == "" and kept["details"] == {} and kept["service"] == appt.slot.service
    assert kept["id"] != appt.id and kept["status"] == "booked"


async def test_consent_entries_are_kept_5_years(clinic: BotHarness) -> None:
    await clinic.say("PARAR")
    ledger = clinic.store.keys.consents(clinic.key)
    assert await clinic.store.client.xlen(ledger) == 2  # marketing and reminders, revoked
    five_years = 1825 * DAY
    await sweep_at(clinic, START + five_years - DAY)
    assert await clinic.store.client.xlen(ledger) == 2
    await sweep_at(clinic, START + five_years + DAY)
    assert await clinic.store.client.xlen(ledger) == 0


async def test_closed_requests_are_kept_5_years(clinic: BotHarness) -> None:
    await clinic.say("apagar meus dados")
    book = PrivacyRequests(clinic.store.client, prefix=clinic.store.keys.prefix, bot=clinic.library.name)
    [request] = await book.all()
    await sweep_at(clinic, START + 3000 * DAY)
    assert len(await book.all()) == 1  # an open request is never swept: staff must answer it
    await book.close(request["id"], at=START + DAY)
    await sweep_at(clinic, START + 1825 * DAY)
    assert len(await book.all()) == 1
    await sweep_at(clinic, START + 1827 * DAY)
    assert await book.all() == []


async def test_the_report_lists_every_class_with_its_period(clinic: BotHarness) -> None:
    rows = {row["class"]: row for row in await sweeper(clinic).report(START + 100 * DAY)}
    assert rows["idle_state"]["period_days"] == 90 and rows["idle_state"]["past_period"] == 1
    assert rows["messages"]["period_days"] == 30 and rows["dedupe"]["period_days"] == 7
    assert rows["access_log"]["period_days"] == 180 and "note" in rows["audit"]
    assert await clinic.state() is not None  # a report changes nothing


async def test_bot_json_sets_the_periods_and_bad_ones_are_refused(tmp_path: Path) -> None:
    assert load_bot(CLINIC).retention.of("messages") == 30 * DAY
    bot = tmp_path / "bot"
    (bot / "flows").mkdir(parents=True)
    (bot / "bot.json").write_text(json.dumps({"name": "b", "default_locale": "pt-BR", "entry_flow": "f",
                                              "retention": {"messages": "2w"}}))
    (bot / "flows" / "f.json").write_text(json.dumps({"id": "f", "entry": "a", "nodes": {"a": {"kind": "end"}}}))
    from flows.loader import check_bot
    issues = check_bot(bot).errors
    assert issues and "/retention/messages" in issues[0].pointer


async def test_papo_retention_report_prints_the_table(redis_url: str, redis_prefix: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(redis_url=redis_url, key_prefix=redis_prefix)
    assert await retention_cli("report", CLINIC, settings=settings, now=START) == 0
    out = capsys.readouterr().out
    assert "idle_state" in out and "90d" in out and "access_log" in out


async def test_papo_contacts_erase_needs_the_identity_confirmed(redis_url: str, redis_prefix: str,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from runtime.cli.main import main
    from runtime.cli.privacy import contacts

    assert main(["contacts", "erase", str(CLINIC), "whatsapp", "5511987650000"]) == 2
    assert "--identity-confirmed" in capsys.readouterr().out
    client = aioredis.Redis.from_url(redis_url)
    try:
        h = await BotHarness.open(CLINIC, client=client, prefix=redis_prefix, clock=ManualClock(START),
                                  channel="whatsapp", user="5511987650000")
        await h.say("oi")
        await h.say("Carla")
        settings = Settings(redis_url=redis_url, key_prefix=redis_prefix)
        assert await contacts("export", CLINIC, "whatsapp", "551187650000", settings=settings, now=START) == 0
        assert '"Carla"' in capsys.readouterr().out  # either form of the number finds the contact
        assert await contacts("erase", CLINIC, "whatsapp", "5511987650000", settings=settings, now=START) == 0
        assert '"state": 1' in capsys.readouterr().out and await h.state() is None
        await h.aclose()
    finally:
        await client.aclose()
