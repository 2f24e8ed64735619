"""Backup and restore: a snapshot (BGSAVE's dump.rdb) of a throwaway redis-server, restored into a fresh
one, holds conversations and reminders that go on as if nothing happened."""

from __future__ import annotations

import shutil
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import redis
import redis.asyncio as aioredis

from runtime.engine.clock import ManualClock
from runtime.service.harness import BotHarness

from .conftest import AGENDA, START
from .test_booking_timers import book_wednesday


def _snapshot(port: int) -> None:
    """BGSAVE, and wait until the dump is written (the save's own status, not a sleep)."""
    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        before = client.info("persistence")["rdb_saves"]
        client.bgsave()
        deadline = time.monotonic() + 20
        while (info := client.info("persistence"))["rdb_saves"] == before or info["rdb_bgsave_in_progress"]:
            assert time.monotonic() < deadline, "BGSAVE did not finish"
            time.sleep(0.05)
        assert info["rdb_last_bgsave_status"] == "ok"
    finally:
        client.close()


async def test_a_restored_snapshot_finishes_its_conversations_and_fires_its_reminders(
        redis_servers: Any, redis_prefix: str) -> None:
    port, workdir = redis_servers.start(name="before-backup")
    clock = ManualClock(START)
    client = aioredis.Redis(host="127.0.0.1", port=port)
    ana = await BotHarness.open(AGENDA, client=client, prefix=redis_prefix, clock=clock, user="5511900000001",
                                channel="whatsapp")
    bia = await BotHarness.open(AGENDA, client=client, prefix=redis_prefix, clock=clock, user="5511900000002",
                                channel="whatsapp")
    await book_wednesday(ana)  # booked, with two reminders waiting in the timer shards
    await bia.say("marcar")
    [offer] = await bia.say("quarta")  # mid-conversation: Wednesday's slots offered
    _snapshot(port)
    await ana.aclose()
    await bia.aclose()
    await client.aclose()
    redis_servers.stop(port)  # the machine is lost; the dump is what was backed up

    restored = Path(redis_servers.root) / "restored"  # a fresh server's directory, the backup copied in
    restored.mkdir()
    shutil.copy(Path(workdir) / "dump.rdb", restored / "dump.rdb")
    port, _ = redis_servers.start(name="restored")
    client = aioredis.Redis(host="127.0.0.1", port=port)
    ana = await BotHarness.open(AGENDA, client=client, prefix=redis_prefix, clock=clock, user="5511900000001",
                                channel="whatsapp")
    bia = await BotHarness.open(AGENDA, client=client, prefix=redis_prefix, clock=clock, user="5511900000002",
                                channel="whatsapp")
    await bia.say(choice_id=offer.options[1].id)  # 08:00 is Ana's: 08:30, then 09:00
    booked = await bia.say(choice_id="sim")
    assert booked[-1].text == "Marcado: quarta-feira, 04/03, às 09:00"
    [reminder] = await ana.advance(timedelta(hours=23))
    assert reminder.text == "Lembrete: quarta-feira, 04/03, às 08:00"
    scheduler = bia.processor.services.scheduler
    assert scheduler is not None
    assert len(await scheduler.appointments_of("whatsapp:5511900000001")) == 1
    assert len(await scheduler.appointments_of("whatsapp:5511900000002")) == 1
    await ana.aclose()
    await bia.aclose()
    await client.aclose()
