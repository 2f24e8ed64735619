"""The timer queue's Redis keys: one hash tag per shard, so each Lua call stays in one slot.

The layout is `runtime.keys.Keys.timer_shard` (`<prefix>[:<bot>]:{timers:<n>}:<part>`, see `ShardKeys`).
"""

from __future__ import annotations

import zlib

from runtime.keys import ShardKeys

__all__ = ["ShardKeys", "shard_of"]


def shard_of(timer_id: str, shards: int) -> int:
    """Stable across processes and Python runs (unlike `hash`)."""
    return zlib.crc32(timer_id.encode()) % shards if shards > 1 else 0
