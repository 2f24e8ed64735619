"""Safety, the second step of the reading order (after the global interrupts), wherever the
conversation is: a question waiting or not, any node kind, even while staff talk.

- urgent (an emergency now): the bot's `urgent` message, then the offer of a person (`llm.handoff_flow`);
  while staff talk, the message is said too, since staff may not be there yet;
- medical (symptoms, medicines, doses): `medical`, never an answer; the waiting question is asked again,
  or, with none, a person is offered. A message that also asks for something the flows do ("tô com dor
  de dente, quero marcar") goes on to it after the deflection;
- opt-out ("pare", "não quero mais receber mensagens"): `opt_out`, the conversation's `opted_out_at` is
  set (reminders stop) and it leaves its flow; opt-in clears it;
- privacy ("apaguem meus dados"): `privacy`, `privacy_requested_at` is set and staff get a
  `privacy_request` notice; nothing is deleted here.

The words are the conversation's language pack's (`runtime.locales`) plus the bot's `llm.medical_keywords`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from nlu import normalise
from nlu.coverage import same_stem
from runtime.locales import Pack
from runtime.nodes.services import BotTurn

Topic = Literal["urgent", "medical", "opt_out", "opt_in", "privacy"]


@lru_cache(maxsize=8)
def _folded(pack: Pack) -> dict[str, tuple[frozenset[str], tuple[str, ...]]]:
    """Each topic's words and phrases, folded as `normalise` folds a message."""
    def phrases(items: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(f" {normalise(p)} " for p in items)

    return {
        "urgent": (frozenset(normalise(w) for w in pack.urgent_words), phrases(pack.urgent_phrases)),
        "medical": (frozenset(normalise(w) for w in pack.medical_words), phrases(pack.medical_phrases)),
        "privacy": (frozenset(), phrases(pack.privacy_phrases)),
        "opt_out": (frozenset(), phrases(pack.opt_out_phrases)),
        "opt_in": (frozenset(), phrases(pack.opt_in_phrases)),
    }


def topic_of(t: BotTurn) -> Topic | None:
    """The safety topic of this turn's message, the most pressing first."""
    text = normalise(t.event.text) if t.event.text else ""
    if not text:
        return None
    words, padded = set(text.split()), f" {text} "
    folded = _folded(t.words)
    pairs = {"privacy": t.words.privacy_pairs, "opt_out": t.words.opt_out_pairs}
    for topic in ("urgent", "privacy", "opt_out", "opt_in"):  # "não quero mais receber lembretes" is no opt-in
        found_words, found_phrases = folded[topic]
        if words & found_words or any(p in padded for p in found_phrases) or _pair(words, pairs.get(topic)):
            return topic
    if text in {normalise(w) for w in t.words.opt_out_words}:
        return "opt_out"
    return "medical" if is_medical(t) else None


def _pair(words: set[str], pair: tuple[frozenset[str], frozenset[str]] | None) -> bool:
    """A word of each list: "excluam todas as minhas informações", "chega de mensagens"."""
    return pair is not None and bool(words & pair[0]) and bool(words & pair[1])


def is_medical(t: BotTurn) -> bool:
    """The message names a symptom, a medicine or a dose (the conversation's language pack, plus the
    bot's `llm.medical_keywords`), in any of its forms ("vomitou", "vômito"): it is never answered by
    the FAQ or the model."""
    text = normalise(t.event.text) if t.event.text else ""
    words, phrases = _folded(t.words)["medical"]
    known = words | {normalise(w) for w in t.bot.llm.medical_keywords}
    said = set(text.split())
    if said & known or any(p in f" {text} " for p in phrases):
        return True
    return any(same_stem(w, k) for w in said if len(w) >= STEMMED for k in known if len(k) >= STEMMED)


STEMMED = 5  # shorter words only match as they are


async def guard(t: BotTurn) -> bool:
    """`Handlers.safety`: True when this step took the message (said what it says, moved on)."""
    if t.event.data.get("monitoring") == "handoff" and t.state.waiting != "handoff":
        t.took("safety", topic="monitoring")  # a bot.json monitoring rule hands this message to a person
        t.notices.append({"kind": "monitoring_handoff", "rules": t.event.data.get("monitored", [])})
        await _offer_a_person(t)
        return True
    topic = topic_of(t)
    if topic is None:
        return False
    if t.state.waiting == "handoff":
        return _with_staff(t, topic)
    t.notices.append({"kind": "safety", "topic": topic})
    match topic:
        case "urgent":
            t.took("safety", topic=topic)
            t.say(t.message("urgent"))
            await _offer_a_person(t)
        case "medical":
            return await _medical(t)
        case "opt_out":
            t.took("safety", topic=topic)
            t.state.opted_out_at = t.now.isoformat()
            t.say(t.message("opt_out"))
            await leave_flows(t)
        case "opt_in":
            t.took("safety", topic=topic)
            t.state.opted_out_at = None
            t.say(t.message("opt_in"))
            await _ask_again(t)
        case "privacy":
            t.took("safety", topic=topic)
            t.state.privacy_requested_at = t.now.isoformat()
            t.notices.append({"kind": "privacy_request", "due_days": 15})
            t.say(t.message("privacy"))
            await leave_flows(t)
    return True


def _with_staff(t: BotTurn, topic: Topic) -> bool:
    """While staff talk, the bot keeps quiet but for an emergency (staff may not be there yet) and
    the confirmations of opt-out and privacy requests; staff see a notice of each."""
    t.notices.append({"kind": "safety", "topic": topic, "during": "handoff"})
    if topic == "medical":
        return False
    t.took("safety", topic=topic, during="handoff")
    if topic == "opt_out":
        t.state.opted_out_at = t.now.isoformat()
    elif topic == "opt_in":
        t.state.opted_out_at = None
    elif topic == "privacy":
        t.state.privacy_requested_at = t.now.isoformat()
        t.notices.append({"kind": "privacy_request", "due_days": 15})
    t.say(t.message(topic))
    return True


async def _medical(t: BotTurn) -> bool:
    t.notices.append({"kind": "medical_deflection"})
    t.say(t.message("medical"))
    wanted = t.triggered_flow()
    if wanted is not None and wanted != (t.flow.id if t.flow else None) and _acts(t, wanted):
        t.memo["deflected"] = True  # said; the rest of the message goes on through the reading order
        return False
    t.took("safety", topic="medical")
    if t.state.waiting == "input":
        await _ask_again(t)
    else:
        await _offer_a_person(t)
    return True


def _acts(t: BotTurn, flow_id: str) -> bool:
    """The flow does something for the patient (it waits for them), rather than only answering."""
    flow = t.bot.flows.get(flow_id)
    return flow is not None and any(node.waits for node in flow.nodes.values())


async def _ask_again(t: BotTurn) -> None:
    if t.state.waiting == "input" and t.flow is not None and t.state.node is not None:
        node = t.flow.node(t.state.node)
        await t.run(await t.follow(await t.handlers.nodes.reask(node)(node, t)))


async def _offer_a_person(t: BotTurn) -> None:
    flow = t.bot.llm.handoff_flow or t.bot.fallback_flow or t.bot.entry_flow
    await leave_flows(t)
    await t.run(t.start_flow(flow))


async def leave_flows(t: BotTurn) -> None:
    """Leave every running flow, giving back a slot held for the patient."""
    step = t.state.private.booking
    hold = step.get("hold") if step else None
    if hold and t.services.scheduler is not None:
        await t.services.scheduler.release(hold["id"])
    t.state.private.booking = None
    t.clear()
