"""papo next to its floors and to Node-RED, measured side by side in one run, each server pinned to core 0
and the load generator (benchmarks.loadgen, the same one for every side) to core 1.

    python -m benchmarks.sidebyside [--seconds 5] [--rounds 3] [--only rest,ingest,backlog,scaling,embedded]

Sections:
  rest      the REST turn path (examples/hello under `papo serve`, real Redis) next to a bare aiohttp
            handler with two Redis round trips and Node-RED serving the same greeting from memory
  ingest    signed WhatsApp webhooks at `papo serve --role ingest` next to bare aiohttp with the HMAC
            check, a JSON parse and one XADD
  backlog   one `papo serve` clearing N queued WhatsApp messages (replies to a fake Graph API) next to
            the same process's REST turn rate
  scaling   REST turns with 1, 2 and 4 processes on one Redis and on a 3-primary Redis Cluster
  embedded  the REST turn path on the embedded store (no REDIS_URL) next to the same on real Redis

Each side gets a warm-up, then the sides take turns for --rounds rounds of --seconds each and the
median round counts; every ratio is to a side measured in this run. "server core" is the CPU the
servers under test used over the round's wall time: below about 90 % the load generator, not the
server, set the pace. Uses REDIS_URL or redis://127.0.0.1:6379/0 under a fresh key prefix, deleted
afterwards; pins that Redis to core 1 while it runs when allowed (and gives back its old affinity).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/nlu.py would hide the nlu package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from benchmarks import processes as ps  # noqa: E402
from benchmarks.webhooks import FakeGraph, serve_graph  # noqa: E402

ROOT = Path(__file__).parents[1]
HELLO = ROOT / "examples" / "hello"
ECHO = Path(__file__).parent / "bots" / "echo"
SECTIONS = ("rest", "ingest", "backlog", "scaling", "embedded")


@dataclass
class Measured:
    rate: float  # requests per second of wall time
    p50_ms: float
    p99_ms: float
    busy: float  # CPU seconds of the servers under test per second of wall time
    cpu_ms: float  # CPU milliseconds of the servers under test per request
    gen_busy: float  # CPU seconds of the load generator per second of wall time

    @property
    def per_core(self) -> float:
        """Requests per CPU second of the servers: what one full core would serve."""
        return 1000 / self.cpu_ms if self.cpu_ms else 0.0


@dataclass
class Side:
    name: str
    servers: list[ps.Server]

    @property
    def urls(self) -> list[str]:
        return [s.url for s in self.servers]

    def cpu(self) -> float:
        return sum(s.cpu() for s in self.servers)


async def measure(sides: Sequence[Side], kind: str, args: argparse.Namespace) -> dict[str, Measured]:
    """Warm each side up, then take turns for `args.rounds` rounds; the median of each figure per side."""
    shape = {"connections": args.connections, "senders": args.senders}
    for side in sides:
        await ps.load(side.urls, kind, seconds=args.warmup, warmup=0, strict=False, **shape)
    rounds: dict[str, list[Measured]] = {side.name: [] for side in sides}
    for _ in range(args.rounds):
        for side in sides:
            got = await ps.load(side.urls, kind, seconds=args.seconds, warmup=0, cpu=side.cpu, strict=False, **shape)
            cpu = got["cpu"]
            if got["errors"]:
                print(f"   {side.name}: {got['errors']} requests failed in a round, the first: {got['first_error']}")
            rounds[side.name].append(Measured(got["rate"], got["p50_ms"], got["p99_ms"], cpu / got["seconds"],
                                              cpu * 1000 / max(got["requests"], 1), got["cpu_s"] / got["seconds"]))
    return {name: median(found) for name, found in rounds.items()}


def median(found: list[Measured]) -> Measured:
    """Each figure's median over the rounds."""
    return Measured(*(statistics.median(getattr(m, f) for m in found) for f in Measured.__dataclass_fields__))


def table(title: str, results: dict[str, Measured], floor: str) -> None:
    base = results[floor]
    print(f"\n{title}")
    print(f"{'side':<40} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'server':>7} {'loadgen':>7} "
          f"{'CPU ms/req':>10} {'req/s ratio':>11} {'per-CPU ratio':>13}")
    for name, m in results.items():
        print(f"{name:<40} {m.rate:>7,.0f} {m.p50_ms:>7.1f} {m.p99_ms:>7.1f} {m.busy:>7.0%} {m.gen_busy:>7.0%} "
              f"{m.cpu_ms:>10.3f} {m.rate / base.rate:>11.2f} {m.per_core / base.per_core:>13.2f}")


