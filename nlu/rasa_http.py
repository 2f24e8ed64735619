"""An optional backend that asks a running Rasa server (`POST /model/parse`) and falls back to
the embedded NLU when the server is down, slow or answers something that is not a parse."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import aiohttp

from nlu.errors import RasaUnavailable
from nlu.http_session import OwnedSession
from nlu.pipeline import NLU

log = logging.getLogger(__name__)


class RasaHTTPNLU(OwnedSession):
    """`await parse(text)` returns Rasa's own parse, or the embedded one when Rasa cannot answer.

    After a failure the server is left alone for `cooldown` seconds, so a dead server costs one
    timeout, not one per message. The result's "source" key says who answered ("rasa" or "embedded").
    """

    def __init__(
        self,
        url: str,
        fallback: NLU | None = None,
        *,
        token: str | None = None,
        timeout: float = 1.0,
        cooldown: float = 30.0,
        session: aiohttp.ClientSession | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url.rstrip("/") + "/model/parse"
        self.fallback = fallback
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._cooldown = cooldown
        OwnedSession.__init__(self, session)
        self._clock = clock
        self._down_until = 0.0

    async def parse(self, text: str, now: datetime | None = None, *, message_id: str | None = None) -> dict[str, Any]:
        if self._clock() >= self._down_until:
            result = await self._ask_rasa(text, message_id)
            if result is not None:
                return {**result, "source": "rasa"}
            self._down_until = self._clock() + self._cooldown
        if self.fallback is None:
            raise RasaUnavailable(f"the Rasa server at {self.url} did not answer and no embedded NLU is configured")
        return {**self.fallback.parse(text, now, message_id=message_id), "source": "embedded"}

    async def _ask_rasa(self, text: str, message_id: str | None) -> dict[str, Any] | None:
        body: dict[str, Any] = {"text": text}
        if message_id is not None:
            body["message_id"] = message_id
        params = {"token": self._token} if self._token else None
        try:
            async with self._client().post(self.url, json=body, params=params, timeout=self._timeout) as response:
                if response.status != 200:
                    log.warning("Rasa server answered HTTP %d; using the embedded NLU", response.status)
                    return None
                payload = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            log.warning("Rasa server unreachable (%s); using the embedded NLU", type(error).__name__)
            return None
        if not _is_parse(payload):
            log.warning("Rasa server answered without an intent; using the embedded NLU")
            return None
        return dict(payload)



def _is_parse(payload: Any) -> bool:
    return (
        isinstance(payload, dict)
        and isinstance(payload.get("intent"), dict)
        and "name" in payload["intent"]
        and isinstance(payload.get("entities", []), list)
    )
