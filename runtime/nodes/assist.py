"""The FAQ and the language model as papo uses them: answering from `faq.json` (retrieval, no
model), asking the model for one command (with the waiting question as context when one waits), and
the `faq` and `llm` node kinds. Which of them answers a message is the reading order's choice
(`runtime.nodes.context`)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from flows.model import Bot
from flows.nodes import AskNode, BookNode, FaqNode, LlmNode, RescheduleNode
from nlu import normalise
from nlu.coverage import STOPWORDS
from nlu.entities import BUILTIN_DIMENSIONS
from nlu.faq import FaqReading
from nlu.slots import SLOT_ENTITIES
from nlu.text import fold
from runtime.engine.outcomes import Go, Jump, Outcome, Wait
from runtime.engine.registry import Assisted
from runtime.llm import Catalog, Command, Decision, LlmRequest
from runtime.nodes.safety import is_medical
from runtime.nodes.services import BotTurn

PRIVATE_TAGS = frozenset({"pii", "sensitive"})
OUT_OF_SCOPE = ("out_of_scope",)  # intents that mean "none of ours" (the Rasa convention)


@dataclass(frozen=True, slots=True)
class Question:
    """The question waiting for the patient's answer, as the model sees it."""

    text: str
    input: str
    options: tuple[tuple[str, str], ...] = ()  # (id, title)

    def describe(self) -> str:
        shown = "; ".join(f"{i} = {title}" for i, title in self.options)
        return f"{self.text} (answer type: {self.input}" + (f"; options: {shown})" if shown else ")")


def faq_reading(t: BotTurn, topics: tuple[str, ...] = ()) -> FaqReading | None:
    """The FAQ's ranking for this turn's message, read once per turn (and kept for the decision notice)."""
    index = t.services.faq
    if index is None or not t.event.text.strip():
        return None
    key = f"faq:{','.join(topics)}"
    if key not in t.memo:
        if index.specific is None:
            index.mark_specific(lambda question: _names_subject(t, question))
        entities = t.entities()
        unnamed = not any(e.get("entity") not in _NOT_SUBJECTS for e in entities) \
            and not professional_words(t, t.event.text)
        reading = index.read(t.event.text, topics=topics, when=names_when(entities), unnamed=unnamed)
        if not reading.confident and (asked := _elliptic_at(t)):  # "quais vcs aceitam?" at "Qual é o seu convênio?"
            in_context = index.read(f"{t.event.text} {asked}", topics=topics, when=names_when(entities),
                                    unnamed=unnamed)
            if in_context.confident:
                reading, t.memo["faq_context"] = in_context, asked
        if (service := _pointed_service(t)) is not None:  # "e o valor dessa, quanto fica?" at a service's slots
            in_context = index.read(f"{t.event.text} {service[1]}", topics=topics, when=names_when(entities))
            about = [(r, r.best.entry) for r in (in_context, reading)
                     if r.confident and r.best is not None and service[0] in _services_said(t, r.best.entry)]
            if about:  # more specific than the prices of every service
                (reading, entry), t.memo["faq_context"] = about[0], service[1]
                t.memo["faq_pointed"] = entry
            elif reading.confident and reading.best is not None and _services_said(t, reading.best.entry):
                reading = FaqReading((), False)  # never the answer about another service
        if not reading.confident and (rest := _after_filler(t.event.text)):  # "n entendi, qual a diferença?"
            after = index.read(rest, topics=topics, when=names_when(entities), unnamed=unnamed)
            reading = after if after.confident else reading
        t.memo[key] = reading
        if not topics:
            t.explain(faq=[{"entry": m.entry, "score": m.score} for m in reading.ranking[:3]])
    found: FaqReading = t.memo[key]
    return found


_ELLIPTIC = 3  # a question of at most this many words leaves out what it asks about


