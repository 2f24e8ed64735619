"""Sending through a real fake Graph API on 127.0.0.1: exact JSON out, every error mapped."""

from __future__ import annotations

import socket
import time

import pytest
from connector_fakes import IG_ID, PAGE_ID, PHONE_NUMBER_ID, FakeGraph, Reply, graph_error

from connectors import (
    AccountRestricted,
    AuthError,
    InstagramConnector,
    InvalidRecipient,
    InvalidRequest,
    MarketingRefused,
    MediaError,
    MessengerConnector,
    PermissionDenied,
    Rejected,
    SendError,
    TemplateError,
    Throttled,
    Unavailable,
    WhatsAppConnector,
    WindowClosed,
)
from flows.messages import Media, Option, OutboundMessage, Receipt

Graph = tuple[FakeGraph, str]
TO = "5511987654321"
HELLO = OutboundMessage(id="turn-1:0", text="Olá, Maria! 😀")


async def test_whatsapp_text_reaches_the_graph_api_exactly(whatsapp: WhatsAppConnector, graph: Graph) -> None:
    fake, _ = graph
    receipt = await whatsapp.send(HELLO, to=TO)
    assert receipt == Receipt(channel="whatsapp", message_id="wamid.out1", user=TO)
    (call,) = fake.calls
    assert call.path == f"/v25.0/{PHONE_NUMBER_ID}/messages"
    assert call.authorization == "Bearer wa-token"
    assert call.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": TO,
        "biz_opaque_callback_data": "turn-1:0",
        "type": "text",
        "text": {"body": "Olá, Maria! 😀", "preview_url": False},
    }


async def test_whatsapp_buttons_and_list_payloads_reach_the_server(whatsapp: WhatsAppConnector, graph: Graph) -> None:
    fake, _ = graph
    await whatsapp.send(
        OutboundMessage(id="b", text="Confirma?", options=(Option("s", "Sim"), Option("n", "Não"))), to=TO
    )
    await whatsapp.send(
        OutboundMessage(id="l", text="Horário?", options=tuple(Option(f"h{i}", f"{i}h") for i in range(8, 14))), to=TO
    )
    assert [c.json["interactive"]["type"] for c in fake.calls] == ["button", "list"]
    assert fake.calls[0].json["interactive"]["action"]["buttons"][1] == {
        "type": "reply",
        "reply": {"id": "n", "title": "Não"},
    }
    assert len(fake.calls[1].json["interactive"]["action"]["sections"][0]["rows"]) == 6


async def test_media_then_list_is_two_calls_and_the_receipt_is_the_last(
    whatsapp: WhatsAppConnector, graph: Graph
) -> None:
    fake, _ = graph
    message = OutboundMessage(
        id="m",
        text="Escolha",
        options=tuple(Option(f"o{i}", f"O{i}") for i in range(5)),
        media=Media(kind="image", url="https://x.br/a.jpg"),
    )
    receipt = await whatsapp.send(message, to=TO)
    assert [c.json["type"] for c in fake.calls] == ["image", "interactive"]
    assert receipt.message_id == "wamid.out2"


async def test_the_receipt_carries_the_wa_id_whatsapp_returns(whatsapp: WhatsAppConnector, graph: Graph) -> None:
    fake, _ = graph
    fake.answer(Reply(body={"contacts": [{"input": TO, "wa_id": "551187654321"}], "messages": [{"id": "wamid.X"}]}))
    receipt = await whatsapp.send(HELLO, to=TO)
    assert (receipt.message_id, receipt.user) == ("wamid.X", "551187654321")


