"""Dispatching due timers to a handler: one pass (`dispatch_due`), until idle (`drain`), or forever."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from runtime import metrics
from runtime.timers.clock import Clock
from runtime.timers.errors import RetryLater
from runtime.timers.model import ClaimedTimer, SkippedTimer
from runtime.timers.queue import TimerQueue

log = logging.getLogger("papo.timers")

TimerHandler = Callable[[ClaimedTimer], Awaitable[None]]
SkipHandler = Callable[[SkippedTimer], Awaitable[None]]


@dataclass(slots=True)
class DispatchReport:
    fired: int = 0
    failed: int = 0
    lost: int = 0          # completed too late: the lease had been taken over or the timer replaced
    skipped: list[SkippedTimer] = field(default_factory=list)

    def add(self, other: DispatchReport) -> None:
        self.fired += other.fired
        self.failed += other.failed
        self.lost += other.lost
        self.skipped += other.skipped

    @property
    def idle(self) -> bool:
        return not (self.fired or self.failed or self.lost or self.skipped)


@dataclass(slots=True)
class Dispatcher:
    """Claims due timers and runs `handler` on each; a handler that raises is retried later.

    The handler should make its effect idempotent on `claim.fire_key`: a worker that dies after
    the effect but before `complete` leaves the timer to be claimed again once its lease ends.
    """

    queue: TimerQueue
    handler: TimerHandler
    clock: Clock
    batch: int = 100
    retry_after: timedelta = timedelta(minutes=1)
    on_skip: SkipHandler | None = None
    concurrency: int = 1   # handlers run at once within a batch

    async def dispatch_due(self) -> DispatchReport:
        """One claim of up to `batch` timers, each handled and completed."""
        claimed = await self.queue.claim_due(self.clock.now(), self.batch)
        report = DispatchReport(skipped=claimed.skipped)
        for skipped in claimed.skipped:
            log.warning("timer %s skipped (%s), was due %s", skipped.timer.id, skipped.reason,
                        skipped.timer.due.isoformat())
            if self.on_skip is not None:
                await self.on_skip(skipped)
        done = await self._run_handlers(claimed.timers, report)
        for completed in await self.queue.complete_many(done):
            report.fired += completed
            report.lost += not completed
        return report

    async def _run_handlers(self, claims: list[ClaimedTimer], report: DispatchReport) -> list[ClaimedTimer]:
        """Run the handler on each claim; the ones that succeeded, to complete together."""
        gate = asyncio.Semaphore(max(1, self.concurrency))

        async def fire(claim: ClaimedTimer) -> ClaimedTimer | None:
            async with gate:
                try:
                    await self.handler(claim)
                    late = (self.clock.now() - claim.timer.due).total_seconds()
                    metrics.TIMER_LATENESS.labels(claim.timer.kind).observe(max(late, 0.0))
                    metrics.TIMERS_FIRED.labels(claim.timer.kind, "ok").inc()
                    return claim
                except (RedisConnectionError, RedisTimeoutError, OSError):
                    raise  # Redis is away: the claim's lease brings the timer back; `run` says so once
                except RetryLater as why:
                    log.info("timer %s not done yet (%s); trying again in %s", claim.timer.id, why, self.retry_after)
                    await self.queue.retry(claim, self.clock.now() + self.retry_after)
                    report.failed += 1
                    return None
                except Exception:
                    log.exception("timer %s failed on attempt %d; retrying in %s",
                                  claim.timer.id, claim.attempt, self.retry_after)
                    await self.queue.retry(claim, self.clock.now() + self.retry_after)
                    report.failed += 1
                    return None

        if self.concurrency <= 1:
            results = [await fire(claim) for claim in claims]
        else:
            results = list(await asyncio.gather(*(fire(claim) for claim in claims)))
        return [claim for claim in results if claim is not None]

    async def drain(self) -> DispatchReport:
        """Dispatch until nothing is due at the clock's current time (tests, catch-up)."""
        total = DispatchReport()
        while not (report := await self.dispatch_due()).idle:
            total.add(report)
        return total

    async def run(self, stop: asyncio.Event, poll: timedelta = timedelta(milliseconds=500)) -> None:
        """Dispatch until `stop` is set, polling every `poll` while nothing is due; a Redis outage
        is waited out (claims are leased, so nothing is lost meanwhile) and logged once when it
        starts and once when it ends."""
        down = False
        while not stop.is_set():
            try:
                idle = (await self.dispatch_due()).idle
            except (RedisError, OSError) as exc:
                if not down:
                    log.warning("timer dispatch: redis unavailable (%s: %s); retrying every %s until it answers",
                                type(exc).__name__, exc, poll)
                down, idle = True, True
            else:
                if down:
                    log.info("timer dispatch: redis answers again; dispatching")
                down = False
            if idle:
                try:
                    await asyncio.wait_for(stop.wait(), poll.total_seconds())
                except TimeoutError:
                    pass
