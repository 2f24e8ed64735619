"""Write a new JSON value over a file's text, keeping the file's own formatting.

`apply(text, value)` returns text that decodes to `value` and differs from `text` only where the
values differ: an unchanged value keeps its bytes (spacing, line breaks, escapes, number spelling),
a changed scalar is replaced where it stands, a new object member copies its siblings' indentation
and separators, and a removed member takes its separator with it. Hand-formatted flows stay
hand-formatted, so a publish from the studio shows in `git diff` as the lines that really changed.

    >>> apply('{"a": 1,\\n "b": [1, 2]}', {"a": 1, "b": [1, 3]})
    '{"a": 1,\\n "b": [1, 3]}'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from .jsonpos import _NUMBER, _WS, _skip, scanstring  # one JSON scanner: the positions reader's


@dataclass
class _Node:
    """A value in the text: [start, end) and, for containers, its parts."""

    start: int
    end: int
    value: Any
    keys: list[str] = field(default_factory=list)
    heads: list[str] = field(default_factory=list)  # a member's text before its value: '"key": '
    colons: list[str] = field(default_factory=list)  # the part of it after the key: ': '
    children: list[_Node] = field(default_factory=list)
    seps: list[str] = field(default_factory=list)  # text between parts: [after the opener, ..., before the closer]


def apply(text: str, value: Any) -> str:
    """`text` changed as little as possible so that it decodes to `value`; raises `ValueError` when
    `text` is not JSON (NaN and Infinity included)."""
    root = _parse(text, _skip(text, 0))
    inline = "\n" not in text.strip()
    out = text[:root.start] + _Writer(text).edit(root, value, inline=inline) + text[root.end:]
    if not same(json.loads(out), value):  # never write what would not read back as asked
        return dumps(value, indent=indent_unit(text)) + ("\n" if text.endswith("\n") else "")
    return out


def same(a: Any, b: Any) -> bool:
    """Equal as JSON values (so 1 and 1.0 and True differ)."""
    return _canonical(a) == _canonical(b)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def dumps(value: Any, *, indent: int = 2) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent)


def indent_unit(text: str) -> int:
    """The file's indentation step: the smallest indentation of an indented line (2 when none)."""
    widths = [len(m.group(1)) for m in re.finditer(r"\n( +)\S", text)]
    return min(widths) if widths else 2


