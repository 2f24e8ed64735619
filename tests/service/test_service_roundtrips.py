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
