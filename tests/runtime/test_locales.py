"""The language packs are complete and consistent, `pack_for` chooses sensibly, and a bot without
its own `messages` speaks papo's defaults in the conversation's language."""

from __future__ import annotations

import json
import re
import string
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from runtime.engine.clock import ManualClock
from runtime.locales import PACKS, YES_NO_IDS, Pack, pack_for

from .conftest import OpenBot

PLACEHOLDER = re.compile(r"{{\s*(\w+)\s*}}")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def fields(pattern: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(pattern) if name}


@pytest.mark.parametrize("part", ["messages", "booking"])
def test_every_pack_defines_every_key_with_a_text(part: str) -> None:
    every = set().union(*(getattr(p, part).keys() for p in PACKS.values()))
    for pack in PACKS.values():
        texts = getattr(pack, part)
        assert set(texts) == every, f"{pack.locale} misses {part} {sorted(every - set(texts))}"
        assert [k for k, v in texts.items() if not v.strip()] == [], pack.locale


@pytest.mark.parametrize("part", ["messages", "booking"])
def test_a_text_has_the_same_placeholders_in_every_pack(part: str) -> None:
    first, *others = PACKS.values()
    for key, text in getattr(first, part).items():
        for pack in others:
            assert placeholders(getattr(pack, part)[key]) == placeholders(text), f"{part}.{key} in {pack.locale}"
    assert fields(first.appointment_line) == {"when", "service", "professional"}
    assert all(fields(p.appointment_line) == fields(first.appointment_line) for p in others)


@pytest.mark.parametrize("pack", PACKS.values(), ids=list(PACKS))
def test_names_ids_and_word_lists_are_complete(pack: Pack) -> None:
    for names, count in ((pack.weekdays, 7), (pack.short_weekdays, 7), (pack.typed_weekdays, 7),
                         (pack.months, 12), (pack.short_months, 12)):
        assert len(names) == count and all(n.strip() for n in names)
    assert pack.yes_id and pack.no_id and pack.yes_id != pack.no_id
    assert YES_NO_IDS[pack.yes_id] is True and YES_NO_IDS[pack.no_id] is False
    assert pack.medical_words and pack.medical_phrases and all(w.strip() for w in pack.medical_words)
    assert pack.money_or_time.pattern and not pack.money_or_time.search("")


@pytest.mark.parametrize("pack", PACKS.values(), ids=list(PACKS))
def test_date_patterns_use_only_the_fields_papo_gives_and_rows_fit_a_list(pack: Pack) -> None:
    day = datetime(2026, 1, 1, 9, 30)
    known = set(pack.date_fields(day))
    for pattern in (pack.when_pattern, pack.date_pattern, pack.row_pattern):
        assert fields(pattern) <= known, pattern
    longest = max((pack.row(day + timedelta(days=n)) for n in range(366)), key=len)
    assert len(longest) <= 24, longest  # WhatsApp's limit for a list row's title


@pytest.mark.parametrize(("locales", "expected"), [
    (("pt-BR",), "pt-BR"), (("pt_br",), "pt-BR"), (("pt",), "pt-BR"), (("pt-PT",), "pt-BR"),
    (("en",), "en"), (("en-US",), "en"), (("EN_gb",), "en"),
    (("es", "pt-BR"), "pt-BR"),  # a conversation in a language papo lacks: the bot's default locale
    (("es",), "en"), (("",), "en"),  # nothing known: English
])
def test_pack_for_chooses_by_tag_then_language_then_english(locales: tuple[str, ...], expected: str) -> None:
    assert pack_for(*locales).locale == expected


# -- a bot without `messages` ------------------------------------------------------------------

def write_bot(root: Path, default_locale: str, conversation_locale: str | None) -> None:
    """A bot whose one question can be failed, that expires after an hour and has a runaway flow."""
    (root / "flows").mkdir(parents=True)
    locales = [conversation_locale] if conversation_locale else []
    bot = {"name": "words", "default_locale": default_locale, "locales": locales, "timezone": "UTC",
           "session_expiry": "1h", "entry_flow": "main"}
    age = {locale: "age?" for locale in [default_locale, *locales]}
    nodes = {"age": {"kind": "ask", "input": "number", "var": "age", "text": age, "retries": 1, "next": "done"},
             "done": {"kind": "end"}}
    if conversation_locale:
        nodes["speak"] = {"kind": "set", "vars": {"locale": conversation_locale}, "next": "age"}
    main = {"id": "main", "entry": "speak" if conversation_locale else "age", "nodes": nodes}
    spin = {"id": "spin", "triggers": {"keywords": ["spin"]}, "entry": "known", "nodes": {
        "known": {"kind": "set", "vars": {"x": "1"}, "next": "a"},
        "a": {"kind": "ask", "input": "text", "var": "x", "text": age, "skip_if": "x", "next": "b"},
        "b": {"kind": "goto", "node": "a"}}}
    (root / "bot.json").write_text(json.dumps(bot))
    (root / "flows" / "main.json").write_text(json.dumps(main))
    (root / "flows" / "spin.json").write_text(json.dumps(spin))


PORTUGUESE = ["Desculpe, não entendi. Responda com um número, por favor.\nage?",
              "Desculpe, não consegui entender sua resposta.",
              "Não consigo responder dúvidas de saúde por aqui; alguém da nossa equipe pode te ajudar.",
              "Nossa conversa anterior expirou, então vamos recomeçar. 🙂",
              "Desculpe, tivemos um problema do nosso lado. Por favor, tente de novo em instantes."]
ENGLISH = ["Sorry, I did not understand. Please answer with a number.\nage?",
           "Sorry, I could not understand your answer.",
           "I cannot answer health questions here; someone from our team can help you.",
           "Our previous conversation expired, so let's start again.",
           "Sorry, something went wrong on our side. Please try again in a moment."]


@pytest.mark.parametrize(("default_locale", "conversation_locale", "medical", "expected"), [
    ("pt-BR", None, "estou com febre", PORTUGUESE),
    ("en", None, "I have a fever", ENGLISH),
    ("en", "pt-BR", "estou com febre", PORTUGUESE),  # the conversation's language, not the bot's default
], ids=["pt-BR bot", "en bot", "en bot, pt-BR conversation"])
async def test_a_bot_without_messages_speaks_the_defaults_of_its_language(
        open_bot: OpenBot, clock: ManualClock, tmp_path: Path, default_locale: str,
        conversation_locale: str | None, medical: str, expected: list[str]) -> None:
    write_bot(tmp_path / "bot", default_locale, conversation_locale)
    bot = await open_bot(tmp_path / "bot")
    invalid, gave_up, medical_reply, expired, error = expected
    assert [m.text for m in await bot.say("hi")] == ["age?"]
    assert [m.text for m in await bot.say("abc")] == [invalid]
    assert [m.text for m in await bot.say("abc")] == [gave_up]
    assert [m.text for m in await bot.say(medical)] == [medical_reply, "age?"]
    clock.advance(timedelta(hours=2))
    assert [m.text for m in await bot.say("30")] == [expired, "age?"]
    assert [m.text for m in await bot.say("spin")] == [error]
    assert bot.last[-1].notices == [{"kind": "error", "error": "LoopGuard"}]
