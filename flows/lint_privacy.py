"""Privacy lint (LGPD art. 9; WhatsApp Business policy): a bot that talks on a channel publishes a
privacy notice and offers a way to a person; no question asks for a card number."""

from __future__ import annotations

import re
from collections.abc import Callable

from .model import Bot
from .nodes import AskNode, HandoffNode, Text

Report = Callable[..., None]

CARD_SAMPLES = tuple("4111111111111111111"[:n] for n in range(13, 20))  # card numbers have 13 to 19 digits
_CARD_WORDS = re.compile(r"(n[uú]mero|n[ºo°]|dados|d[ií]gitos)\s+do\s+(seu\s+)?cart[aã]o|card\s+number"
                         r"|cart[aã]o\s+de\s+cr[eé]dito", re.IGNORECASE)


def lint_privacy(bot: Bot, bot_file: str, report: Report) -> None:
    if bot.channels and not bot.privacy.declared:
        report(bot_file, "/privacy", "missing-privacy", "this bot talks on channels but has no privacy notice",
               'add "privacy": {"controller", "dpo", "purposes", "retention", "recipients", "rights"} '
               "(LGPD art. 9); \"privacidade\" answers from it")
    if bot.channels and not _reaches_a_person(bot):
        report(bot_file, "/channels", "no-human", "no flow of this bot hands the conversation to a person",
               "add a handoff node to a flow the patient can reach (a trigger, an interrupt, the fallback flow), "
               "or a privacy.human_contact saying how to reach one (WhatsApp Business policy)")
    for flow in bot.flows.values():
        for node in flow.nodes.values():
            if isinstance(node, AskNode):
                _lint_ask(node, flow.file, report)


def _lint_ask(node: AskNode, file: str, report: Report) -> None:
    pointer = f"/nodes/{node.id}"
    if node.pattern is not None:
        try:
            takes_card = any(re.fullmatch(node.pattern, sample) for sample in CARD_SAMPLES)
        except re.error:
            takes_card = False  # reported as bad-pattern
        if takes_card:
            report(file, f"{pointer}/pattern", "card-pattern",
                   f"pattern {node.pattern!r} accepts a number of 13 to 19 digits, the shape of a card number",
                   "papo masks card numbers at ingest and WhatsApp forbids asking for them; limit the digits",
                   "warning")
    if any(_CARD_WORDS.search(text) for text in _texts(node.text)):
        report(file, f"{pointer}/text", "card-question", "this question asks for a card number",
               "never ask for a full card number in a chat (WhatsApp Business policy); send a payment link",
               "warning")


def _texts(text: Text) -> list[str]:
    return [text] if isinstance(text, str) else list(text.values())


def _reaches_a_person(bot: Bot) -> bool:
    if bot.privacy.human_contact:
        return True
    starts = {bot.entry_flow, bot.fallback_flow, bot.llm.handoff_flow,
              *(i.flow for i in bot.interrupts), *(f.id for f in bot.flows.values() if f.triggers.keywords
                                                    or f.triggers.intents or f.triggers.first_message)}
    seen: set[str] = set()
    todo = [f for f in starts if f and f in bot.flows]
    while todo:
        flow = bot.flows[todo.pop()]
        if flow.id in seen:
            continue
        seen.add(flow.id)
        if any(isinstance(node, HandoffNode) for node in flow.nodes.values()):
            return True
        todo += [name for node in flow.nodes.values() for _, name in node.flow_refs() if name in bot.flows]
    return False
