"""Term monitoring on the message path of `papo serve` (the clinic's rules in examples/clinic/bot.json):
card numbers masked before anything is stored, a legal threat handed to a person, staff messages
held for the dpo, alerts in the admin API and at a real webhook on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
import service_helpers as h
from aiohttp import web
from aiohttp.test_utils import TestServer

from runtime.access import Accounts
from runtime.engine.clock import ManualClock

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
TOKEN = "admin-token-0123456789abcdef"
TS = 1772452800  # 2026-03-02 12:00 UTC, a Monday morning in São Paulo
CARD = "4111 1111 1111 1111"
SECRET = "webhook-secret"


@pytest.fixture(autouse=True)
def clinic_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"WHATSAPP_TOKEN": "wa-token", "WHATSAPP_APP_SECRET": h.fakes.APP_SECRET,
                        "WHATSAPP_VERIFY_TOKEN": "v", "WHATSAPP_PHONE_NUMBER_ID": h.fakes.PHONE_NUMBER_ID}.items():
        monkeypatch.setenv(name, value)


class DpoWebhook:
    """The data-protection officer's alert endpoint, on 127.0.0.1."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], str]] = []
        self.app = web.Application()
        self.app.router.add_post("/alerts", self._alert)

    async def _alert(self, request: web.Request) -> web.Response:
        body = await request.read()
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        self.received.append((json.loads(body), "signed" if request.headers.get("X-Papo-Signature") == expected
                              else "unsigned"))
        return web.json_response({"ok": True})


@pytest.fixture
async def webhook() -> AsyncIterator[tuple[DpoWebhook, str]]:
    hook = DpoWebhook()
    server = TestServer(hook.app, host="127.0.0.1", port=0)
    await server.start_server()
    yield hook, str(server.make_url("/alerts"))
    await server.close()


async def _say(app: h.Running, n: int, text: str, replies: int) -> None:
    assert (await app.post(h.wa_body(messages=[h.wa_message(f"wamid.mon{n}", text, ts=TS + n)]))).status == 200

    async def answered() -> bool:
        return len(app.graph.calls) >= replies

    await h.wait_until(answered)


async def _keyspace(redis: aioredis.Redis, prefix: str) -> str:
    """Every value stored under the test's prefix, as one string to search."""
    dumped = []
    async for key in redis.scan_iter(match=f"{prefix}*", count=1000):
        kind = (await redis.type(key)).decode()
        if kind == "string":
            dumped.append(await redis.get(key))
        elif kind == "hash":
            dumped.append(await redis.hgetall(key))
        elif kind == "list":
            dumped.append(await redis.lrange(key, 0, -1))
        elif kind == "stream":
            dumped.append(await redis.xrange(key))
        elif kind in ("set", "zset"):
            dumped.append(await (redis.smembers(key) if kind == "set" else redis.zrange(key, 0, -1)))
    return repr(_decoded(dumped))


