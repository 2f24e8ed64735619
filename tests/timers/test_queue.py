from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import redis.asyncio as aioredis

from runtime.timers import ManualClock, NaiveDatetime, Timer, TimerConfigError, TimerQueue

from .conftest import T0


async def test_a_timer_is_claimed_only_once_it_is_due(queue: TimerQueue, clock: ManualClock) -> None:
    await queue.schedule(Timer("t1", due=T0 + timedelta(minutes=10), kind="reminder", payload={"a": 1}))
    assert (await queue.claim_due(clock.now())).timers == []
    batch = await queue.claim_due(clock.advance(timedelta(minutes=10)))
    [claim] = batch.timers
    assert (claim.timer.id, claim.timer.kind, claim.timer.payload, claim.attempt) == ("t1", "reminder", {"a": 1}, 1)
    assert (await queue.claim_due(clock.now())).timers == []       # leased: nobody else gets it
    assert await queue.complete(claim)
    assert await queue.size() == 0 and await queue.get("t1") is None


async def test_scheduling_an_id_again_replaces_it(queue: TimerQueue, clock: ManualClock) -> None:
    await queue.schedule(Timer("appt:1:24h", due=T0))
    await queue.schedule(Timer("appt:1:24h", due=T0 + timedelta(hours=3)))
    assert await queue.size() == 1
    assert (await queue.claim_due(clock.now())).timers == []
    assert (timer := await queue.get("appt:1:24h")) is not None and timer.due == T0 + timedelta(hours=3)


async def test_a_claim_made_before_a_reschedule_cannot_complete_the_new_timer(
    queue: TimerQueue, clock: ManualClock
) -> None:
    await queue.schedule(Timer("t1", due=T0))
    [old] = (await queue.claim_due(clock.now())).timers
    await queue.schedule(Timer("t1", due=T0 + timedelta(hours=1)))
    assert not await queue.complete(old)
    [new] = (await queue.claim_due(clock.advance(timedelta(hours=1)))).timers
    assert new.fire_key != old.fire_key and await queue.complete(new)


async def test_cancel_removes_a_waiting_or_claimed_timer(queue: TimerQueue, clock: ManualClock) -> None:
    await queue.schedule(Timer("a", due=T0))
    await queue.schedule(Timer("b", due=T0))
    assert await queue.cancel("a") and not await queue.cancel("a")
    [claim] = (await queue.claim_due(clock.now())).timers
    assert await queue.cancel("b")
    assert not await queue.complete(claim)
    assert await queue.size() == 0


async def test_an_expired_lease_is_claimed_again_with_the_same_fire_key(
    queue: TimerQueue, clock: ManualClock
) -> None:
    await queue.schedule(Timer("t1", due=T0))
    [first] = (await queue.claim_due(clock.now())).timers        # this worker dies here
    clock.advance(queue.lease - timedelta(seconds=1))
    assert (await queue.claim_due(clock.now())).timers == []
    [second] = (await queue.claim_due(clock.advance(timedelta(seconds=1)))).timers
    assert (second.attempt, second.fire_key) == (2, first.fire_key)
    assert not await queue.complete(first)                        # the dead worker's lease is void
    assert await queue.complete(second)


async def test_extend_keeps_a_lease_alive(queue: TimerQueue, clock: ManualClock) -> None:
    await queue.schedule(Timer("t1", due=T0))
    [claim] = (await queue.claim_due(clock.now())).timers
    assert await queue.extend(claim, clock.advance(queue.lease - timedelta(seconds=1)))
    assert (await queue.claim_due(clock.advance(timedelta(seconds=30)))).timers == []
    assert await queue.complete(claim)


async def test_retry_puts_the_timer_back_and_max_attempts_dead_letters_it(
    redis_client: aioredis.Redis, redis_prefix: str, clock: ManualClock
) -> None:
    queue = TimerQueue(redis_client, prefix=redis_prefix, max_attempts=2)
    await queue.schedule(Timer("t1", due=T0))
    [claim] = (await queue.claim_due(clock.now())).timers
    assert await queue.retry(claim, T0 + timedelta(minutes=5))
    assert (await queue.claim_due(clock.advance(timedelta(minutes=4)))).timers == []
    [again] = (await queue.claim_due(clock.advance(timedelta(minutes=1)))).timers
    assert again.attempt == 2
    await queue.retry(again, clock.now())
    batch = await queue.claim_due(clock.now())
    assert batch.timers == [] and [s.reason for s in batch.skipped] == ["dead"]
    assert [s.timer.id for s in await queue.skipped()] == ["t1"]


async def test_shards_spread_timers_and_claims_drain_them_all(
    redis_client: aioredis.Redis, redis_prefix: str, clock: ManualClock
) -> None:
    queue = TimerQueue(redis_client, prefix=redis_prefix, shards=4)
    assert await queue.schedule_many(Timer(f"t{n}", due=T0) for n in range(200)) == 200
    assert len({queue.keys_for(f"t{n}").due for n in range(200)}) == 4
    seen: list[str] = []
    while (batch := await queue.claim_due(clock.now(), limit=30)).timers:
        assert len(batch.timers) <= 30
        seen += [c.timer.id for c in batch.timers]
        for claim in batch.timers:
            await queue.complete(claim)
    assert sorted(seen) == sorted(f"t{n}" for n in range(200))


async def test_pending_lists_the_next_timers_by_due_time(queue: TimerQueue) -> None:
    for n in (3, 1, 2):
        await queue.schedule(Timer(f"t{n}", due=T0 + timedelta(minutes=n)))
    assert [t.id for t in await queue.pending(limit=2)] == ["t1", "t2"]


async def test_every_key_carries_the_prefix_and_one_hash_tag(
    redis_client: aioredis.Redis, redis_prefix: str, queue: TimerQueue, clock: ManualClock
) -> None:
    await queue.schedule(Timer("t1", due=T0, max_lateness=timedelta(0)))
    await queue.schedule(Timer("t2", due=T0 + timedelta(minutes=1)))
    await queue.claim_due(clock.advance(timedelta(minutes=1)))
    keys = [k.decode() async for k in redis_client.scan_iter(match=f"{redis_prefix}*")]
    assert keys and all(k.startswith(f"{redis_prefix}:{{timers:0}}:") for k in keys)


async def test_ids_and_payloads_may_hold_any_text(queue: TimerQueue, clock: ManualClock) -> None:
    await queue.schedule(Timer("lembrete:joão|1:2", due=T0, kind="lembrete",
                               payload={"texto": "Olá, João! Sua consulta é amanhã às 8h 🦷"}))
    [claim] = (await queue.claim_due(clock.now())).timers
    assert claim.timer.id == "lembrete:joão|1:2"
    assert claim.timer.payload == {"texto": "Olá, João! Sua consulta é amanhã às 8h 🦷"}
    assert await queue.complete(claim)


def test_naive_datetimes_and_bad_options_are_refused(redis_client: aioredis.Redis) -> None:
    with pytest.raises(NaiveDatetime, match="pass an aware one"):
        Timer("t", due=datetime(2026, 3, 9, 12, 0))
    with pytest.raises(TimerConfigError, match="shards=0"):
        TimerQueue(redis_client, shards=0)
