"""Settings read once from the environment, and the Redis client they describe."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Self

import fakeredis
import redis.asyncio as aioredis

from . import constants as C
from .errors import ConfigError

# channel -> (token, app secret, verify token, account id) variable names
CHANNEL_VARIABLES: Mapping[str, tuple[str, str, str, str]] = {
    "whatsapp": ("WHATSAPP_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN", "WHATSAPP_PHONE_NUMBER_ID"),
    "messenger": ("MESSENGER_PAGE_TOKEN", "MESSENGER_APP_SECRET", "MESSENGER_VERIFY_TOKEN", "MESSENGER_PAGE_ID"),
    "instagram": ("INSTAGRAM_TOKEN", "INSTAGRAM_APP_SECRET", "INSTAGRAM_VERIFY_TOKEN", "INSTAGRAM_ACCOUNT_ID"),
}


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    """One channel's credentials; `account_id` is the phone number id, Page id or Instagram id."""

    channel: str
    account_id: str
    token: str = field(repr=False)
    app_secret: str = field(repr=False)
    verify_token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Settings:
    redis_url: str | None = None  # None: the embedded in-process server
    redis_connections: int = 64
    key_prefix: str = C.DEFAULT_PREFIX
    log_level: str = "INFO"
    channels: tuple[ChannelSettings, ...] = ()
    graph_base_url: str = C.GRAPH_BASE_URL
    partitions: int = C.PARTITIONS
    workers: int = 4
    senders: int = 4
    work_lease_ms: int = C.WORK_LEASE_MS
    block_ms: int = 500  # how long an idle consumer waits on Redis for a signal from another process
    max_deliveries: int = C.MAX_DELIVERIES
    pacing_per_user_s: float = 1.0
    rate_per_number: int = 80
    send_retries: int = 5
    retry_base_s: float = 0.5
    admin_token: str | None = field(default=None, repr=False)  # None: no admin API
    web_token: str = field(default="", repr=False)  # the REST web channel's bearer token ("": none)

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
        return cls(redis_url=url, key_prefix=prefix, log_level=level, channels=_channels(env),
                   graph_base_url=_graph_base_url(env),
                   partitions=_whole(env, "PAPO_PARTITIONS", C.PARTITIONS),
                   workers=_whole(env, "PAPO_WORKERS", 4),
                   senders=_whole(env, "PAPO_SENDERS", 4),
                   work_lease_ms=_whole(env, "PAPO_WORK_LEASE_MS", C.WORK_LEASE_MS),
                   block_ms=_whole(env, "PAPO_BLOCK_MS", 500),
                   max_deliveries=_whole(env, "PAPO_MAX_DELIVERIES", C.MAX_DELIVERIES),
                   pacing_per_user_s=_seconds(env, "PAPO_PACING_PER_USER_S", 1.0),
                   rate_per_number=_whole(env, "PAPO_RATE_PER_NUMBER", 80),
                   send_retries=_whole(env, "PAPO_SEND_RETRIES", 5),
                   retry_base_s=_seconds(env, "PAPO_RETRY_BASE_S", 0.5),
                   admin_token=_admin_token(env), web_token=env.get("PAPO_WEB_TOKEN", ""))

    def channel(self, name: str) -> ChannelSettings | None:
        return next((c for c in self.channels if c.channel == name), None)


def _channels(env: Mapping[str, str]) -> tuple[ChannelSettings, ...]:
    """The channels whose four variables are set; a channel with none set is simply not served."""
    found = []
    for channel, names in CHANNEL_VARIABLES.items():
        values = [env.get(name, "").strip() for name in names]
        if not any(values):
            continue
        if missing := [name for name, value in zip(names, values, strict=True) if not value]:
            raise ConfigError(f"{', '.join(missing)} not set: {channel} needs {', '.join(names)} (or none of them, "
                              f"to leave {channel} off)")
        token, secret, verify, account = values
        found.append(ChannelSettings(channel, account, token, secret, verify))
    return tuple(found)


def _graph_base_url(env: Mapping[str, str]) -> str:
    name = "PAPO_GRAPH_BASE_URL" if env.get("PAPO_GRAPH_BASE_URL") else "GRAPH_BASE_URL"
    url = env.get(name) or C.GRAPH_BASE_URL
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{name} has value {url!r}; expected an http:// or https:// URL")
    return url.rstrip("/")


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, str(default)).strip()
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name} has value {raw!r}; expected a whole number, 1 or more")
    return int(raw)


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, str(default)).strip()
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value < 3600:
        raise ConfigError(f"{name} has value {raw!r}; expected seconds, e.g. 0.5 (0 turns it off)")
    return value


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


def _admin_token(env: Mapping[str, str]) -> str | None:
    token = env.get("PAPO_ADMIN_TOKEN") or None
    if token is not None and len(token) < 16:
        raise ConfigError("PAPO_ADMIN_TOKEN is shorter than 16 characters; use a long random value "
                          "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')")
    return token
