"""The flow model: a bot, its flows and one frozen dataclass per node kind.

Node kinds live in a registry (`node_kinds`): a later kind (`book`, `faq`, `llm`...) is one
dataclass with `@node_kind("...")`, its schema, and its handler in the runtime.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar, TypeVar

from .faq import Faq

Text = str | Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Edge:
    """An outgoing edge of a node: `where` is the JSON pointer below the node."""

    where: str
    target: str
    label: str


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    kind: ClassVar[str] = ""
    waits: ClassVar[bool] = False  # the node can stop a turn to wait for the user

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> Node:
        raise NotImplementedError

    def edges(self) -> list[Edge]:
        return []

    def texts(self) -> list[tuple[str, Text]]:
        """Every user-facing text with its pointer below the node."""
        return []

    def expressions(self) -> list[tuple[str, str]]:
        return []

    def writes(self) -> list[str]:
        """Variables this node sets."""
        return []

    def flow_refs(self) -> list[tuple[str, str]]:
        """Other flows this node names, with the pointer of the reference."""
        return []

    def templates(self) -> list[tuple[str, str]]:
        """Templates that are not texts for the user (no translations needed)."""
        return []

    def text_names(self) -> frozenset[str]:
        """Names this node's own texts may use besides the bot's variables."""
        return frozenset()


N = TypeVar("N", bound=type[Node])


class NodeKinds:
    """The registry of node kinds; a duplicate or unknown kind fails loudly."""

    def __init__(self) -> None:
        self._kinds: dict[str, type[Node]] = {}

    def __call__(self, kind: str) -> Callable[[N], N]:
        def add(cls: N) -> N:
            if kind in self._kinds:
                raise ValueError(f"node kind {kind!r} is already defined by {self._kinds[kind].__qualname__}")
            cls.kind = kind
            self._kinds[kind] = cls
            return cls

        return add

    def build(self, node_id: str, data: Mapping[str, Any]) -> Node:
        kind = data.get("kind", "")
        if kind not in self._kinds:
            raise KeyError(f"unknown node kind {kind!r}; known kinds: {', '.join(sorted(self._kinds))}")
        return self._kinds[kind].from_json(node_id, data)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._kinds))


node_kinds = NodeKinds()


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    title: Text
    description: Text | None = None
    synonyms: tuple[str, ...] = ()
    next: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Option:
        return cls(data["id"], data["title"], data.get("description"), tuple(data.get("synonyms", ())),
                   data.get("next"))


@dataclass(frozen=True, slots=True)
class MediaRef:
    kind: str
    url: str = ""
    id: str = ""
    caption: Text | None = None
    filename: str = ""


def _options(data: Mapping[str, Any]) -> tuple[Option, ...]:
    return tuple(Option.from_json(o) for o in data.get("options", ()))


def _option_parts(options: tuple[Option, ...]) -> tuple[list[Edge], list[tuple[str, Text]]]:
    edges = [Edge(f"/options/{i}/next", o.next, o.id) for i, o in enumerate(options) if o.next]
    texts: list[tuple[str, Text]] = [(f"/options/{i}/title", o.title) for i, o in enumerate(options)]
    texts += [(f"/options/{i}/description", o.description) for i, o in enumerate(options) if o.description]
    return edges, texts


def _next_edge(target: str | None, label: str = "next", where: str = "/next") -> list[Edge]:
    return [Edge(where, target, label)] if target else []


@dataclass(frozen=True, slots=True)
class TemplateRef:
    name: str
    language: str = ""
    params: tuple[str, ...] = ()
    buttons: tuple[str, ...] = ()


def _template(data: Mapping[str, Any] | None) -> TemplateRef | None:
    if not data:
        return None
    return TemplateRef(data["name"], data.get("language", ""), tuple(data.get("params", ())),
                       tuple(data.get("buttons", ())))


@dataclass(frozen=True, slots=True)
class Timeout:
    """One rung of an ask's timeout ladder: after `after` without an answer, say `text` and/or go to `next`."""

    after: str
    text: Text | None = None
    next: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Timeout:
        return cls(data["after"], data.get("text"), data.get("next"))


