"""Every stored webhook payload parses to exactly what it should, through the public connector API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from connector_fakes import APP_SECRET, payload, payload_names, signed

from connectors import Connector, InstagramConnector, MessengerConnector, Parsed, WhatsAppConnector

U1 = "5511987654321"
PSID, IGSID = "6789012345678901", "5432109876543210"
BIZ = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjBDMDFBNkE0QTc1RTdEMjAxAA=="

Brief = tuple[list[tuple[str, str | None]], list[tuple[str, str, str, int | None]], list[str]]

# (events as (kind, choice_id or text), statuses as (status, message id, user, error code), skipped kinds)
EXPECTED: dict[str, Brief] = {
    "whatsapp/text": ([("text", "Olá! Quero marcar consulta às 14h 😀 / e-mail: ana@clinica.com.br")], [], []),
    "whatsapp/text_referral": ([("text", "Oi, vi o anúncio")], [], []),
    "whatsapp/button_reply": ([("choice", "confirmar")], [], []),
    "whatsapp/list_reply": ([("choice", "slot-2026-01-05T10:00")], [], []),
    "whatsapp/template_button": ([("choice", "REMARCAR")], [], []),
    "whatsapp/nfm_reply": ([("text", "Sent")], [], []),
    "whatsapp/image": ([("media", "Minha carteirinha do convênio")], [], []),
    "whatsapp/audio_voice": ([("media", "")], [], []),
    "whatsapp/video": ([("media", "")], [], []),
    "whatsapp/document": ([("media", "Exame")], [], []),
    "whatsapp/sticker": ([("media", "")], [], []),
    "whatsapp/location": ([("location", "Clínica Sorriso")], [], []),
    "whatsapp/location_current": ([("location", "")], [], []),
    "whatsapp/contacts": ([("contact", "")], [], []),
    "whatsapp/reaction": ([("reaction", "❤️")], [], []),
    "whatsapp/reaction_removed": ([("reaction", "")], [], []),
    "whatsapp/order": ([("unsupported", "")], [], []),
    "whatsapp/system_changed_number": ([("system", "Maria changed from 5511987654321 to 5511912345678")], [], []),
    "whatsapp/unsupported_poll": ([("unsupported", "")], [], []),
    "whatsapp/request_welcome": ([("system", "")], [], []),
    "whatsapp/revoke": ([("system", "")], [], []),
    "whatsapp/edit": ([("system", "Na verdade às 15h")], [], []),
    "whatsapp/ephemeral": ([("unsupported", "")], [], []),
    "whatsapp/brand_new_type": ([("unsupported", "")], [], []),
    "whatsapp/bsuid_only": ([("text", "Oi sem telefone")], [], []),
    "whatsapp/no_contacts": ([("text", "sem contatos")], [], []),
    "whatsapp/context_forwarded": ([("text", "Encaminhada")], [], []),
    "whatsapp/status_sent": ([], [("sent", "wamid.OUT1", U1, None)], []),
    "whatsapp/status_batch": (
        [],
        [
            ("delivered", "wamid.OUT1", U1, None),
            ("read", "wamid.OUT1", U1, None),
            ("delivered", "wamid.OUT2", U1, None),
            ("read", "wamid.OUT3", U1, None),
        ],
        [],
    ),
    "whatsapp/status_failed_window": ([], [("failed", "wamid.OUT1", U1, 131047)], []),
    "whatsapp/status_failed_contacts_only": ([], [("failed", "wamid.OUT9", "551187654321", 131026)], []),
    "whatsapp/status_played": ([], [("played", "wamid.VOICE1", U1, None)], []),
    "whatsapp/status_bsuid": ([], [("delivered", "wamid.OUT5", "BR.13491208655302741918", None)], []),
    "whatsapp/status_unknown_value": ([], [], ["unknown"]),
    "whatsapp/batch_multi_entry": (
        [("text", "primeira"), ("text", "segunda"), ("text", "outro número")],
        [("sent", "wamid.OUT7", U1, None)],
        [],
    ),
    "whatsapp/smb_echo": ([], [], ["echo"]),
    "whatsapp/template_status_update": ([], [], ["field"]),
    "whatsapp/value_errors": ([], [], ["error"]),
    "whatsapp/mixed_bad_items": ([("text", "boa")], [], ["malformed"] * 4),
    "whatsapp/interactive_errors": ([("unsupported", ""), ("unsupported", "")], [], []),
    "messenger/text": ([("text", "Olá, vocês atendem Bradesco Saúde? 🦷")], [], []),
    "messenger/quick_reply": ([("choice", "turno:manha")], [], []),
    "messenger/postback": ([("choice", "AGENDAR")], [], []),
    "messenger/postback_get_started": ([("choice", "GET_STARTED")], [], []),
    "messenger/image": ([("media", "")], [], []),
    "messenger/file": ([("media", "")], [], []),
    "messenger/sticker_both": ([("media", "")], [], []),
    "messenger/fallback_link": ([("unsupported", "https://clinica.com.br")], [], []),
    "messenger/echo_inbox": ([], [], ["echo"]),
    "messenger/echo_papo": ([], [], ["echo"]),
    "messenger/delivery": ([], [("delivered", "m_OUT1", PSID, None), ("delivered", "m_OUT2", PSID, None)], []),
    "messenger/read": ([], [("read", "", PSID, None)], []),
    "messenger/reaction": ([("reaction", "❤️")], [], []),
    "messenger/unreact": ([("reaction", "")], [], []),
    "messenger/referral": ([("system", "")], [], []),
    "messenger/standby": ([], [], ["standby"]),
    "messenger/optin": ([], [], ["unknown"]),
    "messenger/message_edit": ([("system", "Olá, vocês atendem Amil?")], [], []),
    "messenger/batch": (
        [("text", "um"), ("text", "dois"), ("text", "três")],
        [("delivered", "m_OUT5", PSID, None)],
        [],
    ),
    "messenger/chat_plugin_guest": ([("text", "Oi pelo site")], [], []),
    "instagram/text": ([("text", "Quanto custa a limpeza? 🙏")], [], []),
    "instagram/quick_reply": ([("choice", "yes")], [], []),
    "instagram/story_mention": ([("unsupported", "")], [], []),
    "instagram/story_reply": ([("text", "Que lindo resultado!")], [], []),
    "instagram/share_reel": ([("unsupported", "")], [], []),
    "instagram/echo": ([], [], ["echo"]),
    "instagram/deleted": ([("system", "")], [], []),
    "instagram/unsupported": ([("unsupported", "")], [], []),
    "instagram/seen": ([], [("read", "aWdfOUT1", IGSID, None)], []),
    "instagram/postback_icebreaker": ([("choice", "ICE_AGENDAR")], [], []),
    "instagram/reaction": ([("reaction", "❤️")], [], []),
    "instagram/audio": ([("media", "")], [], []),
    "instagram/dashboard_test_change": ([("text", "random_text")], [], []),
}


def connector_for(name: str) -> Connector:
    common: dict[str, Any] = {"token": "t", "app_secret": APP_SECRET, "verify_token": "vt"}
    if name.startswith("whatsapp/"):
        return WhatsAppConnector(phone_number_id="106540352242922", **common)
    if name.startswith("messenger/"):
        return MessengerConnector(account_id="1234567890123", **common)
    return InstagramConnector(account_id="17841400000000000", **common)


def brief(parsed: Parsed) -> Brief:
    return (
        [(e.kind, e.choice_id if e.kind == "choice" else e.text) for e in parsed.events],
        [(s.status, s.message_id, s.user, s.error_code) for s in parsed.statuses],
        [s.kind for s in parsed.skipped],
    )


def test_the_corpus_covers_every_stored_payload_and_is_large() -> None:
    stored = payload_names("whatsapp") + payload_names("messenger") + payload_names("instagram")
    assert sorted(EXPECTED) == sorted(stored)
    assert len(stored) >= 40


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_payload_parses_as_expected(name: str) -> None:
    body = payload(name)
    conn = connector_for(name)
    conn.verify(body, signed(body))
    parsed = conn.parse(body)
    assert brief(parsed) == EXPECTED[name]
    for event in parsed.events:
        assert event.channel == type(conn).channel and event.user and event.id and event.business
        assert event.at.tzinfo is not None and event.at.utcoffset() == UTC.utcoffset(None)
        assert event.at > datetime(2017, 1, 1, tzinfo=UTC)
    for skipped in parsed.skipped:
        assert skipped.reason and skipped.where.startswith("/entry/")


def test_whatsapp_text_carries_identity_business_and_time() -> None:
    (event,) = connector_for("whatsapp/").parse(payload("whatsapp/text")).events
    assert (event.user, event.id, event.business) == (U1, BIZ, "106540352242922")
    assert event.at == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    assert event.data == {"wa_id": U1, "profile_name": "Maria Conceição"}


def test_whatsapp_user_without_phone_is_keyed_by_business_scoped_id() -> None:
    (event,) = connector_for("whatsapp/").parse(payload("whatsapp/bsuid_only")).events
    assert event.user == "BR.13491208655302741918"
    assert event.data == {
        "user_id": "BR.13491208655302741918",
        "parent_user_id": "BR.ENT.1349",
        "profile_name": "Usuária",
    }


def test_whatsapp_list_reply_and_media_details() -> None:
    conn = connector_for("whatsapp/")
    (row,) = conn.parse(payload("whatsapp/list_reply")).events
    assert (row.text, row.data["description"], row.data["context"]["id"]) == (
        "Seg 05/01 10:00",
        "Dra. Ana – Ortodontia",
        "wamid.BIZ2",
    )
    (doc,) = conn.parse(payload("whatsapp/document")).events
    assert doc.media is not None
    assert (doc.media.kind, doc.media.id, doc.media.filename, doc.media.mime_type) == (
        "document",
        "445566",
        "hemograma_João.pdf",
        "application/pdf",
    )
    (voice,) = conn.parse(payload("whatsapp/audio_voice")).events
    assert voice.media is not None and voice.media.kind == "audio" and voice.data["voice"] is True


def test_whatsapp_location_contacts_reaction_system_and_unsupported_data() -> None:
    conn = connector_for("whatsapp/")
    (place,) = conn.parse(payload("whatsapp/location")).events
    assert place.data["location"]["latitude"] == pytest.approx(-23.561684)
    (card,) = conn.parse(payload("whatsapp/contacts")).events
    assert card.data["contacts"][0]["phones"][0]["wa_id"] == "5521999990000"
    (reaction,) = conn.parse(payload("whatsapp/reaction")).events
    assert reaction.data["reaction"] == {"message_id": "wamid.BIZ3", "emoji": "❤️"}
    (moved,) = conn.parse(payload("whatsapp/system_changed_number")).events
    assert moved.data["system"] == {"type": "user_changed_number", "wa_id": "5511912345678"}
    (poll,) = conn.parse(payload("whatsapp/unsupported_poll")).events
    assert poll.data["type"] == "unsupported" and poll.data["unsupported_type"] == "poll_creation"
    assert poll.data["errors"][0]["code"] == 131051
    erroneous = conn.parse(payload("whatsapp/interactive_errors")).events  # never dropped: the bot answers them
    assert [(e.data["type"], e.data["errors"][0]["code"]) for e in erroneous] == [("interactive", 131051)] * 2
    (flow,) = conn.parse(payload("whatsapp/nfm_reply")).events
    assert flow.data["flow_reply"]["response"] == {"flow_token": "t1", "convenio": "unimed"}


def test_whatsapp_status_details_and_batches_route_by_phone_number_id() -> None:
    conn = connector_for("whatsapp/")
    (sent,) = conn.parse(payload("whatsapp/status_sent")).statuses
    assert sent.data["biz_opaque_callback_data"] == "turn-42:0" and sent.business == "106540352242922"
    (failed,) = conn.parse(payload("whatsapp/status_failed_window")).statuses
    assert failed.error_title == "Re-engagement message" and "24 hours" in failed.data["errors"][0]["details"]
    parsed = conn.parse(payload("whatsapp/batch_multi_entry"))
    assert [e.business for e in parsed.events] == ["106540352242922"] * 2 + ["206540352242923"]


def test_echoes_never_become_events_and_say_who_they_concern() -> None:
    (wa_echo,) = connector_for("whatsapp/").parse(payload("whatsapp/smb_echo")).skipped
    assert (wa_echo.id, wa_echo.user, wa_echo.business) == ("wamid.ECHO1", U1, "106540352242922")
    assert "Oi Maria" not in repr(wa_echo)  # the staff's words are not copied around
    (inbox,) = connector_for("messenger/").parse(payload("messenger/echo_inbox")).skipped
    assert (inbox.user, inbox.business, inbox.data["from_page_inbox"]) == (PSID, "1234567890123", True)
    (own,) = connector_for("messenger/").parse(payload("messenger/echo_papo")).skipped
    assert own.data == {"app_id": "555", "from_page_inbox": False, "metadata": "turn-9:0"}


def test_malformed_items_are_reported_with_their_json_pointer() -> None:
    parsed = connector_for("whatsapp/").parse(payload("whatsapp/mixed_bad_items"))
    where = "/entry/0/changes/0/value/messages"
    assert [(s.where, s.reason.split(":")[0]) for s in parsed.skipped] == [
        (f"{where}/1", f"{where}/1/id"),
        (f"{where}/2", f"{where}/2/timestamp"),
        (f"{where}/3", f"{where}/3"),
        (f"{where}/4", f"{where}/4/text"),
    ]


def test_messenger_and_instagram_details() -> None:
    messenger = connector_for("messenger/")
    (sticker,) = messenger.parse(payload("messenger/sticker_both")).events
    assert sticker.media is not None and sticker.media.kind == "sticker"
    assert sticker.data["sticker_id"] == "369239263222822"
    (document,) = messenger.parse(payload("messenger/file")).events
    assert document.media is not None and document.media.kind == "document"
    (read,) = messenger.parse(payload("messenger/read")).statuses
    assert read.data["watermark"] == "2026-01-01T10:00:00.123000+00:00"
    (guest,) = messenger.parse(payload("messenger/chat_plugin_guest")).events
    assert guest.user == "guest-abc123"
    instagram = connector_for("instagram/")
    (mention,) = instagram.parse(payload("instagram/story_mention")).events
    assert mention.data["type"] == "story_mention" and mention.data["url"].startswith("https://lookaside")
    (story_reply,) = instagram.parse(payload("instagram/story_reply")).events
    assert story_reply.data["reply_to"]["story"]["id"] == "17900000000000000"
    (postback,) = instagram.parse(payload("instagram/postback_icebreaker")).events
    assert (postback.id, postback.text) == ("aWdfPB1", "Quero agendar")
