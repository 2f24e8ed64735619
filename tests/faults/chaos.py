"""The faults of the campaign, injected while the traffic runs: SIGKILLs and a Redis crash."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import redis.asyncio as aioredis

from . import tally as T
from .cluster import Cluster, RedisServer, until
from .graph import Graph
from .meta import Outages
from .patients import Progress

SENTINEL = "faults:sentinel"   # written just before the crash: acknowledged, so it must survive it
APART_S = 5.0   # between a sender SIGKILL and a Redis crash: longer than a send and its bookkeeping


@dataclass
class Clock:
    """Seconds since the campaign began, and a timeline of what happened (for report.txt)."""

    report: T.Report
    began: float = field(default_factory=lambda: asyncio.get_running_loop().time())

    def now(self) -> float:
        return asyncio.get_running_loop().time() - self.began

    def note(self, what: str) -> None:
        self.report.timeline.append(f"{self.now():7.1f} s  {what}")


@dataclass(frozen=True, slots=True)
class Fault:
    at: float                                   # the fraction of the scripted traffic it waits for
    what: str
    act: Callable[[], Awaitable[None]]
    kind: str = ""                              # "sender" or "redis": kept apart, so each copy has one cause


@dataclass
class Chaos:
    """Faults, each injected once the scripted traffic reached its fraction; the traffic waits there
    until it is. A sender SIGKILL and a Redis crash are kept `APART_S` apart, so that a copy of a reply
    can be told to come from one or the other."""

    clock: Clock
    progress: Progress
    faults: list[Fault]
    injected: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    _ended: dict[str, float] = field(default_factory=dict)

    async def run(self) -> None:
        for fault in self.faults:
            self.progress.limit = fault.at

            async def reached(fault: Fault = fault) -> bool:
                return (self.progress.fraction() >= fault.at or self.progress.done) and self._apart(fault)
            await until(reached, timeout=3600)
            if self.progress.fraction() < fault.at:
                self.skipped.append(fault.what)
                continue
            self.clock.note(f"{fault.what} (at {self.progress.fraction():.0%} of the traffic)")
            await fault.act()
            self.clock.note(f"{fault.what}: done")
            self.injected.append(fault.what)
            if fault.kind:
                self._ended[fault.kind] = self.clock.now()
        self.progress.limit = float("inf")

    def _apart(self, fault: Fault) -> bool:
        return all(self.clock.now() >= ended + APART_S for kind, ended in self._ended.items()
                   if fault.kind and kind != fault.kind)


@dataclass
class RedisCrash:
    """kill -9 on Redis while sends wait on the Graph API; a process is started while it is down; then
    Redis comes back from its AOF, and everything written before the crash must be there."""

    redis: RedisServer
    cluster: Cluster
    graph: Graph
    outages: Outages
    report: T.Report
    clock: Clock
    appointments: str                # the calendar's appointments hash: it must survive the crash
    victim: str = "timers"
    in_flight: int = 0               # sends waiting on the Graph API when Redis went down

    async def __call__(self) -> None:
        normal, self.graph.delay = self.graph.delay, (0.5, 1.5)

        async def sending() -> bool:
            return self.graph.in_flight >= 3
        await until(sending, timeout=10)
        sentinel, before = await self._mark()
        victim = self.cluster[self.victim]
        await victim.sigkill()
        self.outages.begin()
        self.in_flight = self.graph.in_flight
        await self.redis.crash()
        exits = len(victim.exits)
        await victim.start(self.cluster.bot)  # a process started while Redis is down waits for it, not exit

        async def settled() -> bool:
            return len(victim.exits) > exits or await victim.serving()
        await until(settled, timeout=60)
        self.clock.note(f"Redis down; {self.victim} {'exited' if len(victim.exits) > exits else 'serves'}")
        await self.redis.restart()
        self.outages.end()
        self.graph.delay = normal
        await self._check(sentinel, before)

    async def _mark(self) -> tuple[str, set[bytes]]:
        sentinel = uuid.uuid4().hex
        async with aioredis.Redis.from_url(self.redis.url) as client:
            await client.set(SENTINEL, sentinel)
            return sentinel, set(await client.hkeys(self.appointments))

    async def _check(self, sentinel: str, before: set[bytes]) -> None:
        async with aioredis.Redis.from_url(self.redis.url) as client:
            if await client.get(SENTINEL) != sentinel.encode():
                self.report[T.AOF].add("the sentinel written before the crash is gone")
            for lost in before - set(await client.hkeys(self.appointments)):
                self.report[T.AOF].add(f"appointment {lost!r} is gone")
