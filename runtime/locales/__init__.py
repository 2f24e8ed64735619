"""The runtime's own words, per language: what papo says when a bot does not say it itself
(default messages, the scheduling nodes' texts, weekday and month names, yes/no buttons) and the
words it reads for itself (medical and urgent questions, opt-out and privacy requests, small talk,
money and times in the language model's small talk).

One module per language holds plain data (`pt_BR`, `en`); `pack_for` chooses the pack for a
conversation's locale. A bot's own `messages` in bot.json and a node's `texts` override a pack.
To add a language, copy `en.py`, translate it, and add it to `_MODULES`; a test
(tests/runtime/test_locales.py) checks that it defines every key, with the same placeholders as the others.

This package imports nothing of papo: the engine and every layer above it may use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType, ModuleType

from runtime.locales import en, pt_BR

DEFAULT_LOCALE = "en"  # the pack for a locale papo has no words for


@dataclass(frozen=True, slots=True, eq=False)
class Pack:
    """Everything papo says or reads in one language (one instance per language: equal when identical)."""

    locale: str  # the tag of the language module: "pt-BR", "en"
    messages: Mapping[str, str]  # defaults of bot.json `messages`: session_expired, invalid, gave_up, error...
    booking: Mapping[str, str]  # the scheduling nodes' texts by key (a node's `texts` replaces them)
    weekdays: tuple[str, ...]  # Monday first, as written in a sentence
    short_weekdays: tuple[str, ...]  # in list rows
    typed_weekdays: tuple[str, ...]  # as people type them to pick a day ("segunda")
    months: tuple[str, ...]  # January first
    short_months: tuple[str, ...]
    when_pattern: str  # a day and time in a sentence; the fields of `date_fields`
    date_pattern: str  # a day alone
    row_pattern: str  # a slot as a list row (at most 24 characters)
    appointment_line: str  # one line of `my_appointments`: when, service, professional
    yes_id: str  # ids of the yes/no buttons papo sends
    no_id: str
    medical_words: frozenset[str]  # words and phrases that make a message a medical question
    medical_phrases: tuple[str, ...]
    medical_signs: tuple[tuple[frozenset[str], ...], ...]  # a word of each list close together: medical
    # what a clinic offers, named with what it is for ("vacina da gripe", "teste de gravidez"): the words after
    # one of `service_nouns` and one of `service_links` name a service, no symptom
    service_nouns: frozenset[str]
    service_links: frozenset[str]
    money_or_time: re.Pattern[str]  # what small talk from the model may not say (on normalised text)
    expected: Mapping[str, str]  # what a re-prompt says is expected, per `ask` input type
    urgent_words: frozenset[str]  # an emergency now: the emergency numbers first, wherever the conversation is
    urgent_phrases: tuple[str, ...]
    crisis_phrases: tuple[str, ...]  # thoughts of suicide or self-harm: the `crisis` message instead of `urgent`
    urgent_names: frozenset[str]  # urgent words that are also given names ("Socorro"): at a name question, both
    urgent_signs: tuple[tuple[frozenset[str], ...], ...]  # a word of the first two close together (and of a third
    # list anywhere, when there is one): urgent
    opt_out_phrases: tuple[str, ...]  # stop proactive messages (anywhere in the message)
    opt_out_words: frozenset[str]  # ... (the whole message)
    opt_out_pairs: tuple[frozenset[str], frozenset[str]]  # ... or a word of each, anywhere in the message
    opt_in_phrases: tuple[str, ...]  # start them again
    marketing_words: frozenset[str]  # an opt-out naming only these withdraws the consent to marketing alone
    only_words: frozenset[str]  # ... as does one that keeps the others with these ("só os lembretes")
    opt_out_places: frozenset[str]  # where messages go, not what: "tira da lista de promoções" is marketing
    privacy_phrases: tuple[str, ...]  # a request about the patient's personal data
    privacy_pairs: tuple[frozenset[str], frozenset[str]]  # ... or a word of each, anywhere in the message
    correction_pairs: tuple[frozenset[str], frozenset[str]]  # a request to correct them: a word of each
    notice_words: frozenset[str]  # the whole message asks for the privacy notice
    notice_phrases: tuple[str, ...]  # ... or a question about it anywhere in the message (not an erasure)
    # a question about one part of it ("retention", "recipients", "controller"): a word of each set
    notice_questions: Mapping[str, tuple[frozenset[str], ...]]
    send_verbs: frozenset[str]  # "não precisa mandar lembrete": a negated one with an opt_out_pairs noun opts out
    send_fillers: frozenset[str]  # ... with these between them ("não precisa mais me mandar")
    wanting_verbs: frozenset[str]  # "não quero promoção nenhuma": negated, with such a noun right after, too
    refusal_fillers: frozenset[str]  # ... give or take these between them ("não quero mais nenhuma mensagem")
    notice_labels: Mapping[str, str]  # the notice's headings
    small_talk: Mapping[str, re.Pattern[str]]  # kind (a `messages` key: thanks, later...) -> pattern, in order
    question_words: frozenset[str]  # words that make a message a question
    rights_question: re.Pattern[str]  # a question about a right, no request yet (read on the message as typed)
    requirement: re.Pattern[str]  # a question about what is needed ("precisa de pedido médico pra consultar?")
    deferring: re.Pattern[str]  # a message that opens by putting the decision off (read on normalised text)
    self_reference: re.Pattern[str]  # "é pra mim mesma": the one writing is the one an appointment is for
    approximate: re.Pattern[str]  # a time said roughly ("umas 16h", "mais tarde"): slots near it, none taken
    more_slots: re.Pattern[str]  # at a list of slots, asking for the ones after them (read on normalised text)
    any_slot: re.Pattern[str]  # ... or leaving the choice to the bot: the first one

    def date_fields(self, local: datetime) -> dict[str, str]:
        """The fields a date pattern may use, for a local date and time."""
        return {"weekday": self.weekdays[local.weekday()], "short_weekday": self.short_weekdays[local.weekday()],
                "day": str(local.day), "dd": f"{local:%d}", "mm": f"{local:%m}",
                "month": self.months[local.month - 1], "short_month": self.short_months[local.month - 1],
                "year": str(local.year), "time": f"{local:%H:%M}"}

    def when(self, local: datetime) -> str:
        """'terça-feira, 03/03, às 09:00', 'Tuesday, March 3, at 09:00'"""
        return self.when_pattern.format(**self.date_fields(local))

    def date(self, local: datetime) -> str:
        return self.date_pattern.format(**self.date_fields(local))

    def row(self, local: datetime) -> str:
        """'Ter 03/03 às 09:00', 'Tue Mar 3 at 09:00'"""
        return self.row_pattern.format(**self.date_fields(local))


def _pack(module: ModuleType) -> Pack:
    return Pack(
        locale=module.LOCALE, messages=MappingProxyType(module.MESSAGES), booking=MappingProxyType(module.BOOKING),
        weekdays=module.WEEKDAYS, short_weekdays=module.SHORT_WEEKDAYS, typed_weekdays=module.TYPED_WEEKDAYS,
        months=module.MONTHS, short_months=module.SHORT_MONTHS, when_pattern=module.WHEN, date_pattern=module.DATE,
        row_pattern=module.ROW, appointment_line=module.APPOINTMENT_LINE, yes_id=module.YES_ID, no_id=module.NO_ID,
        medical_words=module.MEDICAL_WORDS, medical_phrases=module.MEDICAL_PHRASES, medical_signs=module.MEDICAL_SIGNS,
        service_nouns=module.SERVICE_NOUNS, service_links=module.SERVICE_LINKS,
        money_or_time=re.compile(module.MONEY_OR_TIME), expected=MappingProxyType(module.EXPECTED),
        urgent_words=module.URGENT_WORDS, urgent_phrases=module.URGENT_PHRASES, urgent_names=module.URGENT_NAMES,
        urgent_signs=module.URGENT_SIGNS, crisis_phrases=module.CRISIS_PHRASES,
        opt_out_phrases=module.OPT_OUT_PHRASES, opt_out_words=module.OPT_OUT_WORDS, opt_out_pairs=module.OPT_OUT_PAIRS,
        opt_in_phrases=module.OPT_IN_PHRASES, marketing_words=module.MARKETING_WORDS, only_words=module.ONLY_WORDS,
        opt_out_places=module.OPT_OUT_PLACES, privacy_phrases=module.PRIVACY_PHRASES,
        privacy_pairs=module.PRIVACY_PAIRS, correction_pairs=module.CORRECTION_PAIRS, notice_words=module.NOTICE_WORDS,
        notice_phrases=module.NOTICE_PHRASES,
        notice_questions=MappingProxyType(module.NOTICE_QUESTIONS), send_verbs=module.SEND_VERBS,
        send_fillers=module.SEND_FILLERS,
        wanting_verbs=module.WANTING_VERBS, refusal_fillers=module.REFUSAL_FILLERS,
        notice_labels=MappingProxyType(module.NOTICE_LABELS),
        small_talk=MappingProxyType({kind: re.compile(p) for kind, p in module.SMALL_TALK.items()}),
        question_words=module.QUESTION_WORDS, requirement=re.compile(module.REQUIREMENT),
        rights_question=re.compile(module.RIGHTS_QUESTION),
        more_slots=re.compile(module.MORE_SLOTS),
        any_slot=re.compile(module.ANY_SLOT), deferring=re.compile(module.DEFERRING),
        self_reference=re.compile(module.SELF_REFERENCE), approximate=re.compile(module.APPROXIMATE))


_MODULES = (pt_BR, en)
PACKS: Mapping[str, Pack] = MappingProxyType({m.LOCALE: _pack(m) for m in _MODULES})
# The yes/no button ids of every pack: a button pressed before the conversation changed language still counts.
YES_NO_IDS: Mapping[str, bool] = MappingProxyType({**{p.yes_id: True for p in PACKS.values()},
                                                   **{p.no_id: False for p in PACKS.values()}})


def _fold(tag: str) -> str:
    return tag.strip().replace("_", "-").lower()


_BY_TAG = {_fold(tag): pack for tag, pack in PACKS.items()}
_BY_LANGUAGE = {_fold(tag).split("-")[0]: pack for tag, pack in reversed(list(PACKS.items()))}


@lru_cache(maxsize=64)
def pack_for(*locales: str) -> Pack:
    """The pack for the first of `locales` papo has words for, most wanted first (a conversation's
    locale, then its bot's `default_locale`). A tag matches exactly, ignoring case and `_`/`-`
    ("pt_br" is "pt-BR"), else by its language ("pt", "pt-PT" -> pt-BR; "en-US", "en-GB" -> en).
    When none matches (a bot in Spanish), the English pack: English is the language a reader of
    an unknown locale most likely shares with papo's other words (logs, errors, docs)."""
    for locale in locales:
        folded = _fold(locale)
        found = _BY_TAG.get(folded) or _BY_LANGUAGE.get(folded.split("-")[0])
        if found is not None:
            return found
    return PACKS[DEFAULT_LOCALE]


__all__ = ["DEFAULT_LOCALE", "PACKS", "YES_NO_IDS", "Pack", "pack_for"]