def _after_filler(text: str) -> str:
    """What follows an opening clause of words that say nothing about what is asked ("não entendi, ...",
    "ah sim, ..."); empty when the message opens otherwise."""
    head, comma, rest = text.partition(",")
    words = normalise(head).split()
    return rest if comma and words and normalise(rest) and all(w in STOPWORDS for w in words) else ""


def _elliptic_at(t: BotTurn) -> str:
    """The waiting question's text, when the message is a short question that leaves out what it asks
    about ("quais vocês aceitam?"): it asks about what the question does. Empty otherwise."""
    if t.state.waiting is None or t.flow is None or "?" not in t.event.text:
        return ""
    node = t.flow.nodes.get(t.state.node or "")
    if not isinstance(node, AskNode) or len(normalise(t.event.text).split()) > _ELLIPTIC:
        return ""
    return t.text(node.text)


# "e o valor dessa, quanto fica?", "quanto custa essa consulta?": the one being booked
_POINTING = re.compile(r"\b(?:dessa|desse|desta|deste|nessa|nesse|nesta|neste)\b|\b(?:essa|esta)\s+(?:consulta|ai)\b")


def _pointed_service(t: BotTurn) -> tuple[str, str] | None:
    """The service (its key and name) whose slots are offered or held, when the message is a question that
    points at it; None otherwise."""
    if t.state.waiting is None or t.flow is None or "?" not in t.event.text \
            or _POINTING.search(normalise(t.event.text)) is None:
        return None
    node, step, scheduler = t.flow.nodes.get(t.state.node or ""), t.state.private.booking, t.services.scheduler
    service = step.get("service") if isinstance(node, (BookNode, RescheduleNode)) and step is not None else None
    if scheduler is None or not isinstance(service, str) or service not in scheduler.calendar.services:
        return None
    return service, scheduler.calendar.services[service].name


def _services_said(t: BotTurn, entry_id: str) -> set[str]:
    """The services of the calendar a FAQ entry's answer names ("A consulta particular de pediatria custa...")."""
    entry, scheduler = t.bot.faq.entry(entry_id), t.services.scheduler
    if entry is None or scheduler is None:
        return set()
    answers = (entry.answer,) if isinstance(entry.answer, str) else tuple(entry.answer.values())
    said = " ".join(normalise(a) for a in answers)
    return {key for key, service in scheduler.calendar.services.items()
            if (words := _service_words(service.name)) and re.search(rf"\b{re.escape(words)}\b", said)}


_WHEN_ENTITIES = frozenset({"date", "time", "datetime", "interval"})
# Entities that name no subject a FAQ entry may be about: the built-in ones and the patient's own facts.
_NOT_SUBJECTS = frozenset({*BUILTIN_DIMENSIONS, *SLOT_ENTITIES})
_TITLES = frozenset({"dr", "dra", "doutor", "doutora", "doutores", "doutoras", "com"})


def _name_words(professional: Any) -> set[str]:
    """The words of a professional's name that name them ("Dra. Ana Souza": ana, souza)."""
    return {w for w in normalise(professional.name).split() if len(w) > 2} - _TITLES


def professional_words(t: BotTurn, text: str) -> set[str]:
    """The words of `text` naming one of the calendar's professionals ("com a dra Ana")."""
    scheduler = t.services.scheduler
    if scheduler is None:
        return set()
    said = set(normalise(text).split())
    found: set[str] = set()
    for professional in scheduler.calendar.professionals.values():
        names = _name_words(professional)
        if names & said:
            found |= (names & said) | (_TITLES & said)
    return found


def as_specialty(t: BotTurn, text: str) -> str:
    """`text` with a professional's name read as what only they do ("até que idade o dr bruno atende?": "até
    que idade o pediatria atende?"), for the FAQ, whose questions name the specialty more often than the
    person. The text itself when it names nobody."""
    scheduler = t.services.scheduler
    if scheduler is None:
        return text
    calendar, said = scheduler.calendar, set(normalise(text).split())
    people = calendar.professionals.values()
    for professional in people:
        names = _name_words(professional)
        if not names & said:
            continue
        others = {s for p in people if p is not professional for s in p.services}
        own = sorted(professional.services - others)  # the pediatrician's pediatrics, not the return all do
        if len(own) != 1 or own[0] not in calendar.services:
            continue
        what = _service_words(calendar.services[own[0]].name)
        titles = "|".join(sorted(_TITLES - {"com"}))
        text = re.sub(rf"\b(?:(?:{titles})\.?\s+)?(?:{'|'.join(sorted(names))})\b", what, fold(text))
    return text


