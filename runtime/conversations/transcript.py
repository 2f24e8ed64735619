"""A conversation's transcript: every message in and out, staff notes and staff actions, newest last.

One capped Redis stream per conversation (`Keys.transcript`, under the conversation's hash tag), with
the state's TTL. A turn's lines are written by the commit script itself (`RedisStore.commit`), so the
transcript costs no round trip on a message's path; staff replies, notes and actions are appended by
`TranscriptBook.add`, off that path. Each entry is one JSON object:

    {"id", "dir": "in" | "out" | "note" | "event", "by": "patient" | "bot" | "staff" | "system",
     "text", "at" (ISO time), "where": "<flow>/<node>"?, "options": [titles]?, "staff": name?,
     "template": name?, "kind": inbound kind?}

Delivery status is not stored here: it is joined from the delivery records when a page is read.
Texts arrive here already masked (monitoring rules mask card numbers before anything is stored).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from flows.messages import InboundEvent, OutboundMessage
from runtime.conversations import keys as C
from runtime.conversations.keys import ConversationKey, Keys

Line = dict[str, Any]


def inbound_line(event: InboundEvent, *, at: str) -> Line | None:
    """The patient's message as a transcript line; None for timers and system events."""
    if event.kind in ("timer", "system"):
        return None
    text = event.text or (f"[{event.kind}]" if event.kind != "text" else "")
    line: Line = {"id": event.id, "dir": "in", "by": "patient", "text": text, "at": at, "kind": event.kind}
    if event.media is not None and event.media.url:
        line["media"] = event.media.url
    return line


def outbound_lines(messages: Sequence[OutboundMessage], *, at: str, by: str = "bot", where: str | None = None,
                   staff: str | None = None) -> list[Line]:
    lines = []
    for message in messages:
        line: Line = {"id": message.id, "dir": "out", "by": by, "text": _body(message), "at": at}
        if where:
            line["where"] = where
        if message.options:
            line["options"] = [o.title for o in message.options]
        if message.template is not None:
            line["template"] = message.template.name
        if staff:
            line["staff"] = staff
        lines.append(line)
    return lines


def _body(message: OutboundMessage) -> str:
    return "\n\n".join(p for p in (message.header, message.text, message.footer) if p)


@dataclass(frozen=True, slots=True)
class Page:
    entries: list[Line]  # oldest first (newest last)
    before: str | None   # pass as `before` for the previous (older) page; None: this is the first page


class TranscriptBook:
    """Reads pages of a transcript and appends what no turn wrote (staff replies, notes, actions)."""

    def __init__(self, client: aioredis.Redis, *, prefix: str = C.DEFAULT_PREFIX, ttl_ms: int = C.STATE_TTL_MS,
                 kept: int = C.TRANSCRIPT_KEPT) -> None:
        self.client = client
        self.keys = Keys(prefix)
        self.ttl_ms = ttl_ms
        self.kept = kept

    async def add(self, conv: ConversationKey, lines: Sequence[Line]) -> None:
        if not lines:
            return
        key = self.keys.transcript(conv)
        async with self.client.pipeline(transaction=True) as pipe:
            for line in lines:
                pipe.xadd(key, {"t": json.dumps(line, ensure_ascii=False)}, maxlen=self.kept, approximate=True)
            pipe.pexpire(key, self.ttl_ms)
            await pipe.execute()

    async def page(self, conv: ConversationKey, *, before: str | None = None, limit: int = 50) -> Page:
        """Up to `limit` entries older than the cursor `before` (newest when None), oldest first."""
        top = f"({before}" if before else "+"
        raw: list[Any] = await self.client.xrevrange(self.keys.transcript(conv), max=top, min="-",
                                                     count=limit + 1) or []
        more = len(raw) > limit
        raw = raw[:limit]
        entries = [_entry(sid, fields) for sid, fields in reversed(raw)]
        return Page(entries, entries[0]["cursor"] if more and entries else None)

    async def last(self, conv: ConversationKey) -> Line | None:
        raw = await self.client.xrevrange(self.keys.transcript(conv), count=1)
        return _entry(*raw[0]) if raw else None


def _entry(sid: Any, fields: Any) -> Line:
    raw = fields.get(b"t") if b"t" in fields else fields.get("t")
    line: Line = json.loads(raw)
    line["cursor"] = sid.decode() if isinstance(sid, bytes) else str(sid)
    return line
