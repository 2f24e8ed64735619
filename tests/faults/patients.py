"""Scripted conversations with known expected replies, played over webhooks against `papo serve`.

A patient sends a few texts (the bot echoes each as `<n>:<text>`), one interactive reply WhatsApp
could not render (answered with the bot's "I can't read that here"), then books a consultation
(a list of slots, a pick, a confirmation), waits for the reminder the booking flow asks for two
seconds later, and says goodbye. Every message is posted one to three times (Meta redelivers),
sometimes at once, sometimes after the next one. The patient waits for the replies it needs to go
on (never longer than a generous guard), and writes down what it expects, in order: the tally
compares that with what the fake Graph API received.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .cluster import until
from .graph import Graph, Send
from .meta import Meta, button_reply, encode, envelope, list_reply, status, text, unreadable

ECHO = re.compile(r"(\d+):(.*)", re.S)
# Guards against a hang, far longer than any recovery: a reply waits at most for a lease (3 s here) and
# a restart; a reminder whose timer was being run by a process that died, or when Redis went away, is
# claimed again after the timer lease (3 s here), and may meet more than one fault on its way.
REPLY_GUARD_S = 40.0
REMINDER_GUARD_S = 60.0


def kind_of(send: Send) -> str:
    """What a reply is, from its text: echo, offer, taken, expired, confirm, booked, reminder or other."""
    if ECHO.fullmatch(send.text):
        return "echo"
    if send.text.startswith("Que pena, esse horário acabou de ser reservado"):
        return "taken"
    if send.text.startswith("O tempo para confirmar esse horário acabou"):
        return "expired"
    if "Escolha um horário" in send.text and send.options:
        return "offer"
    if send.text.startswith("Confirma o horário?"):
        return "confirm"
    if send.text.startswith("Pronto! ✅ Sua consulta está marcada"):
        return "booked"
    if send.text.startswith("Aviso:"):
        return "reminder"
    return "other"


@dataclass(frozen=True, slots=True)
class Expect:
    label: str
    kind: str                         # echo, unreadable, booking, reminder, fuzz
    match: Callable[[Send], bool]


def echo_of(said: str) -> Callable[[Send], bool]:
    def match(send: Send) -> bool:
        found = ECHO.fullmatch(send.text)
        return found is not None and found.group(2) == said
    return match


def echo_starting(said: str) -> Callable[[Send], bool]:
    def match(send: Send) -> bool:
        found = ECHO.fullmatch(send.text)
        return found is not None and found.group(2).startswith(said)
    return match


def is_send(papo_id: str) -> Callable[[Send], bool]:
    return lambda send: send.papo_id == papo_id


def of_kind(*kinds: str) -> Callable[[Send], bool]:
    return lambda send: kind_of(send) in kinds


@dataclass
class Progress:
    """Scripted messages accepted so far, campaign-wide: the faults are injected at fractions of it,
    and the traffic waits at the next fault's fraction (`limit`) until that fault is injected."""

    accepted: int = 0
    expected: int = 1
    limit: float = float("inf")
    done: bool = False

    def fraction(self) -> float:
        return self.accepted / self.expected

    async def turn(self) -> None:
        async def below() -> bool:
            return self.fraction() < self.limit
        await until(below, timeout=REPLY_GUARD_S)


@dataclass
class Conversation:
    """One user's expectations, as the script went; the tally checks them against the Graph records."""

    user: str
    role: str                              # "patient" or "fuzz"
    expects: list[Expect] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)     # replies the script did not allow at that step
    booked: bool = False
    wrote_again_at: float | None = None    # when the patient wrote after waiting for its reminder
    stalled: str = ""                      # the step it gave up waiting at (a guard ran out)
    longest_wait: tuple[float, str] = (0.0, "")   # seconds, for what


