"""The engine's registries: what each node kind does, what each timer kind does, and who answers a
message no node waits for. They are filled from one explicit list (`runtime.nodes.handlers()`), never
by importing a module for its side effects; duplicates and unknown kinds fail loudly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flows.nodes import Node
from runtime.engine.outcomes import Outcome

# Handlers take (node, turn) or (turn, payload); the turn is a `runtime.engine.turn.Turn`.
Enter = Callable[[Any, Any], Awaitable[Outcome]]
TimerTurn = Callable[[Any, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Assisted:
    """What the idle path did: `answered` the message, then maybe `flow` to start."""

    answered: bool
    flow: str | None = None


IdleHandler = Callable[[Any], Awaitable[Assisted]]
SafetyHandler = Callable[[Any], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class NodeHandler:
    """`enter` runs when the flow reaches a node of `kind`; `resume` when the user answers it;
    `reask` says the waiting question again as it stands (after an answer given in passing)."""

    kind: str
    enter: Enter
    resume: Enter | None = None
    reask: Enter | None = None


class NodeRegistry:
    def __init__(self, handlers: Iterable[NodeHandler] = ()) -> None:
        self._handlers: dict[str, NodeHandler] = {}
        for handler in handlers:
            self.add(handler)

    def add(self, handler: NodeHandler) -> None:
        if handler.kind in self._handlers:
            raise ValueError(f"node kind {handler.kind!r} is already handled by "
                             f"{self._handlers[handler.kind].enter.__qualname__}")
        self._handlers[handler.kind] = handler

    def enter(self, node: Node) -> Enter:
        if node.kind not in self._handlers:
            raise KeyError(f"no handler for node kind {node.kind!r}; handled: {', '.join(sorted(self._handlers))}")
        return self._handlers[node.kind].enter

    def resume(self, node: Node) -> Enter | None:
        handler = self._handlers.get(node.kind)
        return handler.resume if handler is not None else None

    def reask(self, node: Node) -> Enter:
        """How to ask `node`'s question again; a kind without its own way is entered again."""
        handler = self._handlers.get(node.kind)
        return handler.reask if handler is not None and handler.reask is not None else self.enter(node)

    def kinds(self) -> set[str]:
        return set(self._handlers)


class TimerKinds:
    """Handlers per timer kind; a duplicate fails loudly, an unknown kind is noted and ignored."""

    def __init__(self, kinds: Iterable[tuple[str, TimerTurn]] = ()) -> None:
        self._kinds: dict[str, TimerTurn] = {}
        for kind, handler in kinds:
            self.add(kind, handler)

    def add(self, kind: str, handler: TimerTurn) -> None:
        if kind in self._kinds:
            raise ValueError(f"timer kind {kind!r} is already handled by {self._kinds[kind].__qualname__}")
        self._kinds[kind] = handler

    def get(self, kind: str) -> TimerTurn | None:
        return self._kinds.get(kind)

    def kinds(self) -> set[str]:
        return set(self._kinds)


async def _triggered(t: Any) -> Assisted:
    """Without papo's own reading steps: the flow the message triggers, if any."""
    flow = t.triggered_flow()
    return Assisted(flow is not None, flow)


async def _unguarded(t: Any) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class Handlers:
    """Everything a turn dispatches to; `runtime.nodes.handlers()` gives papo's own."""

    nodes: NodeRegistry = field(default_factory=NodeRegistry)
    timers: TimerKinds = field(default_factory=TimerKinds)
    idle: IdleHandler = _triggered  # a message no question waits for: which flow, or what answer
    safety: SafetyHandler = _unguarded  # medical, urgent, opt-out, privacy: read first, wherever the conversation is
