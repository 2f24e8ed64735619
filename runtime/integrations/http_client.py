"""`HttpClient`: the `HttpCaller` of `papo serve` and `papo chat`, over aiohttp.

It reads `${ENV}` references when the call is made (a secret never enters a conversation's state, a
trace or a log), refuses a host that bot.json `http.allow_hosts` does not list, follows no redirect
(it could leave the list), and tries an idempotent call again after a timeout, a network error, a 429
or a 5xx, with exponential backoff. Logs name the host and the status, never the url (it may carry a
variable) nor a header.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from flows.integrations import HttpSettings
from runtime.integrations.http import (
    HostNotAllowed,
    HttpAnswer,
    HttpFailed,
    HttpRequest,
    HttpTimedOut,
    Parts,
    Sending,
)

log = logging.getLogger(__name__)

RETRYABLE = frozenset({429, 500, 502, 503, 504})


class LazySession:
    """One aiohttp session, opened on first use (on the running loop) and again after it was closed."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def get(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class HttpClient:
    def __init__(self, settings: HttpSettings, *, env: Mapping[str, str] = os.environ,
                 backoff_s: float = 0.2) -> None:
        self.settings = settings
        self.env = env
        self.backoff_s = backoff_s
        self._sessions = LazySession()

    def allowed_hosts(self) -> frozenset[str]:
        """The literal hosts, and the host of each ${ENV} entry that is set."""
        hosts = set(self.settings.literal_hosts)
        for name in self.settings.env_hosts:
            value = self.env.get(name, "").strip()
            if value:
                hosts.add((urlsplit(value).netloc if "://" in value else value).lower())
        return frozenset(hosts)

    def resolve(self, parts: Parts, what: str) -> str:
        out = []
        for is_env, text in parts:
            if not is_env:
                out.append(text)
            elif (value := self.env.get(text)) is not None and value != "":
                out.append(value)
            else:
                raise HostNotAllowed(f"{what} needs ${{{text}}}, which is not set where papo runs; set it") \
                    if what == "the url" else HttpFailed(f"{what} needs ${{{text}}}, which is not set; set it")
        return "".join(out)

    def _checked_url(self, request: HttpRequest) -> str:
        url = self.resolve(request.url, "the url")
        parts = urlsplit(url)
        host = parts.netloc.lower()
        allowed = self.allowed_hosts()
        if parts.scheme not in ("http", "https") or not host:
            raise HostNotAllowed(f"the url does not start with http(s)://<host> (scheme {parts.scheme!r})")
        if host not in allowed and (parts.hostname or "") not in allowed:
            raise HostNotAllowed(f"host {host!r} is not on bot.json http.allow_hosts "
                                 f"({', '.join(sorted(allowed)) or 'none'}); the call was not made")
        return url

    async def call(self, request: HttpRequest, *, sending: Sending | None = None) -> HttpAnswer:
        url = self._checked_url(request)
        headers = {name: self.resolve(parts, f"header {name!r}") for name, parts in request.headers.items()}
        if sending is not None:
            await sending()
        host = urlsplit(url).netloc
        failure: HttpFailed | HttpTimedOut | None = None
        for attempt in range(max(request.attempts, 1)):
            if attempt:
                await asyncio.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                return await self._once(request, url, headers)
            except TimeoutError:
                failure = HttpTimedOut(f"{request.method} to {host} got no answer within {request.timeout:g} s")
            except aiohttp.ClientError as exc:
                failure = HttpFailed(f"{request.method} to {host} failed: {type(exc).__name__}")
            except HttpFailed as exc:
                failure = exc
                if exc.status not in RETRYABLE:
                    break
            log.info("http call host=%s attempt=%d failed: %s", host, attempt + 1, type(failure).__name__)
        assert failure is not None
        raise failure

    async def _once(self, request: HttpRequest, url: str, headers: dict[str, str]) -> HttpAnswer:
        session = self._sessions.get()
        body: dict[str, Any] = {} if request.body is None else {"json": request.body}
        async with session.request(request.method, url, headers=headers, allow_redirects=False,
                                   timeout=aiohttp.ClientTimeout(total=request.timeout), **body) as response:
            raw = await response.read()
            if response.status >= 300:
                raise HttpFailed(f"{request.method} to {urlsplit(url).netloc} answered {response.status}",
                                 status=response.status)
            return HttpAnswer(response.status, _decoded(raw))

    async def aclose(self) -> None:
        await self._sessions.aclose()


def _decoded(raw: bytes) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text

