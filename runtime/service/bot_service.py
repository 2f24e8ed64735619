"""What `papo serve` runs, wired once: store, processor, connectors, signal queues and loops."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

from connectors import CONNECTORS, ChannelSettings, Connector, ConnectorError, Connectors, SendError
from flows.messages import InboundEvent
from flows.nodes import NodeKinds, node_kinds
from runtime.conversations import keys as C
from runtime.conversations.keys import ConversationKey
from runtime.conversations.library import BotLibrary
from runtime.conversations.processor import Processor
from runtime.conversations.store import RedisStore, Riders
from runtime.conversations.timers import conversation_dispatcher
from runtime.engine.clock import Clock, SystemClock
from runtime.engine.errors import ConfigError
from runtime.engine.registry import Handlers
from runtime.engine.turn import TurnResult
from runtime.events import EventDelivery
from runtime.monitoring import AlertBook, Monitor
from runtime.nodes import HANDLERS
from runtime.nodes.start import start_event
from runtime.privacy import Sweeper
from runtime.privacy.names import Directory
from runtime.service import analytics
from runtime.service.alerting import AlertForwarder
from runtime.service.delivery import DeliveryBook
from runtime.service.events_wiring import open_events
from runtime.service.pacing import Pacer
from runtime.service.sender import Sender, SendPolicy
from runtime.service.settings import Settings, redis_client, resolve_channels
from runtime.service.wiring import build_services
from runtime.service.work import Consumer, SignalQueue, Worker

log = logging.getLogger(__name__)

Role = Literal["all", "ingest", "worker", "sender", "timers", "campaigns"]
ROLES: tuple[Role, ...] = ("all", "ingest", "worker", "sender", "timers", "campaigns")
TIMER_ROLES: tuple[Role, ...] = ("all", "worker", "timers")
DECISIONS = frozenset({"faq", "llm", "medical_deflection"})
STOPPED_MARKETING = 131050  # Graph API: the user stopped marketing messages


def consent_event(key: ConversationKey, purpose: str, granted: bool, *, source: str, at: datetime,
                  evidence: str = "") -> InboundEvent:
    """A consent change from outside the chat, as a system event of the conversation (fenced like a turn)."""
    return InboundEvent(key.channel, key.user, evidence or f"consent-{secrets.token_hex(8)}", at, kind="system",
                        data={"action": "consent", "purpose": purpose, "granted": granted, "source": source})


@dataclass
class Service:
    settings: Settings
    client: aioredis.Redis
    library: BotLibrary
    processor: Processor
    connectors: dict[str, Connector]
    work: SignalQueue
    sends: SignalQueue
    deliveries: DeliveryBook
    worker: Worker
    sender: Sender
    owns_client: bool = True
    counting: set[asyncio.Task[None]] = field(default_factory=set)  # counters written after the reply
    events: EventDelivery | None = None  # outbound events of the bot's running subscriptions (bot.json "events")

    @property
    def directory(self) -> Directory:
        """Turns the digests of the shared streams and indexes back into conversations."""
        return self.work.directory

    @classmethod
    async def open(cls, settings: Settings, botdir: str | Path, *, client: aioredis.Redis | None = None,
                   clock: Clock | None = None, env: Mapping[str, str] = os.environ, kinds: NodeKinds = node_kinds,
                   handlers: Handlers = HANDLERS, connectors: Connectors = CONNECTORS) -> Service:
        """Load the bot (FlowInvalid when it has errors) and connect everything; no loop starts yet.

        `kinds`, `handlers` and `connectors` are papo's node kinds, their handlers and its channels;
        pass extended ones to serve kinds and channels of your own (docs/extending.md).
        """
        check_handled(kinds, handlers)
        owns = client is None
        client = client if client is not None else redis_client(settings)
        prefix = settings.key_prefix
        library = BotLibrary.load(botdir, client=client, prefix=prefix, kinds=kinds)
        await library.publish()
        settings = with_bot_channels(settings, library.current.channels, env, connectors)
        clock = clock or SystemClock()
        store = RedisStore(client, prefix=prefix)
        services = build_services(library.current, Path(botdir), redis=client, prefix=prefix, clock=clock,
                                  timer_lease=timedelta(seconds=settings.timer_lease_s))
        processor = Processor(store, library, clock, services=services, handlers=handlers,
                              lease_ms=settings.work_lease_ms)  # one lease for all recovery
        channels = build_connectors(settings, connectors)
        bot = library.name  # each bot its own streams: several bots can share one Redis and one process
        names = Directory(client, prefix=prefix, bot=bot)  # digests in the shared streams, one cache for all
        work = SignalQueue(client, prefix=prefix, bot=bot, kind="work", partitions=settings.partitions,
                           directory=names)
        sends = SignalQueue(client, prefix=prefix, bot=bot, kind="send", partitions=settings.partitions,
                            directory=names)
        for queue in (work, sends):
            await queue.ensure_group()
        deliveries = DeliveryBook(client, prefix=prefix)
        pacer = Pacer(client, prefix=prefix, per_user_s=settings.pacing_per_user_s,
                      per_number=settings.rate_per_number, clock=clock)
        policy = SendPolicy(retries=settings.send_retries, retry_base_s=settings.retry_base_s,
                            lease_ms=settings.work_lease_ms)
        accounts = {c.channel: c.account_id for c in settings.channels}
        sender = Sender(store, channels, accounts, deliveries=deliveries, pacer=pacer, clock=clock, policy=policy)
        service = cls(settings, client, library, processor, channels, work, sends, deliveries,
                      Worker(processor, sends), sender, owns)
        processor.on_commit = service.replies_committed
        processor.riders = service.riders
        sender.on_refused = service.refused
        processor.monitor = Monitor(AlertBook(client, prefix=prefix, bot=bot), lambda: library.current.monitoring)
        processor.services.typing = service.show_typing
        service.events = open_events(library.current, processor, client, prefix=prefix, clock=clock, env=env)
        return service

    async def emit(self, key: ConversationKey, event_type: str, data: dict[str, Any]) -> None:
        """An outbound event of a staff action outside the chat; nothing without a running subscription."""
        if self.processor.events is not None:
            await self.processor.events.emit(key, event_type, data, at=self.processor.clock.now())

    async def show_typing(self, event: InboundEvent) -> None:
        """The channel's typing indicator (WhatsApp also marks the message read); never fails a turn."""
        connector = self.connectors.get(event.channel)
        if connector is None or event.kind in ("timer", "system"):
            return
        try:
            await connector.typing(to=event.user, message_id=event.id)
        except ConnectorError as exc:
            log.info("typing indicator not shown channel=%s: %s", event.channel, type(exc).__name__)

    def riders(self, key: ConversationKey, result: TurnResult) -> Riders:
        """What rides on a turn's commit (on one Redis): the one signal that wakes a sender for its replies,
        and its analytics counters."""
        return Riders(then=(lambda pipe: self.sends.queue(pipe, key)) if self._pushes(key, result) else None,
                      best_effort=self.counters(key, result))

    def _pushes(self, key: ConversationKey, result: TurnResult) -> bool:
        """Whether the turn's replies go to a sender: a channel that answers in the HTTP response has nobody
        to push to, its replies wait for the user's next request."""
        connector = self.connectors.get(key.channel)
        return bool(result.messages) and (connector is None or connector.replies == "push")

    async def replies_committed(self, key: ConversationKey, result: TurnResult, rode: bool = False) -> None:
        """Whoever ran a turn (a worker, a timer), its replies now wait in the outbox: wake a sender, the
        one signal of this turn, unless it rode on the commit (`riders`)."""
        if result.state.private.starts:
            await self.release_starts(key, result)
        if rode:
            if self._pushes(key, result):
                self.sends.nudge()  # this process's senders: the embedded server cannot block on a read
        elif self._pushes(key, result):
            await self.sends.signal(key, also=self.counters(key, result))  # the counters ride on the signal
        elif (counts := self.counters(key, result)) is not None:  # nothing to push: counters off the path
            task = asyncio.create_task(self._count(counts))
            self.counting.add(task)
            task.add_done_callback(self.counting.discard)
        decisions = [n for n in result.notices if n.get("kind") in DECISIONS]
        if decisions:  # what the FAQ and the LLM decided, for staff (no message text in a notice)
            await self._remember_decisions(key, decisions)
        resumed = any(n.get("kind") == "handoff_resumed" for n in result.notices)
        if result.state.waiting == "handoff" or resumed:  # listed for staff (a stale entry is dropped when
            keys = self.processor.store.keys              # listed); live inbox views are told
            async with self.client.pipeline(transaction=False) as pipe:
                digest = self.directory.remember(pipe, key)
                if result.state.waiting == "handoff":
                    pipe.hset(self.handoffs_key, digest,
                              json.dumps({"queue": result.state.handoff_queue, "since": result.state.asked_at}))
                pipe.xadd(keys.inbox_feed(key.bot), {"r": digest, "k": "resumed" if resumed else "message"},
                          maxlen=C.INBOX_FEED_KEPT, approximate=True)
                await pipe.execute()

    async def submit_start(self, payload: dict[str, Any], *, event_id: str | None = None) -> bool:
        """Queue a start (`runtime.nodes.start`) in the contact's inbox and wake a worker, the path of a
        message; False when the same start was accepted before (it is signalled anyway: heals a crash)."""
        event = start_event(payload, self.processor.clock.now(), event_id=event_id)
        accepted = await self.processor.accept(event)
        await self.work.signal(self.processor.key_for(event))
        return accepted is not None

    async def accept_starts(self, payloads: list[dict[str, Any]], *, at_once: int = 16) -> None:
        """Queue many starts (a campaign's batch, each a different contact), `at_once` at a time, and
        wake the workers with one round trip; a start accepted before is dropped by its inbox."""
        now = self.processor.clock.now()
        events = [start_event(payload, now) for payload in payloads]
        for n in range(0, len(events), at_once):
            await asyncio.gather(*(self.processor.accept(e) for e in events[n:n + at_once]))
        await self.work.signal(*(self.processor.key_for(e) for e in events))

    async def release_starts(self, key: ConversationKey, result: TurnResult) -> None:
        """After a commit that left the conversation idle, run the starts that waited for it: one event
        each, named by the commit's version (a start still kept after it ran is tried again next time)."""
        state = result.state
        if state.waiting is not None or state.active:
            return
        for kept in state.private.starts:
            payload = {**kept, "channel": key.channel, "user": key.user, "queued": True}
            await self.submit_start(payload, event_id=f"start:{kept['id']}:idle:{state.version}")

    def counters(self, key: ConversationKey, result: TurnResult) -> Callable[[Pipeline], None] | None:
        """The analytics counters of a committed turn (node ids only), to queue on a pipeline."""
        counts = analytics.turn_counts(result, self.library.current.flows)
        if not counts:
            return None
        zone = ZoneInfo(self.library.current.timezone)
        day = self.processor.clock.now().astimezone(zone).date().isoformat()
        keys = self.processor.store.keys
        return lambda pipe: analytics.add_counts(pipe, keys, key.bot, key.channel, day, counts)

    async def _count(self, queue: Callable[[Pipeline], None]) -> None:
        """Counters alone (a turn with no reply to push): best effort, after the commit."""
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                queue(pipe)
                await pipe.execute()
        except Exception as exc:  # best effort: the turn is committed and answered whatever happens here
            log.info("analytics counters not written: %s", type(exc).__name__)

    async def refused(self, key: ConversationKey, error: SendError) -> None:
        """WhatsApp's 131050 (the user stopped marketing messages) revokes marketing, as its
        `user_preferences` webhook does: recorded in the ledger, never tried again."""
        if error.code == STOPPED_MARKETING:
            await self.processor.submit(consent_event(key, "marketing", False, source="channel_stopped_marketing",
                                                      at=self.processor.clock.now()))

    async def sweep_retention(self, stop: asyncio.Event) -> None:
        """The timers process also removes data past its retention period (bot.json "retention") every
        `retention_every_s` (the first time one period after it starts, so processes restarting in a
        loop do not sweep in a loop); a Redis error waits for the next round."""
        sweeper = Sweeper(self.client, prefix=self.settings.key_prefix, bot=self.library.name,
                          retention=self.library.current.retention)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.retention_every_s)
            if stop.is_set():
                return
            try:
                swept = await sweeper.run(self.processor.clock.now())
                if sum(swept.expired.values()):
                    log.info("retention sweep removed %s", dict(swept.expired))
            except RedisError as exc:
                log.warning("retention sweep skipped: %s", type(exc).__name__)

    def decisions_key(self, key: ConversationKey) -> str:
        return self.processor.store.keys.decisions(key)

    async def _remember_decisions(self, key: ConversationKey, decisions: list[dict[str, Any]]) -> None:
        at = self.processor.clock.now().isoformat()
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.lpush(self.decisions_key(key), *(json.dumps({"at": at, **d}) for d in decisions))
            pipe.ltrim(self.decisions_key(key), 0, C.DECISIONS_KEPT - 1)
            pipe.expire(self.decisions_key(key), C.DECISIONS_TTL_S)
            await pipe.execute()

    @property
    def handoffs_key(self) -> str:
        return self.processor.store.keys.handoffs(self.library.name)

    def consumers(self, role: Role) -> list[Consumer]:
        """The background consumers this role runs: workers and/or senders."""
        base = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        consumers = []
        if role in ("all", "worker"):
            consumers += [self.consumer(self.work, f"{base}-w{i}") for i in range(self.settings.workers)]
        if role in ("all", "sender"):
            consumers += [self.consumer(self.sends, f"{base}-s{i}") for i in range(self.settings.senders)]
        return consumers

    def consumer(self, queue: SignalQueue, name: str) -> Consumer:
        handler = self.worker.handle if queue is self.work else self.sender.handle
        return Consumer(queue, handler, name=name, lease_ms=self.settings.work_lease_ms,
                        max_deliveries=self.settings.max_deliveries, block_ms=self.settings.block_ms)

    @contextlib.asynccontextmanager
    async def running(self, role: Role) -> AsyncIterator[None]:
        """Run the role's consumers while the caller yields; stop them gently, then for good."""
        consumers = self.consumers(role)
        tasks = [asyncio.create_task(c.run(), name=c.name) for c in consumers]
        stopping = asyncio.Event()
        timers = (conversation_dispatcher(self.processor, busy=self.work.signal,
                                          retry_after=timedelta(seconds=self.settings.timer_lease_s))
                  if role in TIMER_ROLES else None)
        if timers is not None:  # due reminders and ask timeouts become events of their conversations
            tasks.append(asyncio.create_task(timers.run(stopping), name="timers"))
            tasks.append(asyncio.create_task(self.sweep_retention(stopping), name="retention"))
        if role in ("all", "sender"):  # receipts kept while Redis was away are recorded when it is back
            tasks.append(asyncio.create_task(self.sender.keep_settling(stopping), name="settle"))
        if role in ("all", "sender") and self.events is not None:  # outbound events to the subscriptions
            tasks.append(asyncio.create_task(self.events.run(stopping), name="events"))
        url = self.settings.alert_webhook_url
        if url and role in ("all", "worker") and self.processor.monitor is not None:
            settings = self.settings
            forwarder = AlertForwarder(self.processor.monitor.alerts, bot=self.library.name,
                                       url=url, secret=settings.alert_webhook_secret,
                                       consumer=f"{socket.gethostname()}-{os.getpid()}", block_ms=settings.block_ms)
            tasks.append(asyncio.create_task(forwarder.run(stopping), name="alerts"))
        try:
            yield
        finally:
            began = time.monotonic()
            log.info("bot %s stopping (role %s): finishing the turns and sends in flight", self.library.name, role)
            stopping.set()
            for consumer in consumers:
                consumer.stop()
            late: set[asyncio.Task[None]] = set()
            if tasks:
                _, late = await asyncio.wait(tasks, timeout=self.settings.block_ms / 1000 + 2)
                for task in late:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            log.info("bot %s stopped in %.1f s: %d loop(s) drained, %d cut short (their signals come back after "
                     "the lease)", self.library.name, time.monotonic() - began, len(tasks) - len(late), len(late))

    async def aclose(self) -> None:
        if self.counting:
            await asyncio.gather(*self.counting, return_exceptions=True)
        await self.processor.services.aclose()
        if self.events is not None:
            await self.events.aclose()
        for connector in self.connectors.values():
            await connector.aclose()
        if self.owns_client:
            await self.client.aclose()


