"""A webhook POST, from raw bytes to queued events: verify, parse, accept in timestamp order, signal.

The caller answers 200 only after this returns, i.e. after Redis acknowledged every write.
Statuses update delivery records and never start a turn; echoes and malformed items are
logged (kind and place only: no phone numbers, no bodies) and acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from connectors import Connector
from flows.messages import DeliveryStatus

from .service import Service
from .state import ConversationKey

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Ingested:
    events: int = 0
    duplicates: int = 0
    statuses: int = 0
    skipped: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


async def ingest(service: Service, connector: Connector, body: bytes, headers: Mapping[str, str]) -> Ingested:
    """Raises BadSignature (401), BadPayload (400), or a Redis error (503: Meta retries)."""
    connector.verify(body, headers)
    parsed = connector.parse(body)
    processor = service.processor
    touched: list[ConversationKey] = []
    duplicates = 0
    for event in sorted(parsed.events, key=lambda e: e.at):  # Meta does not deliver in order
        if await processor.accept(event) is None:
            duplicates += 1
        touched.append(processor.key_for(event))
    # Signalled also for duplicates: a crash between accept and signal is healed by Meta's retry.
    await service.work.signal(*touched)
    await asyncio.gather(*(_status(service, s) for s in parsed.statuses))
    for item in parsed.skipped:
        log.info("webhook item skipped channel=%s kind=%s where=%s", connector.channel, item.kind, item.where)
        log.debug("skipped because: %s", item.reason)
    return Ingested(len(parsed.events) - duplicates, duplicates, len(parsed.statuses), len(parsed.skipped))


async def _status(service: Service, status: DeliveryStatus) -> None:
    if not status.user:
        log.info("status %s for a message without a recipient ignored channel=%s", status.status, status.channel)
        return
    key = ConversationKey(service.library.name, status.channel, status.user)
    if not await service.deliveries.apply(key, status):
        log.debug("status %s conv=%s repeated or older than the record; unchanged", status.status, key)
