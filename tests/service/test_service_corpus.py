"""Every stored webhook payload, and seeded random mutations of them, through the whole service:
never a 500, and no worker or sender trips over what ingest accepted."""

from __future__ import annotations

import json
import logging
import random
from typing import Any

import pytest
import service_helpers as h

CHANNELS = ("whatsapp", "messenger", "instagram")
JUNK: list[Any] = [None, 0, -1, 1.5, True, "", "x" * 30, [], {}, [None], {"id": None}, "9" * 40]


def all_channels() -> tuple[h.ChannelSettings, ...]:
    ids = {"whatsapp": h.fakes.PHONE_NUMBER_ID, "messenger": h.fakes.PAGE_ID, "instagram": h.fakes.IG_ID}
    return tuple(h.ChannelSettings(c, ids[c], f"{c}-token", h.fakes.APP_SECRET, h.VERIFY_TOKEN) for c in CHANNELS)


def mutate(node: Any, rng: random.Random) -> Any:
    """The same document with one value somewhere replaced by junk of another shape."""
    if isinstance(node, dict) and node and rng.random() < 0.8:
        key = rng.choice(sorted(node))
        return {**node, key: mutate(node[key], rng)}
    if isinstance(node, list) and node and rng.random() < 0.8:
        i = rng.randrange(len(node))
        return [*node[:i], mutate(node[i], rng), *node[i + 1:]]
    return rng.choice(JUNK)


async def test_no_payload_or_mutation_gives_a_500_or_breaks_a_worker(start: h.Start,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    app = await start(channels=all_channels(), work_lease_ms=300)  # redundant signals come back quickly
    rng = random.Random(20260305)
    statuses: dict[int, int] = {}
    for channel in CHANNELS:
        for name in h.fakes.payload_names(channel):
            raw = h.fakes.payload(name)
            bodies = [raw] + [json.dumps(mutate(json.loads(raw), rng)).encode() for _ in range(4)]
            bodies.append(raw[: rng.randrange(1, len(raw))])
            for body in bodies:
                resp = await app.post(body, channel=channel)
                assert resp.status in (200, 400), (name, resp.status, await resp.text())
                statuses[resp.status] = statuses.get(resp.status, 0) + 1
    assert statuses[200] > 50 and statuses[400] > 10
    await h.wait_until(lambda: all_done(app), timeout=30)
    broken = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert broken == []


async def all_done(app: h.Running) -> bool:
    service = app.service
    for queue in (service.work, service.sends):
        for stream in queue.streams:
            if (await app.redis.xpending(stream, queue.group))["pending"] or await app.redis.xlen(stream):
                return False
    return True
