"""Property tests (hypothesis): whatever arrives at a webhook, papo answers 200 or 400, never a
500, and its workers keep going."""

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
SCALARS = st.none() | st.booleans() | st.integers(-2**63, 2**64) | st.floats(allow_nan=False) | st.text(max_size=30)
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
