"""A conversation finishes on the flow version it started on; new ones take the newest valid
version; a broken edit is refused and the last good version keeps serving."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from runtime.conversations.library import BotLibrary

from .conftest import EXAMPLES, OpenBot


@pytest.fixture
def hello(tmp_path: Path) -> Path:
    root = tmp_path / "hello"
    shutil.copytree(EXAMPLES / "hello", root)
    return root


def edit_greeting(root: Path, text: str) -> None:
    path = root / "flows" / "hello.json"
    flow = json.loads(path.read_text())
    flow["nodes"]["greet"]["text"] = text
    path.write_text(json.dumps(flow))


async def test_a_conversation_finishes_on_its_version(hello: Path, open_bot: OpenBot) -> None:
    ada = await open_bot(hello, user="ada")
    assert [m.text for m in await ada.say("hi")] == ["Hi! What is your name?"]
    first = ada.library.current.flows["hello"].digest

    edit_greeting(hello, "Welcome aboard, {{ name }}!")
    result = ada.library.reload()
    assert result.bot is not None and ada.library.current.flows["hello"].digest != first

    bob = await open_bot(hello, user="bob", library=ada.library)
    await bob.say("hi")
    assert [m.text for m in await ada.say("Ada")] == ["Nice to meet you, Ada!"]  # pinned to the old version
    assert [m.text for m in await bob.say("Bob")] == ["Welcome aboard, Bob!"]  # started on the new one


async def test_a_broken_edit_is_refused_and_the_running_version_serves_on(hello: Path, open_bot: OpenBot) -> None:
    ada = await open_bot(hello, user="ada")
    await ada.say("hi")
    before = ada.library.current
    (hello / "flows" / "hello.json").write_text('{"id": "hello", "entry": "ask_name", "nodes": {')
    result = ada.library.reload()
    assert result.bot is None and result.errors[0].code == "bad-json"
    assert ada.library.current is before
    shutil.copy(EXAMPLES / "hello" / "flows" / "hello.json", hello / "flows" / "hello.json")
    edit_greeting(hello, "Hello {{ nmae }}")  # valid JSON, but the lint refuses an undefined variable
    result = ada.library.reload()
    assert result.bot is None and [e.code for e in result.errors] == ["undefined-variable"]
    assert [m.text for m in await ada.say("Ada")] == ["Nice to meet you, Ada!"]


async def test_another_process_finds_an_old_version_in_the_archive(hello: Path, open_bot: OpenBot,
                                                                   client: aioredis.Redis,
                                                                   redis_prefix: str) -> None:
    ada = await open_bot(hello, user="ada")
    await ada.say("hi")
    edit_greeting(hello, "Welcome aboard, {{ name }}!")
    fresh = BotLibrary.load(hello, client=client, prefix=redis_prefix)  # knows only the new version
    other = await open_bot(hello, user="ada", library=fresh)
    assert [m.text for m in await other.say("Ada")] == ["Nice to meet you, Ada!"]


async def test_a_version_nobody_has_gets_a_polite_restart(hello: Path, open_bot: OpenBot, client: aioredis.Redis,
                                                          redis_prefix: str) -> None:
    ada = await open_bot(hello, user="ada")
    await ada.say("hi")
    await client.delete(*[k async for k in client.scan_iter(match=f"{redis_prefix}:flowver:*")])
    edit_greeting(hello, "Welcome aboard, {{ name }}!")
    other = await open_bot(hello, user="ada", library=BotLibrary.load(hello, client=client, prefix=redis_prefix))
    assert [m.text for m in await other.say("Ada")] == [
        "Sorry, something went wrong on our side. Please try again in a moment."]
    assert [m.text for m in await other.say("hi")] == ["Hi! What is your name?"]
