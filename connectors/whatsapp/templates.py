"""The business account's message templates, read from the Graph API
(`GET /<WABA_ID>/message_templates`, every page), as plain records for a local catalog."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import aiohttp

from connectors import constants as k
from connectors._graph import GraphClient
from connectors.errors import ConfigError, InvalidRequest

FIELDS = "name,language,status,category,components"
PAGE_LIMIT = "100"
MAX_PAGES = 1000  # 100,000 templates: far above Meta's 250 per account; stops a paging loop
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


async def fetch_templates(*, account_id: str, token: str, base_url: str = k.GRAPH_BASE_URL,
                          api_version: str = k.GRAPH_API_VERSION, timeout: float = 30.0,
                          session: aiohttp.ClientSession | None = None) -> list[dict[str, Any]]:
    """Every template of the WhatsApp Business Account `account_id`: name, language, status,
    category, the number of body parameters, the body text and the buttons' texts. Raises `SendError`
    (an expired token, an unknown account...) with Meta's code and message."""
    graph = GraphClient(channel="whatsapp", base_url=base_url, version=api_version, token=token, timeout=timeout,
                        session=session)
    found: list[dict[str, Any]] = []
    try:
        page = await graph.get(f"{account_id}/message_templates", {"fields": FIELDS, "limit": PAGE_LIMIT})
        for _ in range(MAX_PAGES):
            found += [record(t) for t in page.get("data", []) if isinstance(t, dict)]
            following = (page.get("paging") or {}).get("next")
            if not following:
                return found
            page = await graph.get(str(following))
    finally:
        await graph.aclose()
    raise InvalidRequest(f"whatsapp: more than {MAX_PAGES} pages of templates; the paging does not end")


ACCOUNT = "WHATSAPP_BUSINESS_ACCOUNT_ID"
TOKEN = "WHATSAPP_TOKEN"


async def templates_from_env(env: Mapping[str, str], *, account: str | None = None) -> list[dict[str, Any]]:
    """`fetch_templates` for the account and token the environment names (`WHATSAPP_BUSINESS_ACCOUNT_ID`
    unless `account` is given, `WHATSAPP_TOKEN`, and GRAPH_BASE_URL for a test server); raises
    ConfigError naming what is missing."""
    account = account or env.get(ACCOUNT, "")
    token = env.get(TOKEN, "")
    if not account or not token:
        missing = [name for name, value in ((ACCOUNT, account), (TOKEN, token)) if not value]
        raise ConfigError(f"whatsapp templates: set {' and '.join(missing)} (the business account's id, from "
                          "WhatsApp Manager, and a token that may read its templates)")
    base = next((env[name] for name in k.GRAPH_BASE_URL_VARIABLES if env.get(name)), k.GRAPH_BASE_URL)
    return await fetch_templates(account_id=account, token=token, base_url=base)


def record(template: dict[str, Any]) -> dict[str, Any]:
    components = template.get("components") or []
    body = next((c.get("text", "") for c in components if c.get("type") == "BODY"), "")
    header = next((c.get("text", "") for c in components if c.get("type") == "HEADER"
                   and c.get("format") == "TEXT"), "")
    buttons = [b.get("text", "") for c in components if c.get("type") == "BUTTONS" for b in c.get("buttons", [])]
    return {"name": template.get("name", ""), "language": template.get("language", ""),
            "status": template.get("status", ""), "category": template.get("category", ""),
            "parameters": len(set(_PLACEHOLDER.findall(body))), "header_parameters": len(_PLACEHOLDER.findall(header)),
            "body": body, "buttons": buttons}