def target(label: str, mine: Measured, other: Measured, wanted: float) -> None:
    ratio, per_cpu = mine.rate / other.rate, mine.per_core / other.per_core
    print(f"{label}: {ratio:.2f} by req/s, {per_cpu:.2f} by CPU per request (target >= {wanted:g}: "
          f"{'met' if ratio >= wanted else 'not met'} by req/s, {'met' if per_cpu >= wanted else 'not met'} by CPU)")


async def stopping(*servers: ps.Server) -> None:
    await asyncio.gather(*(s.stop() for s in servers))


async def section_rest(args: argparse.Namespace, url: str, prefix: str) -> None:
    floor = await ps.start_floor("bare", "rest", url, prefix)
    papo = await ps.start_papo("papo", HELLO, ps.papo_env(url, prefix))
    with tempfile.TemporaryDirectory(prefix="papo-bench-nodered-") as workdir:
        nodered = await ps.start_nodered(Path(workdir))
        try:
            sides = [Side("bare aiohttp + 2 round trips", [floor]), Side("papo serve, hello, Redis", [papo]),
                     Side(f"Node-RED {nodered_version()}, in memory", [nodered])]
            results = await measure(sides, "rest", args)
        finally:
            await stopping(floor, papo, nodered)
    table(f"1. REST turn path: POST /webhooks/rest/webhook, {args.senders:,} senders, {args.connections} "
          f"connections, {args.rounds} x {args.seconds:g} s (median)", results, sides[0].name)
    mine = results[sides[1].name]
    target("papo / bare aiohttp + 2 round trips", mine, results[sides[0].name], 0.8)
    target("papo / Node-RED", mine, results[sides[2].name], 1.0)


async def section_ingest(args: argparse.Namespace, url: str, prefix: str) -> None:
    floor = await ps.start_floor("bare", "ingest", url, prefix)
    papo = await ps.start_papo("papo", HELLO, ps.papo_env(url, prefix), role="ingest")
    try:
        sides = [Side("bare aiohttp + HMAC + JSON + XADD", [floor]), Side("papo serve --role ingest", [papo])]
        results = await measure(sides, "whatsapp", args)
    finally:
        await stopping(floor, papo)
    table(f"2. Ingest: signed WhatsApp webhooks, {args.senders:,} senders, {args.connections} connections, "
          f"{args.rounds} x {args.seconds:g} s (median)", results, sides[0].name)
    target("papo ingest / bare", results[sides[1].name], results[sides[0].name], 0.8)


async def section_backlog(args: argparse.Namespace, url: str, prefix: str) -> None:
    count = args.backlog
    ingest = await ps.start_papo("papo ingest", ECHO, ps.papo_env(url, prefix), role="ingest")
    try:
        await ps.load([ingest.url], "whatsapp", seconds=0, count=count, warmup=0, connections=args.connections,
                      senders=args.senders)
    finally:
        await ingest.stop()
    graph = FakeGraph()
    runner, graph_port = await serve_graph(graph)
    began = time.perf_counter()
    papo = await ps.start_papo("papo", ECHO, ps.papo_env(url, prefix, graph_port))
    try:
        ready = time.perf_counter()
        cpu_before = papo.cpu()
        deadline = ready + max(120.0, count / 10)
        while len(graph.arrived) < count and time.perf_counter() < deadline:
            await asyncio.sleep(0.02)
        arrived = sorted(graph.arrived.values())
        cpu = papo.cpu() - cpu_before
        if not arrived:
            raise SystemExit("no reply reached the fake Graph API: the backlog was not cleared")
        rest = await measure([Side("papo", [papo])], "rest", args)
    finally:
        await papo.stop()
        await runner.cleanup()
    done = len(arrived)
    clearing = (arrived[-1] - ready) if done else float("inf")
    backlog = Measured(done / clearing, 0.0, 0.0, cpu / clearing, cpu * 1000 / max(done, 1), 0.0)
    results = {"REST turns, same process": rest["papo"], "backlog cleared (ready -> last reply)": backlog}
    table(f"3. Backlog: {count:,} WhatsApp messages from {min(count, args.senders):,} senders queued by "
          "`papo serve --role ingest`, then one `papo serve` (echo bot, fake Graph API) started",
          results, "REST turns, same process")
    if done < count:
        print(f"   only {done:,} of {count:,} replies reached the fake Graph API before the deadline")
    steady = (done - 1) / (arrived[-1] - arrived[0]) if done > 1 else 0.0
    print(f"   start to ready {ready - began:.1f} s; first reply to last reply {steady:,.0f} replies/s")
    target("backlog / REST turns", backlog, rest["papo"], 0.5)


