"""Data-subject requests (LGPD art. 18, 19): what a patient asked in the chat ("meus dados",
"apagar meus dados", "LGPD"), kept for staff with the legal clock: a full answer within 15 days
(art. 19 II). Staff confirm the person's identity before anything is erased (art. 18 §3), then
answer with the export or the erasure (`DELETE /admin/contacts/...`), which closes the request.

    <prefix>:requests:<bot>   hash  request id -> JSON {id, channel, user, request, opened_at, due_at,
                                    message_id, status, closed_at}
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import redis.asyncio as aioredis

from runtime.keys import ConversationKey, Keys

ANSWER_WITHIN = timedelta(days=15)  # LGPD art. 19 II


class PrivacyRequests:
    def __init__(self, client: aioredis.Redis, *, prefix: str, bot: str) -> None:
        self.client = client
        self.key = Keys(prefix).requests(bot)

    async def open(self, conv: ConversationKey, *, request: str, at: datetime, message_id: str = "") -> dict[str, Any]:
        """A new request, or the contact's open one of the same kind (a patient who asks twice)."""
        for found in await self.all():
            if (found["channel"], found["user"], found["request"], found["status"]) == \
                    (conv.channel, conv.user, request, "open"):
                return found
        record = {"id": uuid.uuid4().hex[:12], "channel": conv.channel, "user": conv.user, "request": request,
                  "opened_at": at.isoformat(), "due_at": (at + ANSWER_WITHIN).isoformat(), "message_id": message_id,
                  "status": "open", "closed_at": None}
        await self.client.hset(self.key, record["id"], json.dumps(record))
        return record

    async def all(self) -> list[dict[str, Any]]:
        raw = await self.client.hgetall(self.key)
        return sorted((json.loads(v) for v in raw.values()), key=lambda r: str(r["opened_at"]))

    async def listed(self, now: datetime) -> list[dict[str, Any]]:
        """Every request, oldest first, with the days left to answer (negative: overdue)."""
        out = []
        for record in await self.all():
            left = datetime.fromisoformat(record["due_at"]) - now
            out.append({**record, "days_left": left.days if record["status"] == "open" else None,
                        "overdue": record["status"] == "open" and left < timedelta(0)})
        return out

    async def close(self, request_id: str, *, at: datetime, status: str = "answered") -> dict[str, Any] | None:
        raw = await self.client.hget(self.key, request_id)
        if raw is None:
            return None
        record = json.loads(raw) | {"status": status, "closed_at": at.isoformat()}
        await self.client.hset(self.key, request_id, json.dumps(record))
        return dict(record)

    async def close_for_erasure(self, users: set[tuple[str, str]], *, at: datetime) -> int:
        """The erased contact's requests are answered; they keep no one's id (the contact is gone)."""
        closed = 0
        for record in await self.all():
            if (record["channel"], record["user"]) in users:
                record |= {"user": "", "status": "erased", "closed_at": at.isoformat(), "message_id": ""}
                await self.client.hset(self.key, record["id"], json.dumps(record))
                closed += 1
        return closed
