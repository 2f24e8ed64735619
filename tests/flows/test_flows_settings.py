"""bot.json's settings sections are parsed once, at load, into frozen typed values that agree with
the schema: the same keys, the same defaults."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from flows.jsonpos import load_with_positions
from flows.loader import load_bot
from flows.schemas import schema_issues
from flows.settings import FaqSettings, HoursSettings, LlmSettings, NluSettings, SchedulingSettings
from nlu.config import NluConfig
from nlu.faq import FaqIndex
from runtime.llm import LlmConfig

HELLO = Path(__file__).parents[2] / "examples" / "hello"
SCHEMA = json.loads((Path(__file__).parents[2] / "flows" / "schema" / "bot.schema.json").read_text(encoding="utf-8"))
SECTIONS = {"nlu": NluSettings, "faq": FaqSettings, "llm": LlmSettings, "scheduling": SchedulingSettings,
            "hours": HoursSettings}
# schema keys whose typed field has another name or shape
RENAMED = {("llm", "price_per_million"): ("price_in", "price_out")}

EVERY_SETTING = {
    "nlu": {"threshold": 0.4, "ambiguity_threshold": 0.05, "fallback_intent": "nao_sei", "timezone": "America/Recife",
            "cache_dir": "/tmp/papo-nlu", "dateparser_fallback": True, "rasa_url": "http://127.0.0.1:5005",
            "rasa_timeout": 0.5, "fallback_budget": 0.2},
    "faq": {"threshold": 0.6, "margin": 0.1, "fallback": False},
    "llm": {"enabled": False, "model": "gpt-4.1-mini", "deadline": 8, "retries": 2, "max_turns": 4, "max_tokens": 300,
            "monthly_budget_usd": 5, "price_per_million": {"input": 0.4, "output": 1.6}, "cache_ttl": "1h30m",
            "flows": ["hello"], "settable": ["name"], "handoff_flow": "hello", "medical_keywords": ["enxaqueca"]},
    "scheduling": {"reminder_flow": "hello"},
    "hours": {"open": {"mon": [{"from": "08:00", "to": "12:00"}, {"from": "13:00", "to": "24:00"}]},
              "queues": {"exames": {"sat": [{"from": "07:00", "to": "11:00"}]}}, "holidays": ["BR"],
              "closed_days": [{"date": "2026-12-24", "name": "Véspera de Natal"}],
              "away_text": {"en": "Closed until {{ next_opening }}."}},
}


def _bot_with(tmp_path: Path, **sections: Any) -> Path:
    root = tmp_path / "bot"
    shutil.copytree(HELLO, root)
    data = json.loads((root / "bot.json").read_text(encoding="utf-8"))
    (root / "bot.json").write_text(json.dumps(data | sections, indent=2), encoding="utf-8")
    return root


def test_a_bot_without_settings_has_the_defaults() -> None:
    bot = load_bot(HELLO)
    assert (bot.nlu, bot.faq_settings, bot.llm, bot.scheduling, bot.hours) == (
        NluSettings(), FaqSettings(), LlmSettings(), SchedulingSettings(), HoursSettings())


def test_every_setting_is_read_into_its_typed_field(tmp_path: Path) -> None:
    bot = load_bot(_bot_with(tmp_path, **EVERY_SETTING))
    assert bot.nlu == NluSettings(0.4, 0.05, "nao_sei", "America/Recife", "/tmp/papo-nlu", True,
                                  "http://127.0.0.1:5005", 0.5, 0.2)
    assert bot.faq_settings == FaqSettings(0.6, 0.1, False)
    assert bot.llm == LlmSettings(False, "gpt-4.1-mini", 8, 2, 4, 300, 5, 0.4, 1.6, timedelta(hours=1, minutes=30),
                                  ("hello",), ("name",), "hello", ("enxaqueca",))
    assert bot.scheduling == SchedulingSettings("hello")
    assert bot.hours == HoursSettings({0: ((time(8), time(12)), (time(13), time.max))},
                                      {"exames": {5: ((time(7), time(11)),)}}, ("BR",),
                                      {date(2026, 12, 24): "Véspera de Natal"},
                                      {"en": "Closed until {{ next_opening }}."})
    with pytest.raises(dataclasses.FrozenInstanceError):
        bot.llm.deadline = 1  # type: ignore[misc]


def test_the_example_of_every_setting_passes_the_schema() -> None:
    data = {"name": "hello", "default_locale": "en", "entry_flow": "hello", **EVERY_SETTING}
    _, positions = load_with_positions(json.dumps(data))
    assert schema_issues("bot", data, "bot.json", positions) == []


@pytest.mark.parametrize("section", SECTIONS)
def test_each_section_has_the_schemas_keys_and_no_other(section: str) -> None:
    keys = set(SCHEMA["properties"][section]["properties"])
    fields = {f.name for f in dataclasses.fields(SECTIONS[section])}
    for (where, key), names in RENAMED.items():
        if where == section:
            keys = keys - {key} | set(names)
    assert fields == keys
    assert set(EVERY_SETTING[section]) == set(SCHEMA["properties"][section]["properties"])


@pytest.mark.parametrize("section", SECTIONS)
def test_the_defaults_the_schema_states_are_the_typed_defaults(section: str) -> None:
    defaults = SECTIONS[section]()
    stated = 0
    for key, spec in SCHEMA["properties"][section]["properties"].items():
        found = re.search(r"\b[Dd]efault:? (\d+(?:\.\d+)?|true|false|\d+[dhms])\b", spec.get("description", ""))
        if found is None:
            continue
        stated += 1
        value = getattr(defaults, key)
        word = found.group(1)
        if isinstance(value, timedelta):
            assert SECTIONS[section].from_json({key: word}) == defaults, key
        elif isinstance(value, bool):
            assert value == (word == "true"), key
        else:
            assert value == float(word), key
    assert stated or section in ("scheduling", "hours")


def test_the_layers_below_take_their_defaults_from_the_settings() -> None:
    assert (NluConfig().threshold, NluConfig().ambiguity_threshold, NluConfig().fallback_intent) == (
        NluSettings().threshold, NluSettings().ambiguity_threshold, NluSettings().fallback_intent)
    config = LlmConfig.from_env(LlmSettings(), {"OPENAI_API_KEY": "sk-x", "PAPO_LLM_MODEL": "m-env"})
    assert (config.model, config.settings, config.off_reason) == ("m-env", LlmSettings(), None)
    assert LlmConfig.from_env(LlmSettings(model="m-bot"), {"PAPO_LLM_MODEL": "m-env"}).model == "m-bot"
    assert LlmConfig.from_env(LlmSettings(enabled=False), {"OPENAI_API_KEY": "sk-x"}).off_reason is not None


def test_the_nlu_and_faq_are_built_from_the_typed_settings(tmp_path: Path) -> None:
    bot = load_bot(_bot_with(tmp_path, **EVERY_SETTING))
    config = NluConfig.from_settings(bot.nlu, timezone=bot.timezone, bot_dir=tmp_path)
    assert (config.threshold, config.fallback_intent, config.timezone, config.cache_dir) == (
        0.4, "nao_sei", "America/Recife", Path("/tmp/papo-nlu"))
    assert config.classifier.fallback_budget == 0.2
    default = NluConfig.from_settings(NluSettings(), timezone="Europe/Lisbon", bot_dir=tmp_path)
    assert (default.timezone, default.cache_dir) == ("Europe/Lisbon", tmp_path / ".papo-cache")
    index = FaqIndex.from_settings(bot.faq, bot.faq_settings)
    assert (index.threshold, index.margin) == (0.6, 0.1)
