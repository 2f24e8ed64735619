"""`REDIS_URL` in its three forms, and the client each one makes.

    redis://[:password@]host:port/db            one Redis (also rediss:// and unix://)
    redis+cluster://[:password@]host:port[,host:port...]
                                                a Redis Cluster: any of its nodes; the client learns the rest
    redis+sentinel://[:password@]host:port[,host:port...]/<primary name>[/db]
                                                a primary with replicas, found through its sentinels

`rediss+cluster://` and `rediss+sentinel://` are the same over TLS. Every form makes a client with
the API of `redis.asyncio.Redis`, so the rest of papo never asks which one it got; only the work
and send consumers read their partitions differently on a cluster (`is_cluster`).
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from typing import Any, Literal, cast
from urllib.parse import unquote, urlsplit

import hiredis
import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline
from redis.asyncio.cluster import ClusterNode, ClusterPipeline, RedisCluster
from redis.asyncio.connection import Connection, SSLConnection, UnixDomainSocketConnection
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import DataError, ResponseError

from runtime.engine.errors import ConfigError

Kind = Literal["single", "cluster", "sentinel"]
SCHEMES = ("redis://", "rediss://", "unix://", "redis+cluster://", "rediss+cluster://", "redis+sentinel://",
           "rediss+sentinel://")
_FORMS = ("redis://host:port/db, redis+cluster://host:port[,host:port] or "
          "redis+sentinel://host:port[,host:port]/<primary name>[/db]")


@dataclass(frozen=True, slots=True)
class RedisTarget:
    """What a REDIS_URL points at."""

    kind: Kind
    url: str  # for "single": the URL itself
    nodes: tuple[tuple[str, int], ...] = ()  # cluster seed nodes, or the sentinels
    primary: str = ""  # sentinel: the monitored primary's name
    db: int = 0
    username: str | None = None
    password: str | None = None
    tls: bool = False


def parse(url: str) -> RedisTarget:
    """The target of `url`; raises ConfigError naming what is wrong and the forms accepted."""
    if not url.startswith(SCHEMES):
        raise ConfigError(f"REDIS_URL has value {_shown(url)!r}; expected {_FORMS}")
    scheme = url.split("://", 1)[0]
    if "+" not in scheme:
        return RedisTarget("single", url)
    kind: Kind = "cluster" if scheme.endswith("+cluster") else "sentinel"
    parts = urlsplit(url)
    hosts = parts.netloc.rsplit("@", 1)[-1]
    nodes = tuple(_node(url, h) for h in hosts.split(",") if h)
    if not nodes:
        raise ConfigError(f"REDIS_URL has value {_shown(url)!r} with no host; expected {_FORMS}")
    path = [p for p in parts.path.split("/") if p]
    primary, db = "", 0
    if kind == "sentinel":
        if not path:
            raise ConfigError(f"REDIS_URL has value {_shown(url)!r} without the primary's name; expected "
                              "redis+sentinel://host:port[,host:port]/<primary name>[/db], e.g. /mymaster/0")
        primary = unquote(path[0])
        db = _db(url, path[1]) if len(path) > 1 else 0
    elif path and path != ["0"]:
        raise ConfigError(f"REDIS_URL has value {_shown(url)!r}; a Redis Cluster has only database 0, "
                          "so leave the path out")
    user, password = _credentials(parts.netloc)
    return RedisTarget(kind, url, nodes, primary, db, user, password, tls=scheme.startswith("rediss"))


# redis-py bounds every read and write of a command by `socket_timeout` (5 s by default), which costs an
# asyncio timeout and, for the write, a task per command: an eighth of a REST turn's CPU, measured
# (docs/production.md). The kernel bounds them instead, for free: a connection whose peer stops
# acknowledging what was sent for 10 s, or stays silent to 3 probes after 5 s idle, is closed, and the
# command fails as on a reset. A Redis that is alive but slow is waited for, as it should be.
DEAD_PEER: dict[str, Any] = {
    "socket_timeout": None,
    "socket_keepalive": True,
    "socket_keepalive_options": {socket.TCP_KEEPIDLE: 5, socket.TCP_KEEPINTVL: 2, socket.TCP_KEEPCNT: 3,
                                 socket.TCP_USER_TIMEOUT: 10_000},
}


def connect(url: str, *, max_connections: int = 64) -> aioredis.Redis:
    """A client for `url` (see the module's docstring for the forms).

    A command or pipeline waits for a free connection when every one is busy, instead of failing: a
    burst of webhooks waits its turn rather than losing messages. A command that meets a broken
    connection (a pooled one Redis closed when it restarted) is tried once more on a new one before
    its caller sees the error. A repeat of a command that did run (the connection broke after it,
    before the reply) is rare and tolerated: events dedupe by id, commits are fenced by version,
    claims and signals are leased; at worst a counter counts one more.
    """
    target = parse(url)
    retry = Retry(NoBackoff(), retries=1, supported_errors=(RedisConnectionError,))
    if target.kind == "single":
        # the pool itself unbounded: the client's gate bounds the connections its commands hold
        peer = DEAD_PEER if not url.startswith("unix://") else {"socket_timeout": None}
        packing = (_PackedUnix if url.startswith("unix://") else _PackedSSL if url.startswith("rediss://")
                   else _PackedTCP)
        pool = aioredis.ConnectionPool.from_url(url, socket_connect_timeout=5, retry=retry,
                                                connection_class=packing, **peer)
        return GatedRedis.gated(pool, max_connections)
    auth: dict[str, Any] = {"username": target.username, "password": target.password}
    if target.kind == "cluster":
        cluster = GatedCluster(startup_nodes=[ClusterNode(h, p) for h, p in target.nodes], ssl=target.tls,
                               max_connections=max_connections, socket_connect_timeout=5, **auth, **DEAD_PEER)
        # RedisCluster speaks the same commands (each routed to its slot's node); typed as Redis, so every
        # caller keeps one signature.
        return cast(aioredis.Redis, cluster)
    sentinel = Sentinel(list(target.nodes), socket_connect_timeout=5,  # type: ignore[no-untyped-call]
                        ssl=target.tls, sentinel_kwargs={"socket_connect_timeout": 5})
    return cast(aioredis.Redis, sentinel.master_for(target.primary, db=target.db, retry=retry, **DEAD_PEER,
                                                    max_connections=max_connections, **auth))


class _HiredisPacking:
    """Commands packed by hiredis (C) instead of redis-py's asyncio connection, which packs them in Python
    argument by argument: a tenth of a REST turn's CPU, measured (docs/production.md). redis-py's own
    synchronous client packs with hiredis the same way. An argument Redis cannot take (None, a bool...)
    is refused with redis-py's DataError, before anything is sent."""

    def pack_command(self, *args: Any) -> list[bytes]:
        return [_packed(args)]

    def pack_commands(self, commands: Any) -> list[bytes]:
        return [b"".join([_packed(tuple(args)) for args in commands])]


def _packed(args: tuple[Any, ...]) -> bytes:
    first = args[0]
    if isinstance(first, str):  # "CONFIG GET": Redis wants the words as separate arguments
        if " " in first:
            args = tuple(first.split()) + args[1:]
    elif b" " in first:
        args = tuple(first.split()) + args[1:]
    try:
        return hiredis.pack_command(args)  # type: ignore[no-any-return]
    except TypeError:
        pass
    fixed = []
    for arg in args:
        if isinstance(arg, (bytearray, memoryview)):
            arg = bytes(arg)
        elif isinstance(arg, bool) or not isinstance(arg, (str, bytes, int, float)):
            raise DataError(f"Invalid input of type: {type(arg).__name__!r}. Convert to a bytes, string, int or "
                            "float first.")
        fixed.append(arg)
    return hiredis.pack_command(tuple(fixed))  # type: ignore[no-any-return]


class _PackedTCP(_HiredisPacking, Connection):
    pass


class _PackedSSL(_HiredisPacking, SSLConnection):
    pass


class _PackedUnix(_HiredisPacking, UnixDomainSocketConnection):
    pass


_Batch = list[tuple[list[tuple[Any, ...]], asyncio.Future[list[Any]]]]  # callers' commands, each with its future


class GatedRedis(aioredis.Redis):
    """A single-server client whose commands and pipelines wait for a free connection when all are busy,
    over redis-py's plain pool. Its blocking pool does the same but pays a condition and a timeout on every
    command: a sixth of the client's CPU per call, measured (docs/production.md).

    Commands and non-transactional pipelines that several tasks send in the same turn of the event loop
    go out together, as one pipeline on one connection, and each caller gets its own replies: a busy
    process pays one write, one read and one connection per turn of the loop instead of one per caller.
    A caller alone waits for nothing more than the loop's next turn. Blocking reads, transactions,
    scripts registered on a pipeline and connection-scoped commands go alone, as before. A connection
    that breaks fails every caller of that batch (after the client's one retry), as it would fail each
    of them alone; a command's own error (a NOSCRIPT, a wrong type) goes to its caller only.
    """

    gate: asyncio.Semaphore
    _waiting: _Batch
    _flushing: set[asyncio.Task[None]]

    @classmethod
    def gated(cls, pool: aioredis.ConnectionPool, max_connections: int) -> GatedRedis:
        client = cast(GatedRedis, cls.from_pool(pool))  # the client owns the pool and closes it
        client.gate = asyncio.Semaphore(max_connections)
        client._waiting, client._flushing = [], set()
        return client

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        if _alone(args):
            async with self.gate:
                return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
        [reply] = await self.together([(args, options)])
        if isinstance(reply, ResponseError):
            raise reply
        return reply

    def pipeline(self, transaction: bool = True, shard_hint: str | None = None) -> Pipeline:
        return _GatedRedisPipeline(self.connection_pool, self.response_callbacks, transaction, shard_hint,
                                   owner=self)

    async def together(self, commands: list[tuple[Any, ...]]) -> list[Any]:
        """The replies to `commands` ((args, options) pairs), sent with whatever else is sent in this turn
        of the loop; a command's error is its reply (a ResponseError), a broken connection raises."""
        done: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._waiting.append((commands, done))
        if len(self._waiting) == 1:
            asyncio.get_running_loop().call_soon(self._flush)
        return await done

    def _flush(self) -> None:
        batch, self._waiting = self._waiting, []
        task = asyncio.get_running_loop().create_task(self._send(batch))
        self._flushing.add(task)  # held until done: the loop keeps only a weak reference
        task.add_done_callback(self._flushing.discard)

    async def _send(self, batch: _Batch) -> None:
        try:
            async with self.gate:
                pipe = Pipeline(self.connection_pool, self.response_callbacks, False, None)
                for commands, _ in batch:
                    pipe.command_stack.extend(commands)
                replies = await pipe.execute(raise_on_error=False)
        except DataError as exc:
            if len(batch) == 1:
                _fail(batch, exc)
                return
            # a caller's argument Redis cannot take (None...), refused before anything was sent: each caller
            # alone, so that only its own hears of it
            for entry in batch:
                await self._send([entry])
            return
        except BaseException as exc:  # the connection broke (or the loop is closing): every caller hears it
            _fail(batch, exc)
            if not isinstance(exc, Exception):
                raise
            return
        at = 0
        for commands, done in batch:
            if not done.done():  # its caller may have been cancelled meanwhile
                done.set_result(replies[at:at + len(commands)])
            at += len(commands)


def _fail(batch: _Batch, exc: BaseException) -> None:
    for _, done in batch:
        if done.done():  # its caller was cancelled meanwhile
            continue
        if isinstance(exc, asyncio.CancelledError):
            done.cancel()
        else:
            done.set_exception(exc)


# Commands that block, open a transaction or change the connection itself never share a batch.
_ALONE = frozenset({"BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP", "WAIT",
                    "WAITAOF", "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH", "SELECT", "AUTH", "HELLO", "CLIENT",
                    "MONITOR", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "RESET", "QUIT"})


def _alone(args: tuple[Any, ...]) -> bool:
    name = args[0].upper() if isinstance(args[0], str) else _text(args[0]).upper()
    if name in ("XREAD", "XREADGROUP"):
        return "BLOCK" in args or b"BLOCK" in args
    return name in _ALONE or " " in name  # "CLIENT SETNAME" and the like


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class _GatedRedisPipeline(Pipeline):
    def __init__(self, *args: Any, owner: GatedRedis) -> None:
        super().__init__(*args)
        self.owner = owner

    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        if self.is_transaction or self.explicit_transaction or self.scripts or self.watching:
            async with self.owner.gate:
                return await super().execute(raise_on_error)
        commands, self.command_stack = self.command_stack, []
        if not commands:
            return []
        replies = await self.owner.together(commands)
        if raise_on_error:
            for i, reply in enumerate(replies):
                if isinstance(reply, ResponseError):
                    self.annotate_exception(reply, i + 1, commands[i][0])
                    raise reply
        return replies


class GatedCluster(RedisCluster):
    """A cluster client whose commands and pipelines wait for a free connection when all are busy, as the
    single-server pool does: redis-py's cluster client fails with MaxConnectionsError instead, and a burst
    of webhooks would lose its messages. Each command or pipeline holds at most one connection per node."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = asyncio.Semaphore(int(kwargs.get("max_connections", 64)))

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        await self.initialize()  # a no-op once done; commands racing the first one must not use startup nodes
        async with self.gate:
            return await super().execute_command(*args, **kwargs)

    def pipeline(self, transaction: Any | None = None, shard_hint: Any | None = None) -> ClusterPipeline:
        if shard_hint:
            return super().pipeline(transaction, shard_hint)  # refused there, with redis-py's message
        return _GatedPipeline(self, transaction)  # type: ignore[abstract]  # as redis-py itself builds it


class _GatedPipeline(ClusterPipeline):
    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        client = self.cluster_client
        await client.initialize()
        async with cast(GatedCluster, client).gate:
            return await super().execute(*args, **kwargs)


def is_cluster(client: object) -> bool:
    """Whether `client` talks to a Redis Cluster (where one command may not span two slots)."""
    return isinstance(client, RedisCluster)


def _node(url: str, text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"REDIS_URL has value {_shown(url)!r}; {text!r} is not host:port")
    return host.strip("[]"), int(port)


def _db(url: str, text: str) -> int:
    if not text.isdigit():
        raise ConfigError(f"REDIS_URL has value {_shown(url)!r}; the database {text!r} is not a number")
    return int(text)


def _credentials(netloc: str) -> tuple[str | None, str | None]:
    if "@" not in netloc:
        return None, None
    user, _, password = netloc.rsplit("@", 1)[0].partition(":")
    return unquote(user) or None, unquote(password) or None


def _shown(url: str) -> str:
    """`url` with its password hidden, for error messages."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    return f"{scheme}{sep}***@{rest.rsplit('@', 1)[1]}"
