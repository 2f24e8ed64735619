"""Every message read in its context, in one order (`runtime.engine.routing` runs the first steps:
the global interrupts and safety, `runtime.nodes.safety`). After them:

1. the waiting question's parser (each node kind's `resume` handler);
2. when the answer does not fit (`unfit`), or nothing waits (`read_idle`):
   a. a more specific FAQ entry or another flow's trigger (`choose`): the FAQ entry is said and the
      question asked again; a flow that only answers runs and the question is asked again; a flow
      that needs the patient (it waits) is a switch, since the patient clearly wants something else;
      a question asked in a sentence of its own beside the request that starts a flow ("vcs atendem
      hapvida? queria marcar") is answered first (`answered_first`), then the flow starts;
   b. small talk ("obrigada", "ok", "kkk", "vou ver e te falo"): a short answer; the question keeps
      waiting, and with nothing waiting the menu is not sent; giving up ("desisto") leaves the flow;
   c. with a language model configured, the model with the waiting question as context (`consult`):
      it may fill the answer, switch flow, answer from the FAQ, hand off or say it is out of scope,
      always through the closed command set (`runtime.llm.commands`);
3. a re-prompt that says what is expected (`lead`), by the node itself.

Specificity: when the FAQ and triggers both match, the reading whose nearest example explains more of
the message wins (`nlu.coverage`): "e qto é a consulta com o pediatra?" is the pediatrics price entry,
not the generic prices flow. A flow an intent alone names must explain at least half of the message
("vocês atendem cachorro?" is not a question about opening hours).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from flows.model import Bot, Flow, localize
from flows.nodes import AskNode, BookNode, CancelNode, GotoNode, Node, Option, RescheduleNode, SetNode
from nlu import TrainingData, normalise
from nlu.coverage import ExampleIndex, content_words
from nlu.faq import FaqReading
from nlu.slots import HONORIFICS, RELATIONS, SPOKEN_RELATIONS, age, last_clause_name, named_for, person_name
from nlu.text import fold
from nlu.yesno import asks_for_slot, asks_to_book, asks_to_cancel, asks_to_move, refuses_to_cancel
from runtime.engine.outcomes import Done, Go, Jump, Outcome, Wait
from runtime.engine.registry import Assisted
from runtime.nodes.assist import (
    OUT_OF_SCOPE,
    Question,
    act,
    as_specialty,
    decide,
    faq_reading,
    names_when,
    professional_words,
    say_faq,
)
from runtime.nodes.inputs import Answer, asks_in_first_person, entity_options, fill, names, names_option, read
from runtime.nodes.safety import answers_the_question_before, leave_flows
from runtime.nodes.services import BotTurn

MIN_INTENT_COVERAGE = 0.5  # a flow only an intent names must explain this much of the request...
STRONG_INTENT = 0.7  # ... unless the classifier is this sure of it
WEAK_INTENT = 0.25  # the classifier's best guess below its threshold is a candidate from this confidence...
WEAK_COVERAGE = 0.75  # ... when its examples explain this much of the request
FAQ_FLOOR = 0.4  # a FAQ entry less similar than this is no candidate
FAQ_COVERAGE = 0.75  # a FAQ entry the FAQ index is not confident about must explain this much
MIN_FAQ_COVERAGE = 0.5  # ... and one it is confident about, this much...
SURE_FAQ = 0.8  # ... unless it is this similar ("e se eu me atrasar um pouco?")
CLEAR_FAQ, CLEAR_FAQ_LEAD = 0.55, 0.3  # ... or a question this similar, this far ahead of the next entry
Release = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Choice:
    kind: Literal["faq", "flow"]
    target: str
    coverage: float  # how much of the message the nearest example explains
    score: float = 0.0  # a FAQ entry's similarity
    how: str = ""  # for a flow: intent, weak_intent, keyword, button, details, slot
    request: float = 1.0  # how much of the request (the message without its entities' words) it explains

    @property
    def rank(self) -> tuple[float, float]:
        """The request first ("quero marcar pediatria sábado" asks to book), then the details
        ("e qto é a consulta com o pediatra?" is about pediatrics)."""
        return self.request, self.coverage


# -- choosing among the FAQ and the triggers -----------------------------------------------------------


def example_index(bot: Bot, training: TrainingData | None = None) -> ExampleIndex:
    """The examples each reading is known by: a FAQ entry's questions; a flow's trigger keywords and
    the examples of its intents in the bot's training data."""
    examples: dict[str, list[str]] = {f"faq:{e.id}": list(e.questions) for e in bot.faq.entries}
    by_intent: dict[str, list[str]] = {}
    for example in training.examples if training is not None else ():
        if example.intent:
            by_intent.setdefault(example.intent, []).append(example.text)
    for flow in bot.flows.values():
        texts = [*flow.triggers.keywords, *(x for i in flow.triggers.intents for x in by_intent.get(i, ()))]
        if texts:
            examples[f"flow:{flow.id}"] = texts
    return ExampleIndex(examples)


def choose(t: BotTurn, *, besides: str | None = None) -> Choice | None:
    """The more specific of the FAQ's best entries and the flows this message triggers (but `besides`,
    the flow already running), or None. Noted in the turn's decision."""
    if "choice" in t.memo:
        found: Choice | None = t.memo["choice"]
        return found
    index = t.services.examples
    details = _entity_words(t) if index is not None else frozenset()
    faq = _faq_choice(t, index, details | _professional_words(t))
    flows = _flow_choices(t, index, besides, details)
    # of flows ranked alike, one the classifier only guessed comes last ("quero clínico geral dia 13": the booking)
    best_flow = max(flows, key=lambda c: (c.rank, c.how != "weak_intent")) if flows else None
    choice = faq if faq is not None and (best_flow is None or faq.rank > best_flow.rank
                                         or _answer_first(t, faq, best_flow)) else best_flow
    if choice is faq and faq is not None and (acting := _asked_to_act(t, flows)) is not None:
        choice = acting
    t.memo["choice"] = choice
    t.explain(candidates=[{"target": f"{c.kind}:{c.target}", "coverage": c.coverage, "request": c.request,
                           **({"how": c.how} if c.how else {})} for c in ([faq] if faq else []) + flows])
    return choice


def asked_next(node: AskNode, t: BotTurn) -> str | None:
    """A yes/no question ("Posso ajudar com mais alguma coisa?") reached in the turn whose message answered
    another question and also asks, outright, for something another flow does ("Bradesco saúde, e já quero
    marcar com a doutora Ana" at the insurance question): that flow, to run before the question is asked."""
    if node.input != "yes_no" or t.memo.get("answered") is None:
        return None
    return requested_flow(t)


_OPTION_WORDS = 2  # a message of this many words that picked an option asks for nothing more


