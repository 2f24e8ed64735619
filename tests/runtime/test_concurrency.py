"""Messages of one conversation that arrive together are processed one after the other, in
order, none lost and none answered twice: over a real Redis, with several workers."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

import pytest
import redis.asyncio as aioredis

from flows.messages import InboundEvent
from runtime.conversations.keys import ConversationKey
from runtime.conversations.library import BotLibrary
from runtime.conversations.processor import Processor, Submitted
from runtime.conversations.store import RedisStore
from runtime.engine.clock import ManualClock
from runtime.service.settings import Settings
from runtime.service.settings import redis_client as connect

from .conftest import BOTS, START


def _stream_order(stream_id: str) -> tuple[int, int]:
    ms, seq = stream_id.split("-")
    return int(ms), int(seq)


@pytest.fixture
async def workers(redis_url: str, redis_prefix: str, redis_client: aioredis.Redis) -> list[Processor]:
    """Four workers, each with its own connection pool, on one real Redis."""
    clock = ManualClock(START)
    library = BotLibrary.load(BOTS / "counter", client=redis_client, prefix=redis_prefix)
    out = []
    for _ in range(4):
        client = connect(Settings(redis_url=redis_url))
        out.append(Processor(RedisStore(client, prefix=redis_prefix), library, clock))
    yield out
    for worker in out:
        await worker.store.aclose()


def _events(user: str, count: int, tag: str = "m") -> list[InboundEvent]:
    return [InboundEvent("whatsapp", user, f"wamid.{user}.{i}", START + timedelta(seconds=i), text=f"{tag}{i}")
            for i in range(count)]


async def _fire(workers: list[Processor], events: list[InboundEvent]) -> list[Submitted]:
    spread = zip(itertools.cycle(workers), events, strict=False)
    return list(await asyncio.gather(*(worker.submit(event) for worker, event in spread)))


async def _replies(worker: Processor, user: str) -> list[str]:
    key = ConversationKey("counter", "whatsapp", user)
    return [m.text for m in await worker.store.outbox(key)]


def _check_in_order(events: list[InboundEvent], submitted: list[Submitted], replies: list[str]) -> None:
    accepted = sorted(((s.queued_as, e.text) for s, e in zip(submitted, events, strict=True) if s.accepted),
                      key=lambda pair: _stream_order(pair[0]))
    assert replies == [f"{n}:{text}" for n, (_, text) in enumerate(accepted, 1)]


async def test_fifty_concurrent_messages_to_one_conversation(workers: list[Processor]) -> None:
    events = _events("5511900000001", 50)
    submitted = await _fire(workers, events)
    assert all(s.accepted for s in submitted)
    replies = await _replies(workers[0], "5511900000001")
    assert len(replies) == 50  # none lost, none answered twice
    assert sorted(r.split(":")[1] for r in replies) == sorted(e.text for e in events)
    _check_in_order(events, submitted, replies)  # in the order they were accepted
    state, pending = await workers[0].store.load(ConversationKey("counter", "whatsapp", "5511900000001"), batch=1)
    assert state is not None and state.vars["n"] == 50 and state.version == 50 and pending == []


async def test_redelivered_messages_are_answered_once(workers: list[Processor]) -> None:
    events = _events("5511900000002", 20)
    submitted = await _fire(workers, events + events + events)  # Meta retries: every event three times
    assert sum(s.accepted for s in submitted) == 20
    replies = await _replies(workers[0], "5511900000002")
    assert len(replies) == 20
    assert sorted(r.split(":")[1] for r in replies) == sorted(e.text for e in events)


async def test_many_conversations_at_once(workers: list[Processor]) -> None:
    users = [f"55119{n:08d}" for n in range(100)]
    per_user = {user: _events(user, 8) for user in users}
    interleaved = [per_user[u][i] for i in range(8) for u in users]
    submitted = await _fire(workers, interleaved)
    by_event = {e.id: s for e, s in zip(interleaved, submitted, strict=True)}
    for user in users:
        replies = await _replies(workers[0], user)
        _check_in_order(per_user[user], [by_event[e.id] for e in per_user[user]], replies)
        assert len(replies) == 8


async def test_expired_leases_still_answer_each_message_once(redis_url: str, redis_prefix: str,
                                                             redis_client: aioredis.Redis) -> None:
    """With a 1 ms lease, several workers drain one conversation at the same time; the
    version fence and the atomic consume keep every message answered exactly once, in order."""
    library = BotLibrary.load(BOTS / "counter", client=redis_client, prefix=redis_prefix)
    clock = ManualClock(START)
    racers = [Processor(RedisStore(connect(Settings(redis_url=redis_url)), prefix=redis_prefix), library, clock,
                        lease_ms=1) for _ in range(4)]
    try:
        events = _events("5511900000003", 50)
        submitted = await _fire(racers, events)
        for racer in racers:  # whatever a racer left behind, a later drain picks up
            await racer.drain(ConversationKey("counter", "whatsapp", "5511900000003"))
        replies = await _replies(racers[0], "5511900000003")
        assert len(replies) == 50
        _check_in_order(events, submitted, replies)
    finally:
        for racer in racers:
            await racer.store.aclose()


async def test_accepted_events_wait_until_a_worker_drains_them(workers: list[Processor]) -> None:
    events = _events("5511900000004", 5)
    ids = [await workers[0].accept(e) for e in events]
    assert all(ids) and await workers[0].accept(events[0]) is None  # a duplicate
    key = ConversationKey("counter", "whatsapp", "5511900000004")
    assert await _replies(workers[0], "5511900000004") == []
    assert len(await workers[1].drain(key)) == 5
    assert await _replies(workers[0], "5511900000004") == [f"{n}:m{n - 1}" for n in range(1, 6)]
