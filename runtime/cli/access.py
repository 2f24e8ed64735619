"""Staff accounts, tokens and incidents from the command line, on REDIS_URL (docs/access.md):

    papo users add NAME --role ROLE [--password-stdin]      papo users list
    papo users disable NAME | enable NAME
    papo tokens create NAME [--label L] [--days 90]         papo tokens list [--user NAME]
    papo tokens revoke ID
    papo incident affected BOTDIR --since T --until T [--detected T] [--json]

Each command that changes something writes one audit entry (actor `cli:<login>`, address `local`,
result 0 when done, 1 when refused). The first admin is made here or with PAPO_ADMIN_TOKEN.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from flows.loader import load_bot
from runtime.access import ROLES, AccessError, Accounts, AuditEntry, AuditLog
from runtime.monitoring.affected import affected, draft_notice
from runtime.service.settings import Settings, redis_client


def add_parsers(sub: Any) -> None:
    users = sub.add_parser("users", help="staff accounts: add, list, disable, enable").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    add = users.add_parser("add", help="a new staff account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of stdin (without it: tokens only)")
    add.set_defaults(run=_sync(_users_add))
    users.add_parser("list", help="the accounts").set_defaults(run=_sync(_users_list))
    for action in ("disable", "enable"):
        one = users.add_parser(action, help=f"{action} an account (disabling stops its tokens at once)")
        one.add_argument("name")
        one.set_defaults(run=_sync(_users_disable if action == "disable" else _users_enable))
    tokens = sub.add_parser("tokens", help="API tokens: create, list, revoke").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    create = tokens.add_parser("create", help="a token for an account, printed once")
    create.add_argument("name")
    create.add_argument("--label", default="")
    create.add_argument("--days", type=int, default=90, help="days until it expires (default 90, at most 366)")
    create.set_defaults(run=_sync(_tokens_create))
    listed = tokens.add_parser("list", help="live tokens, without their secrets")
    listed.add_argument("--user")
    listed.set_defaults(run=_sync(_tokens_list))
    revoke = tokens.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("id")
    revoke.set_defaults(run=_sync(_tokens_revoke))
    incident = sub.add_parser("incident", help="security incidents (LGPD art. 48)").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    hit = incident.add_parser("affected", help="contacts and data classes an incident in a window may have touched, "
                                               "and a draft of the notice")
    hit.add_argument("botdir", type=Path)
    hit.add_argument("--since", required=True, type=_instant, help="start of the window, e.g. 2026-03-01T00:00-03:00")
    hit.add_argument("--until", required=True, type=_instant, help="end of the window")
    hit.add_argument("--detected", type=_instant, help="when the clinic learned of it (default: now); the deadline "
                                                       "counts from this day")
    hit.add_argument("--json", action="store_true", help="print JSON")
    hit.set_defaults(run=_sync(_incident_affected))


def _instant(raw: str) -> datetime:
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{raw!r} needs a UTC offset, e.g. 2026-03-01T00:00-03:00")
    return value


Command = Callable[[argparse.Namespace, aioredis.Redis, Settings], Awaitable[int]]


def _sync(command: Command) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        return asyncio.run(_with_redis(command, args))
    return run


async def _with_redis(command: Command, args: argparse.Namespace, settings: Settings | None = None) -> int:
    settings = settings or Settings.from_env()
    if settings.redis_url is None:
        print("papo: set REDIS_URL to the Redis `papo serve` uses (the embedded store lives inside one process)",
              file=sys.stderr)
        return 2
    client = redis_client(settings)
    try:
        return await command(args, client, settings)
    finally:
        await client.aclose()


async def _audited(client: aioredis.Redis, settings: Settings, action: str, target: str,
                   work: Callable[[], Awaitable[None]]) -> int:
    """Run `work`, then write its one audit entry; an AccessError is said and exits 1."""
    result = 0
    try:
        await work()
    except AccessError as exc:
        print(f"papo: {exc}", file=sys.stderr)
        result = 1
    entry = AuditEntry(at=datetime.now(UTC).isoformat(), actor=f"cli:{getpass.getuser()}", role="-", ip="local",
                       action=action, target=target, result=result, request="")
    await AuditLog(client, prefix=settings.key_prefix).write(entry)
    return result


async def _users_add(args: argparse.Namespace, client: aioredis.Redis, settings: Settings) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None

    async def work() -> None:
        await Accounts(client, prefix=settings.key_prefix).add(args.name, args.role, password)
        print(f"user {args.name} ({args.role}) added" + ("" if password else "; it signs in with tokens only "
                                                         f"(papo tokens create {args.name})"))
    return await _audited(client, settings, "papo users add", args.name, work)


async def _users_list(args: argparse.Namespace, client: aioredis.Redis, settings: Settings) -> int:
    for account in await Accounts(client, prefix=settings.key_prefix).all():
        print(f"{account.name:<24} {account.role:<8} {'disabled' if account.disabled else 'enabled':<9} "
              f"{account.created}")
    return 0


async def _set(args: argparse.Namespace, client: aioredis.Redis, settings: Settings, disabled: bool) -> int:
    async def work() -> None:
        await Accounts(client, prefix=settings.key_prefix).set_disabled(args.name, disabled)
        print(f"user {args.name} {'disabled' if disabled else 'enabled'}")
    return await _audited(client, settings, f"papo users {'disable' if disabled else 'enable'}", args.name, work)


async def _users_disable(args: argparse.Namespace, client: aioredis.Redis, settings: Settings) -> int:
    return await _set(args, client, settings, True)


async def _users_enable(args: argparse.Namespace, client: aioredis.Redis, settings: Settings) -> int:
    return await _set(args, client, settings, False)


async def _tokens_create(args: argparse.Namespace, client: aioredis.Redis, settings: Settings) -> int:
    async def work() -> None:
        token, info = await Accounts(client, prefix=settings.key_prefix).issue(args.name, label=args.label,
                                                                               ttl=timedelta(days=args.days))
        print(token)
        print(f"token {info.id} for {args.name}, expires {info.expires}: shown once, store it now", file=sys.stderr)
    return await _audited(client, settings, "papo tokens create", args.name, work)


async def _tokens_list(args: argparse.Namespace, client: aioredis.Redis, settings: Settings) -> int:
    for info in await Accounts(client, prefix=settings.key_prefix).tokens(args.user):
        print(f"{info.id}  {info.user:<20} {info.kind:<8} expires {info.expires}  {info.label}")
    return 0


async def _tokens_revoke(args: argparse.Namespace, client: aioredis.Redis, settings: Settings) -> int:
    async def work() -> None:
        info = await Accounts(client, prefix=settings.key_prefix).revoke(args.id)
        print(f"token {info.id} of {info.user} revoked")
    return await _audited(client, settings, "papo tokens revoke", args.id, work)


async def _incident_affected(args: argparse.Namespace, client: aioredis.Redis, settings: Settings) -> int:
    bot = load_bot(args.botdir)
    found = await affected(client, prefix=settings.key_prefix, bot=bot, since=args.since, until=args.until)
    notice = draft_notice(bot, found, args.since, args.until, args.detected or datetime.now(UTC))
    if args.json:
        print(json.dumps({"affected": [a.to_json() for a in found], "notice": notice}, ensure_ascii=False, indent=2))
        return 0
    print(f"{len(found)} contact(s) of {bot.name} may be affected between {args.since.isoformat()} and "
          f"{args.until.isoformat()}; notify the ANPD and them by {notice['deadline']} (3 business days)")
    for item in found:
        print(f"  {item.conversation:<36} {item.why:<16} {', '.join(item.classes)}")
    print("\nDraft of the notice (LGPD art. 48 §1):")
    print(json.dumps(notice, ensure_ascii=False, indent=2))
    return 0
