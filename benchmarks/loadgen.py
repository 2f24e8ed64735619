"""The one load generator of `benchmarks.sidebyside`: an aiohttp client holding a fixed number of
connections, each sending its next request as soon as the last one is answered.

    python -m benchmarks.loadgen URL [URL ...] --kind rest|whatsapp [--seconds 5] [--connections 32]
                                 [--senders 1000] [--count N] [--warmup 0.5]

Connections are spread over the URLs (one server process each). `rest` posts Rasa's REST shape,
`{"sender", "message"}`, to /webhooks/rest/webhook, alternating "hi" and a name per sender (the hello
bot asks for the name, then greets); `whatsapp` posts signed WhatsApp webhooks, each with a new
message id, to /webhooks/whatsapp. Requests go round the senders in turn, so no two in flight share a
sender. After `--warmup` seconds not counted, it sends for `--seconds` (or exactly `--count` requests)
and prints "measuring" as the counted part begins, then one JSON line: requests, seconds, rate,
p50_ms, p99_ms, and its own CPU seconds.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/nlu.py would hide the nlu package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import aiohttp  # noqa: E402

from benchmarks.webhooks import webhook  # noqa: E402

Request = tuple[str, bytes, dict[str, str]]  # path, body, headers
REST_PATH = "/webhooks/rest/webhook"
WHATSAPP_PATH = "/webhooks/whatsapp"
JSON = {"Content-Type": "application/json"}


def rest_requests(senders: int, tag: str) -> Callable[[int], Request]:
    """Request k: sender k mod `senders`, saying "hi" on its even visits and its name on the odd ones."""
    bodies = [[json.dumps({"sender": f"{tag}-{s}", "message": text}).encode() for s in range(senders)]
              for text in ("hi", "Ana")]
    return lambda k: (REST_PATH, bodies[(k // senders) % 2][k % senders], JSON)


def whatsapp_requests(senders: int, tag: str) -> Callable[[int], Request]:
    """Request k: a signed webhook with a new message id from sender k mod `senders` (the key prefix
    of the run keeps runs apart, so `tag` is not needed here)."""
    def make(k: int) -> Request:
        _, raw, headers = webhook(k % senders)
        return WHATSAPP_PATH, raw, headers

    return make


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""


async def drive(urls: list[str], make: Callable[[int], Request], connections: int, *, seconds: float,
                count: int | None, tally: Tally) -> float:
    """Send until the time is up (or `count` requests went out); returns the seconds it took."""
    counter = iter(range(count if count is not None else 10**12))
    stop = time.perf_counter() + (seconds if count is None else 10**9)
    limit = aiohttp.TCPConnector(limit=connections, limit_per_host=0, force_close=False)
    async with aiohttp.ClientSession(connector=limit, timeout=aiohttp.ClientTimeout(total=60)) as session:

        async def client(n: int) -> None:
            base = urls[n % len(urls)]
            while time.perf_counter() < stop:
                k = next(counter, None)
                if k is None:
                    return
                path, body, headers = make(k)
                began = time.perf_counter()
                try:
                    async with session.post(base + path, data=body, headers=headers) as resp:
                        await resp.read()
                        ok = resp.status == 200
                        problem = f"{base} answered {resp.status}"
                except aiohttp.ClientError as exc:
                    ok, problem = False, f"{base}: {type(exc).__name__}: {exc}"
                if ok:
                    tally.latencies.append(time.perf_counter() - began)
                else:
                    tally.errors += 1
                    tally.first_error = tally.first_error or problem

        began = time.perf_counter()
        await asyncio.gather(*(client(n) for n in range(connections)))
        return time.perf_counter() - began


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000 if ordered else 0.0


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+", help="base URLs, e.g. http://127.0.0.1:8080")
    parser.add_argument("--kind", choices=("rest", "whatsapp"), required=True)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--count", type=int, help="send exactly this many requests instead of for --seconds")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--senders", type=int, default=1000)
    parser.add_argument("--warmup", type=float, default=0.5, help="seconds sent first and not counted")
    parser.add_argument("--tag", default=uuid.uuid4().hex[:8], help="makes the senders' ids of this run")
    args = parser.parse_args()
    factory = rest_requests if args.kind == "rest" else whatsapp_requests
    make = factory(args.senders, args.tag)
    if args.warmup > 0 and args.count is None:
        await drive(args.urls, make, args.connections, seconds=args.warmup, count=None, tally=Tally())
    tally = Tally()
    print("measuring", flush=True)  # the caller reads the servers' CPU time from here to the result line
    cpu = time.process_time()
    elapsed = await drive(args.urls, make, args.connections, seconds=args.seconds, count=args.count, tally=tally)
    done = len(tally.latencies)
    print(json.dumps({"requests": done, "errors": tally.errors, "first_error": tally.first_error,
                      "seconds": elapsed, "rate": done / elapsed if elapsed else 0.0,
                      "p50_ms": percentile(tally.latencies, 0.5), "p99_ms": percentile(tally.latencies, 0.99),
                      "cpu_s": time.process_time() - cpu}))


if __name__ == "__main__":
    asyncio.run(main())
