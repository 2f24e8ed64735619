"""The bots a `papo serve` process serves, opened as soon as Redis answers.

A process may start before Redis does (a whole deployment starting at once, Redis restarting):
it does not exit. Its HTTP server answers at once (`/healthz` 200, `/readyz` and every other
route 503, so Meta retries and a load balancer waits), and the bots open in the background,
retried with backoff, logged once when the wait starts and once when it ends. A broken bot
folder is refused at start as before.

`Bots.reload` (SIGHUP under `papo serve`) reads every bot folder again: a bot whose folder has no
errors runs its new flows from the next conversation on (the running ones finish on their version),
a broken one is refused and keeps serving, and a folder new in `--bots-dir` opens and starts.
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
from runtime.events.delivery import first_set
from runtime.service.bot_service import Role, Service
from runtime.service.campaign_runner import campaign_runner

log = logging.getLogger(__name__)

FIRST_RETRY_S = 0.5
MAX_RETRY_S = 5.0


@dataclass
class Bots:
    """The open bots by name, first one first; empty until they open, with `waiting` saying why."""

    by_name: dict[str, Service] = field(default_factory=dict)
    waiting: str = "the bots are not loaded yet"
    failed: str | None = None  # a bot that could not be loaded at a later try: the process is broken
    reload: asyncio.Event = field(default_factory=asyncio.Event)  # set (SIGHUP): read the bot folders again
    found: Callable[[], Sequence[str | Path]] = tuple  # the bot folders to serve now (--bots-dir: new ones too)

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


def bot_folders(parent: Path) -> list[Path]:
    """Every folder under `parent` that holds a bot.json, by name; ConfigError when there is none."""
    if not parent.is_dir():
        raise ConfigError(f"--bots-dir {parent} is not a folder; pass the folder that holds one folder per bot")
    found = sorted(p for p in parent.iterdir() if (p / "bot.json").is_file())
    if not found:
        raise ConfigError(f"--bots-dir {parent} holds no bot folder (a folder with a bot.json); "
                          "create one with `papo new`")
    return found


async def keep_bots(bots: Bots, opener: Callable[[], Awaitable[list[Service]]], role: Role, *,
                    tried: asyncio.Event, stop: asyncio.Event,
                    open_one: Callable[[str | Path], Awaitable[Service]] | None = None) -> None:
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
                await stack.enter_async_context(campaign_runner(service, role))
            while not stop.is_set():
                await first_set(stop, bots.reload)
                if bots.reload.is_set() and not stop.is_set():
                    bots.reload.clear()
                    for service in await reload_bots(bots, open_one):
                        services.append(service)
                        bots.by_name[service.library.name] = service
                        metrics.INFO.labels(service.library.name, role).set(1)
                        await stack.enter_async_context(service.running(role))
                        await stack.enter_async_context(campaign_runner(service, role))
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


async def reload_bots(bots: Bots, open_one: Callable[[str | Path], Awaitable[Service]] | None) -> list[Service]:
    """Reload every served bot from its folder, and open the folders not served yet; returns the new ones."""
    served = {s.library.root.resolve() for s in bots.by_name.values()}
    for service in bots.by_name.values():
        result = service.library.reload()
        if result.bot is not None:
            await service.library.publish()
            log.info("bot %s reloaded from %s (%d flows)", service.library.name, service.library.root,
                     len(result.bot.flows))
    opened: list[Service] = []
    for folder in bots.found():
        if Path(folder).resolve() in served or open_one is None:
            continue
        try:
            service = await open_one(folder)
        except Exception as exc:  # a broken new folder is refused; the others keep serving
            log.warning("bot folder %s not served: %s: %s", folder, type(exc).__name__, str(exc).splitlines()[0])
            continue
        if service.library.name in bots.by_name:
            log.warning("bot folder %s not served: bot %r is served already", folder, service.library.name)
            await service.aclose()
            continue
        log.info("bot %s opened from %s", service.library.name, folder)
        opened.append(service)
    return opened

