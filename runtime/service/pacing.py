"""Send pacing shared by every papo process through Redis, on the injectable clock.

- Per recipient: after a message to a user, the next one waits `per_user_s` (the instant it may
  go is kept under the conversation's hash tag). Meta's pair limit is about one message every 6 s
  on average, with bursts allowed; error 131056 is retried by the sender.
- Per business number: at most `per_number` messages in each second of the clock (a counter per
  second), counted across processes. A fixed window: around a second's boundary a burst may
  reach twice the rate within one sliding second; Meta's 130429 is then retried by the sender.

Waiting is `sleep` (asyncio's by default): tests give a `ManualClock` and a sleep that moves it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis

from runtime.conversations.keys import ConversationKey, Keys
from runtime.engine.clock import Clock, SystemClock, to_ms

KEPT_MS = 10_000  # a pacing key outlives its interval by this much, then Redis forgets it

# Both turns in a script of the caller's (`Sender`: with its lease and in-flight mark, one round trip): 0 when
# taken, else the ms to wait (nothing taken). `rate` is '' where the number's counter lives in another slot
# (a Redis Cluster): then `take_number` takes it in its own round trip.
PACE_FN = """
local function pace(recipient, rate, now, per_user, per_number, kept)
  if per_user > 0 then
    local next_at = tonumber(redis.call('GET', recipient) or '0') or 0
    if next_at > now then return next_at - now end
  end
  if rate ~= '' then
    local n = redis.call('INCR', rate)
    if n == 1 then redis.call('PEXPIRE', rate, kept) end
    if n > per_number then redis.call('DECR', rate) return 1000 - now % 1000 end
  end
  if per_user > 0 then redis.call('SET', recipient, now + per_user, 'PX', per_user + kept) end
  return 0
end
"""

# Each turn alone, in its own round trip: 0 when taken, else the ms to wait (nothing taken).
_RECIPIENT = PACE_FN + "return pace(KEYS[1], '', tonumber(ARGV[1]), tonumber(ARGV[2]), 0, tonumber(ARGV[3]))"
_NUMBER = PACE_FN + "return pace('', KEYS[1], tonumber(ARGV[1]), 0, tonumber(ARGV[2]), tonumber(ARGV[3]))"

Sleep = Callable[[float], Awaitable[None]]


class Pacer:
    def __init__(self, client: aioredis.Redis, *, prefix: str, per_user_s: float, per_number: int,
                 clock: Clock | None = None, sleep: Sleep = asyncio.sleep) -> None:
        self.keys = Keys(prefix)
        self.per_user_ms = int(per_user_s * 1000)
        self.per_number = per_number
        self.clock = clock or SystemClock()
        self.sleep = sleep
        self._recipient = client.register_script(_RECIPIENT)
        self._number = client.register_script(_NUMBER)

    def turn(self, conv: ConversationKey, account: str, *, with_number: bool) -> tuple[str, str | None, list[int]]:
        """What `PACE_FN` takes for a send to `conv`'s user from `account` now: the recipient's key, the
        number's counter (None: `with_number` is off, `take_number` takes it), and its arguments."""
        now_ms = to_ms(self.clock.now())
        rate = self.keys.rate(conv.channel, account, now_ms // 1000) if with_number else None
        return self.keys.pace(conv), rate, [now_ms, self.per_user_ms, self.per_number, KEPT_MS]

    async def wait_turn(self, conv: ConversationKey, account: str) -> None:
        """Return when a message to `conv`'s user from `account` may go out now."""
        while wait := await self.take_recipient(conv):
            await self.sleep(wait)
        while wait := await self.take_number(conv.channel, account):
            await self.sleep(wait)

    async def take_recipient(self, conv: ConversationKey) -> float:
        """Take the user's turn: 0.0 when taken, else the seconds until it comes (nothing is taken)."""
        if self.per_user_ms <= 0:
            return 0.0
        wait_ms = await self._recipient(keys=[self.keys.pace(conv)],
                                        args=[to_ms(self.clock.now()), self.per_user_ms, KEPT_MS])
        return int(wait_ms) / 1000

    async def take_number(self, channel: str, account: str) -> float:
        """Take a send from the number's budget for this second: 0.0 when taken, else the seconds until
        the next second begins (nothing is taken)."""
        now_ms = to_ms(self.clock.now())
        wait_ms = await self._number(keys=[self.keys.rate(channel, account, now_ms // 1000)],
                                     args=[now_ms, self.per_number, KEPT_MS])
        return int(wait_ms) / 1000
