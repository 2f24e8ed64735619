"""The processes `benchmarks.sidebyside` starts, each pinned to a core: servers under test (papo serve,
the bare floors, Node-RED), the load generator, and a throwaway Redis Cluster."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import redis.asyncio as aioredis

from benchmarks.webhooks import PHONE_ID, SECRET, cpu_seconds, free_port, wait_ready

ROOT = Path(__file__).parents[1]
NODERED = Path(__file__).parent / "nodered"
SERVER_CORE, LOAD_CORE = 0, 1


def pinned(core: int, argv: Sequence[str]) -> list[str]:
    return ["taskset", "-c", str(core), *argv] if shutil.which("taskset") else list(argv)


@dataclass
class Server:
    """A server under test: its process and its base URL."""

    name: str
    proc: asyncio.subprocess.Process
    url: str

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


async def start_server(name: str, argv: Sequence[str], env: dict[str, str], *, port: int,
                       cwd: Path = ROOT) -> Server:
    """Start `argv` pinned to the server core and wait until GET /readyz answers 200."""
    proc = await asyncio.create_subprocess_exec(*pinned(SERVER_CORE, argv), cwd=cwd, env=env,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    server = Server(name, proc, f"http://127.0.0.1:{port}")
    try:
        async with aiohttp.ClientSession() as session:
            ready = asyncio.create_task(wait_ready(session, server.url))
            died = asyncio.create_task(proc.wait())
            await asyncio.wait([ready, died], return_when=asyncio.FIRST_COMPLETED)
            if died.done():
                ready.cancel()
                err = await proc.stderr.read() if proc.stderr else b""
                raise SystemExit(f"{name} exited with {proc.returncode}: {err.decode(errors='replace')[-800:]}")
            died.cancel()
            ready.result()
    except BaseException:
        await server.stop()
        raise
    if proc.stderr is not None:  # keep draining it, so a chatty server never blocks on a full pipe
        asyncio.create_task(_drain(proc.stderr))
    return server


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.read(65536):
        pass


def papo_env(redis_url: str | None, prefix: str, graph_port: int | None = None) -> dict[str, str]:
    """The environment of a `papo serve` under test: WhatsApp configured against a fake Graph API, no
    pacing; `redis_url` None runs it on the embedded store."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update({"PAPO_KEY_PREFIX": prefix, "PAPO_LOG_LEVEL": "WARNING", "WHATSAPP_TOKEN": "bench",
                "WHATSAPP_APP_SECRET": SECRET, "WHATSAPP_VERIFY_TOKEN": "bench",
                "WHATSAPP_PHONE_NUMBER_ID": PHONE_ID, "PAPO_PACING_PER_USER_S": "0",
                "PAPO_RATE_PER_NUMBER": "1000000", "PYTHONPATH": str(ROOT)})
    if redis_url is not None:
        env["REDIS_URL"] = redis_url
    if graph_port is not None:
        env["PAPO_GRAPH_BASE_URL"] = f"http://127.0.0.1:{graph_port}"
    return env


async def start_papo(name: str, botdir: Path, env: dict[str, str], role: str = "all") -> Server:
    port = free_port()
    return await start_server(name, [sys.executable, "-m", "runtime.cli.main", "serve", str(botdir),
                                     "--port", str(port), "--role", role], env, port=port)


async def start_floor(name: str, kind: str, redis_url: str, prefix: str) -> Server:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return await start_server(name, [sys.executable, "-m", "benchmarks.floors", kind, "--port", str(port),
                                     "--redis", redis_url, "--prefix", prefix], env, port=port)


def npm_ci() -> None:
    """Install the pinned Node-RED (package-lock.json) unless it is there already."""
    if (NODERED / "node_modules" / "node-red" / "red.js").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is not on PATH: install Node.js 18 or newer (apt-get install nodejs npm)")
    print("installing Node-RED: npm ci in benchmarks/nodered", flush=True)
    if subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODERED).returncode != 0:
        raise SystemExit("npm ci in benchmarks/nodered failed (above); the npm registry must be reachable")


async def start_nodered(workdir: Path) -> Server:
    """Node-RED serving flows.json (the hello greeting, state in flow context), its user folder in
    `workdir` so nothing is written next to the flow."""
    npm_ci()
    node = shutil.which("node") or "node"
    port = free_port()
    argv = [node, str(NODERED / "node_modules" / "node-red" / "red.js"), "--settings", str(NODERED / "settings.js"),
            "--userDir", str(workdir), "--port", str(port), str(NODERED / "flows.json")]
    return await start_server("Node-RED", argv, {**os.environ}, port=port, cwd=NODERED)


