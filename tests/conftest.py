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


def _answers(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    client = aioredis.Redis.from_url(redis_url)
    yield client
    async for key in client.scan_iter(match=f"{redis_prefix}*", count=1000):
        await client.delete(key)
    await client.aclose()
