"""Export and erase of one contact with 90 days of history, next to a plain SCAN + DEL of the same
keys measured in the same run.

    .venv/bin/python -m benchmarks.privacy [--redis-url URL] [--messages 1000] [--appointments 20]
                                           [--others 300] [--rounds 5]

The contact's history is what papo keeps of `--messages` messages over 90 days: half of them the
patient's (their dedupe markers), half papo's replies (delivery records and the sent map), FAQ/LLM
decisions, LLM history, consent ledger entries, failures stream entries, `--appointments` appointments
with their reminder timers. `--others` other contacts fill the keyspace around it, as in a clinic.
Each round seeds it again, then times the export, the erasure (every rule of runtime.privacy.erase),
and the floor: SCAN for the contact's conversation keys and the keys named by its id, then DEL them,
which is what a hand-written cleanup would do (and which leaves the appointments, timers and stream
entries behind). Prints the medians and the ratios papo / floor.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/nlu.py would hide the nlu package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

import redis.asyncio as aioredis  # noqa: E402

from flows.loader import load_bot  # noqa: E402
from runtime.conversations.keys import FAILURES_KEPT  # noqa: E402
from runtime.engine.state import Conversation  # noqa: E402
from runtime.keys import ConversationKey, Keys  # noqa: E402
from runtime.privacy import ConsentLedger, Contact, Eraser, Exporter  # noqa: E402
from runtime.privacy._redis import HOLE, pattern  # noqa: E402
from runtime.timers import Timer, TimerQueue  # noqa: E402

CLINIC = Path(__file__).parents[1] / "examples" / "clinic"
BOT = "clinica-sorriso"
USER = "5511987654321"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


async def seed_contact(redis: aioredis.Redis, keys: Keys, user: str, messages: int, appointments: int) -> None:
    conv = ConversationKey(BOT, "whatsapp", user)
    start = NOW - timedelta(days=90)
    step = timedelta(days=90) / max(messages, 1)
    state = Conversation(started_at=start.isoformat(), last_inbound_at=NOW.isoformat(), turns=messages // 2,
                         vars={"nome": "Mariana Quintella", "especialidade": "clinica_geral"})
    async with redis.pipeline(transaction=False) as pipe:
        pipe.hset(keys.state(conv), mapping={"ver": messages // 2, "doc": json.dumps(state.to_json())})
        for i in range(messages // 2):
            at = start + step * 2 * i
            pipe.set(keys.seen(conv, f"wamid.in{i}"), str(int(at.timestamp() * 1000)))
            pipe.hset(keys.sent(conv), f"wamid.out{i}", f"m{i}")
            pipe.hset(keys.delivery(conv, f"wamid.out{i}"), mapping={"status": "read", "rank": 3, "at": at.isoformat(),
                                                                     "papo_id": f"m{i}"})
        for _ in range(50):
            pipe.lpush(keys.decisions(conv), json.dumps({"at": NOW.isoformat(), "kind": "faq", "faq": "endereco"}))
        conversation = f"whatsapp:{user}"
        for i in range(12):
            pipe.rpush(keys.llm_history(BOT, conversation), f"user: pergunta {i}", f"assistant: resposta {i}")
        pipe.hset(keys.llm_conversation(BOT, conversation), mapping={"calls": 6, "tokens_in": 5400})
        for i in range(10):
            failure = {"channel": "whatsapp", "user": user, "at": NOW.isoformat(), "error": "WindowClosed",
                       "message": f"m{i}"}
            pipe.xadd(keys.failures(BOT), {"f": json.dumps(failure)}, maxlen=FAILURES_KEPT, approximate=True)
        cal = keys.calendar(BOT)
        for i in range(appointments):
            slot = start + timedelta(days=4 * i, hours=13)
            appt_id = f"{user[-4:]}{i:08x}"
            appt = {"id": appt_id, "service": "consulta", "professional": "dra_ana", "start": slot.isoformat(),
                    "end": (slot + timedelta(minutes=30)).isoformat(), "patient": f"whatsapp:{user}",
                    "status": "booked", "details": {"name": "Mariana Quintella"},
                    "history": [{"at": slot.isoformat(), "action": "booked", "by": "patient"}]}
            ms = int(slot.timestamp() * 1000)
            pipe.hset(cal.appts, appt_id, json.dumps(appt))
            pipe.zadd(cal.starts, {appt_id: ms})
            pipe.zadd(cal.patient(f"whatsapp:{user}"), {appt_id: ms})
            pipe.zadd(cal.busy, {f"a|dra_ana|{appt_id}|{ms + 1800000}|0": ms})
        await pipe.execute()
    await ConsentLedger(redis, prefix=keys.prefix).append(conv, [
        {"purpose": "marketing", "granted": True, "at": start.isoformat(), "source": "consent_node"},
        {"purpose": "marketing", "granted": False, "at": NOW.isoformat(), "source": "opt_out"}])
    queue = TimerQueue(redis, prefix=keys.prefix, bot=BOT)
    await queue.schedule_many(Timer(f"reminder:{user}:{i}", NOW + timedelta(days=i + 1), "reminder",
                                    {"patient": f"whatsapp:{user}"}) for i in range(2))


async def seed_others(redis: aioredis.Redis, keys: Keys, others: int) -> None:
    for n in range(others):
        await seed_contact(redis, keys, f"55219{n:08d}", 20, 1)


async def floor(redis: aioredis.Redis, keys: Keys, user: str) -> int:
    """SCAN for the contact's conversation keys and the keys named by its id, then DEL them."""
    conv = ConversationKey(BOT, "whatsapp", user)
    found = [k async for k in redis.scan_iter(match=pattern(keys.state(conv).removesuffix("state") + HOLE),
                                              count=500)]
    found += [keys.decisions(conv), keys.llm_history(BOT, f"whatsapp:{user}"),
              keys.llm_conversation(BOT, f"whatsapp:{user}")]
    return int(await redis.delete(*found))


