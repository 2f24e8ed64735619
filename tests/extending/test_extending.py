"""docs/extending.md, kept honest.

A node kind (`shout`) and a channel (TinyChat, a chat service faked on 127.0.0.1) are defined here,
outside papo's packages, and a conversation runs through them: webhooks into `papo serve`'s app,
replies out to the fake service. The guide quotes this file's regions, and a test checks that each
quote is current and that its schema entries are the ones papo builds.
"""

from __future__ import annotations

import ast
import asyncio
import hashlib
import hmac
import json
import re
import shutil
import textwrap
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Self

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from connectors import (
    CONNECTORS,
    BadPayload,
    BadSignature,
    BadSubscription,
    ChannelEnv,
    ChannelSettings,
    Connector,
    InvalidMessage,
    Parsed,
    Rejected,
    Rendered,
    Unavailable,
)
from flows.loader import check_bot
from flows.messages import InboundEvent, OutboundMessage, Receipt
from flows.nodes import Edge, Node, Text, node_kinds
from flows.schemas import flow_schema, schema_text, validator
from runtime.engine.errors import ConfigError
from runtime.engine.outcomes import Go, Outcome
from runtime.engine.registry import NodeHandler
from runtime.nodes import handlers
from runtime.nodes.services import BotTurn
from runtime.service.app import build_app
from runtime.service.bot_service import Service
from runtime.service.settings import Settings, resolve_channels

ROOT = Path(__file__).parents[2]
GUIDE = ROOT / "docs" / "extending.md"
BOT = Path(__file__).parent / "bot"
SECRET = "tinychat-app-secret"


# region shout-node
@dataclass(frozen=True, slots=True)
class ShoutNode(Node):
    """Says `text` in capital letters, then goes on to `next`."""

    kind: ClassVar[str] = "shout"
    json_schema: ClassVar[Mapping[str, Any] | None] = {
        "description": "Say `text` in capital letters, then go on to `next`.",
        "required": ["text"],
        "unevaluatedProperties": False,
        "$ref": "#/$defs/common",
        "properties": {"text": {"$ref": "#/$defs/text"}, "next": {"$ref": "#/$defs/target"}},
    }
    text: Text = ""
    next: str | None = None

    @classmethod
    def from_json(cls, node_id: str, data: Mapping[str, Any]) -> ShoutNode:
        return cls(node_id, data["text"], data.get("next"))

    def edges(self) -> list[Edge]:
        return [Edge("/next", self.next, "next")] if self.next else []

    def texts(self) -> list[tuple[str, Text]]:
        return [("/text", self.text)]
# endregion shout-node


# region shout-handler
async def enter_shout(node: ShoutNode, t: BotTurn) -> Outcome:
    t.say(t.text(node.text).upper())
    return Go(node.next)
# endregion shout-handler


