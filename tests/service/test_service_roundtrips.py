"""Redis round trips on the message path, counted on the real client: every write to a connection's
socket is one (a pipeline or a Lua call included). `python -m benchmarks.roundtrips` counts the whole
path from webhook to reply."""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis
import service_helpers as h
from redis.asyncio.connection import Connection, ConnectionPool

from runtime.conversations.keys import ConversationKey


class Counting(Connection):
    writes = 0

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        Counting.writes += 1
        await super().send_packed_command(command, check_health)


async def test_a_webhook_with_several_messages_is_accepted_in_one_round_trip(start: h.Start, redis_url: str) -> None:
    client = aioredis.Redis(connection_pool=ConnectionPool.from_url(redis_url, connection_class=Counting))
    app = await start("ingest", redis=client)  # no consumers: only the webhook talks to Redis
    body = h.wa_body(messages=[h.wa_message("wamid.RT1", "oi"), h.wa_message("wamid.RT2", "tudo bem?"),
                               h.wa_message("wamid.RT3", "olá", user="5511912345678")])
    before = Counting.writes
    answer = await app.post(body)
    assert answer.status == 200 and (await answer.json())["events"] == 3
    assert Counting.writes - before == 1  # deduped, queued, addresses and work signals: one pipeline
    again = await app.post(body)  # Meta redelivers: all three are duplicates, still one round trip
    assert (await again.json())["duplicates"] == 3 and Counting.writes - before == 2
    keys = {app.key, ConversationKey(app.key.bot, "whatsapp", "5511912345678")}
    assert {k for k in keys if await app.redis.xlen(app.service.processor.store.keys.inbox(k))} == keys
    await client.aclose()


def counting(redis_url: str) -> aioredis.Redis:
    return aioredis.Redis(connection_pool=ConnectionPool.from_url(redis_url, connection_class=Counting))


async def test_a_message_is_run_in_two_round_trips_and_its_reply_sent_in_two(start: h.Start, redis_url: str) -> None:
    """After each signal is read: the worker locks and loads, then commits with the sender's signal and its own
    signal's acknowledgement; the sender opens (and readies the payload), then records the receipt, drops
    the entry, gives the lock back and acknowledges its signal."""
    client = counting(redis_url)
    app = await start("ingest", redis=client)  # no consumers: the test plays them
    service = app.service
    assert (await app.post(h.wa_body(messages=[h.wa_message("wamid.RT4", "oi")]))).status == 200
    [work] = await service.work.read("counted", block_ms=0)
    before = Counting.writes
    ack = service.work.ack_for(work)
    assert await service.worker.handle(work.key, ack) is True and ack is not None and ack.done
    assert Counting.writes - before == 2
    [send] = await service.sends.read("counted", block_ms=0)
    before = Counting.writes
    ack = service.sends.ack_for(send)
    assert await service.sender.handle(send.key, ack) is True and ack is not None and ack.done
    assert Counting.writes - before == 2
    assert len(app.graph.calls) == 1
    keys = service.processor.store.keys
    for stream, group in ((work.stream, service.work.group), (send.stream, service.sends.group)):
        assert (await app.redis.xpending(stream, group))["pending"] == 0 and await app.redis.xlen(stream) == 0
    assert await app.redis.xlen(keys.outbox(app.key)) == 0 and not await app.redis.exists(keys.send_lock(app.key))
    tag = keys.inbox(app.key).split("}")[0] + "}"
    conversation = [k async for k in app.redis.scan_iter(match=f"{tag}*")]
    conversation.append(keys.who(app.key.bot, app.key.digest).encode())
    assert len(conversation) >= 5 and keys.inbox(app.key).encode() in conversation
    assert [k for k in conversation if await app.redis.pttl(k) <= 0] == []  # everything of it expires with it
    await client.aclose()


async def test_a_rest_turn_takes_two_round_trips_and_keeps_no_dedupe_marker(start: h.Start, redis_url: str) -> None:
    client = counting(redis_url)
    app = await start("ingest", redis=client)
    before = Counting.writes
    answer = await app.client.post("/webhooks/rest/webhook", json={"sender": "rt-user", "message": "oi"})
    assert answer.status == 200 and await answer.json()
    assert Counting.writes - before == 2  # dedupe, queue, lock and load; the commit, which returns the replies
    keys = app.service.processor.store.keys
    assert [k async for k in app.redis.scan_iter(match=f"{keys.prefix}*seen*")] == []  # a made-up id never repeats
    given = await app.client.post("/webhooks/rest/webhook", json={"sender": "rt-user", "message": "oi",
                                                                   "message_id": "m-1"})
    again = await app.client.post("/webhooks/rest/webhook", json={"sender": "rt-user", "message": "oi",
                                                                   "message_id": "m-1"})
    assert await given.json() and await again.json() == []  # an id the client gave is deduped
    assert len([k async for k in app.redis.scan_iter(match=f"{keys.prefix}*seen*")]) == 1
    await client.aclose()