def requested_flow(t: BotTurn) -> str | None:
    """Another flow the message asks for outright, besides the ones running or run in this turn ("não, na
    verdade quero só mudar o horário" at "Quer mesmo cancelar?": the reschedule), or None."""
    if t.event.kind != "text" or t.event.choice_id is not None or t.flow is None:
        return None
    if t.memo.get("answered") == "choice" and len(normalise(t.event.text).split()) <= _OPTION_WORDS:
        return None  # an option typed, as a button pressed: "Cancelar" at a reminder asks for no cancel flow after it
    running = {t.flow.id, *(frame.flow for frame in t.state.stack), *(step.split("/")[0] for step in t.trace)}
    choice = _other_request(t)
    return choice.target if choice is not None and choice.target not in running else None


def _running(t: BotTurn) -> str | None:
    """The flow the waiting question belongs to, which `choose` leaves out."""
    return t.flow.id if t.flow is not None else None


def _other_request(t: BotTurn) -> Choice | None:
    """The flow a message answered otherwise also clearly asks for: its examples explain the request, or
    the classifier is sure of it and it is said in the first person ("Wellington, quero marcar pediatra pro
    meu filho de 4 anos, sábado cedo": the facts said with it leave less of the message to the examples)."""
    choice = choose(t, besides=_running(t))
    if choice is None or choice.kind != "flow" or choice.how == "weak_intent":
        return None
    if choice.request >= WEAK_COVERAGE or (choice.how == "intent" and _confidence(t) >= STRONG_INTENT
                                           and asks_in_first_person(t.event.text)):
        return choice
    return None


def _asked_to_act(t: BotTurn, flows: list[Choice]) -> Choice | None:
    """A message that asks nothing but names something to do ("quero marcar com o dr bruno sábado")
    goes to the flow that does it, however well a FAQ entry matches its details."""
    if looks_like_question(t):
        return None
    sure = _confidence(t) >= STRONG_INTENT  # "então quero marcar particular mesmo, com o clínico": the intent is sure
    acting = [c for c in flows if not answers_only(t, c.target)
              and (c.request >= MIN_INTENT_COVERAGE or (c.how == "intent" and sure))]
    return max(acting, key=lambda c: c.rank) if acting else None


def _answer_first(t: BotTurn, faq: Choice, flow: Choice) -> bool:
    """As specific as a flow that would ask something back, a FAQ entry answers a question at once
    ("quais convênios vocês aceitam?"), and one about what is needed."""
    # a question about what is needed ("precisa de encaminhamento pra consultar com o pediatra?"), which the FAQ
    # explains as much of as the booking
    needed = faq.request >= flow.request and t.words.requirement.match(normalise(t.event.text)) is not None
    if t.memo.get("faq_pointed") == faq.target and flow.how in ("intent", "keyword"):
        return True  # "quanto custa essa consulta?" at a service's slots: the entry about that service
    return (faq.rank == flow.rank or needed) and looks_like_question(t) and not answers_only(t, flow.target) \
        and flow.how != "slot"


def _faq_choice(t: BotTurn, index: ExampleIndex | None, details: frozenset[str]) -> Choice | None:
    reading = faq_reading(t)
    if reading is None:
        return None
    text = as_specialty(t, t.event.text)
    if context := t.memo.get("faq_context"):  # "e o valor dessa, quanto fica?" at the slots of a service: of it
        text = f"{text} {context}"
    return _faq_pick(text, reading, index, details, looks_like_question(t))


def _faq_pick(text: str, reading: FaqReading, index: ExampleIndex | None, details: frozenset[str],
              asks: bool) -> Choice | None:
    """The FAQ entry `text` asks, among the FAQ index's best three (`reading`), by how much of it each
    explains; `asks`: the text is a question."""
    if reading.best is None:
        return None
    if index is None:  # no coverage to compare: the FAQ's own confidence decides
        top = reading.best
        return Choice("faq", top.entry, 1.0, top.score) if reading.confident else None
    parts = sentences(text)  # a question in a sentence of its own is weighed by that sentence too
    questions = [m.group() for m in parts if m.group().rstrip().endswith("?")] if len(parts) > 1 else []
    ranked = [Choice("faq", m.entry, index.coverage(text, f"faq:{m.entry}").score, m.score,
                     request=max(index.coverage(part, f"faq:{m.entry}", ignore=details).score
                                 for part in (text, *questions)))
              for m in reading.ranking[:3] if m.score >= FAQ_FLOOR]
    if not ranked:
        return None
    best = max(ranked, key=lambda c: (c.coverage, c.score))
    confident = reading.confident and best.target == reading.best.entry
    if confident and best.score >= SURE_FAQ:
        return best
    if best.coverage >= (MIN_FAQ_COVERAGE if confident else FAQ_COVERAGE):
        return best
    # "preciso de encaminhamento pra passar na clínica geral?": a question the retrieval is sure of, whose
    # uncovered words are the details it is asked about (a specialty, a plan, a day)
    first = next((c for c in ranked if c.target == reading.best.entry), None)
    sure = reading.confident and first is not None and first.request >= MIN_FAQ_COVERAGE and asks
    # "cobra alguma coisa pra desmarcar?", "vou me atrasar uns 10 minutos, tudo bem?": a question the retrieval
    # puts far ahead of every other entry, in words none of its examples has all of
    runner_up = reading.ranking[1].score if len(reading.ranking) > 1 else 0.0
    alone = reading.confident and first is not None and asks and first.score >= CLEAR_FAQ \
        and first.score - runner_up >= CLEAR_FAQ_LEAD
    chosen = first is not None and asks and reading.by_answer == first.target  # "aceitam cheque?"
    return first if sure or alone or chosen else None


