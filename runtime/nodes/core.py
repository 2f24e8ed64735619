"""What each node kind does when the flow reaches it, and when the user answers it."""

from __future__ import annotations

from typing import Any

from flows.messages import Media, Template
from flows.nodes import AskNode, BranchNode, CallNode, EndNode, GotoNode, SendNode, SetNode, TemplateRef
from nlu import yes_no
from nlu.slots import person_name
from runtime.engine.outcomes import Call, Go, Jump, Outcome, Wait
from runtime.nodes import context, inputs
from runtime.nodes.ask_timeouts import ask_started
from runtime.nodes.assist import Question
from runtime.nodes.services import BotTurn


async def enter_send(node: SendNode, t: BotTurn) -> Outcome:
    media = None
    if node.media is not None:
        caption = t.text(node.media.caption) if node.media.caption else ""
        media = Media(node.media.kind, url=node.media.url, id=node.media.id, caption=caption,  # type: ignore[arg-type]
                      filename=node.media.filename)
    template = _template(node.template, t) if node.template is not None else None
    t.say(t.text(node.text) if node.text else "", options=t.options(node), options_style=node.options_style,
          list_button=t.text(node.list_button) if node.list_button else "", media=media, template=template)
    return Go(node.next)


def _ask(node: AskNode, t: BotTurn, lead: str = "") -> None:
    question = t.text(node.text)
    t.say(f"{lead}\n{question}" if lead else question, options=t.options(node),
          options_style=node.options_style, list_button=t.text(node.list_button) if node.list_button else "",
          template=_template(node.template, t) if node.template is not None and not lead else None)


def _template(ref: TemplateRef, t: BotTurn) -> Template:
    return Template(ref.name, ref.language or t.locale.replace("-", "_"), tuple(t.render(p) for p in ref.params),
                    ref.buttons)


def _next_for(node: AskNode, value: Any) -> str | None:
    for option in node.options:
        if option.id == value and option.next:
            return option.next
    return node.next



async def enter_ask(node: AskNode, t: BotTurn) -> Outcome:
    if node.skip_if and t.holds(node.skip_if):
        return Go(_next_for(node, t.state.vars.get(node.var)))
    t.state.retries = 0
    filled = _filled(node, t)
    source = "message"
    if filled is None and (filled := _opened_with(node, t)) is not None:
        source = "opening"
    if filled is None and (filled := _opened_with(node, t, "before")) is not None:
        source = "asked_before"
    if filled is not None:  # said already, in the message that brought the patient here (or started the flow)
        t.state.vars[node.var] = filled.value
        t.notices.append({"kind": "filled", "node": f"{t.flow.id if t.flow else ''}/{node.id}", "var": node.var,
                          "from": source})
        return Go(filled.option.next if filled.option and filled.option.next else node.next)
    if (flow := context.asked_next(node, t)) is not None:  # "Bradesco, e já quero marcar": that, then this
        return await context.digress(t, node, flow)
    _ask(node, t)
    ask_started(node, t)
    return Wait()


def _filled(node: AskNode, t: BotTurn) -> inputs.Answer | None:
    """The answer this turn's message already gives, read strictly; not when the message was itself the
    answer to a question of another type, unless it says more than that answer and the question's options
    are no answers of that type ("aqui é o Givaldo, quero marcar com a doutora Ana", "sim, quero marcar com
    o pediatra"); nor when the question is asked again within the turn."""
    if t.event.kind != "text" or not t.event.text.strip():
        return None
    if t.memo.get("answered") not in (None, "choice") and not _says_more(node, t, str(t.memo.get("answered"))):
        return None
    if t.trace.count(f"{t.flow.id if t.flow else ''}/{node.id}") > 1:
        return None
    return inputs.fill(node, t.event.text, t.entities(), t.local_now, someone_else=about_someone_else(node, t))


def _says_more(node: AskNode, t: BotTurn, answered: str) -> bool:
    if node.input != "choice":
        return False
    if answered == "name":  # the name came with its lead, or before a request: the rest is more
        return person_name(t.event.text) is not None or inputs.name_before_request(t.event.text) is not None
    return answered == "yes_no" and len(t.event.text.split()) >= 3 \
        and all(yes_no(name) is None for option in node.options for name in inputs.names(option))


def about_someone_else(node: AskNode, t: BotTurn) -> bool:
    """A name question whose variable is not one of the contact's own (bot.json `variables`, scope
    `contact`): "Qual é o nome de quem vai ser atendido?", not "Como posso te chamar?"."""
    variable = t.bot.variables.get(node.var) if node.var else None
    return node.input == "name" and (variable is None or variable.scope != "contact")


def _opened_with(node: AskNode, t: BotTurn, said: str = "text") -> inputs.Answer | None:
    """The option of a question with options that the message which started the running flow named outright,
    turns ago ("meu filho precisa passar com o dr bruno", then the name, then "Qual especialidade?"); with
    `said="before"`, that the question the FAQ answered just before that message named ("tem pediatra segunda?",
    then "então quero marcar no sábado": the pediatrician; "quanto é a consulta com a doutora?", then "ok então
    quero marcar com ela" and the name: her specialty). Once per question, so a flow that comes back to it asks."""
    opening = t.state.private.opening
    if node.input != "choice" or t.flow is None or not opening or opening.get("flow") != t.flow.id:
        return None
    text = str(opening.get(said) or "")
    if not text or node.id in opening.get("used", []) or (said == "text" and text == t.event.text.strip()):
        return None  # nothing said, answered from it once already, or it is this turn's message (read above)
    filled = inputs.fill(node, text, [], t.local_now)
    if filled is not None:
        opening["used"] = [*opening.get("used", []), node.id]
    return filled


