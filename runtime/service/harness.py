"""A bot running in this process on a virtual clock: what `papo chat`, `papo test` and the studio's test chat drive.

It uses the same store, processor and engine as the service, on the embedded Redis by
default, so a conversation here travels the production path.
"""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from flows.messages import InboundEvent, OutboundMessage
from runtime.campaigns import load_campaigns
from runtime.conversations.keys import ConversationKey
from runtime.conversations.library import BotLibrary
from runtime.conversations.processor import Processor
from runtime.conversations.store import RedisStore
from runtime.conversations.timers import ConversationTimers
from runtime.engine.clock import Clock, ManualClock, SystemClock
from runtime.engine.state import Conversation
from runtime.engine.turn import TurnResult
from runtime.monitoring import AlertBook, Monitor
from runtime.nodes.services import BotServices
from runtime.nodes.start import start_event
from runtime.service.settings import Settings, redis_client
from runtime.service.wiring import build_services
from runtime.timers import Dispatcher


class BotHarness:
    """One user talking to one bot; every reply comes out of the committed outbox."""

    def __init__(self, library: BotLibrary, store: RedisStore, clock: Clock, *, channel: str = "cli",
                 user: str = "local", services: BotServices | None = None) -> None:
        self.library = library
        self.store = store
        self.clock = clock
        self.processor = Processor(store, library, clock, services=services)
        self.processor.monitor = Monitor(AlertBook(store.client, prefix=store.keys.prefix, bot=library.name),
                                         lambda: library.current.monitoring)
        self.key = ConversationKey(library.name, channel, user)
        self.last: list[TurnResult] = []
        self._ids = itertools.count(1)
        self._run = uuid.uuid4().hex[:8]
        self._owns_services = False  # open() builds them, so aclose() closes them

    @classmethod
    async def open(cls, root: str | Path, *, client: aioredis.Redis | None = None, prefix: str | None = None,
                   clock: Clock | None = None, user: str = "local", channel: str = "cli",
                   services: BotServices | None = None) -> BotHarness:
        settings = Settings.from_env()
        client = client if client is not None else redis_client(settings)
        prefix = prefix or settings.key_prefix
        library = BotLibrary.load(root, client=client, prefix=prefix)
        await library.publish()
        clock = clock or SystemClock()
        owned = services is None
        if services is None:
            services = build_services(library.current, Path(root), redis=client, prefix=prefix, clock=clock)
        harness = cls(library, RedisStore(client, prefix=prefix), clock, channel=channel, user=user,
                      services=services)
        harness._owns_services = owned
        return harness

    @property
    def manual_clock(self) -> ManualClock:
        if not isinstance(self.clock, ManualClock):
            raise TypeError("this harness runs on the system clock; open it with clock=ManualClock()")
        return self.clock

    def event(self, text: str = "", *, choice_id: str | None = None, kind: str = "text",
              data: dict[str, object] | None = None) -> InboundEvent:
        return InboundEvent(channel=self.key.channel, user=self.key.user, id=f"{self._run}-{next(self._ids)}",
                            at=self.clock.now(), kind=kind if not choice_id else "choice",  # type: ignore[arg-type]
                            text=text, choice_id=choice_id, data=data or {})

    async def say(self, text: str = "", *, choice_id: str | None = None) -> list[OutboundMessage]:
        return await self.send(self.event(text, choice_id=choice_id))

    async def send(self, event: InboundEvent) -> list[OutboundMessage]:
        submitted = await self.processor.submit(event)
        self.last = submitted.results
        await self._release_starts()
        return await self.store.outbox(self.key, take=True)

    async def _release_starts(self) -> None:
        """Starts that waited for the conversation to be idle run now that it is, as `papo serve` runs
        them after the commit that left it idle (`Service.release_starts`)."""
        for _ in range(len((state := await self.state()) and state.private.starts or [])):
            if state is None or not state.private.starts or state.waiting is not None or state.active:
                return
            kept = state.private.starts[0]
            payload = {**kept, "channel": self.key.channel, "user": self.key.user, "queued": True}
            event = start_event(payload, self.clock.now(), event_id=f"start:{kept['id']}:idle:{state.version}")
            self.last = [*self.last, *(await self.processor.submit(event)).results]
            state = await self.state()

    async def start_campaign(self, name: str) -> list[OutboundMessage]:
        """What campaign `name` (campaigns.json) sends this contact when its run reaches them, now."""
        campaign = load_campaigns(self.library.root).campaigns.get(name)
        if campaign is None:
            raise KeyError(f"no campaign {name!r} in campaigns.json")
        return await self.start_flow(campaign.flow, template=campaign.template.to_json(), purpose=campaign.purpose,
                                     origin=f"campaign:{name}")

    async def start_flow(self, flow: str, variables: dict[str, Any] | None = None, *,
                         template: dict[str, Any] | None = None, purpose: str = "utility",
                         origin: str = "api") -> list[OutboundMessage]:
        """What the start API (`POST /api/v1/contacts/.../start`) makes the bot say to this contact, now."""
        payload = {"id": f"{origin}-{self._run}-{next(self._ids)}", "channel": self.key.channel,
                   "user": self.key.user, "flow": flow, "vars": variables or {}, "template": template,
                   "window_s": None, "purpose": purpose, "if_busy": "queue", "origin": origin}
        return await self.send(start_event(payload, self.clock.now()))

    async def resume_handoff(self) -> list[OutboundMessage]:
        return await self.send(self.event(kind="system", data={"action": "resume"}))

    async def advance(self, delta: timedelta) -> list[OutboundMessage]:
        """Move the virtual clock by `delta`, firing each timer at its due time on the way, as a
        running timer worker would; returns what the bot said meanwhile."""
        clock, timers = self.manual_clock, self.processor.services.timers
        target = clock.now() + delta
        deliver = ConversationTimers(self.processor)
        while timers is not None and (due := await timers.pending(1)) and due[0].due <= target:
            clock.set(max(due[0].due, clock.now()))
            if (await Dispatcher(timers, deliver, clock).drain()).idle:
                break  # due but not claimable now (leased by someone else): try again at the target
        clock.set(target)
        return await self.fire_due(deliver)

    async def fire_due(self, deliver: ConversationTimers | None = None) -> list[OutboundMessage]:
        """Deliver every timer due now to its conversation, as the service's timer worker does."""
        deliver = deliver or ConversationTimers(self.processor)
        if self.processor.services.timers is not None:
            await Dispatcher(self.processor.services.timers, deliver, self.clock).drain()
        self.last = deliver.results
        return await self.store.outbox(self.key, take=True)

    def use_clock(self, clock: Clock) -> None:
        """Run on another clock from now on (the chat switches to a virtual one on /advance)."""
        self.clock = self.processor.clock = clock
        if self.processor.services.scheduler is not None:
            self.processor.services.scheduler.clock = clock

    async def state(self) -> Conversation | None:
        state, _ = await self.store.load(self.key)
        return state

    async def reset(self) -> None:
        await self.store.forget(self.key)

    async def aclose(self) -> None:
        if self._owns_services:
            await self.processor.services.aclose()
        await self.store.aclose()