@node_kinds("send")
@dataclass(frozen=True, slots=True)
class SendNode(Node):
    text: Text | None = None
    media: MediaRef | None = None
    template: TemplateRef | None = None
    options: tuple[Option, ...] = ()
    options_style: str = "auto"
    list_button: Text | None = None
    next: str | None = None

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> SendNode:
        media = data.get("media")
        return cls(node_id, data.get("text"), MediaRef(**media) if media else None, _template(data.get("template")),
                   _options(data), data.get("options_style", "auto"), data.get("list_button"), data.get("next"))

    def templates(self) -> list[tuple[str, str]]:
        if self.template is None:
            return []
        return [(f"/template/params/{i}", p) for i, p in enumerate(self.template.params)]

    def edges(self) -> list[Edge]:
        return _next_edge(self.next) + _option_parts(self.options)[0]

    def texts(self) -> list[tuple[str, Text]]:
        out: list[tuple[str, Text]] = [("/text", self.text)] if self.text else []
        if self.media is not None and self.media.caption:
            out.append(("/media/caption", self.media.caption))
        if self.list_button:
            out.append(("/list_button", self.list_button))
        return out + _option_parts(self.options)[1]


@node_kinds("ask")
@dataclass(frozen=True, slots=True)
class AskNode(Node):
    waits: ClassVar[bool] = True
    var: str = ""
    text: Text = ""
    input: str = "text"
    options: tuple[Option, ...] = ()
    options_style: str = "auto"
    list_button: Text | None = None
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    retries: int = 2
    reprompt: Text | None = None
    on_invalid: str | None = None
    skip_if: str | None = None
    tags: tuple[str, ...] = ()
    next: str | None = None
    timeouts: tuple[Timeout, ...] = ()
    template: TemplateRef | None = None

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> AskNode:
        return cls(
            node_id, data["var"], data["text"], data["input"], _options(data),
            data.get("options_style", "auto"), data.get("list_button"), data.get("pattern"),
            data.get("min"), data.get("max"), data.get("retries", 2), data.get("reprompt"),
            data.get("on_invalid"), data.get("skip_if"), tuple(data.get("tags", ())), data.get("next"),
            tuple(Timeout.from_json(t) for t in data.get("timeouts", ())), _template(data.get("template")),
        )

    def edges(self) -> list[Edge]:
        return (_next_edge(self.next) + _option_parts(self.options)[0]
                + _next_edge(self.on_invalid, "invalid", "/on_invalid")
                + [Edge(f"/timeouts/{i}/next", t.next, f"after {t.after}") for i, t in enumerate(self.timeouts)
                   if t.next])

    def texts(self) -> list[tuple[str, Text]]:
        out: list[tuple[str, Text]] = [("/text", self.text)]
        if self.reprompt:
            out.append(("/reprompt", self.reprompt))
        if self.list_button:
            out.append(("/list_button", self.list_button))
        out += [(f"/timeouts/{i}/text", t.text) for i, t in enumerate(self.timeouts) if t.text]
        return out + _option_parts(self.options)[1]

    def templates(self) -> list[tuple[str, str]]:
        if self.template is None:
            return []
        return [(f"/template/params/{i}", p) for i, p in enumerate(self.template.params)]

    def expressions(self) -> list[tuple[str, str]]:
        return [("/skip_if", self.skip_if)] if self.skip_if else []

    def writes(self) -> list[str]:
        return [self.var]


@dataclass(frozen=True, slots=True)
class Case:
    condition: str
    next: str


@node_kinds("branch")
@dataclass(frozen=True, slots=True)
class BranchNode(Node):
    cases: tuple[Case, ...] = ()
    default: str = ""

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> BranchNode:
        return cls(node_id, tuple(Case(c["if"], c["next"]) for c in data["cases"]), data["default"])

    def edges(self) -> list[Edge]:
        out = [Edge(f"/cases/{i}/next", c.next, c.condition) for i, c in enumerate(self.cases)]
        return out + [Edge("/default", self.default, "default")]

    def expressions(self) -> list[tuple[str, str]]:
        return [(f"/cases/{i}/if", c.condition) for i, c in enumerate(self.cases)]


