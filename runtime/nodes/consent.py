"""The `consent` node: the question with yes/no buttons; the answer becomes the conversation's consent
for the purpose and a ledger entry (text id and SHA-256 of the words shown, the message id)."""

from __future__ import annotations

import re

import nlu
from flows.messages import Option
from flows.nodes import ConsentNode
from nlu.choice import option_number
from runtime.engine.outcomes import Go, Outcome, Wait
from runtime.engine.routing import record_consent
from runtime.locales import YES_NO_IDS
from runtime.nodes import context
from runtime.nodes.assist import Question
from runtime.nodes.services import BotTurn
from runtime.privacy.consent import text_hash

_BUTTONS = {"pt-BR": ("Sim, aceito", "Não, obrigado"), "en": ("Yes, I agree", "No, thanks")}


def _buttons(node: ConsentNode, t: BotTurn) -> tuple[Option, Option]:
    yes, no = _BUTTONS.get(t.words.locale, _BUTTONS["en"])
    return (Option(t.words.yes_id, t.text(node.yes) if node.yes else yes),
            Option(t.words.no_id, t.text(node.no) if node.no else no))


def _ask(node: ConsentNode, t: BotTurn) -> None:
    t.say(t.text(node.text), options=_buttons(node, t))


async def enter_consent(node: ConsentNode, t: BotTurn) -> Outcome:
    answered = t.state.consent(node.purpose)
    if node.skip_if_answered and answered is not None:
        return Go(node.next if answered else node.on_refuse or node.next)
    _ask(node, t)
    return Wait()


def question(node: ConsentNode, t: BotTurn) -> Question:
    return Question(t.text(node.text), "yes_no", tuple((o.id, o.title) for o in _buttons(node, t)))


async def resume_consent(node: ConsentNode, t: BotTurn) -> Outcome:
    """A button, its number ("1": yes) or a yes or a no; else the reading order's next steps (the FAQ or
    another flow, small talk), then the question again."""
    pressed = YES_NO_IDS.get(t.event.choice_id or "")
    text = t.event.text.strip()
    if pressed is None and text and (position := option_number(text, 2)) is not None:
        pressed = position == 0  # "1" is the first button, yes, as its list shows it
    asks = pressed is None and _asks_first(text)
    reply = pressed if pressed is not None else nlu.yes_no(text) if text and not asks else None
    if reply is None:
        if (taken := await context.unfit(node, t, question(node, t))) is not None:
            return taken
        if not asks:  # a question gets the question again, which says how often and how to stop
            t.say(t.message("invalid"))
        _ask(node, t)
        return Wait()
    record_consent(t, node.purpose, reply, source=f"consent_node:{t.flow.id if t.flow else ''}/{node.id}",
                   text_id=node.text_id, text_hash=text_hash(t.text(node.text)))
    if not reply:
        return Go(node.on_refuse or node.next)
    if node.purpose == "reminders":
        t.state.opted_out_at = None
    return Go(node.next)


def _asks_first(text: str) -> bool:
    """The message asks something before any yes or no ("e vcs mandam muita coisa? n quero ser bombardeada"):
    no answer to record; "sim, mas quantas vezes?" answers first."""
    head = _CLAUSE.split(text, maxsplit=1)[0]
    return "?" in text and nlu.yes_no(head) is None


_CLAUSE = re.compile(r"[?,.!;]")


async def reask_consent(node: ConsentNode, t: BotTurn) -> Outcome:
    _ask(node, t)
    return Wait()
