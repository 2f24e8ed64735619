"""The published JSON Schemas, and schema errors turned into plain-words `FlowIssue`s."""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

from .errors import FlowIssue
from .jsonpos import Positions, pointer_of

SCHEMA_NAMES = ("bot", "flow", "layout", "test")
_JSON_TYPES = {dict: "an object", list: "a list", str: "a text", bool: "true/false", int: "a number",
               float: "a number", type(None): "null"}


def schema_text(name: str) -> str:
    return resources.files("flows").joinpath(f"schema/{name}.schema.json").read_text(encoding="utf-8")


@cache
def _registry() -> Registry:
    resources_ = []
    for name in SCHEMA_NAMES:
        schema = json.loads(schema_text(name))
        resources_.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources_)


@cache
def validator(name: str) -> Draft202012Validator:
    schema = json.loads(schema_text(name))
    return Draft202012Validator(schema, registry=_registry())


def schema_issues(name: str, data: Any, file: str, positions: Positions) -> list[FlowIssue]:
    errors = sorted(validator(name).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    issues = [_issue(error, file, positions) for error in errors]
    # A misspelt required property shows up twice (unknown + missing): keep the one that says both.
    misspelt = {(i.pointer, i.hint.split("'")[1]) for i in issues
                if i.code.endswith("Properties") and i.hint.startswith("did you mean")}
    return [i for i in issues
            if not ("missing the required" in i.message and (i.pointer, i.message.split("'")[-2]) in misspelt)]


def _issue(error: ValidationError, file: str, positions: Positions) -> FlowIssue:
    pointer = pointer_of(error.absolute_path)
    if error.validator in ("oneOf", "anyOf") and error.context:
        deeper = best_match(error.context)
        if deeper.validator == "type" and error.schema.get("description"):
            message, hint = _explain(error)
            what = error.json_path.removeprefix("$.")
            expected = error.schema["description"][0].lower() + error.schema["description"][1:]
            message = f"{what} is {_kind_of(error.instance)}; expected {expected}"
        else:
            message, hint = _explain(deeper)
            pointer = pointer_of(deeper.absolute_path)
    else:
        message, hint = _explain(error)
    line, column = positions.find(pointer) or (None, None)
    return FlowIssue(file, pointer, message, hint, line, column, code=f"schema-{error.validator}")


def _kind_of(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f"did you mean {close[0]!r}? " if close else ""


def _allowed(schema: Any) -> list[str]:
    names = set(schema.get("properties", {}))
    if "$ref" in schema:
        names |= {"kind", "description", "tags"}
    return sorted(names)


def _explain(error: ValidationError) -> tuple[str, str]:
    v, value, schema = error.validator, error.instance, error.schema
    what = f"{error.json_path.removeprefix('$.') or 'the document'}"
    if v == "required":
        name = error.message.split("'")[1]
        desc = schema.get("properties", {}).get(name, {}).get("description", "")
        return f"{what} is missing the required property {name!r}", f"add \"{name}\". {desc}".strip()
    if v in ("additionalProperties", "unevaluatedProperties") and isinstance(value, dict):
        allowed = _allowed(schema)
        extra = sorted(k for k in value if k not in allowed) or [error.message]
        first = extra[0]
        return (f"unknown property {', '.join(map(repr, extra))} in {what}",
                f"{_suggest(first, allowed)}allowed here: {', '.join(allowed)}")
    if v == "enum":
        choices = [str(c) for c in error.validator_value]
        return (f"{value!r} is not allowed for {what}",
                f"{_suggest(str(value), choices)}use one of: {', '.join(choices)}")
    if v == "type":
        return f"{what} is {_kind_of(value)}, expected {error.validator_value}", "change the value's type"
    if v == "pattern":
        return (f"{value!r} is not a valid value for {what}",
                f"it must match {error.validator_value}: ids use letters, digits, _ and -, and start with a "
                "letter or _")
    if v in ("maxItems", "minItems"):
        limit = error.validator_value
        size = "at most" if v == "maxItems" else "at least"
        return (f"{what} has {len(value)} items; {size} {limit} are allowed",
                "WhatsApp lists hold at most 10 rows: split the options over two questions"
                if v == "maxItems" else "add the missing items")
    if v == "minProperties":
        return f"{what} is empty", "give it at least one entry"
    return f"{what}: {error.message}", ""
