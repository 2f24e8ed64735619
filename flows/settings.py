"""The settings sections of `bot.json`, parsed once at load into frozen values.

Each class is one section (`nlu`, `faq`, `llm`, `scheduling`, `hours`) and its defaults are papo's
defaults: they are written here and nowhere else. `from_json` reads a section that has passed
the schema (`flows/schema/bot.schema.json`), so it only gives each value its Python shape
(arrays become tuples, durations `timedelta`s). The layers below build what they run with from
these: `nlu.config.NluConfig.from_settings`, `nlu.faq.FaqIndex.from_settings`,
`runtime.llm.LlmConfig.from_env`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, time, timedelta
from typing import Any, Literal

from .durations import parse_duration


@dataclass(frozen=True, slots=True)
class NluSettings:
    """bot.json "nlu": the embedded NLU, and optionally a Rasa server that reads messages first."""

    threshold: float | None = None  # below this confidence the intent is `fallback_intent`; None: tuned
    ambiguity_threshold: float | None = None  # so it is when the top two are closer than this; None: tuned
    fallback_intent: str = "nlu_fallback"
    timezone: str | None = None  # None: the bot's timezone
    cache_dir: str | None = None  # None: the NLU's own cache folder inside the bot folder
    dateparser_fallback: bool = False
    rasa_url: str | None = None
    rasa_timeout: float = 1.0  # seconds
    fallback_budget: float = 0.1  # most of the bot's held-out examples the tuned fallback may take

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NluSettings:
        return cls(**_same_names(cls, data))


@dataclass(frozen=True, slots=True)
class FaqSettings:
    """bot.json "faq": when an entry of faq.json answers a message."""

    threshold: float = 0.5  # least similarity of a confident match
    margin: float = 0.08  # least lead of the best entry over the next one
    fallback: bool = True  # answer idle messages that match no trigger from the FAQ

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FaqSettings:
        return cls(**_same_names(cls, data))


@dataclass(frozen=True, slots=True)
class LlmSettings:
    """bot.json "llm": the language-model fallback. The key, the endpoint and the default model
    come from the environment (`runtime.llm.LlmConfig`)."""

    enabled: bool = True
    model: str | None = None  # None: PAPO_LLM_MODEL, else the runtime's default model
    deadline: float = 12.0  # seconds for the whole fallback, retry included
    retries: int = 1
    max_turns: int = 6  # earlier exchanges sent as context
    max_tokens: int = 200
    monthly_budget_usd: float = 20.0
    price_in: float = 0.15  # USD per million input tokens (gpt-4o-mini)
    price_out: float = 0.60  # USD per million output tokens
    cache_ttl: timedelta = timedelta(hours=24)
    flows: tuple[str, ...] = ()  # flows the model may start; empty: every flow with triggers
    settable: tuple[str, ...] = ()  # variables the model may set
    handoff_flow: str | None = None  # the flow that offers a person; None: the fallback flow
    medical_keywords: tuple[str, ...] = ()  # added to papo's own list

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LlmSettings:
        d = cls()
        prices = data.get("price_per_million", {})
        ttl = data.get("cache_ttl")
        plain = _same_names(cls, data, skip=("price_in", "price_out", "cache_ttl"))
        return cls(**{**plain, **{name: tuple(plain[name]) for name in _LISTS if name in plain}},
                   price_in=prices.get("input", d.price_in), price_out=prices.get("output", d.price_out),
                   cache_ttl=parse_duration(ttl) if ttl is not None else d.cache_ttl)

    def cost(self, tokens_in: int, tokens_out: int) -> float:
        """USD for one call."""
        return (tokens_in * self.price_in + tokens_out * self.price_out) / 1_000_000


@dataclass(frozen=True, slots=True)
class SchedulingSettings:
    """bot.json "scheduling": appointments (the calendar itself is calendar.json)."""

    reminder_flow: str | None = None  # the flow a reminder starts, with the appointment in `appointment`

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SchedulingSettings:
        return cls(**_same_names(cls, data))


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Week = Mapping[int, tuple[tuple[time, time], ...]]  # weekday (0 = Monday) -> open spans, local wall-clock


@dataclass(frozen=True, slots=True)
class HoursSettings:
    """bot.json "hours": when staff answer handoffs. `open` None: always open."""

    open: Week | None = None
    queues: Mapping[str, Week] = field(default_factory=dict)
    holidays: tuple[str, ...] = ()  # built-in lists: "BR", "BR-optional"
    closed_days: Mapping[date, str] = field(default_factory=dict)
    away_text: Any = None  # a text (str or per locale); None: no away message

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HoursSettings:
        return cls(**_same_names(cls, data, skip=("open", "queues", "holidays", "closed_days")),
                   open=_week(data["open"]) if "open" in data else None,
                   queues={name: _week(week) for name, week in data.get("queues", {}).items()},
                   holidays=tuple(data.get("holidays", ())),
                   closed_days={date.fromisoformat(d["date"]): d.get("name", "") for d in data.get("closed_days", ())})


def _week(data: Mapping[str, Any]) -> Week:
    return {WEEKDAYS.index(day): tuple((_clock(s["from"]), _clock(s["to"])) for s in spans)
            for day, spans in data.items()}


def _clock(text: str) -> time:
    return time.max if text == "24:00" else time.fromisoformat(text)
MatchKind = Literal["literal", "regex", "validator", "category"]
Direction = Literal["patient", "staff", "bot"]
MonitorAction = Literal["mask", "hold", "alert", "handoff"]
DIRECTIONS: tuple[Direction, ...] = ("patient", "staff", "bot")
VALIDATORS = ("luhn", "cpf")  # a number that passes the check digit test: a card number, a CPF
CATEGORIES = ("card", "cpf", "phone", "email")  # papo's own finders (nlu.contacts), check digits included


@dataclass(frozen=True, slots=True)
class MonitoringRule:
    """One rule of bot.json "monitoring": what it looks for (`kind` and its `terms`), in whose messages,
    and what happens on a match."""

    id: str
    kind: MatchKind
    terms: tuple[str, ...]  # literal: the phrases; regex: one pattern; validator, category: one name
    directions: tuple[Direction, ...] = DIRECTIONS
    actions: tuple[MonitorAction, ...] = ("alert",)
    description: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MonitoringRule:
        kind: MatchKind = next(k for k in ("literal", "regex", "validator", "category") if k in data)
        raw = data[kind]
        return cls(id=data["id"], kind=kind, terms=tuple(raw) if isinstance(raw, list) else (raw,),
                   directions=tuple(data.get("direction", DIRECTIONS)), actions=tuple(data.get("actions", ("alert",))),
                   description=data.get("description", ""))


@dataclass(frozen=True, slots=True)
class MonitoringSettings:
    """bot.json "monitoring": term rules over patient, staff and bot messages (runtime.monitoring)."""

    rules: tuple[MonitoringRule, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MonitoringSettings:
        return cls(rules=tuple(MonitoringRule.from_json(r) for r in data.get("rules", ())))


_LISTS = ("flows", "settable", "medical_keywords")  # JSON arrays, kept as tuples


def _same_names(cls: type, data: Mapping[str, Any], *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The values of `data` whose keys are fields of `cls` (the schema has checked them); the other
    fields keep their defaults."""
    return {f.name: data[f.name] for f in fields(cls) if f.name in data and f.name not in skip}


