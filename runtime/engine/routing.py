"""Where an event goes: session expiry, handoff, then the reading order every message follows,
wherever the conversation is:

1. global interrupts (`bot.json` "interrupts": the whole message is a keyword);
2. safety (`Handlers.safety`): medical and urgent messages, opt-out and privacy requests;
3. the waiting question's parser (the node's `resume` handler), which, when the answer does not fit,
   goes on in `runtime.nodes.context`: a more specific FAQ entry or another flow's trigger, small
   talk, the language model with the question as context, and last a re-prompt saying what is expected;
4. with nothing waiting, the same steps without a question (`Handlers.idle`), then the fallback flow.

Each user turn ends with a `decision` notice: the step that took the message, the intents and
entities read, and what the steps noted (FAQ scores...). `turn` is the engine's entry point."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flows.messages import InboundEvent
from flows.model import Bot, Interrupt
from nlu import normalise
from runtime.engine.clock import Clock
from runtime.engine.outcomes import Go
from runtime.engine.ports import Library
from runtime.engine.registry import Handlers
from runtime.engine.state import Conversation, Private
from runtime.engine.turn import S, Turn, TurnResult


async def turn(library: Library, state: Conversation | None, event: InboundEvent, clock: Clock,
               services: S, handlers: Handlers) -> TurnResult:
    """Apply one event to a conversation; the input state is never modified."""
    now = clock.now()
    working = state.clone() if state is not None else Conversation(started_at=now.isoformat())
    t = Turn(library, working, event, now, services, handlers)
    user_event = event.kind not in ("timer", "system")
    if user_event:
        await t.understand()
        asked_before, working.private.asked = working.private.asked, None  # the FAQ's question, one turn on
        if asked_before and asked_before.get("turn") == working.turns - 1:
            t.memo["asked_before"] = str(asked_before.get("text", ""))
    if user_event and expired(working, now, library.current):
        _expire(t)
    waiting = f"{working.flow}/{working.node}" if working.waiting == "input" else working.waiting
    asked = datetime.fromisoformat(working.asked_at) if working.asked_at and waiting else None
    await route(t)
    if user_event:
        working.last_inbound_at = now.isoformat()
        working.turns += not unreadable(event)  # a first sticker leaves the greeting for the first words
        t.notices.append(decision_notice(t, waiting))
        if asked is not None:  # how long the question waited for this message (the analytics' time to answer)
            t.notices[-1]["waited_s"] = round((now - asked).total_seconds(), 1)
    return TurnResult(working, t.messages, t.trace, t.notices, t.timers)


# Entities whose values are personal data: the decision notice names them without their value.
_PRIVATE_ENTITIES = frozenset({"cpf", "phone", "email", "person_name", "relative_name"})


def decision_notice(t: Turn[Any], waiting: str | None) -> dict[str, Any]:
    """Why the message went where it went: the step, what was waiting, the intents and the entities the
    steps read (a turn that needed none does not work them out for the notice), and what the steps noted.
    No message text; personal values are left out."""
    decision = dict(t.decision or {"step": "none"})
    parsed = t.understood() or {}
    intent = parsed.get("intent") or {}
    ranking = [{"name": i.get("name"), "confidence": round(float(i.get("confidence", 0.0)), 3)}
               for i in parsed.get("intent_ranking", [])[:3]]
    entities = [{"entity": e.get("entity"), "extractor": e.get("extractor"),
                 "value": "…" if e.get("entity") in _PRIVATE_ENTITIES else _plain(e.get("value"))}
                for e in t.entities_read()]
    step = decision.pop("step")
    return {**t.explained, **decision, "kind": "decision", "step": step, "waiting": waiting,
            "intent": {"name": intent.get("name"), "confidence": round(float(intent.get("confidence", 0.0)), 3)}
            if intent else None, "intents": ranking, "entities": entities}


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def expired(state: Conversation, now: datetime, bot: Bot) -> bool:
    last = state.last_inbound()
    if last is not None and state.asked_at:  # a question the bot asked since (a reminder) is still fresh
        last = max(last, datetime.fromisoformat(state.asked_at))
    return (state.active or state.waiting is not None) and last is not None and now - last > bot.session_expiry


def _expire(t: Turn[Any]) -> None:
    """Restart politely as a new session; variables declared with scope "contact" survive."""
    t.notices.append({"kind": "expired", "flow": t.state.flow, "node": t.state.node})
    t.say(t.message("session_expired"))
    t.clear()
    t.state.handoff_queue = None
    t.state.turns = 0
    t.state.started_at = t.now.isoformat()
    t.state.vars = {k: v for k, v in t.state.vars.items()
                    if (var := t.bot.variable(k)) is not None and var.scope == "contact"}
    t.state.private = Private()


async def route(t: Turn[Any]) -> None:
    state, event = t.state, t.event
    if event.kind == "timer":
        if state.blocked_at is not None:
            t.notices.append({"kind": "timer_ignored", "timer": event.data.get("timer"), "why": "blocked"})
            return
        await _timer(t)
        return
    if event.kind == "system":
        action = event.data.get("action")
        if action in _STAFF_ACTIONS:
            _STAFF_ACTIONS[action](t)
        else:
            await _staff_action(t)
        return
    if state.blocked_at is not None:  # kept, not processed (LGPD art. 18 IV): the text goes nowhere
        t.took("blocked")
        t.notices.append({"kind": "blocked"})
        return
    _away(t)
    if state.waiting == "handoff":
        if _asks_for_the_bot(t):
            t.took("handoff_resumed")
            await _resume_handoff(t)
            return
        if not await t.handlers.safety(t):  # staff answer; only an emergency is answered by the bot too
            t.took("handoff", queue=state.handoff_queue)
        t.notices.append({"kind": "message_during_handoff", "queue": state.handoff_queue})
        return
    if unreadable(event):
        _cannot_read(t)
        return
    _fill_from_entities(t)
    interrupt = _interrupt_for(t)
    if interrupt is not None:
        t.took("interrupt", flow=interrupt.flow)
        await _interrupt(t, interrupt)
        return
    if await t.handlers.safety(t):
        return
    if state.waiting == "input" and t.flow is not None and state.node is not None:
        node = t.flow.node(state.node)
        resume = t.handlers.nodes.resume(node)
        if resume is not None:
            t.trace.append(f"{t.flow.id}/{node.id}")
            await t.run(await t.follow(await resume(node, t)))
            t.took("answer")
            return
    assisted = await t.handlers.idle(t)  # a trigger or the FAQ, small talk, the language model, the fallback
    if assisted.flow is not None:
        await t.run(t.start_flow(assisted.flow))
    elif not assisted.answered or t.state.turns == 0:  # the idle handler chose no flow: the first or fallback one
        await t.run(t.start_flow(_idle_flow(t)))
    t.took("start", flow=t.state.flow)


def _away(t: Turn[Any]) -> None:
    """bot.json "hours" `away_text`: said once per closed period to whoever writes while staff are out."""
    text = t.bot.hours.away_text
    if text is None:
        return
    since = t.hours.closed_since(t.now)
    if since is None or t.state.away_sent_at == since.isoformat():
        return
    t.state.away_sent_at = since.isoformat()
    t.notices.append({"kind": "away"})
    t.say(t.text(text))


def _block(t: Turn[Any]) -> None:
    t.state.blocked_at = t.state.blocked_at or t.now.isoformat()
    t.notices.append({"kind": "blocked", "by": "staff"})


def _unblock(t: Turn[Any]) -> None:
    t.state.blocked_at = None
    t.notices.append({"kind": "unblocked", "by": "staff"})


def _correct(t: Turn[Any]) -> None:
    """Staff correct variables (LGPD art. 18 III); the notice names them, never their values."""
    values = t.event.data.get("vars")
    if isinstance(values, dict):
        t.state.vars.update(values)
        t.notices.append({"kind": "corrected", "vars": sorted(values)})


def _consent(t: Turn[Any]) -> None:
    """A consent change that came from outside the chat: WhatsApp's user_preferences webhook, a
    131050 refusal, staff recording a consent given on paper."""
    data = t.event.data
    purpose, granted = str(data.get("purpose", "")), bool(data.get("granted"))
    if not purpose:
        return
    record_consent(t, purpose, granted, source=str(data.get("source", "system")),
                   text_id=str(data.get("text_id", "")), text_hash=str(data.get("text_hash", "")))


def record_consent(t: Turn[Any], purpose: str, granted: bool, *, source: str, text_id: str = "",
                   text_hash: str = "") -> None:
    """Change the conversation's consent for `purpose` now; the `consent` notice becomes a ledger entry
    when the turn commits (with the event's id as evidence)."""
    at = t.now.isoformat()
    t.state.consents[purpose] = {"granted": granted, "at": at, "source": source}
    t.notices.append({"kind": "consent", "purpose": purpose, "granted": granted, "source": source,
                      "text_id": text_id, "text_hash": text_hash, "message_id": t.event.id,
                      "channel": t.event.channel, "at": at})


_STAFF_ACTIONS = {"block": _block, "unblock": _unblock, "correct": _correct, "consent": _consent}


def unreadable(event: InboundEvent) -> bool:
    """A user's message with nothing the bot can read: a sticker, a poll, one WhatsApp reported with errors.
    An unsupported attachment that comes with words (a link preview) is read as those words."""
    return event.kind == "unsupported" and not event.text.strip()


def _cannot_read(t: Turn[Any]) -> None:
    """Say so, never stay silent; a question the bot asked keeps waiting for its answer."""
    t.took("unsupported")
    t.notices.append({"kind": "unsupported", "type": t.event.data.get("type")})
    t.say(t.message("unsupported"))


async def _timer(t: Turn[Any]) -> None:
    kind = str(t.event.data.get("timer", ""))
    if (handler := t.handlers.timers.get(kind)) is None:
        t.notices.append({"kind": "timer_ignored", "timer": kind, "why": "unknown timer kind"})
        return
    await handler(t, dict(t.event.data.get("payload", {})))


def _idle_flow(t: Turn[Any]) -> str:
    bot = t.bot
    if t.state.turns == 0:
        return next((f.id for f in bot.flows.values() if f.triggers.first_message), bot.entry_flow)
    return bot.fallback_flow or bot.entry_flow


def _interrupt_for(t: Turn[Any]) -> Interrupt | None:
    text = normalise(t.event.text) if t.event.text else ""
    for interrupt in t.bot.interrupts:
        for keyword in interrupt.keywords:
            if t.event.choice_id == keyword or (text and text == normalise(keyword)):
                return interrupt
    return None


async def _interrupt(t: Turn[Any], interrupt: Interrupt) -> None:
    t.notices.append({"kind": "interrupt", "flow": interrupt.flow, "resume": interrupt.resume})
    if interrupt.text:
        t.say(t.text(interrupt.text))
    if interrupt.flow is None:
        t.clear()
        return
    if interrupt.resume and t.state.waiting == "input" and t.state.node is not None:
        t.push(t.state.node, reenter=True)
    else:
        t.clear()
    await t.run(t.start_flow(interrupt.flow))


def _asks_for_the_bot(t: Turn[Any]) -> bool:
    """The user typed one of the handoff node's `resume_keywords` (the whole message)."""
    node = t.flow.node(t.state.node) if t.flow is not None and t.state.node is not None else None
    keywords = getattr(node, "resume_keywords", ())
    text = normalise(t.event.text) if t.event.text else ""
    return bool(text) and any(text == normalise(k) for k in keywords)


async def _staff_action(t: Turn[Any]) -> None:
    """A system event from the admin API: resume (hand back), takeover (the bot pauses), labels."""
    state, action = t.state, t.event.data.get("action")
    if action == "resume" and state.waiting == "handoff":
        await _resume_handoff(t)
    elif action == "takeover" and state.waiting != "handoff":
        state.taken_from = "input" if state.waiting == "input" else ""
        state.waiting, state.handoff_queue, state.asked_at = "handoff", "staff", t.now.isoformat()
        t.notices.append({"kind": "taken_over", "by": t.event.data.get("by")})
    elif action == "labels":
        set_labels(state, add=t.event.data.get("add", ()), remove=t.event.data.get("remove", ()))


LABELS = "labels"  # the variable that holds a conversation's labels (flows `set` it; staff edit it)


def labels_of(state: Conversation) -> list[str]:
    """The conversation's labels: a list of strings in `labels`, or a comma-separated string."""
    raw = state.vars.get(LABELS)
    items = raw.split(",") if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return sorted({str(item).strip() for item in items if str(item).strip()})


def set_labels(state: Conversation, *, add: Any = (), remove: Any = ()) -> None:
    labels = (set(labels_of(state)) | {str(a).strip() for a in add if str(a).strip()}) - {str(r) for r in remove}
    state.vars[LABELS] = sorted(labels)


async def _resume_handoff(t: Turn[Any]) -> None:
    """Staff give the conversation back: on after the handoff node (or where the bot was when staff
    took it over), or at the flow they name."""
    taken_from, t.state.taken_from = t.state.taken_from, None
    t.state.handoff_queue = t.state.asked_at = None
    flow = t.event.data.get("flow")
    t.notices.append({"kind": "handoff_resumed", "flow": flow})
    if isinstance(flow, str) and flow in t.bot.flows:
        t.clear()
        await t.run(t.start_flow(flow))
        return
    if taken_from is not None:  # taken over: the bot waits where it was (the same question, or nothing)
        t.state.waiting = "input" if taken_from == "input" and t.state.node is not None else None
        return
    assert t.flow is not None and t.state.node is not None
    node = t.flow.node(t.state.node)
    await t.run(await t.follow(Go(getattr(node, "next", None))))


def _fill_from_entities(t: Turn[Any]) -> None:
    """Variables declared with `from_entity` take the entity's value whenever a message has it."""
    wanted = t.bot.from_entities()
    if not wanted or not t.event.text.strip():
        return
    entities = t.entities()
    for name, entity in wanted.items():
        values = [e["value"] for e in entities
                  if e.get("entity") == entity and not (e.get("additional_info") or {}).get("negated")]
        if values:
            t.state.vars[name] = values[0]