def _flow_choices(t: BotTurn, index: ExampleIndex | None, besides: str | None,
                  details: frozenset[str]) -> list[Choice]:
    """The flows the message triggers, with how much of it each explains. A flow only an intent names
    must explain half of the request (the message without the values of its entities: "minha filha",
    "5 anos", "unimed"), so "vocês atendem cachorro?" is no opening-hours question; the classifier's
    best guess below its threshold counts when its examples explain the whole request."""
    found: list[Choice] = []
    triggered = t.triggered_flows()
    if besides is not None:  # a greeting while a question waits is small talk, not the greeting flow again
        triggered = [(f, how) for f, how in triggered if not _greets(t, f)]
    if index is not None and (weak := _weak_intent(t)) is not None:
        triggered += [(flow.id, "weak_intent") for flow in t.bot.flows.values() if weak in flow.triggers.intents]
    moved = _moved_by_details(t) or _cancelled_by_words(t)  # first: before the same flow found otherwise
    slots = [] if moved else _slot_asked(t)
    if besides is not None and besides in slots:
        t.memo["about_booking"] = True  # "tem horário pra hoje ainda?" while booking: this booking's question
        return []  # is the answer, not the opening hours
    triggered = [(flow, "details") for flow in moved] + [(flow, "slot") for flow in slots] + triggered
    triggered += [(flow, "details") for flow in ([] if moved else _booked_by_details(t))]
    if (stated := _stated_beside_question(t, index, besides, details, {f for f, _ in triggered})) is not None:
        found.append(stated)
    for flow, how in triggered:
        if flow == besides or any(c.target == flow for c in found):
            continue
        if how in ("details", "slot"):
            found.append(Choice("flow", flow, 1.0, how=how))
            continue
        coverage = request = 1.0
        if index is not None and f"flow:{flow}" in index and how != "button":
            coverage = index.coverage(t.event.text, f"flow:{flow}").score
            request = index.coverage(t.event.text, f"flow:{flow}", ignore=details).score
            if not any(w not in details for w in content_words(t.event.text)):
                request = coverage  # only details ("pediatria pra minha filha de 3 anos na terça"): the whole
            elif not _greets(t, flow) and len(parts := sentences(t.event.text)) > 1:
                # a request in a sentence of its own ("quero marcar clinica geral. aceitam sulamerica?"): what it
                # explains of that sentence
                request = max(request, *(index.coverage(m.group(), f"flow:{flow}", ignore=details).score
                                         for m in parts))
        if how == "keyword" and not _greets(t, flow) and _commanded(t, flow):
            request = 1.0  # "agendar, meu convênio é golden cross mas pago particular": the command comes first
        if how == "intent" and request < MIN_INTENT_COVERAGE and _confidence(t) < STRONG_INTENT:
            continue
        if how == "weak_intent" and request < WEAK_COVERAGE:
            continue
        found.append(Choice("flow", flow, coverage, how=how, request=request))
    return found


def _stated_beside_question(t: BotTurn, index: ExampleIndex | None, besides: str | None, details: frozenset[str],
                            triggered: set[str]) -> Choice | None:
    """A wish said in a sentence of its own beside a question ("boa noite vcs aceitam hapvida? queria marcar pra
    mim, aqui é a Neide"), which the classifier, reading the whole message, ranks below the question: the flow
    whose examples explain the whole wish (of flows explaining it alike, the one the classifier ranks higher),
    unless the message triggers it already. A sentence that says whom an appointment is for and their age is a
    wish for the booking ("meu plano é porto seguro, aceita? se nao der faço particular, é pro meu marido de 45
    anos"). It acts; the question is answered first (`answered_first`)."""
    if index is None or t.event.kind != "text" or not t.event.text:
        return None
    parts = sentences(t.event.text)
    if len(parts) < 2:
        return None
    asked = [p.group() for p in parts if _asks(t, p.group())]
    said = [p.group() for p in parts if not _asks(t, p.group())]
    wishes = [part for part in said if asks_in_first_person(part)]
    if asked and not wishes and any(named_for(part) and age(part) is not None for part in said):
        booking = [f for f in _triggered_with(t, BookNode) if {"relation", "age"} & _reads_at_start(t.bot.flows[f])]
        return Choice("flow", booking[0], 1.0, how="stated") \
            if len(booking) == 1 and booking[0] not in triggered and booking[0] != besides else None
    if not asked or not wishes:
        return None
    ranking = {str(r.get("name")): float(r.get("confidence", 0.0))
               for r in (t.understood() or {}).get("intent_ranking", [])}
    best: tuple[float, float, str] | None = None
    for flow in t.bot.flows.values():
        if flow.id == besides or flow.triggers.first_message or f"flow:{flow.id}" not in index \
                or answers_only(t, flow.id):
            continue
        request = max(index.coverage(wish, f"flow:{flow.id}", ignore=details).score for wish in wishes)
        ranked = max((ranking.get(intent, 0.0) for intent in flow.triggers.intents), default=0.0)
        if request >= 1.0 and (best is None or (request, ranked) > best[:2]):
            best = (request, ranked, flow.id)
    if best is None or best[2] in triggered:  # the wish is what the message triggers already
        return None
    return Choice("flow", best[2], 1.0, how="stated", request=best[0])


def _asks(t: BotTurn, sentence: str) -> bool:
    words = normalise(sentence).split()
    return bool(words) and (sentence.rstrip().endswith("?") or words[0] in t.words.question_words)


def _commanded(t: BotTurn, flow_id: str) -> bool:
    """The message opens with one of the flow's keywords, set apart by punctuation ("agendar, ...")."""
    flow = t.bot.flows.get(flow_id)
    text = fold(t.event.text).lstrip() if t.event.text else ""
    return flow is not None and any(re.match(rf"{re.escape(fold(k).strip())}\s*[,.;:!]", text)
                                    for k in flow.triggers.keywords if k.strip())


_AND_FOR = re.compile(r"^(?:e|e agora|agora|tambem|tb|tbm)\s+(?:para|pra|pro|p)\s")


def _booked_by_details(t: BotTurn) -> list[str]:
    """The booking flows a message that asks nothing asks for by its details alone, two of: an option of one
    of the flow's questions, a day or a time, a fact its start reads (who, how old): "quero clínico geral dia
    13", "pediatria amanhã de manhã", "é pro meu marido ... quarta", "minha fia tá precisando de pediatra,
    ela tem 9 ano", or a verb of booking and a fact its start reads."""
    entities = t.entities()
    if t.event.kind != "text":
        return []
    said = {str(e.get("entity")) for e in entities}
    if _AND_FOR.match(normalise(t.event.text)) and named_for(t.event.text) and said & {"age", "relative_name"}:
        # "e pro meu marido Paulo, 50 anos, pode ser logo dps da minha?": one more appointment, for them
        return [f for f in _triggered_with(t, BookNode) if "relation" in _reads_at_start(t.bot.flows[f])]
    if looks_like_question(t):
        return []
    when = names_when(entities)
    if when and asks_to_book(t.event.text):  # "então marca pra quinta dia 24 de manhã": a verb of booking and a day
        return _triggered_with(t, BookNode)
    found = []
    for flow in (t.bot.flows[f] for f in _triggered_with(t, BookNode)):
        facts = bool(_reads_at_start(flow) & said)
        if not (when or facts):
            continue
        option = any(isinstance(node, AskNode) and node.input == "choice"
                     and fill(node, t.event.text, entities, t.local_now) is not None for node in flow.nodes.values())
        # "quero marcar pra minha avó, quer dizer, bisavó, a Ercília de 92 anos": a verb of booking and who it is for
        if when + facts + option >= 2 or (facts and asks_to_book(t.event.text)):
            found.append(flow.id)
    return found


def _slot_asked(t: BotTurn) -> list[str]:
    """The booking flows, for a message that asks for a free time ("tem horário pra pediatra sábado?", "queria ver
    um horário pra semana que vem"), however well the FAQ's entry on the professional's days explains it."""
    return _triggered_with(t, BookNode) if t.event.kind == "text" and asks_for_slot(t.event.text) else []


