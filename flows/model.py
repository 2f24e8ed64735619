"""The flow model: a bot and its flows. Node kinds are in `flows.nodes`, one explicit list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .durations import parse_duration as parse_duration  # where callers have always found it
from .faq import Faq
from .integrations import EventSubscription, HttpSettings
from .nodes import Node, NodeKinds, Text, node_kinds
from .settings import (
    FaqSettings,
    HoursSettings,
    LlmSettings,
    MonitoringSettings,
    NluSettings,
    PrivacyNotice,
    RetentionSettings,
    SchedulingSettings,
)


@dataclass(frozen=True, slots=True)
class Triggers:
    keywords: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()
    first_message: bool = False


@dataclass(frozen=True, slots=True)
class Variable:
    type: str = "string"
    tags: tuple[str, ...] = ()
    scope: str = "conversation"
    from_entity: str | None = None


def variables_from_json(data: Mapping[str, Any]) -> dict[str, Variable]:
    return {
        name: Variable(v.get("type", "string"), tuple(v.get("tags", ())), v.get("scope", "conversation"),
                       v.get("from_entity"))
        for name, v in data.items()
    }


@dataclass(frozen=True, slots=True)
class Flow:
    """One immutable version of a flow; `digest` identifies the version."""

    id: str
    digest: str
    entry: str
    nodes: Mapping[str, Node]
    triggers: Triggers = Triggers()
    variables: Mapping[str, Variable] = field(default_factory=dict)
    version: int | None = None
    description: str = ""
    file: str = ""
    source: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, digest: str, file: str = "", kinds: NodeKinds = node_kinds) -> Flow:
        triggers = data.get("triggers", {})
        return cls(
            id=data["id"],
            digest=digest,
            entry=data["entry"],
            nodes={nid: kinds.build(nid, n) for nid, n in data["nodes"].items()},
            triggers=Triggers(tuple(triggers.get("keywords", ())), tuple(triggers.get("intents", ())),
                              bool(triggers.get("first_message", False))),
            variables=variables_from_json(data.get("variables", {})),
            version=data.get("version"),
            description=data.get("description", ""),
            file=file,
            source=data,
        )

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]


@dataclass(frozen=True, slots=True)
class Interrupt:
    keywords: tuple[str, ...]
    flow: str | None = None
    resume: bool = False
    text: Text | None = None


@dataclass(frozen=True, slots=True)
class Bot:
    """A loaded, validated bot: settings plus the current version of each flow. The settings
    sections of bot.json are typed (`flows.settings`); `settings` is its free-form section, which
    papo itself never reads, and `channels` maps each channel to its `${ENV_VAR}` references."""

    name: str
    default_locale: str
    entry_flow: str
    flows: Mapping[str, Flow]
    locales: tuple[str, ...] = ()
    timezone: str = "UTC"
    session_expiry: timedelta = timedelta(hours=24)
    fallback_flow: str | None = None
    interrupts: tuple[Interrupt, ...] = ()
    variables: Mapping[str, Variable] = field(default_factory=dict)
    messages: Mapping[str, Text] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    nlu: NluSettings = NluSettings()
    channels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # ${ENV_VAR} references
    root: str = ""
    scheduling: SchedulingSettings = SchedulingSettings()
    faq: Faq = Faq()  # faq.json; `faq_settings` is bot.json's "faq"
    faq_settings: FaqSettings = FaqSettings()
    llm: LlmSettings = LlmSettings()
    hours: HoursSettings = HoursSettings()
    privacy: PrivacyNotice = PrivacyNotice()
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    monitoring: MonitoringSettings = MonitoringSettings()
    http: HttpSettings = HttpSettings()  # the hosts `http` nodes may call
    events: tuple[EventSubscription, ...] = ()  # where papo tells other systems what happened

    @property
    def all_locales(self) -> tuple[str, ...]:
        return (self.default_locale, *(loc for loc in self.locales if loc != self.default_locale))

    def from_entities(self) -> dict[str, str]:
        """Variables filled from NLU entities: variable name -> entity name."""
        found = {name: v.from_entity for name, v in self.variables.items() if v.from_entity}
        for flow in self.flows.values():
            found.update({name: v.from_entity for name, v in flow.variables.items() if v.from_entity})
        return found

    def variable(self, name: str) -> Variable | None:
        if name in self.variables:
            return self.variables[name]
        for flow in self.flows.values():
            if name in flow.variables:
                return flow.variables[name]
        return None


def localize(text: Text, locale: str, default_locale: str) -> str:
    if isinstance(text, str):
        return text
    return text.get(locale) or text.get(default_locale) or next(iter(text.values()))

