"""The studio's test chat: the real engine, the bot with its drafts, a virtual clock, a private store.

Each chat is a `BotHarness` on its own embedded Redis (nothing reaches the bot's real conversations)
and a `ManualClock`, so `advance` fires reminders and ask timeouts at once. Every reply comes back as
each channel's connector renders it (the same `render` the sender uses), with the notes of what the
renderer had to change; the turn also says which nodes ran, what the FAQ/LLM decided, and the
variables with pii and sensitive values masked. A chat can be saved as a conversation test.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fakeredis
import yaml

from connectors import CONNECTORS, ChannelSettings, Connector, ConnectorError, Connectors
from flows.messages import OutboundMessage
from flows.model import Bot
from flows.nodes import NodeKinds, node_kinds
from runtime.conversations.library import BotLibrary
from runtime.conversations.store import RedisStore
from runtime.engine.clock import ManualClock
from runtime.engine.state import Conversation
from runtime.engine.turn import Turn, TurnResult
from runtime.nodes import HANDLERS
from runtime.nodes.services import BotServices
from runtime.service.bot_service import DECISIONS
from runtime.service.harness import BotHarness, explain
from runtime.service.studio.workspace import StudioError
from runtime.service.wiring import build_services
from runtime.timers import Timer

STEPS = {"10m": timedelta(minutes=10), "1h": timedelta(hours=1), "25h": timedelta(hours=25)}
MASK = "***"
USER = "studio"


def render_all(message: OutboundMessage, renderers: dict[str, Connector]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for channel, connector in renderers.items():
        try:
            rendered = connector.render(message, to=USER)
            out[channel] = {"payloads": list(rendered.payloads), "notes": list(rendered.adjustments)}
        except ConnectorError as exc:
            out[channel] = {"payloads": [], "notes": [f"cannot be sent on {channel}: {exc}"]}
    return out


def renderers(connectors: Connectors = CONNECTORS) -> dict[str, Connector]:
    """One connector per channel, built only to render (they never send)."""
    out: dict[str, Connector] = {}
    for channel in connectors.names():
        out[channel] = connectors.get(channel).from_settings(ChannelSettings(channel, account_id="studio"))
    return out


def masked(variables: dict[str, Any], bot: Bot) -> dict[str, Any]:
    out = {}
    for name, value in variables.items():
        declared = bot.variable(name)
        out[name] = MASK if declared is not None and {"pii", "sensitive"} & set(declared.tags) else value
    return out


@dataclass
class Chat:
    id: str
    channel: str
    bot: Bot
    harness: BotHarness
    started: datetime
    from_node: dict[str, str] | None
    preset: bool = False  # started with variables already known
    steps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def clock(self) -> ManualClock:
        return self.harness.manual_clock

    async def aclose(self) -> None:
        llm = self.harness.processor.services.llm
        await self.harness.aclose()
        if llm is not None:
            await llm.aclose()  # this chat's own client to the model (the NLU is shared, closed by Chats)


class Chats:
    """The open test chats of one studio."""

    def __init__(self, root: Path, *, kinds: NodeKinds = node_kinds, connectors: Connectors = CONNECTORS,
                 limit: int = 20) -> None:
        self.root = root
        self.kinds = kinds
        self.renderers = renderers(connectors)
        self.channels = tuple(cls.channel for cls in connectors)  # the registry's order: the first is the default
        self.limit = limit
        self.open: dict[str, Chat] = {}
        self._base: dict[str, BotServices] = {}  # NLU and FAQ, trained once per set of flow versions
        self._retired: list[BotServices] = []
        self._training = threading.Lock()

    def base_services(self, bot: Bot) -> BotServices:
        key = ",".join(sorted(f"{f.id}:{f.digest}" for f in bot.flows.values()))
        with self._training:  # called from threads: one training at a time, and never twice
            if key not in self._base:
                if len(self._base) > 4:
                    self._retired += self._base.values()  # closed with the studio: open chats may use them
                    self._base.clear()
                self._base[key] = build_services(bot, self.root)
            return self._base[key]

    async def start(self, bot: Bot, channel: str, start: dict[str, str] | None, *,
                    now: datetime | None = None, variables: dict[str, Any] | None = None,
                    ) -> tuple[Chat, dict[str, Any]]:
        if channel not in self.channels:
            raise StudioError(400, f"channel {channel!r} is not one of {', '.join(self.channels)}")
        if start is not None:
            flow = bot.flows.get(start.get("flow", ""))
            if flow is None or start.get("node") not in flow.nodes:
                raise StudioError(400, f"start {start!r} names no node of the bot; give {{flow, node}} of an "
                                       "existing node, or null to start as a new user")
        while len(self.open) >= self.limit:
            await self.close(next(iter(self.open)))
        moment = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
        client = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer())
        clock = ManualClock(moment)
        library = BotLibrary(self.root, bot, kinds=self.kinds)
        services = build_services(bot, self.root, redis=client, clock=clock, base=self.base_services(bot))
        harness = BotHarness(library, RedisStore(client), clock, channel=channel, user=USER, services=services)
        chat = Chat(secrets.token_urlsafe(9), channel, bot, harness, moment, start, preset=bool(variables))
        self.open[chat.id] = chat
        if variables:  # a returning user, say: what the conversation already knows
            state = Conversation(started_at=moment.isoformat(), vars=dict(variables))
            await harness.store.commit(harness.key, state, [], expected_version=0)
        if start is None:
            return chat, await self.reply(chat, [])
        return chat, await self.reply(chat, await self._start_at(chat, start["flow"], start["node"]))

    async def _start_at(self, chat: Chat, flow_id: str, node: str) -> list[OutboundMessage]:
        """Run the flow from `node`, as if the conversation had just arrived there."""
        h = chat.harness
        known = await h.state()
        state = known.clone() if known is not None else Conversation(started_at=h.clock.now().isoformat())
        event = h.event(kind="system", data={"action": "studio_start"})
        t = Turn(h.library, state, event, h.clock.now(), h.processor.services, HANDLERS)
        t.start_flow(flow_id)
        await t.run(node)
        result = TurnResult(t.state, t.messages, t.trace, t.notices, t.timers)
        await h.store.commit(h.key, result.state, result.messages, expected_version=known.version if known else 0)
        timers = h.processor.services.timers
        if result.timers and timers is not None:
            await timers.schedule_many(Timer(r.id, r.due, r.kind, r.payload) for r in result.timers)
        h.last = [result]
        return await h.store.outbox(h.key, take=True)

    def get(self, chat_id: str) -> Chat:
        chat = self.open.get(chat_id)
        if chat is None:
            raise StudioError(404, f"no test chat {chat_id!r}: it ended or the studio restarted; start a new one")
        return chat

    async def say(self, chat: Chat, text: str | None, button: str | None) -> dict[str, Any]:
        if button is not None:
            replies = await chat.harness.say("", choice_id=button)
            step: dict[str, Any] = {"choice": button}
        else:
            replies = await chat.harness.say(text or "")
            step = {"user": text or ""}
        chat.steps.append({**step, "bot": _expected(replies)})
        return await self.reply(chat, replies)

    async def advance(self, chat: Chat, by: str) -> dict[str, Any]:
        if by not in STEPS:
            raise StudioError(400, f"advance by {by!r}: use one of {', '.join(STEPS)}")
        replies = await chat.harness.advance(STEPS[by])
        chat.steps.append({"advance": by, "bot": _expected(replies)})
        return await self.reply(chat, replies)

    async def reply(self, chat: Chat, replies: list[OutboundMessage]) -> dict[str, Any]:
        state = await chat.harness.state()
        turns = chat.harness.last
        return {
            "chat": chat.id,
            "messages": [{"id": m.id, "text": m.text, "options": [{"id": o.id, "title": o.title} for o in m.options],
                          "rendered": render_all(m, {c: self.renderers[c] for c in self.channels})}
                         for m in replies],
            "trace": [dict(zip(("flow", "node"), step.split("/", 1), strict=True))
                      for result in turns for step in result.trace],
            "decisions": [n for result in turns for n in result.notices
                          if n.get("kind") in DECISIONS | {"decision", "ask_timeout", "interrupt", "expired"}],
            "explain": [explain(n) for result in turns for n in result.notices],
            "variables": masked(state.vars, chat.bot) if state else {},
            "waiting": {"flow": state.flow, "node": state.node, "kind": state.waiting}
            if state is not None and state.waiting else None,
            "now": chat.clock.now().isoformat(),
        }

    def as_test(self, chat: Chat, name: str) -> dict[str, Any]:
        if chat.from_node is not None:
            raise StudioError(400, "a chat started from a node cannot be saved as a test (a test starts as a new "
                                   "user); start a chat without a start node")
        if chat.preset:
            raise StudioError(400, "a chat started with known variables cannot be saved as a test (a test starts "
                                   "as a new user); start a chat without vars")
        steps = [s for s in chat.steps if s.get("user") is not None or "choice" in s or "advance" in s]
        if not steps:
            raise StudioError(400, "the chat has no steps yet: say something first")
        return {"name": name, "channel": chat.channel, "user": USER, "start": chat.started.isoformat(),
                "steps": steps}

    async def close(self, chat_id: str) -> None:
        chat = self.open.pop(chat_id, None)
        if chat is not None:
            await chat.aclose()

    async def aclose(self) -> None:
        for chat_id in list(self.open):
            await self.close(chat_id)
        for connector in self.renderers.values():
            await connector.aclose()
        for services in [*self._base.values(), *self._retired]:
            await services.aclose()
        self._base.clear()
        self._retired.clear()


def _expected(replies: list[OutboundMessage]) -> list[Any]:
    out: list[Any] = []
    for m in replies:
        if m.options:
            out.append({"text": m.text, "options": [o.title for o in m.options]})
        else:
            out.append(m.text)
    return out


def test_yaml(case: dict[str, Any]) -> str:
    return yaml.safe_dump(case, allow_unicode=True, sort_keys=False, width=100)


__all__ = ["Chat", "Chats", "test_yaml"]
