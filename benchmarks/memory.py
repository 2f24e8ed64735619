"""Redis memory per conversation and per appointment, measured with MEMORY USAGE on a real Redis.

Runs the clinic's booking flow for N patients (each ends idle with one appointment and its reminders),
then sums MEMORY USAGE over every key of one conversation (its hash tag) and over the calendar and timer
keys, divided by N.

    python -m benchmarks.memory [--patients 200]

Uses REDIS_URL (one server) or redis://127.0.0.1:6379/0 and its own key prefix, deleted afterwards.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/nlu.py would hide the nlu package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import uuid  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

import redis.asyncio as aioredis  # noqa: E402

from runtime.engine.clock import ManualClock  # noqa: E402
from runtime.service.harness import BotHarness  # noqa: E402

AGENDA = Path(__file__).parents[1] / "tests" / "booking" / "bots" / "agenda"


async def _usage(client: aioredis.Redis, pattern: str) -> tuple[int, int]:
    total = keys = 0
    async for key in client.scan_iter(match=pattern, count=1000):
        total += int(await client.memory_usage(key) or 0)
        keys += 1
    return total, keys


async def main(patients: int) -> None:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    client = aioredis.Redis.from_url(url)
    prefix = f"papobench-{uuid.uuid4().hex[:8]}"
    clock = ManualClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    first = await BotHarness.open(AGENDA, client=client, prefix=prefix, clock=clock, user="5511900000000",
                                  channel="whatsapp")
    services = first.processor.services
    try:
        booked = 0
        for n in range(patients):
            h = BotHarness(first.library, first.store, clock, channel="whatsapp", user=f"55119{n:08d}",
                           services=services)
            await h.say("marcar")
            [offer] = await h.say(["terça", "quarta", "quinta", "sexta"][n % 4])
            if offer.options:  # a full day ends the conversation unbooked, as a patient would leave
                await h.say(choice_id=offer.options[0].id)
                await h.say(choice_id="sim")
                booked += 1
        conv_total, conv_keys = await _usage(client, f"{prefix}:{{*}}:*")
        cal_total, _ = await _usage(client, f"{prefix}:{{cal:*}}:*")
        timer_total, _ = await _usage(client, f"{prefix}:*{{timers:*}}:*")
        conv_total -= cal_total + timer_total  # the pattern {*} matched those tags too
        everything, all_keys = await _usage(client, f"{prefix}:*")
        print(f"{patients} patients, each one conversation (2-4 turns, idle); {booked} appointments with reminders")
        print(f"per conversation:  {conv_total / patients / 1024:.1f} KiB in its own keys")
        print(f"per appointment:   {cal_total / max(booked, 1) / 1024:.2f} KiB in the calendar, "
              f"{timer_total / max(booked, 1) / 1024:.2f} KiB of reminder timers")
        print(f"everything:        {everything / patients / 1024:.1f} KiB per patient ({all_keys} keys)")
    finally:
        await services.aclose()
        async for key in client.scan_iter(match=f"{prefix}*", count=1000):
            await client.delete(key)
        await client.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=200)
    asyncio.run(main(parser.parse_args().patients))
