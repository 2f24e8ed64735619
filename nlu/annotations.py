"""Rasa's inline entity markup: `[texto](entidade)`, `[texto](entidade:valor)`,
`[texto]{"entity": "e", "value": "v", "role": "r", "group": "g"}` and `[texto][{...}, {...}]`."""

from __future__ import annotations

import json
import re
from typing import Any

from nlu.errors import TrainingDataError
from nlu.training_data import EntityAnnotation

_MARKUP = re.compile(
    r"\[(?P<text>[^\]]+?)\]"
    r"(?:\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)|(?P<dict>\{[^}]+?\})|\[(?P<list>\{.*?\})\])"
)


def parse_annotated(markup: str, *, where: str = "") -> tuple[str, tuple[EntityAnnotation, ...]]:
    """Plain text and its entity annotations, offsets counted after the markup is removed."""
    pieces: list[str] = []
    found: list[EntityAnnotation] = []
    cursor = length = 0
    for match in _MARKUP.finditer(markup):
        before = markup[cursor : match.start()]
        pieces.append(before)
        start = length + len(before)
        surface = match["text"]
        for spec in _specs(match, markup, where):
            found.append(_annotation(spec, start, surface, markup, where))
        pieces.append(surface)
        length = start + len(surface)
        cursor = match.end()
    pieces.append(markup[cursor:])
    return "".join(pieces), tuple(found)


def _specs(match: re.Match[str], markup: str, where: str) -> list[dict[str, Any]]:
    if match["entity"] is not None:
        spec: dict[str, Any] = {"entity": match["entity"].strip()}
        if match["value"] is not None:
            spec["value"] = match["value"].strip()
        return [spec]
    raw = match["dict"] if match["dict"] is not None else f"[{match['list']}]"
    try:
        loaded = json.loads(raw)
    except json.JSONDecodeError as error:
        raise TrainingDataError(
            f"{where}: the entity annotation {raw!r} in {markup!r} is not valid JSON ({error.msg}); "
            'write it as {"entity": "name", "value": "optional"} with double quotes'
        ) from error
    specs = loaded if isinstance(loaded, list) else [loaded]
    if not all(isinstance(spec, dict) and isinstance(spec.get("entity"), str) for spec in specs):
        raise TrainingDataError(f"{where}: the entity annotation {raw!r} in {markup!r} needs an \"entity\" key")
    return specs


def _annotation(spec: dict[str, Any], start: int, surface: str, markup: str, where: str) -> EntityAnnotation:
    value = spec.get("value", surface)
    return EntityAnnotation(
        start=start, end=start + len(surface), entity=spec["entity"], value=str(value),
        role=spec.get("role"), group=spec.get("group"),
    )


def render_annotated(text: str, entities: tuple[EntityAnnotation, ...]) -> str:
    """Markup for `text` with its annotations: the short form when it says everything, else JSON."""
    by_span: dict[tuple[int, int], list[EntityAnnotation]] = {}
    for annotation in entities:
        by_span.setdefault((annotation.start, annotation.end), []).append(annotation)
    out: list[str] = []
    cursor = 0
    for (start, end), group in sorted(by_span.items()):
        out.append(text[cursor:start])
        out.append(f"[{text[start:end]}]{_render_specs(text[start:end], group)}")
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def _render_specs(surface: str, group: list[EntityAnnotation]) -> str:
    specs = [_spec(surface, annotation) for annotation in group]
    if len(specs) == 1 and set(specs[0]) == {"entity"}:
        return f"({specs[0]['entity']})"
    dumped = [json.dumps(spec, ensure_ascii=False) for spec in specs]
    return dumped[0] if len(dumped) == 1 else "[" + ", ".join(dumped) + "]"


def _spec(surface: str, annotation: EntityAnnotation) -> dict[str, str]:
    spec = {"entity": annotation.entity}
    if annotation.value != surface:
        spec["value"] = annotation.value
    if annotation.role is not None:
        spec["role"] = annotation.role
    if annotation.group is not None:
        spec["group"] = annotation.group
    return spec
