"""The sender: retries, permanent errors, the 24-hour window."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
import redis.asyncio as aioredis
import service_helpers as h
from redis.exceptions import RedisError

from flows.messages import Media, Option, OutboundMessage, Template
from runtime.conversations.store import RedisStore
from runtime.engine.clock import ManualClock
from runtime.engine.state import Conversation
from runtime.service.sender import Progress, Sender

Reply = h.fakes.Reply


async def test_a_throttled_send_is_retried_and_succeeds(start: h.Start) -> None:
    app = await start()
    app.graph.answer(Reply(429, h.fakes.graph_error(130429, "rate limit hit")),
                     Reply(400, h.fakes.graph_error(131056, "pair rate limit"), headers={"Retry-After": "0"}))
    await app.post(h.wa_body(messages=[h.wa_message("wamid.T1", "oi")]))
    await h.wait_until(lambda: has_calls(app, 3))
    await h.wait_until(lambda: outbox_empty(app))
    assert app.texts() == ["1:oi"] * 3
    assert await app.service.deliveries.papo_id(app.key, "wamid.out3") == "wamid.T1:0"
    assert await app.service.deliveries.failures(app.key) == {}


async def test_a_permanent_error_is_recorded_and_not_retried(start: h.Start) -> None:
    app = await start()
    app.graph.answer(Reply(400, h.fakes.graph_error(131026, "Message Undeliverable")))
    await app.post(h.wa_body(messages=[h.wa_message("wamid.P1", "oi")]))
    await h.wait_until(lambda: has_failure(app, "wamid.P1:0"))
    await h.wait_until(lambda: outbox_empty(app))
    failure = (await app.service.deliveries.failures(app.key))["wamid.P1:0"]
    assert (failure["error"], failure["code"]) == ("InvalidRecipient", 131026)
    assert len(app.graph.calls) == 1


async def test_outside_the_window_text_is_not_sent_and_a_template_is(start: h.Start) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    app = await start(clock=clock)
    old = Conversation(last_inbound_at=(clock.now() - timedelta(hours=25)).isoformat())
    reminder = Template("lembrete_consulta", "pt_BR", ("amanhã às 10h",))
    messages = [OutboundMessage(id="r1", text="Sua consulta é amanhã"),
                OutboundMessage(id="r2", text="Sua consulta é amanhã", template=reminder)]
    await app.service.processor.store.commit(app.key, old, messages, expected_version=0)
    await app.service.sends.signal(app.key)
    await h.wait_until(lambda: has_calls(app, 1))
    await h.wait_until(lambda: outbox_empty(app))
    failure = (await app.service.deliveries.failures(app.key))["r1"]
    assert failure["error"] == "WindowClosed" and "template" in failure["reason"]
    [call] = app.graph.calls
    assert call.json["type"] == "template"
    assert call.json["template"]["name"] == "lembrete_consulta"


async def test_inside_the_window_a_message_with_a_template_goes_as_free_text(start: h.Start) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    app = await start(clock=clock)
    recent = Conversation(last_inbound_at=(clock.now() - timedelta(hours=2)).isoformat())
    message = OutboundMessage(id="r1", text="Até amanhã", template=Template("lembrete", "pt_BR"))
    await app.service.processor.store.commit(app.key, recent, [message], expected_version=0)
    await app.service.sends.signal(app.key)
    await h.wait_until(lambda: has_calls(app, 1))
    assert app.texts() == ["Até amanhã"]


async def has_calls(app: h.Running, n: int) -> bool:
    return len(app.graph.calls) >= n


async def has_failure(app: h.Running, papo_id: str) -> bool:
    return papo_id in await app.service.deliveries.failures(app.key)


async def outbox_empty(app: h.Running) -> bool:
    return int(await app.redis.xlen(app.service.processor.store.keys.outbox(app.key))) == 0


async def test_when_retries_run_out_the_message_waits_and_goes_after_the_lease(start: h.Start) -> None:
    app = await start(send_retries=1, work_lease_ms=200)
    app.graph.answer(*[Reply(503, h.fakes.graph_error(131016, "Service unavailable"))] * 2)
    await app.post(h.wa_body(messages=[h.wa_message("wamid.L1", "oi")]))
    await h.wait_until(lambda: has_failure(app, "wamid.L1:0"))
    failure = (await app.service.deliveries.failures(app.key))["wamid.L1:0"]
    assert failure["error"] == "RetriesExhausted" and "2 attempts" in failure["reason"]
    await h.wait_until(lambda: has_calls(app, 3))  # taken over after the lease, and accepted
    await h.wait_until(lambda: outbox_empty(app))
    assert app.texts() == ["1:oi"] * 3
    assert await app.service.deliveries.failures(app.key) == {}


async def test_the_pair_rate_limit_backs_off_four_to_the_x(start: h.Start) -> None:
    from connectors import Throttled, Unavailable

    sender = (await start()).service.sender
    pair = Throttled("pair rate limit", scope="recipient", code=131056)
    assert [sender._backoff(x, pair) for x in range(4)] == [1.0, 4.0, 16.0, 60.0]  # 4^X s, capped at a minute
    assert sender._backoff(2, Unavailable("5xx")) < 4.0  # other retryable errors: the short exponential backoff


# An image and six options: WhatsApp takes them as two calls, the image and then a list.
PICTURE_AND_LIST = OutboundMessage(id="m1", text="Escolha um horário", media=Media(kind="image", url="https://x.br/a.jpg"),
                                   options=tuple(Option(f"h{i}", f"{8 + i}h") for i in range(6)))
IMAGE_ACCEPTED = Reply(body={"messaging_product": "whatsapp", "contacts": [{"input": h.USER, "wa_id": h.USER}],
                             "messages": [{"id": "wamid.image"}]})
UNAVAILABLE = Reply(503, h.fakes.graph_error(131016, "Service unavailable"))


async def queued(app: h.Running, message: OutboundMessage) -> None:
    """`message` waits in the outbox of a conversation whose user wrote an hour ago (inside the window)."""
    recent = Conversation(last_inbound_at=(datetime.now(UTC) - timedelta(hours=1)).isoformat())
    await app.service.processor.store.commit(app.key, recent, [message], expected_version=0)


def kinds(app: h.Running) -> list[str]:
    return [c.json["type"] for c in app.graph.calls]


async def test_a_retried_send_resumes_at_the_payload_that_failed(start: h.Start) -> None:
    app = await start()
    app.graph.answer(IMAGE_ACCEPTED, UNAVAILABLE, UNAVAILABLE)  # then the list is accepted
    await queued(app, PICTURE_AND_LIST)
    await app.service.sends.signal(app.key)
    await h.wait_until(lambda: has_calls(app, 4))
    await h.wait_until(lambda: outbox_empty(app))
    assert kinds(app) == ["image", "interactive", "interactive", "interactive"]  # the image once, the list 3 times
    assert await app.service.deliveries.papo_id(app.key, "wamid.image") == "m1"
    assert await app.service.deliveries.papo_id(app.key, "wamid.out4") == "m1"
    assert await app.service.deliveries.failures(app.key) == {}
    assert not await app.redis.exists(app.service.sender.keys.sending(app.key))  # no progress left behind


async def test_a_permanent_error_after_a_retry_is_recorded_without_sending_the_first_payload_again(
        start: h.Start) -> None:
    app = await start()
    invalid = Reply(400, h.fakes.graph_error(131009, "Parameter value is not valid"))
    app.graph.answer(IMAGE_ACCEPTED, UNAVAILABLE, invalid)
    await queued(app, PICTURE_AND_LIST)
    await app.service.sends.signal(app.key)
    await h.wait_until(lambda: has_failure(app, "m1"))
    await h.wait_until(lambda: outbox_empty(app))
    assert kinds(app) == ["image", "interactive", "interactive"]
    failure = (await app.service.deliveries.failures(app.key))["m1"]
    assert (failure["error"], failure["code"]) == ("InvalidRequest", 131009)
    assert not await app.redis.exists(app.service.sender.keys.sending(app.key))


async def test_another_sender_resumes_where_the_first_one_stopped(start: h.Start) -> None:
    app = await start("worker", send_retries=1)  # no sender runs in the background: the test drives both
    app.graph.answer(IMAGE_ACCEPTED, UNAVAILABLE, UNAVAILABLE)
    await queued(app, PICTURE_AND_LIST)
    first = app.service.sender
    assert await first.handle(app.key) is False  # retries ran out on the list: the message waits
    assert kinds(app) == ["image", "interactive", "interactive"]
    other = Sender(first.store, first.connectors, first.accounts, deliveries=first.deliveries, pacer=first.pacer,
                   clock=first.clock, policy=first.policy)  # another process, the same Redis
    assert await other.handle(app.key) is True
    assert kinds(app) == ["image", "interactive", "interactive", "interactive"]
    assert await outbox_empty(app)
    assert await app.service.deliveries.failures(app.key) == {}


async def test_a_reply_accepted_while_redis_restarts_is_not_sent_again(
        start: h.Start, redis_url: str) -> None:
    """Redis goes away while the Graph API is answering a send: the sender, alive throughout, cannot
    record it or take it off the outbox. When Redis is back it finishes that bookkeeping from the
    receipt it kept, and the patient gets the reply once."""
    target = urlparse(redis_url)
    link = h.FlakyLink(target.hostname or "127.0.0.1", target.port or 6379)
    port = await link.start()
    client = aioredis.Redis.from_url(f"redis://127.0.0.1:{port}{target.path or '/0'}", socket_connect_timeout=2)
    try:
        app = await start("worker", redis=client, work_lease_ms=300)  # the test drives the sender
        await queued(app, OutboundMessage(id="m1", text="Sua consulta está marcada"))
        app.graph.answer(Reply(body=IMAGE_ACCEPTED.body, delay=60))  # held until released
        sending = asyncio.create_task(app.service.sender.handle(app.key))
        await h.wait_until(lambda: has_calls(app, 1))
        await link.down()  # Redis restarts while the send waits on the Graph API
        app.graph.released.set()
        with pytest.raises((RedisError, OSError)):
            await sending
        link.up()

        async def drained() -> bool:  # the dead attempt's lease on the outbox lapses first
            return await app.service.sender.handle(app.key) and await outbox_empty(app)

        await h.wait_until(drained)
        assert app.texts() == ["Sua consulta está marcada"]  # sent once
        assert await app.service.deliveries.papo_id(app.key, "wamid.image") == "m1"
    finally:
        await client.aclose()
        await link.close()


async def test_another_sender_leaves_a_reply_accepted_while_redis_was_away_to_the_sender_that_sent_it(
        start: h.Start, redis_url: str) -> None:
    """Redis goes away while the Graph API accepts a reply, and stays away past the lease: another sender
    process takes the conversation over first. It finds the payload marked in flight with the first
    sender and leaves it; the first sender, alive, settles it from the receipt it kept. Sent once."""
    target = urlparse(redis_url)
    link = h.FlakyLink(target.hostname or "127.0.0.1", target.port or 6379)
    port = await link.start()
    client = aioredis.Redis.from_url(f"redis://127.0.0.1:{port}{target.path or '/0'}", socket_connect_timeout=2)
    stop = asyncio.Event()
    try:
        app = await start("worker", redis=client, work_lease_ms=300)  # the test drives the senders
        await queued(app, OutboundMessage(id="m1", text="Sua consulta está marcada"))
        first = app.service.sender
        app.graph.answer(Reply(body=IMAGE_ACCEPTED.body, delay=60))  # held until released
        sending = asyncio.create_task(first.handle(app.key))
        await h.wait_until(lambda: has_calls(app, 1))
        await link.down()  # Redis restarts while the send waits on the Graph API
        app.graph.released.set()
        with pytest.raises((RedisError, OSError)):
            await sending
        await asyncio.sleep(0.4)  # the outage outlasts the lease
        link.up()
        other = another_sender(first, app.redis)  # another process, straight to Redis
        assert await other.handle(app.key) is False  # in flight with the first sender: left to it
        assert app.texts() == ["Sua consulta está marcada"]
        settling = asyncio.create_task(first.keep_settling(stop, every_s=0.05))  # as `papo serve` runs it
        await h.wait_until(lambda: outbox_empty(app))
        assert await other.handle(app.key) is True
        assert app.texts() == ["Sua consulta está marcada"]  # sent once
        assert await app.service.deliveries.papo_id(app.key, "wamid.image") == "m1"
        assert not await app.redis.exists(first.keys.sending(app.key))
        stop.set()
        await settling
    finally:
        stop.set()
        await client.aclose()
        await link.close()


async def test_a_reply_in_flight_with_a_killed_sender_is_sent_again_after_the_grace(start: h.Start) -> None:
    """The sender that marked a payload in flight was killed: nobody will settle it. Another sender leaves
    it for `settle_grace_s`, then sends it (at least once: the one payload in flight may go out twice)."""
    app = await start("worker", work_lease_ms=300)
    await queued(app, OutboundMessage(id="m1", text="Sua consulta está marcada"))
    sender = app.service.sender
    killed = Progress(h.USER, ({"text": "in flight"},)).flying("killed-sender")
    entry = (await app.redis.xrange(sender.keys.outbox(app.key)))[0][0].decode()
    await app.redis.hset(sender.keys.sending(app.key), entry, killed.to_json())
    other = another_sender(sender, app.redis, grace_s=0.3)
    assert await other.handle(app.key) is False  # first sight: the owner may still settle it
    assert app.texts() == []
    await asyncio.sleep(0.4)
    assert await other.handle(app.key) is True
    assert app.texts() == ["Sua consulta está marcada"]
    assert await outbox_empty(app)


async def test_a_conversation_held_by_a_killed_sender_keeps_its_signal_until_the_lock_lapses(
        start: h.Start) -> None:
    """A sender killed while it held a conversation's send lock: the signal taken over from it must not be
    acknowledged while the lock still stands, or the reply would wait for the patient's next message."""
    app = await start("worker", work_lease_ms=300)  # the test drives the sender
    await queued(app, OutboundMessage(id="m1", text="Sua consulta está marcada"))
    sender = app.service.sender
    await app.redis.set(sender.keys.send_lock(app.key), "killed-sender", px=300)
    assert await sender.handle(app.key) is False  # not done: the signal stays pending, back after the lease
    assert app.texts() == []

    async def drained() -> bool:
        return await sender.handle(app.key) and await outbox_empty(app)

    await h.wait_until(drained)
    assert app.texts() == ["Sua consulta está marcada"]


def another_sender(sender: Sender, client: aioredis.Redis, *, grace_s: float = 10.0) -> Sender:
    """A sender in another process: its own Redis connection and process id, the same Redis."""
    store = RedisStore(client, prefix=sender.store.keys.prefix, state_ttl_ms=sender.store.state_ttl_ms)
    return Sender(store, sender.connectors, sender.accounts, deliveries=sender.deliveries, pacer=sender.pacer,
                  clock=sender.clock, policy=dataclasses.replace(sender.policy, settle_grace_s=grace_s))
