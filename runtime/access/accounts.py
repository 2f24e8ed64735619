"""Staff accounts and their API tokens, in Redis under the `Keys` layout.

Passwords are hashed with argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane). Tokens are
`papo_<id>_<secret>`: `id` (12 hex digits) finds the record and is not secret, `secret` holds 256
random bits, is shown once and stored only as its SHA-256 (a slow hash adds nothing for random
secrets), compared with `hmac.compare_digest`. A token expires (the record's own `expires`, and a
Redis TTL that cleans it up) and can be revoked; a disabled account's tokens stop working at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import redis.asyncio as aioredis
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from runtime.access.errors import AccessError
from runtime.access.roles import ROLES
from runtime.engine.clock import Clock, SystemClock
from runtime.keys import Keys

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID)
MIN_PASSWORD = 12
TOKEN_PREFIX = "papo_"
SESSION_TTL = timedelta(hours=12)
DEFAULT_TOKEN_TTL = timedelta(days=90)
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
_TOKEN = re.compile(r"^papo_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
TokenKind = Literal["api", "session"]


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    role: str
    disabled: bool
    created: str

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "role": self.role, "disabled": self.disabled, "created": self.created}


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: str
    user: str
    kind: str
    label: str
    created: str
    expires: str

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "user": self.user, "kind": self.kind, "label": self.label, "created": self.created,
                "expires": self.expires}


def _text(raw: object) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _fields(raw: Mapping[bytes | str, bytes | str]) -> dict[str, str]:
    return {_text(k): _text(v) for k, v in raw.items()}


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# Verified when a name has no account, so an unknown name costs as long as a wrong password.
_DUMMY = HASHER.hash(secrets.token_urlsafe(16))


class Accounts:
    def __init__(self, client: aioredis.Redis, *, prefix: str, clock: Clock | None = None) -> None:
        self.client = client
        self.keys = Keys(prefix)
        self.clock = clock or SystemClock()

    # -- accounts ---------------------------------------------------------------------------------

    async def add(self, name: str, role: str, password: str | None = None) -> Account:
        """A new account; raises AccessError for a taken or malformed name, an unknown role, a short password."""
        if not NAME.fullmatch(name):
            raise AccessError(f"user name {name!r} is not allowed: use 2-63 lower-case letters, digits, '.', '_' "
                              "or '-', starting with a letter or digit")
        if role not in ROLES:
            raise AccessError(f"role {role!r} is not one of {', '.join(ROLES)}")
        if password is not None and len(password) < MIN_PASSWORD:
            raise AccessError(f"the password has {len(password)} characters; use at least {MIN_PASSWORD}")
        hashed = await asyncio.to_thread(HASHER.hash, password) if password is not None else ""
        account = Account(name, role, False, self.clock.now().isoformat())
        record: Any = {"role": role, "password": hashed, "disabled": "0", "created": account.created}
        if not await self.client.hsetnx(self.keys.user(name), "created", account.created):
            raise AccessError(f"user {name!r} already exists; pick another name or disable that one")
        # two key families, two slots on a Redis Cluster: no MULTI; the name was claimed above
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.hset(self.keys.user(name), mapping=record)
            pipe.sadd(self.keys.users(), name)
            await pipe.execute()
        return account

    async def get(self, name: str) -> Account | None:
        raw = _fields(await self.client.hgetall(self.keys.user(name)))
        if "role" not in raw:
            return None
        return Account(name, raw["role"], raw.get("disabled") == "1", raw.get("created", ""))

    async def all(self) -> list[Account]:
        names = sorted(_text(n) for n in await self.client.smembers(self.keys.users()))
        found = [await self.get(name) for name in names]
        return [a for a in found if a is not None]

    async def any(self) -> bool:
        return bool(await self.client.scard(self.keys.users()))

    async def has_admin(self) -> bool:
        """An enabled admin account exists (from then on PAPO_ADMIN_TOKEN opens nothing)."""
        return any(a.role == "admin" and not a.disabled for a in await self.all())

    async def set_disabled(self, name: str, disabled: bool) -> Account:
        account = await self.get(name)
        if account is None:
            raise AccessError(f"no user {name!r}; `papo users list` shows them")
        await self.client.hset(self.keys.user(name), "disabled", "1" if disabled else "0")
        return Account(name, account.role, disabled, account.created)

    async def set_password(self, name: str, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise AccessError(f"the password has {len(password)} characters; use at least {MIN_PASSWORD}")
        if await self.get(name) is None:
            raise AccessError(f"no user {name!r}; `papo users list` shows them")
        await self.client.hset(self.keys.user(name), "password", await asyncio.to_thread(HASHER.hash, password))

    async def check_password(self, name: str, password: str) -> Account | None:
        """The account when the password is right and the account enabled, else None (same cost either way)."""
        raw = _fields(await self.client.hgetall(self.keys.user(name))) if NAME.fullmatch(name) else {}
        stored = raw.get("password") or _DUMMY
        try:
            await asyncio.to_thread(HASHER.verify, stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if "role" not in raw or raw.get("disabled") == "1" or not raw.get("password"):
            return None
        if HASHER.check_needs_rehash(stored):  # stored with older parameters: upgrade it now we know it
            await self.client.hset(self.keys.user(name), "password", await asyncio.to_thread(HASHER.hash, password))
        return Account(name, raw["role"], False, raw.get("created", ""))

    # -- tokens -----------------------------------------------------------------------------------

    async def issue(self, name: str, *, label: str = "", ttl: timedelta = DEFAULT_TOKEN_TTL,
                    kind: TokenKind = "api") -> tuple[str, TokenInfo]:
        """A new token for `name`: (the token, shown once; its record)."""
        account = await self.get(name)
        if account is None or account.disabled:
            raise AccessError(f"no enabled user {name!r}; create it first (`papo users add`)")
        if ttl <= timedelta(0) or ttl > timedelta(days=366):
            raise AccessError("a token lives between 1 second and 366 days; pass a shorter expiry")
        token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        now = self.clock.now()
        info = TokenInfo(token_id, name, kind, label[:80], now.isoformat(), (now + ttl).isoformat())
        # no MULTI (two slots on a cluster): the index first; `tokens` drops an entry whose record is gone
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.sadd(self.keys.user_tokens(name), token_id)
            pipe.hset(self.keys.token(token_id), mapping={"hash": _digest(secret), "user": name, "kind": kind,
                                                          "label": info.label, "created": info.created,
                                                          "expires": info.expires})
            pipe.expire(self.keys.token(token_id), int(ttl.total_seconds()) + 1)
            await pipe.execute()
        return f"{TOKEN_PREFIX}{token_id}_{secret}", info

    async def authenticate(self, token: str) -> tuple[Account, TokenInfo] | None:
        """The account and token record `token` stands for, or None (unknown, wrong, expired, revoked,
        or its account disabled)."""
        match = _TOKEN.fullmatch(token)
        if match is None:
            return None
        token_id, secret = match.groups()
        raw = _fields(await self.client.hgetall(self.keys.token(token_id)))
        if not raw or not hmac.compare_digest(_digest(secret).encode(), raw.get("hash", "").encode()):
            return None
        info = TokenInfo(token_id, raw["user"], raw["kind"], raw.get("label", ""), raw["created"], raw["expires"])
        if datetime.fromisoformat(info.expires) <= self.clock.now():
            return None
        account = await self.get(info.user)
        if account is None or account.disabled:
            return None
        return account, info

    async def tokens(self, name: str | None = None) -> list[TokenInfo]:
        """Live tokens (of one user, or of all), without their secrets, newest first."""
        names = [name] if name is not None else [a.name for a in await self.all()]
        found = []
        for user in names:
            for token_id in sorted(_text(t) for t in await self.client.smembers(self.keys.user_tokens(user))):
                raw = _fields(await self.client.hgetall(self.keys.token(token_id)))
                if not raw:
                    await self.client.srem(self.keys.user_tokens(user), token_id)  # expired meanwhile
                    continue
                found.append(TokenInfo(token_id, user, raw["kind"], raw.get("label", ""), raw["created"],
                                       raw["expires"]))
        return sorted(found, key=lambda t: t.created, reverse=True)

    async def revoke(self, token_id: str) -> TokenInfo:
        raw = _fields(await self.client.hgetall(self.keys.token(token_id))) if re.fullmatch(r"[0-9a-f]{12}",
                                                                                             token_id) else {}
        if not raw:
            raise AccessError(f"no live token {token_id!r}; GET /admin/tokens lists them")
        async with self.client.pipeline(transaction=False) as pipe:  # the record first: then it is revoked
            pipe.delete(self.keys.token(token_id))
            pipe.srem(self.keys.user_tokens(raw["user"]), token_id)
            await pipe.execute()
        return TokenInfo(token_id, raw["user"], raw["kind"], raw.get("label", ""), raw["created"], raw["expires"])
