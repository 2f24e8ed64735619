"""Latency the LLM fallback adds (masking, budget and cache in Redis, LangChain, validation) on top
of the provider call itself, against an OpenAI-compatible server on 127.0.0.1 that answers at
once, next to a direct call of the same server with the official client measured in the same run.

    python -m benchmarks.fallback [--calls 300]

Uses REDIS_URL or redis://127.0.0.1:6379/0 (the embedded in-process Redis when neither answers)
and its own key prefix, deleted afterwards.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and benchmarks/nlu.py would hide the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402

import fakeredis  # noqa: E402
import httpx  # noqa: E402
import openai  # noqa: E402
import redis.asyncio as aioredis  # noqa: E402
from aiohttp import web  # noqa: E402
from aiohttp.test_utils import TestServer  # noqa: E402

from flows.loader import load_bot  # noqa: E402
from flows.settings import LlmSettings  # noqa: E402
from runtime.llm import LlmConfig, LlmFallback, LlmRequest  # noqa: E402
from runtime.nodes.assist import catalog, version  # noqa: E402

CLINIC = Path(__file__).parents[1] / "examples" / "clinic"
ANSWER = {"command": "answer_faq", "faq_id": "estacionamento", "flow": None, "variable": None, "value": None,
          "text": "Temos convênio com o estacionamento do prédio: 2 primeiras horas grátis."}


async def completions(request: web.Request) -> web.Response:
    await request.read()
    return web.json_response({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "gpt-4o-mini",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": json.dumps(ANSWER, ensure_ascii=False)}}],
        "usage": {"prompt_tokens": 900, "completion_tokens": 60, "total_tokens": 960}})


async def redis_client() -> tuple[aioredis.Redis, str]:
    client = aioredis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
                                     socket_connect_timeout=0.5)
    try:
        await client.ping()
        return client, "redis"
    except (aioredis.ConnectionError, OSError):
        await client.aclose()
        return fakeredis.FakeAsyncRedis(), "embedded"


async def timed(calls: int, call: Callable[[int], Awaitable[object]]) -> list[float]:
    for i in range(20):  # warm-up: connections, imports, caches
        await call(-1 - i)
    out = []
    for i in range(calls):
        started = time.perf_counter()
        await call(i)
        out.append((time.perf_counter() - started) * 1000)
    return out


def line(name: str, samples: list[float], floor: float | None = None) -> str:
    p50, p95 = statistics.median(samples), statistics.quantiles(samples, n=20)[18]
    added = f"   added p50 {p50 - floor:+7.2f} ms" if floor is not None else ""
    return f"{name:<28} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms{added}"


async def main(calls: int) -> None:
    app = web.Application()
    app.router.add_post("/v1/chat/completions", completions)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    base_url = str(server.make_url("/v1"))
    client, kind = await redis_client()
    prefix = f"papobench-{uuid.uuid4().hex[:8]}"
    bot = load_bot(CLINIC)
    fallback = LlmFallback(LlmConfig("sk-bench", base_url, settings=LlmSettings(monthly_budget_usd=1e9)), client,
                           bot=bot, prefix=prefix)
    direct = openai.AsyncOpenAI(api_key="sk-bench", base_url=base_url, http_client=httpx.AsyncClient())
    cat, ver = catalog(bot, "pt-BR"), version(bot)
    messages = [{"role": "system", "content": "route"}, {"role": "user", "content": "tem estacionamento?"}]
    try:
        floor = await timed(calls, lambda i: direct.chat.completions.create(model="gpt-4o-mini", messages=messages))
        miss = await timed(calls, lambda i: fallback.decide(LlmRequest(f"tem estacionamento {i}?", f"bench:{i}",
                                                                       "pt-BR", cat, ver)))
        hit = await timed(calls, lambda i: fallback.decide(LlmRequest("tem estacionamento 0?", "bench:hit",
                                                                      "pt-BR", cat, ver)))
        floor_p50 = statistics.median(floor)
        print(f"{calls} calls each, local server on {base_url}, {kind} Redis")
        print(line("direct openai call", floor))
        print(line("fallback, cache miss", miss, floor_p50))
        print(line("fallback, cache hit", hit, floor_p50))
    finally:
        await direct.close()
        await fallback.aclose()
        async for key in client.scan_iter(match=f"{prefix}*"):
            await client.delete(key)
        await client.aclose()
        await server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    asyncio.run(main(parser.parse_args().calls))
