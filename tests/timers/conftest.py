from __future__ import annotations

from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis

from runtime.timers import ManualClock, TimerQueue

T0 = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def queue(redis_client: aioredis.Redis, redis_prefix: str) -> TimerQueue:
    return TimerQueue(redis_client, prefix=redis_prefix)
