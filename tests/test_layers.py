"""Imports only point down the architecture's table: flows <- nlu, connectors <- runtime."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1]
PACKAGES = {"flows", "nlu", "connectors", "runtime"}
MAY_IMPORT = {
    "flows": set(),
    "nlu": {"flows"},
    "connectors": {"flows"},
    "runtime": {"flows", "nlu", "connectors"},
}


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & PACKAGES


def test_no_import_points_up() -> None:
    wrong = []
    for package, allowed in MAY_IMPORT.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            for target in imported_packages(path) - allowed - {package}:
                wrong.append(f"{path.relative_to(ROOT)} imports {target}")
    assert wrong == []


def test_the_engine_core_never_names_a_channel() -> None:
    for name in ("engine.py", "turns.py", "handlers.py", "processor.py", "store.py"):
        assert "connectors" not in imported_packages(ROOT / "runtime" / name)