def _moved_by_details(t: BotTurn) -> list[str]:
    """The flows that move an appointment (a `reschedule` node), for a message that asks in a verb to move one to
    a day or a time it names: "muda pro outro sábado pf, esse não vai dar", "troca pra sexta de manhã"."""
    if t.event.kind != "text" or not asks_to_move(t.event.text):
        return []
    if not names_when(t.entities()) and not refuses_to_cancel(t.event.text):  # "na vdd queria remarcar, n cancelar"
        return []
    return _triggered_with(t, RescheduleNode)


def _cancelled_by_words(t: BotTurn) -> list[str]:
    """The flows that cancel an appointment (a `cancel` node), for a message that asks in a verb to cancel one
    and asks nothing ("preciso desmarcar aquela consulta de segunda, surgiu um imprevisto"): the classifier may
    read the reason as a wish to move it."""
    if t.event.kind != "text" or looks_like_question(t) or not asks_to_cancel(t.event.text):
        return []
    return _triggered_with(t, CancelNode)


def _triggered_with(t: BotTurn, kind: type[Node]) -> list[str]:
    """The flows a message can trigger (they have intents or keywords) holding a node of `kind`."""
    return [flow.id for flow in t.bot.flows.values() if (flow.triggers.intents or flow.triggers.keywords)
            and any(isinstance(node, kind) for node in flow.nodes.values())]


def _reads_at_start(flow: Flow) -> set[str]:
    """The entities the flow's entry `set` node reads from the message that starts it (who, how old)."""
    entry = flow.nodes.get(flow.entry)
    if not isinstance(entry, SetNode):
        return set()
    return {name for value in entry.vars.values() if isinstance(value, dict) and "expr" in value
            for name in _ENTITY_READ.findall(str(value["expr"]))}


def _greets(t: BotTurn, flow_id: str) -> bool:
    flow = t.bot.flows.get(flow_id)
    return flow is not None and flow.triggers.first_message


def _weak_intent(t: BotTurn) -> str | None:
    """The classifier's best intent when it fell back (below its threshold, or too close to the next)."""
    parsed = t.understood() or {}
    if (parsed.get("intent") or {}).get("name") != getattr(t.services.nlu, "fallback_intent", None):
        return None
    fallback = (parsed.get("intent") or {}).get("name")
    ranked = [i for i in parsed.get("intent_ranking", []) if i.get("name") != fallback]
    if not ranked or float(ranked[0].get("confidence", 0.0)) < WEAK_INTENT or ranked[0]["name"] in OUT_OF_SCOPE:
        return None
    return str(ranked[0]["name"])


def _confidence(t: BotTurn) -> float:
    return float(((t.understood() or {}).get("intent") or {}).get("confidence", 0.0))


_WHEN_WORDS = frozenset({"cedo", "manha", "manhazinha", "tarde", "tardinha", "noite", "madrugada", "hoje", "amanha",
                         "depois", "semana", "mes", "dia", "horario", "hora", "horas"})


_NAME_LEAD_WORDS = frozenset({"chamo", "chamar", "chama", "chamem", "nome", "sou", "aqui", "fala", "pode", "podem"})


def _entity_words(t: BotTurn) -> frozenset[str]:
    """The words that carry the message's entities (a plan, a specialty, a date, who and how old)."""
    text = t.event.text
    words: set[str] = set()
    for entity in t.entities():
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int):
            words |= set(normalise(text[start:end]).split())
        elif entity.get("entity") == "relation":  # "meu netinho": the word said, and the relation it names
            # "pro meu pai, digo, meu sogro": every relative it names is whom it is for
            words |= {str(entity.get("value"))} | {w for w in normalise(text).split()
                                                   if w in RELATIONS or w in SPOKEN_RELATIONS}
            words |= {"outro", "outra"}  # "quero marcar outra pro meu outro filho": one more, for someone else
        elif entity.get("entity") == "age":
            words |= {"anos", "ano", "meses", "mes", "aninhos"}
        elif entity.get("entity") == "person_name":  # "me chamo Tatiana": who, not what is asked
            words |= set(normalise(str(entity.get("value"))).split()) | _NAME_LEAD_WORDS
        elif entity.get("entity") == "relative_name":  # "minha filha Yasmin", "seu Arlindo": whose, not what is asked
            words |= set(normalise(str(entity.get("value"))).split()) | HONORIFICS
        if entity.get("entity") in ("date", "time", "datetime", "interval"):
            words |= _WHEN_WORDS  # "amanhã cedo": the period is part of when
    if t.memo.get("answered_name"):  # "Fabiana, quero marcar clínica geral": the name answered the question
        words |= set(normalise(str(t.memo["answered_name"])).split())
    if t.memo.get("deflected"):  # the symptoms were answered by the deflection: the rest is the request
        words |= {normalise(w) for w in t.words.medical_words} | {"ta", "esta", "estou", "to", "com"}
    return frozenset(words)


def _professional_words(t: BotTurn) -> set[str]:
    """The words naming one of the calendar's professionals in the message ("com a dra Ana"): who, not what
    is asked."""
    return professional_words(t, t.event.text) if t.event.text else set()


def reads_better(t: BotTurn, answer: Answer, node: AskNode) -> bool:
    """An option the parser only guessed (a fuzzy likeness in a sentence) gives way to any reading of
    `choose`; an option a question names ("qnto custa a pediatria?") to a reading that explains more of
    the message than the option's names do."""
    if answer.option is not None and small_talk(t) == "complaint":
        return True  # "fiquei 40 min esperando na recepção, um absurdo" complains, though "recepção" names an option
    if answer.option is not None and asks_for_slot(t.event.text) and (found := choose(t, besides=_running(t))) \
            is not None and found.how == "slot":
        return True  # "quero ver os horários disponíveis" at the menu asks for a free time, not the opening hours
    if not (answer.loose or answer.asked) or answer.option is None:
        return False
    if small_talk(t) in ("who_am_i", "wishes"):
        return True  # "vc é uma pessoa de verdade?" asks about the bot, though "pessoa" names an option; "boas
        # festas pra toda a equipe" wishes, though "equipe" names one
    choice = choose(t, besides=_running(t))
    if choice is not None and choice.kind == "faq" and said_apart(t, answer.option, node):
        return False  # "confirmo! preciso levar algum documento?": the answer, then the FAQ's (`also_wants`)
    if choice is None or answer.loose:
        return choice is not None
    index = t.services.examples
    named = index.share(t.event.text, names(answer.option)) if index is not None else 1.0
    return choice.coverage > named


def said_apart(t: BotTurn, option: Option, node: AskNode) -> bool:
    """The option is a sentence of the message of its own, not a question ("confirmo!"), or the short clause
    that opens a question and that the parser alone reads as that option ("vou sim, mas posso levar minha
    filha junto?")."""
    parts = sentences(t.event.text)
    if len(parts) > 1 and any(not m.group().rstrip().endswith("?") and names_option(option, m.group())
                              for m in parts):
        return True
    head, comma, rest = t.event.text.partition(",")
    if not comma or not rest.rstrip().endswith("?") or not 0 < len(normalise(head).split()) <= _OPENING_ANSWER:
        return False
    alone = read(node, replace(t.event, text=head), t.local_now)
    return alone is not None and alone.option == option


