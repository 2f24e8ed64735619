"""The timer queue's Redis key layout: one hash tag per shard, so each Lua call stays in one slot.

    <prefix>:{timers:<n>}:due       sorted set  id -> due (ms)
    <prefix>:{timers:<n>}:inflight  sorted set  id -> lease deadline (ms)
    <prefix>:{timers:<n>}:body      hash        id -> "<due_ms>|<max_late_ms>|<json>"
    <prefix>:{timers:<n>}:lease     hash        id -> token of the current claim
    <prefix>:{timers:<n>}:attempts  hash        id -> claims so far
    <prefix>:{timers:<n>}:skipped   stream      timers skipped as late or dead, newest last
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

PARTS = ("due", "inflight", "body", "lease", "attempts", "skipped")


@dataclass(frozen=True, slots=True)
class ShardKeys:
    due: str
    inflight: str
    body: str
    lease: str
    attempts: str
    skipped: str

    @classmethod
    def build(cls, prefix: str, shard: int) -> ShardKeys:
        base = f"{prefix}:{{timers:{shard}}}"
        return cls(*(f"{base}:{part}" for part in PARTS))

    def all(self) -> list[str]:
        return [self.due, self.inflight, self.body, self.lease, self.attempts, self.skipped]


def shard_of(timer_id: str, shards: int) -> int:
    """Stable across processes and Python runs (unlike `hash`)."""
    return zlib.crc32(timer_id.encode()) % shards if shards > 1 else 0
