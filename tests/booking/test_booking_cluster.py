"""Booking and reminders on a real Redis Cluster of three primaries: the calendar's scripts and the
timer shards each stay in one slot. The single-server tests, run again here, and a race."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import redis.asyncio as aioredis

from runtime.engine.clock import ManualClock
from runtime.engine.routing import turn
from runtime.nodes import HANDLERS
from runtime.scheduling import Scheduler, SlotTaken
from runtime.service.redis_urls import connect, is_cluster
from runtime.timers import Timer

from . import test_booking_book as book
from . import test_booking_timers as timers
from .conftest import AGENDA, OpenBot

test_a_reminder_fires_on_a_cluster = timers.test_reminder_arrives_as_a_template_and_confirms
test_reminders_follow_a_rescheduled_appointment_on_a_cluster = timers.test_reminders_follow_a_rescheduled_appointment
test_an_expired_hold_never_double_books_on_a_cluster = book.test_expired_hold_taken_by_another_is_never_double_booked
# a turn's own timers (the remind node, the ask's timeouts) are scheduled just before its commit on a cluster
test_the_remind_node_on_a_cluster = timers.test_remind_node_starts_its_flow_before_the_appointment
test_ask_timeouts_on_a_cluster = timers.test_ask_timeout_nudges_then_closes


@pytest.fixture
async def client(redis_cluster_url: str, redis_prefix: str) -> AsyncIterator[aioredis.Redis]:
    cluster = connect(redis_cluster_url)
    yield cluster
    async for key in cluster.scan_iter(match=f"{redis_prefix}*", count=1000):
        await cluster.delete(key)
    await cluster.aclose()


async def test_the_timers_of_a_turn_that_never_committed_are_ignored_on_a_cluster(
        open_bot: OpenBot, client: aioredis.Redis, clock: ManualClock) -> None:
    """On a cluster a turn's timers go just before its commit (they live in other slots), so a turn whose
    commit is then refused, or whose process dies, leaves them behind: each one, when it fires, finds that
    the conversation does not expect it, and does nothing."""
    h = await open_bot(AGENDA)
    timers_queue = h.processor.services.timers
    assert timers_queue is not None
    result = await turn(h.library, None, h.event("pergunta"), clock, h.processor.services, HANDLERS)
    [(kind, _), _] = [(t.kind, t.id) for t in result.timers]
    assert kind == "ask_timeout"
    await timers_queue.schedule_many(Timer(r.id, r.due, r.kind, r.payload) for r in result.timers)
    assert await h.state() is None  # the turn was never committed
    assert await h.advance(timedelta(days=2)) == []  # both fire and are ignored: no message
    assert [t for t in await timers_queue.pending(100) if t.kind == "ask_timeout"] == []


async def test_thirty_patients_racing_for_one_slot_on_a_cluster_give_one_booking(
    open_bot: OpenBot, client: aioredis.Redis, redis_cluster_url: str, redis_prefix: str) -> None:
    assert is_cluster(client)
    h = await open_bot(AGENDA)
    scheduler = h.processor.services.scheduler
    assert scheduler is not None
    [slot] = await scheduler.find_slots("consulta", limit=1)
    clients = [connect(redis_cluster_url) for _ in range(30)]  # as many workers, each with its own client
    racers = [Scheduler.with_redis(scheduler.calendar, c, prefix=redis_prefix, clock=scheduler.clock) for c in clients]
    results = await asyncio.gather(*(r.book(slot, f"whatsapp:5511900000{n:03d}") for n, r in enumerate(racers)),
                                   return_exceptions=True)
    for extra in clients:
        await extra.aclose()
    booked = [r for r in results if not isinstance(r, BaseException)]
    assert len(booked) == 1
    assert all(isinstance(r, SlotTaken) for r in results if isinstance(r, BaseException))
    day = await scheduler.appointments_on(slot.start.date())
    assert [a.id for a in day] == [booked[0].id]
