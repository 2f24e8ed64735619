"""Answers for messages the flows do not take: the FAQ first (retrieval, no model), then the
language model's one command, then the bot's fallback message and menu. Also the `faq` and
`llm` node kinds."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from flows.model import Bot
from flows.nodes import AskNode, FaqNode, LlmNode
from nlu import normalise
from runtime.engine.outcomes import Go, Jump, Outcome, Wait
from runtime.engine.registry import Assisted
from runtime.llm import Catalog, Command, Decision, LlmRequest
from runtime.locales import Pack
from runtime.nodes.services import BotTurn

PRIVATE_TAGS = frozenset({"pii", "sensitive"})
OUT_OF_SCOPE = ("out_of_scope",)  # intents that mean "none of ours" (the Rasa convention)


def is_medical(t: BotTurn) -> bool:
    """The message names a symptom, a medicine or a dose (the conversation's language pack, plus the
    bot's `llm.medical_keywords`): it is never answered by the FAQ or the model."""
    text = normalise(t.event.text) if t.event.text else ""
    words, phrases = _medical_words(t.words)
    extra = {normalise(w) for w in t.bot.llm.medical_keywords}
    return bool(set(text.split()) & (words | extra)) or any(p in f" {text} " for p in phrases)


@lru_cache(maxsize=8)
def _medical_words(pack: Pack) -> tuple[frozenset[str], tuple[str, ...]]:
    """The pack's medical words and phrases, folded as `normalise` folds a message."""
    return (frozenset(normalise(w) for w in pack.medical_words),
            tuple(f" {normalise(p)} " for p in pack.medical_phrases))


def answer_from_faq(t: BotTurn, topics: tuple[str, ...] = ()) -> bool:
    """Say the confidently matching FAQ entry's answer; False when none matches."""
    index = t.services.faq
    if index is None or not t.event.text.strip() or is_medical(t):
        return False
    reading = index.read(t.event.text, topics=topics)
    entry = t.bot.faq.entry(reading.best.entry) if reading.confident and reading.best else None
    if entry is None or reading.best is None:
        return False
    t.say(t.text(entry.answer))
    t.notices.append({"kind": "faq", "entry": entry.id, "score": reading.best.score})
    return True


async def assist_idle(t: BotTurn) -> Assisted:
    """For a message no node waits for and no trigger takes."""
    if t.state.turns == 0:  # a first message: answer it if the FAQ can, then greet as usual
        return Assisted(answer_from_faq(t), None)
    if t.event.text.strip() and is_medical(t):
        return _medical(t)
    if t.bot.faq_settings.fallback and answer_from_faq(t):
        return Assisted(True)
    if t.intent() not in (None, *OUT_OF_SCOPE):  # the nlu knows this message (thanks, goodbye...)
        return Assisted(False)
    if t.services.llm is not None and t.event.text.strip():
        return _act(t, (await decide(t)).command)
    if t.bot.messages.get("fallback"):
        t.say(t.message("fallback"))
        return Assisted(True, t.bot.fallback_flow or t.bot.entry_flow)
    return Assisted(False)


def _medical(t: BotTurn) -> Assisted:
    t.notices.append({"kind": "medical_deflection"})
    t.say(t.message("medical"))
    return Assisted(True, t.bot.llm.handoff_flow or t.bot.fallback_flow or t.bot.entry_flow)


def _act(t: BotTurn, command: Command | None) -> Assisted:
    menu = t.bot.fallback_flow or t.bot.entry_flow
    if command is None or command.command == "out_of_scope":
        t.say(t.message("fallback"))
        return Assisted(True, menu)
    match command.command:
        case "answer_faq" | "small_talk":
            t.say(command.text or "")
            return Assisted(True)
        case "start_flow":
            return Assisted(True, command.flow)
        case "set_variable":
            assert command.variable is not None
            t.state.vars[command.variable] = command.value
            return Assisted(True, menu)
        case "medical":
            return _medical(t)
    return Assisted(True, t.bot.llm.handoff_flow or menu)  # handoff


async def decide(t: BotTurn) -> Decision:
    assert t.services.llm is not None
    hints: tuple[str, ...] = ()
    if t.services.faq is not None:
        hints = tuple(m.entry for m in t.services.faq.read(t.event.text).ranking[:3])
    request = LlmRequest(t.event.text, f"{t.event.channel}:{t.event.user}", t.locale, catalog(t.bot, t.locale),
                         version(t.bot), secrets(t), hints)
    if t.services.typing is not None:
        await t.services.typing(t.event)  # the model may take seconds: the user sees "typing..."
    decision = await t.services.llm.decide(request, t.now)
    t.notices.append(decision.notice())
    return decision


def catalog(bot: Bot, locale: str) -> Catalog:
    flows = bot.llm.flows or [f.id for f in bot.flows.values()
                                     if f.triggers.intents or f.triggers.keywords]
    return Catalog({e.id: e.answer_in(locale, bot.default_locale) for e in bot.faq.entries}, frozenset(flows),
                   frozenset(bot.llm.settable))


def version(bot: Bot) -> str:
    parts = sorted(f"{f.id}={f.digest}" for f in bot.flows.values()) + [f"faq={bot.faq.digest}"]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def secrets(t: BotTurn) -> tuple[str, ...]:
    """Values of the conversation's variables tagged pii or sensitive, wherever they are declared."""
    tagged = set()
    for flow in t.bot.flows.values():
        tagged |= {n.var for n in flow.nodes.values() if isinstance(n, AskNode) and PRIVATE_TAGS & set(n.tags)}
    for name in t.state.vars:
        variable = t.bot.variable(name)
        if variable is not None and PRIVATE_TAGS & set(variable.tags):
            tagged.add(name)
    return tuple(str(t.state.vars[n]) for n in sorted(tagged) if t.state.vars.get(n) not in (None, ""))


# -- node kinds --------------------------------------------------------------------------------


def _miss(node: FaqNode | LlmNode, t: BotTurn) -> Outcome:
    if node.on_miss:
        return Go(node.on_miss)
    t.say(t.message("fallback"))
    return Go(node.next)




async def enter_answering(node: FaqNode | LlmNode, t: BotTurn) -> Outcome:
    """With a `text`, ask it and answer the reply; without, answer the message the flow came with."""
    if node.text:
        t.say(t.text(node.text))
        return Wait()
    resume = t.handlers.nodes.resume(node)
    assert resume is not None
    return await resume(node, t)



async def resume_faq(node: FaqNode, t: BotTurn) -> Outcome:
    return Go(node.next) if answer_from_faq(t, node.topics) else _miss(node, t)



async def resume_llm(node: LlmNode, t: BotTurn) -> Outcome:
    if is_medical(t):
        done = _medical(t)
        return Jump(done.flow) if done.flow else Go(node.next)
    if answer_from_faq(t):
        return Go(node.next)
    if t.services.llm is None or not t.event.text.strip():
        return _miss(node, t)
    command = (await decide(t)).command
    if command is None or command.command == "out_of_scope":
        return _miss(node, t)
    done = _act(t, command)
    if command.command == "set_variable":
        return Go(node.next)
    return Jump(done.flow) if done.flow else Go(node.next)
