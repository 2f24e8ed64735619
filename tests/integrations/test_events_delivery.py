"""Outbound events against a real receiver on loopback: a receiver that is down gets everything once it
is up, once per id; a contact's events arrive in order, a failing one holding back only that contact's
later ones; every request verifies with the documented check; every event validates against the
published schema; an event failing for 3 days becomes a dead letter and is replayed."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
import redis.asyncio as aioredis

from runtime.conversations.keys import ConversationKey
from runtime.engine.clock import ManualClock
from runtime.events import DeliveryPolicy, EventDelivery, contact_id
from runtime.privacy import Contact, Eraser
from runtime.service.events_wiring import open_events
from runtime.service.harness import BotHarness

from .receiver import Receiver

BOT = Path(__file__).parent / "bots" / "eventos"
SCHEMA = json.loads((Path(__file__).parents[2] / "flows" / "schema" / "events" / "event.schema.json")
                    .read_text(encoding="utf-8"))
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ANA, BIA = "5511988880001", "5511988880002"
POLICY = DeliveryPolicy(backoff_s=1.0, max_backoff_s=3600.0, timeout_s=2.0)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def receiver(clock: ManualClock) -> AsyncIterator[Receiver]:
    found = Receiver("segredo", lambda: clock.now().timestamp())
    yield found
    await found.down()


class Pair:
    """Two patients of one bot, on one processor whose events go to the receiver."""

    def __init__(self, ana: BotHarness, bia: BotHarness, delivery: EventDelivery) -> None:
        self.ana, self.bia, self.delivery = ana, bia, delivery


@pytest.fixture
async def bot(redis_client: aioredis.Redis, redis_prefix: str, clock: ManualClock,
              receiver: Receiver) -> AsyncIterator[Pair]:
    ana = await BotHarness.open(BOT, client=redis_client, prefix=redis_prefix, clock=clock, user=ANA,
                                channel="whatsapp")
    env = {"EVENTS_URL": receiver.url, "EVENTS_SECRET": "segredo"}  # CHAT_EVENTS_URL unset: "chat" is off
    delivery = open_events(ana.library.current, ana.processor, redis_client, prefix=redis_prefix, clock=clock,
                           env=env, policy=POLICY)
    assert delivery is not None
    bia = BotHarness(ana.library, ana.store, clock, channel="whatsapp", user=BIA, services=ana.processor.services)
    bia.processor.events = ana.processor.events
    yield Pair(ana, bia, delivery)
    await delivery.aclose()
    await ana.aclose()


def ref(user: str) -> str:
    return contact_id(ConversationKey("eventos", "whatsapp", user))


async def talk(bot: Pair) -> None:
    await bot.ana.say("oi")
    await bot.ana.say("Ana Souza")
    await bot.bia.say("oi")
    await bot.ana.say("vip")
    await bot.ana.say("atendente")
    await bot.bia.say("Beatriz Lima")
    await bot.ana.resume_handoff()
    await bot.ana.say("novidades")
    await bot.ana.say("sim")


ANA_EVENTS = ["contact.created", "conversation.started", "conversation.ended", "label.added",
              "conversation.ended", "handoff.requested", "handoff.resolved", "conversation.ended",
              "consent.given", "conversation.ended"]
BIA_EVENTS = ["contact.created", "conversation.started", "conversation.ended"]


async def test_a_receiver_down_then_up_gets_everything_once_in_order(bot: Pair, receiver: Receiver,
                                                                     clock: ManualClock) -> None:
    await talk(bot)
    assert await bot.delivery.drain() == 0  # down: nothing delivered, nothing lost
    failing = await bot.delivery.outbox.retrying()
    assert {f["type"] for f in failing} == {"contact.created"} and len(failing) == 2  # the first of each
    await receiver.up()
    assert await bot.delivery.drain() == 0  # each contact waits for its next try
    clock.advance(timedelta(hours=1))
    assert await bot.delivery.drain() == len(ANA_EVENTS) + len(BIA_EVENTS)
    assert receiver.of(ref(ANA)) == ANA_EVENTS and receiver.of(ref(BIA)) == BIA_EVENTS
    assert Counter(e["id"] for e in receiver.received).most_common(1)[0][1] == 1  # once per id
    assert receiver.bad_signatures == 0 and await bot.delivery.outbox.retrying() == []
    for event, headers in zip(receiver.received, receiver.headers, strict=True):
        jsonschema.validate(event, SCHEMA, format_checker=jsonschema.FormatChecker())
        assert headers["Idempotency-Key"] == headers["Papo-Event-Id"] == event["id"]
    raw = json.dumps(receiver.received)
    assert ANA not in raw and BIA not in raw and "Ana Souza" not in raw  # no phone, no name
    outbox = bot.delivery.outbox
    assert await outbox.client.xlen(outbox.keys.events(bot.ana.key)) == 0  # what every subscription has passed
    await bot.ana.say("vip")  # nothing new: labels unchanged, no event but the flow's end
    assert await bot.delivery.drain() == 1


async def test_a_failing_event_holds_back_only_its_contact(bot: Pair, receiver: Receiver,
                                                          clock: ManualClock) -> None:
    await receiver.up()
    receiver.refuse["label.added"] = 503
    await talk(bot)
    await bot.delivery.drain()
    assert receiver.of(ref(BIA)) == BIA_EVENTS
    assert receiver.of(ref(ANA)) == ANA_EVENTS[:3]  # stops at the refused one
    [failing] = await bot.delivery.outbox.retrying()
    assert failing["type"] == "label.added" and failing["attempts"] == 1 and failing["error"] == "HTTP 503"
    del receiver.refuse["label.added"]
    clock.advance(timedelta(minutes=5))
    await bot.delivery.drain()
    assert receiver.of(ref(ANA)) == ANA_EVENTS


async def test_three_days_of_failure_make_a_dead_letter_that_can_be_replayed(bot: Pair, receiver: Receiver,
                                                                             clock: ManualClock) -> None:
    await receiver.up()
    receiver.refuse["handoff.requested"] = 500
    await talk(bot)
    for _ in range(4 * 24):  # an hour at a time (the longest backoff): 4 days
        clock.advance(timedelta(hours=1))
        await bot.delivery.drain()
    assert receiver.of(ref(ANA)) == [t for t in ANA_EVENTS if t != "handoff.requested"]
    [dead] = await bot.delivery.outbox.dead(10)
    assert dead["type"] == "handoff.requested" and dead["outcome"] == "dead" and dead["attempts"] > 10
    tries = [e for e in receiver.received if e["type"] == "handoff.requested"]
    assert {e["id"] for e in tries} == {dead["event"]}  # every try carried the same id
    assert await bot.delivery.replay(dead["dead_id"]) == {"replayed": False, "status": 500, "error": "HTTP 500"}
    del receiver.refuse["handoff.requested"]
    assert await bot.delivery.replay(dead["dead_id"]) == {"replayed": True, "status": 200, "event": dead["event"]}
    assert await bot.delivery.outbox.dead(10) == [] and "handoff.requested" in receiver.of(ref(ANA))
    log = await bot.delivery.outbox.log(100)
    assert [r["outcome"] for r in log[:2]] == ["replayed", "delivered"]


async def test_an_unset_subscription_is_off_and_emits_nothing(redis_client: aioredis.Redis, redis_prefix: str,
                                                              clock: ManualClock,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    harness = await BotHarness.open(BOT, client=redis_client, prefix=redis_prefix, clock=clock, user=ANA)
    assert open_events(harness.library.current, harness.processor, redis_client, prefix=redis_prefix,
                       clock=clock, env={}) is None
    assert harness.processor.events is None
    assert "event subscription 'crm' is off: EVENTS_URL, EVENTS_SECRET not set" in caplog.text
    await harness.say("oi")
    assert [k async for k in redis_client.scan_iter(match=f"{redis_prefix}*events*")] == []
    await harness.aclose()


async def test_message_events_go_masked_only_to_a_subscription_that_names_them(
        redis_client: aioredis.Redis, redis_prefix: str, clock: ManualClock, receiver: Receiver) -> None:
    chat = Receiver("segredo", lambda: clock.now().timestamp())
    await receiver.up()
    await chat.up()
    harness = await BotHarness.open(BOT, client=redis_client, prefix=redis_prefix, clock=clock, user=ANA,
                                    channel="whatsapp")
    env = {"EVENTS_URL": receiver.url, "CHAT_EVENTS_URL": chat.url, "EVENTS_SECRET": "segredo"}
    delivery = open_events(harness.library.current, harness.processor, redis_client, prefix=redis_prefix,
                           clock=clock, env=env, policy=POLICY)
    assert delivery is not None
    await harness.say("oi")
    await harness.say("Ana Souza")
    await harness.say("meu cpf é 529.982.247-25, Ana Souza")
    await delivery.drain()
    await delivery.aclose()
    await chat.down()
    await harness.aclose()
    assert {e["type"] for e in chat.taken} == {"message.received", "message.sent"}
    assert not {e["type"] for e in receiver.taken} & {"message.received", "message.sent"}
    said = [e["data"]["text"] for e in chat.taken if e["type"] == "message.received"]
    assert said[0] == "oi" and said[2] == "meu cpf é [cpf], [dado]"
    for event in chat.taken:
        jsonschema.validate(event, SCHEMA, format_checker=jsonschema.FormatChecker())


async def test_erasing_a_contact_removes_its_events_everywhere(bot: Pair, receiver: Receiver, clock: ManualClock,
                                                               redis_client: aioredis.Redis,
                                                               redis_prefix: str) -> None:
    await receiver.up()
    receiver.refuse["label.added"] = 500
    await talk(bot)
    for _ in range(4 * 24):  # label.added becomes a dead letter; the rest is delivered and logged
        clock.advance(timedelta(hours=1))
        await bot.delivery.drain()
    receiver.refuse["contact.created"] = 500
    await bot.ana.reset()  # a new contact.created fails: a pair waiting with its failure
    await bot.ana.say("oi")
    await bot.delivery.drain()
    assert await bot.delivery.outbox.dead(10) and await bot.delivery.outbox.retrying()
    needles = [ANA, ref(ANA)[:10]]

    async def traces() -> list[str]:
        found = []
        async for raw in redis_client.scan_iter(match=f"{redis_prefix}*ev*", count=1000):
            key = raw.decode()
            kind = (await redis_client.type(key)).decode()
            dump = key + json.dumps([str(v) for v in (
                await redis_client.xrange(key) if kind == "stream" else await redis_client.zrange(key, 0, -1)
                if kind == "zset" else await redis_client.hgetall(key) if kind == "hash" else [])])
            found += [f"{key}: {n}" for n in needles if n in dump]
        return found

    assert await traces()
    done = await Eraser(redis_client, prefix=redis_prefix).erase(Contact("eventos", "whatsapp", ANA), now=clock.now())
    assert done.counts["events"] > 0 and await traces() == []
    assert receiver.of(ref(BIA)) == BIA_EVENTS  # the other contact's deliveries stay
    assert [r for r in await bot.delivery.outbox.log(100) if r["contact"] == ref(BIA)]


async def test_events_left_without_their_signal_are_found_again(bot: Pair, receiver: Receiver) -> None:
    await receiver.up()
    await bot.ana.say("oi")
    outbox = bot.delivery.outbox
    await outbox.client.delete(outbox.due_key)  # as if the process died between the commit and its signal
    assert await bot.delivery.drain() == 0 and receiver.taken == []
    assert await bot.delivery.recover() == 1
    assert await bot.delivery.drain() == 2 and receiver.of(ref(ANA)) == ["contact.created", "conversation.started"]
    assert await bot.delivery.recover() == 0  # delivered and trimmed: nothing left behind
