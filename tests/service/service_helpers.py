"""Helpers for the service tests: webhook bodies, waiting on conditions, a running app.

Loaded by path from conftest.py (pytest runs with --import-mode=importlib); `connector_fakes`
is loaded the same way from tests/connectors.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import socket
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from runtime.conversations.keys import ConversationKey
from runtime.service.app import BOTS
from runtime.service.bot_service import Service
from runtime.service.settings import ChannelSettings, Settings

fakes = sys.modules["connector_fakes"]  # loaded by conftest.py before this module
ECHO_BOT = Path(__file__).parent / "bots" / "echo"
VERIFY_TOKEN = "verify-me"
USER = "5511987654321"


def wa_message(wamid: str, text: str, *, ts: int = 1767261600, user: str = USER) -> dict[str, Any]:
    return {"from": user, "id": wamid, "timestamp": str(ts), "type": "text", "text": {"body": text}}


def wa_status(wamid: str, status: str, *, ts: int = 1767261700, user: str = USER) -> dict[str, Any]:
    return {"id": wamid, "status": status, "timestamp": str(ts), "recipient_id": user}


def wa_body(*, messages: Sequence[dict[str, Any]] = (), statuses: Sequence[dict[str, Any]] = (), **extra: Any) -> bytes:
    """A WhatsApp Cloud API webhook body, serialised the way Meta does (ASCII, escaped)."""
    value: dict[str, Any] = {"messaging_product": "whatsapp",
                             "metadata": {"display_phone_number": "5511940000000",
                                          "phone_number_id": fakes.PHONE_NUMBER_ID}, **extra}
    if messages:
        value["contacts"] = [{"profile": {"name": "Maria"}, "wa_id": USER}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    body = {"object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}]}
    return json.dumps(body).encode()


async def wait_until(condition: Callable[[], Awaitable[bool]], *, timeout: float = 10.0) -> None:
    """Poll `condition` until it holds; the timeout only guards against a hang."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached before the timeout")
        await asyncio.sleep(0.01)


@dataclass
class Running:
    client: TestClient  # type: ignore[type-arg]
    graph: Any
    redis: aioredis.Redis
    prefix: str

    @property
    def service(self) -> Service:
        first = self.client.server.app[BOTS].first
        assert first is not None, "the bots are not open (Redis did not answer at start)"
        return first

    @property
    def key(self) -> ConversationKey:
        return ConversationKey(self.service.library.name, "whatsapp", USER)

    async def post(self, body: bytes, *, headers: dict[str, str] | None = None, channel: str = "whatsapp") -> Any:
        data = io.BytesIO(body) if len(body) > 1024 * 1024 else body  # aiohttp warns on large raw bytes
        return await self.client.post(f"/webhooks/{channel}", data=data,
                                      headers=fakes.signed(body) if headers is None else headers)

    def texts(self) -> list[str]:
        return [c.json.get("text", {}).get("body", "") for c in self.graph.calls]





WHATSAPP = ChannelSettings("whatsapp", fakes.PHONE_NUMBER_ID, "wa-token", fakes.APP_SECRET, VERIFY_TOKEN)
WITH_WEB_TOKEN = (WHATSAPP, ChannelSettings("web", token="widget-secret"))  # `channels=`: the web channel guarded


def service_settings(redis_url: str | None, prefix: str, graph_url: str) -> Settings:
    graph = dict.fromkeys(("whatsapp", "messenger", "instagram"), graph_url)  # every Meta channel to FakeGraph
    return Settings(redis_url=redis_url, key_prefix=prefix, channels=(WHATSAPP,), base_urls=graph,
                    partitions=4, workers=2, senders=2, pacing_per_user_s=0, retry_base_s=0.01, block_ms=50,
                    work_lease_ms=500)  # a redundant signal left pending comes back quickly


Start = Callable[..., Awaitable[Running]]


class TcpProxy:
    """A TCP proxy on 127.0.0.1 in front of a real server; `cut` makes the server vanish."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []
        self.pipes: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers += [writer, up_writer]
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self.pipes.add(task)
            task.add_done_callback(self.pipes.discard)

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            sink.close()

    async def cut(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
        for writer in self.writers:
            writer.close()
        for task in list(self.pipes):
            task.cancel()
        await asyncio.gather(*self.pipes, return_exceptions=True)
        for writer in self.writers:
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass


async def raw_request(port: int, request: bytes) -> int:
    """Send `request` (head and body, as given: any bytes) over a plain socket; the status it got."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
        return int(status_line.split()[1])
    finally:
        writer.close()
        await writer.wait_closed()