_OPENING_ANSWER = 3  # the words of an answer that opens a longer message ("vou sim, ...")


def also_wants(t: BotTurn) -> Outcome | None:
    """After a short answer taken from a longer message ("sim, quero remarcar", "me chamo Tatiana e queria
    marcar uma consulta"): the flow the rest of the message clearly asks for, as a switch; else None. A
    question the FAQ answers is answered first, and the answer goes on ("sim, o retorno eu pago de novo?")."""
    if len(normalise(t.event.text).split()) < 3 or faq_in_passing(t):
        return None
    if (choice := _other_request(t)) is None:
        return None
    t.took("flow", flow=choice.target, coverage=choice.coverage, how=choice.how, after="answer")
    t.notices.append({"kind": "digression", "from": f"{t.flow.id if t.flow else ''}/{t.state.node}",
                      "to": choice.target})
    t.clear()
    return Jump(choice.target)


async def answered_in_passing(t: BotTurn) -> None:
    """After an option taken from a longer message ("pediatria, é pelo hapvida, tem problema?"), what the rest of it
    asks: a flow whose every question it answers (the health plan's), run aside, else the FAQ's answer."""
    if "?" not in t.event.text or len(normalise(t.event.text).split()) < 3:
        return
    found = _answering_flow(t, _running(t) or "", t.event.text, t.entities(), 0.0)
    if found is not None:
        await run_aside(t, found.target)
        return
    faq_in_passing(t)


async def stated_in_passing(t: BotTurn, node: AskNode, option: Option) -> None:
    """After an option that opens a longer message, a fact the rest of it states, which another flow's options
    name ("clínico geral, mas meu plano é hapvida" at the specialty): that flow, run aside."""
    head, comma, rest = t.event.text.partition(",")
    if not comma or not normalise(rest) or looks_like_question(t) or t.flow is None:
        return
    if isinstance(t.flow.nodes.get(option.next or node.next or ""), GotoNode):
        return  # an option that starts another flow (the menu's booking), which reads the message itself
    alone = read(node, replace(t.event, text=head), t.local_now)
    if alone is None or alone.option != option:
        return
    found = _answering_flow(t, _running(t) or "", rest, t.entities(), 0.0, named_only=True)
    if found is not None:
        await run_aside(t, found.target)


def faq_in_passing(t: BotTurn) -> bool:
    """After an answer taken from a longer message, the FAQ's answer to a question the rest of it asks ("vou
    sim, mas posso levar minha filha junto?" at the reminder). False when it asks none."""
    if len(normalise(t.event.text).split()) < 3 or "?" not in t.event.text:
        return False
    choice = choose(t, besides=_running(t))
    if choice is None or choice.kind != "faq":
        return False
    say_faq(t, choice.target, choice.score, coverage=choice.coverage, after="answer")
    return True


# -- a question asked before the request ---------------------------------------------------------------

_CLAUSES = re.compile(r"[^?.!\n]+[?.!]*")


def sentences(text: str) -> list[re.Match[str]]:
    """The sentences of a message (split after "?", ".", "!" and line breaks), each with some words."""
    return [m for m in _CLAUSES.finditer(text) if normalise(m.group())]


def answered_first(t: BotTurn, acting: str, kind: str = "flow") -> Choice | None:
    """What answers a question the message asks in a sentence of its own, beside the request that starts
    `acting`, so it is said first: "vcs atendem hapvida? queria marcar com a doutora" gets the health-plan
    flow (its question answered by that sentence alone: Hapvida is not taken), "tem estacionamento? vou
    marcar uma consulta" the FAQ's parking entry, "onde fica a clinica? quero marcar" the address flow
    (a flow that only says things, which the sentence's words name); then the booking starts. Not when
    the question is itself the request ("pode marcar pra mim? tenho unimed"). Two questions, each in a
    sentence of its own, get both answers: "vocês atendem sulamérica? e qual o endereço?" (`acting` is then
    a flow that only answers, or the FAQ entry of the other question: `kind` "faq")."""
    text = t.event.text
    if t.event.kind != "text" or not text:
        return None
    parts = sentences(text)
    if len(parts) < 2:
        return None
    index, entities = t.services.examples, t.entities()
    details = _entity_words(t) if index is not None else frozenset()
    for sentence in parts:
        said = sentence.group()
        words = normalise(said).split()
        if not (said.rstrip().endswith("?") or words[0] in t.words.question_words):
            continue
        # how much the question asks for what the acting flow does ("pode marcar pra mim?"): an answer must
        # explain more of it
        doing = index.coverage(said, f"{kind}:{acting}", ignore=details).score \
            if index is not None and f"{kind}:{acting}" in index else 0.0
        inside = [e for e in entities if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)
                  and sentence.start() <= e["start"] and e["end"] <= sentence.end()]
        if (found := _answering_flow(t, acting, said, inside, doing)) is not None:
            return found
        if (found := _sure_answer(t, said, details, inside)) is not None and found.coverage > doing \
                and (kind, acting) != ("faq", found.target):
            return found
    return None


def _answering_flow(t: BotTurn, acting: str, said: str, entities: list[dict[str, Any]],
                    doing: float, *, named_only: bool = False) -> Choice | None:
    """A flow patients start by themselves whose every question `said` answers, or which only says things
    and whose examples explain `said` (more than `doing`: how much the acting flow explains of it).
    `named_only`: only a flow whose questions are all options that `said` names (a statement, not a question)."""
    index = t.services.examples
    for flow in t.bot.flows.values():
        if flow.id == acting or flow.triggers.first_message or not (flow.triggers.intents or flow.triggers.keywords):
            continue
        asks = [node for node in flow.nodes.values() if node.waits]
        if named_only and not all(isinstance(node, AskNode) and node.input == "choice"
                                  and len(entity_options(node, entities)) == 1 for node in asks):
            continue  # a statement: options the NLU's entities name ("ela tem unimed"), not a word ("outro lugar")
        if asks and all(isinstance(node, AskNode) and fill(node, said, entities, t.local_now) is not None
                        for node in asks):
            return Choice("flow", flow.id, 1.0)
        if named_only:
            continue
        if not asks and index is not None and f"flow:{flow.id}" in index \
                and (covered := index.coverage(said, f"flow:{flow.id}").score) >= FAQ_COVERAGE and covered > doing:
            return Choice("flow", flow.id, covered)
    return None


def _sure_answer(t: BotTurn, said: str, details: frozenset[str], entities: list[dict[str, Any]]) -> Choice | None:
    """The FAQ entry the question `said` asks, read as a message of its own would be."""
    faq = t.services.faq
    if faq is None:
        return None
    found = _faq_pick(said, faq.read(said, when=names_when(entities)), t.services.examples, details, asks=True)
    return found if found is not None and t.bot.faq.entry(found.target) is not None else None


