"""Imports only point down the architecture's tables, and no import cycle exists anywhere.

Between packages: flows <- nlu, connectors <- runtime. Inside `runtime`, each subpackage may import
the ones listed for it (and itself); `engine` is pure: no Redis, no HTTP, no channel, and of the
other subpackages only `locales` (words, no code with effects). `keys` (the Redis key layout, strings
only) sits at the bottom with `locales`, so the timers, the scheduler and the LLM ledger build their
keys with the same builder as the store. Every import counts, including those under
`if TYPE_CHECKING:` and inside functions.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).parents[1]
PACKAGES = ("flows", "nlu", "connectors", "runtime")
MAY_IMPORT = {
    "flows": set(),
    "nlu": {"flows"},
    "connectors": {"flows"},
    "runtime": {"flows", "nlu", "connectors"},
}
# runtime's subpackages, bottom up: what each may import besides itself
RUNTIME_LAYERS = {
    "locales": set(),  # pure data: the runtime's own words per language
    "metrics": set(),  # the process's Prometheus registry: every layer that counts something records it here
    "logs": set(),  # the log format, and the conversation and trace of log lines, set by whoever runs a turn
    "keys": set(),  # the Redis key layout (strings only): every layer that writes Redis builds keys with it
    "engine": {"locales", "keys"},  # keys only for the pseudonymous conversation name
    "timers": {"engine", "keys", "metrics"},
    "scheduling": {"engine", "keys", "timers", "metrics"},
    "llm": {"engine", "keys", "locales", "metrics"},
    # data-subject rights, consent, retention: reads and erases every key family papo writes, with raw
    # Redis commands and the key builder, so it sits low: the nodes check consent, the processor records
    # it, the service serves its routes, and it needs none of them
    "privacy": {"engine", "keys", "locales", "timers"},  # timers: to read pending ones for an export
    # staff accounts, tokens, the audit log (Redis, no HTTP): the service's guard and the CLI use it
    "access": {"engine", "keys"},
    # term rules, alerts, holds, incidents: screened on the message path by `conversations`, so below it;
    # held messages name their conversation by digest (privacy's directory)
    "monitoring": {"engine", "keys", "access", "privacy"},
    # the port `http` nodes call through and its aiohttp client; the delivery of outbound events
    "integrations": {"engine", "keys"},
    "nodes": {"engine", "keys", "locales", "timers", "scheduling", "llm", "privacy", "integrations", "metrics"},
    # outbound events: what a turn emits, their Redis outbox, their delivery (llm: its mask of personal data)
    # privacy: its directory names contacts in shared keys; integrations: its aiohttp session holder
    "events": {"engine", "keys", "llm", "privacy", "integrations"},
    # campaign definitions, audiences, runs in Redis and the template catalog; the runner is the service's
    "campaigns": {"engine", "keys", "locales", "scheduling", "privacy", "nodes"},
    "conversations": {"engine", "keys", "locales", "timers", "scheduling", "llm", "nodes", "privacy", "monitoring",
                      "integrations", "events", "metrics", "logs"},
    "service": {"engine", "keys", "locales", "timers", "scheduling", "llm", "nodes", "conversations", "privacy",
                "integrations", "events", "campaigns",
                "access", "monitoring", "metrics", "logs"},
    "cli": {"engine", "keys", "locales", "timers", "scheduling", "llm", "nodes", "conversations", "service",
            "integrations", "events", "campaigns",
            "privacy", "access", "monitoring", "metrics", "logs"},
}
# third-party code a layer must not touch
FORBIDDEN = {
    "keys": {"redis", "fakeredis", "aiohttp", "httpx", "connectors", "flows", "nlu"},
    "engine": {"redis", "fakeredis", "aiohttp", "httpx", "connectors", "openai", "langchain_core", "langchain_openai"},
    "nodes": {"redis", "fakeredis", "aiohttp", "connectors"},
    "access": {"aiohttp", "connectors"},
    "monitoring": {"aiohttp", "connectors"},
    "campaigns": {"aiohttp", "connectors"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def imports(path: Path, known: set[str] | None = None) -> Iterator[str]:
    """Every module an import statement in `path` names (relative imports resolved). `from pkg import
    sub` names the submodule `pkg.sub` only; `from pkg import name` names `pkg` itself."""
    known = known if known is not None else set(modules())
    here = module_name(path).split(".")
    base = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                stem = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            subs = [f"{stem}.{alias.name}" for alias in node.names if f"{stem}.{alias.name}" in known]
            yield from subs
            if len(subs) < len(node.names):
                yield stem


def graph() -> dict[str, set[str]]:
    known = modules()
    names = set(known)
    return {name: {target for target in imports(path, names) if target in names and target != name}
            for name, path in known.items()}


def runtime_layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "runtime" else None


def test_no_import_points_up_between_packages() -> None:
    wrong = []
    for name, path in modules().items():
        package = name.split(".")[0]
        for target in {t.split(".")[0] for t in imports(path)} & set(PACKAGES):
            if target != package and target not in MAY_IMPORT[package]:
                wrong.append(f"{path.relative_to(ROOT)} imports {target}")
    assert wrong == []


def test_every_runtime_subpackage_is_placed_in_the_layers() -> None:
    found = {p.name for p in (ROOT / "runtime").iterdir() if (p / "__init__.py").exists()}
    assert found == set(RUNTIME_LAYERS), "add the new subpackage to RUNTIME_LAYERS (and ARCHITECTURE docs)"
    loose = sorted(p.name for p in (ROOT / "runtime").glob("*.py") if p.name != "__init__.py")
    assert loose == [], "runtime/ holds subpackages only"


def test_no_import_points_up_inside_runtime() -> None:
    wrong = []
    for name, targets in graph().items():
        layer = runtime_layer(name)
        if layer is None:
            continue
        for target in targets:
            other = runtime_layer(target)
            if other is not None and other != layer and other not in RUNTIME_LAYERS[layer]:
                wrong.append(f"{name} ({layer}) imports {target} ({other})")
    assert wrong == []


def test_the_engine_and_the_nodes_touch_no_redis_http_or_channel_code() -> None:
    wrong = []
    for name, path in modules().items():
        layer = runtime_layer(name)
        for target in {t.split(".")[0] for t in imports(path)} & FORBIDDEN.get(layer or "", set()):
            wrong.append(f"{name} imports {target}")
    assert wrong == []


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_there_is_no_import_cycle() -> None:
    assert cycles(graph()) == []


def test_the_cycle_check_finds_cycles_and_only_cycles() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []
    # the cycles the restructure removed, as they were: turns -> timer_kinds -> processor -> turns
    was = {"turns": {"timer_kinds"}, "timer_kinds": {"processor"}, "processor": {"turns"}, "handlers": {"timer_kinds"}}
    assert cycles(was) == [["processor", "timer_kinds", "turns"]]
