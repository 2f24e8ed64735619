"""The node kinds as the editor draws them, derived from the flow schema alone.

For each kind: its fields (name, the `$ref` that picks the widget, JSON type, required, whether it
is a text with one value per locale), its exits (every place a `#/$defs/target` may stand, one per
option, case or timeout: `options/*/next`) and the optional `x-papo-ui` hints (colour, icon). A new
node kind needs no editor code: its schema is enough.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

from flows.nodes import NodeKinds, node_kinds
from flows.schemas import SCHEMA_NAMES, flow_schema, schema_text

TARGET = "#/$defs/target"
TEXT = "#/$defs/text"
_LABELS = {"next": "next", "default": "otherwise", "on_invalid": "invalid answer", "on_timeout": "timed out",
           "on_error": "error", "on_none": "none", "on_miss": "no match", "on_match": "match",
           "on_no_match": "no match"}


def schemas(kinds: NodeKinds = node_kinds) -> dict[str, Any]:
    out = {f"{name}.schema.json": json.loads(schema_text(name)) for name in SCHEMA_NAMES}
    out["flow.schema.json"] = flow_schema(kinds)
    return out


def kinds_catalogue(kinds: NodeKinds = node_kinds) -> dict[str, Any]:
    schema = flow_schema(kinds)
    defs = schema["$defs"]
    out: dict[str, Any] = {}
    for branch in defs["node"].get("allOf", []):
        kind = branch.get("if", {}).get("properties", {}).get("kind", {}).get("const")
        then = branch.get("then", {})
        if not isinstance(kind, str):
            continue
        definition = _resolve(defs, then)
        fields = _fields(defs, definition)
        out[kind] = {
            "description": definition.get("description", ""),
            "fields": fields,
            "exits": [{"path": path, "label": _label(path)} for path in _exits(defs, definition, "", set())],
            "ui": definition.get("x-papo-ui", {}),
        }
    return out


@cache
def papo_kinds() -> dict[str, Any]:
    """The catalogue of papo's own node kinds, worked out once."""
    return kinds_catalogue(node_kinds)


def _resolve(defs: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and len(schema) == 1:
        return dict(defs[ref.removeprefix("#/$defs/")])
    return schema


def _properties(defs: dict[str, Any], schema: dict[str, Any], seen: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A definition's properties with those of the definitions it `$ref`s (common, appointment_edges)."""
    props: dict[str, Any] = {}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and ref not in seen:
        props.update(_properties(defs, defs[ref.removeprefix("#/$defs/")], seen | {ref}))
    props.update(schema.get("properties", {}))
    return props


def _fields(defs: dict[str, Any], definition: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(definition.get("required", []))
    out = []
    for name, prop in _properties(defs, definition).items():
        if name == "kind" or not isinstance(prop, dict):
            continue
        ref = prop.get("$ref")
        target = defs.get(ref.removeprefix("#/$defs/"), {}) if isinstance(ref, str) else prop
        kind = prop.get("type") or target.get("type") or ("enum" if "enum" in prop else None)
        out.append({"name": name, "ref": ref, "type": kind, "required": name in required,
                    "locale_text": ref == TEXT, "enum": prop.get("enum"),
                    "description": prop.get("description") or target.get("description", "")})
    return out


def _exits(defs: dict[str, Any], schema: Any, path: str, seen: set[str]) -> Iterator[str]:
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if ref == TARGET:
        yield path.lstrip("/")
        return
    if isinstance(ref, str) and ref.startswith("#/$defs/") and ref not in seen:
        yield from _exits(defs, defs[ref.removeprefix("#/$defs/")], path, seen | {ref})
    for name, prop in schema.get("properties", {}).items():
        yield from _exits(defs, prop, f"{path}/{name}", seen)
    if isinstance(schema.get("items"), dict):
        yield from _exits(defs, schema["items"], f"{path}/*", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _exits(defs, schema["additionalProperties"], f"{path}/*", seen)


def _label(path: str) -> str:
    last = path.rsplit("/", 1)[-1]
    head = path.split("/", 1)[0]
    label = _LABELS.get(last, last.replace("_", " "))
    return f"{head}: {label}" if "/" in path else label


def exit_values(node: dict[str, Any], path: str) -> Iterator[tuple[str, Any]]:
    """The concrete exits of a node for one catalogue path: ("options/0/next", "menu"), ..."""
    parts = path.split("/")

    def walk(value: Any, rest: list[str], where: list[str]) -> Iterator[tuple[str, Any]]:
        if not rest:
            yield "/".join(where), value
            return
        head, tail = rest[0], rest[1:]
        if head == "*":
            items = enumerate(value) if isinstance(value, list) else value.items() if isinstance(value, dict) else ()
            for key, item in items:
                yield from walk(item, tail, [*where, str(key)])
        elif isinstance(value, dict) and head in value:
            yield from walk(value[head], tail, [*where, head])

    yield from walk(node, parts, [])
