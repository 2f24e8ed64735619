"""A webhook travels the whole path: ingest -> work signal -> worker turn -> sender -> Graph API."""

from __future__ import annotations

import asyncio

import service_helpers as h


async def test_a_text_gets_exactly_one_reply_with_the_right_payload(start: h.Start) -> None:
    app = await start()
    assert (await app.post(h.wa_body(messages=[h.wa_message("wamid.A1", "oi")]))).status == 200
    await h.wait_until(lambda: has_calls(app, 1))
    call = app.graph.calls[0]
    assert call.path == f"/v25.0/{h.fakes.PHONE_NUMBER_ID}/messages"
    assert call.authorization == "Bearer wa-token"
    assert call.json == {"messaging_product": "whatsapp", "recipient_type": "individual", "to": h.USER,
                         "biz_opaque_callback_data": "wamid.A1:0", "type": "text",
                         "text": {"body": "1:oi", "preview_url": False}}
    await h.wait_until(lambda: outbox_empty(app))
    assert await app.service.deliveries.papo_id(app.key, "wamid.out1") == "wamid.A1:0"
    assert (await app.service.deliveries.record(app.key, "wamid.out1"))["status"] == "accepted"


async def test_the_same_webhook_five_times_gives_one_reply(start: h.Start) -> None:
    app = await start()
    body = h.wa_body(messages=[h.wa_message("wamid.D1", "oi")])
    answers = [await (await app.post(body)).json() for _ in range(5)]
    assert [a["duplicates"] for a in answers] == [0, 1, 1, 1, 1]
    await h.wait_until(lambda: has_calls(app, 1))
    await settle(app)
    assert app.texts() == ["1:oi"]


async def test_a_batch_is_processed_in_timestamp_order(start: h.Start) -> None:
    app = await start()
    later = h.wa_message("wamid.B2", "second", ts=1767261605)
    earlier = h.wa_message("wamid.B1", "first", ts=1767261600)
    assert (await app.post(h.wa_body(messages=[later, earlier]))).status == 200
    await h.wait_until(lambda: has_calls(app, 2))
    assert app.texts() == ["1:first", "2:second"]


async def test_statuses_move_the_record_forward_only_and_start_no_turn(start: h.Start) -> None:
    app = await start()
    await app.post(h.wa_body(messages=[h.wa_message("wamid.S1", "oi")]))
    await h.wait_until(lambda: has_calls(app, 1))
    await h.wait_until(lambda: outbox_empty(app))
    state_before, _ = await app.service.processor.store.load(app.key)
    for status in ("read", "delivered", "sent", "read"):  # out of order, and once again
        resp = await app.post(h.wa_body(statuses=[h.wa_status("wamid.out1", status)]))
        assert await resp.json() == {"events": 0, "duplicates": 0, "statuses": 1, "skipped": 0}
    record = await app.service.deliveries.record(app.key, "wamid.out1")
    assert (record["status"], record["papo_id"]) == ("read", "wamid.S1:0")
    await app.post(h.wa_body(statuses=[h.wa_status("wamid.out9", "failed"), h.wa_status("wamid.out9", "read")]))
    assert (await app.service.deliveries.record(app.key, "wamid.out9"))["status"] == "failed"
    await settle(app)
    state_after, _ = await app.service.processor.store.load(app.key)
    assert state_before is not None and state_after is not None
    assert state_after.version == state_before.version and state_after.turns == 1
    assert len(app.graph.calls) == 1


async def test_echoes_start_no_turn(start: h.Start) -> None:
    app = await start()
    resp = await app.post(h.fakes.payload("whatsapp/smb_echo"))
    assert await resp.json() == {"events": 0, "duplicates": 0, "statuses": 0, "skipped": 1}
    await settle(app)
    state, _ = await app.service.processor.store.load(app.key)
    assert state is None and app.graph.calls == []


async def has_calls(app: h.Running, n: int) -> bool:
    return len(app.graph.calls) >= n


async def outbox_empty(app: h.Running) -> bool:
    return int(await app.redis.xlen(app.service.processor.store.keys.outbox(app.key))) == 0


async def settle(app: h.Running) -> None:
    """Give the loops a chance to do anything they (wrongly) would: every signal acknowledged."""
    async def idle() -> bool:
        streams = app.service.work.streams + app.service.sends.streams
        return all([int(await app.redis.xlen(s)) == 0 for s in streams])
    await h.wait_until(idle)
    await asyncio.sleep(0.05)


async def test_a_messenger_text_is_answered_through_the_send_api(start: h.Start) -> None:
    whatsapp = h.service_settings(None, "", "").channels[0]
    messenger = h.ChannelSettings("messenger", h.fakes.PAGE_ID, "page-token", h.fakes.APP_SECRET, h.VERIFY_TOKEN)
    app = await start(channels=(whatsapp, messenger))
    resp = await app.post(h.fakes.payload("messenger/text"), channel="messenger")
    assert (await resp.json())["events"] == 1
    await h.wait_until(lambda: has_calls(app, 1))
    [call] = app.graph.calls
    assert call.path == f"/v25.0/{h.fakes.PAGE_ID}/messages"
    assert call.authorization == "Bearer page-token"
    assert call.json["recipient"] == {"id": "6789012345678901"}
    assert call.json["messaging_type"] == "RESPONSE"
    assert call.json["message"]["text"].startswith("1:Olá, vocês atendem Bradesco Saúde?")


async def test_one_turn_signals_the_sender_once(start: h.Start) -> None:
    app = await start("ingest")
    await start("worker")  # no sender consumes the send streams: every signal stays there to be counted
    await app.post(h.wa_body(messages=[h.wa_message("wamid.O1", "oi")]))

    async def turn_done() -> bool:  # the work signal is acknowledged only after the worker handled it
        work = [int(await app.redis.xlen(s)) for s in app.service.work.streams]
        return sum(work) == 0 and not await outbox_empty(app)

    await h.wait_until(turn_done)
    signals = [int(await app.redis.xlen(s)) for s in app.service.sends.streams]
    assert sum(signals) == 1
