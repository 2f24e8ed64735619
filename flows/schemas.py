"""The published JSON Schemas, and schema errors turned into plain-words `FlowIssue`s.

The flow schema knows papo's node kinds; a registry with kinds of your own (`NodeKinds.with_kinds`)
validates flows against `flow_schema(kinds)`, which adds each such kind from its class's `json_schema`.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from functools import cache, lru_cache
from importlib import resources
from typing import Any, cast

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

from .errors import FlowIssue
from .jsonpos import Positions, escape, pointer_of
from .nodes import Node, NodeKinds

SCHEMA_NAMES = ("bot", "flow", "layout", "test", "calendar", "faq")
_JSON_TYPES = {dict: "an object", list: "a list", str: "a text", bool: "true/false", int: "a number",
               float: "a number", type(None): "null"}


_TYPE_NAMES = {"string": "a text", "number": "a number", "integer": "a whole number", "boolean": "true or false",
               "object": "an object", "array": "a list", "null": "null"}
_TYPE_HINTS = {"string": "put the value in double quotes", "number": "write a number, without quotes",
               "integer": "write a whole number, without quotes", "boolean": "write true or false, without quotes",
               "object": "write an object: { \"key\": value, ... }", "array": "write a list: [ item, ... ]"}
_PATTERN_HINTS = {
    "^[A-Za-z_][A-Za-z0-9_-]{0,63}$":
        "ids use letters, digits, _ and - (no spaces), start with a letter or _, and have at most 64 characters",
    "^[a-z0-9][a-z0-9_-]{0,62}$": "bot names use lower-case letters, digits, _ and -, and start with a letter or digit",
    "^[a-z]{2}(-[A-Z]{2})?$": "write a locale such as en or pt-BR",
    "^([0-9]+[dhms])+$": "write a duration such as 24h, 30m, 1h30m or 7d",
}


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
def validator(name: str, extra: tuple[type[Node], ...] = ()) -> Draft202012Validator:
    """The validator of one published schema; for "flow", with the `extra` node kinds added."""
    schema = _with_kinds(json.loads(schema_text(name)), extra) if extra else json.loads(schema_text(name))
    return Draft202012Validator(schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def flow_schema(kinds: NodeKinds) -> dict[str, Any]:
    """flow.schema.json, with every kind of `kinds` it does not list added from its class's `json_schema`:
    under `$defs/<kind>`, in the `kind` enum and as a branch of `node`, as papo's own kinds are."""
    return _with_kinds(json.loads(schema_text("flow")), _extra_kinds(kinds))


def _extra_kinds(kinds: NodeKinds | None) -> tuple[type[Node], ...]:
    if kinds is None:
        return ()
    return tuple(cls for cls in kinds.classes() if cls.kind not in _listed_kinds())


@cache
def _listed_kinds() -> frozenset[str]:
    return frozenset(json.loads(schema_text("flow"))["$defs"]["node"]["properties"]["kind"]["enum"])


def _with_kinds(schema: dict[str, Any], extra: tuple[type[Node], ...]) -> dict[str, Any]:
    node = schema["$defs"]["node"]
    for cls in extra:
        if cls.json_schema is None:
            raise ValueError(f"node kind {cls.kind!r} is not in flow.schema.json and {cls.__qualname__} has no "
                             "`json_schema`: give the class the JSON Schema of its nodes (see docs/extending.md)")
        if cls.kind in schema["$defs"]:
            raise ValueError(f"node kind {cls.kind!r} has the name of a definition of flow.schema.json "
                             f"($defs/{cls.kind}); give {cls.__qualname__} another `kind`")
        schema["$defs"][cls.kind] = dict(cls.json_schema)
        node["properties"]["kind"]["enum"].append(cls.kind)
        when = {"type": "object", "required": ["kind"], "properties": {"kind": {"const": cls.kind}}}
        node["allOf"].append({"if": when, "then": {"$ref": f"#/$defs/{escape(cls.kind)}"}})
    return schema


