"""Campaign dispatch against a plain XADD / XREADGROUP of the same count, measured in the same run.

    .venv/bin/python -m benchmarks.campaigns [--redis-url URL] [--contacts 10000]

Dispatch is the campaign runner's work for each contact of a run: its outcome checked, its state read
(consent, opt-out), the daily tier and the rate limit, the start event accepted into the contact's
inbox (deduped) and a work signal, the outcome written. The floor is the least a queue of the same
count costs: XADD of each entry, then XREADGROUP and XACK, in batches of the runner's size. Prints
contacts/s for both and the ratio papo / floor. The turns and the sends that follow are the workers'
and senders' (benchmarks/turns.py, benchmarks/roundtrips.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/nlu.py would hide the nlu package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import redis.asyncio as aioredis  # noqa: E402

from connectors import ChannelSettings  # noqa: E402
from runtime.campaigns import load_campaigns  # noqa: E402
from runtime.conversations.store import RedisStore  # noqa: E402
from runtime.engine.state import Conversation  # noqa: E402
from runtime.keys import ConversationKey  # noqa: E402
from runtime.service.bot_service import Service  # noqa: E402
from runtime.service.campaign_runner import BATCH, Runner, book_of  # noqa: E402
from runtime.service.settings import Settings  # noqa: E402

BOT = Path(__file__).parent / "bots" / "campaign"
GRANTED = {"marketing": {"granted": True, "at": "2026-01-05T10:00:00+00:00", "source": "bench"}}


async def seed(redis: aioredis.Redis, prefix: str, bot: str, n: int) -> list[str]:
    store = RedisStore(redis, prefix=prefix)
    users = [f"55119{i:08d}" for i in range(n)]
    for start in range(0, n, 20):
        await asyncio.gather(*(store.commit(ConversationKey(bot, "whatsapp", u), Conversation(
            vars={"labels": ["paciente"], "nome": f"P{u[-4:]}"}, consents=dict(GRANTED)), [], expected_version=0)
            for u in users[start:start + 20]))
    return [f"whatsapp:{u}" for u in users]


async def dispatch_papo(service: Service, members: list[str]) -> float:
    runner = Runner(service, load_campaigns(BOT))
    run = await book_of(service).create("limpeza", members, at=service.processor.clock.now())
    started = time.perf_counter()
    while await runner.step(run):
        pass
    elapsed = time.perf_counter() - started
    assert (await book_of(service).meta(run) or {}).get("status") == "done"
    return len(members) / elapsed


async def dispatch_floor(redis: aioredis.Redis, prefix: str, members: list[str]) -> float:
    stream, group = f"{prefix}:floor", "g"
    await redis.xgroup_create(stream, group, id="0", mkstream=True)
    started = time.perf_counter()
    for start in range(0, len(members), BATCH):
        async with redis.pipeline(transaction=False) as pipe:
            for member in members[start:start + BATCH]:
                pipe.xadd(stream, {"m": member})
            await pipe.execute()
    taken = 0
    while taken < len(members):
        reply = await redis.xreadgroup(group, "c", {stream: ">"}, count=BATCH)
        ids = [entry_id for _, entries in reply for entry_id, _ in entries]
        await redis.xack(stream, group, *ids)
        taken += len(ids)
    return len(members) / (time.perf_counter() - started)


async def run(url: str, contacts: int) -> None:
    prefix = f"papobench-{uuid.uuid4().hex[:8]}"
    redis = aioredis.from_url(url)
    channel = ChannelSettings("whatsapp", "1065", "t", "s", "v")  # nothing is sent: dispatch only
    settings = Settings(redis_url=url, key_prefix=prefix, channels=(channel,), partitions=4)
    service = await Service.open(settings, BOT, client=redis)
    try:
        members = await seed(redis, prefix, service.library.name, contacts)
        floor = await dispatch_floor(redis, prefix, members)
        papo = await dispatch_papo(service, members)
        print(f"campaign dispatch of {contacts} contacts: papo {papo:,.0f}/s, XADD+XREADGROUP floor {floor:,.0f}/s, "
              f"ratio {papo / floor:.3f}")
    finally:
        await service.aclose()
        async for key in redis.scan_iter(match=f"{prefix}*", count=1000):
            await redis.delete(key)
        await redis.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--contacts", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(run(args.redis_url, args.contacts))


if __name__ == "__main__":
    main()
