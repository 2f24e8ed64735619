"""The format-preserving JSON writer: only what changed is rewritten, and the result reads back as asked."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.jsonedit import apply, same
from flows.jsonpos import load_with_positions

ROOT = Path(__file__).parents[2]


def _json_files() -> list[Path]:
    found = sorted((ROOT / "examples").rglob("*.json")) + sorted((ROOT / "tests" / "flows" / "broken").rglob("*.json"))
    out = []
    for path in found:
        try:
            load_with_positions(path.read_text(encoding="utf-8"))  # JSON as papo reads it (no NaN)
        except ValueError:
            continue  # the broken bots that are not JSON at all
        out.append(path)
    return out


FILES = _json_files()
# a file with a key written twice loses the repeat when the object is edited: more than one line changes
UNIQUE_KEYS = [p for p in FILES if not load_with_positions(p.read_text(encoding="utf-8"))[1].duplicates]
AGENDAR = ROOT / "examples" / "clinic" / "flows" / "agendar.json"


def _changed_lines(old: str, new: str) -> list[int]:
    a, b = old.split("\n"), new.split("\n")
    assert len(a) == len(b)
    return [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]


def test_a_hand_formatted_flow_changes_exactly_the_edited_lines() -> None:
    text = AGENDAR.read_text(encoding="utf-8")
    data = json.loads(text)
    data["nodes"]["quem"]["default"] = "nome_paciente"  # inside a multi-line object
    data["triggers"]["keywords"][1] = "marcar horário"  # inside a one-line list
    data["nodes"]["guardar_pedido"]["vars"]["idade"] = {"expr": "entities.age or 0"}  # a one-line object
    out = apply(text, data)
    assert json.loads(out) == data
    lines = text.splitlines()
    changed = _changed_lines(text, out)
    assert [lines[i].strip()[:12] for i in changed] == ['"keywords": ', '"idade": {"e', '"default": "']
    assert out.splitlines()[changed[0]] == '    "keywords": ["agendar", "marcar horário", "marcar uma consulta"]'


def test_a_new_member_copies_its_siblings_indentation_and_a_removed_one_leaves_cleanly() -> None:
    text = AGENDAR.read_text(encoding="utf-8")
    data = json.loads(text)
    data["nodes"]["usar_nome"]["description"] = "quem é o paciente"
    del data["nodes"]["guardar_pedido"]["description"]
    data["nodes"]["novo"] = {"kind": "send", "text": "Oi", "next": "quem"}
    out = apply(text, data)
    assert json.loads(out) == data
    assert '      "next": "pedida_existe",\n      "description": "quem é o paciente"\n    },' in out
    assert '    "guardar_pedido": {\n      "kind": "set",\n      "vars": {' in out
    tail = '"novo": {\n      "kind": "send",\n      "text": "Oi",\n      "next": "quem"\n    }\n  }\n}'
    assert out.rstrip().endswith(tail)
    inline = apply('{"a": [1, 2], "b": {"c": 1}}', {"a": [1, 2, 3], "b": {"c": 1, "d": [4]}})
    assert inline == '{"a": [1, 2, 3], "b": {"c": 1, "d": [4]}}'


def test_unchanged_values_keep_their_spelling() -> None:
    text = '{\n  "a": 1.50,\n  "b": "caf\\u00e9",\n  "c" : [ 1,2 ]\n}\n'
    assert apply(text, json.loads(text)) == text
    longer = apply(text, {"a": 1.5, "b": "café", "c": [1, 2, 3]})
    assert longer == '{\n  "a": 1.50,\n  "b": "caf\\u00e9",\n  "c" : [ 1,2,3 ]\n}\n'
    assert json.loads(apply(text, {"a": 1, "b": "café", "c": [1, 2]}))["a"] == 1  # 1.5 -> 1 is a change
    assert apply("[]", [1]) == "[1]" and apply("{}", {"a": {}}) == '{"a": {}}'
    with pytest.raises(ValueError):
        apply('{"a": NaN}', {"a": 1})
    assert apply('{"a": 1}', {}) == "{}" and apply('{"a": 1}', [1]) == "[1]"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_example_and_broken_bot_file_is_unchanged_by_its_own_value(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert apply(text, json.loads(text)) == text


def _scalar_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _scalar_paths(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _scalar_paths(v, (*path, i))]
    return [path]


def _set(data: Any, path: tuple[Any, ...], new: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = new


SCALARS = st.one_of(st.text(max_size=20).filter(lambda s: "\n" not in s and "\r" not in s),
                    st.integers(-1000, 1000), st.booleans(), st.none())


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(UNIQUE_KEYS), st.randoms(use_true_random=False), SCALARS)
def test_changing_one_value_changes_one_line(path: Path, rnd: Any, new: Any) -> None:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    paths = [p for p in _scalar_paths(data) if p]
    if not paths:
        return
    target = rnd.choice(paths)
    edited = copy.deepcopy(data)
    _set(edited, target, new)
    out = apply(text, edited)
    assert same(json.loads(out), edited)
    changed = _changed_lines(text, out) if out.count("\n") == text.count("\n") else None
    assert changed is not None and len(changed) <= 1


EDITS = st.sampled_from(["set", "delete", "add", "append", "drop_item"])


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(FILES), st.randoms(use_true_random=False), st.lists(EDITS, min_size=1, max_size=5), SCALARS)
def test_any_edits_read_back_as_the_target(path: Path, rnd: Any, edits: list[str], new: Any) -> None:
    text = path.read_text(encoding="utf-8")
    edited = copy.deepcopy(json.loads(text))
    for edit in edits:
        containers = _containers(edited)
        kind, where = rnd.choice(containers)
        if edit == "set" and where:
            _set_at(edited, where, new)
        elif edit == "delete" and kind is dict and _get(edited, where):
            del _get(edited, where)[rnd.choice(list(_get(edited, where)))]
        elif edit == "add" and kind is dict:
            added = {"kind": "send", "text": new} if rnd.random() < .5 else new
            _get(edited, where)[f"new_{rnd.randint(0, 99)}"] = added
        elif edit == "append" and kind is list:
            _get(edited, where).append(new)
        elif edit == "drop_item" and kind is list and _get(edited, where):
            _get(edited, where).pop(rnd.randrange(len(_get(edited, where))))
    out = apply(text, edited)
    assert same(json.loads(out), edited)
    assert apply(out, edited) == out


def _containers(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[type, tuple[Any, ...]]]:
    out: list[tuple[type, tuple[Any, ...]]] = []
    if isinstance(value, dict):
        out.append((dict, path))
        for k, v in value.items():
            out += _containers(v, (*path, k))
    elif isinstance(value, list):
        out.append((list, path))
        for i, v in enumerate(value):
            out += _containers(v, (*path, i))
    return out


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _set_at(data: Any, path: tuple[Any, ...], new: Any) -> None:
    _get(data, path[:-1])[path[-1]] = new
