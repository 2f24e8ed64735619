"""Being told to start a conversation: another system (a CRM, a workflow tool) asks papo to run a
flow for a contact. Role `integration` (docs/access.md).

    POST /api/v1/contacts/{channel}/{user}/start
         {"flow": "resultado_pronto", "variables": {"nome": "Ana"},
          "template": {"name": "resultado_pronto", "language": "pt_BR", "params": ["{{ nome }}"]},
          "purpose": "utility" | "marketing", "if_busy": "queue" | "refuse", "if_closed": "queue" | "refuse"}
         header Idempotency-Key (optional): the same key starts the conversation once

Answers 202 {"status": "started" | "queued" | "scheduled", ...} or a clear refusal:
400 bad input, 404 unknown channel, 409 the contact is mid-way through a flow or with staff (and
`if_busy` is "refuse"), or it is outside business hours (and `if_closed` is "refuse"), 422 the contact
may not get it (blocked, opted out, no marketing opt-in) or the channel's reply window is closed and
no template was given.

The start is an event of the contact's conversation (`runtime.nodes.start`), accepted through the
same inbox as a message and run by a worker, so it is ordered with the contact's own messages,
deduped by its id and committed once; its replies leave through the sender (window, consent and
pacing checked again at send time). A start queued because the contact was busy runs when the
conversation is idle again (`Service.release_starts`); one queued because the business was closed is a
timer at the next opening.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from aiohttp import web

from connectors import Connector
from runtime.campaigns import CampaignsInvalid, load_campaigns
from runtime.campaigns.templates import Use, check_use, load_catalog
from runtime.conversations.keys import ConversationKey
from runtime.engine.hours import OpeningHours
from runtime.nodes.start import KIND, refusal
from runtime.service.bot_service import Service
from runtime.service.guard import RouteHandler, error, json_body
from runtime.timers import Timer

PATH = "/api/v1/contacts/{channel}/{user}/start"
CHOICES = ("queue", "refuse")
PURPOSES = ("utility", "marketing")
_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


class BadStart(ValueError):
    """The request cannot be a start: what is wrong and how to fix it."""


def routes() -> list[tuple[str, str, RouteHandler, str]]:
    return [("POST", PATH, start_conversation, "integration")]


def start_payload(service: Service, channel: str, user: str, body: dict[str, Any], *, start_id: str,
                  origin: str = "api") -> dict[str, Any]:
    """The `start` timer payload for a request body; raises BadStart naming the field at fault."""
    flows = service.library.current.flows
    flow = body.get("flow")
    if not isinstance(flow, str) or flow not in flows:
        raise BadStart(f"flow {flow!r} is not a flow of bot {service.library.name!r}; "
                       f"use one of: {', '.join(sorted(flows))}")
    variables = body.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(k, str) and k for k in variables):
        raise BadStart("variables must be a JSON object of variable names to values, e.g. {\"nome\": \"Ana\"}")
    template = body.get("template") or _default_template(service, flow)
    if template is not None and (not isinstance(template, dict) or not isinstance(template.get("name"), str)
                                 or not isinstance(template.get("params", []), list)):
        raise BadStart("template must be {\"name\": ..., \"language\": \"pt_BR\", \"params\": [...]}")
    if template is not None:
        _check_template(service, template, purpose=body.get("purpose", "utility"))
    choices = {name: body.get(name, "refuse" if name == "if_busy" else body.get("if_busy", "refuse"))
               for name in ("if_busy", "if_closed")}
    for name, value in choices.items():
        if value not in CHOICES:
            raise BadStart(f"{name} {value!r} must be \"queue\" or \"refuse\"")
    purpose = body.get("purpose", "utility")
    if purpose not in PURPOSES:
        raise BadStart(f"purpose {purpose!r} must be \"utility\" or \"marketing\"")
    window_s = window_seconds(service.connectors[channel])
    return {"id": start_id, "channel": channel, "user": user, "flow": flow, "vars": variables,
            "template": template, "window_s": window_s, "purpose": purpose, "origin": origin, **choices}


def window_seconds(connector: Connector) -> float | None:
    """The channel's reply window, with its margin, in seconds; None when the channel has none."""
    window = connector.window
    return (window.length - window.margin).total_seconds() if window is not None else None