@dataclass
class Patient:
    index: int
    meta: Meta
    graph: Graph
    rng: random.Random
    progress: Progress
    echoes: int
    conversation: Conversation = field(init=False)
    _sent: int = 0
    _later: list[tuple[bytes, str]] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)
    _read: int = 0

    def __post_init__(self) -> None:
        self.conversation = Conversation(self.user, "patient")

    @property
    def user(self) -> str:
        return f"55119{self.index:08d}"

    @staticmethod
    def steps(echoes: int) -> int:
        """Messages a patient sends when nothing goes wrong: texts, the unreadable one, marcar, a pick, a
        confirmation, goodbye."""
        return echoes + 5

    async def run(self) -> None:
        try:
            await self._echoes()
            if await self._book():
                await self._reminder()
            await self._goodbye()
        except _Stalled as stalled:
            self.conversation.stalled = str(stalled)
        await self._flush_later()

    # -- the script -----------------------------------------------------------------------------

    async def _echoes(self) -> None:
        odd_one = self.rng.randrange(self.echoes)  # the unreadable message goes before this text
        j = 0
        while j < self.echoes:
            burst = min(self.rng.randint(1, 3), self.echoes - j)
            for said in [f"c{self.index}.{j + k + 1}" for k in range(burst)]:
                if j == odd_one:  # never last in its burst: the echo after it is waited for, not its answer
                    await self._post(unreadable(self.user, self._wamid(), _now()), "an unreadable message")
                    self.conversation.expects.append(Expect("the answer to an unreadable message", "unreadable",
                                                            of_kind("other")))
                await self._post_text(said)
                self.conversation.expects.append(Expect(f"echo of {said}", "echo", echo_of(said)))
                j += 1
            await self._think()
            last = f"c{self.index}.{j}"
            await self._wait_for(echo_of(last), f"the echo of {last}")

    async def _book(self) -> bool:
        reply = await self._say(text(self.user, self._wamid(), "marcar", _now()), "marcar", allowed=("offer",))
        for _ in range(20):
            kind = kind_of(reply)
            if kind in ("offer", "taken", "expired"):
                row = self.rng.choice(reply.options)
                reply = await self._say(list_reply(self.user, self._wamid(), row, _now()), "a slot",
                                        allowed=("confirm", "taken"))
            elif kind == "confirm":
                reply = await self._say(button_reply(self.user, self._wamid(), "sim", _now()), "sim",
                                        allowed=("booked", "taken"))
            elif kind == "booked":
                self.conversation.booked = True
                return True
            else:
                return False
        self.conversation.wrong.append("no booking after 20 rounds of slots")
        return False

    async def _reminder(self) -> None:
        self.conversation.expects.append(Expect("the reminder", "reminder", of_kind("reminder")))
        await self._wait_for(of_kind("reminder"), "the reminder", fatal=False, guard=REMINDER_GUARD_S)

    async def _goodbye(self) -> None:
        said = f"c{self.index}.fim"
        self.conversation.wrote_again_at = asyncio.get_running_loop().time()
        await self._post_text(said)
        self.conversation.expects.append(Expect(f"echo of {said}", "echo", echo_of(said)))
        await self._wait_for(echo_of(said), f"the echo of {said}")

    # -- posting --------------------------------------------------------------------------------

    def _wamid(self) -> str:
        self._sent += 1
        return f"wamid.F{self.index}.{self._sent}"

    async def _think(self) -> None:
        await asyncio.sleep(self.rng.uniform(0.05, 0.4))  # a person between two messages

    async def _post_text(self, said: str) -> None:
        await self._post(text(self.user, self._wamid(), said, _now()), said)

    async def _post(self, message: dict[str, object], what: str) -> None:
        """Post once, twice at once, or again after the next message, like Meta's redeliveries; a
        status of the last reply rides along now and then, as in Meta's batches."""
        statuses = []
        mine = self.graph.to(self.user)
        if mine and self.rng.random() < 0.3:
            statuses.append(status(self.user, f"wamid.out{mine[-1].seq}", self.rng.choice(("delivered", "read")),
                                   _now()))
        body = encode(envelope([message], statuses=statuses))
        await self._flush_later()
        await self.progress.turn()
        roll = self.rng.random()
        copies = 2 if roll < 0.25 else 1
        posts = [self.meta.post(body, what=what, valid=True) for _ in range(copies)]
        answers = await asyncio.gather(*posts)
        if 0.25 <= roll < 0.45:
            self._later.append((body, what))
        if any(answer == 200 for answer in answers):
            self.progress.accepted += 1
        else:
            self.conversation.wrong.append(f"{what}: never accepted (last answer {answers})")

    async def _flush_later(self) -> None:
        later, self._later = self._later, []
        for body, what in later:
            await self.meta.post(body, what=f"{what} (redelivered)", valid=True)

    # -- waiting for replies --------------------------------------------------------------------

    async def _say(self, message: dict[str, object], what: str, *, allowed: tuple[str, ...]) -> Send:
        """Post and take the next new reply; it is expected to be one of `allowed`."""
        self._skip_read()
        await self._post(message, what)
        reply = await self._next(f"the reply to {what}")
        self.conversation.expects.append(Expect(f"the reply to {what}", "booking", is_send(reply.papo_id)))
        if kind_of(reply) not in allowed:
            self.conversation.wrong.append(f"{what} answered {kind_of(reply)}: {reply.text[:80]!r}")
        return reply

    def _skip_read(self) -> None:
        mine = self.graph.to(self.user)
        for send in mine[self._read:]:
            self._seen.add(send.papo_id)
        self._read = len(mine)

    async def _next(self, what: str) -> Send:
        """The first reply after the ones already read, skipping copies of earlier ones."""
        loop = asyncio.get_running_loop()
        began = loop.time()
        while True:
            mine = self.graph.to(self.user)
            while self._read < len(mine):
                send = mine[self._read]
                self._read += 1
                if send.papo_id not in self._seen:
                    self._seen.add(send.papo_id)
                    self._waited(loop.time() - began, what)
                    return send
            if not await self.graph.wait(self.user, len(mine), began + REPLY_GUARD_S - loop.time()):
                raise _Stalled(what)

    async def _wait_for(self, match: Callable[[Send], bool], what: str, *, fatal: bool = True,
                        guard: float = REPLY_GUARD_S) -> None:
        loop = asyncio.get_running_loop()
        began = loop.time()
        while not any(match(send) for send in self.graph.to(self.user)):
            if not await self.graph.wait(self.user, len(self.graph.to(self.user)), began + guard - loop.time()):
                if fatal:
                    raise _Stalled(what)
                return
        self._waited(loop.time() - began, what)
        self._skip_read()

    def _waited(self, seconds: float, what: str) -> None:
        if seconds > self.conversation.longest_wait[0]:
            self.conversation.longest_wait = (seconds, what)


class _Stalled(Exception):
    """A reply the script needs did not come before the guard ran out."""


def _now() -> int:
    return int(time.time())
