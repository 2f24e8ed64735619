"""The bots a `papo serve` process serves, opened as soon as Redis answers.

A process may start before Redis does (a whole deployment starting at once, Redis restarting):
it does not exit. Its HTTP server answers at once (`/healthz` 200, `/readyz` and every other
route 503, so Meta retries and a load balancer waits), and the bots open in the background,
retried with backoff, logged once when the wait starts and once when it ends. A broken bot
folder is refused at start as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from redis.exceptions import RedisError

from runtime import metrics
from runtime.engine.errors import ConfigError
from runtime.service.bot_service import Role, Service

log = logging.getLogger(__name__)

FIRST_RETRY_S = 0.5
MAX_RETRY_S = 5.0


@dataclass
class Bots:
    """The open bots by name, first one first; empty until they open, with `waiting` saying why."""

    by_name: dict[str, Service] = field(default_factory=dict)
    waiting: str = "the bots are not loaded yet"
    failed: str | None = None  # a bot that could not be loaded at a later try: the process is broken

    @property
    def first(self) -> Service | None:
        return next(iter(self.by_name.values()), None)


async def open_bots(botdirs: Sequence[str | Path], open_one: Callable[[str | Path], Awaitable[Service]]
                    ) -> list[Service]:
    """Every bot, open; none is left open when one fails."""
    services: list[Service] = []
    try:
        for folder in botdirs:
            services.append(await open_one(folder))
        names = [s.library.name for s in services]
        if len(set(names)) != len(names):
            raise ConfigError(f"two bot folders have the same name: {', '.join(names)}; rename one in bot.json")
        return services
    except BaseException:
        for service in services:
            await service.aclose()
        raise


async def keep_bots(bots: Bots, opener: Callable[[], Awaitable[list[Service]]], role: Role, *,
                    tried: asyncio.Event, stop: asyncio.Event) -> None:
    """Open the bots (waiting for Redis), run the role's loops until `stop`, then close them.

    `tried` is set after the first try, whatever came of it: an error other than Redis's at the
    first try ends this coroutine with that error, for the caller to refuse to start.
    """
    services = await _open_when_redis_answers(bots, opener, tried)
    try:
        bots.by_name.update((s.library.name, s) for s in services)
        for service in services:
            metrics.INFO.labels(service.library.name, role).set(1)
        tried.set()
        async with contextlib.AsyncExitStack() as stack:
            for service in services:
                await stack.enter_async_context(service.running(role))
            await stop.wait()
    finally:
        for service in services:
            await service.aclose()


async def _open_when_redis_answers(bots: Bots, opener: Callable[[], Awaitable[list[Service]]],
                                   tried: asyncio.Event) -> list[Service]:
    delay = FIRST_RETRY_S
    while True:
        try:
            services = await opener()
        except (RedisError, OSError) as exc:
            if not tried.is_set():
                log.warning("redis does not answer (%s: %s); waiting for it, retrying up to every %g s; "
                            "not ready meanwhile", type(exc).__name__, exc, MAX_RETRY_S)
            bots.waiting = f"waiting for Redis, which does not answer ({type(exc).__name__})"
            tried.set()
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_S)
            continue
        except Exception as exc:
            if tried.is_set():  # after start: say so, and be neither ready nor healthy
                log.error("the bots could not be loaded: %s: %s", type(exc).__name__, exc)
                bots.failed = bots.waiting = f"the bots could not be loaded ({type(exc).__name__}: {exc})"
                raise
            tried.set()
            raise
        if tried.is_set():
            log.info("redis answers; bot(s) %s loaded", ", ".join(s.library.name for s in services))
        return services
