"""What each node kind does when the flow reaches it, and when the user answers it."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flows.messages import Media, Template
from flows.nodes import AskNode, BranchNode, CallNode, EndNode, GotoNode, SendNode, SetNode, TemplateRef
from flows.templating import evaluate, render
from runtime.engine.outcomes import Call, Go, Jump, Outcome, Wait
from runtime.nodes import inputs
from runtime.nodes.ask_timeouts import ask_started
from runtime.nodes.assist import answer_from_faq
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
    scope = t.variables()
    return Template(ref.name, ref.language or t.locale.replace("-", "_"), tuple(render(p, scope) for p in ref.params),
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
    _ask(node, t)
    ask_started(node, t)
    return Wait()



async def resume_ask(node: AskNode, t: BotTurn) -> Outcome:
    answer = inputs.read(node, t.event, t.now.astimezone(ZoneInfo(t.bot.timezone)))
    if answer is not None:
        t.state.vars[node.var] = answer.value
        t.state.retries = 0
        return Go(answer.option.next if answer.option and answer.option.next else node.next)
    if node.input != "text" and (flow := t.triggered_flow()) is not None:
        t.notices.append({"kind": "digression", "from": f"{t.flow.id if t.flow else ''}/{node.id}", "to": flow})
        t.clear()
        return Jump(flow)
    if node.input != "text" and answer_from_faq(t):  # a question in passing: answer it, then ask again
        _ask(node, t)
        return Wait()
    t.state.retries += 1
    if t.state.retries <= node.retries:
        if node.reprompt:
            again = t.text(node.reprompt)
            t.say(again, options=t.options(node), options_style=node.options_style,
                  list_button=t.text(node.list_button) if node.list_button else "")
        else:
            _ask(node, t, lead=t.message("invalid"))
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
    for name, value in node.vars.items():
        scope = t.variables()
        if isinstance(value, dict) and "expr" in value:
            value = evaluate(value["expr"], scope)
        elif isinstance(value, str):
            value = render(value, scope)
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
