"""Rasa NLU training data in YAML (format version "3.1"): read and write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from nlu.annotations import parse_annotated, render_annotated
from nlu.errors import TrainingDataError
from nlu.training_data import Example, TrainingData

SUPPORTED_VERSION = (3, 1)
_KINDS = ("intent", "synonym", "regex", "lookup")


def read_yaml(content: str, *, source: str = "<string>") -> TrainingData:
    """Training data from the text of a Rasa YAML file; `stories` and `rules` are ignored."""
    try:
        document = yaml.safe_load(content)
    except yaml.YAMLError as error:
        raise TrainingDataError(f"{source}: not valid YAML: {error}") from error
    if document is None:
        return TrainingData()
    if not isinstance(document, dict):
        raise TrainingDataError(f"{source}: expected a mapping with an `nlu:` list at the top")
    if _newer_than_supported(document.get("version")):
        raise TrainingDataError(
            f"{source}: format version {document['version']!r} is newer than the supported "
            f"\"{SUPPORTED_VERSION[0]}.{SUPPORTED_VERSION[1]}\"; set `version: \"3.1\"` if the file uses nothing newer"
        )
    items = document.get("nlu") or []
    if not isinstance(items, list):
        raise TrainingDataError(f"{source}: `nlu:` must be a list of items (intent, synonym, regex, lookup)")
    data = TrainingData()
    for index, item in enumerate(items):
        _read_item(item, data, f"{source}: nlu[{index}]")
    return data


def _newer_than_supported(version: Any) -> bool:
    if version is None:
        return False
    try:
        major, minor = (int(part) for part in str(version).split(".")[:2])
    except ValueError:
        return False
    return (major, minor) > SUPPORTED_VERSION


def _read_item(item: Any, data: TrainingData, where: str) -> None:
    if not isinstance(item, dict):
        raise TrainingDataError(f"{where}: expected a mapping such as `- intent: greet`")
    kind = next((key for key in _KINDS if key in item), None)
    if kind is None:
        raise TrainingDataError(f"{where}: needs one of the keys {', '.join(_KINDS)}; found {sorted(item)}")
    name = str(item[kind])
    if kind == "intent":
        _read_intent(name, item, data, where)
        return
    texts = [text for text, _ in _examples(item.get("examples"), where)]
    target = {"synonym": data.synonyms, "regex": data.regexes, "lookup": data.lookups}[kind]
    target.setdefault(name, []).extend(texts)


def _read_intent(name: str, item: Mapping[str, Any], data: TrainingData, where: str) -> None:
    intent_meta = item.get("metadata")
    if intent_meta is not None:
        data.intent_metadata[name] = intent_meta
    for markup, metadata in _examples(item.get("examples"), f"{where} (intent {name})"):
        text, entities = parse_annotated(markup, where=f"{where} (intent {name})")
        data.examples.append(Example(text, name, entities, metadata))


def _examples(raw: Any, where: str) -> list[tuple[str, Mapping[str, Any] | None]]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [(line, None) for line in _block_lines(raw, where)]
    if isinstance(raw, list):
        out: list[tuple[str, Mapping[str, Any] | None]] = []
        for entry in raw:
            if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
                raise TrainingDataError(f"{where}: each example in the list form needs a `text:` string")
            out.append((entry["text"].strip(), entry.get("metadata")))
        return out
    raise TrainingDataError(f"{where}: `examples:` must be a block string (`examples: |`) or a list")


def _block_lines(block: str, where: str) -> list[str]:
    lines = []
    for line in block.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("- "):
            raise TrainingDataError(f"{where}: example line {stripped!r} must start with '- '")
        lines.append(stripped[2:].strip())
    return lines


class _Literal(str):
    """A string dumped in YAML's block literal style (`|`)."""


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Literal, _literal)


def write_yaml(data: TrainingData) -> str:
    """Rasa YAML 3.1 text for the data; reading it back gives the same data."""
    items: list[dict[str, Any]] = []
    for intent in _intent_order(data):
        items.append(_intent_item(intent, data))
    for kind, table in (("synonym", data.synonyms), ("regex", data.regexes), ("lookup", data.lookups)):
        for name, texts in table.items():
            items.append({kind: name, "examples": _block(texts)})
    document = {"version": "3.1", "nlu": items}
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)


def _intent_order(data: TrainingData) -> list[str]:
    return list(dict.fromkeys(example.intent for example in data.examples if example.intent))


def _intent_item(intent: str, data: TrainingData) -> dict[str, Any]:
    examples = [example for example in data.examples if example.intent == intent]
    item: dict[str, Any] = {"intent": intent}
    if intent in data.intent_metadata:
        item["metadata"] = dict(data.intent_metadata[intent])
    texts = [render_annotated(example.text, example.entities) for example in examples]
    if any(example.metadata is not None for example in examples):
        item["examples"] = [_with_meta(text, example.metadata) for text, example in zip(texts, examples, strict=True)]
    else:
        item["examples"] = _block(texts)
    return item


def _with_meta(text: str, metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"text": text}
    if metadata is not None:
        entry["metadata"] = dict(metadata)
    return entry


def _block(texts: list[str]) -> _Literal:
    return _Literal("".join(f"- {text}\n" for text in texts))
