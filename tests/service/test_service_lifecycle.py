"""`papo serve` as a real process: SIGTERM finishes the send in flight and says so; SIGHUP reloads the
bots and opens folders added to --bots-dir, without a restart."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
from pathlib import Path
from typing import Any

import aiohttp
import redis.asyncio as aioredis
import service_helpers as h

from runtime.conversations.keys import ConversationKey, Keys

ACCEPT = {"messaging_product": "whatsapp", "contacts": [{"input": h.USER, "wa_id": h.USER}],
          "messages": [{"id": "wamid.slow"}]}


async def _post(process: h.Served, body: bytes) -> int:
    async with aiohttp.ClientSession() as session, session.post(
            f"{process.url}/webhooks/whatsapp", data=body, headers=h.fakes.signed(body)) as resp:
        return resp.status


async def _ready(process: h.Served) -> dict[str, Any]:
    await h.wait_until(lambda: _answers(process), timeout=30)
    async with aiohttp.ClientSession() as session, session.get(f"{process.url}/readyz") as resp:
        return dict(await resp.json())


async def _answers(process: h.Served) -> bool:
    return await process.status("/readyz") == 200


async def test_sigterm_finishes_the_send_in_flight_and_logs_it(served: Any, graph: tuple[Any, str],
                                                              redis_client: aioredis.Redis, redis_prefix: str) -> None:
    fake = graph[0]
    process = served()
    await process.start()
    await _ready(process)
    fake.answer(h.fakes.Reply(body=ACCEPT, delay=1.0))  # the Graph API takes a second to accept
    assert await _post(process, h.wa_body(messages=[h.wa_message("wamid.T1", "oi")])) == 200
    await h.wait_until(lambda: _called(fake))  # the send is in flight
    assert process.proc is not None
    process.proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.proc.wait(), 20) == 0
    log = process.log()
    assert "shutting down: no new requests" in log
    assert "bot echo stopping (role all)" in log and "bot echo stopped in" in log
    outbox = Keys(redis_prefix).outbox(ConversationKey("echo", "whatsapp", h.USER))
    assert await redis_client.xlen(outbox) == 0  # sent and settled before the process left: never sent twice
    assert len(fake.calls) == 1 and h.USER not in log  # no phone number in the log


async def test_sighup_reloads_a_changed_flow_and_opens_a_new_bot_folder(served: Any, graph: tuple[Any, str],
                                                                        tmp_path: Path) -> None:
    fake = graph[0]
    bots = tmp_path / "bots"
    shutil.copytree(h.ECHO_BOT, bots / "echo")
    process = served()
    await process.start("--bots-dir", str(bots), bots=())
    assert set((await _ready(process))["bots"]) == {"echo"}
    assert await _post(process, h.wa_body(messages=[h.wa_message("wamid.H1", "oi", user="5511900000001")])) == 200
    await h.wait_until(lambda: _called(fake, 1))

    flow = bots / "echo" / "flows" / "echo.json"
    data = json.loads(flow.read_text())
    data["nodes"]["echo"]["text"] = "v2 {{ n }}:{{ last_input }}"
    flow.write_text(json.dumps(data))
    shutil.copytree(h.ECHO_BOT, bots / "eco")
    (bots / "eco" / "bot.json").write_text(json.dumps({"name": "eco", "default_locale": "en", "entry_flow": "echo"}))
    assert process.proc is not None
    process.proc.send_signal(signal.SIGHUP)
    await h.wait_until(lambda: _logged(process, "bot eco opened"), timeout=20)
    assert "bot echo reloaded" in process.log()
    assert set((await _ready(process))["bots"]) == {"echo", "eco"}

    assert await _post(process, h.wa_body(messages=[h.wa_message("wamid.H2", "oi", user="5511900000002")])) == 200
    await h.wait_until(lambda: _called(fake, 2))
    texts = [c.json["text"]["body"] for c in fake.calls]
    assert texts == ["1:oi", "v2 1:oi"]  # a new conversation starts on the reloaded flow
    assert process.proc.returncode is None  # the same process throughout


async def _called(fake: Any, n: int = 1) -> bool:
    return len(fake.calls) >= n


async def _logged(process: h.Served, text: str) -> bool:
    return text in process.log()


async def test_json_logs_carry_time_role_conversation_and_trace_and_no_personal_data(
        served: Any, graph: tuple[Any, str]) -> None:
    fake = graph[0]
    process = served(PAPO_LOG_FORMAT="json")
    await process.start()
    await _ready(process)
    body = "quero marcar com a doutora Quintella amanhã"
    assert await _post(process, h.wa_body(messages=[h.wa_message("wamid.J1", body)])) == 200
    await h.wait_until(lambda: _called(fake))
    assert process.proc is not None
    process.proc.send_signal(signal.SIGTERM)
    await asyncio.wait_for(process.proc.wait(), 20)
    lines = [json.loads(line) for line in process.log().splitlines() if line.strip()]
    assert lines and all({"time", "level", "logger", "message", "role", "conv", "trace"} <= set(x) for x in lines)
    assert all(x["time"].endswith("Z") and x["role"] == "all" for x in lines)
    key = ConversationKey("echo", "whatsapp", h.USER)
    turn = [x for x in lines if x["message"].startswith("turn conv=")]
    assert turn and turn[0]["conv"] == key.ref and len(turn[0]["trace"]) == 12
    text = process.log()
    assert h.USER not in text and "Quintella" not in text and "wamid.J1" not in text
