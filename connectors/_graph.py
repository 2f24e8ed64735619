"""Posting JSON to the Graph API with aiohttp, and translating every failure into a `SendError`."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from connectors._webhook import Secret
from connectors.errors import Unavailable, error_from_graph


class GraphClient:
    """POSTs to `{base_url}/{version}/{path}` with a Bearer token. Never logs the token or bodies."""

    def __init__(
        self,
        *,
        channel: str,
        base_url: str,
        version: str,
        token: str,
        timeout: float,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self._channel = channel
        self._root = f"{base_url.rstrip('/')}/{version.strip('/')}"
        self._token = Secret(token)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session = session
        self._owns_session = session is None

    def __repr__(self) -> str:  # the token must never show up in a log line or traceback
        return f"GraphClient(channel={self._channel!r}, root={self._root!r})"

    async def post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The decoded JSON answer of a 2xx; any other outcome raises the matching `SendError`."""
        return await self._call("POST", f"{self._root}/{path.lstrip('/')}", json=payload)

    async def get(self, path_or_url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        """GET a path under the API root, or a full address the API gave (a page's `paging.next`)."""
        url = path_or_url if path_or_url.startswith(("http://", "https://")) else \
            f"{self._root}/{path_or_url.lstrip('/')}"
        return await self._call("GET", url, params=params)

    async def _call(self, method: str, url: str, **options: Any) -> dict[str, Any]:
        session = self._session_now()
        try:
            async with session.request(method, url, headers=self._auth(), timeout=self._timeout, **options) as resp:
                raw = await resp.read()
                status, retry_after = resp.status, _retry_after(resp.headers.get("Retry-After"))
        except TimeoutError as exc:
            raise Unavailable(
                f"{self._channel}: the Graph API did not answer in time; retry later (the message may have been sent)"
            ) from exc
        except aiohttp.ClientError as exc:
            raise Unavailable(
                f"{self._channel}: cannot reach the Graph API ({type(exc).__name__}); retry later"
            ) from exc
        body = _decode(raw)
        if status >= 300:
            raise error_from_graph(self._channel, status, body, retry_after=retry_after)
        if not isinstance(body, dict):
            raise Unavailable(
                f"{self._channel}: the Graph API accepted the call (HTTP {status}) "
                "but its answer is not a JSON object; the message may have been sent"
            )
        return body

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token.value}"}

    async def aclose(self) -> None:
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    def _session_now(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        return self._session


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _retry_after(value: str | None) -> float | None:
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < 86_400 else None
