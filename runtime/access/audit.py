"""The audit log: one Redis stream, append-only (papo has no route or command that deletes from it).

An entry says when, who (account and role), from where (IP), what (the route's pattern, never a
user id in it), on what (a hashed conversation reference, an account name, a token id), the result
(the HTTP status) and the request id. It never holds request bodies, tokens, passwords, message
texts or variable values. Entries older than five years are trimmed as new ones arrive (ANPD
Resolution 15/2024 keeps incident records five years; the log is their evidence).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import redis.asyncio as aioredis

from runtime.keys import Keys

KEPT = timedelta(days=5 * 365 + 1)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: str
    actor: str  # an account name, "bootstrap" (PAPO_ADMIN_TOKEN), or "-" when nobody authenticated
    role: str
    ip: str
    action: str  # "GET /admin/conversations/{channel}/{user}", "login", ...
    target: str  # a conversation ref, an account, a token id; "" when the action has none
    result: int  # the HTTP status
    request: str  # the request id (X-Request-Id)
    detail: str = ""  # e.g. "unmasked", the names (never the values) of what changed

    def fields(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}


class AuditLog:
    def __init__(self, client: aioredis.Redis, *, prefix: str) -> None:
        self.client = client
        self.key = Keys(prefix).audit()

    async def write(self, entry: AuditEntry) -> None:
        # Stream ids are Redis's own milliseconds, so the cut is made on the wall clock too.
        oldest = int((time.time() - KEPT.total_seconds()) * 1000)
        await self.client.xadd(self.key, entry.fields(), minid=str(oldest), approximate=False)  # type: ignore[arg-type]

    async def recent(self, limit: int = 100, *, since: datetime | None = None) -> list[dict[str, str]]:
        """The newest entries first, at most `limit`, none older than `since`."""
        low = str(int(since.timestamp() * 1000)) if since is not None else "-"
        raw: Any = await self.client.xrevrange(self.key, "+", low, count=limit)
        return [{"id": _text(i)} | {_text(k): _text(v) for k, v in f.items()} for i, f in raw]

    async def between(self, since: datetime, until: datetime) -> list[dict[str, str]]:
        raw: Any = await self.client.xrange(self.key, str(int(since.timestamp() * 1000)),
                                       str(int(until.timestamp() * 1000)))
        return [{_text(k): _text(v) for k, v in f.items()} for _, f in raw]


def _text(raw: object) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)