def raw_head(method: str, path: str, headers: Sequence[tuple[bytes, bytes]], *, length: int = 0) -> bytes:
    lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: 127.0.0.1", b"Connection: close",
             f"Content-Length: {length}".encode(), *(name + b": " + value for name, value in headers)]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    """`papo serve` as a real process (the echo bot unless `bot` is set, WhatsApp on the test's fake Graph
    API); its log in a file."""

    def __init__(self, log: Path, *, redis_url: str, prefix: str, graph_url: str, **env: str) -> None:
        self.log_path = log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        base = {k: v for k, v in os.environ.items() if not k.startswith(("PAPO_", "WHATSAPP_", "REDIS_"))}
        self.env = base | {"REDIS_URL": redis_url, "PAPO_KEY_PREFIX": prefix, "GRAPH_BASE_URL": graph_url,
                           "WHATSAPP_TOKEN": "wa-token", "WHATSAPP_APP_SECRET": fakes.APP_SECRET,
                           "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN, "WHATSAPP_PHONE_NUMBER_ID": fakes.PHONE_NUMBER_ID,
                           "PAPO_PACING_PER_USER_S": "0", "PAPO_BLOCK_MS": "50"} | env
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, *args: str, bots: Sequence[str] = (str(ECHO_BOT),)) -> None:
        with self.log_path.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "runtime.cli.main", "serve", *bots, "--port", str(self.port), *args,
                cwd=Path(__file__).parents[2], env=self.env, stdout=log, stderr=log)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def status(self, path: str) -> int | None:
        """The status of GET `path`, or None while nothing listens."""
        try:
            async with aiohttp.ClientSession() as session, session.get(self.url + path) as resp:
                return resp.status
        except aiohttp.ClientConnectionError:
            return None

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            await asyncio.wait_for(self.proc.wait(), 15)


class FlakyLink:
    """A TCP link on 127.0.0.1 to a real server, for outages. `down()` drops every connection and
    closes new ones at once (counted in `refused`) until `up()`; `stale()` leaves the open ones
    looking healthy but closes each when it is next used, as after a restart behind them."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.server: asyncio.Server | None = None
        self.is_down = False
        self.refused = 0
        self.generation = 0
        self.writers: set[asyncio.StreamWriter] = set()
        self.pipes: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.is_down:
            self.refused += 1
            writer.close()
            return
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers |= {writer, up_writer}
        born = self.generation
        for source, sink, check in ((reader, up_writer, True), (up_reader, writer, False)):
            task = asyncio.create_task(self._pipe(source, sink, born if check else None, (writer, up_writer)))
            self.pipes.add(task)
            task.add_done_callback(self.pipes.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, born: int | None,
                    both: tuple[asyncio.StreamWriter, asyncio.StreamWriter]) -> None:
        try:
            while data := await source.read(65536):
                if born is not None and born != self.generation:
                    break  # a stale connection: closed when used, its command never reaches the server
                sink.write(data)
                await sink.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            for writer in both:
                writer.close()

    def stale(self) -> None:
        self.generation += 1

    async def down(self) -> None:
        self.is_down = True
        for writer in list(self.writers):
            writer.close()
        self.writers.clear()
        for task in list(self.pipes):
            task.cancel()
        await asyncio.gather(*self.pipes, return_exceptions=True)

    def up(self) -> None:
        self.is_down = False

    async def close(self) -> None:
        await self.down()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


class RedisServer:
    """A private `redis-server` on `port`, to stop and start like the real one in an outage."""

    def __init__(self, port: int, workdir: Path) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.workdir = workdir
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc = await asyncio.create_subprocess_exec(
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(self.workdir), stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)

        async def answers() -> bool:
            client = aioredis.Redis.from_url(self.url, socket_connect_timeout=0.5)
            try:
                return bool(await client.ping())
            except (aioredis.RedisError, OSError):
                return False
            finally:
                await client.aclose()

        await wait_until(answers)

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            await asyncio.wait_for(self.proc.wait(), 10)


async def staff(app: Running, role: str) -> dict[str, str]:
    """Authorization headers of the test's staff account with `role` (made on first use)."""
    from runtime.access.accounts import Accounts

    accounts = Accounts(app.redis, prefix=app.prefix)
    if await accounts.get(role) is None:
        await accounts.add(role, role)
    token, _ = await accounts.issue(role)
    return {"Authorization": f"Bearer {token}"}