@dataclass(frozen=True, slots=True)
class PrivacyNotice:
    """bot.json "privacy": the notice of LGPD art. 9, what "privacidade" answers and the export cites.
    Texts may be a string or a map of locale to string."""

    controller: Any = ""  # who decides about the data: the clinic's legal name and CNPJ
    dpo: Any = ""  # the data-protection officer's contact (art. 41)
    purposes: tuple[Any, ...] = ()
    retention: Any = ""
    recipients: tuple[Any, ...] = ()  # who else gets the data: Meta, the LLM provider...
    rights: Any = ""  # how to exercise the rights of art. 18
    monitoring: Any = ""  # that conversations are read by staff and checked for flagged terms
    human_contact: Any = ""  # how to reach a person outside the chat (when no flow hands over to staff)
    opt_out_words: tuple[str, ...] = ()  # added to the language pack's opt-out words (whole message)
    request_words: tuple[str, ...] = ()  # added to the language pack's data-request phrases

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PrivacyNotice:
        plain = _same_names(cls, data)
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in plain.items()})

    @property
    def declared(self) -> bool:
        return bool(self.controller)


# Defaults, with their reasons (README "Privacy and LGPD"): LGPD art. 6 III and 15 ask for the least
# time the purpose needs; art. 8 §2 and ANPD Res. 15/2024 ask for proof kept 5 years; Marco Civil art.
# 15 asks for access logs 6 months; Meta retries a webhook for 7 days.
RETENTION_DEFAULTS: dict[str, str] = {
    "idle_state": "90d",  # a conversation nobody touched for 90 days is forgotten
    "messages": "30d",  # message texts, LLM history, FAQ/LLM decisions
    "deliveries": "90d",  # delivery records, sent and failed maps
    "dedupe": "7d",  # webhook ids seen: Meta's retry horizon
    "appointments": "365d",  # personal fields of an appointment, counted from its slot
    "consents": "1825d",  # the consent ledger: proof of consent (art. 8 §2)
    "requests": "1825d",  # data-subject requests and erasure receipts
    "audit": "1825d",
    "incidents": "1825d",
    "access_log": "180d",
}


@dataclass(frozen=True, slots=True)
class RetentionSettings:
    """bot.json "retention": how long each class of data is kept; the sweeper enforces it."""

    periods: Mapping[str, timedelta] = field(default_factory=lambda: {
        k: parse_duration(v) for k, v in RETENTION_DEFAULTS.items()})

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RetentionSettings:
        merged = {**RETENTION_DEFAULTS, **{k: str(v) for k, v in data.items()}}
        return cls({k: parse_duration(v) for k, v in merged.items()})

    def of(self, data_class: str) -> timedelta:
        return self.periods[data_class]
