"""The parts of a papo deployment the campaign breaks: a private redis-server with AOF, a slow TCP
link in front of it, and `papo serve` processes (one per role), watched like a supervisor would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import redis.asyncio as aioredis
from redis.exceptions import RedisError

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def until(condition: Callable[[], Awaitable[bool]], *, timeout: float, every: float = 0.05) -> bool:
    """Poll an async `condition()` until it holds; False when `timeout` passed (a guard, not a measure)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await condition():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(every)
    return True


class RedisServer:
    """redis-server on its own port and directory, with every write fsynced to the AOF before it is
    acknowledged, so a SIGKILL loses nothing a client was told was written."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.process: asyncio.subprocess.Process | None = None
        self.restarts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with (self.workdir / "redis.log").open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.workdir),
                "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "no",
                stdout=log, stderr=log)
        if not await until(self.answers, timeout=30):
            raise RuntimeError(f"redis-server on port {self.port} did not start; see {self.workdir / 'redis.log'}")

    async def answers(self) -> bool:
        client = aioredis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=2)
        try:
            return bool(await client.ping())
        except (RedisError, OSError):
            return False
        finally:
            await client.aclose()

    async def crash(self) -> None:
        """kill -9: the server gets no chance to write anything more."""
        assert self.process is not None
        self.process.kill()
        await self.process.wait()

    async def restart(self) -> None:
        await self.start()
        self.restarts += 1

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()


@dataclass
class SlowLink:
    """A TCP proxy on 127.0.0.1 that delays every chunk, each way, by `latency` seconds (order kept).
    When the server behind it goes away, its client connections are closed; new ones reach the new server."""

    target_port: int
    latency: float
    port: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        me = asyncio.current_task()
        assert me is not None
        self._tasks.add(me)
        me.add_done_callback(self._tasks.discard)
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        pipes = [asyncio.create_task(self._pipe(reader, up_writer)), asyncio.create_task(self._pipe(up_reader, writer))]
        try:
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)  # one side gone: close both
        finally:
            for pipe in pipes:
                pipe.cancel()
            await asyncio.gather(*pipes, return_exceptions=True)
            writer.close()
            up_writer.close()

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        chunks: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def read() -> None:
            try:
                while data := await source.read(65536):
                    chunks.put_nowait((loop.time() + self.latency, data))
            finally:
                chunks.put_nowait((0.0, b""))

        reading = asyncio.create_task(read())
        try:
            while (chunk := await chunks.get())[1]:
                await asyncio.sleep(max(0.0, chunk[0] - loop.time()))
                sink.write(chunk[1])
                await sink.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            reading.cancel()
            await asyncio.gather(reading, return_exceptions=True)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


@dataclass
class Papo:
    """One `papo serve` process of one role; SIGKILLed and restarted by the campaign, and restarted
    after an exit of its own (counted), the way a supervisor would.

    Each start is an instance, `<name>.<n>`, and sends to the Graph API under that path, so a send
    names the instance that made it.
    """

    name: str
    role: str
    env: dict[str, str]
    graph_url: str
    log: Path
    port: int = field(default_factory=free_port)
    process: asyncio.subprocess.Process | None = None
    instance: str = ""
    killed: dict[str, float] = field(default_factory=dict)   # instances SIGKILLed, and when (loop time)
    exits: list[int] = field(default_factory=list)    # return codes of exits nobody asked for
    _watchers: set[asyncio.Task[None]] = field(default_factory=set)
    sigkills: int = 0                                 # SIGKILLs begun (`killed` lists the finished ones)
    _stopping: bool = False
    _starts: int = 0

    async def start(self, bot: Path) -> None:
        self._starts += 1
        self.instance = f"{self.name}.{self._starts}"
        env = {**self.env, "PAPO_GRAPH_BASE_URL": f"{self.graph_url}/{self.instance}"}
        with self.log.open("ab") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "runtime.cli.main", "serve", str(bot), "--role", self.role, "--port",
                str(self.port), cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        self.process = process
        watcher = asyncio.create_task(self._watch(process, bot))
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)

    async def _watch(self, process: asyncio.subprocess.Process, bot: Path) -> None:
        code = await process.wait()
        if self._stopping or process is not self.process or code == -signal.SIGKILL:
            return
        self.exits.append(code)
        await asyncio.sleep(0.5)  # a supervisor's backoff
        if not self._stopping and process is self.process:
            await self.start(bot)

    async def sigkill(self) -> None:
        process = self.process
        if process is not None and process.returncode is None:
            self.sigkills += 1
            self.killed[self.instance] = asyncio.get_running_loop().time()
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
            await process.wait()

    async def serving(self) -> bool:
        """Its HTTP server answers (any status)."""
        try:
            async with aiohttp.ClientSession() as session, session.get(
                    f"http://127.0.0.1:{self.port}/healthz", timeout=aiohttp.ClientTimeout(total=2)):
                return True
        except (aiohttp.ClientError, TimeoutError, OSError):
            return False

    async def ready(self) -> bool:
        """Redis answers it and its bot is loaded."""
        try:
            async with aiohttp.ClientSession() as session, session.get(
                    f"http://127.0.0.1:{self.port}/readyz", timeout=aiohttp.ClientTimeout(total=3)) as answer:
                return answer.status == 200
        except (aiohttp.ClientError, TimeoutError, OSError):
            return False

    def exited(self) -> bool:
        return self.process is None or self.process.returncode is not None

    async def stop(self) -> None:
        self._stopping = True
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        for watcher in list(self._watchers):
            watcher.cancel()
        await asyncio.gather(*self._watchers, return_exceptions=True)

    def tracebacks(self) -> int:
        return self.log.read_text(encoding="utf-8", errors="replace").count("Traceback (most recent call last)")


ROLES = (("ingest", "ingest", False), ("worker-a", "worker", False), ("worker-b", "worker", True),
         ("sender-a", "sender", False), ("sender-b", "sender", False), ("timers", "timers", False))


@dataclass
class Cluster:
    """One `papo serve` process per role (worker-b over the slow link), all on one bot folder."""

    bot: Path
    env: Callable[[str], dict[str, str]]    # the environment for a Redis URL
    redis: RedisServer
    link: SlowLink
    graph_url: str
    logs: Path
    processes: dict[str, Papo] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, role, slow in ROLES:
            env = self.env(self.link.url if slow else self.redis.url)
            self.processes[name] = Papo(name, role, env, self.graph_url, self.logs / f"{name}.log")

    def __getitem__(self, name: str) -> Papo:
        return self.processes[name]

    async def start(self) -> None:
        await asyncio.gather(*(p.start(self.bot) for p in self.processes.values()))

    async def ready(self) -> bool:
        return all(await asyncio.gather(*(p.ready() for p in self.processes.values())))

    async def restart(self, name: str) -> None:
        """SIGKILL and start again at once."""
        await self[name].sigkill()
        await self[name].start(self.bot)

    async def stop(self) -> None:
        await asyncio.gather(*(p.stop() for p in self.processes.values()))

    def killed(self) -> dict[str, float]:
        """Every instance SIGKILLed, and when."""
        return {instance: at for p in self.processes.values() for instance, at in p.killed.items()}
