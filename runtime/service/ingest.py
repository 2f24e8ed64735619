"""A webhook POST, from raw bytes to queued events: verify, parse, accept in timestamp order, signal.

The caller answers 200 only after this returns, i.e. after Redis acknowledged every write.
Statuses update delivery records and never start a turn; echoes and malformed items are
logged (kind and place only: no phone numbers, no bodies) and acknowledged. Items papo could
not read (malformed, unknown, errors Meta reported) are also listed for staff with the bot's
failures (`GET /admin/failures`, kind "webhook"), next to the messages a channel refused.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from connectors import BadSignature, Connector, Skipped
from flows.messages import DeliveryStatus, InboundEvent
from runtime.conversations import keys as C
from runtime.conversations.keys import ConversationKey
from runtime.keys import conversation_ref
from runtime.service.bot_service import Service

log = logging.getLogger(__name__)

RECORDED = frozenset({"malformed", "unknown", "error"})  # echoes, standby and other fields are normal traffic


@dataclass(frozen=True, slots=True)
class Ingested:
    events: int = 0
    duplicates: int = 0
    statuses: int = 0
    skipped: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


async def ingest(services: Sequence[Service], channel: str, body: bytes, headers: Mapping[str, str]) -> Ingested:
    """Raises BadSignature (401), BadPayload (400), or a Redis error (503: Meta retries).

    `services` are the bots serving `channel`; each event goes to the bot whose account (phone
    number id, Page id, Instagram id) it was sent to.
    """
    connector = _verified(services, channel, body, headers)
    parsed = connector.parse(body)
    routes = _Routes(services, channel)
    events: dict[str, list[InboundEvent]] = defaultdict(list)
    statuses: dict[str, list[DeliveryStatus]] = defaultdict(list)
    unrouted = 0
    for event in parsed.events:
        if (bot := routes.bot_for(event.business)) is None:
            unrouted += 1
            continue
        events[bot].append(within(event, routes.services[bot].settings.max_text_chars))
    for status in parsed.statuses:
        if (bot := routes.bot_for(status.business)) is not None:
            statuses[bot].append(status)
    if unrouted:
        log.warning("webhook channel=%s: %d event(s) for an account no bot here serves", channel, unrouted)
    duplicates = 0
    for bot, inbound in events.items():
        duplicates += await _accept(routes.services[bot], inbound)
    for bot, reports in statuses.items():
        await asyncio.gather(*(_status(routes.services[bot], s) for s in reports))
    for item in parsed.skipped:
        log.info("webhook item skipped channel=%s kind=%s where=%s", channel, item.kind, item.where)
        log.debug("skipped because: %s", item.reason)
    await _record_skipped(routes, channel, parsed.skipped)
    accepted = len(parsed.events) - duplicates - unrouted
    return Ingested(accepted, duplicates, len(parsed.statuses), len(parsed.skipped) + unrouted)


def within(event: InboundEvent, limit: int) -> InboundEvent:
    """`event` with its text cut to `limit` characters, before it is stored or read (a 5 MB text would
    hold the process for seconds); `data.cut_from` keeps the length it had."""
    if len(event.text) <= limit:
        return event
    log.info("inbound text of %d characters cut to %d (PAPO_MAX_TEXT_CHARS) channel=%s", len(event.text), limit,
             event.channel)
    return replace(event, text=event.text[:limit], data={**event.data, "cut_from": len(event.text)})


def _verified(services: Sequence[Service], channel: str, body: bytes, headers: Mapping[str, str]) -> Connector:
    """The first bot's connector whose app secret signed this body (bots may share one Meta app)."""
    refused: BadSignature | None = None
    for service in services:
        connector = service.connectors[channel]
        try:
            connector.verify(body, headers)
            return connector
        except BadSignature as exc:
            refused = refused or exc
    assert refused is not None
    raise refused


class _Routes:
    def __init__(self, services: Sequence[Service], channel: str) -> None:
        self.services = {s.library.name: s for s in services}
        self.accounts: dict[str, str] = {}
        for service in services:
            settings = service.settings.channel(channel)
            if settings is not None:
                self.accounts.setdefault(settings.account_id, service.library.name)

    def bot_for(self, business: str) -> str | None:
        if business in self.accounts:
            return self.accounts[business]
        return next(iter(self.services)) if len(self.services) == 1 else None


async def _record_skipped(routes: _Routes, channel: str, items: Sequence[Skipped]) -> None:
    """List the items staff should see with the failures of the bot they were sent to (else the first bot)."""
    by_bot: dict[str, list[Skipped]] = defaultdict(list)
    for item in items:
        if item.kind in RECORDED:
            by_bot[routes.bot_for(item.business) or next(iter(routes.services))].append(item)
    for bot, skipped in by_bot.items():
        service = routes.services[bot]
        at = service.processor.clock.now().isoformat()
        async with service.client.pipeline(transaction=False) as pipe:
            for item in skipped:
                record = {"kind": "webhook", "skipped": item.kind, "channel": channel, "where": item.where,
                          "reason": item.reason, "id": item.id, "at": at,
                          "ref": conversation_ref(bot, channel, item.user) if item.user else ""}  # no phone number
                pipe.xadd(service.deliveries.keys.failures(bot), {"f": json.dumps(record)},
                          maxlen=C.FAILURES_KEPT, approximate=True)
            await pipe.execute()


async def _accept(service: Service, events: list[InboundEvent]) -> int:
    processor = service.processor
    ordered = sorted(events, key=lambda e: e.at)  # Meta does not deliver in order
    touched = [processor.key_for(e) for e in ordered]
    addresses = {processor.key_for(e): address for e in events
                 if (address := service.connectors[e.channel].address(e))}
    # One round trip: the events, where replies go, and the work signals, also for duplicates (a crash
    # after a first try's accept and before its signal is healed by Meta's retry).
    ids = await processor.accept_all(ordered, addresses=addresses,
                                     then=lambda pipe: service.work.queue(pipe, *touched))
    service.work.nudge()
    return sum(1 for queued in ids if queued is None)


async def _status(service: Service, status: DeliveryStatus) -> None:
    if not status.user:
        log.info("status %s for a message without a recipient ignored channel=%s", status.status, status.channel)
        return
    key = ConversationKey(service.library.name, status.channel, status.user)
    if not await service.deliveries.apply(key, status):
        log.debug("status %s conv=%s repeated or older than the record; unchanged", status.status, key)
