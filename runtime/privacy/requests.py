"""Data-subject requests (LGPD art. 18, 19): what a patient asked in the chat ("meus dados",
"apagar meus dados", "LGPD"), kept for staff with the legal clock: a full answer within 15 days
(art. 19 II). Staff confirm the person's identity before anything is erased (art. 18 §3), then
answer with the export or the erasure (`DELETE /admin/contacts/...`), which closes the request.

    <prefix>:requests:<bot>   hash  request id -> JSON {id, channel, conversation (its digest), request,
                                    opened_at, due_at, message_id, status, closed_at}

The register is shared by the bot's contacts, so it names each by the conversation's digest; staff
see the user id, read back through `Keys.who` while the conversation exists.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import redis.asyncio as aioredis

from runtime.keys import ConversationKey, Keys
from runtime.privacy.names import Directory

ANSWER_WITHIN = timedelta(days=15)  # LGPD art. 19 II


class PrivacyRequests:
    def __init__(self, client: aioredis.Redis, *, prefix: str, bot: str) -> None:
        self.client = client
        self.key = Keys(prefix).requests(bot)
        self.names = Directory(client, prefix=prefix, bot=bot)

    async def open(self, conv: ConversationKey, *, request: str, at: datetime, message_id: str = "") -> dict[str, Any]:
        """A new request, or the contact's open one of the same kind (a patient who asks twice)."""
        for found in await self.all():
            if of(found) in (conv.digest, conv.user) and (found["request"], found["status"]) == (request, "open"):
                return found
        record = {"id": uuid.uuid4().hex[:12], "channel": conv.channel, "conversation": conv.digest,
                  "request": request, "opened_at": at.isoformat(), "due_at": (at + ANSWER_WITHIN).isoformat(),
                  "message_id": message_id, "status": "open", "closed_at": None}
        async with self.client.pipeline(transaction=False) as pipe:
            self.names.remember(pipe, conv)
            pipe.hset(self.key, record["id"], json.dumps(record))
            await pipe.execute()
        return record

    async def all(self) -> list[dict[str, Any]]:
        raw = await self.client.hgetall(self.key)
        return sorted((json.loads(v) for v in raw.values()), key=lambda r: str(r["opened_at"]))

    async def listed(self, now: datetime) -> list[dict[str, Any]]:
        """Every request, oldest first, with the contact's user id (None once erased) and the days left
        to answer (negative: overdue)."""
        records = await self.all()
        named = await self.names.resolve(r["conversation"] for r in records if r.get("conversation"))
        out = []
        for record in records:
            left = datetime.fromisoformat(record["due_at"]) - now
            key = named.get(record.get("conversation") or "")
            user = key.user if key is not None else record.get("user") or None
            out.append({**record, "user": user, "days_left": left.days if record["status"] == "open" else None,
                        "overdue": record["status"] == "open" and left < timedelta(0)})
        return out

    async def close(self, request_id: str, *, at: datetime, status: str = "answered") -> dict[str, Any] | None:
        raw = await self.client.hget(self.key, request_id)
        if raw is None:
            return None
        record = json.loads(raw) | {"status": status, "closed_at": at.isoformat()}
        await self.client.hset(self.key, request_id, json.dumps(record))
        return dict(record)

    async def of_contact(self, convs: list[ConversationKey]) -> list[dict[str, Any]]:
        """The requests of these conversations (a contact's number forms)."""
        names = {(c.channel, c.digest) for c in convs} | {(c.channel, c.user) for c in convs}
        return [r for r in await self.all() if (r["channel"], of(r)) in names]

    async def close_for_erasure(self, convs: list[ConversationKey], *, at: datetime) -> int:
        """The erased contact's requests are answered; they keep no one's name (the contact is gone)."""
        closed = 0
        for record in await self.of_contact(convs):
            record |= {"conversation": "", "user": "", "status": "erased", "closed_at": at.isoformat(),
                       "message_id": ""}
            await self.client.hset(self.key, record["id"], json.dumps(record))
            closed += 1
        return closed


def of(record: dict[str, Any]) -> str:
    """Who a request is of: its conversation's digest, or the user id a release before digests kept."""
    return str(record.get("conversation") or record.get("user") or "")
