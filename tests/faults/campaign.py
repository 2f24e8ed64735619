"""The fault campaign: `papo serve` in one process per role over a private Redis with AOF, patients
and fuzzers posting signed webhooks, faults injected while they talk; then every reply, booking and
reminder is counted.

    ingest      answers webhooks
    worker-a    runs turns (and due timers)
    worker-b    the same, over a slow link to Redis (a TCP proxy that delays every chunk)
    sender-a/b  send replies to the fake Graph API, which delays each send and refuses some (retryable)
    timers      runs due timers only

Faults, each at a fraction of the scripted traffic: a SIGKILL (and restart) of every role, sender-a
and worker-a twice, and a Redis crash (kill -9) while sends wait on the Graph API, with a process
started while Redis is down. Meanwhile fuzzers post hostile bodies and raw probes send broken HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import redis.asyncio as aioredis

from runtime.keys import Keys
from runtime.service.work import AT_ONCE

from . import checks
from . import tally as T
from .chaos import Chaos, Clock, Fault, RedisCrash
from .cluster import Cluster, Papo, RedisServer, SlowLink, until
from .fuzz import JUNK_USER, Fuzzer, bad_headers, hang_up, slow_body
from .graph import Graph
from .meta import APP_SECRET, PHONE_NUMBER_ID, Meta, Outages
from .patients import Patient, Progress

BOT = Path(__file__).parent / "bots" / "clinica"
BOT_NAME = "faults"
KEYS = Keys("faults")
SENDERS = 4              # sender consumers per process, each sending to AT_ONCE conversations at once
LEASE_MS = 3000          # PAPO_WORK_LEASE_MS: how long the work of a dead process waits to be taken over
TIMER_LEASE_S = 3        # PAPO_TIMER_LEASE_S: the same for a due timer (a minute in production)
SLOW_LINK_S = 0.004      # worker-b's link to Redis, each way
SETTLE_GUARD_S = 45.0    # inboxes and outboxes drain within a lease of the last fault; this guards a hang
JUNK_GRACE_S = 15.0      # the hostile items' own conversation gets events until the fuzzers stop, then drains


@dataclass(frozen=True, slots=True)
class Size:
    conversations: int
    echoes: int               # texts each patient sends before booking
    concurrent: int           # conversations talking at once
    fuzz: int                 # hostile bodies, over all fuzzers
    fuzzers: int
    huge_bytes: int           # one valid text this long
    slow_clients: int
    slow_seconds: float       # how long a slow body may trickle before it counts as not cut off


SIZES = {
    "small": Size(conversations=40, echoes=4, concurrent=20, fuzz=500, fuzzers=4, huge_bytes=1_000_000,
                  slow_clients=3, slow_seconds=15.0),
    "large": Size(conversations=200, echoes=8, concurrent=60, fuzz=10_000, fuzzers=8, huge_bytes=5_000_000,
                  slow_clients=40, slow_seconds=30.0),
}


def environment(redis_url: str) -> dict[str, str]:
    """What every papo process gets: this Redis, the fake Graph API's channel, short leases."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("PAPO_", "WHATSAPP_", "MESSENGER_", "INSTAGRAM_", "REDIS_", "OPENAI_", "GRAPH_"))}
    return keep | {
        "REDIS_URL": redis_url, "PAPO_KEY_PREFIX": KEYS.prefix, "PAPO_LOG_LEVEL": "INFO", "PAPO_PARTITIONS": "4",
        "PAPO_WORKERS": "4", "PAPO_SENDERS": str(SENDERS), "PAPO_BLOCK_MS": "200", "PAPO_WORK_LEASE_MS": str(LEASE_MS),
        "PAPO_TIMER_LEASE_S": str(TIMER_LEASE_S),
        "PAPO_PACING_PER_USER_S": "0", "PAPO_RATE_PER_NUMBER": "100000", "PAPO_RETRY_BASE_S": "0.05",
        "PAPO_BODY_TIMEOUT_S": "3", "PAPO_ADMIN_TOKEN": "faults-admin-token-0123456789",
        "PAPO_WEB_TOKEN": "faults-web-token", "WHATSAPP_TOKEN": "faults-token", "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": "faults", "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
    }


async def run_campaign(size: Size, workdir: Path, *, seed: int = 10, label: str = "") -> T.Report:
    """Run the whole campaign and count; the table and the details go to `workdir`/report.txt too."""
    report = T.Report(f"papo fault campaign{label}: {size.conversations} conversations, {size.fuzz:,} hostile bodies")
    async with contextlib.AsyncExitStack() as stack:
        campaign = await Campaign.open(stack, size, workdir, report, seed)
        await campaign.play()
        await campaign.settle(stack)
        campaign.describe()
    (workdir / "report.txt").write_text(report.table() + "\n\n" + report.details() + "\n", encoding="utf-8")
    return report


