"""Settings read once from the environment, and the Redis client they describe.

Each channel's variables are the ones its connector declares (`Connector.env`); bot.json's
`channels` section may name others. Nothing here names a channel.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Self

import fakeredis
import redis.asyncio as aioredis

from connectors import CONNECTORS, ChannelSettings, Connectors
from connectors.constants import WA_RATE_PER_NUMBER
from runtime.conversations import keys as C
from runtime.engine.errors import ConfigError
from runtime.logs import FORMATS, Format
from runtime.service import redis_urls


@dataclass(frozen=True, slots=True)
class Settings:
    redis_url: str | None = None  # None: the embedded in-process server
    redis_connections: int = 64
    key_prefix: str = C.DEFAULT_PREFIX
    log_level: str = "INFO"
    log_format: Format = "text"  # PAPO_LOG_FORMAT: text, or json (one object per line)
    channels: tuple[ChannelSettings, ...] = ()
    base_urls: Mapping[str, str] = field(default_factory=dict)  # channel -> its API elsewhere (e.g. a fake)
    partitions: int = C.PARTITIONS
    workers: int = 4
    senders: int = 4
    work_lease_ms: int = C.WORK_LEASE_MS
    # A due timer claimed by a process that died, or whose conversation another process was running,
    # is taken up again after this (PAPO_TIMER_LEASE_S); reminders are hours ahead, so a minute is cheap.
    timer_lease_s: float = 60.0
    block_ms: int = 500  # how long an idle consumer waits on Redis for a signal from another process
    max_deliveries: int = C.MAX_DELIVERIES
    # Spacing between messages to one user. Meta's pair limit is an average (about one every 6 s, bursts
    # allowed), met by the pauses between a user's messages; a 6 s gap would make a 3-part reply take 12 s.
    pacing_per_user_s: float = 1.0
    rate_per_number: int = WA_RATE_PER_NUMBER
    send_retries: int = 5
    retry_base_s: float = 0.5
    admin_token: str | None = field(default=None, repr=False)  # None: no admin API
    channels_off: tuple[str, ...] = ()  # why a channel is not served, said once at start
    retention_every_s: int = 3600  # how often the timers process sweeps data past its retention period
    body_timeout_s: float = 10.0  # a request body must arrive within this (0: no limit), else 408 and closed
    max_text_chars: int = 4096  # a longer inbound text is cut to this before it is stored and read
    trusted_proxies: frozenset[str] = frozenset()  # their X-Forwarded-For names the caller (PAPO_TRUSTED_PROXIES)
    alert_webhook_url: str | None = None  # monitoring alerts are POSTed here (PAPO_ALERT_WEBHOOK_URL)
    alert_webhook_secret: str | None = field(default=None, repr=False)  # signs them (X-Papo-Signature)
    studio_write: bool = False  # the studio under `papo serve` may publish (PAPO_STUDIO_WRITE=1); else read-only
    metrics_token: str | None = field(default=None, repr=False)  # GET /metrics wants it as a bearer token

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, *, connectors: Connectors = CONNECTORS) -> Self:
        prefix = env.get("PAPO_KEY_PREFIX", C.DEFAULT_PREFIX)
        if not prefix or any(c in prefix for c in "{} "):
            raise ConfigError(f"PAPO_KEY_PREFIX has value {prefix!r}; use letters, digits, '-' or ':' only")
        level = env.get("PAPO_LOG_LEVEL", "INFO").upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ConfigError(f"PAPO_LOG_LEVEL has value {level!r}; expected DEBUG, INFO, WARNING or ERROR")
        log_format = env.get("PAPO_LOG_FORMAT", "text").strip().lower() or "text"
        if log_format not in FORMATS:
            raise ConfigError(f"PAPO_LOG_FORMAT has value {log_format!r}; expected text or json")
        url = env.get("REDIS_URL") or None
        if url is not None:
            redis_urls.parse(url)  # a bad URL is refused at start, naming the forms accepted
        channels, off = resolve_channels(connectors, env)
        d = cls()  # the defaults, written once above
        return cls(redis_url=url, key_prefix=prefix, log_level=level, log_format=log_format,
                   channels=channels, channels_off=off,
                   base_urls=base_urls(connectors, env),
                   partitions=_whole(env, "PAPO_PARTITIONS", d.partitions),
                   workers=_whole(env, "PAPO_WORKERS", d.workers),
                   senders=_whole(env, "PAPO_SENDERS", d.senders),
                   work_lease_ms=_whole(env, "PAPO_WORK_LEASE_MS", d.work_lease_ms),
                   timer_lease_s=_lease(env, "PAPO_TIMER_LEASE_S", d.timer_lease_s),
                   block_ms=_whole(env, "PAPO_BLOCK_MS", d.block_ms),
                   max_deliveries=_whole(env, "PAPO_MAX_DELIVERIES", d.max_deliveries),
                   pacing_per_user_s=_seconds(env, "PAPO_PACING_PER_USER_S", d.pacing_per_user_s),
                   rate_per_number=_whole(env, "PAPO_RATE_PER_NUMBER", d.rate_per_number),
                   send_retries=_whole(env, "PAPO_SEND_RETRIES", d.send_retries),
                   retry_base_s=_seconds(env, "PAPO_RETRY_BASE_S", d.retry_base_s),
                   admin_token=_admin_token(env),
                   body_timeout_s=_seconds(env, "PAPO_BODY_TIMEOUT_S", d.body_timeout_s),
                   retention_every_s=_whole(env, "PAPO_RETENTION_EVERY_S", d.retention_every_s),
                   max_text_chars=_whole(env, "PAPO_MAX_TEXT_CHARS", d.max_text_chars),
                   trusted_proxies=_addresses(env, "PAPO_TRUSTED_PROXIES"),
                   alert_webhook_url=_url(env, "PAPO_ALERT_WEBHOOK_URL"),
                   alert_webhook_secret=env.get("PAPO_ALERT_WEBHOOK_SECRET") or None,
                   studio_write=_flag(env, "PAPO_STUDIO_WRITE"),
                   metrics_token=_token(env, "PAPO_METRICS_TOKEN"))

    def channel(self, name: str) -> ChannelSettings | None:
        return next((c for c in self.channels if c.channel == name), None)


_REF = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")


def resolve_channels(connectors: Connectors, env: Mapping[str, str],
                     refs: Mapping[str, Mapping[str, str]] | None = None,
                     ) -> tuple[tuple[ChannelSettings, ...], tuple[str, ...]]:
    """The channels whose `${VAR}` references are all set, and one line per channel left off (naming the
    missing variables).

    Without `refs` (bot.json's "channels"), every channel reads the variables its connector declares,
    and one with none of them set is off silently; an optional channel is never off. With `refs`, only
    the channels they name are resolved, from the variables they name.
    """
    found: list[ChannelSettings] = []
    off: list[str] = []
    for cls in connectors:
        declared = refs is not None and cls.channel in refs
        if refs is not None and not declared:
            continue
        fields = refs[cls.channel] if refs is not None else cls.env.refs()
        settings, missing = _resolve(cls.channel, fields, env)
        if not missing or (cls.env.optional and len(missing) < len(fields)):
            found.append(settings)
        elif not cls.env.optional and (declared or len(missing) < len(fields)):
            needed = [m.group(1) for ref in fields.values() if (m := _REF.fullmatch(ref))]
            off.append(f"{cls.channel} is off: {', '.join(missing)} not set in the environment "
                       f"(it needs {', '.join(needed)})")
    off += [f"{name} is off: no connector serves this channel; known: {', '.join(connectors.names())}"
            for name in (refs or {}) if name not in connectors]
    return tuple(found), tuple(off)


def _resolve(channel: str, fields: Mapping[str, str], env: Mapping[str, str]) -> tuple[ChannelSettings, list[str]]:
    values: dict[str, str] = {}
    missing: list[str] = []
    for name, ref in fields.items():
        match = _REF.fullmatch(ref)
        values[name] = env.get(match.group(1), "").strip() if match else ref
        if match and not values[name]:
            missing.append(match.group(1))
    return ChannelSettings(channel, **values), missing


def base_urls(connectors: Connectors, env: Mapping[str, str]) -> dict[str, str]:
    """Each channel whose API the environment moves elsewhere (`ChannelEnv.base_url`: the first variable
    set wins), and where to; a value that is no URL is refused."""
    found: dict[str, str] = {}
    for cls in connectors:
        if name := next((n for n in cls.env.base_url if env.get(n, "").strip()), None):
            url = env[name].strip()
            if not url.startswith(("http://", "https://")):
                raise ConfigError(f"{name} has value {url!r}; expected an http:// or https:// URL")
            found[cls.channel] = url.rstrip("/")
    return found


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, str(default)).strip()
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name} has value {raw!r}; expected a whole number, 1 or more")
    return int(raw)


def _lease(env: Mapping[str, str], name: str, default: float) -> float:
    if (value := _seconds(env, name, default)) == 0:
        raise ConfigError(f"{name} has value {env.get(name)!r}; a lease cannot be 0: expected seconds, e.g. 60")
    return value


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
    """A client for REDIS_URL (one server, a cluster or a sentinel-watched primary: `redis_urls.connect`),
    or for an embedded in-process server speaking the same API."""
    if settings.redis_url is None:
        return fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer())
    return redis_urls.connect(settings.redis_url, max_connections=settings.redis_connections)


def _addresses(env: Mapping[str, str], name: str) -> frozenset[str]:
    found = frozenset(a.strip() for a in env.get(name, "").split(",") if a.strip())
    for address in found:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ConfigError(f"{name} has {address!r}, which is not an IP address; list the proxies' addresses, "
                              "comma-separated, e.g. 127.0.0.1,10.0.0.5") from None
    return found


def _url(env: Mapping[str, str], name: str) -> str | None:
    url = env.get(name, "").strip() or None
    if url is not None and not url.startswith(("http://", "https://")):
        raise ConfigError(f"{name} has value {url!r}; expected an http:// or https:// URL")
    return url


def _admin_token(env: Mapping[str, str]) -> str | None:
    return _token(env, "PAPO_ADMIN_TOKEN")


def _token(env: Mapping[str, str], name: str) -> str | None:
    token = env.get(name) or None
    if token is not None and len(token) < 16:
        raise ConfigError(f"{name} is shorter than 16 characters; use a long random value "
                          "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')")
    return token


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "0").strip().lower()
    if raw not in ("0", "1", "true", "false", ""):
        raise ConfigError(f"{name} has value {raw!r}; expected 1 or 0")
    return raw in ("1", "true")