# region tinychat-connector
class TinyChatConnector(Connector):
    """TinyChat: webhooks signed with HMAC-SHA256 of the body, replies POSTed to its API as JSON."""

    channel: ClassVar[str] = "tinychat"
    env: ClassVar[ChannelEnv] = ChannelEnv(
        token="TINYCHAT_TOKEN", app_secret="TINYCHAT_SECRET", verify_token="TINYCHAT_VERIFY_TOKEN",
        account_id="TINYCHAT_ACCOUNT", base_url=("TINYCHAT_URL",),
    )

    def __init__(self, settings: ChannelSettings) -> None:
        self.settings = settings
        self._session: aiohttp.ClientSession | None = None

    @classmethod
    def from_settings(cls, settings: ChannelSettings) -> Self:
        return cls(settings)

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        expected = hmac.new(self.settings.app_secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(headers.get("X-TinyChat-Signature", ""), expected):
            raise BadSignature("tinychat: X-TinyChat-Signature is not the HMAC-SHA256 of the body")

    def verify_subscription(self, query: Mapping[str, str]) -> str:
        if not hmac.compare_digest(query.get("token", ""), self.settings.verify_token):
            raise BadSubscription("tinychat: the token is not the configured verify token")
        return query.get("challenge", "")

    def parse(self, body: bytes) -> Parsed:
        try:
            data = json.loads(body)
            event = InboundEvent(channel=self.channel, user=str(data["from"]), id=str(data["id"]),
                                 at=datetime.fromtimestamp(data["ts"], UTC), text=str(data["text"]),
                                 business=str(data["to"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise BadPayload('tinychat: expected {"id", "from", "to", "text", "ts"}') from exc
        return Parsed(events=(event,))

    def render(self, message: OutboundMessage, *, to: str) -> Rendered:
        if not message.text:
            raise InvalidMessage(f"tinychat: message {message.id!r} has no text, and TinyChat shows only text")
        return Rendered(({"to": to, "text": message.text},))

    async def send_payload(self, payload: dict[str, Any], *, to: str) -> Receipt:
        self._session = self._session or aiohttp.ClientSession()
        url, auth = f"{self.settings.base_url}/v1/messages", {"Authorization": f"Bearer {self.settings.token}"}
        try:
            async with self._session.post(url, json=payload, headers=auth) as answer:
                if answer.status >= 500:
                    raise Unavailable(f"tinychat: HTTP {answer.status}; retry later")
                if answer.status >= 400:
                    raise Rejected(f"tinychat refused the message: HTTP {answer.status}")
                sent = await answer.json()
        except aiohttp.ClientError as exc:
            raise Unavailable(f"tinychat: {type(exc).__name__}; retry later") from exc
        return Receipt(channel=self.channel, message_id=str(sent["id"]), user=to)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
# endregion tinychat-connector


# region serve
def shouty_app(botdir: Path, env: Mapping[str, str]) -> web.Application:
    """`papo serve`'s app, with the shout kind and the TinyChat channel added to papo's own."""
    connectors = CONNECTORS.with_connectors(TinyChatConnector)
    return build_app(Settings.from_env(env, connectors=connectors), botdir,
                     kinds=node_kinds.with_kinds(ShoutNode),
                     handlers=handlers(NodeHandler("shout", enter_shout)),
                     connectors=connectors)
# endregion serve


class FakeTinyChat:
    """TinyChat's API on 127.0.0.1: takes messages, numbers them, and hands them to the test in order."""

    def __init__(self) -> None:
        self.received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.authorizations: set[str] = set()
        self.app = web.Application()
        self.app.router.add_post("/v1/messages", self.messages)

    async def messages(self, request: web.Request) -> web.Response:
        self.authorizations.add(request.headers.get("Authorization", ""))
        await self.received.put(await request.json())
        return web.json_response({"id": f"tc-{self.received.qsize()}"})

    async def next_message(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.received.get(), timeout=20)  # a guard against a hang only


@pytest.fixture
async def tinychat() -> AsyncIterator[tuple[FakeTinyChat, str]]:
    fake = FakeTinyChat()
    server = TestServer(fake.app, host="127.0.0.1", port=0)
    await server.start_server()
    yield fake, str(server.make_url("")).rstrip("/")
    await server.close()


def tinychat_body(message_id: str, text: str) -> bytes:
    return json.dumps({"id": message_id, "from": "ana", "to": "acct-1", "text": text,
                       "ts": int(datetime.now(UTC).timestamp())}).encode()


def signed(body: bytes) -> dict[str, str]:
    return {"X-TinyChat-Signature": hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()}


async def test_a_conversation_goes_through_the_shout_kind_and_the_tinychat_channel(
        tinychat: tuple[FakeTinyChat, str], redis_url: str, redis_prefix: str) -> None:
    fake, url = tinychat
    env = {"REDIS_URL": redis_url, "PAPO_KEY_PREFIX": redis_prefix, "PAPO_PACING_PER_USER_S": "0",
           "PAPO_BLOCK_MS": "50", "TINYCHAT_TOKEN": "tc-token", "TINYCHAT_SECRET": SECRET,
           "TINYCHAT_VERIFY_TOKEN": "tc-verify", "TINYCHAT_ACCOUNT": "acct-1", "TINYCHAT_URL": url}
    async with TestClient(TestServer(shouty_app(BOT, env), host="127.0.0.1", port=0)) as client:
        handshake = await client.get("/webhooks/tinychat", params={"token": "tc-verify", "challenge": "42"})
        assert handshake.status == 200 and await handshake.text() == "42"
        forged = tinychat_body("m0", "oi")
        assert (await client.post("/webhooks/tinychat", data=forged, headers=signed(b"other"))).status == 401
        first = tinychat_body("m1", "oi")
        assert (await client.post("/webhooks/tinychat", data=first, headers=signed(first))).status == 200
        assert await fake.next_message() == {"to": "ana", "text": "Como você se chama?"}
        second = tinychat_body("m2", "Ana")
        assert (await client.post("/webhooks/tinychat", data=second, headers=signed(second))).status == 200
        assert await fake.next_message() == {"to": "ana", "text": "OLÁ, ANA!"}
        assert (await client.get("/readyz")).status == 200
    assert fake.authorizations == {"Bearer tc-token"}
    assert fake.received.empty()  # nothing was sent twice, and the forged webhook started nothing


def test_without_the_extension_the_bot_is_refused_and_with_it_the_new_kind_is_validated(tmp_path: Path) -> None:
    assert any("'shout'" in issue.message for issue in check_bot(BOT).errors)
    kinds = node_kinds.with_kinds(ShoutNode)
    loaded = check_bot(BOT, kinds=kinds)
    assert loaded.errors == () and loaded.bot is not None
    assert isinstance(loaded.bot.flows["main"].nodes["saudar"], ShoutNode)
    root = tmp_path / "bot"
    shutil.copytree(BOT, root)
    flow = json.loads((root / "flows" / "main.json").read_text())
    flow["nodes"]["saudar"] = {"kind": "shout", "txt": "Olá!"}
    (root / "flows" / "main.json").write_text(json.dumps(flow, indent=2))
    [issue] = check_bot(root, kinds=kinds).errors
    assert (issue.pointer, issue.code) == ("/nodes/saudar/txt", "schema-unevaluatedProperties")
    assert issue.hint.startswith("did you mean 'text'?")
    assert "shout" not in node_kinds  # papo's own list is left as it is


async def test_a_kind_without_its_handler_is_refused_before_anything_opens(redis_client: aioredis.Redis,
                                                                           redis_prefix: str) -> None:
    with pytest.raises(ConfigError, match="node kind\\(s\\) shout have no handler"):
        await Service.open(Settings(key_prefix=redis_prefix), BOT, client=redis_client,
                           kinds=node_kinds.with_kinds(ShoutNode))


def regions() -> dict[str, str]:
    source = Path(__file__).read_text(encoding="utf-8")
    pattern = r"# region (?P<name>[\w-]+)\n(?P<body>.*?)# endregion (?P=name)\n"
    return {m["name"]: m["body"] for m in re.finditer(pattern, source, re.S)}


def guide_blocks(kind: str) -> dict[str, str]:
    """The fenced blocks of the guide that follow a `<!-- kind: name -->` marker, by name."""
    text = GUIDE.read_text(encoding="utf-8")
    pattern = rf"^(?P<indent> *)<!-- {kind}: (?P<name>[\w-]+) -->\n(?P=indent)```\w*\n(?P<body>.*?)^(?P=indent)```\n"
    return {m["name"]: textwrap.dedent(m["body"]) for m in re.finditer(pattern, text, re.S | re.M)}


def test_the_guide_quotes_this_file_exactly() -> None:
    quoted, defined = guide_blocks("quote"), regions()
    assert set(defined) == {"shout-node", "shout-handler", "tinychat-connector", "serve"}
    assert set(quoted) == set(defined), "docs/extending.md must quote every region of this file"
    for name, body in defined.items():
        assert quoted[name] == body, f"docs/extending.md's '{name}' block differs from this file's region"


def test_the_guides_imports_run_and_name_what_this_file_uses() -> None:
    namespace: dict[str, Any] = {}
    exec(guide_blocks("run")["imports"], namespace)  # the guide's own import lines
    names = {name: value for name, value in namespace.items() if name != "__builtins__"}
    assert {name for name in names if globals().get(name) is not names[name]} == set()
    quoted = "".join(regions().values())
    assert [name for name in names if not re.search(rf"\b{name}\b", quoted)] == []  # none is left unused


def test_the_guides_schema_entries_are_the_ones_papo_builds() -> None:
    blocks = guide_blocks("json")
    schema = json.loads(schema_text("flow"))
    schema["$defs"].update(json.loads("{" + blocks["flow-schema-defs"] + "}"))
    schema["$defs"]["node"]["properties"]["kind"]["enum"].append("shout")
    schema["$defs"]["node"]["allOf"].append(json.loads(blocks["flow-schema-branch"]))
    assert schema == flow_schema(node_kinds.with_kinds(ShoutNode))

    refs = {"tinychat": TinyChatConnector.env.refs()}
    bot = {"name": "shouty", "default_locale": "pt-BR", "entry_flow": "main", "channels": refs}
    assert not validator("bot").is_valid(bot)  # papo's bot.json does not know the channel yet
    published = json.loads(schema_text("bot"))
    published["properties"]["channels"]["properties"].update(json.loads("{" + blocks["bot-schema-channel"] + "}"))
    assert validator("bot").evolve(schema=published).is_valid(bot)
    env = {"TINYCHAT_TOKEN": "t", "TINYCHAT_SECRET": "s", "TINYCHAT_VERIFY_TOKEN": "v", "TINYCHAT_ACCOUNT": "a"}
    [channel], off = resolve_channels(CONNECTORS.with_connectors(TinyChatConnector), env, refs)
    assert (channel.channel, channel.account_id, off) == ("tinychat", "a", ())


def test_every_path_the_guide_names_exists_but_the_example_s_own_files() -> None:
    named = set(re.findall(r"`((?:flows|runtime|connectors|tests|docs)/[\w./-]+)`", GUIDE.read_text(encoding="utf-8")))
    existing = {p for p in named if "shout" not in p and "tinychat" not in p}
    assert existing and [p for p in sorted(existing) if not (ROOT / p).exists()] == []


def test_the_runtime_names_no_channel() -> None:
    """A new channel changes no file in runtime/: no code there names a channel (in a string: WHATSAPP_TOKEN
    counts, docstrings do not) or a connector class."""
    words = re.compile(rf"(?<![a-z])({'|'.join(CONNECTORS.names())})(?![a-z])", re.I)
    classes = {cls.__name__ for cls in CONNECTORS}
    found = []
    for path in sorted((ROOT / "runtime").rglob("*.py")):
        if path.parent.name == "locales":
            continue  # words patients write ("parem de mandar no whatsapp"), not channel knowledge
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                found += [f"{path.relative_to(ROOT)}:{node.lineno} {word!r}" for word in words.findall(node.value)]
            elif isinstance(node, ast.Name) and node.id in classes:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.id}")
            elif isinstance(node, ast.alias) and node.name in classes:
                found.append(f"{path.relative_to(ROOT)} imports {node.name}")
    assert found == []
