"""`papo templates sync BOTDIR`: the business account's message templates, read from the Graph API
into the bot's catalog (`templates.json`), which `papo validate` checks every template use against.

Reads WHATSAPP_BUSINESS_ACCOUNT_ID (or `--account`), WHATSAPP_TOKEN and, for a test server,
GRAPH_BASE_URL (or PAPO_GRAPH_BASE_URL)."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors import constants as k
from connectors.errors import SendError
from connectors.whatsapp import fetch_templates
from runtime.campaigns.templates import write_catalog

ACCOUNT = "WHATSAPP_BUSINESS_ACCOUNT_ID"


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("templates", help="the WhatsApp message template catalog of a bot")
    actions = parser.add_subparsers(dest="action", required=True)
    sync = actions.add_parser("sync", help="read the approved templates from the Graph API into templates.json")
    sync.add_argument("botdir", type=Path)
    sync.add_argument("--account", help=f"the WhatsApp Business Account id (default: ${ACCOUNT})")
    sync.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    return asyncio.run(sync(args.botdir, account=args.account))


async def sync(root: Path, *, account: str | None = None, env: Mapping[str, str] = os.environ) -> int:
    account = account or env.get(ACCOUNT, "")
    token = env.get("WHATSAPP_TOKEN", "")
    if not account or not token:
        print(f"papo templates sync needs the business account id (--account or {ACCOUNT}) and WHATSAPP_TOKEN")
        return 2
    if not (root / "bot.json").exists():
        print(f"{root} is not a bot folder (no bot.json)")
        return 2
    base = next((env[name] for name in k.GRAPH_BASE_URL_VARIABLES if env.get(name)), k.GRAPH_BASE_URL)
    try:
        found = await fetch_templates(account_id=account, token=token, base_url=base)
    except SendError as exc:
        print(f"the Graph API refused to list the templates: {exc}")
        return 1
    path = write_catalog(root, found, at=datetime.now(UTC))
    statuses = Counter(t["status"] for t in found)
    print(f"{path}: {len(found)} template(s) ({', '.join(f'{n} {s}' for s, n in sorted(statuses.items()))})")
    return 0
