"""Settings read once from the environment, and the Redis client they describe."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

import fakeredis
import redis.asyncio as aioredis

from . import constants as C
from .errors import ConfigError


@dataclass(frozen=True, slots=True)
class Settings:
    redis_url: str | None = None  # None: the embedded in-process server
    redis_connections: int = 64
    key_prefix: str = C.DEFAULT_PREFIX
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Self:
        prefix = env.get("PAPO_KEY_PREFIX", C.DEFAULT_PREFIX)
        if not prefix or any(c in prefix for c in "{} "):
            raise ConfigError(f"PAPO_KEY_PREFIX has value {prefix!r}; use letters, digits, '-' or ':' only")
        level = env.get("PAPO_LOG_LEVEL", "INFO").upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ConfigError(f"PAPO_LOG_LEVEL has value {level!r}; expected DEBUG, INFO, WARNING or ERROR")
        url = env.get("REDIS_URL") or None
        if url is not None and not url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError(f"REDIS_URL has value {url!r}; expected redis://host:port/db")
        return cls(redis_url=url, key_prefix=prefix, log_level=level)


def redis_client(settings: Settings) -> aioredis.Redis:
    """A client for REDIS_URL, or for an embedded in-process server speaking the same API.

    The pool blocks (up to 10 s) when every connection is busy, instead of failing: a burst
    of webhooks waits its turn rather than losing messages.
    """
    if settings.redis_url is None:
        return fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer())
    pool = aioredis.BlockingConnectionPool.from_url(settings.redis_url, max_connections=settings.redis_connections,
                                                    timeout=10)
    return aioredis.Redis.from_pool(pool)  # the client owns the pool and closes it