@node_kinds("set")
@dataclass(frozen=True, slots=True)
class SetNode(Node):
    vars: Mapping[str, Any] = field(default_factory=dict)
    next: str | None = None

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> SetNode:
        return cls(node_id, dict(data["vars"]), data.get("next"))

    def edges(self) -> list[Edge]:
        return _next_edge(self.next)

    def expressions(self) -> list[tuple[str, str]]:
        return [(f"/vars/{k}/expr", v["expr"]) for k, v in self.vars.items() if isinstance(v, dict) and "expr" in v]

    def templates(self) -> list[tuple[str, str]]:
        return [(f"/vars/{k}", v) for k, v in self.vars.items() if isinstance(v, str)]

    def writes(self) -> list[str]:
        return list(self.vars)


@node_kinds("goto")
@dataclass(frozen=True, slots=True)
class GotoNode(Node):
    node: str | None = None
    flow: str | None = None

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> GotoNode:
        return cls(node_id, data.get("node"), data.get("flow"))

    def edges(self) -> list[Edge]:
        return _next_edge(self.node, "goto", "/node")

    def flow_refs(self) -> list[tuple[str, str]]:
        return [("/flow", self.flow)] if self.flow else []


@node_kinds("call")
@dataclass(frozen=True, slots=True)
class CallNode(Node):
    flow: str = ""
    next: str | None = None

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> CallNode:
        return cls(node_id, data["flow"], data.get("next"))

    def edges(self) -> list[Edge]:
        return _next_edge(self.next, "return")

    def flow_refs(self) -> list[tuple[str, str]]:
        return [("/flow", self.flow)]


@node_kinds("handoff")
@dataclass(frozen=True, slots=True)
class HandoffNode(Node):
    waits: ClassVar[bool] = True
    text: Text | None = None
    queue: str = ""
    next: str | None = None
    resume_after: str | None = None
    resume_keywords: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> HandoffNode:
        return cls(node_id, data.get("text"), data.get("queue", ""), data.get("next"), data.get("resume_after"),
                   tuple(data.get("resume_keywords", ())))

    def edges(self) -> list[Edge]:
        return _next_edge(self.next, "resumed")

    def texts(self) -> list[tuple[str, Text]]:
        return [("/text", self.text)] if self.text else []


@node_kinds("end")
@dataclass(frozen=True, slots=True)
class EndNode(Node):
    text: Text | None = None
    outcome: str = ""

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> EndNode:
        return cls(node_id, data.get("text"), data.get("outcome", ""))

    def texts(self) -> list[tuple[str, Text]]:
        return [("/text", self.text)] if self.text else []


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
    def from_json(cls, data: Mapping[str, Any], *, digest: str, file: str = "") -> Flow:
        triggers = data.get("triggers", {})
        return cls(
            id=data["id"],
            digest=digest,
            entry=data["entry"],
            nodes={nid: node_kinds.build(nid, n) for nid, n in data["nodes"].items()},
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
    """A loaded, validated bot: settings plus the current version of each flow."""

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
    nlu: Mapping[str, Any] = field(default_factory=dict)
    channels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # ${ENV_VAR} references
    root: str = ""
    scheduling: Mapping[str, Any] = field(default_factory=dict)  # e.g. {"reminder_flow": "lembrete"}
    faq: Faq = Faq()  # faq.json; `faq_settings` and `llm` are bot.json's "faq" and "llm"
    faq_settings: Mapping[str, Any] = field(default_factory=dict)
    llm: Mapping[str, Any] = field(default_factory=dict)

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


_DURATION_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> timedelta:
    """'24h', '1h30m', '7d' -> timedelta; raises ValueError with the accepted form."""
    parts = re.findall(r"(\d+)([dhms])", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"duration {text!r} is not like 24h, 30m, 1h30m or 7d")
    return timedelta(seconds=sum(int(n) * _DURATION_UNITS[u] for n, u in parts))


from . import assist_nodes as _assist_nodes  # noqa: E402,F401  (registers the faq and llm node kinds)
from . import scheduling_nodes as _scheduling_nodes  # noqa: E402,F401  (registers book, cancel, ... node kinds)
