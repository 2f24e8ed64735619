"""`papo new`: a valid bot with one flow and one conversation test."""

from __future__ import annotations

import json
import re
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from flows.errors import PapoError


def _write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def new_bot(root: Path, *, name: str | None = None, locale: str = "pt-BR") -> list[Path]:
    """Create a bot folder; refuses to write into a folder that is not empty."""
    if root.exists() and any(root.iterdir()):
        raise PapoError(f"{root} is not empty; choose a new folder, papo new never overwrites files")
    name = name or re.sub(r"[^a-z0-9_-]+", "-", root.resolve().name.lower()).strip("-") or "bot"
    english = locale.startswith("en")
    (root / "flows").mkdir(parents=True, exist_ok=True)
    (root / "tests").mkdir()
    schemas = root / ".schema"
    schemas.mkdir()
    for schema in ("bot", "flow", "layout", "test"):
        source = resources.files("flows").joinpath(f"schema/{schema}.schema.json")
        with resources.as_file(source) as path:
            shutil.copyfile(path, schemas / f"{schema}.schema.json")
    question = "Hi! What is your name?" if english else "Olá! Qual é o seu nome?"
    greeting = "Nice to meet you, {{ name }}!" if english else "Prazer, {{ name }}!"
    _write(root / "bot.json", {
        "$schema": ".schema/bot.schema.json",
        "name": name,
        "default_locale": locale,
        "timezone": "UTC" if english else "America/Sao_Paulo",
        "session_expiry": "24h",
        "entry_flow": "main",
        "variables": {"name": {"tags": ["pii"], "scope": "contact"}},
    })
    _write(root / "flows" / "main.json", {
        "$schema": "../.schema/flow.schema.json",
        "id": "main",
        "version": 1,
        "triggers": {"first_message": True},
        "entry": "ask_name",
        "nodes": {
            "ask_name": {"kind": "ask", "input": "text", "var": "name", "text": question, "skip_if": "name",
                         "next": "greet"},
            "greet": {"kind": "end", "text": greeting},
        },
    })
    (root / ".gitignore").write_text("# caches and the studio's drafts: one machine's, never committed\n"
                                     ".papo-cache/\n.papo-studio/\n", encoding="utf-8")
    (root / "tests" / "main.yaml").write_text(
        "name: asks the name and greets\nsteps:\n"
        f"  - user: {'hi' if english else 'oi'}\n    bot: {question}\n"
        f"  - user: Ada\n    bot: {greeting.replace('{{ name }}', 'Ada')}\n"
        "    expect:\n      vars: {name: Ada}\n",
        encoding="utf-8",
    )
    return sorted(p for p in root.rglob("*") if p.is_file())
