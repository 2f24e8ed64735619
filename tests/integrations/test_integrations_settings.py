"""bot.json's `http` and `events` agree with their typed values, and the packages export what they say."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import runtime.events
import runtime.integrations
from flows.integrations import EVENT_TYPES, HTTP_TIMEOUT_S, EventSubscription, HttpSettings

ROOT = Path(__file__).parents[2]
BOT_SCHEMA = json.loads((ROOT / "flows" / "schema" / "bot.schema.json").read_text(encoding="utf-8"))
EVENT_SCHEMA = json.loads((ROOT / "flows" / "schema" / "events" / "event.schema.json").read_text(encoding="utf-8"))


def test_the_http_section_has_the_typed_fields_and_default() -> None:
    section = BOT_SCHEMA["properties"]["http"]["properties"]
    assert set(section) == {f.name for f in dataclasses.fields(HttpSettings)}
    assert re.search(r"default (\d+)", section["timeout"]["description"]).group(1) == f"{HTTP_TIMEOUT_S:g}"  # type: ignore[union-attr]
    assert HttpSettings.from_json({}) == HttpSettings((), HTTP_TIMEOUT_S)


def test_every_event_type_is_in_both_schemas() -> None:
    subscription = BOT_SCHEMA["properties"]["events"]["items"]["properties"]
    assert tuple(subscription["types"]["items"]["enum"]) == EVENT_TYPES
    assert tuple(EVENT_SCHEMA["properties"]["type"]["enum"]) == EVENT_TYPES
    assert set(subscription) == {f.name for f in dataclasses.fields(EventSubscription)}


def test_a_subscription_without_types_takes_all_but_the_message_events() -> None:
    sub = EventSubscription.from_json({"id": "crm", "url": "${U}", "secret": "${S}"})
    assert [t for t in EVENT_TYPES if sub.wants(t)] == list(EVENT_TYPES[:-2])


def test_public_names_are_exported_sorted_and_exist() -> None:
    for package in (runtime.events, runtime.integrations):
        assert package.__all__ == sorted(package.__all__, key=lambda n: (not n.isupper(), n))
        assert all(hasattr(package, name) for name in package.__all__)
