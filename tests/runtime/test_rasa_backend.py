"""A bot whose bot.json names a Rasa server reads messages through its /model/parse, and through
the embedded NLU when that server is down."""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer

from runtime.conversations.library import BotLibrary
from runtime.service.wiring import build_services

from .conftest import OpenBot

NLU_DATA = """version: "3.1"
nlu:
- intent: insurance
  examples: |
    - vocês aceitam convênio?
    - atende plano de saúde?
    - aceita unimed?
    - qual convênio vocês atendem
- intent: greet
  examples: |
    - oi
    - olá, bom dia
    - boa tarde
    - oi tudo bem
"""


def write_bot(root: Path, rasa_url: str) -> Path:
    (root / "flows").mkdir(parents=True)
    (root / "nlu.yml").write_text(NLU_DATA)
    (root / "bot.json").write_text(json.dumps({
        "name": "rasa-bot", "default_locale": "pt-BR", "entry_flow": "oi",
        "nlu": {"rasa_url": rasa_url, "rasa_timeout": 0.5}}))
    (root / "flows" / "oi.json").write_text(json.dumps(
        {"id": "oi", "triggers": {"intents": ["greet"]}, "entry": "a",
         "nodes": {"a": {"kind": "end", "text": "olá!"}}}))
    (root / "flows" / "convenio.json").write_text(json.dumps(
        {"id": "convenio", "triggers": {"intents": ["insurance"]}, "entry": "a",
         "nodes": {"a": {"kind": "end", "text": "aceitamos Unimed e Amil"}}}))
    return root


async def test_rasa_reads_the_message_and_the_embedded_nlu_stands_in(tmp_path: Path, open_bot: OpenBot) -> None:
    asked: list[str] = []

    async def parse(request: web.Request) -> web.Response:
        body = await request.json()
        asked.append(body["text"])
        return web.json_response({"text": body["text"], "intent": {"name": "insurance", "confidence": 0.97},
                                  "intent_ranking": [{"name": "insurance", "confidence": 0.97}], "entities": []})

    app = web.Application()
    app.router.add_post("/model/parse", parse)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    root = write_bot(tmp_path / "bot", str(server.make_url("/")))
    library = BotLibrary.load(root)
    services = build_services(library.current, root)
    bot = await open_bot(root, library=library)
    bot.processor.services = services
    try:
        assert [m.text for m in await bot.say("xyz qualquer coisa")] == ["aceitamos Unimed e Amil"]
        assert asked == ["xyz qualquer coisa"]  # Rasa decided, not the embedded model
        await server.close()
        assert [m.text for m in await bot.say("oi tudo bem")] == ["olá!"]  # Rasa is down: embedded NLU
    finally:
        await services.aclose()
        await server.close()