async def test_whatsapp_mark_read_and_typing(whatsapp: WhatsAppConnector, graph: Graph) -> None:
    fake, _ = graph
    fake.answer(Reply(body={"success": True}), Reply(body={"success": True}))
    await whatsapp.mark_read(to=TO, message_id="wamid.IN1")
    await whatsapp.typing(to=TO, message_id="wamid.IN2")
    assert [c.json for c in fake.calls] == [
        {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN1"},
        {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": "wamid.IN2",
            "typing_indicator": {"type": "text"},
        },
    ]


@pytest.mark.parametrize(
    ("status", "code", "error", "retryable"),
    [
        (400, 131047, WindowClosed, False),
        (400, 130429, Throttled, True),
        (400, 131056, Throttled, True),
        (400, 80007, Throttled, True),
        (400, 4, Throttled, True),
        (400, 131026, InvalidRecipient, False),
        (400, 132001, TemplateError, False),
        (400, 132005, TemplateError, False),
        (400, 132000, TemplateError, False),
        (401, 190, AuthError, False),
        (401, 0, AuthError, False),
        (400, 100, InvalidRequest, False),
        (400, 131008, InvalidRequest, False),
        (400, 131053, MediaError, False),
        (400, 131049, MarketingRefused, False),
        (400, 131050, MarketingRefused, False),
        (400, 131048, AccountRestricted, False),
        (400, 368, AccountRestricted, False),
        (403, 10, PermissionDenied, False),
        (403, 200, PermissionDenied, False),
        (400, 131000, Unavailable, True),
        (500, 131016, Unavailable, True),
        (400, 131057, Unavailable, True),
        (400, 999999, Rejected, False),
    ],
)
async def test_graph_errors_become_papo_errors(
    whatsapp: WhatsAppConnector, graph: Graph, status: int, code: int, error: type[SendError], retryable: bool
) -> None:
    graph[0].answer(Reply(status, graph_error(code, "Meta says no", details="more detail")))
    with pytest.raises(error) as caught:
        await whatsapp.send(HELLO, to=TO)
    exc = caught.value
    assert type(exc) is error and exc.retryable is retryable
    assert (exc.code, exc.status) == (code, status)
    text = str(exc)
    assert f"Graph error {code}" in text and "Meta says no" in text and "more detail" in text and "AbC123" in text
    assert "wa-token" not in text and TO not in text


async def test_throttling_says_its_scope(whatsapp: WhatsAppConnector, graph: Graph) -> None:
    graph[0].answer(Reply(400, graph_error(131056)), Reply(400, graph_error(130429)))
    scopes = []
    for _ in range(2):
        with pytest.raises(Throttled) as caught:
            await whatsapp.send(HELLO, to=TO)
        scopes.append(caught.value.scope)
    assert scopes == ["recipient", "number"]


async def test_http_429_without_a_graph_body_is_throttled_with_retry_after(
    whatsapp: WhatsAppConnector, graph: Graph
) -> None:
    graph[0].answer(Reply(429, raw=b"Too Many Requests", headers={"Retry-After": "7"}))
    with pytest.raises(Throttled) as caught:
        await whatsapp.send(HELLO, to=TO)
    assert caught.value.retry_after == 7.0 and caught.value.retryable


@pytest.mark.parametrize(
    "reply", [Reply(500, raw=b"<html>oops</html>"), Reply(503, {"error": {}}), Reply(502, raw=b"")]
)
async def test_server_errors_are_unavailable(whatsapp: WhatsAppConnector, graph: Graph, reply: Reply) -> None:
    graph[0].answer(reply)
    with pytest.raises(Unavailable) as caught:
        await whatsapp.send(HELLO, to=TO)
    assert caught.value.retryable and caught.value.status == reply.status


@pytest.mark.parametrize("reply", [Reply(200, raw=b"not json"), Reply(200, {"messages": []}), Reply(200, [1])])
async def test_an_accepted_call_without_a_message_id_is_unavailable(
    whatsapp: WhatsAppConnector, graph: Graph, reply: Reply
) -> None:
    graph[0].answer(reply)
    with pytest.raises(Unavailable, match="may have been sent"):
        await whatsapp.send(HELLO, to=TO)


async def test_a_slow_graph_api_times_out_as_unavailable(graph: Graph) -> None:
    fake, base_url = graph
    fake.answer(Reply(delay=5.0, body={"messages": [{"id": "late"}]}))
    conn = WhatsAppConnector(
        token="t", app_secret="s", verify_token="v", phone_number_id="1", base_url=base_url, timeout=0.1
    )
    started = time.monotonic()
    try:
        with pytest.raises(Unavailable, match="did not answer in time"):
            await conn.send(HELLO, to=TO)
    finally:
        await conn.aclose()
    assert time.monotonic() - started < 2


async def test_an_unreachable_graph_api_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    conn = WhatsAppConnector(
        token="t", app_secret="s", verify_token="v", phone_number_id="1", base_url=f"http://127.0.0.1:{port}", timeout=2
    )
    try:
        with pytest.raises(Unavailable, match="cannot reach the Graph API"):
            await conn.send(HELLO, to=TO)
    finally:
        await conn.aclose()


async def test_secrets_never_show_in_repr(whatsapp: WhatsAppConnector, messenger: MessengerConnector) -> None:
    for conn in (whatsapp, messenger):
        text = repr(conn) + repr(vars(conn)) + repr(vars(conn._graph))
        assert "s3cr3t" not in text and "wa-token" not in text and "page-token" not in text


async def test_messenger_send_and_sender_actions(messenger: MessengerConnector, graph: Graph) -> None:
    fake, _ = graph
    receipt = await messenger.send(OutboundMessage(id="t:0", text="Oi!"), to="6789")
    await messenger.typing(to="6789", message_id="")
    await messenger.mark_read(to="6789", message_id="")
    assert receipt == Receipt(channel="messenger", message_id="m_out1", user="6789")
    assert [c.path for c in fake.calls] == [f"/v25.0/{PAGE_ID}/messages"] * 3
    assert fake.calls[0].authorization == "Bearer page-token"
    assert [c.json for c in fake.calls] == [
        {"recipient": {"id": "6789"}, "messaging_type": "RESPONSE", "message": {"text": "Oi!", "metadata": "t:0"}},
        {"recipient": {"id": "6789"}, "sender_action": "typing_on"},
        {"recipient": {"id": "6789"}, "sender_action": "mark_seen"},
    ]


@pytest.mark.parametrize(
    ("code", "subcode", "error"),
    [
        (10, 2018278, WindowClosed),
        (10, 1893063, AccountRestricted),
        (10, None, PermissionDenied),
        (551, None, InvalidRecipient),
        (100, 2018001, InvalidRecipient),
        (613, None, Throttled),
        (2, None, Unavailable),
        (190, None, AuthError),
    ],
)
async def test_messenger_errors_use_subcodes(
    messenger: MessengerConnector, graph: Graph, code: int, subcode: int | None, error: type[SendError]
) -> None:
    graph[0].answer(Reply(400, graph_error(code, subcode=subcode)))
    with pytest.raises(error) as caught:
        await messenger.send(OutboundMessage(id="t", text="Oi"), to="6789")
    assert caught.value.subcode == subcode and caught.value.code == code


async def test_instagram_sends_to_its_account(instagram: InstagramConnector, graph: Graph) -> None:
    fake, _ = graph
    await instagram.send(OutboundMessage(id="i", text="Oi", options=(Option("a", "A"), Option("b", "B"))), to="5432")
    (call,) = fake.calls
    assert call.path == f"/v25.0/{IG_ID}/messages" and call.authorization == "Bearer ig-token"
    assert [r["payload"] for r in call.json["message"]["quick_replies"]] == ["a", "b"]


async def test_a_closed_connector_can_be_closed_again(whatsapp: WhatsAppConnector) -> None:
    await whatsapp.aclose()
    await whatsapp.aclose()


async def test_payload_by_payload_each_has_its_own_receipt(whatsapp: WhatsAppConnector, graph: Graph) -> None:
    fake, _ = graph
    message = OutboundMessage(
        id="m", text="Escolha", options=tuple(Option(f"o{i}", f"O{i}") for i in range(5)),
        media=Media(kind="image", url="https://x.br/a.jpg"),
    )
    image, options = whatsapp.render(message, to=TO).payloads
    first = await whatsapp.send_payload(image, to=TO)
    fake.answer(Reply(503, graph_error(131016, "Service unavailable")))
    with pytest.raises(Unavailable):
        await whatsapp.send_payload(options, to=TO)
    second = await whatsapp.send_payload(options, to=TO)  # resumed: the image is not sent again
    assert (first.message_id, second.message_id) == ("wamid.out1", "wamid.out3")
    assert [c.json["type"] for c in fake.calls] == ["image", "interactive", "interactive"]


async def test_messenger_sends_payload_by_payload(messenger: MessengerConnector, graph: Graph) -> None:
    fake, _ = graph
    message = OutboundMessage(id="m", text="Veja", media=Media(kind="image", url="https://x.br/a.jpg"))
    payloads = messenger.render(message, to="6789").payloads
    receipts = [await messenger.send_payload(p, to="6789") for p in payloads]
    assert [r.message_id for r in receipts] == [f"m_out{n}" for n in range(1, len(payloads) + 1)]
    assert [c.json for c in fake.calls] == list(payloads)
