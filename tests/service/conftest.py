"""Fixtures for the service tests: the app served on 127.0.0.1 over a real Redis, FakeGraph as the Graph API."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient, TestServer

from runtime.engine.clock import Clock
from runtime.service.app import build_app
from runtime.service.bot_service import Role


def _load(name: str, path: Path) -> ModuleType:
    if (loaded := sys.modules.get(name)) is not None:
        return loaded
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


fakes = _load("connector_fakes", Path(__file__).parents[1] / "connectors" / "connector_fakes.py")
helpers = _load("service_helpers", Path(__file__).with_name("service_helpers.py"))


@pytest.fixture
async def graph() -> AsyncIterator[tuple[Any, str]]:
    fake = fakes.FakeGraph()
    server = TestServer(fake.app, host="127.0.0.1", port=0)
    await server.start_server()
    yield fake, str(server.make_url("")).rstrip("/")
    fake.released.set()
    await server.close()


@pytest.fixture
async def start(redis_client: aioredis.Redis, redis_url: str, redis_prefix: str,
                graph: tuple[Any, str]) -> AsyncIterator[Any]:
    """Start the app (any role, any settings override) on 127.0.0.1; everything is closed afterwards."""
    started: list[TestClient] = []  # type: ignore[type-arg]

    async def start_(role: Role = "all", *, clock: Clock | None = None, redis: aioredis.Redis | None = None,
                     bot: Path | list[Path] = helpers.ECHO_BOT, **overrides: Any) -> Any:
        settings = replace(helpers.service_settings(redis_url, redis_prefix, graph[1]), **overrides)
        app = build_app(settings, bot, role=role, client=redis or redis_client, clock=clock)
        client = TestClient(TestServer(app, host="127.0.0.1", port=0))
        await client.start_server()
        started.append(client)
        return helpers.Running(client, graph[0], redis_client, redis_prefix)

    yield start_
    for client in reversed(started):
        await client.close()


@pytest.fixture
async def served(redis_client: aioredis.Redis, redis_url: str, redis_prefix: str, graph: tuple[Any, str],
                 tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """Make `papo serve` processes (`helpers.Served`; call `.start()`); each is stopped afterwards."""
    made: list[Any] = []

    def make(**env: str) -> Any:
        process = helpers.Served(tmp_path / f"serve-{len(made)}.log", redis_url=redis_url, prefix=redis_prefix,
                                 graph_url=graph[1], **env)
        made.append(process)
        return process

    yield make
    for process in made:
        await process.stop()
