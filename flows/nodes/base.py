"""What every node kind is built from: the `Node` base, edges, options, media and template references."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

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
    # The JSON Schema of a kind that flow.schema.json does not list (a kind of your own; papo's kinds
    # are in flow.schema.json). It may use that schema's $defs: "#/$defs/common", "text", "target"...
    json_schema: ClassVar[Mapping[str, Any] | None] = None

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


class NodeKinds:
    """The node kinds of the flow language, from one explicit list; a duplicate or unknown kind fails loudly.

        kinds = node_kinds.with_kinds(ShoutNode)    # papo's kinds and one of your own
        load_bot("mybot", kinds=kinds)
    """

    def __init__(self, kinds: Iterable[type[Node]] = ()) -> None:
        self._kinds: dict[str, type[Node]] = {}
        for cls in kinds:
            self.add(cls)

    def add(self, cls: type[Node]) -> None:
        if not cls.kind:
            raise ValueError(f"{cls.__qualname__} declares no `kind`")
        if cls.kind in self._kinds:
            raise ValueError(f"node kind {cls.kind!r} is already defined by {self._kinds[cls.kind].__qualname__}")
        self._kinds[cls.kind] = cls

    def with_kinds(self, *classes: type[Node]) -> NodeKinds:
        """These kinds plus `classes`, in a new registry (this one is left as it is)."""
        return NodeKinds((*self._kinds.values(), *classes))

    def classes(self) -> tuple[type[Node], ...]:
        return tuple(self._kinds.values())

    def build(self, node_id: str, data: Mapping[str, Any]) -> Node:
        kind = data.get("kind", "")
        if kind not in self._kinds:
            raise KeyError(f"unknown node kind {kind!r}; known kinds: {', '.join(sorted(self._kinds))}")
        return self._kinds[kind].from_json(node_id, data)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._kinds))

    def __contains__(self, kind: object) -> bool:
        return kind in self._kinds


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


def options_from(data: Mapping[str, Any]) -> tuple[Option, ...]:
    return tuple(Option.from_json(o) for o in data.get("options", ()))


def option_parts(options: tuple[Option, ...]) -> tuple[list[Edge], list[tuple[str, Text]]]:
    edges = [Edge(f"/options/{i}/next", o.next, o.id) for i, o in enumerate(options) if o.next]
    texts: list[tuple[str, Text]] = [(f"/options/{i}/title", o.title) for i, o in enumerate(options)]
    texts += [(f"/options/{i}/description", o.description) for i, o in enumerate(options) if o.description]
    return edges, texts


def next_edge(target: str | None, label: str = "next", where: str = "/next") -> list[Edge]:
    return [Edge(where, target, label)] if target else []


@dataclass(frozen=True, slots=True)
class TemplateRef:
    name: str
    language: str = ""
    params: tuple[str, ...] = ()
    buttons: tuple[str, ...] = ()


def template_from(data: Mapping[str, Any] | None) -> TemplateRef | None:
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
