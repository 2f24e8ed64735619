"""Shared fixtures: a real Redis for every test that needs one, never a silent skip.

The suite uses REDIS_URL, else 127.0.0.1:6379; when neither answers and `redis-server` is on
PATH it starts a private server on a free port; otherwise it stops at once and says how to
get one. Each test gets its own key prefix (`redis_prefix`) so runs sharing a server never
see each other's keys.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
import redis
import redis.asyncio as aioredis

from runtime.service import redis_urls


def _answers(url: str) -> bool:
    if "+cluster://" in url or "+sentinel://" in url:  # ask the first node (a cluster's, or a sentinel)
        host, port = redis_urls.parse(url).nodes[0]
        url = f"redis://{host}:{port}/0"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


def _free_port(*, bus: bool = False) -> int:
    """A free loopback port; with `bus`, one whose cluster bus port (+10000) is free too."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if not bus:
            return port
        if port + 10000 < 65536:
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port + 10000))
                    return port
                except OSError:
                    continue


def _started(proc: subprocess.Popen[bytes], ready: Callable[[], bool], *, seconds: float) -> bool:
    """Wait until `ready()` holds; between tries, wait on the process itself, so a server that
    exits is noticed at once. A server that is not ready in time is killed."""
    deadline = time.monotonic() + seconds
    while not ready():
        try:
            proc.wait(timeout=0.05)
            return False  # it exited
        except subprocess.TimeoutExpired:
            if time.monotonic() > deadline:
                proc.kill()
                return False
    return True


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    if _answers(url):
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.exit(
            f"no Redis answers at {url} and no redis-server is on PATH: start one "
            "(apt-get install redis-server, or docker run -p 6379:6379 redis) or set REDIS_URL",
            returncode=3,
        )
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="papo-test-redis-")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", workdir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    if not _started(proc, lambda: _answers(url), seconds=10):
        pytest.exit(f"the private redis-server on port {port} did not start", returncode=3)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix owned by this test alone."""
    return f"papotest-{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def redis_client(redis_url: str, redis_prefix: str) -> AsyncIterator[aioredis.Redis]:
    """A real async client; every key under this test's prefix is deleted afterwards."""
    client = redis_urls.connect(redis_url)  # REDIS_URL may name a cluster: the suite runs on it too
    yield client
    async for key in client.scan_iter(match=f"{redis_prefix}*", count=1000):
        await client.delete(key)
    await client.aclose()


class RedisServers:
    """Throwaway `redis-server` processes on free loopback ports, each in its own directory, stopped at the end."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.exit("redis-server is not on PATH: install it (apt-get install redis-server)", returncode=3)
        self.binary = binary
        self.root = tempfile.mkdtemp(prefix="papo-test-servers-")
        self.procs: dict[int, subprocess.Popen[bytes]] = {}

    def start(self, *options: str, port: int | None = None, name: str = "") -> tuple[int, str]:
        """Start one server (`options` as on its command line); returns its port and directory."""
        port = port or _free_port(bus=True)
        workdir = os.path.join(self.root, name or str(port))
        os.makedirs(workdir, exist_ok=True)
        proc = subprocess.Popen([self.binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", workdir,
                                 "--save", "", "--appendonly", "no", *options],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs[port] = proc
        if not _started(proc, lambda: _answers(f"redis://127.0.0.1:{port}/0"), seconds=10):
            pytest.fail(f"redis-server {' '.join(options)} on port {port} did not start")
        return port, workdir

    def stop(self, port: int) -> None:
        proc = self.procs.pop(port)
        proc.terminate()
        proc.wait(timeout=10)

    def close(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            proc.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_servers() -> Iterator[RedisServers]:
    servers = RedisServers()
    yield servers
    servers.close()


def _cluster_ok(port: int) -> bool:
    try:
        client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)
        try:
            info = client.execute_command("CLUSTER INFO")
        finally:
            client.close()
    except redis.RedisError:
        return False
    if isinstance(info, dict):  # redis-py parses the reply into a dict
        return info.get("cluster_state") == "ok"
    return "cluster_state:ok" in (info.decode() if isinstance(info, bytes) else str(info))


@pytest.fixture(scope="session")
def redis_cluster_url(redis_servers: RedisServers) -> str:
    """A real Redis Cluster of three primaries on loopback (slots spread by `redis-cli --cluster create`),
    as a papo REDIS_URL: `redis+cluster://127.0.0.1:<port>`."""
    cli = shutil.which("redis-cli")
    if cli is None:
        pytest.exit("redis-cli is not on PATH: install it (apt-get install redis-tools)", returncode=3)
    ports = [redis_servers.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                                 "--cluster-node-timeout", "5000")[0] for _ in range(3)]
    created = subprocess.run([cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in ports),
                              "--cluster-replicas", "0", "--cluster-yes"], capture_output=True, timeout=60)
    if created.returncode != 0:
        pytest.fail(f"redis-cli --cluster create failed: {created.stdout.decode()[-500:]}")
    deadline = time.monotonic() + 20
    while not all(_cluster_ok(p) for p in ports):
        if time.monotonic() > deadline:
            pytest.fail("the cluster did not reach cluster_state:ok")
        time.sleep(0.05)
    return f"redis+cluster://127.0.0.1:{ports[0]}"


def _sentinel(servers: RedisServers, primary: int, name: str) -> int:
    """A sentinel (`redis-server --sentinel`) watching the primary on `primary` as `name`; returns its port."""
    port = _free_port()
    conf = os.path.join(servers.root, f"sentinel-{port}.conf")
    with open(conf, "w") as f:  # the sentinel rewrites its file, so it gets one of its own
        f.write(f"port {port}\nbind 127.0.0.1\nsentinel monitor {name} 127.0.0.1 {primary} 1\n"
                f"sentinel down-after-milliseconds {name} 1000\nsentinel failover-timeout {name} 5000\n")
    proc = subprocess.Popen([servers.binary, conf, "--sentinel"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    servers.procs[port] = proc
    if not _started(proc, lambda: _answers(f"redis://127.0.0.1:{port}/0"), seconds=10):
        pytest.fail("redis-server --sentinel did not start")
    return port


@pytest.fixture(scope="session")
def redis_sentinel_url(redis_servers: RedisServers) -> str:
    """A primary watched by one sentinel on loopback, as a papo REDIS_URL:
    `redis+sentinel://127.0.0.1:<sentinel port>/papo-primary/0`."""
    primary, _ = redis_servers.start()
    return f"redis+sentinel://127.0.0.1:{_sentinel(redis_servers, primary, 'papo-primary')}/papo-primary/0"


@pytest.fixture
def redis_failover(redis_servers: RedisServers) -> tuple[str, int, int]:
    """A primary, its replica and a sentinel, for one test that fails over: (REDIS_URL, sentinel port,
    the replica's port, which becomes the primary after `SENTINEL FAILOVER papo-failover`)."""
    primary, _ = redis_servers.start()
    replica, _ = redis_servers.start("--replicaof", "127.0.0.1", str(primary))
    port = _sentinel(redis_servers, primary, "papo-failover")
    return f"redis+sentinel://127.0.0.1:{port}/papo-failover/0", port, replica
