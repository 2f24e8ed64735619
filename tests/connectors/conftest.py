"""Fixtures for the connector tests.

Test modules import their helpers from `connector_fakes`, which this file loads by path so
that it works under pytest's importlib import mode (no test folder is on sys.path).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from connectors import InstagramConnector, MessengerConnector, WhatsAppConnector


def _load_helpers() -> ModuleType:
    if (loaded := sys.modules.get("connector_fakes")) is not None:
        return loaded
    spec = importlib.util.spec_from_file_location("connector_fakes", Path(__file__).with_name("connector_fakes.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["connector_fakes"] = module
    spec.loader.exec_module(module)
    return module


fakes = _load_helpers()
Graph = tuple[Any, str]


@pytest.fixture
async def graph() -> AsyncIterator[Graph]:
    """A fake Graph API (`connector_fakes.FakeGraph`) on 127.0.0.1, and its base URL."""
    fake = fakes.FakeGraph()
    server = TestServer(fake.app, host="127.0.0.1", port=0)
    await server.start_server()
    yield fake, str(server.make_url("")).rstrip("/")
    fake.released.set()
    await server.close()


@pytest.fixture
def wa_offline() -> WhatsAppConnector:
    """A WhatsApp connector for parsing and rendering only (its sends would fail)."""
    return WhatsAppConnector(
        token="tok",
        app_secret=fakes.APP_SECRET,
        verify_token="vt",
        phone_number_id=fakes.PHONE_NUMBER_ID,
        base_url="http://127.0.0.1:9",
    )


@pytest.fixture
async def whatsapp(graph: Graph) -> AsyncIterator[WhatsAppConnector]:
    conn = WhatsAppConnector(
        token="wa-token",
        app_secret=fakes.APP_SECRET,
        verify_token="vt",
        phone_number_id=fakes.PHONE_NUMBER_ID,
        base_url=graph[1],
        api_version="v25.0",
        timeout=0.5,
    )
    yield conn
    await conn.aclose()


@pytest.fixture
async def messenger(graph: Graph) -> AsyncIterator[MessengerConnector]:
    conn = MessengerConnector(
        account_id=fakes.PAGE_ID,
        token="page-token",
        app_secret=fakes.APP_SECRET,
        verify_token="vt",
        base_url=graph[1],
        timeout=0.5,
        message_tag="CONFIRMED_EVENT_UPDATE",
    )
    yield conn
    await conn.aclose()


@pytest.fixture
async def instagram(graph: Graph) -> AsyncIterator[InstagramConnector]:
    conn = InstagramConnector(
        account_id=fakes.IG_ID,
        token="ig-token",
        app_secret=("old-secret", fakes.APP_SECRET),
        verify_token="vt",
        base_url=graph[1],
        timeout=0.5,
    )
    yield conn
    await conn.aclose()
