"""The bot's outbound events as `papo serve` runs them: the subscriptions whose url and secret are set
in the environment deliver; one that is not set is off, said once at start, and emits nothing."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import redis.asyncio as aioredis

from flows.lint_integrations import private_variables
from flows.model import Bot
from runtime.conversations.processor import Processor
from runtime.engine.clock import Clock
from runtime.events import DeliveryPolicy, EventDelivery, EventEmitter, EventOutbox, endpoints_from

log = logging.getLogger(__name__)


def open_events(bot: Bot, processor: Processor, client: aioredis.Redis, *, prefix: str, clock: Clock,
                env: Mapping[str, str], policy: DeliveryPolicy | None = None) -> EventDelivery | None:
    """The delivery of the bot's running subscriptions, with the processor emitting for them; None (and
    nothing emitted) when none runs."""
    endpoints, off = endpoints_from(bot.events, env)
    for line in off:
        log.warning("%s", line)
    if not endpoints:
        return None
    outbox = EventOutbox(client, prefix=prefix, bot=bot.name)
    delivery = EventDelivery(outbox, endpoints, clock, policy=policy or DeliveryPolicy())
    wanted = frozenset().union(*(e.types for e in endpoints))
    processor.events = EventEmitter(outbox, [e.id for e in endpoints], wanted, private=private_variables(bot),
                                    nudge=delivery.nudge)
    log.info("events go to subscription(s) %s", ", ".join(e.id for e in endpoints))
    return delivery
