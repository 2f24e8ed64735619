"""Channel settings from the environment: all or nothing per channel, clear reasons, no secret in a repr."""

from __future__ import annotations

import pytest

from runtime.engine.errors import ConfigError
from runtime.service.settings import Settings

WHATSAPP = {"WHATSAPP_TOKEN": "tok-1", "WHATSAPP_APP_SECRET": "secret-1", "WHATSAPP_VERIFY_TOKEN": "verify-1",
            "WHATSAPP_PHONE_NUMBER_ID": "1065"}


def test_a_channel_with_all_its_variables_is_served_and_others_are_off() -> None:
    settings = Settings.from_env(WHATSAPP | {"PAPO_GRAPH_BASE_URL": "http://127.0.0.1:9/"})
    assert [c.channel for c in settings.channels] == ["whatsapp"]
    whatsapp = settings.channel("whatsapp")
    assert whatsapp is not None and whatsapp.account_id == "1065"
    assert settings.channel("messenger") is None
    assert settings.base_urls == dict.fromkeys(("whatsapp", "messenger", "instagram"), "http://127.0.0.1:9")


def test_a_channel_with_some_variables_is_off_and_says_which_are_missing() -> None:
    settings = Settings.from_env(WHATSAPP | {"MESSENGER_PAGE_TOKEN": "t", "MESSENGER_APP_SECRET": "s"})
    assert [c.channel for c in settings.channels] == ["whatsapp"]  # the others keep working
    [line] = settings.channels_off
    assert line.startswith("messenger is off: MESSENGER_VERIFY_TOKEN, MESSENGER_PAGE_ID not set")


@pytest.mark.parametrize("name,value", [("PAPO_PARTITIONS", "0"), ("PAPO_WORK_LEASE_MS", "soon"),
                                        ("PAPO_PACING_PER_USER_S", "-1"), ("GRAPH_BASE_URL", "graph.local"),
                                        ("PAPO_TIMER_LEASE_S", "0"), ("PAPO_TIMER_LEASE_S", "a minute")])
def test_a_bad_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_the_timer_lease_is_a_minute_unless_set() -> None:
    assert Settings.from_env({}).timer_lease_s == 60
    assert Settings.from_env({"PAPO_TIMER_LEASE_S": "2.5"}).timer_lease_s == 2.5


def test_secrets_never_show_in_a_repr() -> None:
    text = repr(Settings.from_env(WHATSAPP))
    assert "1065" in text
    assert not any(secret in text for secret in ("tok-1", "secret-1", "verify-1"))


def test_an_optional_channel_reads_its_variable_and_is_never_off() -> None:
    guarded = Settings.from_env({"PAPO_WEB_TOKEN": "widget-secret"})
    web = guarded.channel("web")
    assert web is not None and web.token == "widget-secret" and "widget-secret" not in repr(guarded)
    assert Settings.from_env({}).channels == () and Settings.from_env({}).channels_off == ()
