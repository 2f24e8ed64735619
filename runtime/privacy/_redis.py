"""Small readers shared by the privacy modules: replies decoded to `str`, whatever the client's settings."""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis


def text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def stream(client: aioredis.Redis, key: str) -> list[tuple[str, dict[str, str]]]:
    """Every entry of a stream, oldest first: (id, fields)."""
    raw: Any = await client.xrange(key) or []
    return [(text(sid), {text(k): text(v) for k, v in (fields or {}).items()}) for sid, fields in raw]


async def members(client: aioredis.Redis, key: str) -> list[str]:
    raw: Any = await client.zrange(key, 0, -1)
    return [text(m) for m in raw]


def glob(literal: str) -> str:
    """`literal` escaped for a Redis MATCH pattern."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in literal)


HOLE = "\0"  # a part of a key built by `Keys` that a pattern leaves open


def pattern(key: str) -> str:
    """A MATCH pattern from a key `Keys` built with HOLE for the open parts: the rest stays literal."""
    return glob(key).replace(HOLE, "*")