def schema_issues(name: str, data: Any, file: str, positions: Positions, *,
                  kinds: NodeKinds | None = None) -> list[FlowIssue]:
    """The schema's complaints about `data`, in plain words; `kinds` adds node kinds to the flow schema."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    extra = _extra_kinds(kinds) if name == "flow" else ()
    issues = [_issue(error, file, positions) for error in _errors(name, canonical, extra)]
    return [i for i in issues if not _echoes(i, issues)]


def _echoes(issue: FlowIssue, issues: list[FlowIssue]) -> bool:
    """Whether `issue` only repeats what another issue of the same defect already says."""
    # A value of the wrong type fails every other rule about it too: its type error is enough.
    if issue.code != "schema-type" and any(i.code == "schema-type" and i.pointer == issue.pointer for i in issues):
        return True
    # A misspelt property shows up as unknown and as missing: keep the one that says both.
    if issue.code in ("schema-required", "schema-oneOf", "schema-anyOf"):
        missing = set(re.findall(r"'([^']*)'", issue.message))
        return any(i.code.endswith("Properties") and i.pointer.rpartition("/")[0] == issue.pointer
                   and i.hint.startswith("did you mean") and i.hint.split("'")[1] in missing for i in issues)
    return False


@lru_cache(maxsize=512)
def _errors(name: str, canonical: str, extra: tuple[type[Node], ...] = ()) -> tuple[ValidationError, ...]:
    """Schema errors of one document, cached by content: a reload re-validates only changed files."""
    errors = validator(name, extra).iter_errors(json.loads(canonical))
    return tuple(sorted(errors, key=lambda e: list(map(str, e.absolute_path))))


def _issue(error: ValidationError, file: str, positions: Positions) -> FlowIssue:
    pointer = pointer_of(error.absolute_path)
    if choices := _required_choices(error):
        message, hint = _explain_choices(error, choices)
    elif error.validator in ("oneOf", "anyOf") and error.context:
        deeper = best_match(error.context)
        description = cast(Mapping[str, Any], error.schema).get("description", "")
        if deeper.validator == "type" and description:
            _, hint = _explain(deeper)
            what = error.json_path.removeprefix("$.")
            expected = description[0].lower() + description[1:]
            message = f"{what} is {_kind_of(error.instance)}; expected {expected}"
        else:
            message, hint = _explain(deeper)
            pointer = pointer_of(deeper.absolute_path)
    else:
        message, hint = _explain(error)
        if key := _culprit_key(error):
            pointer += key
            line, column = positions.keys.get(pointer) or positions.find(pointer) or (None, None)
            return FlowIssue(file, pointer, message, hint, line, column, code=f"schema-{error.validator}")
    line, column = positions.find(pointer) or (None, None)
    return FlowIssue(file, pointer, message, hint, line, column, code=f"schema-{error.validator}")


def _required_choices(error: ValidationError) -> list[str]:
    """The property names of a oneOf/anyOf made only of {"required": [name]} branches."""
    if error.validator not in ("oneOf", "anyOf") or not isinstance(error.validator_value, list):
        return []
    branches = error.validator_value
    if not all(isinstance(b, dict) and list(b) == ["required"] and len(b["required"]) == 1 for b in branches):
        return []
    return [b["required"][0] for b in branches]


def _explain_choices(error: ValidationError, choices: list[str]) -> tuple[str, str]:
    what = error.json_path.removeprefix("$.") or "the document"
    present = [c for c in choices if isinstance(error.instance, dict) and c in error.instance]
    if len(present) > 1:
        return (f"{what} has both {' and '.join(map(repr, present))}; only one is allowed",
                f"keep one of {', '.join(present)} and remove the other")
    return f"{what} needs {' or '.join(map(repr, choices))}", f"add one of: {', '.join(choices)}"


def _culprit_key(error: ValidationError) -> str:
    """The pointer step to the offending key, for errors about a key rather than its object."""
    if "propertyNames" in error.absolute_schema_path and isinstance(error.instance, str):
        return "/" + escape(error.instance)
    if error.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        extra = sorted(k for k in error.instance if k not in _allowed(cast(Mapping[str, Any], error.schema)))
        if extra:
            return "/" + escape(extra[0])
    return ""


def _kind_of(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f"did you mean {close[0]!r}? " if close else ""


def _allowed(schema: Mapping[str, Any]) -> list[str]:
    names = set(schema.get("properties", {}))
    if "$ref" in schema:
        names |= {"kind", "description", "tags"}
    return sorted(names)


def _explain(error: ValidationError) -> tuple[str, str]:
    v, value = error.validator, cast(Any, error.instance)
    schema = cast(Mapping[str, Any], error.schema)
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
        choices = [str(c) for c in cast(list[Any], error.validator_value)]
        return (f"{value!r} is not allowed for {what}",
                f"{_suggest(str(value), choices)}use one of: {', '.join(choices)}")
    if v == "type":
        expected = error.validator_value
        first = str(expected[0] if isinstance(expected, list) else expected)
        return (f"{what} is {_kind_of(value)}, expected {_TYPE_NAMES.get(first, first)}",
                _TYPE_HINTS.get(first, "change the value's type"))
    if v == "pattern":
        if "propertyNames" in error.absolute_schema_path:
            what = f"the key {value!r} in {what}"
        else:
            what = f"{value!r} in {what}"
        pattern = str(error.validator_value)
        hint = _PATTERN_HINTS.get(pattern) or str(schema.get("description", "")) or f"it must match {pattern}"
        return f"{what} is not valid", hint
    if v in ("maxItems", "minItems"):
        limit = error.validator_value
        size = "at most" if v == "maxItems" else "at least"
        return (f"{what} has {len(value)} items; {size} {limit} are allowed",
                "WhatsApp lists hold at most 10 rows: split the options over two questions"
                if v == "maxItems" else "add the missing items")
    if v == "minProperties":
        return f"{what} is empty", "give it at least one entry"
    return f"{what}: {error.message}", ""
