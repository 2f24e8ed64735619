"""Booking and reminders on a real Redis Cluster of three primaries: the calendar's scripts and the
timer shards each stay in one slot. The single-server tests, run again here, and a race."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from runtime.scheduling import Scheduler, SlotTaken
from runtime.service.redis_urls import connect, is_cluster

from . import test_booking_book as book
from . import test_booking_timers as timers
from .conftest import AGENDA, OpenBot

test_a_reminder_fires_on_a_cluster = timers.test_reminder_arrives_as_a_template_and_confirms
test_reminders_follow_a_rescheduled_appointment_on_a_cluster = timers.test_reminders_follow_a_rescheduled_appointment
test_an_expired_hold_never_double_books_on_a_cluster = book.test_expired_hold_taken_by_another_is_never_double_booked


@pytest.fixture
async def client(redis_cluster_url: str, redis_prefix: str) -> AsyncIterator[aioredis.Redis]:
    cluster = connect(redis_cluster_url)
    yield cluster
    async for key in cluster.scan_iter(match=f"{redis_prefix}*", count=1000):
        await cluster.delete(key)
    await cluster.aclose()


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
