"""Redis outages. When Redis does not answer, a webhook gets 503 (Meta retries) and readiness fails,
never a 500; a process started before Redis waits for it (not ready meanwhile) instead of exiting;
an outage is one log line when it starts and one when it ends; a pooled connection left stale by a
restart is retried once instead of costing a webhook a 503."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import redis.asyncio as aioredis
import service_helpers as h
from aiohttp import web

from runtime.engine.errors import ConfigError
from runtime.service.app import build_app
from runtime.service.settings import Settings, redis_client


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[tuple[h.TcpProxy, aioredis.Redis]]:
    target = urlparse(redis_url)
    proxy = h.TcpProxy(target.hostname or "127.0.0.1", target.port or 6379)
    port = await proxy.start()
    client = aioredis.Redis.from_url(f"redis://127.0.0.1:{port}{target.path or '/0'}", socket_timeout=2,
                                     socket_connect_timeout=2)
    yield proxy, client
    await client.aclose()
    await proxy.cut()


@pytest.fixture
async def link(redis_url: str) -> AsyncIterator[tuple[h.FlakyLink, str]]:
    target = urlparse(redis_url)
    link = h.FlakyLink(target.hostname or "127.0.0.1", target.port or 6379)
    port = await link.start()
    yield link, f"redis://127.0.0.1:{port}{target.path or '/0'}"
    await link.close()


async def test_redis_down_gives_503_and_not_ready(start: h.Start, proxy: tuple[h.TcpProxy, aioredis.Redis]) -> None:
    cut, client = proxy
    app = await start("ingest", redis=client)
    assert (await app.post(h.wa_body(messages=[h.wa_message("wamid.O1", "oi")]))).status == 200
    await cut.cut()
    resp = await app.post(h.wa_body(messages=[h.wa_message("wamid.O2", "oi de novo")]))
    assert resp.status == 503
    assert "retry" in (await resp.json())["error"]
    assert (await app.client.get("/readyz")).status == 503
    assert (await app.client.get("/healthz")).status == 200


async def test_a_process_started_before_redis_waits_for_it(served: Callable[..., Any], graph: tuple[Any, str],
                                                           tmp_path: Path) -> None:
    redis = h.RedisServer(h.free_port(), tmp_path / "redis")
    process = served(REDIS_URL=redis.url)
    await process.start()
    try:
        async def listening_or_gone() -> bool:
            return process.proc.returncode is not None or await process.status("/healthz") == 200

        await h.wait_until(listening_or_gone, timeout=30)
        assert process.proc.returncode is None, f"papo serve exited without Redis:\n{process.log()}"
        assert await process.status("/readyz") == 503
        body = h.wa_body(messages=[h.wa_message("wamid.W1", "oi")])
        async with h.aiohttp.ClientSession() as session:
            async with session.post(f"{process.url}/webhooks/whatsapp", data=body, headers=h.fakes.signed(body)) as r:
                assert r.status == 503  # Meta retries it
        await redis.start()

        async def ready() -> bool:
            return await process.status("/readyz") == 200

        await h.wait_until(ready, timeout=30)
        async with h.aiohttp.ClientSession() as session:
            async with session.post(f"{process.url}/webhooks/whatsapp", data=body, headers=h.fakes.signed(body)) as r:
                assert r.status == 200

        async def answered() -> bool:
            return [c.json["text"]["body"] for c in graph[0].calls] == ["1:oi"]

        await h.wait_until(answered)
        waiting = [line for line in process.log().splitlines() if "waiting for it" in line]
        assert len(waiting) == 1 and "Traceback" not in process.log()
    finally:
        await process.stop()
        await redis.stop()


@pytest.mark.parametrize(("role", "logger"), [("timers", "papo.timers"), ("sender", "runtime.service.work")])
async def test_an_outage_is_one_line_when_it_starts_and_one_when_it_ends(
        start: h.Start, link: tuple[h.FlakyLink, str], caplog: pytest.LogCaptureFixture, role: str,
        logger: str) -> None:
    flaky, url = link
    client = aioredis.Redis.from_url(url)
    try:
        await start(role, redis=client)
        caplog.set_level(logging.INFO, logger=logger)
        await flaky.down()

        async def tried_again_and_again() -> bool:  # each pass of the loop tries a new connection
            return flaky.refused >= 8

        await h.wait_until(tried_again_and_again, timeout=30)
        flaky.up()

        async def back() -> bool:
            return any("answers again" in r.getMessage() for r in caplog.records if r.name == logger)

        await h.wait_until(back, timeout=30)
        lines = [r for r in caplog.records if r.name == logger]
        assert len(lines) == 2, [r.getMessage() for r in lines]
        assert "unavailable" in lines[0].getMessage() and "answers again" in lines[1].getMessage()
        assert not any(r.exc_info for r in lines)
    finally:
        await client.aclose()


async def test_a_stale_pooled_connection_is_retried_once_not_a_503(start: h.Start,
                                                                   link: tuple[h.FlakyLink, str]) -> None:
    flaky, url = link
    client = redis_client(Settings(redis_url=url))  # the client papo serve makes
    try:
        app = await start("ingest", redis=client)
        assert (await app.post(h.wa_body(messages=[h.wa_message("wamid.R1", "oi")]))).status == 200
        flaky.stale()  # Redis restarted behind the pooled connections
        answer = await app.post(h.wa_body(messages=[h.wa_message("wamid.R2", "oi de novo")]))
        assert answer.status == 200, await answer.text()
        assert (await answer.json())["events"] == 1
    finally:
        await client.aclose()


async def test_bots_that_cannot_be_loaded_are_refused_at_start_not_waited_for(
        redis_client: aioredis.Redis, redis_url: str, redis_prefix: str, graph: tuple[Any, str]) -> None:
    settings = h.service_settings(redis_url, redis_prefix, graph[1])
    runner = web.AppRunner(build_app(settings, [h.ECHO_BOT, h.ECHO_BOT], client=redis_client))
    try:
        with pytest.raises(ConfigError, match="same name"):
            await runner.setup()
    finally:
        await runner.cleanup()
