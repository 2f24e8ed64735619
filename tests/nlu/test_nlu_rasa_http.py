"""RasaHTTPNLU against a small Rasa-speaking aiohttp server on 127.0.0.1."""

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from nlu import NLU
from nlu.rasa_http import RasaHTTPNLU, RasaUnavailable

RASA_ANSWER = {
    "text": "oi",
    "intent": {"name": "greet", "confidence": 0.97},
    "intent_ranking": [{"name": "greet", "confidence": 0.97}, {"name": "goodbye", "confidence": 0.03}],
    "entities": [],
}


class FakeRasa:
    """`/model/parse` that answers from `mode`: ok, slow, error, garbage; records every request."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[tuple[dict[str, Any], str | None]] = []
        self.app = web.Application()
        self.app.router.add_post("/model/parse", self._parse)

    async def _parse(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((await request.json(), request.query.get("token")))
        if self.mode == "slow":
            await asyncio.sleep(0.5)
        if self.mode == "error":
            return web.json_response({"message": "model not loaded"}, status=500)
        if self.mode == "garbage":
            return web.Response(text="<html>proxy error</html>")
        return web.json_response(RASA_ANSWER)


@pytest.fixture
async def rasa() -> AsyncIterator[tuple[FakeRasa, str]]:
    fake = FakeRasa()
    server = TestServer(fake.app, host="127.0.0.1", port=0)
    await server.start_server()
    yield fake, str(server.make_url(""))
    await server.close()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_rasa_answers(rasa: tuple[FakeRasa, str], clinic_nlu: NLU) -> None:
    fake, url = rasa
    backend = RasaHTTPNLU(url, clinic_nlu, token="s3cret")
    try:
        result = await backend.parse("oi", message_id="wamid.1")
    finally:
        await backend.aclose()
    assert result == {**RASA_ANSWER, "source": "rasa"}
    assert fake.requests == [({"text": "oi", "message_id": "wamid.1"}, "s3cret")]


@pytest.mark.parametrize("mode", ["slow", "error", "garbage"])
async def test_falls_back_to_embedded(rasa: tuple[FakeRasa, str], clinic_nlu: NLU, now: datetime,
                                      mode: str) -> None:
    fake, url = rasa
    fake.mode = mode
    backend = RasaHTTPNLU(url, clinic_nlu, timeout=0.05)
    try:
        result = await backend.parse("quero cancelar minha consulta", now)
    finally:
        await backend.aclose()
    assert result["source"] == "embedded"
    assert result["intent"]["name"] == "cancel_appointment"


async def test_down_server_is_skipped_during_cooldown(rasa: tuple[FakeRasa, str], clinic_nlu: NLU) -> None:
    fake, url = rasa
    fake.mode = "error"
    clock = Clock()
    backend = RasaHTTPNLU(url, clinic_nlu, cooldown=30.0, clock=clock)
    try:
        await backend.parse("oi")
        await backend.parse("oi")
        assert len(fake.requests) == 1
        fake.mode = "ok"
        clock.now = 31.0
        assert (await backend.parse("oi"))["source"] == "rasa"
    finally:
        await backend.aclose()
    assert len(fake.requests) == 2


async def test_closed_port_without_fallback_raises() -> None:
    server = TestServer(web.Application(), host="127.0.0.1", port=0)
    await server.start_server()
    url = str(server.make_url(""))
    await server.close()
    backend = RasaHTTPNLU(url, None, timeout=0.5)
    try:
        with pytest.raises(RasaUnavailable, match="no embedded NLU"):
            await backend.parse("oi")
    finally:
        await backend.aclose()
