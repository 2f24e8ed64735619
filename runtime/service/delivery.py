"""Delivery records: what became of each message papo sent, kept under the conversation's hash tag.

Keys (`runtime.keys.Keys`):
- `{conv}:sent` maps the channel's message id to papo's message id.
- `{conv}:delivery:<channel id>` holds status, rank, at, papo_id and the last error. Statuses
  arrive out of order and more than once: a record only moves forward (accepted < sent <
  delivered < read < played), `failed` is terminal, and a status seen before changes nothing.
- `{conv}:failed` maps papo's message id to why it was never sent (window closed, refused).
"""

from __future__ import annotations

import json
from typing import Any

import redis.asyncio as aioredis

from flows.messages import DeliveryStatus
from runtime.conversations import keys as C
from runtime.conversations.keys import ConversationKey, Keys

RANK = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "played": 4, "deleted": 5, "failed": 100}

# Move a delivery record forward: KEYS[k] the record; a record only moves up in rank, `failed` is final.
ADVANCE_FN = """
local function advance(record, status, rank, at, papo_id, code, err, ttl)
  local old = tonumber(redis.call('HGET', record, 'rank') or '-1')
  if papo_id ~= '' then redis.call('HSETNX', record, 'papo_id', papo_id) end
  redis.call('PEXPIRE', record, ttl)
  if old >= 100 or tonumber(rank) <= old then return 0 end
  redis.call('HSET', record, 'status', status, 'rank', rank, 'at', at)
  if code ~= '' then redis.call('HSET', record, 'code', code) end
  if err ~= '' then redis.call('HSET', record, 'error', err) end
  return 1
end
"""
_ADVANCE = ADVANCE_FN + "return advance(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])"
# The channel took a message, in one round trip. KEYS: record, sent, failed; ARGV: channel id, papo id, at, ttl.
_ACCEPTED = ADVANCE_FN + """
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('HDEL', KEYS[3], ARGV[2])
return advance(KEYS[1], 'accepted', 0, ARGV[3], ARGV[2], '', '', ARGV[4])
"""


class DeliveryBook:
    def __init__(self, client: aioredis.Redis, *, prefix: str, ttl_ms: int = C.STATE_TTL_MS) -> None:
        self.client = client
        self.keys = Keys(prefix)
        self.ttl_ms = ttl_ms
        self._advance = client.register_script(_ADVANCE)
        self._accepted = client.register_script(_ACCEPTED)

    async def accepted(self, conv: ConversationKey, *, channel_id: str, papo_id: str, at: str) -> None:
        """The channel took the message: remember its id, forget an earlier attempt's refusal, and start
        its record (a status may have come first); one round trip."""
        await self._accepted(keys=[self.keys.delivery(conv, channel_id), self.keys.sent(conv), self.keys.failed(conv)],
                             args=[channel_id, papo_id, at, self.ttl_ms])

    async def apply(self, conv: ConversationKey, status: DeliveryStatus) -> bool:
        """Move the record forward; False for a repeated or older status (nothing changes)."""
        error = status.error_title or ""
        code = "" if status.error_code is None else str(status.error_code)
        return await self._apply(conv, status.message_id, status.status, status.at.isoformat(), code=code,
                                 error=error)

    async def _apply(self, conv: ConversationKey, channel_id: str, status: str, at: str, *, papo_id: str = "",
                     code: str = "", error: str = "") -> bool:
        key = self.keys.delivery(conv, channel_id)
        return bool(await self._advance(keys=[key], args=[status, RANK[status], at, papo_id, code, error,
                                                          self.ttl_ms]))

    async def refused(self, conv: ConversationKey, *, papo_id: str, error: Exception, at: str) -> None:
        """A message that was not sent and will not be: why, for staff and the admin API."""
        failed = self.keys.failed(conv)
        record = {"error": type(error).__name__, "reason": str(error), "at": at,
                  "code": getattr(error, "code", None)}
        everyone = {"channel": conv.channel, "ref": conv.ref, "message": papo_id, **record}  # no phone number
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.hset(failed, papo_id, json.dumps(record))
            pipe.pexpire(failed, self.ttl_ms)
            # one stream per bot as well: an expired token (190) fails every conversation at once
            pipe.xadd(self.keys.failures(conv.bot), {"f": json.dumps(everyone)}, maxlen=C.FAILURES_KEPT,
                      approximate=True)
            await pipe.execute()

    async def recent_failures(self, bot: str, limit: int) -> list[dict[str, Any]]:
        entries = await self.client.xrevrange(self.keys.failures(bot), count=limit) or []
        return [json.loads(_text((fields or {}).get(b"f") or (fields or {}).get("f"))) for _, fields in entries]

    async def record(self, conv: ConversationKey, channel_id: str) -> dict[str, str]:
        raw = await self.client.hgetall(self.keys.delivery(conv, channel_id))
        return {_text(k): _text(v) for k, v in raw.items()}

    async def papo_id(self, conv: ConversationKey, channel_id: str) -> str | None:
        raw = await self.client.hget(self.keys.sent(conv), channel_id)
        return None if raw is None else _text(raw)

    async def failures(self, conv: ConversationKey) -> dict[str, dict[str, Any]]:
        raw = await self.client.hgetall(self.keys.failed(conv))
        return {_text(k): json.loads(v) for k, v in raw.items()}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