async def section_scaling(args: argparse.Namespace, url: str, prefix: str) -> None:
    results: dict[str, Measured] = {}
    stores: list[tuple[str, str | None]] = [("Redis", url), ("Redis Cluster, 3 primaries", None)]
    for store, store_url in stores:
        if store_url is None:
            async with ps.redis_cluster(3) as cluster_url:
                await scale_on(store, cluster_url, prefix, args, results)
        else:
            await scale_on(store, store_url, prefix, args, results)
    first = next(iter(results))
    table(f"4. Scaling: REST turns (hello) with 1, 2 and 4 `papo serve` processes, all on core 0, "
          f"{args.rounds} x {args.seconds:g} s (median)", results, first)
    print("   the machine has 2 cores: the processes share core 0 while the load generator and Redis share core 1,"
          " so this shows what more processes cost or save on one core, not a scale-out")


async def scale_on(store: str, url: str, prefix: str, args: argparse.Namespace, results: dict[str, Measured]) -> None:
    for count in (1, 2, 4):
        servers = list(await asyncio.gather(*(ps.start_papo(f"papo {n}", HELLO, ps.papo_env(url, prefix))
                                              for n in range(count))))
        try:
            found = await measure([Side("papo", servers)], "rest", args)
        finally:
            await stopping(*servers)
        results[f"{count} process{'es' if count > 1 else ''}, {store}"] = found["papo"]


async def section_embedded(args: argparse.Namespace, url: str, prefix: str) -> None:
    redis_side = await ps.start_papo("papo", HELLO, ps.papo_env(url, prefix))
    embedded = await ps.start_papo("papo embedded", HELLO, ps.papo_env(None, prefix))
    try:
        sides = [Side("papo serve, hello, Redis", [redis_side]), Side("papo serve, hello, embedded", [embedded])]
        results = await measure(sides, "rest", args)
    finally:
        await stopping(redis_side, embedded)
    table(f"5. Embedded store (no REDIS_URL) next to real Redis, REST turn path, {args.rounds} x "
          f"{args.seconds:g} s (median)", results, sides[0].name)
    mine, other = results[sides[1].name], results[sides[0].name]
    print(f"embedded / Redis: {mine.rate / other.rate:.2f} by req/s, {mine.per_core / other.per_core:.2f} by CPU "
          "per request (the embedded store runs in papo's own process, so its work is counted there)")


def nodered_version() -> str:
    lock = json.loads((ps.NODERED / "package-lock.json").read_text())
    return str(lock["packages"]["node_modules/node-red"]["version"])


RUNNERS = {"rest": section_rest, "ingest": section_ingest, "backlog": section_backlog,
           "scaling": section_scaling, "embedded": section_embedded}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of a measured round (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per side; the median counts (default 3)")
    parser.add_argument("--warmup", type=float, default=1.5, help="warm-up seconds per side (default 1.5)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--senders", type=int, default=1000)
    parser.add_argument("--backlog", type=int, default=3000, help="messages queued for the backlog section")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated, of {', '.join(SECTIONS)}")
    args = parser.parse_args(argv)
    args.sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; pick from {', '.join(SECTIONS)}")
    return args


async def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` gives Redis its cores back
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    prefix = f"papobench-sbs-{uuid.uuid4().hex[:8]}"
    try:
        os.sched_setaffinity(0, {ps.LOAD_CORE})
        me = f"this process and the load generator on core {ps.LOAD_CORE}"
    except OSError as exc:
        me = f"this process not pinned ({exc.strerror})"
    pinning = ps.pin_redis(ps.LOAD_CORE) if url == "redis://127.0.0.1:6379/0" else "Redis: not pinned (REDIS_URL set)"
    print(f"side by side on {os.cpu_count()} cores: servers under test on core {ps.SERVER_CORE}; {me}; {pinning}")
    print(f"{url}, key prefix {prefix}; sections {', '.join(args.sections)}")
    try:
        for name in args.sections:
            await RUNNERS[name](args, url, prefix)
    finally:
        ps.unpin_redis()
        deleted = await ps.delete_prefix(url, prefix)
        print(f"\ncleaned up: {deleted:,} keys under {prefix} deleted")


if __name__ == "__main__":
    asyncio.run(main())
