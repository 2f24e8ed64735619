"""The outside world of a bot's turns, built once per bot: intent recognition from the bot's
own data (its `nlu.yml` and its flows' trigger keywords), and later parts' services."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

import nlu
from flows.model import Bot
from flows.nodes import HttpNode
from nlu.config import NluConfig
from nlu.faq import FaqIndex
from nlu.pipeline import NLU
from nlu.rasa_http import RasaHTTPNLU
from runtime.engine.clock import Clock, SystemClock
from runtime.integrations import HttpClient
from runtime.llm import llm_fallback
from runtime.nodes.context import example_index
from runtime.nodes.services import BotServices
from runtime.scheduling import Scheduler, load_calendar
from runtime.scheduling.loading import CALENDAR_FILE
from runtime.timers import TimerQueue

log = logging.getLogger(__name__)


def training_data(bot: Bot) -> nlu.TrainingData:
    """Examples the flows themselves give: each trigger keyword of a flow that names intents is
    an example of its first intent."""
    examples = [nlu.Example(keyword, flow.triggers.intents[0])
                for flow in bot.flows.values() if flow.triggers.intents
                for keyword in flow.triggers.keywords]
    return nlu.TrainingData(examples)


class Reader:
    """What the engine reads messages with: the embedded NLU, or a running Rasa server's
    /model/parse that falls back to the embedded NLU when it is down or slow."""

    def __init__(self, embedded: NLU, remote: RasaHTTPNLU | None = None) -> None:
        self.embedded = embedded
        self.remote = remote

    @property
    def fallback_intent(self) -> str:
        return self.embedded.fallback_intent

    async def parse(self, text: str, now: datetime | None = None) -> dict[str, Any]:
        if self.remote is not None:
            return await self.remote.parse(text, now)
        return self.embedded.parse(text, now)

    async def aclose(self) -> None:
        if self.remote is not None:
            await self.remote.aclose()


def reader(bot: Bot, root: Path) -> Reader | None:
    embedded = understanding(bot, root)
    if embedded is None:
        return None
    url = bot.nlu.rasa_url
    remote = RasaHTTPNLU(url, embedded, timeout=bot.nlu.rasa_timeout) if url else None
    return Reader(embedded, remote)


def understanding(bot: Bot, root: Path) -> NLU | None:
    """The bot's NLU, trained (or read from its cache) from nlu.yml and the flows; None when the
    bot has no intents at all."""
    if not (root / "nlu.yml").exists() and not any(f.triggers.intents for f in bot.flows.values()):
        return None
    config = NluConfig.from_settings(bot.nlu, timezone=bot.timezone, bot_dir=root)
    return NLU.from_bot(root, training_data(bot), config)


TIMER_LEASE = timedelta(seconds=60)  # how long a claimed timer is kept before another process takes it


def build_services(bot: Bot, root: Path, *, redis: aioredis.Redis | None = None, prefix: str = "papo",
                   clock: Clock | None = None, base: BotServices | None = None,
                   timer_lease: timedelta = TIMER_LEASE) -> BotServices:
    """The bot's services. With a Redis client also its conversation timers, and its scheduler when
    the folder has a calendar.json. `base` reuses already built services (one NLU for many harnesses)."""
    if base is None:
        understood = reader(bot, root)
        base = BotServices(nlu=understood, faq=FaqIndex.from_settings(bot.faq, bot.faq_settings) if bot.faq else None,
                           examples=example_index(bot, understood.embedded.data if understood else None),
                           http=HttpClient(bot.http) if calls_out(bot) else None)
    if redis is None:
        return base
    return replace(base, **scheduling(bot, root, redis, prefix=prefix, clock=clock or SystemClock(), lease=timer_lease),
                   llm=llm_fallback(bot, redis, prefix=prefix))


def calls_out(bot: Bot) -> bool:
    """Whether a flow of the bot has an `http` node."""
    return any(isinstance(n, HttpNode) for f in bot.flows.values() for n in f.nodes.values())


def scheduling(bot: Bot, root: Path, redis: aioredis.Redis, *, prefix: str, clock: Clock,
               lease: timedelta) -> dict[str, Any]:
    """Timers under `<prefix>:<bot>` (a claim kept for `lease`), and the calendar (its id: the bot's
    name) when there is one."""
    timers = TimerQueue(redis, prefix=prefix, bot=bot.name, lease=lease)
    if not (root / CALENDAR_FILE).exists():
        return {"timers": timers, "scheduler": None}
    calendar = load_calendar(root, calendar_id=bot.name)
    return {"timers": timers,
            "scheduler": Scheduler.with_redis(calendar, redis, prefix=prefix, clock=clock, timers=timers)}
