"""What a bot folder holds, as the studio shows it: locales, calendar values, FAQ tags, intents, where
each variable is set and used, every text per locale, and the names of a flow's exits."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from runtime.service.studio.catalogue import exit_values, papo_kinds
from runtime.service.studio.workspace import Workspace

TEXT_FIELDS = frozenset({"text", "reprompt", "title", "description", "list_button"})


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def locales_of(raw: dict[str, Any]) -> list[str]:
    default = raw.get("default_locale")
    return list(dict.fromkeys([*([default] if default else []), *raw.get("locales", [])]))


def calendar_values(root: Path) -> dict[str, Any] | None:
    data = read_json(root / "calendar.json")
    if not data:
        return None
    def names(key: str) -> list[str]:
        value = data.get(key, {})
        if isinstance(value, dict):
            return sorted(value)
        return [str(v.get("id")) for v in value if isinstance(v, dict)]
    return {"services": names("services"), "professionals": names("professionals"), "periods": names("periods")}


def faq_tags(root: Path) -> list[str]:
    data = read_json(root / "faq.json")
    return sorted({t for e in data.get("entries", []) if isinstance(e, dict) for t in e.get("tags", [])})


def intents(root: Path) -> list[str]:
    try:
        data = yaml.safe_load((root / "nlu.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    return sorted({str(item["intent"]) for item in data.get("nlu", []) if isinstance(item, dict) and "intent" in item})


def variables_usage(root: Path, raw: dict[str, Any]) -> list[dict[str, Any]]:
    """Every variable: its tags, the nodes that set it and the nodes that use it in a text or condition."""
    declared: dict[str, dict[str, Any]] = {n: {"tags": list(v.get("tags", [])), "set_in": [], "used_in": []}
                                           for n, v in raw.get("variables", {}).items()}
    names = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)|\{%[^%]*?\b([A-Za-z_][A-Za-z0-9_]*)")
    for path in sorted((root / "flows").glob("*.json")):
        flow = read_json(path)
        flow_id = flow.get("id", path.stem)
        for name, var in (flow.get("variables") or {}).items():
            declared.setdefault(name, {"tags": [], "set_in": [], "used_in": []})["tags"] += var.get("tags", [])
        for node_id, node in (flow.get("nodes") or {}).items():
            if not isinstance(node, dict):
                continue
            where = {"flow": flow_id, "node": node_id}
            set_names = [node["var"]] if isinstance(node.get("var"), str) else []
            set_names += list((node.get("vars") or {}) if node.get("kind") == "set" else [])
            for name in set_names:
                entry = declared.setdefault(name, {"tags": [], "set_in": [], "used_in": []})
                entry["set_in"].append(where)
                if node.get("kind") == "ask":
                    entry["tags"] = sorted(set(entry["tags"]) | set(node.get("tags", [])))
            used = set()
            for text in _strings(node):
                used |= {m.group(1) or m.group(2) for m in names.finditer(text)}
            for expr_key in ("if", "skip_if", "at"):
                for text in _strings({k: v for k, v in _walk_items(node) if k == expr_key}):
                    used |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)) & set(declared)
            for name in sorted(used):
                declared.setdefault(name, {"tags": [], "set_in": [], "used_in": []})["used_in"].append(where)
    return [{"name": n, **v} for n, v in sorted(declared.items())]


def _walk_items(value: Any) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out.append((k, v))
            out += _walk_items(v)
    elif isinstance(value, list):
        for v in value:
            out += _walk_items(v)
    return out


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def exit_names(flow: Any) -> dict[tuple[str, str], str]:
    """(node, target) -> the exit's path (options/0/next), from the flow's current JSON."""
    out: dict[tuple[str, str], str] = {}
    if not isinstance(flow, dict):
        return out
    catalogue = papo_kinds()
    for node_id, node in (flow.get("nodes") or {}).items():
        if not isinstance(node, dict):
            continue
        for exit_ in catalogue.get(str(node.get("kind")), {}).get("exits", []):
            for where, target in exit_values(node, exit_["path"]):
                if isinstance(target, str):
                    out.setdefault((node_id, target), where)
    return out


def translation_rows(ws: Workspace) -> list[dict[str, Any]]:
    rows = []
    for flow_id, path in ws.flow_files().items():
        flow = read_json(path)
        for node_id, node in (flow.get("nodes") or {}).items():
            for field, value in _texts(node, ""):
                rows.append({"flow": flow_id, "node": node_id, "field": field, "texts": value})
    return rows


def _texts(value: Any, path: str) -> list[tuple[str, dict[str, str] | str]]:
    out: list[tuple[str, dict[str, str] | str]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            where = f"{path}/{k}".lstrip("/")
            if (k in TEXT_FIELDS or path.startswith("texts")) and (isinstance(v, str) or (
                    isinstance(v, dict) and v and all(isinstance(x, str) for x in v.values()))):
                out.append((where, v))
            else:
                out += _texts(v, where)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _texts(v, f"{path}/{i}".lstrip("/"))
    return out


def locate(node: dict[str, Any], field: str) -> tuple[Any, Any]:
    parts = field.split("/")
    value: Any = node
    for part in parts[:-1]:
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None, None
    last = parts[-1]
    if isinstance(value, dict) and last in value:
        return value, last
    return None, None
