"""The service on a real Redis Cluster of three primaries (`redis_cluster_url`, started by the fixtures):
a webhook gets its reply, many conversations at once spread over the slots, and the erasure of a
contact finds every trace on every node. The tests are the single-server ones, run again here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import redis.asyncio as aioredis
import service_helpers as h

from runtime.service.redis_urls import connect, is_cluster


def _module(name: str) -> ModuleType:
    """A sibling test module, loaded under another name so its tests run here too, on the cluster."""
    alias = f"on_cluster_{name}"
    if (loaded := sys.modules.get(alias)) is not None:
        return loaded
    spec = importlib.util.spec_from_file_location(alias, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[alias] = module
    spec.loader.exec_module(module)
    return module


flow, erase = _module("test_service_flow"), _module("test_service_privacy_erase")
clinic_channels, model = erase.clinic_channels, erase.model  # the erasure test's fixtures

test_a_text_gets_exactly_one_reply_on_a_cluster = flow.test_a_text_gets_exactly_one_reply_with_the_right_payload
test_a_batch_is_processed_in_timestamp_order_on_a_cluster = flow.test_a_batch_is_processed_in_timestamp_order
test_erasure_leaves_no_trace_on_any_node_of_a_cluster = erase.test_erasure_leaves_no_trace_of_the_patient_anywhere


@pytest.fixture
def redis_url(redis_cluster_url: str) -> str:
    return redis_cluster_url


async def test_the_client_is_a_cluster_client_and_signals_spread_over_the_nodes(
        start: h.Start, redis_client: aioredis.Redis) -> None:
    assert is_cluster(redis_client)
    app = await start()
    users = [f"55119876{n:05d}" for n in range(12)]
    for n, user in enumerate(users):
        body = h.wa_body(messages=[h.wa_message(f"wamid.C{n}", "oi", user=user)])
        assert (await app.post(body)).status == 200
    await h.wait_until(lambda: _calls(app, len(users)))
    assert sorted(c.json["to"] for c in app.graph.calls) == sorted(users)
    nodes = {redis_client.get_node_from_key(s).name for s in app.service.work.streams}  # type: ignore[attr-defined]
    assert len(nodes) == 3  # the work partitions live on every primary


async def test_a_cluster_url_is_parsed_and_a_bad_one_is_refused_with_the_forms() -> None:
    client = connect("redis+cluster://127.0.0.1:7000,127.0.0.1:7001")  # connects on its first command
    assert is_cluster(client)
    await client.aclose()
    with pytest.raises(Exception, match="only database 0"):
        connect("redis+cluster://127.0.0.1:7000/3")
    with pytest.raises(Exception, match="redis\\+sentinel://host:port"):
        connect("redis+sentinel://127.0.0.1:26379")
    with pytest.raises(Exception, match="expected redis://host:port/db"):
        connect("http://127.0.0.1:6379")


async def _calls(app: h.Running, n: int) -> bool:
    return len(app.graph.calls) >= n


async def test_a_sentinel_url_finds_the_primary_and_the_service_answers_through_it(
        start: h.Start, redis_sentinel_url: str) -> None:
    client = connect(redis_sentinel_url)
    try:
        app = await start(redis=client)
        assert (await app.post(h.wa_body(messages=[h.wa_message("wamid.S1", "oi")]))).status == 200
        await h.wait_until(lambda: _calls(app, 1))
        assert app.texts() == ["1:oi"]
        state, _ = await app.service.processor.store.load(app.key)
        assert state is not None and state.turns == 1
    finally:
        await client.aclose()


async def test_after_a_sentinel_failover_the_service_answers_from_the_new_primary(
        start: h.Start, redis_failover: tuple[str, int, int]) -> None:
    url, sentinel_port, replica = redis_failover
    client = connect(url)
    sentinel = aioredis.Redis(host="127.0.0.1", port=sentinel_port)
    try:
        app = await start(redis=client)
        assert (await app.post(h.wa_body(messages=[h.wa_message("wamid.F1", "oi")]))).status == 200
        await h.wait_until(lambda: _calls(app, 1))
        await h.wait_until(lambda: _outbox_empty(app))
        assert await client.execute_command("WAIT", 1, 5000) == 1  # the replica has every write
        await sentinel.execute_command("SENTINEL", "FAILOVER", "papo-failover")
        await h.wait_until(lambda: _primary_is(sentinel, replica))
        assert (await app.post(h.wa_body(messages=[h.wa_message("wamid.F2", "de novo")]))).status == 200
        await h.wait_until(lambda: _calls(app, 2))
        assert app.texts() == ["1:oi", "2:de novo"]  # the state survived the switch
    finally:
        await sentinel.aclose()
        await client.aclose()


async def _primary_is(sentinel: aioredis.Redis, port: int) -> bool:
    _, found = await sentinel.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "papo-failover")
    return int(found) == port


async def _outbox_empty(app: h.Running) -> bool:
    return not await app.service.client.xlen(app.service.processor.store.keys.outbox(app.key))