async def say_first(t: BotTurn, choice: Choice) -> bool:
    """Say what `answered_first` found; False when its flow asked something after all (it then waits)."""
    if choice.kind == "faq":
        entry = t.bot.faq.entry(choice.target)
        assert entry is not None
        t.say(t.text(entry.answer))
        t.notices.append({"kind": "faq", "entry": entry.id, "score": choice.score})
        return True
    return await run_aside(t, choice.target)


async def run_aside(t: BotTurn, flow_id: str) -> bool:
    """Run `flow_id` to its end within this turn and come back to where the turn was; False (and the flow
    left waiting) when it asked something after all."""
    stack, flow = list(t.state.stack), t.flow
    where = (t.state.flow, t.state.flow_version, t.state.node, t.state.waiting, t.state.retries)
    t.state.stack.clear()
    await t.run(t.start_flow(flow_id))
    if t.state.waiting is not None:
        t.state.stack[:0] = stack
        return False
    t.notices.append({"kind": "aside", "at": f"{where[0] or ''}/{where[2] or ''}", "flow": flow_id})
    t.state.stack[:] = stack
    t.flow = flow
    t.state.flow, t.state.flow_version, t.state.node, t.state.waiting, t.state.retries = where
    return True


_ENTITY_READ = re.compile(r"\bentities\.(\w+)")
_WHO_FACTS = frozenset({"relation", "age", "relative_name"})  # whom an appointment is for: who, how old, their name


def _reads(entry: SetNode, entity: str, t: BotTurn) -> dict[str, Any] | None:
    """The values this message gives the entry node's variables that read `entity`, or None if none does."""
    names = [name for name, value in entry.vars.items() if isinstance(value, dict) and "expr" in value
             and entity in _ENTITY_READ.findall(str(value["expr"]))]
    return {name: t.evaluate(entry.vars[name]["expr"]) for name in names} if names else None


def reread_facts(t: BotTurn) -> Outcome | None:
    """A message that does not answer a question with options but gives a fact the running flow reads
    from the message that started it (its entry `set` node reads `entities.relation`, `entities.age`):
    those variables are read again from this message, and the flow goes on from after that node, so
    who the appointment is for and their age choose the way as if they had been said at first."""
    flow = t.flow
    entry = flow.node(flow.entry) if flow is not None else None
    if not isinstance(entry, SetNode) or entry.next is None:
        return None
    if (other := choose(t, besides=flow.id if flow else None)) is not None and other.kind != "faq":
        return None  # "pensando bem, cancela a do meu filho": another flow's request, about that relative
    said = {str(e.get("entity")) for e in t.entities()}
    who = _reads(entry, "relation", t) if "relation" in said else None
    someone_new = who is not None and any(t.state.vars.get(name) != value for name, value in who.items())
    if someone_new:  # "na verdade é pro meu pai": who it was for (their name, their age) goes with them
        said |= _WHO_FACTS
    reads = {name: value for name, value in entry.vars.items() if isinstance(value, dict) and "expr" in value
             and set(_ENTITY_READ.findall(str(value["expr"]))) & said}
    if not reads:
        return None
    values = {name: t.evaluate(value["expr"]) for name, value in reads.items()}
    if all(t.state.vars.get(name) == value or value in (None, "") for name, value in values.items()):
        return None  # nothing new
    t.state.vars.update({name: value for name, value in values.items() if someone_new or value not in (None, "")})
    t.notices.append({"kind": "reread", "flow": flow.id if flow else "", "vars": sorted(values)})
    return Go(entry.next)




def for_themselves(t: BotTurn) -> Outcome | None:
    """At a question for whom ("Qual é o nome de quem vai ser atendido?"), "ah, na verdade é pra mim mesma":
    the one writing is the one it is for. The variables the running flow's entry reads from who was named
    (`entities.relation`, `entities.age`) are emptied and the flow goes on from after that node, as if
    nobody else had been named. Not when the message names someone ("não é pra mim, é pro meu filho")."""
    text = normalise(t.event.text) if t.event.text else ""
    flow = t.flow
    entry = flow.node(flow.entry) if flow is not None else None
    if not text or not t.words.self_reference.search(text) or not isinstance(entry, SetNode) or entry.next is None:
        return None
    if any(e.get("entity") == "relation" for e in t.entities()):
        return None
    reads = [name for name, value in entry.vars.items() if isinstance(value, dict) and "expr" in value
             and set(_ENTITY_READ.findall(str(value["expr"]))) & _WHO_FACTS]
    if not reads:
        return None
    t.state.vars.update({name: "" for name in reads})
    t.notices.append({"kind": "reread", "flow": flow.id if flow else "", "vars": sorted(reads), "self": True})
    return Go(entry.next)


def answers_only(t: BotTurn, flow_id: str) -> bool:
    """The flow only says things (it never waits for the patient)."""
    flow = t.bot.flows.get(flow_id)
    return flow is not None and not any(node.waits for node in flow.nodes.values())


# -- small talk ----------------------------------------------------------------------------------------

_SMALL_TALK_INTENTS = {"thanks": "thanks", "goodbye": "goodbye"}


def small_talk(t: BotTurn) -> str | None:
    """The kind of small talk this message is (a `messages` key: thanks, later, laughter...), or None."""
    text = normalise(t.event.text) if t.event.text else ""
    if not text:
        return None
    for kind, pattern in t.words.small_talk.items():
        if pattern.search(text):
            return kind
    intent = (t.understood() or {}).get("intent") or {}
    if intent.get("name") in _SMALL_TALK_INTENTS and float(intent.get("confidence", 0.0)) >= 0.8:
        return _SMALL_TALK_INTENTS[str(intent["name"])]
    return None


def small_talk_reply(t: BotTurn, kind: str) -> str:
    """What small talk of `kind` is answered with; "q dia é hj?" with today's date."""
    reply = t.message(kind)
    if kind != "today":
        return reply
    try:
        return reply.format_map(defaultdict(str, t.words.date_fields(t.local_now)))
    except ValueError:  # a bot's own text with a stray brace: as it is
        return reply


def defers(t: BotTurn) -> bool:
    """The message opens by putting the decision off ("vou ver e te falo", "deixa eu ver minha agenda"):
    whatever it names after that is no request."""
    return bool(t.event.text) and t.words.deferring.match(normalise(t.event.text)) is not None \
        and not looks_like_question(t)


def looks_like_question(t: BotTurn) -> bool:
    """The message asks something: it opens with a question word, or it is a sentence with a question
    mark ("hein?" is not: it says the patient did not understand)."""
    words = normalise(t.event.text).split() if t.event.text else []
    return bool(words) and (words[0] in t.words.question_words or ("?" in t.event.text and len(words) >= 3))


# -- a question waits ----------------------------------------------------------------------------------


