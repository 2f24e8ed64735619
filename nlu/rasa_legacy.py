"""Rasa's legacy NLU formats: Markdown (`## intent:name`) and JSON (`rasa_nlu_data`)."""

from __future__ import annotations

import json
import re
from typing import Any

from nlu.annotations import parse_annotated
from nlu.errors import TrainingDataError
from nlu.training_data import EntityAnnotation, Example, TrainingData

_HEADER = re.compile(r"^##\s*(?P<kind>intent|synonym|regex|lookup)\s*:\s*(?P<name>.+?)\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def read_markdown(content: str, *, source: str = "<string>") -> TrainingData:
    data = TrainingData()
    kind = name = None
    for number, raw in enumerate(_COMMENT.sub("", content).splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        header = _HEADER.match(line)
        if header is not None:
            kind, name = header["kind"], header["name"]
        elif line.startswith(("- ", "* ", "+ ")) and kind is not None and name is not None:
            _add_markdown_item(data, kind, name, line[2:].strip(), f"{source}:{number}")
        elif line.startswith("#"):
            kind = name = None
        else:
            raise TrainingDataError(
                f"{source}:{number}: unexpected line {line!r}; examples are '- text' lines under a "
                "'## intent:name' (or synonym/regex/lookup) header"
            )
    return data


def _add_markdown_item(data: TrainingData, kind: str, name: str, text: str, where: str) -> None:
    if kind == "intent":
        plain, entities = parse_annotated(text, where=where)
        data.examples.append(Example(plain, name, entities))
        return
    target = {"synonym": data.synonyms, "regex": data.regexes, "lookup": data.lookups}[kind]
    target.setdefault(name, []).append(text)


def read_json(content: str, *, source: str = "<string>") -> TrainingData:
    try:
        document = json.loads(content)
    except json.JSONDecodeError as error:
        raise TrainingDataError(f"{source}: not valid JSON: {error}") from error
    root = document.get("rasa_nlu_data") if isinstance(document, dict) else None
    if not isinstance(root, dict):
        raise TrainingDataError(f"{source}: expected an object with a `rasa_nlu_data` key at the top")
    data = TrainingData()
    for index, entry in enumerate(root.get("common_examples") or []):
        data.examples.append(_json_example(entry, f"{source}: common_examples[{index}]"))
    for entry in root.get("regex_features") or []:
        data.regexes.setdefault(str(entry["name"]), []).append(str(entry["pattern"]))
    for entry in root.get("lookup_tables") or []:
        data.lookups.setdefault(str(entry["name"]), []).extend(str(e) for e in entry.get("elements", []))
    for entry in root.get("entity_synonyms") or []:
        data.synonyms.setdefault(str(entry["value"]), []).extend(str(s) for s in entry.get("synonyms", []))
    return data


def _json_example(entry: Any, where: str) -> Example:
    if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
        raise TrainingDataError(f"{where}: each example needs a `text` string")
    text = entry["text"]
    entities = []
    for spec in entry.get("entities") or []:
        start, end = int(spec["start"]), int(spec["end"])
        if not 0 <= start < end <= len(text):
            raise TrainingDataError(f"{where}: entity span {start}-{end} is outside the text {text!r}")
        entities.append(EntityAnnotation(start, end, str(spec["entity"]), str(spec.get("value", text[start:end])),
                                         spec.get("role"), spec.get("group")))
    return Example(text, entry.get("intent") or None, tuple(entities), entry.get("metadata"))
