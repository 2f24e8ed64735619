"""The privacy routes of the admin API (LGPD art. 18, 19), for the data-protection officer (role `dpo`),
listed by `runtime.service.admin.routes()`:

    GET    /admin/contacts/{channel}/{user}/export[?summary=1]  everything papo holds (versioned JSON)
    DELETE /admin/contacts/{channel}/{user}                    erase every trace, both number forms;
           body {"identity_confirmed": true}: staff confirmed who asked (art. 18 §3)
    PATCH  /admin/contacts/{channel}/{user}/variables          {"vars": {...}}: correct variables (art. 18 III)
    POST   /admin/contacts/{channel}/{user}/block | /unblock   stop all processing and sends, keep the data
    POST   /admin/contacts/{channel}/{user}/consents           {"purpose", "granted", "text_id"?}: a consent
           given outside the chat (on paper, at the desk)
    POST   /admin/contacts/{channel}/{user}/messages           {"text" | "template", "purpose"}: a proactive
           message (role agent); it goes only if `may_send` allows its purpose
    GET    /admin/requests                                     data-subject requests and their 15-day clock
    POST   /admin/requests/{id}/close                          {"status"?}: answered
    GET    /admin/retention                                    the retention report
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from flows.messages import InboundEvent, OutboundMessage, Template
from runtime.conversations.keys import ConversationKey
from runtime.privacy import PURPOSES, Contact, Eraser, Exporter, PrivacyRequests, Sweeper
from runtime.service.bot_service import Service, consent_event

RouteHandler = Callable[[web.Request, Service], Awaitable[web.StreamResponse]]
CONTACT = "/admin/contacts/{channel}/{user}"


def privacy_routes() -> list[tuple[str, str, RouteHandler, str]]:
    return [("GET", f"{CONTACT}/export", export, "dpo"),
            ("DELETE", CONTACT, erase, "dpo"),
            ("PATCH", f"{CONTACT}/variables", correct, "dpo"),
            ("POST", f"{CONTACT}/block", block, "dpo"),
            ("POST", f"{CONTACT}/unblock", unblock, "dpo"),
            ("POST", f"{CONTACT}/consents", consent, "dpo"),
            ("POST", f"{CONTACT}/messages", proactive, "agent"),
            ("GET", "/admin/requests", requests, "dpo"),
            ("POST", "/admin/requests/{id}/close", close_request, "dpo"),
            ("GET", "/admin/retention", retention, "dpo")]


def _contact(request: web.Request, service: Service) -> Contact:
    return Contact(service.library.name, request.match_info["channel"], request.match_info["user"])


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _body(request: web.Request) -> dict[str, Any] | None:
    """The JSON object sent, {} for no body, None when the body is not a JSON object."""
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


async def export(request: web.Request, service: Service) -> web.StreamResponse:
    exporter = Exporter(service.client, prefix=service.settings.key_prefix)
    contact, bot, now = _contact(request, service), service.library.current, service.processor.clock.now()
    if request.query.get("summary") in ("1", "true"):
        return _json(await exporter.summary(contact, bot, now=now))
    document = await exporter.export(contact, bot, now=now)
    name = f"papo-export-{contact.channel}-{uuid.uuid4().hex[:8]}.json"
    return web.Response(text=json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def erase(request: web.Request, service: Service) -> web.StreamResponse:
    body = await _body(request)
    confirmed = request.query.get("identity_confirmed") in ("1", "true") or bool((body or {}).get("identity_confirmed"))
    if not confirmed:
        return _error(400, 'confirm who asked before erasing (LGPD art. 18 §3): send {"identity_confirmed": true}')
    done = await Eraser(service.client, prefix=service.settings.key_prefix).erase(
        _contact(request, service), now=service.processor.clock.now())
    return _json(done.to_json())


async def _system(service: Service, key: ConversationKey, data: dict[str, Any]) -> web.StreamResponse | None:
    state, _ = await service.processor.store.load(key)
    if state is None:
        return _error(404, "no such conversation")
    event = InboundEvent(key.channel, key.user, f"admin-{data['action']}-{uuid.uuid4().hex}",
                         service.processor.clock.now(), kind="system", data=data)
    await service.processor.submit(event)
    return None


def _key(request: web.Request, service: Service) -> ConversationKey:
    return ConversationKey(service.library.name, request.match_info["channel"], request.match_info["user"])


async def correct(request: web.Request, service: Service) -> web.StreamResponse:
    body = await _body(request)
    values = (body or {}).get("vars")
    if not isinstance(values, dict) or not values:
        return _error(400, 'send {"vars": {"name": "value", ...}} with the corrected variables')
    unknown = sorted(name for name in values if service.library.current.variable(name) is None)
    if unknown:
        return _error(400, f"variable(s) {', '.join(unknown)} are not declared by the bot; correct declared ones")
    missing = await _system(service, _key(request, service), {"action": "correct", "vars": values})
    return missing or _json({"corrected": sorted(values)})


async def block(request: web.Request, service: Service) -> web.StreamResponse:
    return await _system(service, _key(request, service), {"action": "block"}) or _json({"blocked": True})


async def unblock(request: web.Request, service: Service) -> web.StreamResponse:
    key = _key(request, service)
    missing = await _system(service, key, {"action": "unblock"})
    if missing is None:
        await service.sends.signal(key)  # what waited while blocked goes now, if it still may
    return missing or _json({"blocked": False})


async def consent(request: web.Request, service: Service) -> web.StreamResponse:
    body = await _body(request) or {}
    purpose, granted = body.get("purpose"), body.get("granted")
    if purpose not in PURPOSES or purpose == "service" or not isinstance(granted, bool):
        return _error(400, 'send {"purpose": "marketing" | "reminders", "granted": true | false}')
    key = _key(request, service)
    await service.processor.submit(consent_event(key, purpose, granted, source="staff",
                                                 at=service.processor.clock.now()))
    state, _ = await service.processor.store.load(key)
    return _json({"consents": state.consents if state else {}})


async def proactive(request: web.Request, service: Service) -> web.StreamResponse:
    """A message the patient did not ask for (a campaign, staff writing first): queued with its purpose;
    the sender sends it only if `may_send` allows it, else records NoConsent."""
    body = await _body(request) or {}
    purpose = body.get("purpose")
    if purpose not in PURPOSES:
        return _error(400, f'send {{"purpose": one of {", ".join(PURPOSES)}, "text" or "template"}}')
    template = body.get("template")
    text = body.get("text")
    if not (isinstance(text, str) and text.strip()) and not isinstance(template, dict):
        return _error(400, 'send "text" or "template": {"name", "language", "params"?}')
    try:
        chosen = Template(template["name"], template["language"], tuple(template.get("params", ()))) \
            if isinstance(template, dict) else None
    except (KeyError, TypeError):
        return _error(400, 'a template needs "name" and "language"')
    key = _key(request, service)
    message = OutboundMessage(id=f"proactive-{uuid.uuid4().hex}", text=text if isinstance(text, str) else "",
                              template=chosen, purpose=purpose)
    await service.processor.store.queue_messages(key, [message])
    await service.sends.signal(key)
    return _json({"queued": message.id, "purpose": purpose})


async def requests(request: web.Request, service: Service) -> web.StreamResponse:
    book = PrivacyRequests(service.client, prefix=service.settings.key_prefix, bot=service.library.name)
    return _json({"requests": await book.listed(service.processor.clock.now())})


async def close_request(request: web.Request, service: Service) -> web.StreamResponse:
    body = await _body(request) or {}
    status = body.get("status", "answered")
    if status not in ("answered", "refused"):
        return _error(400, 'status is "answered" or "refused"')
    book = PrivacyRequests(service.client, prefix=service.settings.key_prefix, bot=service.library.name)
    closed = await book.close(request.match_info["id"], at=service.processor.clock.now(), status=status)
    return _json(closed) if closed is not None else _error(404, "no such request")


async def retention(request: web.Request, service: Service) -> web.StreamResponse:
    sweeper = Sweeper(service.client, prefix=service.settings.key_prefix, bot=service.library.name,
                      retention=service.library.current.retention)
    return _json({"retention": await sweeper.report(service.processor.clock.now())})
