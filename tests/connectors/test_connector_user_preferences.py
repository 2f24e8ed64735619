"""WhatsApp's `user_preferences` webhook: a marketing stop or resume becomes a `system` consent event of
the user's conversation (keyed by the canonical number); other preferences are skipped as fields."""

from __future__ import annotations

import json

from connectors.whatsapp.inbound import parse_whatsapp


def _body(*prefs: dict[str, object]) -> bytes:
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "106540352242922"},
             "contacts": [{"wa_id": "551187654321", "profile": {"name": "Maria"}}], "user_preferences": list(prefs)}
    return json.dumps({"object": "whatsapp_business_account",
                       "entry": [{"id": "1", "changes": [{"field": "user_preferences", "value": value}]}]}).encode()


def test_a_marketing_stop_and_resume_are_consent_events() -> None:
    parsed = parse_whatsapp(_body(
        {"wa_id": "551187654321", "category": "marketing_messages", "value": "stop", "timestamp": 1772452800},
        {"wa_id": "551187654321", "category": "marketing_messages", "value": "resume", "timestamp": 1772452900}))
    stop, resume = parsed.events
    assert (stop.kind, stop.user, stop.business) == ("system", "5511987654321", "106540352242922")
    assert stop.data == {"action": "consent", "purpose": "marketing", "granted": False, "source": "user_preferences",
                         "wa_id": "551187654321"}
    assert resume.data["granted"] is True and stop.id != resume.id


def test_other_preferences_are_skipped() -> None:
    parsed = parse_whatsapp(_body({"wa_id": "551187654321", "category": "other", "value": "stop",
                                   "timestamp": 1772452800}))
    assert not parsed.events and [s.kind for s in parsed.skipped] == ["field"]
