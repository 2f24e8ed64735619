"""When Redis does not answer, a webhook gets 503 (Meta retries it) and readiness fails; never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlparse

import pytest
import redis.asyncio as aioredis
import service_helpers as h


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
