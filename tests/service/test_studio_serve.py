"""The studio under `papo serve` (admin token), its analytics from real turns, and `papo studio` itself."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis

from flows.messages import InboundEvent
from runtime.engine.clock import ManualClock
from runtime.engine.state import Conversation
from runtime.engine.turn import TurnResult
from runtime.service.analytics import Counts, turn_counts

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
ROOT = Path(__file__).parents[2]
TOKEN = "studio-admin-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    root = tmp_path / "clinic"
    shutil.copytree(CLINIC, root, ignore=shutil.ignore_patterns(".papo-studio"))
    return root


async def test_serve_mounts_the_studio_for_the_admin_token_read_only(start: Any, clinic: Path) -> None:
    running = await start(bot=clinic, admin_token=TOKEN)
    client = running.client
    assert (await client.get("/studio/api/bot")).status == 401
    bot = await client.get("/studio/api/bot", headers=BEARER)
    assert bot.status == 200 and (await bot.json())["name"] == "clinica-sorriso"
    flow = await (await client.get("/studio/api/flows/menu", headers=BEARER)).json()
    publish = await client.post("/studio/api/publish", headers={**BEARER, "X-Papo-Studio": "1"},
                                json={"flows": {"menu": {"json": flow["json"], "if_match": flow["sha256"]}}})
    assert publish.status == 403 and "PAPO_STUDIO_WRITE" in (await publish.json())["error"]
    no_csrf = await client.post("/studio/api/validate", headers=BEARER, json={"flows": {}})
    assert no_csrf.status == 403
    checked = await client.post("/studio/api/validate", headers={**BEARER, "X-Papo-Studio": "1"}, json={"flows": {}})
    assert checked.status == 200


async def test_a_publish_under_serve_reloads_the_bot_and_running_conversations_keep_their_version(
        start: Any, clinic: Path) -> None:
    running = await start(bot=clinic, admin_token=TOKEN, studio_write=True)
    service = running.service
    old = service.library.current.flows["boas_vindas"].digest
    flow = await (await running.client.get("/studio/api/flows/boas_vindas", headers=BEARER)).json()
    changed = json.loads(json.dumps(flow["json"]))
    node = next(n for n, v in changed["nodes"].items() if v["kind"] == "send" and isinstance(v.get("text"), str))
    changed["nodes"][node]["text"] = "Olá de novo!"
    done = await running.client.post("/studio/api/publish", headers={**BEARER, "X-Papo-Studio": "1"},
                                     json={"flows": {"boas_vindas": {"json": changed, "if_match": flow["sha256"]}}})
    assert done.status == 200, await done.text()
    assert service.library.current.flows["boas_vindas"].digest != old  # new conversations take the new version
    assert service.library.flow("boas_vindas", old) is not None  # and pinned ones still find theirs


async def test_analytics_count_real_turns_by_node_without_personal_data(start: Any, clinic: Path,
                                                                       redis_client: aioredis.Redis,
                                                                       redis_prefix: str) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    running = await start(bot=clinic, admin_token=TOKEN, clock=clock)
    processor = running.service.processor
    user = "5511912345678"

    async def say(text: str, n: int) -> None:
        event = InboundEvent(channel="whatsapp", user=user, id=f"wamid.{n}", at=clock.now(), text=text)
        await processor.submit(event)

    await say("oi", 1)
    clock.advance(timedelta(seconds=20))
    await say("12345", 2)  # not a name: asked again
    clock.advance(timedelta(seconds=20))
    await say("Mariana", 3)
    found = await running.client.get("/studio/api/analytics?flow=boas_vindas&from=2026-03-01&to=2026-03-03",
                                     headers=BEARER)
    assert found.status == 200, await found.text()
    report = await found.json()
    asked = report["nodes"]["pedir_nome"]
    assert asked["entered"] >= 1 and asked["waited"] == 1 and asked["answered"] == 1 and asked["invalid"] == 1
    assert asked["median_answer_s"] is not None and asked["dropped"] == 0
    assert any(key.startswith("pedir_nome:") for key in report["exits"])
    by_channel = await (await running.client.get(
        "/studio/api/analytics?flow=boas_vindas&from=2026-03-02&to=2026-03-02&channel=messenger",
        headers=BEARER)).json()
    assert by_channel["nodes"] == {}
    stored = [key async for key in redis_client.scan_iter(match=f"{redis_prefix}*stats*")]
    assert stored
    for key in stored:
        dump = json.dumps([key.decode(), {k.decode(): v.decode() for k, v in (await redis_client.hgetall(key)).items()}
                           if (await redis_client.type(key)) == b"hash" else
                           sorted(m.decode() for m in await redis_client.smembers(key))])
        assert user not in dump and "Mariana" not in dump and "12345" not in dump
    bad = await running.client.get("/studio/api/analytics?flow=boas_vindas&from=yesterday", headers=BEARER)
    assert bad.status == 400


def test_timeouts_and_expired_sessions_count_as_timed_out_and_dropped() -> None:
    moved_on = Conversation(flow="f", flow_version="v1", node="after", waiting=None)
    timed_out = TurnResult(moved_on, [], ["f/after"], [{"kind": "ask_timeout", "node": "f/question", "after": "1h"}])
    counts = turn_counts(timed_out, {})
    assert counts[("f", "v1")]["t:question"] == 1
    still = Conversation(flow="f", flow_version="v1", node="question", waiting="input")
    nudged = TurnResult(still, [], [], [{"kind": "ask_timeout", "node": "f/question", "after": "10m"}])
    assert "t:question" not in turn_counts(nudged, {}).get(("f", "v1"), {})  # a nudge: it keeps waiting
    fresh = Conversation(flow="g", flow_version="v2", node="hello", waiting="input")
    expired = TurnResult(fresh, [], ["g/hello"], [{"kind": "expired", "flow": "f", "node": "question"}])
    summed = Counts()
    for fields in turn_counts(expired, {}).values():
        summed.fields.update(fields)
    report = summed.report()
    assert report["nodes"]["question"]["dropped"] == 1 and report["nodes"]["hello"]["waited"] == 1


async def test_papo_studio_prints_a_one_time_address_on_loopback(clinic: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)  # the embedded store: no server needed
    process = subprocess.Popen([sys.executable, "-m", "runtime.cli.main", "studio", str(clinic), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("papo studio: open http://127.0.0.1:"), line + (process.stderr.read()
                                                                               if process.poll() is not None else "")
        url = line.split("open ", 1)[1].strip()
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            async with session.get(url, allow_redirects=False) as login:
                assert login.status == 302
            base = url.split("/studio/")[0]
            async with session.get(f"{base}/studio/api/bot") as bot:
                assert bot.status == 200 and (await bot.json())["name"] == "clinica-sorriso"
            async with session.post(f"{base}/studio/api/chat", json={"channel": "whatsapp"},
                                    headers={"X-Papo-Studio": "1"}) as chat:
                assert chat.status == 200
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
            async with other.get(url, allow_redirects=False) as again:
                assert again.status == 401  # the address signs in once
    finally:
        process.terminate()
        process.communicate(timeout=20)  # and its pipes are closed
