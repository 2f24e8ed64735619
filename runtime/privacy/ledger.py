"""The consent ledger: an append-only Redis stream per contact (`Keys.consents`), the evidence
LGPD art. 8 §2 asks the controller to keep: purpose, granted or revoked, the text shown (id and
SHA-256), when, on which channel, from which source, and the id of the message that gave it.

Nothing rewrites an entry; a revocation is a new entry. Entries leave only by the retention period
(`retention.consents`, 5 years by default) or by the contact's erasure."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import redis.asyncio as aioredis

from runtime.keys import ConversationKey, Keys
from runtime.privacy._redis import stream

FIELDS = ("purpose", "granted", "text_id", "text_hash", "at", "channel", "source", "message_id")


class ConsentLedger:
    def __init__(self, client: aioredis.Redis, *, prefix: str) -> None:
        self.client = client
        self.keys = Keys(prefix)

    async def append(self, conv: ConversationKey, entries: Iterable[Mapping[str, Any]]) -> int:
        """Add entries (consent notices of a committed turn) in one round trip; how many."""
        rows = [{name: entry.get(name, "") for name in FIELDS} for entry in entries]
        if not rows:
            return 0
        async with self.client.pipeline(transaction=False) as pipe:
            for row in rows:
                pipe.xadd(self.keys.consents(conv), {"c": json.dumps(row, ensure_ascii=False)})
            await pipe.execute()
        return len(rows)

    async def entries(self, conv: ConversationKey) -> list[dict[str, Any]]:
        """Every entry, oldest first, with its stream id."""
        return [{"id": sid, **json.loads(fields["c"])} for sid, fields in await stream(self.client,
                                                                                   self.keys.consents(conv))]
