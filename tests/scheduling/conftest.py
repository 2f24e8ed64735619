from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import fakeredis
import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from runtime.scheduling import Calendar, HttpCalendar, RedisCalendar, Scheduler, parse_calendar
from runtime.timers import ManualClock, TimerQueue

from .clinic_system import ClinicSystem

SP = ZoneInfo("America/Sao_Paulo")
TOKEN = "s3cret"
# Monday 2026-03-09, 09:00 in São Paulo
T0 = datetime(2026, 3, 9, 9, 0, tzinfo=SP).astimezone(UTC)

CLINIC: dict[str, Any] = {
    "timezone": "America/Sao_Paulo",
    "booking": {"min_notice_minutes": 60, "cancel_min_notice_minutes": 120, "max_days_ahead": 30,
                "hold_minutes": 10},
    "services": {
        "consulta": {"name": "Consulta", "duration_minutes": 30, "price": {"amount": 250, "currency": "BRL"}},
        "retorno": {"name": "Retorno", "duration_minutes": 20},
    },
    "professionals": {
        "dra_ana": {
            "name": "Dra. Ana Souza",
            "services": ["consulta", "retorno"],
            "hours": {day: [{"from": "08:00", "to": "12:00"}, {"from": "14:00", "to": "18:00"}]
                      for day in ("mon", "tue", "wed", "thu", "fri")},
            "breaks": [{"from": "10:00", "to": "10:15"}],
        },
        "dr_bruno": {
            "name": "Dr. Bruno Lima",
            "services": ["consulta"],
            "hours": {"tue": [{"from": "13:00", "to": "19:00"}], "thu": [{"from": "13:00", "to": "19:00"}],
                      "sat": [{"from": "08:00", "to": "12:00"}]},
            "closures": [{"from": "2026-03-19T00:00", "to": "2026-03-20T00:00", "reason": "congresso"}],
        },
    },
    "holidays": [{"date": "2026-04-03", "name": "Sexta-feira Santa"}],
    "closures": [{"from": "2026-03-12T14:00", "to": "2026-03-12T18:00", "reason": "dedetização"}],
    "reminders": [{"id": "24h", "before_minutes": 1440, "max_lateness_minutes": 180},
                  {"id": "2h", "before_minutes": 120, "max_lateness_minutes": 30}],
}


def clinic_data() -> dict[str, Any]:
    return copy.deepcopy(CLINIC)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A São Paulo wall time as a UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=SP).astimezone(UTC)


@pytest.fixture
def calendar() -> Calendar:
    return parse_calendar(clinic_data(), calendar_id="clinica")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def timers(redis_client: aioredis.Redis, redis_prefix: str) -> TimerQueue:
    return TimerQueue(redis_client, prefix=redis_prefix)


@pytest.fixture
def redis_scheduler(calendar: Calendar, redis_client: aioredis.Redis, redis_prefix: str,
                    clock: ManualClock, timers: TimerQueue) -> Scheduler:
    return Scheduler.with_redis(calendar, redis_client, prefix=redis_prefix, clock=clock, timers=timers)


@pytest.fixture(params=["redis", "http", "fakeredis"])
async def scheduler(request: pytest.FixtureRequest, calendar: Calendar, redis_client: aioredis.Redis,
                    redis_prefix: str, clock: ManualClock, timers: TimerQueue) -> AsyncIterator[Scheduler]:
    """The same scheduler contract over each provider: Redis, the HTTP contract, fakeredis."""
    if request.param == "redis":
        yield Scheduler.with_redis(calendar, redis_client, prefix=redis_prefix, clock=clock, timers=timers)
    elif request.param == "fakeredis":
        fake = fakeredis.FakeAsyncRedis()
        yield Scheduler.with_redis(calendar, fake, clock=clock, timers=timers)
        await fake.aclose()
    else:
        system = ClinicSystem(RedisCalendar(calendar, redis_client, prefix=f"{redis_prefix}:clinic"), TOKEN)
        server = TestServer(system.app, host="127.0.0.1", port=0)
        await server.start_server()
        remote = Scheduler(calendar, HttpCalendar(str(server.make_url("/api")), token=TOKEN), clock=clock,
                           timers=timers)
        yield remote
        await remote.aclose()
        await server.close()