async def start_conversation(request: web.Request, service: Service) -> web.StreamResponse:
    channel, user = request.match_info["channel"], request.match_info["user"]
    if channel not in service.connectors:
        return error(404, f"channel {channel!r} is not served by bot {service.library.name!r}; "
                          f"served: {', '.join(sorted(service.connectors))}")
    given = request.headers.get("Idempotency-Key", "")
    if given and not _KEY.fullmatch(given):
        return error(400, "Idempotency-Key must be 1 to 100 letters, digits or . _ : -")
    try:
        payload = start_payload(service, channel, user, await json_body(request),
                                start_id=f"api-{given or secrets.token_hex(8)}")
    except BadStart as exc:
        return error(400, str(exc))
    key = ConversationKey(service.library.name, channel, user)
    if given and await service.client.exists(service.processor.store.keys.seen(key, f"start:{payload['id']}")):
        return web.json_response({"status": "duplicate", "id": payload["id"]})  # accepted before: once only
    state, _ = await service.processor.store.load(key)
    now = service.processor.clock.now()
    why = refusal(state is not None and state.opted_out_at is not None,
                  state is not None and state.blocked_at is not None,
                  state.consent("marketing") if state is not None else None, payload["purpose"])
    if why is not None:
        return _refused(422, why, {"blocked": "staff blocked this contact",
                                   "opted_out": "the contact asked for no more messages",
                                   "no_consent": "marketing needs the contact's active opt-in (a consent node, "
                                                 "or one recorded by staff)"}[why])
    window = service.connectors[channel].window
    last = state.last_inbound() if state is not None else None
    if window is not None and not window.is_open(last, now) and not payload["template"]:
        return _refused(422, "window_closed", f"the contact has not written in the last "
                        f"{window.length.total_seconds() / 3600:g} h, so only an approved template may open the "
                        "conversation: add \"template\": {\"name\", \"language\", \"params\"}")
    busy = state is not None and (state.waiting is not None or state.active)
    if busy and payload["if_busy"] == "refuse":
        return _refused(409, "busy", "the contact is in the middle of a conversation (a booking, a question, or "
                                     "with staff); try later, or send \"if_busy\": \"queue\"")
    bot = service.library.current
    hours = OpeningHours(bot.hours, bot.timezone)
    if not hours.is_open(now):
        return await _closed(service, payload, hours, now)
    fresh = await service.submit_start(payload)
    status = "queued" if busy else "started"
    return web.json_response({"status": status, "id": payload["id"], "duplicate": not fresh}, status=202)


async def _closed(service: Service, payload: dict[str, Any], hours: OpeningHours, now: datetime) -> web.Response:
    opening = hours.next_opening(now)
    timers = service.processor.services.timers
    if payload["if_closed"] == "refuse" or opening is None or timers is None:
        when = f"; it opens at {opening.isoformat()}" if opening else ""
        return _refused(409, "closed", f"outside business hours (bot.json \"hours\"){when}; try then, or send "
                                       "\"if_closed\": \"queue\"")
    await timers.schedule(Timer(f"start:{payload['id']}:opening", opening, KIND, payload))
    return web.json_response({"status": "scheduled", "id": payload["id"], "at": opening.isoformat()}, status=202)


def _check_template(service: Service, template: dict[str, Any], *, purpose: Any) -> None:
    """With a template catalog (templates.json), the template must be in it as used; raises BadStart."""
    catalog = load_catalog(service.library.root)
    if catalog is None:
        return
    language = str(template.get("language") or service.library.current.default_locale.replace("-", "_"))
    use = Use("request", "/template", str(template["name"]), language, len(template.get("params", [])),
              purpose if purpose in PURPOSES else "")
    if (issue := check_use(use, catalog)) is not None:
        raise BadStart(f"{issue.message}; {issue.hint}")


def _default_template(service: Service, flow: str) -> dict[str, Any] | None:
    """The template campaigns.json "start" names for the flow, if any (an invalid file names none)."""
    try:
        found = load_campaigns(service.library.root).start_templates.get(flow)
    except CampaignsInvalid:
        return None
    return found.to_json() if found is not None else None


def _refused(status: int, reason: str, message: str) -> web.Response:
    return web.json_response({"error": message, "reason": reason}, status=status)