class _Writer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.unit = indent_unit(text)

    def edit(self, node: _Node, value: Any, *, inline: bool = False) -> str:
        """The text for `value` where `node` stands; `inline`: its container is on one line."""
        old = node.value
        if same(old, value):
            return self.text[node.start:node.end]
        if isinstance(old, dict) and isinstance(value, dict) and node.keys:
            return self._object(node, value)
        if isinstance(old, list) and isinstance(value, list) and node.children:
            return self._array(node, value)
        return self.fresh(value, node.start, inline=inline or (self._inline(node) and bool(old)))

    def fresh(self, value: Any, at: int, *, inline: bool) -> str:
        """`value` serialised for a place starting at offset `at`, indented like that place's line."""
        if inline or not isinstance(value, dict | list) or not value:
            return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
        line_start = self.text.rfind("\n", 0, at) + 1
        base = _WS.match(self.text, line_start)
        prefix = self.text[line_start:base.end()] if base else ""
        prefix = prefix.replace("\n", "").replace("\r", "")
        return dumps(value, indent=self.unit).replace("\n", "\n" + prefix)

    def _inline(self, node: _Node) -> bool:
        return "\n" not in self.text[node.start:node.end]

    def _object(self, node: _Node, value: dict[str, Any]) -> str:
        parts: list[tuple[int, str]] = []  # (original index or -1, member text)
        for key in value:
            if key in node.keys:
                i = node.keys.index(key)
                parts.append((i, node.heads[i] + self.edit(node.children[i], value[key], inline=self._inline(node))))
        for key in value:
            if key not in node.keys:
                parts.insert(self._slot(node, value, key, parts), (-1, self._new_member(node, key, value[key])))
        return "{" + self._join(node, parts) + "}"

    def _slot(self, node: _Node, value: dict[str, Any], key: str, parts: list[tuple[int, str]]) -> int:
        """Where a new member goes: after the member that precedes it in `value`, else at the end."""
        order = list(value)
        before = order[:order.index(key)]
        placed = [node.keys[i] if i >= 0 else None for i, _ in parts]
        for name in reversed(before):
            if name in placed:
                return placed.index(name) + 1
        return len(parts) if before else 0

    def _new_member(self, node: _Node, key: str, value: Any) -> str:
        quoted = json.dumps(key, ensure_ascii=False)
        return quoted + node.colons[-1] + self.fresh(value, node.children[-1].start, inline=self._inline(node))

    def _array(self, node: _Node, value: list[Any]) -> str:
        old = [_canonical(v) for v in node.value]
        new = [_canonical(v) for v in value]
        parts: list[tuple[int, str]] = []
        matcher = SequenceMatcher(a=old, b=new, autojunk=False)
        for op, a0, a1, b0, b1 in matcher.get_opcodes():
            if op == "equal" or (op == "replace" and a1 - a0 == b1 - b0):
                inline = self._inline(node)
                parts += [(a0 + k, self.edit(node.children[a0 + k], value[b0 + k], inline=inline))
                          for k in range(b1 - b0)]
            elif op in ("insert", "replace"):
                at = node.children[min(a0, len(node.children) - 1)].start
                parts += [(-1, self.fresh(v, at, inline=self._inline(node))) for v in value[b0:b1]]
        return "[" + self._join(node, parts) + "]"

    def _join(self, node: _Node, parts: list[tuple[int, str]]) -> str:
        """The container's inside: its opening and closing spacing kept, each kept part with the separator
        that preceded it, new parts with the separator of the last one."""
        if not parts:
            return ""
        seps = node.seps
        inner = seps[1:-1]
        default = inner[-1] if inner else "," + seps[0] if "\n" in seps[0] else ", "
        out = seps[0]
        for n, (index, text) in enumerate(parts):
            if n:
                out += inner[index - 1] if index >= 1 and index - 1 < len(inner) else default
            out += text
        return out + seps[-1]


def _parse(text: str, idx: int) -> _Node:
    char = text[idx]
    if char == "{":
        return _object(text, idx)
    if char == "[":
        return _array(text, idx)
    if char == '"':
        value, end = scanstring(text, idx + 1)
        return _Node(idx, end, value)
    for word, literal in (("true", True), ("false", False), ("null", None)):
        if text.startswith(word, idx):
            return _Node(idx, idx + len(word), literal)
    match = _NUMBER.match(text, idx)
    if match is None:
        raise json.JSONDecodeError("Expecting value", text, idx)
    number = match.group()
    return _Node(idx, match.end(), float(number) if any(c in number for c in ".eE") else int(number))


def _object(text: str, start: int) -> _Node:
    node = _Node(start, start, {})
    idx = _skip(text, start + 1)
    mark = start + 1
    if text[idx] == "}":
        node.end = idx + 1
        return node
    while True:
        node.seps.append(text[mark:idx])
        key, after_key = scanstring(text, idx + 1)
        value_at = _skip(text, _skip(text, after_key) + 1)
        child = _parse(text, value_at)
        node.keys.append(key)
        node.heads.append(text[idx:value_at])
        node.colons.append(text[after_key:value_at])
        node.children.append(child)
        node.value[key] = child.value
        mark = child.end
        idx = _skip(text, child.end)
        if text[idx] == "}":
            node.seps.append(text[mark:idx])
            node.end = idx + 1
            return node
        idx = _skip(text, idx + 1)


def _array(text: str, start: int) -> _Node:
    node = _Node(start, start, [])
    idx = _skip(text, start + 1)
    mark = start + 1
    if text[idx] == "]":
        node.end = idx + 1
        return node
    while True:
        node.seps.append(text[mark:idx])
        child = _parse(text, idx)
        node.children.append(child)
        node.value.append(child.value)
        mark = child.end
        idx = _skip(text, child.end)
        if text[idx] == "]":
            node.seps.append(text[mark:idx])
            node.end = idx + 1
            return node
        idx = _skip(text, idx + 1)
