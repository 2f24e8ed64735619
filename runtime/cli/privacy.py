"""`papo contacts erase|export BOTDIR CHANNEL USER` and `papo retention report|sweep BOTDIR`: the
data-subject rights and the retention sweeper from the command line, on REDIS_URL."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flows.loader import load_bot
from runtime.privacy import Contact, Eraser, Exporter, Sweeper
from runtime.service.settings import Settings, redis_client


def add_parsers(sub: Any) -> None:
    contacts = sub.add_parser("contacts", help="a contact's data: export it or erase it (LGPD art. 18)")
    verbs = contacts.add_subparsers(dest="verb", required=True)
    erase = verbs.add_parser("erase", help="erase every trace of a contact (both forms of a Brazilian number)")
    export = verbs.add_parser("export", help="print everything papo holds about a contact, as JSON")
    for parser in (erase, export):
        parser.add_argument("botdir", type=Path)
        parser.add_argument("channel")
        parser.add_argument("user")
    erase.add_argument("--identity-confirmed", action="store_true",
                       help="staff confirmed who asked (LGPD art. 18 §3); required")
    export.add_argument("--summary", action="store_true", help="the simplified answer (art. 19 I)")
    contacts.set_defaults(run=_contacts)
    retention = sub.add_parser("retention", help="how long each class of data is kept, and what is past it")
    rverbs = retention.add_subparsers(dest="verb", required=True)
    for name, text in (("report", "list each data class, its period and what is past it"),
                       ("sweep", "remove or anonymise what is past its period now")):
        parser = rverbs.add_parser(name, help=text)
        parser.add_argument("botdir", type=Path)
        parser.add_argument("--json", action="store_true", help="print JSON")
    retention.set_defaults(run=_retention)


def _contacts(args: argparse.Namespace) -> int:
    if args.verb == "erase" and not args.identity_confirmed:
        print("refused: confirm who asked first (LGPD art. 18 §3), then pass --identity-confirmed")
        return 2
    return asyncio.run(contacts(args.verb, args.botdir, args.channel, args.user, summary=getattr(args, "summary",
                                                                                                 False)))


async def contacts(verb: str, root: Path, channel: str, user: str, *, summary: bool = False,
                   settings: Settings | None = None, now: datetime | None = None) -> int:
    settings = settings or Settings.from_env()
    bot = load_bot(root)
    contact = Contact(bot.name, channel, user)
    now = now or datetime.now(UTC)
    client = redis_client(settings)
    try:
        if verb == "erase":
            done = await Eraser(client, prefix=settings.key_prefix).erase(contact, now=now)
            print(json.dumps(done.to_json(), ensure_ascii=False, indent=2))
        else:
            exporter = Exporter(client, prefix=settings.key_prefix)
            found = await (exporter.summary if summary else exporter.export)(contact, bot, now=now)
            print(json.dumps(found, ensure_ascii=False, indent=2))
    finally:
        await client.aclose()
    return 0


def _retention(args: argparse.Namespace) -> int:
    return asyncio.run(retention(args.verb, args.botdir, as_json=args.json))


async def retention(verb: str, root: Path, *, as_json: bool = False, settings: Settings | None = None,
                    now: datetime | None = None) -> int:
    settings = settings or Settings.from_env()
    bot = load_bot(root)
    now = now or datetime.now(UTC)
    client = redis_client(settings)
    try:
        sweeper = Sweeper(client, prefix=settings.key_prefix, bot=bot.name, retention=bot.retention)
        if verb == "sweep":
            swept = await sweeper.run(now)
            print(json.dumps({"removed": dict(swept.expired), "held": dict(swept.held)}, indent=2))
            return 0
        rows = await sweeper.report(now)
    finally:
        await client.aclose()
    if as_json:
        print(json.dumps({"bot": bot.name, "at": now.isoformat(), "retention": rows}, indent=2))
        return 0
    print(f"{bot.name}: retention at {now:%Y-%m-%d %H:%M} UTC")
    print(f"  {'class':<14}{'period':>9}  {'held':>7}  {'past it':>7}  oldest")
    for row in rows:
        period = f"{row['period_days']:g}d"
        if "note" in row:
            print(f"  {row['class']:<14}{period:>9}  {row['note']}")
        else:
            print(f"  {row['class']:<14}{period:>9}  {row['held']:>7}  {row['past_period']:>7}  {row['oldest'] or '-'}")
    return 0
