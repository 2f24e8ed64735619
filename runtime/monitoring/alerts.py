"""Alerts for the data-protection officer: one Redis stream per bot, read by the admin API
(`GET /admin/alerts`) and forwarded to a webhook by a consumer group (at least once).

An alert names the rule, the conversation's hashed reference, the message id, the direction, the
time and a masked snippet; never the matched value, never the user id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from runtime.keys import Keys
from runtime.monitoring.rules import Hit

KEPT = 10_000  # alerts kept per bot (the webhook and the audit of their handling hold the rest)
GROUP = "webhook"
RECLAIM_MS = 60_000  # an alert a forwarder took and did not acknowledge is tried again after this


@dataclass(frozen=True, slots=True)
class Alert:
    rule: str
    conversation: str  # the hashed reference, e.g. clinica/whatsapp/3f9a0c1b2d
    message: str  # the message id
    direction: str
    at: str
    snippet: str
    actions: str  # comma-separated

    def fields(self) -> dict[str, str]:
        return asdict(self)


class AlertBook:
    def __init__(self, client: aioredis.Redis, *, prefix: str, bot: str, reclaim_ms: int = RECLAIM_MS) -> None:
        self.client = client
        self.key = Keys(prefix).alerts(bot)
        self.reclaim_ms = reclaim_ms

    async def raise_for(self, hits: Sequence[Hit], *, conversation: str, message: str, direction: str,
                        at: str) -> list[Alert]:
        """One alert per hit whose rule alerts; one round trip for all of them, none when there are none."""
        alerts = [Alert(h.rule, conversation, message, direction, at, h.snippet, ",".join(h.actions))
                  for h in hits if "alert" in h.actions]
        if alerts:
            async with self.client.pipeline(transaction=False) as pipe:
                for alert in alerts:
                    pipe.xadd(self.key, alert.fields(), maxlen=KEPT, approximate=True)  # type: ignore[arg-type]
                await pipe.execute()
        return alerts

    async def recent(self, limit: int = 100) -> list[dict[str, str]]:
        raw: Any = await self.client.xrevrange(self.key, count=limit)
        return [{"id": _text(i)} | {_text(k): _text(v) for k, v in f.items()} for i, f in raw]

    async def ensure_group(self) -> None:
        try:
            await self.client.xgroup_create(self.key, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def take(self, consumer: str, *, count: int = 20, block_ms: int = 1000) -> list[tuple[str, dict[str, str]]]:
        """Alerts for `consumer` to forward: ones another forwarder left unacknowledged, else new ones."""
        claimed: Any = await self.client.xautoclaim(self.key, GROUP, consumer, self.reclaim_ms, "0-0", count=count)
        stale: list[Any] = claimed[1]
        if not stale:
            reply: Any = await self.client.xreadgroup(GROUP, consumer, {self.key: ">"}, count=count, block=block_ms)
            stale = [entry for _, entries in reply or [] for entry in entries]
        raw = stale
        return [(_text(i), {_text(k): _text(v) for k, v in f.items()}) for i, f in raw if f]

    async def done(self, ids: Sequence[str]) -> None:
        if ids:
            await self.client.xack(self.key, GROUP, *ids)


def _text(raw: object) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)
