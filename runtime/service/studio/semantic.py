"""Flows compared as flows: which nodes were added, removed or changed, which of their fields (a text
per locale, an exit), and a per-node 3-way merge when the file changed on disk meanwhile."""

from __future__ import annotations

from typing import Any

from flows.jsonedit import same
from runtime.service.studio.catalogue import papo_kinds

_FLOW = "(flow)"  # the changes outside the nodes: entry, triggers, variables...


def semantic_diff(old: Any, new: Any) -> list[dict[str, Any]]:
    """[{node, change: added|removed|changed, fields: [{path, kind: text|exit|value, locale, before, after}]}]"""
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}
    out: list[dict[str, Any]] = []
    top = [f for key in dict.fromkeys([*old, *new]) if key != "nodes"
           for f in _fields(old.get(key), new.get(key), key, set())]
    if top:
        out.append({"node": _FLOW, "change": "changed", "fields": top})
    old_nodes, new_nodes = old.get("nodes") or {}, new.get("nodes") or {}
    for node_id in dict.fromkeys([*old_nodes, *new_nodes]):
        before, after = old_nodes.get(node_id), new_nodes.get(node_id)
        if before is None:
            out.append({"node": node_id, "change": "added", "fields": _fields(None, after, "", _exit_paths(after))})
        elif after is None:
            out.append({"node": node_id, "change": "removed", "fields": []})
        elif not same(before, after):
            exits = _exit_paths(after) | _exit_paths(before)
            out.append({"node": node_id, "change": "changed", "fields": _fields(before, after, "", exits)})
    return out


def _exit_paths(node: Any) -> set[str]:
    if not isinstance(node, dict):
        return set()
    kind = papo_kinds().get(str(node.get("kind")), {})
    return {e["path"] for e in kind.get("exits", [])}


def _matches(path: str, pattern: str) -> bool:
    a, b = path.split("/"), pattern.split("/")
    return len(a) == len(b) and all(p == "*" or p == q for p, q in zip(b, a, strict=True))


def _fields(before: Any, after: Any, path: str, exits: set[str]) -> list[dict[str, Any]]:
    if same(before, after):
        return []
    if isinstance(before, dict) and isinstance(after, dict) and not _is_text(before, after, path):
        return [f for key in dict.fromkeys([*before, *after])
                for f in _fields(before.get(key), after.get(key), f"{path}/{key}".lstrip("/"), exits)]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [f for i, (b, a) in enumerate(zip(before, after, strict=True))
                for f in _fields(b, a, f"{path}/{i}".lstrip("/"), exits)]
    if _is_text(before, after, path):
        b = before if isinstance(before, dict) else {"": before} if before is not None else {}
        a = after if isinstance(after, dict) else {"": after} if after is not None else {}
        return [{"path": path, "kind": "text", "locale": loc or None, "before": b.get(loc), "after": a.get(loc)}
                for loc in dict.fromkeys([*b, *a]) if b.get(loc) != a.get(loc)]
    kind = "exit" if any(_matches(path, e) for e in exits) else "value"
    return [{"path": path, "kind": kind, "locale": None, "before": before, "after": after}]


def _is_text(before: Any, after: Any, path: str) -> bool:
    """A locale map (or a plain text) under a text-like field: text, reprompt, title..."""
    last = path.rsplit("/", 1)[-1]
    if last not in ("text", "reprompt", "title", "description", "list_button") and not path.startswith("texts/"):
        return False
    values = [v for v in (before, after) if v is not None]
    return all(isinstance(v, str) or (isinstance(v, dict) and all(isinstance(x, str) for x in v.values()))
               for v in values)


def merge3(base: Any, ours: Any, theirs: Any) -> tuple[Any, list[str]]:
    """Merge node by node (and top-level key by key): a conflict only where both sides changed the same
    node differently; there theirs (the disk) is kept and the node is listed."""
    if not all(isinstance(x, dict) for x in (base, ours, theirs)):
        return None, []
    conflicts: list[str] = []
    merged: dict[str, Any] = {}
    for key in dict.fromkeys([*theirs, *ours]):
        if key == "nodes":
            continue
        value, clash = _pick(base.get(key), ours.get(key), theirs.get(key))
        if clash:
            conflicts.append(f"{_FLOW}/{key}")
        if value is not None:
            merged[key] = value
    nodes: dict[str, Any] = {}
    b, o, t = (x.get("nodes") or {} for x in (base, ours, theirs))
    for node_id in dict.fromkeys([*t, *o]):
        value, clash = _pick(b.get(node_id), o.get(node_id), t.get(node_id))
        if clash:
            conflicts.append(node_id)
        if value is not None:
            nodes[node_id] = value
    merged["nodes"] = nodes
    return merged, conflicts


def _pick(base: Any, ours: Any, theirs: Any) -> tuple[Any, bool]:
    if same(ours, theirs) or same(base, ours):
        return theirs, False
    if same(base, theirs):
        return ours, False
    return theirs, True
