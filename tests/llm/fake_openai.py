"""An OpenAI-compatible chat completions server on 127.0.0.1 that answers from a script:
structured outputs, tool calls, HTTP errors, malformed JSON, or a reply that never comes
until the test lets it go. Every request body is kept, to check what left papo."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

USAGE = {"prompt_tokens": 900, "completion_tokens": 60, "total_tokens": 960}


def command(name: str, **fields: Any) -> dict[str, Any]:
    base = {"command": name, "faq_id": None, "flow": None, "variable": None, "value": None, "text": None}
    return {**base, **fields}


class FakeOpenAI:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self.script: deque[tuple[str, Any]] = deque()
        self.release = asyncio.Event()  # a "slow" reply waits for this
        self.app = web.Application()
        self.app.router.add_post("/v1/chat/completions", self._completions)
        self.server = TestServer(self.app, host="127.0.0.1", port=0)

    async def start(self) -> str:
        await self.server.start_server()
        return str(self.server.make_url("/v1"))

    async def aclose(self) -> None:
        self.release.set()
        await self.server.close()

    def answer(self, payload: dict[str, Any]) -> None:
        self.script.append(("json", payload))

    def tool_call(self, payload: dict[str, Any]) -> None:
        self.script.append(("tool", payload))

    def status(self, code: int, error_code: str = "server_error") -> None:
        self.script.append(("status", (code, error_code)))

    def malformed(self, text: str = '{"command": "answer_faq", "faq_id": ') -> None:
        self.script.append(("malformed", text))

    def slow(self) -> None:
        self.script.append(("slow", None))

    async def _completions(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.raw.append(raw)
        self.bodies.append(json.loads(raw))
        kind, value = self.script.popleft() if self.script else ("json", command("out_of_scope"))
        if kind == "status":
            code, error_code = value
            return web.json_response({"error": {"message": "scripted", "type": error_code, "code": error_code}},
                                     status=code)
        if kind == "slow":
            await self.release.wait()
            return web.json_response(_completion({"role": "assistant", "content": "{}"}))
        if kind == "tool":
            call = {"id": "call_1", "type": "function", "function": {"name": "command", "arguments": json.dumps(value)}}
            return web.json_response(_completion({"role": "assistant", "content": None, "tool_calls": [call]},
                                                 finish="tool_calls"))
        content = value if kind == "malformed" else json.dumps(value, ensure_ascii=False)
        return web.json_response(_completion({"role": "assistant", "content": content}))


def _completion(message: dict[str, Any], finish: str = "stop") -> dict[str, Any]:
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": USAGE}
