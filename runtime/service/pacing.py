"""Send pacing shared by every papo process through Redis.

- Per recipient: after a message to a user, the next one waits `per_user_s` (a key with a TTL
  under the conversation's hash tag). Meta's pair limit is about one message every 6 s on
  average, with bursts allowed; error 131056 is retried by the sender.
- Per business number: at most `per_number` messages in each wall-clock second (a counter per
  second), counted across processes. A fixed window: around a second's boundary a burst may
  reach twice the rate within one sliding second; Meta's 130429 is then retried by the sender.
"""

from __future__ import annotations

import asyncio
import time

import redis.asyncio as aioredis

from runtime.conversations.keys import ConversationKey, Keys

# One send from this second's budget, or 0 when it is spent (the counter holds only sends let through).
_TAKE = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], 2) end
if n > tonumber(ARGV[1]) then redis.call('DECR', KEYS[1]) return 0 end
return 1
"""


class Pacer:
    def __init__(self, client: aioredis.Redis, *, prefix: str, per_user_s: float, per_number: int) -> None:
        self.client = client
        self.keys = Keys(prefix)
        self.per_user_ms = int(per_user_s * 1000)
        self.per_number = per_number
        self._take = client.register_script(_TAKE)

    async def wait_turn(self, conv: ConversationKey, account: str) -> None:
        """Return when a message to `conv`'s user from `account` may go out now."""
        await self._recipient(conv)
        await self._number(conv.channel, account)

    async def _recipient(self, conv: ConversationKey) -> None:
        if self.per_user_ms <= 0:
            return
        key = self.keys.pace(conv)
        while not await self.client.set(key, "1", nx=True, px=self.per_user_ms):
            wait_ms = await self.client.pttl(key)
            await asyncio.sleep(max(wait_ms, 1) / 1000)

    async def _number(self, channel: str, account: str) -> None:
        while True:
            now = time.time()
            key = self.keys.rate(channel, account, int(now))
            if await self._take(keys=[key], args=[self.per_number]):
                return
            await asyncio.sleep(1 - (now % 1) + 0.001)