def _decoded(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {_decoded(k): _decoded(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_decoded(v) for v in value]
    return value


async def _staff(app: h.Running) -> dict[str, dict[str, str]]:
    book = Accounts(app.redis, prefix=app.prefix)
    found = {}
    for role in ("agent", "dpo"):
        await book.add(role, role)
        token, _ = await book.issue(role)
        found[role] = {"Authorization": f"Bearer {token}"}
    return found


async def test_a_card_number_is_masked_before_storage_and_the_dpo_alerted(start: h.Start, webhook: Any) -> None:
    hook, url = webhook
    app = await start(bot=CLINIC, admin_token=TOKEN, clock=ManualClock(datetime.fromtimestamp(TS, UTC)),
                      alert_webhook_url=url, alert_webhook_secret=SECRET)
    staff = await _staff(app)
    await _say(app, 1, "oi", 2)
    await _say(app, 2, f"meu cartão é {CARD}, pode cobrar?", 3)
    stored = await _keyspace(app.redis, app.prefix)
    assert CARD not in stored and "4111111111111111" not in stored and "meu cartão é ***" in stored
    alerts = (await (await app.client.get("/admin/alerts", headers=staff["dpo"])).json())["alerts"]
    [alert] = alerts
    assert alert["rule"] == "cartao" and alert["direction"] == "patient" and alert["message"] == "wamid.mon2"
    assert alert["conversation"] == app.key.ref and "***" in alert["snippet"] and h.USER not in str(alert)
    assert (await app.client.get("/admin/alerts", headers=staff["agent"])).status == 403

    async def forwarded() -> bool:
        return bool(hook.received)

    await h.wait_until(forwarded)
    [(sent, signed)] = hook.received
    assert signed == "signed" and sent["rule"] == "cartao" and sent["bot"] == "clinica-sorriso"
    assert CARD not in json.dumps(sent) and h.USER not in json.dumps(sent)


async def test_a_legal_threat_hands_the_conversation_to_a_person(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN, clock=ManualClock(datetime.fromtimestamp(TS, UTC)))
    staff = await _staff(app)
    await _say(app, 1, "oi", 2)
    await _say(app, 2, "Maria", 4)
    await _say(app, 3, "se não resolverem vou falar com meu advogado", 5)
    assert "Quer que eu chame alguém da nossa equipe" in json.dumps(app.graph.calls[-1].json, ensure_ascii=False)
    [alert] = (await (await app.client.get("/admin/alerts", headers=staff["dpo"])).json())["alerts"]
    assert alert["rule"] == "reclamacao-formal" and "advogado" not in alert["snippet"]


async def test_a_staff_message_a_hold_rule_matches_waits_for_the_dpo(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN, clock=ManualClock(datetime.fromtimestamp(TS, UTC)))
    staff = await _staff(app)
    for n, (text, replies) in enumerate([("oi", 2), ("Maria", 4), ("atendente", 5), ("sim", 6)], 1):
        await _say(app, n, text, replies)
    path = f"/admin/conversations/whatsapp/{h.USER}"
    held = await app.client.post(f"{path}/messages", headers=staff["agent"],
                                 json={"text": "Maria, seu laudo saiu: está tudo bem."})
    assert held.status == 202
    hold_id = (await held.json())["held"]
    assert len(app.graph.calls) == 6  # nothing went out
    listed = (await (await app.client.get("/admin/holds", headers=staff["dpo"])).json())["holds"]
    assert [(x["id"], x["rules"], x["by"]) for x in listed] == [(hold_id, ["laudo-pelo-whatsapp"], "agent")]
    assert "laudo" not in listed[0]["snippet"] and "text" not in listed[0]
    assert (await app.client.post(f"/admin/holds/{hold_id}/release", headers=staff["agent"])).status == 403
    assert (await app.client.post(f"/admin/holds/{hold_id}/release", headers=staff["dpo"])).status == 200

    async def released() -> bool:
        return "Maria, seu laudo saiu: está tudo bem." in app.texts()

    await h.wait_until(released)
    assert (await app.client.post(f"/admin/holds/{hold_id}/release", headers=staff["dpo"])).status == 404
    masked = await app.client.post(f"{path}/messages", headers=staff["agent"],
                                   json={"text": "Confirmei seu CPF 529.982.247-25 no cadastro"})
    assert masked.status == 200

    async def cpf_masked() -> bool:
        return "Confirmei seu CPF *** no cadastro" in app.texts()

    await h.wait_until(cpf_masked)
    assert "529.982.247-25" not in await _keyspace(app.redis, app.prefix)
    again = await (await app.client.post(f"{path}/messages", headers=staff["agent"],
                                         json={"text": "o diagnóstico fica com o médico"})).json()
    assert (await app.client.post(f"/admin/holds/{again['held']}/discard", headers=staff["dpo"])).status == 200
    assert (await (await app.client.get("/admin/holds", headers=staff["dpo"])).json())["holds"] == []


async def test_the_agent_sees_unmasked_values_only_while_the_conversation_is_with_staff(start: h.Start) -> None:
    app = await start(bot=CLINIC, admin_token=TOKEN, clock=ManualClock(datetime.fromtimestamp(TS, UTC)))
    staff = await _staff(app)
    path = f"/admin/conversations/whatsapp/{h.USER}?unmasked=1"
    await _say(app, 1, "oi", 2)
    await _say(app, 2, "Maria", 4)
    assert (await app.client.get(path, headers=staff["agent"])).status == 403
    await _say(app, 3, "atendente", 5)
    await _say(app, 4, "sim", 6)
    shown = await (await app.client.get(path, headers=staff["agent"])).json()
    assert shown["vars"]["nome"] == "Maria"
    entries = (await (await app.client.get("/admin/audit", headers=staff["dpo"])).json())["entries"]
    assert [e["detail"] for e in entries[:2]] == ["unmasked", ""] and "Maria" not in str(entries)


async def test_bot_replies_are_masked_before_they_are_committed(start: h.Start, tmp_path: Path) -> None:
    bot = tmp_path / "echo"
    shutil.copytree(h.ECHO_BOT, bot)
    data = json.loads((bot / "bot.json").read_text())
    data["monitoring"] = {"rules": [{"id": "segredo", "literal": "segredo", "direction": ["bot"],
                                     "actions": ["mask", "alert"]}]}
    (bot / "bot.json").write_text(json.dumps(data))
    app = await start(bot=bot, admin_token=TOKEN)
    staff = await _staff(app)
    assert (await app.post(h.wa_body(messages=[h.wa_message("wamid.S1", "o segredo")]))).status == 200

    async def answered() -> bool:
        return bool(app.graph.calls)

    await h.wait_until(answered)
    assert app.texts() == ["1:o ***"]
    [alert] = (await (await app.client.get("/admin/alerts", headers=staff["dpo"])).json())["alerts"]
    assert alert["direction"] == "bot" and alert["message"] == "wamid.S1:0" and "segredo" not in alert["snippet"]
