"""The message template catalog (`templates.json` in the bot folder, written by `papo templates sync`)
and the checks of every template the bot uses: in flows (send and ask nodes; the reminder flow's
are reminders), in campaigns, and in the start API's defaults.

Each use must name a template that exists in the catalog, in its language, APPROVED, with as many
parameters as its body has, and of a category that fits its purpose: MARKETING for a marketing
campaign, UTILITY for a utility campaign and for reminders.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flows.errors import FlowIssue
from flows.model import Bot
from runtime.campaigns.model import CAMPAIGNS_FILE, Campaigns, CampaignsInvalid, load_campaigns

CATALOG_FILE = "templates.json"
CATEGORY = {"marketing": "MARKETING", "utility": "UTILITY", "reminders": "UTILITY"}


@dataclass(frozen=True, slots=True)
class Use:
    file: str
    pointer: str
    name: str
    language: str
    params: int
    purpose: str = ""  # "marketing", "utility", "reminders" or "" (any category)


def write_catalog(root: str | Path, templates: list[dict[str, Any]], *, at: datetime) -> Path:
    path = Path(root) / CATALOG_FILE
    ordered = sorted(templates, key=lambda t: (t.get("name", ""), t.get("language", "")))
    path.write_text(json.dumps({"synced_at": at.isoformat(), "templates": ordered}, ensure_ascii=False, indent=2)
                    + "\n", encoding="utf-8")
    return path


def load_catalog(root: str | Path) -> dict[tuple[str, str], dict[str, Any]] | None:
    """(name, language) -> template record; None without a catalog file."""
    path = Path(root) / CATALOG_FILE
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return {(t["name"], t["language"]): t for t in data.get("templates", [])}


def uses(bot: Bot, campaigns: Campaigns) -> list[Use]:
    found: list[Use] = []
    default = bot.default_locale.replace("-", "_")
    reminder_flow = bot.scheduling.reminder_flow
    for flow in bot.flows.values():
        for node in flow.nodes.values():
            ref = getattr(node, "template", None)
            if ref is not None:
                found.append(Use(flow.file or flow.id, f"/nodes/{node.id}/template", ref.name,
                                 ref.language or default, len(ref.params),
                                 "reminders" if flow.id == reminder_flow else ""))
    for name, campaign in campaigns.campaigns.items():
        t = campaign.template
        found.append(Use(campaigns.file, f"/campaigns/{name}/template", t.name, t.language, len(t.params),
                         campaign.purpose))
    for flow_id, t in campaigns.start_templates.items():
        found.append(Use(campaigns.file, f"/start/templates/{flow_id}", t.name, t.language, len(t.params)))
    return found


def check_templates(root: str | Path, bot: Bot, campaigns: Campaigns) -> list[FlowIssue]:
    used = uses(bot, campaigns)
    catalog = load_catalog(root)
    if catalog is None:
        if not used:
            return []
        return [FlowIssue(str(Path(root) / CATALOG_FILE), "", f"the bot uses {len(used)} message template(s) "
                          "but has no template catalog, so none of them is checked",
                          "run `papo templates sync <bot folder>`", code="no-template-catalog", severity="warning")]
    return [issue for use in used if (issue := check_use(use, catalog)) is not None]


def check_use(use: Use, catalog: dict[tuple[str, str], dict[str, Any]]) -> FlowIssue | None:
    """The problem with one use of a template, or None when the catalog has it as used."""

    def issue(code: str, message: str, hint: str) -> FlowIssue:
        return FlowIssue(use.file, use.pointer, message, hint, code=code)

    languages = sorted(lang for name, lang in catalog if name == use.name)
    if not languages:
        close = sorted({name for name, _ in catalog})
        return issue("unknown-template", f"template {use.name!r} is not in {CATALOG_FILE}",
                     "create it in the business account and have it approved, then `papo templates sync`; "
                     f"known: {', '.join(close)}")
    found = catalog.get((use.name, use.language))
    if found is None:
        return issue("template-language", f"template {use.name!r} has no {use.language!r} version",
                     f"it has: {', '.join(languages)}")
    if found.get("status") != "APPROVED":
        return issue("template-not-approved", f"template {use.name!r} ({use.language}) is {found.get('status')}, "
                     "not APPROVED", "wait for Meta's approval, or fix what Meta rejected, then sync again")
    wanted = int(found.get("parameters", 0))
    if use.params != wanted:
        return issue("template-parameters", f"template {use.name!r} takes {wanted} parameter(s); "
                     f"{use.params} given", f"give exactly {wanted} params, in the body's order")
    category = CATEGORY.get(use.purpose)
    if category is not None and found.get("category") != category:
        return issue("template-category", f"template {use.name!r} is {found.get('category')}, but a "
                     f"{use.purpose} message needs a {category} template",
                     "choose a template of that category (Meta may have re-categorised it; sync again)")
    return None


def campaign_issues(root: str | Path, bot: Bot) -> list[FlowIssue]:
    """Everything `papo validate` checks of campaigns.json and the template catalog."""
    try:
        campaigns = load_campaigns(root)
    except CampaignsInvalid as exc:
        return exc.issues
    issues = []
    for name, campaign in campaigns.campaigns.items():
        flow = bot.flows.get(campaign.flow)
        if flow is None:
            issues.append(FlowIssue(campaigns.file, f"/campaigns/{name}/flow", f"flow {campaign.flow!r} does "
                                    "not exist", f"use one of: {', '.join(sorted(bot.flows))}", code="campaigns"))
        elif flow.node(flow.entry).kind != "ask":
            issues.append(FlowIssue(campaigns.file, f"/campaigns/{name}/flow", f"flow {campaign.flow!r} starts "
                                    f"with a {flow.node(flow.entry).kind} node; a campaign's flow starts with the "
                                    "ask its template asks", "make the flow's entry an ask node whose options "
                                    "are the template's buttons", code="campaigns"))
    for flow_id in campaigns.start_templates:
        if flow_id not in bot.flows:
            issues.append(FlowIssue(campaigns.file, f"/start/templates/{flow_id}", f"flow {flow_id!r} does not exist",
                                    f"use one of: {', '.join(sorted(bot.flows))}", code="campaigns"))
    return issues + check_templates(root, bot, campaigns)


__all__ = ["CATALOG_FILE", "CAMPAIGNS_FILE", "Use", "campaign_issues", "check_templates", "check_use", "load_catalog",
           "uses", "write_catalog"]