def explain(notice: dict[str, Any]) -> str:
    """Why a message went where it went, for `papo chat`'s /debug and the studio's test chat: a turn's
    decision reads as a sentence, the other notices as JSON."""
    if notice.get("kind") != "decision":
        return json.dumps(notice, ensure_ascii=False, default=str)
    rest = {k: v for k, v in notice.items()
            if k not in ("kind", "step", "waiting", "intent", "intents", "entities", "faq", "candidates")}
    parts = [f"step={notice['step']}", f"waiting={notice.get('waiting') or '-'}"]
    intents = ", ".join(f"{i['name']} {i['confidence']:.2f}" for i in notice.get("intents", []))
    parts.append(f"intents: {intents or '-'}")
    entities = ", ".join(f"{e['entity']}={e['value']}" for e in notice.get("entities", []))
    parts.append(f"entities: {entities or '-'}")
    if notice.get("faq"):
        parts.append("faq: " + ", ".join(f"{f['entry']} {f['score']:.2f}" for f in notice["faq"]))
    if notice.get("candidates"):
        parts.append("candidates: " + ", ".join(f"{c['target']} {c['coverage']:.2f}" for c in notice["candidates"]))
    if rest:
        parts.append(json.dumps(rest, ensure_ascii=False, default=str))
    return " | ".join(parts)