async def unfit(node: Node, t: BotTurn, question: Question, release: Release | None = None) -> Outcome | None:
    """The answer does not fit the waiting question: the steps after the parser, in order. None when
    none of them took the message: the node re-prompts, led by `lead`."""
    if not t.event.text.strip():
        return None
    if (before := await answers_the_question_before(t)) is not None:  # a name, at the offer after an emergency
        return before
    if _gives_up(t):
        t.took("small_talk", said="give_up")
        booking = _booking(t)
        if release is not None:
            await release()
        await leave_flows(t)
        t.say(t.message("give_up" if booking else "dropped"))
        return Done()
    if (renamed := _renamed(node, t)) is not None:  # "na verdade meu nome é Marcia, não Marcio"
        t.took("renamed", var=renamed)
        return await reask(node, t)
    if small_talk(t) == "someone_real" and (person := t.bot.llm.handoff_flow) is not None and person in t.bot.flows:
        # "isso tá muito confuso, tem alguém de verdade aí?": the offer of a person
        return await digress(t, node, person, release, how="someone_real")
    if (said := small_talk(t)) in ("who_am_i", "complaint"):  # "vc é robô?", "que descaso": an answer, and the
        t.took("small_talk", said=said)  # question keeps waiting
        t.say(small_talk_reply(t, str(said)))
        return Wait()
    if defers(t):  # "deixa eu ver minha agenda": not the patient's appointments
        t.took("small_talk", said="later")
        t.say(t.message("later"))
        return Wait()
    choice = choose(t, besides=_running(t))
    if choice is None and not small_talk(t):
        # "tenho amil, serve?" at a list of slots: the flow whose every question it answers (the health plan's);
        # "ah esqueci de falar, ela tem unimed": one whose options it names
        choice = _answering_flow(t, _running(t) or "", t.event.text, t.entities(), 0.0,
                                 named_only=not looks_like_question(t))
    if choice is not None and choice.kind == "faq":
        say_faq(t, choice.target, choice.score, coverage=choice.coverage)
        return await reask(node, t)
    if choice is not None:
        return await digress(t, node, choice.target, release, coverage=choice.coverage, how=choice.how)
    if (kind := small_talk(t)) is not None:
        t.took("small_talk", said=kind)
        t.say(small_talk_reply(t, kind))
        return Wait()
    return await consult(t, node, question, release)


def _gives_up(t: BotTurn) -> bool:
    """The message drops the waiting question and asks nothing more: "desisto, não quero mais marcar", which the
    classifier may read as cancelling an appointment, not "esquece isso, me passa o endereço"."""
    if small_talk(t) != "give_up":
        return False
    if not content_words(t.words.small_talk["give_up"].sub(" ", normalise(t.event.text))):
        return True  # "deixa pra lá", "desisti, não quero mais marcar": nothing but the giving up
    choice = choose(t, besides=_running(t))
    return choice is None or (choice.kind == "flow" and choice.how in ("intent", "weak_intent")
                              and choice.request < WEAK_COVERAGE)


def _booking(t: BotTurn) -> bool:
    """A booking is under way: the running flow, or one that called it, books an appointment."""
    running = [t.flow.id] if t.flow is not None else []
    running += [frame.flow for frame in t.state.stack]
    return any(isinstance(node, BookNode) for flow in running if (f := t.bot.flows.get(flow)) is not None
               for node in f.nodes.values())


_OWN_NAME = re.compile(r"\b(?:meu nome|me chamo|me chama|pode me chamar|podem me chamar)\b")
# The name typed wrong before, corrected: "ops escrevi errado, é Fernanda"
_MISTYPED = re.compile(r"\b(?:escrevi|digitei|coloquei|botei)\s+(?:o\s+)?(?:meu\s+nome\s+)?errad[oa]\b")


def _renamed(node: Node, t: BotTurn) -> str | None:
    """The patient's own name said again at another question ("na verdade meu nome é Marcia, não Marcio"): the
    contact's name variable (bot.json `variables`, scope `contact`, filled by a name question) takes it, and
    `messages.renamed` says so. The variable's name, or None."""
    folded = normalise(t.event.text)
    mistyped = _MISTYPED.search(folded) is not None  # "ops escrevi errado, é Fernanda kkk"
    if isinstance(node, AskNode) and node.input == "name" or not (_OWN_NAME.search(folded) or mistyped):
        return None
    choice = choose(t, besides=_running(t))
    # "meu nome é Marcia, quero marcar": the request goes first; not a flow the classifier is sure of only by the
    # words that give the name ("pode me chamar de Bia" is no "me chama alguém")
    if choice is not None and not (choice.how == "intent" and choice.request < MIN_INTENT_COVERAGE):
        return None
    name = person_name(t.event.text) or (last_clause_name(t.event.text) if mistyped else None)
    var = _contact_name_var(t)
    if name is None or var is None:
        return None
    t.state.vars[var] = name
    own = t.bot.messages.get("renamed")
    source = localize(own, t.locale, t.bot.default_locale) if own else t.words.messages["renamed"]
    t.say(t.render(source, {"name": name}))
    return var


def _contact_name_var(t: BotTurn) -> str | None:
    """The contact's name variable: one of scope `contact` that a name question fills."""
    asked = {n.var for flow in t.bot.flows.values() for n in flow.nodes.values()
             if isinstance(n, AskNode) and n.input == "name" and n.var}
    return next((v for v, spec in t.bot.variables.items() if spec.scope == "contact" and v in asked), None)


def _asks_name(t: BotTurn, flow_id: str) -> bool:
    """The flow has a name question of its own."""
    flow = t.bot.flows.get(flow_id)
    return flow is not None and any(isinstance(n, AskNode) and n.input == "name" for n in flow.nodes.values())


# The writer says who they are, in the first person: "sou o Adenilson", "aqui é a Carla", "me chamo Rosa"
_INTRODUCES = re.compile(r"\b(?:meu nome (?:e|eh)|me chamo|pode me chamar de|sou [oa]|aqui (?:e|eh) [oa])\s+(\w+)")


def introduced(t: BotTurn, choice: Choice | None) -> None:
    """A message no question waits for that says the writer's name in passing ("aceitam porto seguro? sou o
    Adenilson") fills the contact's name variable when it is still empty, so no flow asks it again; not
    when the flow it starts has a name question of its own, which reads (and greets) the name."""
    if not (said := _INTRODUCES.search(normalise(t.event.text))):
        return
    if choice is not None and choice.kind == "flow" and _asks_name(t, choice.target):
        return
    var = _contact_name_var(t)
    if var is None or t.state.vars.get(var):
        return
    name = person_name(t.event.text)
    if name is not None and normalise(name).split()[:1] == [said.group(1)]:
        t.state.vars[var] = name


async def reask(node: Node, t: BotTurn) -> Outcome:
    return await t.handlers.nodes.reask(node)(node, t)


