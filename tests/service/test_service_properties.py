"""Property tests (hypothesis): whatever arrives at a webhook, papo answers 200 or 400, never a
500, and its workers keep going; an item that is not text (a lone UTF-16 surrogate) costs only
itself; headers that are not UTF-8 get a 401."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import service_helpers as h
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors import BadPayload, Connector, InstagramConnector, MessengerConnector, Parsed, WhatsAppConnector

KEYS = ["object", "entry", "id", "time", "changes", "field", "value", "messaging_product", "metadata",
        "contacts", "wa_id", "profile", "messages", "statuses", "from", "timestamp", "type", "text", "body",
        "interactive", "button_reply", "list_reply", "title", "button", "payload", "image", "audio", "location",
        "reaction", "errors", "code", "status", "recipient_id", "messaging", "sender", "recipient", "message",
        "mid", "is_echo", "postback", "quick_reply", "attachments", "read", "delivery", "watermark"]
# Lone surrogates are valid JSON escapes ("\ud800") but not text: Redis cannot store them as UTF-8.
# (one at a time: "\ud800\udc00" would be a valid pair, decoded to U+10000)
SURROGATE = st.characters(categories=["Cs"])
HOSTILE = st.builds(lambda head, bad, tail: head + bad + tail, st.text(max_size=6), SURROGATE, st.text(max_size=6))
SCALARS = (st.none() | st.booleans() | st.integers(-2**63, 2**64) | st.floats(allow_nan=False) | st.text(max_size=30)
           | HOSTILE)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=5), max_leaves=30)
OBJECTS = st.sampled_from(["whatsapp_business_account", "page", "instagram"])
ENVELOPES = st.builds(lambda obj, entry: {"object": obj, "entry": entry}, OBJECTS,
                      st.lists(st.dictionaries(st.sampled_from(KEYS), JSON, max_size=6), max_size=3))
BODIES = st.one_of(JSON.map(lambda v: json.dumps(v).encode()), ENVELOPES.map(lambda v: json.dumps(v).encode()),
                   st.binary(max_size=200))


def connectors() -> list[Connector]:
    common: dict[str, Any] = {"token": "t", "app_secret": h.fakes.APP_SECRET, "verify_token": "v"}
    return [WhatsAppConnector(phone_number_id=h.fakes.PHONE_NUMBER_ID, **common),
            MessengerConnector(account_id=h.fakes.PAGE_ID, **common),
            InstagramConnector(account_id=h.fakes.IG_ID, **common)]


@settings(max_examples=300, deadline=None)
@given(body=BODIES)
def test_parsing_any_body_gives_events_or_a_bad_payload(body: bytes) -> None:
    for connector in connectors():
        try:
            assert isinstance(connector.parse(body), Parsed)
        except BadPayload:
            pass


@pytest.fixture
async def app(start: h.Start) -> h.Running:
    return await start()  # function-scoped: every hypothesis example of a test uses this one app


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES)
async def test_the_service_answers_any_signed_body_with_200_or_400(app: h.Running, body: bytes) -> None:
    answer = await app.post(body)
    assert answer.status in (200, 400), await answer.text()
    before = len(app.graph.calls)
    follow_up = h.wa_body(messages=[h.wa_message(f"wamid.after-{uuid.uuid4().hex}", "ainda aqui?")])
    assert (await app.post(follow_up)).status == 200

    async def still_answering() -> bool:  # the workers and the sender survived whatever came before
        return len(app.graph.calls) > before

    await h.wait_until(still_answering)


LETTERS = str.maketrans("0123456789", "ghijklmnop")
FIELDS = st.sampled_from(["id", "from", "timestamp", "type", "text"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=FIELDS, bad=HOSTILE, first=st.booleans())
async def test_an_item_that_is_not_text_costs_only_itself(app: h.Running, field: str, bad: str, first: bool) -> None:
    hostile = h.wa_message(f"wamid.bad-{uuid.uuid4().hex}", "ruim")
    hostile[field] = {"body": bad} if field == "text" else bad
    # letters only: a run of 13+ digits in a hex id can pass Luhn, and ingest masks card numbers
    marker = uuid.uuid4().hex.translate(LETTERS)
    valid = h.wa_message(f"wamid.ok-{marker}", f"ok {marker}")
    body = h.wa_body(messages=[hostile, valid] if first else [valid, hostile])
    answer = await app.post(body)
    assert answer.status == 200, await answer.text()
    assert (await answer.json())["skipped"] == 1

    async def valid_answered() -> bool:
        return any(text.endswith(f"ok {marker}") for text in app.texts())

    await h.wait_until(valid_answered)


HEADER_BYTES = st.binary(min_size=1, max_size=40).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")).filter(
    lambda b: b.strip() != b"")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=HEADER_BYTES, bearer=st.booleans())
async def test_any_authorization_bytes_are_refused_never_a_500(admin_app: h.Running, value: bytes,
                                                               bearer: bool) -> None:
    value = b"Bearer " + value if bearer else value
    port = admin_app.client.port
    # (429 once ten wrong credentials came from this address: the sign-in limit, docs/access.md)
    assert await h.raw_request(port, h.raw_head("GET", "/admin/timers", [(b"Authorization", value)])) in (400, 401, 429)
    rest = h.raw_head("POST", "/webhooks/rest/webhook", [(b"Authorization", value)], length=2) + b"{}"
    assert await h.raw_request(port, rest) in (400, 401)
    webhook = h.raw_head("POST", "/webhooks/whatsapp", [(b"X-Hub-Signature-256", value)], length=2) + b"{}"
    assert await h.raw_request(port, webhook) in (400, 401)


@pytest.fixture
async def admin_app(start: h.Start) -> h.Running:
    return await start(admin_token="admin-token-0123456789abcdef", channels=h.WITH_WEB_TOKEN)