_SERVICE_FILLER = frozenset({"consulta", "de", "da", "do"})


def _service_words(name: str) -> str:
    """What a service's name says of it ("Consulta de pediatria": "pediatria")."""
    return " ".join(w for w in normalise(name).split() if w not in _SERVICE_FILLER)


def _names_subject(t: BotTurn, text: str) -> bool:
    """`text` names a subject: an entity the bot's data defines (a specialty...) or a professional."""
    nlu = getattr(t.services.nlu, "embedded", t.services.nlu)
    extract = getattr(nlu, "data_entities", None)
    return bool(professional_words(t, text)) or (extract is not None and bool(extract(text)))


def names_when(entities: list[dict[str, Any]]) -> bool:
    """The message names a day, a time or a part of the day."""
    return any(e.get("entity") in _WHEN_ENTITIES for e in entities)


def say_faq(t: BotTurn, entry_id: str, score: float, **detail: object) -> None:
    entry = t.bot.faq.entry(entry_id)
    assert entry is not None
    t.say(t.text(entry.answer))
    t.notices.append({"kind": "faq", "entry": entry.id, "score": score})
    t.took("faq", entry=entry.id, **detail)
    if t.event.text.strip():  # what it asked may say what the next message wants ("então quero marcar")
        t.state.private.asked = {"text": t.event.text.strip(), "turn": t.state.turns}


def answer_from_faq(t: BotTurn, topics: tuple[str, ...] = ()) -> bool:
    """Say the confidently matching FAQ entry's answer; False when none matches."""
    if is_medical(t):
        return False
    reading = faq_reading(t, topics)
    if reading is None or not reading.confident or reading.best is None or t.bot.faq.entry(reading.best.entry) is None:
        return False
    say_faq(t, reading.best.entry, reading.best.score)
    return True


def _medical(t: BotTurn) -> Assisted:
    t.notices.append({"kind": "medical_deflection"})
    t.say(t.message("medical"))
    return Assisted(True, t.bot.llm.handoff_flow or t.bot.fallback_flow or t.bot.entry_flow)


def act(t: BotTurn, command: Command | None) -> Assisted:
    """What a command of the model does when no question waits."""
    t.took("llm", command=command.command if command else None)
    return _act(t, command)


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


async def decide(t: BotTurn, question: Question | None = None) -> Decision:
    """The model's one command for this turn's message; with `question`, the one waiting for an answer."""
    assert t.services.llm is not None
    reading = faq_reading(t)
    hints = tuple(m.entry for m in reading.ranking[:3]) if reading is not None else ()
    request = LlmRequest(t.event.text, f"{t.event.channel}:{t.event.user}", t.locale,
                         catalog(t.bot, t.locale, question), version(t.bot), secrets(t), hints,
                         question.describe() if question is not None else "")
    if t.services.typing is not None:
        await t.services.typing(t.event)  # the model may take seconds: the user sees "typing..."
    decision = await t.services.llm.decide(request, t.now)
    t.notices.append(decision.notice())
    return decision


def catalog(bot: Bot, locale: str, question: Question | None = None) -> Catalog:
    flows = bot.llm.flows or [f.id for f in bot.flows.values()
                                     if f.triggers.intents or f.triggers.keywords]
    answers = frozenset(i for i, _ in question.options) if question is not None else frozenset()
    return Catalog({e.id: e.answer_in(locale, bot.default_locale) for e in bot.faq.entries}, frozenset(flows),
                   frozenset(bot.llm.settable), question is not None, answers)


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