async def reask_ask(node: AskNode, t: BotTurn) -> Outcome:
    """The question again, as it is (after an answer given in passing, a safety message or a reminder)."""
    _ask(node, t)
    ask_started(node, t)
    return Wait()


def question(node: AskNode, t: BotTurn) -> Question:
    return Question(t.text(node.text), node.input, tuple((o.id, t.text(o.title)) for o in node.options))


async def resume_ask(node: AskNode, t: BotTurn) -> Outcome:
    """The reading order at a question: its parser; then, when the answer does not fit, the FAQ or
    another flow, small talk and the language model (`runtime.nodes.context`); then a re-prompt."""
    answer = inputs.read(node, t.event, t.local_now, someone_else=about_someone_else(node, t))
    if answer is not None and answer.option is not None and context.reads_better(t, answer, node):
        answer = None  # a guessed option, or one a question names, and the FAQ or a flow reads it better
    if answer is not None:
        t.memo["answered"] = node.input
        if node.options and inputs.by_position(node, t.event):
            t.memo["by_position"] = True  # "a segunda" (Pediatria): a position, not Monday
        if node.input == "name" and inputs.name_before_request(t.event.text) is not None:
            t.memo["answered_name"] = str(answer.value)  # "Fabiana, quero marcar": who, not what is asked
        t.state.vars[node.var] = answer.value
        t.state.retries = 0
        if node.input == "name":
            context.reread_facts(t)  # "Helena, ela tem 8 meses": her age too
        after = answer.option.next if answer.option and answer.option.next else node.next
        thanks = _acknowledgement(node, t, after)  # looked up before `also_wants` leaves the flow
        if node.input in ("yes_no", "name") and (wanted := context.also_wants(t)) is not None:
            if thanks is not None and thanks.text:
                t.say(t.text(thanks.text))  # "Prazer, Fabiana!", then the booking the rest of the message asks for
            return wanted  # "blz, quero marcar então": the answer, then what the rest of the message asks for
        if node.input == "choice" and answer.option is not None and context.said_apart(t, answer.option, node):
            await context.answered_in_passing(t)  # "vou sim, mas posso levar minha filha junto?" at the reminder
        elif node.input == "choice" and answer.option is not None:
            await context.stated_in_passing(t, node, answer.option)  # "clínico geral, mas meu plano é hapvida"
        return Go(after)
    if node.options and not context.looks_like_question(t) and context.small_talk(t) is None \
            and (reread := context.reread_facts(t)) is not None:
        return reread  # "é pra minha mãe, ela tem 72 anos" at the specialty question
    if node.input == "name" and (own := context.for_themselves(t)) is not None:
        return own  # "é pra mim mesma" when asked whom the appointment is for
    taken = await context.unfit(node, t, question(node, t))
    if taken is not None:
        return taken
    return _reprompt(node, t)


def _acknowledgement(node: AskNode, t: BotTurn, after: str | None) -> SendNode | None:
    """A name's acknowledgement ("Prazer, {{ nome }}!"): the text alone that the flow says right after the
    question, said before a switch to what the rest of the message asks for."""
    follow = t.flow.nodes.get(after) if node.input == "name" and t.flow is not None and after else None
    if isinstance(follow, SendNode) and follow.text and not (follow.options or follow.media or follow.template):
        return follow
    return None


def _reprompt(node: AskNode, t: BotTurn) -> Outcome:
    lead = context.lead(t, node.input)
    if not context.asked_in_passing(t):  # a question asked in passing is no failed answer
        t.state.retries += 1
    context.note_reprompt(t)
    if t.state.retries <= node.retries:
        if node.reprompt and lead and lead != t.message("unanswered"):
            t.say(t.text(node.reprompt), options=t.options(node), options_style=node.options_style,
                  list_button=t.text(node.list_button) if node.list_button else "")
        else:
            _ask(node, t, lead=lead)
        return Wait()
    t.state.retries = 0
    t.notices.append({"kind": "gave_up", "node": node.id})
    if node.on_invalid:
        return Go(node.on_invalid)
    t.say(t.message("gave_up"))
    return Go(None)



async def enter_branch(node: BranchNode, t: BotTurn) -> Outcome:
    for case in node.cases:
        if t.holds(case.condition):
            return Go(case.next)
    return Go(node.default)



async def enter_set(node: SetNode, t: BotTurn) -> Outcome:
    for name, value in node.vars.items():  # each sees the ones set before it
        if isinstance(value, dict) and "expr" in value:
            value = t.evaluate(value["expr"])
        elif isinstance(value, str):
            value = t.render(value)
        if name == "locale":  # the conversation's language, not a variable
            if value in t.bot.all_locales:
                t.state.locale = value
            continue
        t.state.vars[name] = value
    return Go(node.next)



async def enter_goto(node: GotoNode, t: BotTurn) -> Outcome:
    return Jump(node.flow) if node.flow else Go(node.node)



async def enter_call(node: CallNode, t: BotTurn) -> Outcome:
    return Call(node.flow, node.next)



async def enter_end(node: EndNode, t: BotTurn) -> Outcome:
    if node.text:
        t.say(t.text(node.text))
    if node.outcome:
        t.notices.append({"kind": "outcome", "outcome": node.outcome})
    return Go(None)