async def digress(t: BotTurn, node: Node, flow: str, release: Release | None = None, **detail: Any) -> Outcome:
    """Run `flow` now. When it is over within this turn, the waiting question is asked again; when it
    waits for the patient itself, or the message turns the question down first ("não, eu quero saber
    da minha consulta"), it is a switch: the old question and its callers are dropped."""
    t.took("flow", flow=flow, **detail)
    if (first := answered_first(t, flow)) is not None and not await say_first(t, first):
        return Done()
    here = f"{t.flow.id if t.flow else ''}/{node.id}"
    old_step = t.state.private.booking
    if _turns_down(t):
        await _drop_question(t, old_step, release)
        return await switch(t, here, flow)
    depth = len(t.state.stack)
    t.push(node.id, reenter=True)
    await t.run(t.start_flow(flow))
    if t.state.waiting is not None and len(t.state.stack) > depth:
        del t.state.stack[:depth + 1]
        await _drop_question(t, old_step, release)
        t.notices.append({"kind": "digression", "from": here, "to": flow})
    else:
        t.notices.append({"kind": "aside", "at": here, "flow": flow})
    return Done()


async def switch(t: BotTurn, here: str, flow: str) -> Outcome:
    """Leave the running flows (the question at `here` included) for `flow`, for good."""
    t.clear()
    t.notices.append({"kind": "digression", "from": here, "to": flow})
    await t.run(t.start_flow(flow))
    return Done()


async def _drop_question(t: BotTurn, old_step: dict[str, Any] | None, release: Release | None) -> None:
    """The old question is left for good: a slot it held is given back, its step forgotten."""
    if release is not None:
        await release()
    if t.state.private.booking is old_step:
        t.state.private.booking = None


async def consult(t: BotTurn, node: Node, question: Question, release: Release | None = None) -> Outcome | None:
    """The language model, once per turn, with the waiting question as context."""
    if t.services.llm is None or t.memo.get("consulted") or not t.event.text.strip():
        return None
    t.memo["consulted"] = True
    command = (await decide(t, question)).command
    t.took("llm", command=command.command if command else None)
    if command is None:
        return None
    match command.command:
        case "fill_answer":
            return await _fill_answer(node, t, question, command.value or "")
        case "answer_faq" | "set_variable":
            if command.command == "set_variable" and command.variable is not None:
                t.state.vars[command.variable] = command.value
            else:
                t.say(command.text or "")
            return await reask(node, t)
        case "small_talk":
            t.say(command.text or "")
            return Wait()
        case "medical":
            t.notices.append({"kind": "medical_deflection"})
            t.say(t.message("medical"))
            return await reask(node, t)
        case "start_flow":
            assert command.flow is not None
            return await digress(t, node, command.flow, release)
        case "handoff":
            if release is not None:
                await release()
            await leave_flows(t)
            return Jump(t.bot.llm.handoff_flow or t.bot.fallback_flow or t.bot.entry_flow)
    return None  # out of scope: the re-prompt says so when the message asked something


def _turns_down(t: BotTurn) -> bool:
    """The message opens by saying no to the question ("não, ...", "nada disso, ...")."""
    words = normalise(t.event.text).split()
    return len(words) > 2 and (words[0] in {"nao", "n"} or words[:2] == ["nada", "disso"])


async def _fill_answer(node: Node, t: BotTurn, question: Question, value: str) -> Outcome | None:
    """Read the model's answer as the patient's own: a pressed option, or typed text."""
    resume = t.handlers.nodes.resume(node)
    if resume is None:
        return None
    option = value in {i for i, _ in question.options}
    t.event = replace(t.event, text="" if option else value, choice_id=value if option else None)
    return await resume(node, t)


def asked_in_passing(t: BotTurn) -> bool:
    """The message is a question of its own nothing here answers (out of scope for the model, or a
    sentence that asks), not a failed answer to the waiting question ("como assim" is one)."""
    words = normalise(t.event.text).split() if t.event.text else []
    return (looks_like_question(t) or bool(t.memo.get("deflected"))) and len(words) >= 3


def lead(t: BotTurn, input_type: str) -> str:
    """What a re-prompt says before the question: that there is no answer to a question asked in
    passing, else that the answer was not understood and what is expected. A health question the
    deflection has just answered needs neither, nor a free time asked for while booking (the question is
    the way to it): the question is asked again as it was."""
    if t.memo.get("deflected") or t.memo.get("about_booking"):
        return ""
    if looks_like_question(t):
        return t.message("unanswered")
    expected = t.words.expected.get(input_type, "")
    return f"{t.message('invalid')} {expected}".strip()


def note_reprompt(t: BotTurn) -> None:
    t.took("reprompt", retries=t.state.retries)


# -- nothing waits -------------------------------------------------------------------------------------


async def read_idle(t: BotTurn) -> Assisted:
    """`Handlers.idle`: a message no question waits for. A trigger or the FAQ, small talk, the model,
    the bot's fallback message; Assisted(False) lets the engine start the fallback (or first) flow."""
    if not t.event.text.strip() and t.event.choice_id is None:
        return Assisted(False)
    choice = choose(t)
    introduced(t, choice)  # "aceitam porto seguro? sou o Adenilson": answered, and the name kept
    greets = any(f.triggers.first_message for f in t.bot.flows.values())
    if (choice is not None and choice.kind == "flow" and t.state.turns == 0 and greets
            and answers_only(t, choice.target)):
        t.took("flow", flow=choice.target, coverage=choice.coverage, how=choice.how)
        if (first := answered_first(t, choice.target)) is not None and not await say_first(t, first):
            return Assisted(True)
        await t.run(t.start_flow(choice.target))  # a question in the first message: answered, then the greeting
        return Assisted(True)
    if choice is not None and choice.kind == "flow":
        t.took("flow", flow=choice.target, coverage=choice.coverage, how=choice.how)
        if (first := answered_first(t, choice.target)) is not None and not await say_first(t, first):
            return Assisted(True)
        return Assisted(True, choice.target)
    if choice is not None and t.bot.faq_settings.fallback:
        if (first := answered_first(t, choice.target, "faq")) is not None and not await say_first(t, first):
            return Assisted(True)  # "tem estacionamento? e aceita pix?": both answers
        say_faq(t, choice.target, choice.score, coverage=choice.coverage)
        return Assisted(True)
    if t.state.turns == 0:  # a first message: greet as usual
        return Assisted(False)
    if (kind := small_talk(t)) is not None and kind != "greeting":  # a greeting, with nothing waiting: the menu
        t.took("small_talk", said=kind)
        t.say(small_talk_reply(t, kind))
        return Assisted(True)
    if t.services.llm is not None and t.event.text.strip():
        return act(t, (await decide(t)).command)
    if t.intent() not in (None, *OUT_OF_SCOPE):  # the nlu knows this message, no flow takes it: the menu
        return Assisted(False)
    if t.bot.messages.get("fallback"):
        t.took("fallback")
        t.say(t.message("fallback"))
        return Assisted(True, t.bot.fallback_flow or t.bot.entry_flow)
    return Assisted(False)
