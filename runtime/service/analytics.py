"""Per-node counters from real conversations, for the studio's analytics overlay.

After each committed turn, `turn_counts` reads the turn's trace and notices (node ids only: no user,
no text, no value) and `add_counts` queues `HINCRBY`s on a pipeline the service already sends (the
sender's wake-up signal), so the turn path pays no extra round trip; the counters are best effort.
One hash per flow version, channel and day (`Keys.stats`), kept 400 days:

    e:<node>  entered         w:<node>  a question started waiting    a:<node>  answered
    i:<node>  invalid answer  t:<node>  timed out (the ask's ladder moved on)
    l:<node>  left by another way (an interrupt, another flow's trigger)
    d:<node>  dropped: still waiting when the session expired
    x:<node>><target>  traffic along an edge      h:<node>:<bucket>  time to answer, by bucket
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline

from flows.model import Flow
from runtime.engine.turn import TurnResult
from runtime.keys import Keys

log = logging.getLogger(__name__)

KEEP_S = 400 * 24 * 3600
BUCKETS = (5, 15, 30, 60, 120, 300, 600, 1800, 3600, 3 * 3600, 12 * 3600, 24 * 3600, 7 * 24 * 3600)
FlowCounts = dict[tuple[str, str], Counter[str]]  # (flow, version digest) -> field -> increment


def bucket(seconds: float) -> int:
    """The index of the first bound `seconds` does not pass (len(BUCKETS) past the last)."""
    return bisect_left(BUCKETS, seconds)


def turn_counts(result: TurnResult, flows: Mapping[str, Flow]) -> FlowCounts:
    """The counters one committed turn adds, by flow version."""
    state = result.state
    versions = {frame.flow: frame.version for frame in state.stack}
    if state.flow and state.flow_version:
        versions[state.flow] = state.flow_version

    def version(flow_id: str) -> str:
        if flow_id in versions:
            return versions[flow_id]
        return flows[flow_id].digest if flow_id in flows else "unknown"

    out: FlowCounts = {}

    def add(flow_id: str, name: str) -> None:
        out.setdefault((flow_id, version(flow_id)), Counter())[name] += 1

    previous: tuple[str, str] | None = None
    for step in result.trace:
        flow_id, _, node = step.partition("/")
        add(flow_id, f"e:{node}")
        if previous is not None and previous[0] == flow_id:
            add(flow_id, f"x:{previous[1]}>{node}")
        previous = (flow_id, node)

    waiting_at = f"{state.flow}/{state.node}" if state.waiting == "input" else None
    reprompted = False
    for notice in result.notices:
        kind = notice.get("kind")
        if kind == "decision" and isinstance(notice.get("waiting"), str) and "/" in notice["waiting"]:
            where = notice["waiting"]
            flow_id, _, node = where.partition("/")
            took = notice.get("step")
            if took == "reprompt" or (took == "answer" and waiting_at == where):
                add(flow_id, f"i:{node}")  # asked again (or, out of retries, sent on to on_invalid)
                reprompted = waiting_at == where
            if waiting_at == where:
                continue
            if took == "answer":
                add(flow_id, f"a:{node}")
                if isinstance(notice.get("waited_s"), int | float):
                    add(flow_id, f"h:{node}:{bucket(notice['waited_s'])}")
            else:
                add(flow_id, f"l:{node}")
        elif kind == "ask_timeout" and isinstance(notice.get("node"), str):
            flow_id, _, node = notice["node"].partition("/")
            if waiting_at != notice["node"]:
                add(flow_id, f"t:{node}")
        elif kind == "expired" and notice.get("flow") and notice.get("node"):
            add(str(notice["flow"]), f"d:{notice['node']}")
    if waiting_at is not None and not reprompted and result.trace and result.trace[-1] == waiting_at:
        add(str(state.flow), f"w:{state.node}")
    return out


def add_counts(pipe: Pipeline, keys: Keys, bot: str, channel: str, day: str, counts: FlowCounts) -> None:
    """Queue the counters on `pipe` (sent with whatever else it carries)."""
    for (flow_id, digest), fields in counts.items():
        key = keys.stats(bot, flow_id, digest, channel, day)
        for name, n in fields.items():
            pipe.hincrby(key, name, n)
        pipe.expire(key, KEEP_S)
        pipe.sadd(keys.stats_index(bot), f"{flow_id}:{digest}:{channel}")


@dataclass
class Counts:
    """Counters summed over days, versions and channels."""

    fields: Counter[str] = field(default_factory=Counter)

    def report(self, exit_names: Mapping[tuple[str, str], str] | None = None) -> dict[str, Any]:
        nodes: dict[str, dict[str, Any]] = {}
        histograms: dict[str, Counter[int]] = {}
        exits: dict[str, int] = {}
        for name, n in self.fields.items():
            kind, _, rest = name.partition(":")
            if kind == "x":
                source, _, target = rest.partition(">")
                label = (exit_names or {}).get((source, target), target)
                exits[f"{source}:{label}"] = exits.get(f"{source}:{label}", 0) + n
            elif kind == "h":
                node, _, slot = rest.rpartition(":")
                histograms.setdefault(node, Counter())[int(slot)] += n
            else:
                nodes.setdefault(rest, Counter())[kind] += n
        out: dict[str, Any] = {}
        for node in sorted(set(nodes) | set(histograms)):
            c = nodes.get(node, Counter())
            unresolved = max(0, c["w"] - c["a"] - c["t"] - c["l"] - c["d"])
            out[node] = {"entered": c["e"], "waited": c["w"], "answered": c["a"], "invalid": c["i"],
                         "timed_out": c["t"], "left": c["l"], "dropped": c["d"] + unresolved,
                         "median_answer_s": _median(histograms.get(node))}
        return {"nodes": out, "exits": exits}


def _median(histogram: Counter[int] | None) -> float | None:
    """The median time to answer, as the upper bound of the bucket it falls in."""
    if not histogram:
        return None
    total, seen = sum(histogram.values()), 0
    for slot in sorted(histogram):
        seen += histogram[slot]
        if seen * 2 >= total:
            return float(BUCKETS[slot]) if slot < len(BUCKETS) else None
    return None


async def read(client: aioredis.Redis, keys: Keys, bot: str, flow_id: str, begin: date, end: date, *,
               digest: str | None = None, channel: str | None = None) -> Counts:
    """The counters of a flow from `begin` to `end` (inclusive), optionally of one version or channel."""
    members = [m.decode() if isinstance(m, bytes) else str(m) for m in await client.smembers(keys.stats_index(bot))]
    wanted = []
    for member in members:
        flow, version, chan = member.split(":", 2)
        if flow == flow_id and digest in (None, version) and channel in (None, chan):
            wanted.append((version, chan))
    days = [(begin + timedelta(days=i)).isoformat() for i in range((end - begin).days + 1)]
    counts = Counts()
    if not wanted:
        return counts
    async with client.pipeline(transaction=False) as pipe:
        for version, chan in wanted:
            for day in days:
                pipe.hgetall(keys.stats(bot, flow_id, version, chan, day))
        for found in await pipe.execute():
            for name, n in found.items():
                counts.fields[name.decode() if isinstance(name, bytes) else str(name)] += int(n)
    return counts
