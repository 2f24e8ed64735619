"""Pacing through Redis, on the injectable clock: a test moves a ManualClock instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis

from runtime.conversations.keys import ConversationKey
from runtime.engine.clock import ManualClock
from runtime.service.pacing import Pacer

KEY = ConversationKey("echo", "whatsapp", "5511987654321")
OTHER = ConversationKey("echo", "whatsapp", "5511900000000")
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


async def test_a_second_message_to_the_same_user_waits_for_the_interval(redis_client: aioredis.Redis,
                                                                         redis_prefix: str) -> None:
    clock = ManualClock(START)
    pacer = Pacer(redis_client, prefix=redis_prefix, per_user_s=6, per_number=80, clock=clock)
    assert await pacer.take_recipient(KEY) == 0
    assert await pacer.take_recipient(KEY) == 6.0
    assert await pacer.take_recipient(OTHER) == 0  # another user is not held up
    clock.advance(timedelta(seconds=4))
    assert await pacer.take_recipient(KEY) == 2.0  # waiting took nothing: the turn is still 6 s after the first
    clock.advance(timedelta(seconds=2))
    assert await pacer.take_recipient(KEY) == 0
    assert await pacer.take_recipient(KEY) == 6.0


async def test_no_second_carries_more_than_the_number_rate(redis_client: aioredis.Redis, redis_prefix: str) -> None:
    clock = ManualClock(START + timedelta(milliseconds=250))
    pacer = Pacer(redis_client, prefix=redis_prefix, per_user_s=0, per_number=3, clock=clock)
    assert [await pacer.take_number("whatsapp", "1065") for _ in range(5)] == [0, 0, 0, 0.75, 0.75]
    assert await pacer.take_number("whatsapp", "2000") == 0  # another business number has its own budget
    clock.advance(timedelta(milliseconds=750))  # the next second begins
    assert [await pacer.take_number("whatsapp", "1065") for _ in range(4)] == [0, 0, 0, 1.0]


async def test_waiting_sleeps_exactly_until_the_turn_comes(redis_client: aioredis.Redis, redis_prefix: str) -> None:
    clock = ManualClock(START)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:  # asyncio.sleep's stand-in: time passes on the manual clock
        slept.append(seconds)
        clock.advance(timedelta(seconds=seconds))

    pacer = Pacer(redis_client, prefix=redis_prefix, per_user_s=1.5, per_number=1, clock=clock, sleep=sleep)
    for user in (KEY, KEY, OTHER):
        await pacer.wait_turn(user, "1065")
    # the second message to KEY waits its 1.5 s; the other user's, sent in the same second (the number
    # allows one a second), waits for the next second
    assert slept == [1.5, 0.5]
    assert clock.now() == START + timedelta(seconds=2)
