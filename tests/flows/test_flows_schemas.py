"""The published schemas are valid Draft 2020-12, the examples point at them, and every node kind
in the flow schema has a model class and a runtime handler."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from flows.nodes import SendNode, node_kinds
from flows.schemas import SCHEMA_NAMES, schema_text, validator
from runtime.engine.registry import NodeHandler
from runtime.nodes import HANDLERS, handlers

ROOT = Path(__file__).parents[2]
SCHEMAS = ROOT / "flows" / "schema"
EXAMPLES = ROOT / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*/bot.json")) + sorted(EXAMPLES.glob("*/flows/*.json"))


def _schema(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.schema.json")), ids=lambda p: p.name)
def test_each_schema_is_valid_draft_2020_12(path: Path) -> None:
    schema = _schema(path)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://papo.dev/schema/v1/{path.name}"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_the_packaged_schema_is_the_file(name: str) -> None:
    assert json.loads(schema_text(name)) == _schema(SCHEMAS / f"{name}.schema.json")


def test_there_are_two_examples_to_check() -> None:
    assert {p.parent.name for p in EXAMPLES.glob("*/bot.json")} >= {"hello", "clinic"}


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.relative_to(EXAMPLES).as_posix())
def test_examples_reference_their_schema_and_follow_it(path: Path) -> None:
    data = _schema(path)
    name = "bot" if path.name == "bot.json" else "flow"
    target = (path.parent / data["$schema"]).resolve()
    assert target == (SCHEMAS / f"{name}.schema.json").resolve()
    assert list(validator(name).iter_errors(data)) == []


def _schema_kinds() -> list[str]:
    node = _schema(SCHEMAS / "flow.schema.json")["$defs"]["node"]
    return list(node["properties"]["kind"]["enum"])


def test_every_node_kind_has_a_model_class_and_a_handler() -> None:
    kinds = _schema_kinds()
    assert len(kinds) == len(set(kinds))
    assert set(kinds) == set(node_kinds), "flow.schema.json kind enum and flows.model.node_kinds differ"
    assert set(kinds) == HANDLERS.nodes.kinds(), "flow.schema.json kind enum and runtime.nodes.NODE_HANDLERS differ"


def test_every_node_kind_has_its_own_schema_branch() -> None:
    flow_schema = _schema(SCHEMAS / "flow.schema.json")
    node = flow_schema["$defs"]["node"]
    branches = {b["if"]["properties"]["kind"]["const"]: b["then"]["$ref"] for b in node["allOf"]}
    assert set(branches) == set(_schema_kinds())
    for kind, ref in branches.items():
        assert ref.removeprefix("#/$defs/") in flow_schema["$defs"], kind


def test_the_registries_refuse_a_second_definition_of_a_kind() -> None:
    with pytest.raises(ValueError, match="already defined"):
        node_kinds.add(type("Again", (SendNode,), {}))
    with pytest.raises(ValueError, match="already handled"):
        handlers(NodeHandler("send", HANDLERS.nodes.enter(SendNode("x"))))
