"""At-least-once signals: a crashed consumer's work is taken over; a signal that keeps failing is buried."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import service_helpers as h

from flows.messages import OutboundMessage
from runtime.engine.state import Conversation
from runtime.service.work import Consumer


async def test_work_claimed_by_a_crashed_worker_is_reclaimed_after_the_lease(start: h.Start) -> None:
    ingest = await start("ingest", work_lease_ms=200)
    await ingest.post(h.wa_body(messages=[h.wa_message("wamid.C1", "oi")]))
    # A worker takes the signal and dies before acknowledging it.
    [claimed] = await ingest.service.work.read("crashed-worker", block_ms=0)
    assert claimed.key == ingest.key
    # the shared stream names the conversation by its digest; the other process reads the key back
    stream = await ingest.redis.xrange(ingest.service.work.stream_for(ingest.key))
    assert h.USER not in str(stream) and ingest.key.digest in str(stream)
    assert ingest.graph.calls == []
    await start("all", work_lease_ms=200)  # another process, same Redis
    await h.wait_until(lambda: has_calls(ingest, 1))
    assert ingest.texts() == ["1:oi"]
    await h.wait_until(lambda: nothing_pending(ingest))


async def test_a_signal_delivered_too_often_goes_to_the_dead_letter_stream(start: h.Start) -> None:
    app = await start("ingest", work_lease_ms=100, max_deliveries=2)
    service = app.service
    await service.work.signal(app.key)
    await service.work.read("crashed-1", block_ms=0)
    for _ in range(2):  # two more consumers took it over and died too
        await h.wait_until(lambda: claimable(app))
        assert await service.work.reclaim("crashed-2", min_idle_ms=100)
    await h.wait_until(lambda: claimable(app))
    rescuer = Consumer(service.work, service.worker.handle, name="rescuer", lease_ms=100, max_deliveries=2,
                       block_ms=0)
    assert await rescuer.step() == 1
    [(_, fields)] = await app.redis.xrange(service.work.dead)
    assert fields[b"deliveries"] == b"4" and fields[b"r"] == app.key.digest.encode()  # never the phone number
    assert await nothing_pending(app)


async def test_a_signal_whose_conversation_was_erased_meanwhile_is_dropped(start: h.Start) -> None:
    app = await start("ingest")
    await app.service.work.signal(app.key)
    await app.redis.delete(app.service.processor.store.keys.who(app.key.bot, app.key.digest))  # an erasure
    other = await start("ingest")  # another process: it never saw the conversation
    handled: list[object] = []

    async def handle(key: object) -> bool:
        handled.append(key)
        return True

    consumer = Consumer(other.service.work, handle, name="elsewhere", block_ms=0)
    assert await consumer.step() == 0 and handled == []
    assert await nothing_pending(other) and sum([await app.redis.xlen(s) for s in app.service.work.streams]) == 0


async def test_a_signal_written_before_digests_is_still_run(start: h.Start) -> None:
    app = await start("ingest")
    work = app.service.work
    await app.redis.xadd(work.stream_for(app.key), {"b": app.key.bot, "c": app.key.channel, "u": app.key.user})
    [signal] = await work.read("upgraded", block_ms=0)
    assert signal.key == app.key


async def has_calls(app: h.Running, n: int) -> bool:
    return len(app.graph.calls) >= n


async def nothing_pending(app: h.Running) -> bool:
    work = app.service.work
    counts = [(await app.redis.xpending(s, work.group))["pending"] for s in work.streams]
    return sum(counts) == 0


async def claimable(app: h.Running) -> bool:
    work = app.service.work
    for stream in work.streams:
        for entry in await app.redis.xpending_range(stream, work.group, min="-", max="+", count=10):
            if entry["time_since_delivered"] >= 100:
                return True
    return False


async def test_a_worker_process_killed_mid_stream_loses_nothing(start: h.Start, redis_url: str, redis_prefix: str,
                                                                 tmp_path: Path) -> None:
    ingest = await start("ingest", work_lease_ms=200)
    users = [f"55119{i:08d}" for i in range(30)]
    for n, user in enumerate(users):
        body = h.wa_body(messages=[h.wa_message(f"wamid.K{n}", "oi", user=user)])
        assert (await ingest.post(body)).status == 200
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPO_", "WHATSAPP_"))}
    env |= {"REDIS_URL": redis_url, "PAPO_KEY_PREFIX": redis_prefix, "PAPO_WORK_LEASE_MS": "200",
            "PAPO_BLOCK_MS": "50", "PAPO_PARTITIONS": "4", "PAPO_WORKERS": "1"}
    with (tmp_path / "worker.log").open("wb") as log:
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "runtime.cli.main", "serve", str(h.ECHO_BOT), "--role", "worker", "--port",
            str(free_port()), cwd=Path(__file__).parents[2], env=env, stdout=log, stderr=log)
        try:
            await h.wait_until(lambda: send_signals(ingest, 1), timeout=30)  # it has committed some turns
        finally:
            worker.kill()
            await worker.wait()
    await start("all", work_lease_ms=200)
    await h.wait_until(lambda: has_calls(ingest, len(users)), timeout=20)
    await h.wait_until(lambda: nothing_pending(ingest))
    assert sorted(c.json["to"] for c in ingest.graph.calls) == users
    assert set(ingest.texts()) == {"1:oi"}


async def send_signals(app: h.Running, n: int) -> bool:
    return sum([int(await app.redis.xlen(s)) for s in app.service.sends.streams]) >= n


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_replies_left_unannounced_by_a_dead_worker_wake_a_sender(start: h.Start) -> None:
    app = await start("worker")  # no sender consumes the send streams: the signal stays there to be seen
    store = app.service.processor.store
    # A worker committed a turn and died before its signal: the reply waits, nobody was told.
    await store.commit(app.key, Conversation(), [OutboundMessage(id="r1", text="oi")], expected_version=0)
    await app.service.work.signal(app.key)  # its work signal, taken over after the lease

    async def signalled() -> bool:
        return await send_signals(app, 1)

    await h.wait_until(signalled)
    await h.wait_until(lambda: nothing_pending(app))
    assert sum([int(await app.redis.xlen(s)) for s in app.service.sends.streams]) == 1


async def test_a_webhook_after_redis_forgot_its_scripts_is_still_accepted_in_full(start: h.Start) -> None:
    # ingest sends its script by hash in the webhook's one round trip; a Redis that restarted or
    # flushed its scripts answers NOSCRIPT, and the whole batch goes again once the script is loaded
    app = await start()
    await app.post(h.wa_body(messages=[h.wa_message("wamid.S1", "oi")]))
    await h.wait_until(lambda: has_calls(app, 1))
    await app.redis.script_flush()
    answer = await app.post(h.wa_body(messages=[h.wa_message("wamid.S2", "de novo"), h.wa_message("wamid.S1", "oi")]))
    assert answer.status == 200 and (await answer.json())["duplicates"] == 1
    await h.wait_until(lambda: has_calls(app, 2))
    assert app.texts() == ["1:oi", "2:de novo"]
