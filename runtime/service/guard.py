"""Who is calling the admin API, whether their role may, and the one audit entry of every call.

Credentials: `Authorization: Bearer papo_...` (an API token, or the session token `POST /admin/login`
returns), or the `papo_session` cookie it sets. `PAPO_ADMIN_TOKEN` acts as an admin only until the
first enabled admin account exists (it bootstraps that account); from then on it opens nothing.
Wrong credentials count against the caller's address: the 10th within 10 minutes gets 429 for 10
minutes (`runtime.access.limits`). Every call to an admin route writes exactly one audit entry,
refusals included, after the handler answered (or failed).
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from runtime.access import ROLES, Accounts, AuditEntry, AuditLog, LoginLimiter, may
from runtime.conversations.keys import ConversationKey
from runtime.service.bot_service import Service

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
RouteHandler = Callable[[web.Request, Service], Awaitable[web.StreamResponse]]
Chooser = Callable[[web.Request], Service]  # the bot a request is about (`?bot=`, else the first)
COOKIE = "papo_session"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
WRONG = ("missing or wrong credentials: send Authorization: Bearer <token> with a papo_ token (POST /admin/login, "
         "or `papo tokens create`), or PAPO_ADMIN_TOKEN until the first admin account exists")


@dataclass(frozen=True, slots=True)
class Staff:
    name: str  # an account, or "bootstrap" for PAPO_ADMIN_TOKEN
    role: str
    token: str | None = None  # the token id (never the token)


# request-scoped values: what the audit entry names, and who called
TARGET = web.RequestKey("papo.audit_target", str)
DETAIL = web.RequestKey("papo.audit_detail", str)
STAFF = web.RequestKey("papo.staff", Staff)
REQUEST_ID = web.RequestKey("papo.request_id", str)
AUDITED = web.RequestKey("papo.audited", bool)  # a long-lived stream wrote its entry when it started


def accounts(service: Service) -> Accounts:
    return Accounts(service.client, prefix=service.settings.key_prefix, clock=service.processor.clock)


def audit_log(service: Service) -> AuditLog:
    return AuditLog(service.client, prefix=service.settings.key_prefix)


def limiter(service: Service) -> LoginLimiter:
    return LoginLimiter(service.client, prefix=service.settings.key_prefix)


def staff_of(request: web.Request) -> Staff:
    return request[STAFF]  # set by guarded() before the handler runs


def client_ip(request: web.Request, trusted: frozenset[str] = frozenset()) -> str:
    """The caller's address: the TCP peer, or, when the peer is a proxy of PAPO_TRUSTED_PROXIES, the
    nearest address in X-Forwarded-For that is not one of them (the ones before it could be forged)."""
    peer = request.remote or "-"
    if peer not in trusted:
        return peer
    hops = [a.strip() for a in ",".join(request.headers.getall("X-Forwarded-For", [])).split(",") if a.strip()]
    return next((a for a in reversed(hops) if a not in trusted), peer)


def request_id(request: web.Request) -> str:
    given = request.headers.get("X-Request-Id", "")
    if REQUEST_ID not in request:
        request[REQUEST_ID] = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    return request[REQUEST_ID]


def credential(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ").strip() if header else request.cookies.get(COOKIE, "")


async def identify(request: web.Request, service: Service) -> Staff | web.Response:
    """The caller, or the response that refuses them (401, 404 when there is no admin API, 429)."""
    book, token = accounts(service), service.settings.admin_token
    if token is None and not await book.any():
        return error(404, "no admin API: set PAPO_ADMIN_TOKEN to create the first admin, or `papo users add`")
    given = credential(request)
    if not given:
        return error(401, WRONG)
    ip = client_ip(request, service.settings.trusted_proxies)
    if await limiter(service).blocked(ip):
        return error(429, "too many failed sign-ins from this address; try again in 10 minutes")
    if given.startswith("papo_"):
        if (found := await book.authenticate(given)) is not None:
            return Staff(found[0].name, found[0].role, found[1].id)
    elif token is not None and hmac.compare_digest(_bytes(given), _bytes(token)):
        if not await book.has_admin():
            return Staff("bootstrap", "admin")
        return error(401, "PAPO_ADMIN_TOKEN only bootstraps the first admin account, which exists: sign in "
                          "(POST /admin/login) or use a papo_ token")
    if await limiter(service).failed(ip):
        return error(429, "too many failed sign-ins from this address; try again in 10 minutes")
    return error(401, WRONG)


def guarded(handler: RouteHandler, chooser: Chooser, role: str) -> Handler:
    assert role in ROLES, role

    async def guarded_(request: web.Request) -> web.StreamResponse:
        service = chooser(request)
        staff: Staff | None = None
        status, off = 500, False
        try:
            who = await identify(request, service)
            if isinstance(who, web.Response):
                response: web.StreamResponse = who
                off = who.status == 404  # no admin API at all: nothing to audit
            elif not may(who.role, role):
                staff, response = who, error(403, f"this route needs the {role} role; your account "
                                                  f"{who.name!r} has {who.role}")
            else:
                staff = who
                request[STAFF] = who
                response = await handler(request, service)
            status = response.status
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            if not off and not request.get(AUDITED):
                await audit(request, service, staff, status)
        response.headers["X-Request-Id"] = request_id(request)
        return response

    return guarded_


async def audit(request: web.Request, service: Service, staff: Staff | None, status: int, *,
                action: str | None = None, actor: str | None = None) -> None:
    """Write the request's one audit entry: never a body, a token or a value, only names and refs."""
    entry = AuditEntry(at=service.processor.clock.now().isoformat(), actor=actor or (staff.name if staff else "-"),
                       role=staff.role if staff else "-", ip=client_ip(request, service.settings.trusted_proxies),
                       action=action or f"{request.method} {_pattern(request)}", target=_target(request, service),
                       result=status, request=request_id(request), detail=request.get(DETAIL, ""))
    await audit_log(service).write(entry)


def _pattern(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else request.path


def _target(request: web.Request, service: Service) -> str:
    if TARGET in request:
        return request[TARGET]
    info = request.match_info
    if "channel" in info and "user" in info:
        return ConversationKey(service.library.name, info["channel"], info["user"]).ref
    return next((info[name] for name in ("name", "id", "professional") if name in info), "")


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def json_body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:  # (can_read_body is false once the body was read, as it always is by now)
        return {}
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def _bytes(value: str) -> bytes:
    """UTF-8 that never fails: a header that was not UTF-8 (aiohttp keeps its bytes as surrogates) compares unequal."""
    return value.encode("utf-8", "surrogatepass")
