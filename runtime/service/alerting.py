"""Monitoring alerts forwarded to the data-protection officer's webhook (PAPO_ALERT_WEBHOOK_URL).

Each alert is POSTed as JSON (the fields of `runtime.monitoring.Alert` plus "bot" and "id"), signed
with HMAC-SHA256 of the body in `X-Papo-Signature: sha256=<hex>` when PAPO_ALERT_WEBHOOK_SECRET is
set. A consumer group shares the alerts among processes; one the webhook did not take (an error, a
timeout, a process that died) is tried again a minute later, so delivery is at least once.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging

import aiohttp
from redis.exceptions import RedisError

from runtime.monitoring import AlertBook

log = logging.getLogger(__name__)
PAUSE_S = 1.0  # after a failure, before trying again


class AlertForwarder:
    def __init__(self, book: AlertBook, *, bot: str, url: str, secret: str | None, consumer: str,
                 block_ms: int = 500) -> None:
        self.book, self.bot, self.url, self.secret = book, bot, url, secret
        self.consumer, self.block_ms = consumer, block_ms

    async def run(self, stop: asyncio.Event) -> None:
        grouped = False
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            while not stop.is_set():
                try:
                    if not grouped:
                        await self.book.ensure_group()
                        grouped = True
                    forwarded = await self.forward(session)
                except (RedisError, OSError) as exc:
                    log.warning("alert forwarding paused: %s", type(exc).__name__)
                    forwarded = grouped = False
                if not forwarded:
                    await _pause(stop)

    async def forward(self, session: aiohttp.ClientSession) -> bool:
        """Forward what waits; False when the webhook refused one (it stays pending, retried later)."""
        for alert_id, fields in await self.book.take(self.consumer, block_ms=self.block_ms):
            body = json.dumps({"id": alert_id, "bot": self.bot, **fields}, ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json"}
            if self.secret:
                digest = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
                headers["X-Papo-Signature"] = f"sha256={digest}"
            try:
                async with session.post(self.url, data=body, headers=headers) as answer:
                    ok = answer.status < 300
            except (aiohttp.ClientError, TimeoutError):
                ok = False
            if not ok:
                log.warning("alert webhook refused alert %s (rule %s); tried again later", alert_id, fields.get("rule"))
                return False
            await self.book.done([alert_id])
        return True


async def _pause(stop: asyncio.Event) -> None:
    try:
        await asyncio.wait_for(stop.wait(), PAUSE_S)
    except TimeoutError:
        pass
