"""The store's contract, on a real Redis and on the embedded server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from redis.crc import key_slot

from flows.messages import InboundEvent, OutboundMessage, Template
from runtime.conversations import keys as C
from runtime.conversations.keys import ConversationKey, Keys
from runtime.conversations.store import AlreadyConsumed, RedisStore
from runtime.engine.errors import StaleVersion
from runtime.engine.state import Conversation, Frame

KEY = ConversationKey("clinica-sorriso", "whatsapp", "5511999990000")


def event(n: int) -> InboundEvent:
    return InboundEvent("whatsapp", KEY.user, f"wamid.{n}", datetime(2026, 3, 2, 12, n, tzinfo=UTC), text=f"m{n}")


def reply(text: str) -> OutboundMessage:
    return OutboundMessage(id=f"r-{text}", text=text)


async def test_state_round_trip(store: RedisStore) -> None:
    state = Conversation(flow="menu", flow_version="abc", node="escolha", waiting="input",
                         stack=[Frame("boas_vindas", "d1", "prazer", reenter=True)],
                         vars={"nome": "João", "idade": 41, "tags": ["a", "b"], "ok": True, "nada": None},
                         locale="pt-BR", last_inbound_at="2026-03-02T12:00:00+00:00", turns=3)
    assert (await store.commit(KEY, state, [], expected_version=0)).version == 1
    loaded, pending = await store.load(KEY)
    assert pending == []
    assert loaded is not None and loaded.version == 1
    assert loaded.to_json() == state.to_json()
    assert 0 < await store.client.pttl(store.keys.state(KEY)) <= C.STATE_TTL_MS


async def test_a_new_conversation_has_no_state(store: RedisStore) -> None:
    assert await store.load(KEY) == (None, [])


async def test_stale_commit_is_refused_and_changes_nothing(store: RedisStore) -> None:
    await store.commit(KEY, Conversation(vars={"v": "first"}), [reply("one")], expected_version=0)
    with pytest.raises(StaleVersion) as caught:
        await store.commit(KEY, Conversation(vars={"v": "stale"}), [reply("two")], expected_version=0)
    assert (caught.value.expected, caught.value.found) == (0, 1)
    loaded, _ = await store.load(KEY)
    assert loaded is not None and loaded.version == 1 and loaded.vars == {"v": "first"}
    assert [m.text for m in await store.outbox(KEY)] == ["one"]


async def test_an_event_is_consumed_once(store: RedisStore) -> None:
    queued = await store.enqueue(KEY, event(1), token="t")
    assert queued.id is not None and queued.locked
    _, pending = await store.load(KEY, batch=10)
    assert [p.event for p in pending] == [event(1)]
    await store.commit(KEY, Conversation(vars={"n": 1}), [reply("a")], expected_version=0, consumed=pending[0].id)
    with pytest.raises(AlreadyConsumed):
        await store.commit(KEY, Conversation(vars={"n": 2}), [reply("b")], expected_version=1,
                           consumed=pending[0].id)
    loaded, pending_after = await store.load(KEY, batch=10)
    assert loaded is not None and loaded.vars == {"n": 1} and pending_after == []
    assert [m.text for m in await store.outbox(KEY)] == ["a"]


async def test_a_duplicate_event_is_not_queued(store: RedisStore) -> None:
    first = await store.enqueue(KEY, event(1), token="t1")
    again = await store.enqueue(KEY, event(1), token="t2")
    assert first.id is not None and again.id is None and not again.locked
    assert await store.client.xlen(store.keys.inbox(KEY)) == 1
    assert 0 < await store.client.ttl(store.keys.seen(KEY, "wamid.1")) <= C.DEDUPE_TTL_S


async def test_events_wait_in_arrival_order(store: RedisStore) -> None:
    for n in range(5):
        await store.enqueue(KEY, event(n), token=f"t{n}")
    _, pending = await store.load(KEY, batch=3)
    assert [p.event.id for p in pending] == ["wamid.0", "wamid.1", "wamid.2"]


async def test_taking_the_lock_on_enqueue_returns_the_state_and_the_waiting_events(store: RedisStore) -> None:
    await store.commit(KEY, Conversation(vars={"n": 7}), [], expected_version=0)
    first = await store.enqueue(KEY, event(1), token="a")
    second = await store.enqueue(KEY, event(2), token="b")
    assert first.locked and first.state is not None and first.state.vars == {"n": 7}
    assert [p.event.id for p in first.pending] == ["wamid.1"]
    assert second.id is not None and not second.locked and second.state is None


async def test_the_last_commit_gives_the_lock_back_only_when_the_inbox_is_empty(store: RedisStore) -> None:
    one = await store.enqueue(KEY, event(1), token="a")
    await store.enqueue(KEY, event(2), token="b")
    _, pending = await store.load(KEY, batch=5)
    done = await store.commit(KEY, Conversation(), [], expected_version=0, consumed=pending[0].id, token="a")
    assert one.locked and not done.released and not await store.lock(KEY, "b")
    done = await store.commit(KEY, Conversation(), [], expected_version=1, consumed=pending[1].id, token="a")
    assert done.released and await store.lock(KEY, "b")


async def test_the_lock_has_one_owner_and_only_the_owner_releases_it(store: RedisStore) -> None:
    assert await store.lock(KEY, "mine")
    assert not await store.lock(KEY, "theirs")
    await store.release(KEY, "theirs")
    assert not await store.lock(KEY, "theirs")
    await store.enqueue(KEY, event(1), token="other")
    assert await store.release(KEY, "mine") == 1  # tells the releaser an event is waiting
    assert await store.lock(KEY, "theirs")


async def test_the_outbox_keeps_every_field_and_take_empties_it(store: RedisStore) -> None:
    message = OutboundMessage(id="e:0", text="Lembrete", template=Template("lembrete", "pt_BR", ("Ana",), ("Sim",)))
    await store.commit(KEY, Conversation(), [message], expected_version=0)
    assert await store.outbox(KEY, take=True) == [message]
    assert await store.outbox(KEY) == []


async def test_forget_erases_the_conversation(store: RedisStore) -> None:
    await store.enqueue(KEY, event(1), token="t")
    await store.commit(KEY, Conversation(), [reply("x")], expected_version=0)
    await store.forget(KEY)
    assert await store.load(KEY, batch=5) == (None, [])
    assert await store.outbox(KEY) == []


def test_all_keys_of_a_conversation_share_one_cluster_slot() -> None:
    keys = Keys("papo")
    every = [keys.state(KEY), keys.inbox(KEY), keys.outbox(KEY), keys.lock(KEY), keys.seen(KEY, "wamid.1")]
    assert len({key_slot(k.encode()) for k in every}) == 1


def test_logs_name_a_conversation_without_the_phone_number() -> None:
    assert KEY.user not in KEY.ref and KEY.ref == ConversationKey(KEY.bot, KEY.channel, KEY.user).ref
