"""Who may call the studio. One function, `authorize`, decides, so staff accounts can replace it.

`papo studio` (local): the URL it prints carries a one-time token; `GET /studio/?token=...` trades it
for an HttpOnly, SameSite=Strict cookie. `papo serve`: `Authorization: Bearer <PAPO_ADMIN_TOKEN>`
(or the cookie a token login gave). Every POST, PUT and DELETE also needs the header
`X-Papo-Studio: 1` and, when the browser says where it comes from, the same origin (no CSRF).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field

from aiohttp import web

COOKIE = "papo_studio"
CSRF_HEADER = "X-Papo-Studio"
MUTATING = frozenset({"POST", "PUT", "DELETE", "PATCH"})


@dataclass
class Access:
    """The credentials this studio accepts. `admin_token`: `papo serve`'s; `writable`: publishing allowed."""

    admin_token: str | None = field(default=None, repr=False)
    writable: bool = True
    _logins: set[str] = field(default_factory=set, repr=False)  # one-time tokens not used yet
    _sessions: set[str] = field(default_factory=set, repr=False)

    def login_token(self) -> str:
        """A new one-time token for the URL `papo studio` prints."""
        token = secrets.token_urlsafe(24)
        self._logins.add(token)
        return token

    def exchange(self, token: str) -> str | None:
        """A session for a one-time token (which is spent), or None when it is unknown or used."""
        for known in list(self._logins):
            if hmac.compare_digest(known.encode(), token.encode()):
                self._logins.discard(known)
                session = secrets.token_urlsafe(32)
                self._sessions.add(session)
                return session
        if self.admin_token and hmac.compare_digest(self.admin_token.encode(), token.encode()):
            session = secrets.token_urlsafe(32)
            self._sessions.add(session)
            return session
        return None

    def has_session(self, cookie: str) -> bool:
        return any(hmac.compare_digest(s.encode(), cookie.encode()) for s in self._sessions)


def authorize(request: web.Request, access: Access) -> tuple[int, str] | None:
    """None when the request may go on; else (status, what is wrong and how to fix it)."""
    cookie = request.cookies.get(COOKIE, "")
    bearer = request.headers.get("Authorization", "")
    signed_in = bool(cookie) and access.has_session(cookie)
    if not signed_in and access.admin_token and bearer.startswith("Bearer "):
        signed_in = hmac.compare_digest(bearer.removeprefix("Bearer ").encode(), access.admin_token.encode())
    if not signed_in:
        how = "open the address `papo studio` printed" if access.admin_token is None else \
            "send Authorization: Bearer <PAPO_ADMIN_TOKEN>"
        return 401, f"not signed in to the studio: {how}"
    if request.method in MUTATING:
        if request.headers.get(CSRF_HEADER) != "1":
            return 403, f"a studio change needs the header {CSRF_HEADER}: 1 (sent by the studio's own pages)"
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"{request.scheme}://{request.host}":
            return 403, f"a studio change must come from the studio's own page, not from {origin}"
        if request.headers.get("Sec-Fetch-Site") not in (None, "same-origin", "none"):
            return 403, "a studio change must come from the studio's own page"
    return None