async def load(urls: Sequence[str], kind: str, *, seconds: float, connections: int, senders: int,
               count: int | None = None, warmup: float = 0.5,
               cpu: Callable[[], float] = lambda: 0.0, strict: bool = True) -> dict[str, Any]:
    """One run of the load generator (benchmarks.loadgen) pinned to the load core; its JSON result, with
    "cpu": what `cpu()` (the servers' CPU seconds) grew by over the counted part. `strict`: a failed
    request stops the benchmark; else failures are counted in the result."""
    argv = [sys.executable, "-m", "benchmarks.loadgen", *urls, "--kind", kind, "--seconds", str(seconds),
            "--connections", str(connections), "--senders", str(senders), "--warmup", str(warmup)]
    if count is not None:
        argv += ["--count", str(count)]
    proc = await asyncio.create_subprocess_exec(*pinned(LOAD_CORE, argv), cwd=ROOT,
                                                env={**os.environ, "PYTHONPATH": str(ROOT)},
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    errors = asyncio.create_task(proc.stderr.read())
    before = after = 0.0
    last = b""
    async for line in proc.stdout:
        if line.strip() == b"measuring":
            before = cpu()
        elif line.strip():
            after, last = cpu(), line
    await proc.wait()
    if proc.returncode != 0 or not last:
        raise SystemExit(f"the load generator failed: {(await errors).decode(errors='replace')[-800:]}")
    result: dict[str, Any] = json.loads(last.decode())
    result["cpu"] = after - before
    if result["errors"] and strict:
        raise SystemExit(f"{result['errors']} requests failed, the first: {result['first_error']}")
    return result


def pin_redis(core: int) -> str:
    """Pin the Redis on 127.0.0.1:6379 to `core` if this user may; says what was done. The old affinity
    is given back by `unpin_redis`."""
    pid = _redis_pid()
    if pid is None:
        return "Redis: its process was not found, not pinned"
    try:
        before = os.sched_getaffinity(pid)
        os.sched_setaffinity(pid, {core})
    except OSError as exc:
        return f"Redis (pid {pid}): not pinned ({exc.strerror})"
    _PINNED[pid] = before
    return f"Redis (pid {pid}) on core {core}"


_PINNED: dict[int, set[int]] = {}


def unpin_redis() -> None:
    for pid, cores in _PINNED.items():
        with contextlib.suppress(OSError):
            os.sched_setaffinity(pid, cores)
    _PINNED.clear()


def _redis_pid() -> int | None:
    found = shutil.which("pgrep")
    if found is None:
        return None
    out = subprocess.run([found, "-f", "^redis-server 127.0.0.1:6379"], capture_output=True, text=True).stdout
    pids = [int(p) for p in out.split()]
    return pids[0] if len(pids) == 1 else None


@contextlib.asynccontextmanager
async def redis_cluster(masters: int = 3) -> AsyncIterator[str]:
    """A throwaway Redis Cluster of `masters` primaries on free loopback ports, pinned to the load core;
    yields its REDIS_URL (redis+cluster://127.0.0.1:port) and stops it afterwards."""
    binary, cli = shutil.which("redis-server"), shutil.which("redis-cli")
    if binary is None or cli is None:
        raise SystemExit("redis-server and redis-cli are needed for the cluster (apt-get install redis-server)")
    root = tempfile.mkdtemp(prefix="papo-bench-cluster-")
    ports = [_cluster_port() for _ in range(masters)]
    procs = [subprocess.Popen(pinned(LOAD_CORE, [binary, "--port", str(p), "--bind", "127.0.0.1", "--dir",
                                                 _folder(root, p), "--save", "", "--appendonly", "no",
                                                 "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                                                 "--cluster-node-timeout", "5000"]),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p in ports]
    try:
        for port in ports:
            await _answers(port)
        created = subprocess.run([cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in ports),
                                  "--cluster-replicas", "0", "--cluster-yes"], capture_output=True, timeout=60)
        if created.returncode != 0:
            raise SystemExit(f"redis-cli --cluster create failed: {created.stdout.decode()[-500:]}")
        deadline = time.monotonic() + 20
        while not all([await _cluster_ok(p) for p in ports]):
            if time.monotonic() > deadline:
                raise SystemExit("the cluster did not reach cluster_state:ok")
            await asyncio.sleep(0.05)
        yield f"redis+cluster://127.0.0.1:{ports[0]}"
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def _cluster_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free too."""
    while True:
        port = free_port()
        if port < 55535:
            with contextlib.suppress(OSError), socket.socket() as sock:
                sock.bind(("127.0.0.1", port + 10000))
                return port


def _folder(root: str, port: int) -> str:
    path = os.path.join(root, str(port))
    os.makedirs(path, exist_ok=True)
    return path


async def _answers(port: int) -> None:
    client = aioredis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)
    try:
        for _ in range(200):
            with contextlib.suppress(aioredis.ConnectionError, OSError):
                await client.ping()
                return
            await asyncio.sleep(0.05)
        raise SystemExit(f"redis-server on port {port} did not start")
    finally:
        await client.aclose()


async def _cluster_ok(port: int) -> bool:
    client = aioredis.Redis(host="127.0.0.1", port=port)
    try:
        info = await client.cluster("INFO")
    finally:
        await client.aclose()
    if isinstance(info, dict):  # redis-py parses the reply into a dict
        return bool(info.get("cluster_state") == "ok")
    return "cluster_state:ok" in (info.decode() if isinstance(info, bytes) else str(info))


async def delete_prefix(url: str, prefix: str) -> int:
    """Delete every key of `prefix` on a single Redis (SCAN, never KEYS); returns how many."""
    client = aioredis.Redis.from_url(url)
    deleted = 0
    try:
        batch = []
        async for key in client.scan_iter(match=f"{prefix}*", count=1000):
            batch.append(key)
            if len(batch) >= 500:
                deleted += await client.delete(*batch)
                batch.clear()
        if batch:
            deleted += await client.delete(*batch)
    finally:
        await client.aclose()
    return deleted