@dataclass
class Campaign:
    size: Size
    report: T.Report
    clock: Clock
    redis: RedisServer
    graph: Graph
    cluster: Cluster
    meta: Meta
    rng: random.Random
    progress: Progress = field(default_factory=Progress)
    patients: list[Patient] = field(default_factory=list)
    fuzzers: list[Fuzzer] = field(default_factory=list)
    chaos: Chaos | None = None
    crash: RedisCrash | None = None
    cut: list[float | None] = field(default_factory=list)
    times: dict[str, float] = field(default_factory=dict)
    settled: bool = False
    flooded_dead: int = 0

    @classmethod
    async def open(cls, stack: contextlib.AsyncExitStack, size: Size, workdir: Path, report: T.Report,
                   seed: int) -> Campaign:
        """Redis, the slow link, the Graph API and every papo process, up and ready."""
        clock = Clock(report)
        redis = RedisServer(workdir / "redis")
        await redis.start()
        stack.push_async_callback(redis.stop)
        link = SlowLink(redis.port, latency=SLOW_LINK_S)
        await link.start()
        stack.push_async_callback(link.stop)
        graph = Graph(random.Random(seed + 1), delay=(0.0, 0.05), fail_every=29)
        graph_url = f"http://127.0.0.1:{await graph.start()}"
        stack.push_async_callback(graph.stop)
        (workdir / "logs").mkdir(parents=True, exist_ok=True)
        cluster = Cluster(BOT, environment, redis, link, graph_url, workdir / "logs")
        stack.push_async_callback(cluster.stop)
        await cluster.start()
        if not await until(cluster.ready, timeout=180, every=0.2):
            raise RuntimeError(f"the papo processes did not get ready; see their logs in {workdir / 'logs'}")
        session = await stack.enter_async_context(aiohttp.ClientSession())
        meta = Meta(f"http://127.0.0.1:{cluster['ingest'].port}", Outages(), session)
        campaign = cls(size, report, clock, redis, graph, cluster, meta, random.Random(seed))
        campaign.times["startup"] = clock.now()
        campaign.cast()
        return campaign

    def cast(self) -> None:
        """The patients, the fuzzers and the faults."""
        size, rng = self.size, self.rng
        self.progress.expected = size.conversations * Patient.steps(size.echoes)
        self.patients = [Patient(i, self.meta, self.graph, random.Random(rng.getrandbits(64)), self.progress,
                                 size.echoes) for i in range(size.conversations)]
        self.fuzzers = [Fuzzer(i, self.meta, random.Random(rng.getrandbits(64)), self.progress,
                               size.fuzz // size.fuzzers, huge_bytes=size.huge_bytes if i == 0 else 0)
                        for i in range(size.fuzzers)]
        self.crash = RedisCrash(self.redis, self.cluster, self.graph, self.meta.outages, self.report, self.clock,
                                KEYS.calendar(BOT_NAME).appts)
        restart = self.cluster.restart
        self.chaos = Chaos(self.clock, self.progress, [
            Fault(0.08, "SIGKILL worker-a", lambda: restart("worker-a")),
            Fault(0.16, "SIGKILL sender-a", lambda: restart("sender-a"), "sender"),
            Fault(0.24, "SIGKILL ingest", lambda: restart("ingest")),
            Fault(0.32, "SIGKILL timers", lambda: restart("timers")),
            Fault(0.45, "kill -9 Redis, start timers while it is down", self.crash, "redis"),
            Fault(0.58, "SIGKILL worker-b (slow link)", lambda: restart("worker-b")),
            Fault(0.66, "SIGKILL sender-b", lambda: restart("sender-b"), "sender"),
            Fault(0.74, "SIGKILL sender-a", lambda: restart("sender-a"), "sender"),
            Fault(0.82, "SIGKILL worker-a", lambda: restart("worker-a")),
        ])

    async def play(self) -> None:
        """Patients, fuzzers, probes and faults, all at once, until the last patient is done."""
        assert self.chaos is not None
        self.clock.note("traffic starts")
        gate = asyncio.Semaphore(self.size.concurrent)

        async def patient(one: Patient) -> None:
            async with gate:
                await one.run()
            self.clock.note(f"patient {one.index} done")

        async def fuzzer(one: Fuzzer) -> None:
            await one.run()
            self.clock.note(f"fuzzer {one.index} done")

        ingest = self.cluster["ingest"]
        chaos = asyncio.create_task(self.chaos.run())
        fuzzing = asyncio.gather(*(fuzzer(f) for f in self.fuzzers))
        slow = asyncio.gather(*(_slow_body(ingest, self.size.slow_seconds) for _ in range(self.size.slow_clients)))
        probing = asyncio.create_task(_probe(ingest.port))
        await asyncio.gather(*(patient(p) for p in self.patients))
        self.progress.done = True
        self.times["patients"] = self.clock.now()
        await chaos
        await fuzzing
        self.cut = await slow
        checks.answers(self.report, self.meta, await probing, self.cut)
        self.times["traffic"] = self.clock.now()

    async def settle(self, stack: contextlib.AsyncExitStack) -> None:
        """Wait until nothing is left to run or send (or the guard runs out), then count."""
        client = await stack.enter_async_context(aioredis.Redis.from_url(self.redis.url))
        users = [p.user for p in self.patients] + [f.conversation.user for f in self.fuzzers]

        async def quiet(users: list[str] = users) -> bool:
            return not await checks.left(client, KEYS, BOT_NAME, users)
        self.settled = await until(quiet, timeout=SETTLE_GUARD_S, every=0.2)
        await until(lambda: quiet([JUNK_USER]), timeout=JUNK_GRACE_S, every=0.2)
        self.clock.note("settled" if self.settled else "not settled: the guard ran out")
        for user, (inbox, outbox) in (await checks.left(client, KEYS, BOT_NAME, [*users, JUNK_USER])).items():
            self.report[T.STUCK].add(f"{user}: {inbox} event(s) never run, {outbox} repl(ies) never sent")
        self._count_replies()
        told = {f"whatsapp:{p.user}" for p in self.patients if p.conversation.booked}
        await checks.bookings(self.report, client, KEYS, BOT_NAME, told)
        self.flooded_dead = await checks.dead_signals(self.report, client, KEYS, BOT_NAME,
                                                      {p.user for p in self.patients})
        checks.processes(self.report, self.cluster)

    def _count_replies(self) -> None:
        killed = self.cluster.killed()
        conversations = [p.conversation for p in self.patients] + [f.conversation for f in self.fuzzers]
        resent = sum(T.check_conversation(self.report, c, self.graph.to(c.user), killed, began=self.clock.began)
                     for c in conversations)
        kills = sum(len(self.cluster[name].killed) for name in ("sender-a", "sender-b"))
        self.report.senders_killed, self.report.consumers_per_sender = kills, SENDERS * AT_ONCE
        self.report[T.RESENT].promise += (
            f" (here {resent} in {kills} sender SIGKILLs: {resent / max(kills, 1):.2f} per SIGKILL, "
            f"{resent / max(len(self.graph.sends), 1):.2%} of replies)")

    def describe(self) -> None:
        """The facts above the table: what was sent, which faults, how long it took."""
        assert self.chaos is not None and self.crash is not None
        meta, chaos, times = self.meta, self.chaos, self.times
        hostile = sum((Counter(f.kinds) for f in self.fuzzers), Counter[str]())
        kills = ", ".join(f"{len(p.killed)} {name}" for name, p in self.cluster.processes.items())
        slowest = max((p.conversation for p in self.patients), key=lambda c: c.longest_wait[0])
        outage_503 = sum(1 for e in meta.server_errors if e.status == 503 and e.during_outage)
        self.report.facts += [
            f"{self.progress.accepted} scripted messages accepted; {sum(meta.statuses.values()):,} webhook answers "
            f"({', '.join(f'{s}: {n:,}' for s, n in sorted(meta.statuses.items()))}); "
            f"{meta.unanswered} posts found no ingest up",
            f"{len(self.graph.sends):,} replies received by the Graph API, {self.graph.refused} refused with a "
            "retryable 503",
            f"faults: {'; '.join(chaos.injected) or 'none'}"
            + (f" (not reached: {'; '.join(chaos.skipped)})" if chaos.skipped else ""),
            f"SIGKILLs: {kills}; Redis restarts: {self.redis.restarts} ({self.crash.in_flight} sends waiting on "
            f"the Graph API at the crash; {outage_503} webhooks answered 503 while it was down)",
            _slow_fact(self.cut),
            f"hostile input: {', '.join(f'{k}: {n:,}' for k, n in sorted(hostile.items()))}; signals of the "
            f"conversations it floods (one body after another) dead-lettered: {self.flooded_dead}",
            f"slow link {SLOW_LINK_S * 1000:.0f} ms each way (worker-b); startup {times['startup']:.0f} s, patients "
            f"done at {times['patients']:.0f} s, all traffic at {times['traffic']:.0f} s; settled: "
            f"{'yes' if self.settled else 'NO (the guard ran out)'}; longest wait for a reply: "
            f"{slowest.longest_wait[0]:.1f} s ({slowest.longest_wait[1]})",
        ]
        self.report.title += f" ({self.clock.now():.0f} s)"


def _slow_fact(cut: list[float | None]) -> str:
    times = [c for c in cut if c is not None]
    when = f" after {min(times):.1f} to {max(times):.1f} s" if times else ""
    return f"bodies sent a byte a second: {len(times)} of {len(cut)} cut off{when}"


async def _probe(port: int) -> list[tuple[str, int | None]]:
    answers = await bad_headers(port)
    for _ in range(3):
        await hang_up(port)
    return answers


async def _slow_body(ingest: Papo, seconds: float) -> float | None:
    """How long a body sent a byte a second was read before papo cut it off (None: not cut); a probe
    whose ingest process was SIGKILLed meanwhile is run again."""
    while True:
        sigkills = ingest.sigkills
        cut = await slow_body(ingest.port, seconds)
        if ingest.sigkills == sigkills:
            return cut
        await until(ingest.ready, timeout=60)
