"""One turn of one conversation: run nodes until the flow waits for the user or ends.

A turn is deterministic for a given clock and does no I/O of its own but through its services
(the NLU, a slot hold): it returns the new state, the replies and its effects (timers to schedule),
and the processor applies them with its commit, so a turn that is never committed leaves nothing
behind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from flows.messages import InboundEvent, Option, OutboundMessage
from flows.model import Flow, localize
from flows.nodes import Text
from flows.templating import render, truthy
from nlu import normalise
from runtime.engine.effects import TimerRequest
from runtime.engine.errors import LoopGuard
from runtime.engine.outcomes import Call, Go, Jump, Outcome, Wait
from runtime.engine.ports import Library, ServicesPort
from runtime.engine.registry import Handlers
from runtime.engine.state import Conversation, Frame
from runtime.keys import conversation_ref
from runtime.locales import Pack, pack_for

MAX_STEPS_PER_TURN = 200
S = TypeVar("S", bound=ServicesPort)


@dataclass
class TurnResult:
    state: Conversation
    messages: list[OutboundMessage]
    trace: list[str]  # "flow/node" for every node run, in order
    notices: list[dict[str, Any]]  # for staff and logs: handoffs, expiries, give-ups
    timers: list[TimerRequest] = field(default_factory=list)  # to schedule once the turn is committed


class Turn(Generic[S]):
    """Everything one turn sees and does; node handlers act through it."""

    def __init__(self, library: Library, state: Conversation, event: InboundEvent, now: datetime,
                 services: S, handlers: Handlers) -> None:
        self.library = library
        self.handlers = handlers
        self.bot = library.current
        self.state = state
        self.event = event
        self.now = now
        self.services = services
        self.messages: list[OutboundMessage] = []
        self.trace: list[str] = []
        self.notices: list[dict[str, Any]] = []
        self.timers: list[TimerRequest] = []
        self.flow: Flow | None = (library.flow(state.flow, state.flow_version)
                                  if state.flow and state.flow_version else None)
        self._parsed: dict[str, Any] | None = None
        self._triggered: tuple[str | None] | None = None  # triggered_flow(), worked out once per turn

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(ZoneInfo(self.bot.timezone))

    async def understand(self) -> None:
        """Read the message through the NLU, once per turn, before any node runs."""
        if self._parsed is None and self.services.nlu is not None and self.event.text.strip():
            self._parsed = await self.services.nlu.parse(self.event.text, self.local_now)

    def understood(self) -> dict[str, Any] | None:
        """The NLU's reading of this turn's message, or None without NLU or text."""
        return self._parsed

    def intent(self) -> str | None:
        parsed = self.understood()
        name = (parsed or {}).get("intent", {}).get("name")
        return None if not name or name == getattr(self.services.nlu, "fallback_intent", None) else str(name)

    @property
    def ref(self) -> str:
        """The conversation's pseudonymous name (`ConversationKey.ref`): for timer ids and logs."""
        return conversation_ref(self.bot.name, self.event.channel, self.event.user)

    @property
    def locale(self) -> str:
        return self.state.locale or self.bot.default_locale

    @property
    def words(self) -> Pack:
        """papo's own words in the conversation's language (else the bot's default locale)."""
        return pack_for(self.locale, self.bot.default_locale)

    def variables(self) -> dict[str, Any]:
        """What templates and conditions see: the conversation's variables and the built-ins, which
        no variable can hide (the lint refuses such a name; an older conversation may still hold one)."""
        local = self.local_now
        builtins = {"channel": self.event.channel, "user": self.event.user, "locale": self.locale,
                    "now": local, "today": local.date(), "bot": self.bot.name,
                    "last_input": self.event.text}
        return {**self.state.vars, **builtins}

    def text(self, text: Text) -> str:
        return render(localize(text, self.locale, self.bot.default_locale), self.variables())

    def message(self, key: str) -> str:
        """The bot's own `messages[key]`, else papo's default in the conversation's language."""
        text = self.bot.messages.get(key)
        return self.text(text) if text else self.words.messages[key]

    def holds(self, condition: str) -> bool:
        return truthy(condition, self.variables())

    def say(self, text: str = "", **fields: Any) -> None:
        self.messages.append(OutboundMessage(id=f"{self.event.id}:{len(self.messages)}", text=text, **fields))

    def schedule(self, timer: TimerRequest) -> None:
        """Ask for a timer; it is scheduled once this turn is committed (a timer with the same id moves)."""
        self.timers.append(timer)

    def options(self, node: Any) -> tuple[Option, ...]:
        return tuple(Option(o.id, self.text(o.title), self.text(o.description) if o.description else "")
                     for o in node.options)

    def triggered_flow(self) -> str | None:
        """The flow this message triggers, if any: a confident intent first (the classifier reads
        the whole message), then a keyword or a pressed button's id."""
        if self._triggered is None:
            self._triggered = (self._find_triggered_flow(),)
        return self._triggered[0]

    def _find_triggered_flow(self) -> str | None:
        intent = self.intent()
        if intent is not None:
            for flow in self.bot.flows.values():
                if intent in flow.triggers.intents:
                    return flow.id
        text = normalise(self.event.text) if self.event.text else ""
        choice = self.event.choice_id
        for flow in self.bot.flows.values():
            for keyword, pattern in _keyword_patterns(flow):
                if choice == keyword or (text and pattern.search(text)):
                    return flow.id
        return None

    # -- moving around ----------------------------------------------------------------

    def start_flow(self, flow_id: str) -> str:
        flow = self.library.newest(flow_id)
        self.flow = flow
        self.state.flow, self.state.flow_version = flow.id, flow.digest
        self.state.retries = 0
        return flow.entry

    def push(self, node: str | None, *, reenter: bool = False) -> None:
        if self.flow is not None:
            self.state.stack.append(Frame(self.flow.id, self.flow.digest, node, reenter))

    def pop(self) -> str | None:
        """End the running flow; returns the node to continue at, or None when all is done."""
        while self.state.stack:
            frame = self.state.stack.pop()
            self.flow = self.library.flow(frame.flow, frame.version)
            self.state.flow, self.state.flow_version = frame.flow, frame.version
            if frame.node is not None:
                return frame.node
        self.flow = None
        self.state.flow = self.state.flow_version = self.state.node = None
        self.state.waiting = None
        return None

    def clear(self) -> None:
        self.state.stack.clear()
        self.flow = None
        self.state.flow = self.state.flow_version = self.state.node = None
        self.state.waiting = None
        self.state.retries = 0

    async def run(self, node_id: str | None) -> None:
        """Run nodes from `node_id` until one waits or every flow has ended."""
        if node_id is not None:
            self.state.waiting = None
        steps = 0
        while node_id is not None:
            steps += 1
            assert self.flow is not None
            if steps > MAX_STEPS_PER_TURN:
                raise LoopGuard(self.flow.id, steps)
            node = self.flow.node(node_id)
            self.state.node = node_id
            self.trace.append(f"{self.flow.id}/{node_id}")
            node_id = await self.follow(await self.handlers.nodes.enter(node)(node, self))

    async def follow(self, outcome: Outcome) -> str | None:
        match outcome:
            case Go(target):
                return target if target is not None else self.pop()
            case Wait(kind):
                self.state.waiting = "handoff" if kind == "handoff" else "input"
                return None
            case Jump(flow):
                return self.start_flow(flow)
            case Call(flow, then):
                self.push(then)
                return self.start_flow(flow)
        raise TypeError(f"unknown outcome {outcome!r}")


_PATTERNS: dict[tuple[str, str], tuple[tuple[str, re.Pattern[str]], ...]] = {}


def _keyword_patterns(flow: Flow) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Keyword regexes of a flow version, compiled once (versions are immutable)."""
    key = (flow.id, flow.digest)
    if key not in _PATTERNS:
        _PATTERNS[key] = tuple((kw, re.compile(rf"(?<!\w){re.escape(normalise(kw))}(?!\w)"))
                               for kw in flow.triggers.keywords)
    return _PATTERNS[key]
