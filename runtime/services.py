"""The outside world of a bot's turns, built once per bot: intent recognition from the bot's
own data (its `nlu.yml` and its flows' trigger keywords), and later parts' services."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

import nlu
from flows.model import Bot
from nlu.config import NluConfig
from nlu.pipeline import NLU

from .clock import Clock, SystemClock
from .engine import Services
from .scheduling import Scheduler, load_calendar
from .scheduling.loading import CALENDAR_FILE
from .timers import TimerQueue

log = logging.getLogger(__name__)


def training_data(bot: Bot) -> nlu.TrainingData:
    """Examples the flows themselves give: each trigger keyword of a flow that names intents is
    an example of its first intent."""
    examples = [nlu.Example(keyword, flow.triggers.intents[0])
                for flow in bot.flows.values() if flow.triggers.intents
                for keyword in flow.triggers.keywords]
    return nlu.TrainingData(examples)


def understanding(bot: Bot, root: Path) -> NLU | None:
    """The bot's NLU, trained (or read from its cache) from nlu.yml and the flows; None when the
    bot has no intents at all."""
    if not (root / "nlu.yml").exists() and not any(f.triggers.intents for f in bot.flows.values()):
        return None
    settings = dict(bot.nlu)
    settings.setdefault("timezone", bot.timezone)
    config = NluConfig.from_mapping(settings, bot_dir=root)
    return NLU.from_bot(root, training_data(bot), config)


def build_services(bot: Bot, root: Path, *, redis: aioredis.Redis | None = None, prefix: str = "papo",
                   clock: Clock | None = None, base: Services | None = None) -> Services:
    """The bot's services. With a Redis client also its conversation timers, and its scheduler when
    the folder has a calendar.json. `base` reuses already built services (one NLU for many harnesses)."""
    if base is None:
        base = Services(nlu=understanding(bot, root))
    if redis is None:
        return base
    return replace(base, **scheduling(bot, root, redis, prefix=prefix, clock=clock or SystemClock()))


def scheduling(bot: Bot, root: Path, redis: aioredis.Redis, *, prefix: str, clock: Clock) -> dict[str, Any]:
    """Timers under `<prefix>:<bot>`, and the calendar (its id: the bot's name) when there is one."""
    timers = TimerQueue(redis, prefix=f"{prefix}:{bot.name}")
    if not (root / CALENDAR_FILE).exists():
        return {"timers": timers, "scheduler": None}
    calendar = load_calendar(root, calendar_id=bot.name)
    return {"timers": timers,
            "scheduler": Scheduler.with_redis(calendar, redis, prefix=prefix, clock=clock, timers=timers)}