def check_handled(kinds: NodeKinds, handlers: Handlers) -> None:
    """Every node kind a flow may use has a handler; raises ConfigError naming the ones without."""
    missing = sorted(set(kinds) - handlers.nodes.kinds())
    if missing:
        raise ConfigError(f"node kind(s) {', '.join(missing)} have no handler: pass "
                          "handlers=runtime.nodes.handlers(NodeHandler(kind, enter, resume), ...)")


def with_bot_channels(settings: Settings, refs: Mapping[str, Mapping[str, str]], env: Mapping[str, str],
                      connectors: Connectors = CONNECTORS) -> Settings:
    """The channels bot.json declares (as ${ENV_VAR} references) replace the default variable names;
    a channel whose variables are missing is off, said once, and the others keep working."""
    if refs:
        channels, off = resolve_channels(connectors, env, refs)
        kept = [c for c in settings.channels  # an optional channel (web) is never declared there
                if c.channel not in refs and c.channel in connectors and connectors.get(c.channel).env.optional]
        settings = replace(settings, channels=(*channels, *kept), channels_off=off)
    for line in settings.channels_off:
        log.warning("%s", line)
    served = {c.channel for c in settings.channels}
    for cls in connectors:
        if cls.channel not in served and cls.channel not in refs and not cls.env.optional:
            log.info("channel %s is off: declare it in bot.json \"channels\", or set %s", cls.channel,
                     ", ".join(cls.env.names()))
    return settings


def build_connectors(settings: Settings, connectors: Connectors = CONNECTORS) -> dict[str, Connector]:
    """A connector for every configured channel, and for every optional one (with empty settings if none)."""
    chosen = {c.channel: c for c in settings.channels}
    for cls in connectors:
        if cls.env.optional:
            chosen.setdefault(cls.channel, ChannelSettings(cls.channel))
    return {channel: connectors.get(channel).from_settings(_located(c, settings)) for channel, c in chosen.items()}


def _located(channel: ChannelSettings, settings: Settings) -> ChannelSettings:
    """The channel's settings with its API's address from the environment, unless they name one."""
    if channel.base_url or channel.channel not in settings.base_urls:
        return channel
    return replace(channel, base_url=settings.base_urls[channel.channel])
