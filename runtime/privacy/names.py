"""Pseudonymous names in the bot's shared streams and indexes.

Work and send signals, the handoff index and the inbox feed are shared by every conversation of a
bot and outlive none of them on purpose, so they never carry a user id (a phone number on WhatsApp):
they name a conversation by its digest (`ConversationKey.digest`, 128 bits of SHA-256). One key per
conversation, `Keys.who`, turns a digest back into the conversation; it is written with the signal
that needs it and goes with the conversation (erasure, idle-state retention; and it expires with the
idle state, as each write renews it for as long). A process keeps
the names it has seen, so resolving costs a round trip only for a conversation it never saw.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline

from runtime.keys import STATE_TTL_MS, ConversationKey, Keys

CACHED = 100_000  # names a process keeps (about 200 bytes each)


class Directory:
    def __init__(self, client: aioredis.Redis, *, prefix: str, bot: str, cached: int = CACHED,
                 ttl_ms: int = STATE_TTL_MS) -> None:
        self.client = client
        self.ttl_ms = ttl_ms
        self.keys = Keys(prefix)
        self.bot = bot
        self.cached = cached
        self._known: OrderedDict[str, ConversationKey] = OrderedDict()

    def remember(self, pipe: Pipeline, key: ConversationKey) -> str:
        """Queue the write of `key`'s name on `pipe` (every time: an erasure elsewhere may have removed
        it, and a command on a pipeline already going costs no round trip); its digest."""
        digest = key.digest
        pipe.set(self.keys.who(key.bot, digest), json.dumps([key.channel, key.user]), px=self.ttl_ms)
        self._keep(digest, key)
        return digest

    async def resolve(self, digests: Iterable[str]) -> dict[str, ConversationKey]:
        """The conversations these digests name; one missing from the answer was erased (or forgotten)."""
        wanted = list(dict.fromkeys(digests))
        missing = [d for d in wanted if d not in self._known]
        if missing:
            async with self.client.pipeline(transaction=False) as pipe:  # one slot per key: also on a cluster
                for digest in missing:
                    pipe.get(self.keys.who(self.bot, digest))
                for digest, raw in zip(missing, await pipe.execute(), strict=True):
                    if raw is not None:
                        channel, user = json.loads(raw)
                        self._keep(digest, ConversationKey(self.bot, str(channel), str(user)))
        return {d: self._known[d] for d in wanted if d in self._known}

    def forget(self, key: ConversationKey) -> None:
        """After an erasure in this process: the name is not kept in memory either."""
        self._known.pop(key.digest, None)

    def _keep(self, digest: str, key: ConversationKey) -> None:
        self._known[digest] = key
        self._known.move_to_end(digest)
        while len(self._known) > self.cached:
            self._known.popitem(last=False)
