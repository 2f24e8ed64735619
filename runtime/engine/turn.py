"""One turn of one conversation: run nodes until the flow waits for the user or ends.

A turn is deterministic for a given clock and does no I/O of its own but through its services
(the NLU, a slot hold): it returns the new state, the replies and its effects (timers to schedule),
and the processor applies them with its commit, so a turn that is never committed leaves nothing
behind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from flows.messages import InboundEvent, Option, OutboundMessage
from flows.model import Flow, localize
from flows.nodes import Text
from flows.templating import evaluate, expression_names, render, template_names
from nlu import extract_builtin, normalise
from nlu.slots import corrected, slots
from runtime.engine.effects import TimerRequest
from runtime.engine.errors import LoopGuard
from runtime.engine.hours import OpeningHours
from runtime.engine.outcomes import Call, Done, Go, Jump, Outcome, Wait
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


REMINDER_TIMERS = frozenset({"reminder", "remind"})  # timers whose messages are reminders (a consent purpose)


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
        self._entities: list[dict[str, Any]] | None = None
        self._reask: str | None = None  # a node to ask again rather than enter (a resumed question)
        self.memo: dict[str, Any] = {}  # what node handlers work out once per turn (the FAQ's reading...)
        self.decision: dict[str, Any] | None = None  # which step of the reading order took the message
        self.explained: dict[str, Any] = {}  # what the steps read on the way (the FAQ's scores...)

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(ZoneInfo(self.bot.timezone))

    @property
    def hours(self) -> OpeningHours:
        """When staff answer (bot.json "hours")."""
        if "hours" not in self.memo:
            self.memo["hours"] = OpeningHours(self.bot.hours, self.bot.timezone)
        hours: OpeningHours = self.memo["hours"]
        return hours

    def next_opening(self, queue: str | None = None) -> str:
        """When staff are next in, as a sentence in the conversation's language ("now" when they are)."""
        opening = self.hours.next_opening(self.now, queue)
        if opening is None:
            return ""
        return self.words.when(opening.astimezone(ZoneInfo(self.bot.timezone)))

    async def understand(self) -> None:
        """Read the message through the NLU, once per turn, before any node runs."""
        if self._parsed is None and self.services.nlu is not None and self.event.text.strip():
            self._parsed = await self.services.nlu.parse(self.event.text, self.local_now)

    def understood(self) -> dict[str, Any] | None:
        """The NLU's reading of this turn's message, or None without NLU or text."""
        return self._parsed

    def entities(self) -> list[dict[str, Any]]:
        """What this turn's message says, in Rasa's entity shape: the NLU's entities (or the built-in
        extractors without an NLU) and the patient's own facts (`nlu.slots`: relation, age, person_name)."""
        if self._entities is None:
            text = self.event.text if self.event.kind not in ("timer", "system") else ""
            parsed = self.understood()
            if not text.strip():
                found: list[dict[str, Any]] = []
            elif parsed is not None:
                found = list(parsed.get("entities", []))
            else:
                found = [e.to_rasa() for e in extract_builtin(text, self.local_now)]
            self._entities = _corrected(text, found) + [s.to_rasa() for s in slots(text)] if text.strip() else found
        return self._entities

    def entities_read(self) -> list[dict[str, Any]]:
        """The entities this turn's steps read (`entities`), without working them out when none did: what
        the decision notice names."""
        return self._entities or []

    def took(self, step: str, **detail: Any) -> None:
        """Note the step of the reading order that took this turn's message (the first one noted wins);
        the turn's `decision` notice says it, for `/debug` and staff."""
        if self.decision is None:
            self.decision = {"step": step, **detail}

    def explain(self, **detail: Any) -> None:
        """Add what a step read (the FAQ's best scores, the candidates it weighed) to the decision notice."""
        self.explained.update(detail)

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

    def variables(self, names: AbstractSet[str] | None = None) -> dict[str, Any]:
        """What templates and conditions see: the conversation's variables and the built-ins, which
        no variable can hide (the lint refuses such a name; an older conversation may still hold one).
        With `names` (those a template reads), only the built-ins among them are worked out: the
        entities and the next opening cost more than most replies."""
        builtins: dict[str, Any] = {"channel": self.event.channel, "user": self.event.user,
                                    "locale": self.locale, "bot": self.bot.name, "last_input": self.event.text}
        wanted = _COSTLY if names is None else _COSTLY & names
        if wanted:
            local = self.local_now
            costly: dict[str, Callable[[], Any]] = {
                "now": lambda: local, "today": local.date, "entities": lambda: _by_name(self.entities()),
                "open_now": lambda: self.hours.is_open(self.now), "next_opening": self.next_opening}
            builtins.update({name: costly[name]() for name in wanted})
        return {**self.state.vars, **builtins}

    def text(self, text: Text) -> str:
        return self.render(localize(text, self.locale, self.bot.default_locale))

    def render(self, source: str, extra: Mapping[str, Any] | None = None) -> str:
        """A template with what templates see (`variables`) and `extra`, which wins; a text with no template
        is returned as it is, and only the built-ins the template reads are worked out."""
        if "{" not in source:
            return source
        scope = self.variables(template_names(source))
        return render(source, {**scope, **extra} if extra else scope)

    def evaluate(self, expression: str) -> Any:
        return evaluate(expression, self.variables(expression_names(expression)))

    def message(self, key: str) -> str:
        """The bot's own `messages[key]`, else papo's default in the conversation's language."""
        text = self.bot.messages.get(key)
        return self.text(text) if text else self.words.messages[key]

    def holds(self, condition: str) -> bool:
        return bool(self.evaluate(condition))

    def say(self, text: str = "", **fields: Any) -> None:
        if self.event.kind == "timer" and self.event.data.get("timer") in REMINDER_TIMERS:
            fields.setdefault("purpose", "reminders")  # the sender checks the patient still wants them
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
            found = self.triggered_flows()
            self._triggered = (found[0][0] if found else None,)
        return self._triggered[0]

    def triggered_flows(self) -> list[tuple[str, str]]:
        """Every flow this message triggers, as (flow, how): "intent", "keyword" or "button", in
        that order; `runtime.nodes.context` chooses among them (and the FAQ) by specificity."""
        found: list[tuple[str, str]] = []
        intent = self.intent()
        if intent is not None:
            found += [(flow.id, "intent") for flow in self.bot.flows.values() if intent in flow.triggers.intents]
        text = normalise(self.event.text) if self.event.text else ""
        choice = self.event.choice_id
        for flow in self.bot.flows.values():
            for keyword, pattern in _keyword_patterns(flow):
                if choice == keyword:
                    found.append((flow.id, "button"))
                    break
                if text and pattern.search(text):
                    found.append((flow.id, "keyword"))
                    break
        return found

    # -- moving around ----------------------------------------------------------------

    def start_flow(self, flow_id: str) -> str:
        flow = self.library.newest(flow_id)
        self.flow = flow
        self.state.flow, self.state.flow_version = flow.id, flow.digest
        self.state.retries = 0
        text = self.event.text.strip() if self.event.kind == "text" else ""
        # what the patient said to start it, for the flow's later questions ("meu filho precisa passar com o dr
        # bruno": the specialty, asked after the patient's name)
        self.state.private.opening = {"flow": flow.id, "text": text, "used": []} if text else None
        if self.state.private.opening is not None and (before := self.memo.get("asked_before")):
            # the question the FAQ answered just before ("quanto é a consulta com a doutora?", then "então quero
            # marcar com ela"): for the flow's later questions too, past the name it may ask first
            self.state.private.opening["before"] = before
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
                self._reask = frame.node if frame.reenter else None
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
            again, self._reask = self._reask == node_id, None
            handler = self.handlers.nodes.reask(node) if again else self.handlers.nodes.enter(node)
            node_id = await self.follow(await handler(node, self))

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
            case Done():
                return None
        raise TypeError(f"unknown outcome {outcome!r}")


