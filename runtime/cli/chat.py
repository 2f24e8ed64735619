"""`papo chat`: talk to a bot in the terminal, on the embedded store unless REDIS_URL is set."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from flows.messages import OutboundMessage
from flows.model import parse_duration
from runtime.engine.clock import ManualClock, SystemClock
from runtime.service.harness import BotHarness, explain

HELP = """commands: /reset  start over    /state  show the conversation's state
          /resume staff hands the conversation back to the bot
          /advance 25h  move the clock (the chat then runs on a virtual clock)
          /reload  read the bot folder again    /quit  leave
          /debug   show or hide why each message went where it went: the step of the reading order
                   that took it, the intents, entities, FAQ scores and candidates it weighed, and
                   the FAQ entry or LLM command it led to (tokens, latency, cache)"""


def show(messages: list[OutboundMessage]) -> None:
    for message in messages:
        if message.media is not None:
            print(f"bot: [{message.media.kind}] {message.media.url or message.media.id} {message.media.caption}")
        if message.text:
            for i, line in enumerate(message.text.splitlines()):
                print(("bot: " if i == 0 else "     ") + line)
        for n, option in enumerate(message.options, 1):
            detail = f" - {option.description}" if option.description else ""
            print(f"     {n}) {option.title}{detail}")


async def chat(root: Path, *, user: str = "local") -> int:
    harness = await BotHarness.open(root, user=user, clock=SystemClock())
    print(f"papo chat: {harness.library.name} (type /help for commands, /quit to leave)")
    offered: list[str] = []
    debug = False
    try:
        while True:
            try:
                line = (await asyncio.to_thread(input, "you: ")).strip()
            except EOFError:
                return 0
            if line.startswith("/"):
                done = await _command(harness, line)
                if done == "quit":
                    return 0
                if done == "debug":
                    debug = not debug
                    print(f"(debug {'on' if debug else 'off'})")
                continue
            choice = offered[int(line) - 1] if line.isdigit() and 0 < int(line) <= len(offered) else None
            replies = await harness.say("" if choice else line, choice_id=choice)
            show(replies)
            if debug:
                for notice in (n for result in harness.last for n in result.notices):
                    print(f"     [debug] {explain(notice)}")
            with_options = [m for m in replies if m.options]
            offered = [o.id for o in with_options[-1].options] if with_options else []
    finally:
        await harness.aclose()


async def _command(harness: BotHarness, line: str) -> str:
    name, _, arg = line.partition(" ")
    if name in ("/quit", "/debug"):
        return name[1:]
    if name == "/reset":
        await harness.reset()
        print("(conversation deleted; say something to start again)")
    elif name == "/state":
        state = await harness.state()
        print(json.dumps(state.to_json() | {"version": state.version}, ensure_ascii=False, indent=2)
              if state else "(no conversation yet)")
    elif name == "/resume":
        show(await harness.resume_handoff())
    elif name == "/advance":
        if not isinstance(harness.clock, ManualClock):
            harness.use_clock(ManualClock(harness.clock.now()))
        try:
            delta = parse_duration(arg.strip())
        except ValueError as exc:
            print(f"({exc})")
            return ""
        replies = await harness.advance(delta)
        print(f"(clock now {harness.clock.now()})")
        show(replies)
    elif name == "/reload":
        result = harness.library.reload()
        for issue in result.issues:
            print(issue)
        print("(reloaded)" if result.bot else "(reload refused; the running version keeps serving)")
    else:
        print(HELP)
    return ""
