"""Staff accounts over the admin API: sign-in, users, tokens, the audit log (docs/access.md).

    POST   /admin/login                  {"name", "password"} -> a session token (12 h), also as an
                                         HttpOnly SameSite=Strict cookie; no role needed
    GET    /admin/me                     who the credentials stand for                      (viewer)
    POST   /admin/logout                 revoke the token this call was made with           (viewer)
    POST   /admin/me/password            {"current", "new"}: change one's own password      (viewer)
    POST   /admin/users/{name}/password  {"password"}: set another account's password       (admin)
    GET    /admin/users                  accounts, never their password hashes              (admin)
    POST   /admin/users                  {"name", "role", "password"?}                      (admin)
    POST   /admin/users/{name}/disable   its tokens stop working at once                    (admin)
    POST   /admin/users/{name}/enable                                                       (admin)
    GET    /admin/tokens?user=           live tokens, without their secrets                 (admin)
    POST   /admin/tokens                 {"user", "label"?, "days"?} -> the token, shown once (admin)
    DELETE /admin/tokens/{id}            revoke                                             (admin)
    GET    /admin/audit?limit=&since=    the audit log, newest first                        (dpo)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aiohttp import web

from runtime.access import AccessError
from runtime.access.accounts import NAME, SESSION_TTL
from runtime.service.bot_service import Service
from runtime.service.guard import (
    COOKIE,
    DETAIL,
    TARGET,
    RouteHandler,
    accounts,
    audit,
    audit_log,
    client_ip,
    error,
    json_body,
    limiter,
    request_id,
    staff_of,
)


def routes() -> list[tuple[str, str, RouteHandler, str]]:
    return [("GET", "/admin/me", me, "viewer"),
            ("POST", "/admin/logout", logout, "viewer"),
            ("POST", "/admin/me/password", own_password, "viewer"),
            ("POST", "/admin/users/{name}/password", set_password, "admin"),
            ("GET", "/admin/users", users, "admin"),
            ("POST", "/admin/users", add_user, "admin"),
            ("POST", "/admin/users/{name}/disable", disable_user, "admin"),
            ("POST", "/admin/users/{name}/enable", enable_user, "admin"),
            ("GET", "/admin/tokens", tokens, "admin"),
            ("POST", "/admin/tokens", create_token, "admin"),
            ("DELETE", "/admin/tokens/{id}", revoke_token, "admin"),
            ("GET", "/admin/audit", audit_entries, "dpo")]


async def login(request: web.Request, service: Service) -> web.StreamResponse:
    """Sign in with a password; one audit entry per attempt, failures counted per address."""
    ip, body = client_ip(request, service.settings.trusted_proxies), await json_body(request)
    name, password = body.get("name"), body.get("password")
    response: web.StreamResponse
    if await limiter(service).blocked(ip):
        response = error(429, "too many failed sign-ins from this address; try again in 10 minutes")
    elif not isinstance(name, str) or not isinstance(password, str):
        response = error(400, 'send {"name": "...", "password": "..."}')
    elif (account := await accounts(service).check_password(name, password)) is None:
        blocked = await limiter(service).failed(ip)
        response = error(429 if blocked else 401, "wrong name or password, or the account is disabled")
    else:
        token, info = await accounts(service).issue(account.name, label="session", ttl=SESSION_TTL, kind="session")
        response = web.json_response({"token": token, "name": account.name, "role": account.role,
                                      "expires": info.expires})
        response.set_cookie(COOKIE, token, max_age=int(SESSION_TTL.total_seconds()), path="/", httponly=True,
                            samesite="Strict", secure=request.secure)
    # The name only when it could be one (a password typed in the name field stays out of the log).
    named = name if isinstance(name, str) and NAME.fullmatch(name) else "-"
    request[TARGET] = named
    await audit(request, service, None, response.status, action="login", actor=named)
    response.headers["X-Request-Id"] = request_id(request)
    return response


async def me(request: web.Request, service: Service) -> web.StreamResponse:
    staff = staff_of(request)
    return web.json_response({"name": staff.name, "role": staff.role, "token": staff.token})


async def logout(request: web.Request, service: Service) -> web.StreamResponse:
    staff = staff_of(request)
    if staff.token is None:
        return error(400, "PAPO_ADMIN_TOKEN is not a session: unset it once the first admin account exists")
    try:
        await accounts(service).revoke(staff.token)
    except AccessError:
        pass  # revoked meanwhile: signed out all the same
    request[TARGET] = staff.token
    response = web.json_response({"signed_out": True})
    response.del_cookie(COOKIE, path="/")
    return response


async def own_password(request: web.Request, service: Service) -> web.StreamResponse:
    staff, body = staff_of(request), await json_body(request)
    current, new = body.get("current"), body.get("new")
    if not isinstance(current, str) or not isinstance(new, str):
        return error(400, 'send {"current": "...", "new": "..."}')
    request[TARGET] = staff.name
    if staff.token is None or await accounts(service).check_password(staff.name, current) is None:
        return error(403, "the current password is wrong (or this account has none: ask an admin to set one)")
    try:
        await accounts(service).set_password(staff.name, new)
    except AccessError as exc:
        return error(400, str(exc))
    return web.json_response({"changed": True})


async def set_password(request: web.Request, service: Service) -> web.StreamResponse:
    password = (await json_body(request)).get("password")
    if not isinstance(password, str):
        return error(400, 'send {"password": "..."}')
    try:
        await accounts(service).set_password(request.match_info["name"], password)
    except AccessError as exc:
        return error(404 if "no user" in str(exc) else 400, str(exc))
    return web.json_response({"changed": True})


async def users(request: web.Request, service: Service) -> web.StreamResponse:
    return web.json_response({"users": [a.to_json() for a in await accounts(service).all()]})


async def add_user(request: web.Request, service: Service) -> web.StreamResponse:
    body = await json_body(request)
    name, role, password = body.get("name"), body.get("role"), body.get("password")
    if not isinstance(name, str) or not isinstance(role, str) or not isinstance(password, str | None):
        return error(400, 'send {"name": "ana", "role": "agent", "password": "..."} (password optional: '
                          "an account without one signs in with tokens only)")
    request[TARGET], request[DETAIL] = name, f"role={role}"
    if staff_of(request).name == "bootstrap" and (role != "admin" or password is None):
        return error(400, "PAPO_ADMIN_TOKEN creates the first admin account only, with a password: send "
                          '{"name": "...", "role": "admin", "password": "..."}, then sign in as that admin')
    try:
        account = await accounts(service).add(name, role, password)
    except AccessError as exc:
        return error(400 if "already exists" not in str(exc) else 409, str(exc))
    return web.json_response(account.to_json(), status=201)


async def disable_user(request: web.Request, service: Service) -> web.StreamResponse:
    return await _set_disabled(request, service, True)


async def enable_user(request: web.Request, service: Service) -> web.StreamResponse:
    return await _set_disabled(request, service, False)


async def _set_disabled(request: web.Request, service: Service, disabled: bool) -> web.StreamResponse:
    try:
        account = await accounts(service).set_disabled(request.match_info["name"], disabled)
    except AccessError as exc:
        return error(404, str(exc))
    return web.json_response(account.to_json())


async def tokens(request: web.Request, service: Service) -> web.StreamResponse:
    user = request.query.get("user")
    return web.json_response({"tokens": [t.to_json() for t in await accounts(service).tokens(user)]})


async def create_token(request: web.Request, service: Service) -> web.StreamResponse:
    body = await json_body(request)
    user, label, days = body.get("user"), body.get("label", ""), body.get("days", 90)
    if not isinstance(user, str) or not isinstance(label, str) or not isinstance(days, int) or isinstance(days, bool):
        return error(400, 'send {"user": "ana", "label": "reception tablet", "days": 90}')
    request[TARGET] = user
    try:
        token, info = await accounts(service).issue(user, label=label, ttl=timedelta(days=days))
    except AccessError as exc:
        return error(400, str(exc))
    request[DETAIL] = f"token={info.id}"
    return web.json_response(info.to_json() | {"token": token, "note": "shown once: store it now"}, status=201)


async def revoke_token(request: web.Request, service: Service) -> web.StreamResponse:
    try:
        info = await accounts(service).revoke(request.match_info["id"])
    except AccessError as exc:
        return error(404, str(exc))
    return web.json_response(info.to_json() | {"revoked": True})


async def audit_entries(request: web.Request, service: Service) -> web.StreamResponse:
    raw = request.query.get("limit", "100")
    if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        return error(400, f"limit {raw!r} must be a whole number from 1 to 10000")
    try:
        since = datetime.fromisoformat(request.query["since"]) if "since" in request.query else None
    except ValueError:
        return error(400, f"since {request.query['since']!r} is not a time; use e.g. 2026-03-02T00:00:00+00:00")
    if since is not None and since.tzinfo is None:
        return error(400, "since needs a UTC offset, e.g. 2026-03-02T00:00:00-03:00")
    return web.json_response({"entries": await audit_log(service).recent(int(raw), since=since)})
