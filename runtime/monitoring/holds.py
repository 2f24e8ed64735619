"""Staff messages a `hold` rule stopped: they wait, per bot, until a dpo releases or discards them.

A held message is the one place papo keeps a text a rule matched, unmasked, because releasing it
must send what staff wrote; listing shows only its masked snippet. One nobody released within
`KEPT` (30 days) is dropped the next time holds are listed: it was never sent, and its text should
not outlive the decision it waited for.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import redis.asyncio as aioredis

from runtime.keys import ConversationKey, Keys
from runtime.privacy.names import Directory

KEPT = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Held:
    id: str
    channel: str
    digest: str  # the conversation's name in the bot's shared keys (`Directory`), never the user id
    conversation: str  # the hashed reference, the only one listing shows
    text: str
    rules: tuple[str, ...]
    snippet: str
    by: str  # the staff account that wrote it
    at: str

    def listed(self) -> dict[str, object]:
        return {"id": self.id, "conversation": self.conversation, "rules": list(self.rules),
                "snippet": self.snippet, "by": self.by, "at": self.at}


class HoldBook:
    def __init__(self, client: aioredis.Redis, *, prefix: str, bot: str) -> None:
        self.client = client
        self.bot = bot
        self.key = Keys(prefix).holds(bot)
        self.names = Directory(client, prefix=prefix, bot=bot)

    async def hold(self, key: ConversationKey, text: str, *, rules: tuple[str, ...], snippet: str, by: str,
                   at: str) -> Held:
        held = Held(secrets.token_hex(8), key.channel, key.digest, key.ref, text, rules, snippet, by, at)
        async with self.client.pipeline(transaction=False) as pipe:
            self.names.remember(pipe, key)
            pipe.hset(self.key, held.id, json.dumps(asdict(held), ensure_ascii=False))
            await pipe.execute()
        return held

    async def conversation(self, held: Held) -> ConversationKey | None:
        """Whom the held message goes to; None once the contact was erased."""
        return (await self.names.resolve([held.digest])).get(held.digest)

    async def all(self, *, now: datetime | None = None) -> list[Held]:
        """Held messages, oldest first; with `now`, ones older than KEPT are dropped first."""
        found = [_held(raw, self.bot) for raw in (await self.client.hgetall(self.key)).values()]
        stale = [h.id for h in found if now is not None and datetime.fromisoformat(h.at) < now - KEPT]
        if stale:
            await self.client.hdel(self.key, *stale)
        return sorted((h for h in found if h.id not in stale), key=lambda h: h.at)

    async def take(self, hold_id: str) -> Held | None:
        """The held message, removed (once: a second release finds nothing)."""
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.hget(self.key, hold_id)
            pipe.hdel(self.key, hold_id)
            raw, removed = await pipe.execute()
        return _held(raw, self.bot) if raw is not None and removed else None


def _held(raw: bytes | str, bot: str) -> Held:
    data = json.loads(raw)
    if "user" in data:  # kept by a release before digests
        data["digest"] = ConversationKey(bot, data["channel"], data.pop("user")).digest
    return Held(**(data | {"rules": tuple(data["rules"])}))
