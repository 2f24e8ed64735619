"""`papo serve` as a real process on the embedded store, talking to a FakeGraph of this test."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import service_helpers as h

ROOT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def served(graph: tuple[Any, str], tmp_path: Path) -> AsyncIterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL" and not k.startswith(("PAPO_", "WHATSAPP_"))}
    env |= {"WHATSAPP_TOKEN": "wa-token", "WHATSAPP_APP_SECRET": h.fakes.APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": h.VERIFY_TOKEN, "WHATSAPP_PHONE_NUMBER_ID": h.fakes.PHONE_NUMBER_ID,
            "GRAPH_BASE_URL": graph[1], "PAPO_PACING_PER_USER_S": "0", "PAPO_BLOCK_MS": "50"}
    log = (tmp_path / "serve.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "runtime.cli.main", "serve", str(h.ECHO_BOT), "--port", str(port), cwd=ROOT, env=env,
        stdout=log, stderr=log)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 10)
        log.close()


async def test_papo_serve_answers_health_and_a_webhook(served: str, graph: tuple[Any, str]) -> None:
    fake = graph[0]
    async with aiohttp.ClientSession() as session:
        async def healthy() -> bool:
            try:
                async with session.get(f"{served}/healthz") as resp:
                    return resp.status == 200
            except aiohttp.ClientConnectionError:
                return False

        await h.wait_until(healthy, timeout=20)
        async with session.get(f"{served}/readyz") as resp:
            assert (await resp.json())["channels"] == ["web", "whatsapp"]
        body = h.wa_body(messages=[h.wa_message("wamid.CLI1", "oi")])
        async with session.post(f"{served}/webhooks/whatsapp", data=body, headers=h.fakes.signed(body)) as resp:
            assert resp.status == 200
    async def replied() -> bool:
        return len(fake.calls) == 1
    await h.wait_until(replied)
    assert fake.calls[0].json["text"]["body"] == "1:oi"
