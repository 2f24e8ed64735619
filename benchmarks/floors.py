"""The floors of `benchmarks.sidebyside`: bare aiohttp servers doing the least a real bot server must.

    python -m benchmarks.floors rest|ingest --port P --redis URL --prefix PREFIX

`rest` answers Rasa's REST shape on /webhooks/rest/webhook like the hello bot (ask the name, then greet
by it) with two Redis round trips: GET the sender's document, SET it back (about 600 bytes). `ingest`
answers /webhooks/whatsapp: check the HMAC signature on the raw body, parse the JSON, and one round trip,
an XADD of the body to a stream. Both answer GET /readyz. No engine, no dedupe, no lock.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/nlu.py would hide the nlu package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import hashlib  # noqa: E402
import hmac  # noqa: E402
import json  # noqa: E402

import redis.asyncio as aioredis  # noqa: E402
from aiohttp import web  # noqa: E402

from benchmarks.webhooks import SECRET  # noqa: E402
from connectors.constants import WEBHOOK_MAX_BYTES  # noqa: E402

PADDING = "x" * 480  # brings a document to about 600 bytes, the size of a small conversation's


def rest_app(redis: aioredis.Redis, prefix: str) -> web.Application:
    async def turn(request: web.Request) -> web.Response:
        body = await request.json()
        sender, text = str(body.get("sender", "")), str(body.get("message", "")).strip()
        key = f"{prefix}:floor:{sender}"
        raw = await redis.get(key)
        doc = json.loads(raw) if raw else {"sender": sender, "node": None, "vars": {}, "pad": PADDING}
        if doc["node"] == "ask_name" and text and text.lower() not in ("hi", "hello"):
            doc["node"], doc["vars"]["name"] = None, text
            reply = f"Nice to meet you, {text}!"
        else:
            doc["node"] = "ask_name"
            reply = "Hi! What is your name?"
        await redis.set(key, json.dumps(doc))
        return web.json_response([{"recipient_id": sender, "text": reply}])

    app = web.Application(client_max_size=WEBHOOK_MAX_BYTES)
    app.router.add_post("/webhooks/rest/webhook", turn)
    return app


def ingest_app(redis: aioredis.Redis, prefix: str) -> web.Application:
    secret = SECRET.encode()

    async def receive(request: web.Request) -> web.Response:
        raw = await request.read()
        expected = "sha256=" + hmac.new(secret, raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Hub-Signature-256", "")):
            return web.json_response({"error": "bad signature"}, status=401)
        try:
            json.loads(raw)
        except ValueError:
            return web.json_response({"error": "not JSON"}, status=400)
        await redis.xadd(f"{prefix}:floor:inbound", {"body": raw})
        return web.json_response({"ok": True})

    app = web.Application(client_max_size=WEBHOOK_MAX_BYTES)  # the same body limit as papo serve
    app.router.add_post("/webhooks/whatsapp", receive)
    return app


async def ready(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("rest", "ingest"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--prefix", required=True)
    args = parser.parse_args()
    pool = aioredis.BlockingConnectionPool.from_url(args.redis, max_connections=64, timeout=10)
    redis = aioredis.Redis.from_pool(pool)
    app = (rest_app if args.kind == "rest" else ingest_app)(redis, args.prefix)
    app.router.add_get("/readyz", ready)

    async def close(app: web.Application) -> None:
        await redis.aclose()

    app.on_cleanup.append(close)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
