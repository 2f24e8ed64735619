"""`papo templates sync BOTDIR`: the business account's message templates, read from the channel's API
into the bot's catalog (`templates.json`), which `papo validate` checks every template use against.

The channel's connector reads its own credentials from the environment (for WhatsApp:
WHATSAPP_BUSINESS_ACCOUNT_ID or `--account`, WHATSAPP_TOKEN, and GRAPH_BASE_URL for a test server);
every connector with a `message_templates` classmethod has a catalog."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors import CONNECTORS, ConnectorError, Connectors
from runtime.campaigns.templates import write_catalog


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("templates", help="the message template catalog of a bot")
    actions = parser.add_subparsers(dest="action", required=True)
    sync_ = actions.add_parser("sync", help="read the approved templates from the channel into templates.json")
    sync_.add_argument("botdir", type=Path)
    sync_.add_argument("--account", help="the business account id (default: from the environment)")
    sync_.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    return asyncio.run(sync(args.botdir, account=args.account))


async def sync(root: Path, *, account: str | None = None, env: Mapping[str, str] = os.environ,
               connectors: Connectors = CONNECTORS) -> int:
    if not (root / "bot.json").exists():
        print(f"{root} is not a bot folder (no bot.json)")
        return 2
    sources = [cls for cls in connectors if hasattr(cls, "message_templates")]
    if not sources:
        print("no channel of this installation has message templates")
        return 2
    found: list[dict[str, Any]] = []
    for cls in sources:
        try:
            found += await cls.message_templates(env, account=account)
        except ConnectorError as exc:
            print(f"{cls.channel}: the templates could not be read: {exc}")
            return 1
    path = write_catalog(root, found, at=datetime.now(UTC))
    statuses = Counter(t["status"] for t in found)
    print(f"{path}: {len(found)} template(s) ({', '.join(f'{n} {s}' for s, n in sorted(statuses.items()))})")
    return 0
