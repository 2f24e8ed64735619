"""The closed set of commands the model may choose, and their validation against the bot.

Whatever the model writes is only a proposal: `check` accepts it when every name it uses is in
the bot's catalog and its text stays within what papo itself knows; otherwise it is `Refused`
and the bot's own fallback is used. Nothing the model writes is sent unchecked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from nlu.text import normalise
from runtime.locales import Pack

CommandName = Literal["answer_faq", "start_flow", "set_variable", "fill_answer", "handoff", "small_talk", "medical",
                      "out_of_scope"]
SMALL_TALK_LIMIT = 200
ANSWER_LIMIT = 600
# Figures (prices, times, dates, counts) in a written answer must come from the entry itself.
_FIGURE = re.compile(r"\d+(?:[.,:h]\d+)*")


class Command(BaseModel):
    """One decision of the model: `command` plus the fields that command uses (others null)."""

    model_config = ConfigDict(extra="forbid")

    command: CommandName
    faq_id: str | None = None
    flow: str | None = None
    variable: str | None = None
    value: str | None = None
    text: str | None = None


def response_format() -> dict[str, Any]:
    """The strict JSON Schema the provider must answer with (OpenAI Structured Outputs)."""
    schema = Command.model_json_schema()
    schema["required"] = list(schema["properties"])
    return {"type": "json_schema", "json_schema": {"name": "command", "strict": True, "schema": schema}}


@dataclass(frozen=True, slots=True)
class Catalog:
    """What the model may name: FAQ entries (id -> answer), flows, settable variables, and, when a
    question waits, its answer (`fill_answer`): one of `answers` (the options' ids) when it has options."""

    faq: Mapping[str, str] = field(default_factory=dict)
    flows: frozenset[str] = frozenset()
    settable: frozenset[str] = frozenset()
    question: bool = False  # a question waits for the patient's answer
    answers: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Refused:
    reason: str


def parse(raw: str | Mapping[str, Any]) -> Command | Refused:
    """A Command from the provider's JSON text or tool-call arguments."""
    try:
        data = json.loads(raw) if isinstance(raw, str) else dict(raw)
        return Command.model_validate(data)
    except (ValueError, ValidationError) as exc:
        return Refused(f"not a valid command: {type(exc).__name__}")


def check(command: Command, catalog: Catalog, words: Pack) -> Command | Refused:
    """The command if the bot allows it; small talk may not speak of money, times or days in the
    conversation's language (`words`, its language pack)."""
    match command.command:
        case "answer_faq":
            return _check_answer(command, catalog)
        case "start_flow":
            if command.flow not in catalog.flows:
                return Refused(f"flow {command.flow!r} is not one the model may start")
        case "set_variable":
            if command.variable not in catalog.settable or not command.value or len(command.value) > 100:
                return Refused(f"variable {command.variable!r} may not be set by the model")
        case "fill_answer":
            return _check_fill(command, catalog)
        case "small_talk":
            text = (command.text or "").strip()
            if not text or len(text) > SMALL_TALK_LIMIT or words.money_or_time.search(normalise(text)):
                return Refused("small talk is empty, too long, or speaks of prices, times or dates")
    return command


def _check_fill(command: Command, catalog: Catalog) -> Command | Refused:
    """An answer to the waiting question: there must be one, and an option's id when it has options
    (the node still reads the value as it reads the patient's own answer)."""
    value = (command.value or "").strip()
    if not catalog.question:
        return Refused("no question waits for an answer")
    if not value or len(value) > 100:
        return Refused("the answer is empty or too long")
    if catalog.answers and value not in catalog.answers:
        return Refused(f"{value!r} is not one of the question's options")
    return command.model_copy(update={"value": value})


def _check_answer(command: Command, catalog: Catalog) -> Command | Refused:
    if command.faq_id is None or command.faq_id not in catalog.faq:
        return Refused(f"FAQ entry {command.faq_id!r} does not exist")
    source = catalog.faq[command.faq_id]
    text = (command.text or "").strip()
    allowed = set(_FIGURE.findall(source))
    if not text or len(text) > ANSWER_LIMIT or any(f not in allowed for f in _FIGURE.findall(text)):
        # The rewording adds figures the entry does not have: say the entry's own words instead.
        return command.model_copy(update={"text": source})
    return command.model_copy(update={"text": text})
