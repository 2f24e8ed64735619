"""Pacing through Redis: the next message to a user waits for the previous one's interval."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from runtime.conversations.keys import ConversationKey
from runtime.service.pacing import Pacer

KEY = ConversationKey("echo", "whatsapp", "5511987654321")


async def test_a_second_message_to_the_same_user_waits(redis_client: aioredis.Redis, redis_prefix: str) -> None:
    pacer = Pacer(redis_client, prefix=redis_prefix, per_user_s=0.3, per_number=80)
    await pacer.wait_turn(KEY, "1065")
    second = asyncio.create_task(pacer.wait_turn(KEY, "1065"))
    other_user = asyncio.create_task(pacer.wait_turn(ConversationKey("echo", "whatsapp", "5511900000000"), "1065"))
    await asyncio.sleep(0.1)
    assert other_user.done() and not second.done()
    await asyncio.wait_for(second, 2)


async def test_no_second_carries_more_than_the_number_rate(redis_client: aioredis.Redis, redis_prefix: str) -> None:
    pacer = Pacer(redis_client, prefix=redis_prefix, per_user_s=0, per_number=3)
    users = [ConversationKey("echo", "whatsapp", f"55119000000{i:02d}") for i in range(7)]
    await asyncio.gather(*(pacer.wait_turn(u, "1065") for u in users))
    per_second = [int(await redis_client.get(k) or 0) async for k in redis_client.scan_iter(f"{redis_prefix}:rate:*")]
    assert max(per_second) <= 3 and sum(per_second) == 7
