"""Webhook edge: signatures over raw bytes, the GET handshake, and bodies that are not payloads."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest
from connector_fakes import APP_SECRET, payload, payload_names, signed

from connectors import (
    BadPayload,
    BadSignature,
    BadSubscription,
    Connector,
    InstagramConnector,
    MessengerConnector,
    WhatsAppConnector,
)


def make(channel: str, secret: Any = APP_SECRET, verify_token: str = "vt") -> Connector:
    common: dict[str, Any] = {"token": "t", "app_secret": secret, "verify_token": verify_token}
    if channel == "whatsapp":
        return WhatsAppConnector(phone_number_id="1", **common)
    if channel == "messenger":
        return MessengerConnector(account_id="1", **common)
    return InstagramConnector(account_id="1", **common)


CHANNELS = ["whatsapp", "messenger", "instagram"]
SAMPLE = {"whatsapp": "whatsapp/text", "messenger": "messenger/text", "instagram": "instagram/text"}


@pytest.mark.parametrize("channel", CHANNELS)
def test_signature_over_the_raw_bytes_with_escaped_accents_and_emoji_is_accepted(channel: str) -> None:
    body = payload(SAMPLE[channel])
    assert b"\\u00e1" in body or b"\\u00e7" in body or b"\\ud83d" in body  # Meta's escaped form
    make(channel).verify(body, signed(body))
    make(channel).verify(
        body, {"x-hub-signature-256": signed(body)["X-Hub-Signature-256"].upper().replace("SHA256=", "sha256=")}
    )


def test_re_serialised_json_does_not_verify() -> None:
    body = payload("whatsapp/text")
    reserialised = json.dumps(json.loads(body), ensure_ascii=False).encode()
    with pytest.raises(BadSignature, match="does not match"):
        make("whatsapp").verify(reserialised, signed(body))


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "header is missing"),
        ({"X-Hub-Signature": "sha1=" + "0" * 40}, "header is missing"),
        ({"X-Hub-Signature-256": "md5=" + "0" * 64}, "64 hex digits"),
        ({"X-Hub-Signature-256": "sha256=" + "z" * 64}, "64 hex digits"),
        ({"X-Hub-Signature-256": "sha256=abc"}, "64 hex digits"),
        ({"X-Hub-Signature-256": "sha256=" + "0" * 64}, "does not match"),
    ],
)
def test_missing_or_wrong_signatures_are_refused(headers: dict[str, str], message: str) -> None:
    with pytest.raises(BadSignature, match=message):
        make("messenger").verify(payload("messenger/text"), headers)


def test_signature_from_another_secret_is_refused_and_rotation_accepts_old_and_new() -> None:
    body = payload("instagram/text")
    with pytest.raises(BadSignature):
        make("instagram").verify(body, signed(body, "other-secret"))
    rotating = make("instagram", secret=["new-secret", APP_SECRET])
    rotating.verify(body, signed(body))
    rotating.verify(body, signed(body, "new-secret"))


def test_no_secret_configured_fails_closed() -> None:
    body = payload("whatsapp/text")
    with pytest.raises(BadSignature, match="no app secret"):
        make("whatsapp", secret="").verify(body, signed(body, ""))


def test_subscription_echoes_the_challenge_verbatim() -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": "vt", "hub.challenge": "1158201444"}
    for channel in CHANNELS:
        assert make(channel).verify_subscription(query) == "1158201444"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"}, "does not match"),
        ({"hub.mode": "unsubscribe", "hub.verify_token": "vt", "hub.challenge": "1"}, "hub.mode"),
        ({"hub.verify_token": "vt", "hub.challenge": "1"}, "hub.mode"),
        ({"hub.mode": "subscribe", "hub.challenge": "1"}, "does not match"),
        ({"hub.mode": "subscribe", "hub.verify_token": "vt"}, "hub.challenge"),
        ({"hub.mode": "subscribe", "hub.verify_token": "vt", "hub.challenge": "<script>"}, "hub.challenge"),
        ({"hub.mode": "subscribe", "hub.verify_token": "vt", "hub.challenge": "9" * 300}, "hub.challenge"),
    ],
)
def test_bad_subscriptions_are_refused(query: dict[str, str], message: str) -> None:
    with pytest.raises(BadSubscription, match=message):
        make("whatsapp").verify_subscription(query)


def test_subscription_without_a_configured_token_fails_closed() -> None:
    with pytest.raises(BadSubscription, match="no verify token"):
        make("messenger", verify_token="").verify_subscription(
            {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
        )


@pytest.mark.parametrize(
    ("channel", "body", "message"),
    [
        ("whatsapp", b"", "not valid JSON"),
        ("whatsapp", b"{", "not valid JSON"),
        ("whatsapp", b"\xff\xfe\x00garbage", "not valid JSON"),
        ("whatsapp", b"[1, 2]", "JSON an array"),
        ("whatsapp", b'"entry"', "JSON a string"),
        ("whatsapp", b"null", "JSON null"),
        ("whatsapp", b'{"object": "page", "entry": []}', "expected 'whatsapp_business_account'"),
        ("whatsapp", b'{"object": "whatsapp_business_account"}', "/entry: expected an array, got null"),
        ("whatsapp", b'{"object": "whatsapp_business_account", "entry": {}}', "/entry: expected an array"),
        ("messenger", b'{"object": "instagram", "entry": []}', "expected 'page'"),
        ("messenger", b'{"object": "page", "entry": "x"}', "/entry: expected an array"),
        ("instagram", b'{"object": "page", "entry": []}', "expected 'instagram'"),
        ("instagram", b"[" * 100_000, "not valid JSON|nests too deeply"),
        ("instagram", b'{"object": "instagram", "entry": [], "n": 1' + b"0" * 5000 + b"}", "not valid JSON"),
    ],
)
def test_bodies_that_are_not_payloads_raise_bad_payload_with_a_clear_message(
    channel: str, body: bytes, message: str
) -> None:
    with pytest.raises(BadPayload, match=message):
        make(channel).parse(body)


def test_an_empty_entry_list_is_a_valid_empty_payload() -> None:
    parsed = make("whatsapp").parse(b'{"object": "whatsapp_business_account", "entry": []}')
    assert (parsed.events, parsed.statuses, parsed.skipped) == ((), (), ())


# Random damage to real payloads: whatever happens, parse returns or raises BadPayload.
_ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    1e308,
    "",
    "x",
    "9" * 30,
    [],
    {},
    [None],
    {"": None},
    "\u0000",
    "NaN",
    10**40,
    -1767261600,
    "1767261600",
    [{}],
    "\ud83d\ude00",
]


def _odd(rng: random.Random) -> Any:
    return copy.deepcopy(rng.choice(_ODD_VALUES))


def _mutate(node: Any, rng: random.Random) -> Any:
    if isinstance(node, dict) and node:
        key = rng.choice(sorted(node))
        action = rng.random()
        if action < 0.25:
            del node[key]
        elif action < 0.6:
            node[key] = _odd(rng)
        else:
            node[key] = _mutate(node[key], rng)
        return node
    if isinstance(node, list) and node:
        index = rng.randrange(len(node))
        if rng.random() < 0.3:
            node.append(json.loads(json.dumps(node[index])))
        else:
            node[index] = _mutate(node[index], rng) if rng.random() < 0.7 else _odd(rng)
        return node
    return _odd(rng)


@pytest.mark.parametrize("channel", CHANNELS)
def test_mutilated_payloads_never_raise_anything_but_bad_payload(channel: str) -> None:
    rng = random.Random(f"papo-{channel}")
    conn = make(channel)
    originals = [json.loads(payload(name)) for name in payload_names(channel)]
    outcomes = {"parsed": 0, "bad": 0}
    for _ in range(1500):
        doc = json.loads(json.dumps(rng.choice(originals)))
        for _ in range(rng.randint(1, 4)):
            doc = _mutate(doc, rng)
        try:
            conn.parse(json.dumps(doc).encode())
            outcomes["parsed"] += 1
        except BadPayload as exc:
            assert str(exc)
            outcomes["bad"] += 1
    assert outcomes["parsed"] > 100 and outcomes["bad"] > 10


@pytest.mark.parametrize("channel", CHANNELS)
def test_random_bytes_and_truncations_never_raise_anything_but_bad_payload(channel: str) -> None:
    rng = random.Random(f"bytes-{channel}")
    conn = make(channel)
    bodies = [payload(name) for name in payload_names(channel)]
    for _ in range(500):
        body = rng.choice(bodies)
        cut = rng.randrange(len(body))
        candidates = [
            body[:cut],
            bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64))),
            body[:cut] + bytes([rng.getrandbits(8)]) + body[cut + 1 :],
        ]
        for candidate in candidates:
            try:
                conn.parse(candidate)
            except BadPayload:
                pass
