"""Campaign definitions: `campaigns.json` in the bot folder, next to `calendar.json`.

    {
      "limits": {"per_second": 80, "daily_unique": 1000},
      "start": {"templates": {"resultado_pronto": {"name": "resultado_pronto", "language": "pt_BR",
                                                   "params": ["{{ nome }}"]}}},
      "campaigns": {
        "retorno_6_meses": {
          "title": "Retorno de quem não vem há 6 meses",
          "purpose": "marketing",             # "marketing" (needs an active opt-in) or "utility"
          "channel": "whatsapp",
          "flow": "retorno",                  # handles the replies; its entry is an ask
          "template": {"name": "retorno_consulta", "language": "pt_BR", "params": ["{{ nome }}"]},
          "audience": {"labels": ["paciente"], "vars": {"convenio": "Unimed"}, "where": "idade >= 18",
                       "last_visit_before": "180d", "birthday": "data_nascimento"}
        }
      }
    }

A file, not bot.json keys nor definitions made through the API: a campaign is reviewed like a flow
(in git, by `papo validate`), and the admin API runs, pauses, resumes and cancels it. `limits`
follow WhatsApp's: 80 messages per second per number, and the number's messaging tier of unique
contacts a day (250, 2,000, 10,000, 100,000: set yours). `start.templates` are the templates the
start API uses for a flow when the request names none.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from flows.durations import parse_duration
from flows.errors import FlowIssue

CAMPAIGNS_FILE = "campaigns.json"
Purpose = Literal["marketing", "utility"]


@dataclass(frozen=True, slots=True)
class Audience:
    labels: tuple[str, ...] = ()  # every one of them
    vars: Mapping[str, Any] = field(default_factory=dict)  # each variable equal to the value
    where: str = ""  # a condition over the contact's variables
    last_visit_before: timedelta | None = None  # their last appointment (not cancelled) is older than this
    birthday: str = ""  # a date variable: today is its day and month


@dataclass(frozen=True, slots=True)
class CampaignTemplate:
    name: str
    language: str
    params: tuple[str, ...] = ()
    buttons: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "language": self.language, "params": list(self.params),
                "buttons": list(self.buttons)}


@dataclass(frozen=True, slots=True)
class Campaign:
    name: str
    purpose: Purpose
    channel: str
    flow: str
    template: CampaignTemplate
    audience: Audience = Audience()
    title: str = ""


@dataclass(frozen=True, slots=True)
class Limits:
    per_second: int = 80
    daily_unique: int = 1000


@dataclass(frozen=True, slots=True)
class Campaigns:
    campaigns: Mapping[str, Campaign] = field(default_factory=dict)
    limits: Limits = Limits()
    start_templates: Mapping[str, CampaignTemplate] = field(default_factory=dict)  # flow id -> template
    file: str = ""


class CampaignsInvalid(ValueError):
    def __init__(self, issues: list[FlowIssue]) -> None:
        self.issues = issues
        super().__init__(f"{len(issues)} problem(s):\n" + "\n".join(map(str, issues)))


def load_campaigns(root: str | Path) -> Campaigns:
    """The bot's campaigns (none without the file); raises CampaignsInvalid naming each problem."""
    path = Path(root) / CAMPAIGNS_FILE
    if not path.exists():
        return Campaigns()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise CampaignsInvalid([FlowIssue(str(path), "", f"not valid JSON: {exc}", code="campaigns-json")]) from exc
    reader = _Reader(str(path))
    found = reader.read(data)
    if reader.issues:
        raise CampaignsInvalid(reader.issues)
    return found


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.issues: list[FlowIssue] = []

    def fail(self, pointer: str, message: str, hint: str = "") -> None:
        self.issues.append(FlowIssue(self.file, pointer, message, hint, code="campaigns"))

    def read(self, data: Any) -> Campaigns:
        if not isinstance(data, dict):
            self.fail("", "campaigns.json must hold a JSON object", "see docs/campaigns.md")
            return Campaigns()
        unknown = set(data) - {"$schema", "limits", "start", "campaigns"}
        if unknown:
            self.fail("", f"unknown key(s) {', '.join(sorted(unknown))}", "use limits, start and campaigns")
        raw_limits = data.get("limits", {})
        limits = Limits(**{k: self.count(f"/limits/{k}", raw_limits.get(k, d))
                           for k, d in (("per_second", 80), ("daily_unique", 1000))})
        starts = {flow: t for flow, raw in (data.get("start", {}).get("templates", {}) or {}).items()
                  if (t := self.template(f"/start/templates/{flow}", raw)) is not None}
        campaigns = {name: c for name, raw in (data.get("campaigns") or {}).items()
                     if (c := self.campaign(name, raw)) is not None}
        return Campaigns(campaigns, limits, starts, self.file)

    def count(self, pointer: str, value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.fail(pointer, f"{value!r} is not a whole number of 1 or more")
            return 1
        return value

    def template(self, pointer: str, raw: Any) -> CampaignTemplate | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
            self.fail(pointer, "a template needs a name", 'e.g. {"name": "retorno_consulta", "language": "pt_BR"}')
            return None
        params = raw.get("params", [])
        if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
            self.fail(f"{pointer}/params", "params must be a list of texts (templates like \"{{ nome }}\")")
            return None
        return CampaignTemplate(raw["name"], str(raw.get("language", "pt_BR")), tuple(params),
                                tuple(str(b) for b in raw.get("buttons", [])))

    def campaign(self, name: str, raw: Any) -> Campaign | None:
        at = f"/campaigns/{name}"
        if not isinstance(raw, dict):
            self.fail(at, "a campaign must be a JSON object")
            return None
        purpose = raw.get("purpose")
        if purpose not in ("marketing", "utility"):
            self.fail(f"{at}/purpose", f"purpose {purpose!r} must be \"marketing\" or \"utility\"",
                      "marketing reaches only contacts with an active opt-in")
        for key in ("channel", "flow"):
            if not isinstance(raw.get(key), str) or not raw[key]:
                self.fail(f"{at}/{key}", f"the campaign needs a {key}")
        template = self.template(f"{at}/template", raw.get("template"))
        audience = self.audience(f"{at}/audience", raw.get("audience", {}))
        if template is None or audience is None or purpose not in ("marketing", "utility"):
            return None
        return Campaign(name, purpose, str(raw.get("channel")), str(raw.get("flow")), template, audience,
                        str(raw.get("title", "")))

    def audience(self, at: str, raw: Any) -> Audience | None:
        if not isinstance(raw, dict):
            self.fail(at, "audience must be a JSON object")
            return None
        unknown = set(raw) - {"labels", "vars", "where", "last_visit_before", "birthday"}
        if unknown:
            self.fail(at, f"unknown audience key(s) {', '.join(sorted(unknown))}",
                      "use labels, vars, where, last_visit_before and birthday")
        before = None
        if raw.get("last_visit_before") is not None:
            try:
                before = parse_duration(str(raw["last_visit_before"]))
            except ValueError:
                self.fail(f"{at}/last_visit_before", f"{raw['last_visit_before']!r} is not a duration",
                          'e.g. "180d"')
                return None
        return Audience(tuple(str(x) for x in raw.get("labels", [])), dict(raw.get("vars", {})),
                        str(raw.get("where", "")), before, str(raw.get("birthday", "")))
