"""Outbound event delivery throughput to a local receiver, against plain aiohttp POSTs of the same
bodies measured in the same run.

    .venv/bin/python -m benchmarks.events [--redis-url URL] [--events 5000] [--contacts 200]

papo: `--events` events spread over `--contacts` contacts wait in their conversations' streams (written
first, not timed); `EventDelivery.drain()` delivers them all: claim each contact, read its events in
order, sign and POST each one, move the cursor and log the delivery. The floor: the same signed bodies
POSTed to the same receiver with one aiohttp session, the same number of contacts at once and each
contact's events one after another (the order papo keeps), with no Redis at all. Prints events/s of
both and the ratio papo / floor.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/nlu.py would hide the nlu package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

import aiohttp  # noqa: E402
import redis.asyncio as aioredis  # noqa: E402
from aiohttp import web  # noqa: E402

from runtime.engine.clock import SystemClock  # noqa: E402
from runtime.events import (  # noqa: E402
    DeliveryPolicy,
    Endpoint,
    EventDelivery,
    EventOutbox,
    encoded,
    envelope,
    sign,
)
from runtime.keys import ConversationKey  # noqa: E402

TYPES = frozenset({"appointment.booked"})


async def receiver() -> tuple[web.AppRunner, str, list[int]]:
    taken = [0]

    async def take(request: web.Request) -> web.Response:
        await request.read()
        taken[0] += 1
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/events", take)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/events", taken


def bodies(contacts: int, events: int) -> dict[ConversationKey, list[str]]:
    now = datetime.now(UTC)
    found: dict[ConversationKey, list[str]] = {}
    for i in range(events):
        key = ConversationKey("bench", "whatsapp", f"55119{i % contacts:08d}")
        event = envelope(key, "appointment.booked", {"appointment": f"a{i}", "by": "patient"}, at=now,
                         id=f"evt_{uuid.uuid4().hex[:26]}")
        found.setdefault(key, []).append(encoded(event))
    return found


async def papo(redis: aioredis.Redis, prefix: str, url: str, work: dict[ConversationKey, list[str]],
               at_once: int) -> float:
    outbox = EventOutbox(redis, prefix=prefix, bot="bench")
    now_ms = int(time.time() * 1000)
    for key, items in work.items():
        await outbox.append(key, items, ["bench"], now_ms=now_ms)
    delivery = EventDelivery(outbox, [Endpoint("bench", url, "secret", TYPES)], SystemClock(),
                             policy=DeliveryPolicy(pairs_at_once=at_once))
    started = time.perf_counter()
    delivered = await delivery.drain()
    elapsed = time.perf_counter() - started
    await delivery.aclose()
    assert delivered == sum(len(v) for v in work.values()), delivered
    return delivered / elapsed


async def floor(url: str, work: dict[ConversationKey, list[str]], at_once: int) -> float:
    gate = asyncio.Semaphore(at_once)
    async with aiohttp.ClientSession() as session:

        async def contact(items: list[str]) -> None:
            async with gate:
                for body in items:
                    raw = body.encode()
                    signature = sign("secret", int(time.time()), raw)
                    headers = {"Content-Type": "application/json", "Papo-Signature": signature}
                    async with session.post(url, data=raw, headers=headers) as response:
                        await response.read()
                        assert response.status == 204

        started = time.perf_counter()
        await asyncio.gather(*(contact(items) for items in work.values()))
        elapsed = time.perf_counter() - started
    return sum(len(v) for v in work.values()) / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--contacts", type=int, default=200)
    parser.add_argument("--at-once", type=int, default=DeliveryPolicy().pairs_at_once)
    parser.add_argument("--rounds", type=int, default=3, help="floor and papo alternate; medians are printed")
    args = parser.parse_args()
    redis = aioredis.Redis.from_url(args.redis_url)
    prefix = f"papobench-{uuid.uuid4().hex[:8]}"
    runner, url, taken = await receiver()
    bases, ours_all = [], []
    try:
        for n in range(args.rounds):
            work = bodies(args.contacts, args.events)
            bases.append(await floor(url, work, args.at_once))
            ours_all.append(await papo(redis, f"{prefix}-{n}", url, work, args.at_once))
        base, ours = statistics.median(bases), statistics.median(ours_all)
        ratios = sorted(o / b for o, b in zip(ours_all, bases, strict=True))
    finally:
        await runner.cleanup()
        async for key in redis.scan_iter(match=f"{prefix}*", count=1000):
            await redis.delete(key)
        await redis.aclose()
    print(f"events {args.events} over {args.contacts} contacts, {args.at_once} contacts at once, "
          f"{args.rounds} rounds; receiver took {taken[0]}")
    print(f"  floor (aiohttp POSTs, no Redis): {base:9.0f} events/s (median)")
    print(f"  papo (EventDelivery.drain):      {ours:9.0f} events/s (median)")
    print(f"  ratio papo/floor per round: {', '.join(f'{r:.2f}' for r in ratios)}; median "
          f"{statistics.median(ratios):.2f}")


if __name__ == "__main__":
    asyncio.run(main())
