"""An aiohttp session made on first use and closed by its owner: the HTTP clients' shared part."""

from __future__ import annotations

import aiohttp


class OwnedSession:
    """A given session is the caller's to close; one made here is closed by `aclose`."""

    def __init__(self, session: aiohttp.ClientSession | None) -> None:
        self._session = session
        self._own_session = session is None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def aclose(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None