_COSTLY = frozenset({"now", "today", "entities", "open_now", "next_opening"})  # built-ins worked out on demand


def _corrected(text: str, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a correction corrects to first: "tenho amil, quer dizer, agora é bradesco" is Bradesco's (an entity said
    after the last correction marker comes before those of its kind said earlier, which `entities.convenio` and
    the other readers of the first value then pass over; they stay, as words the message said)."""
    tail = corrected(text) if found else None
    cut = text.rfind(tail) if tail else -1
    if cut < 0:
        return found
    kinds = {e.get("entity") for e in found if isinstance(e.get("start"), int) and e["start"] >= cut}

    def rank(e: dict[str, Any]) -> int:  # after the cut first, then what it corrects, then the rest
        said_after = isinstance(e.get("start"), int) and e["start"] >= cut
        return 0 if said_after else 1 if e.get("entity") in kinds else 2

    return sorted(found, key=rank)


def _by_name(entities: list[dict[str, Any]]) -> dict[str, Any]:
    """The `entities` built-in: each entity's first value by its name (`entities.age`, `entities.convenio`)."""
    named: dict[str, Any] = {}
    for entity in entities:
        named.setdefault(str(entity.get("entity")), entity.get("value"))
    return named


_PATTERNS: dict[tuple[str, str], tuple[tuple[str, re.Pattern[str]], ...]] = {}


def _keyword_patterns(flow: Flow) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Keyword regexes of a flow version, compiled once (versions are immutable)."""
    key = (flow.id, flow.digest)
    if key not in _PATTERNS:
        _PATTERNS[key] = tuple((kw, re.compile(rf"(?<!\w){re.escape(normalise(kw))}(?!\w)"))
                               for kw in flow.triggers.keywords)
    return _PATTERNS[key]