async def clear(redis: aioredis.Redis, prefix: str) -> None:
    async for key in redis.scan_iter(match=f"{prefix}*", count=1000):
        await redis.delete(key)


async def run(url: str, messages: int, appointments: int, others: int, rounds: int) -> None:
    redis = aioredis.Redis.from_url(url)
    bot = load_bot(CLINIC)
    prefix = f"papobench-{uuid.uuid4().hex[:8]}"
    keys = Keys(prefix)
    contact = Contact(BOT, "whatsapp", USER)
    timings: dict[str, list[float]] = {"export": [], "erase": [], "floor": []}
    try:
        await seed_others(redis, keys, others)
        total = len([k async for k in redis.scan_iter(match=f"{prefix}*", count=1000)])
        for _ in range(rounds):
            for name in ("export", "erase", "floor"):
                await seed_contact(redis, keys, USER, messages, appointments)
                started = time.perf_counter()
                if name == "export":
                    document = await Exporter(redis, prefix=prefix).export(contact, bot, now=NOW)
                elif name == "erase":
                    done = await Eraser(redis, prefix=prefix).erase(contact, now=NOW)
                else:
                    await floor(redis, keys, USER)
                timings[name].append((time.perf_counter() - started) * 1000)
                await Eraser(redis, prefix=prefix).erase(contact, now=NOW)  # the next seed starts clean
    finally:
        await clear(redis, prefix)
        await redis.aclose()
    med = {name: statistics.median(values) for name, values in timings.items()}
    print(f"one contact: {messages} messages over 90 days, {appointments} appointments; "
          f"{others} other contacts; {total} keys around it; median of {rounds} rounds")
    print(f"  export (JSON of {len(json.dumps(document)) // 1024} KiB)  {med['export']:8.1f} ms"
          f"   x{med['export'] / med['floor']:.1f} the floor")
    print(f"  erase ({sum(done.counts.values())} items)     {med['erase']:8.1f} ms"
          f"   x{med['erase'] / med['floor']:.1f} the floor")
    print(f"  floor: SCAN + DEL of the same keys {med['floor']:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--appointments", type=int, default=20)
    parser.add_argument("--others", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(run(args.redis_url, args.messages, args.appointments, args.others, args.rounds))


if __name__ == "__main__":
    main()
