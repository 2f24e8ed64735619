"""Counting what went wrong, from the fake Graph API's records and the conversations' expectations,
and printing it as a table."""

from __future__ import annotations

from dataclasses import dataclass, field

from .graph import Send
from .patients import ECHO, Conversation, kind_of


@dataclass
class Row:
    name: str
    promise: str                      # what papo promises for this count
    value: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, example: str, n: int = 1) -> None:
        self.value += n
        if len(self.examples) < 8:
            self.examples.append(example)


# The counts, in the table's order; every one of them must be zero except RESENT.
LOST = "lost replies"
UNREADABLE = "unreadable messages left unanswered"
HOSTILE = "valid messages among hostile input left unanswered"
DUPLICATED = "duplicated replies"
REORDERED = "reordered replies"
UNEXPECTED = "unexpected replies"
STATE = "conversations whose state went back"
DOUBLE = "double bookings"
PHANTOM = "bookings nobody was told about"
LOST_REMINDERS = "lost reminders"
LATE_REMINDERS = "late reminders"
FIVE_XX = "500 answers (any 5xx but 503)"
UNAVAILABLE = "503 answers while Redis answered"
REFUSED = "valid webhooks refused (4xx)"
EXITS = "processes that exited on their own"
TRACEBACKS = "tracebacks in the logs"
SLOW = "slow bodies not cut off"
AOF = "writes lost across the Redis restart"
DEAD = "signals dead-lettered"
STUCK = "conversations left with work undone"
RESENT = "resent after a sender SIGKILL"
ZERO = (LOST, UNREADABLE, HOSTILE, DUPLICATED, REORDERED, UNEXPECTED, STATE, DOUBLE, PHANTOM, LOST_REMINDERS,
        LATE_REMINDERS, FIVE_XX, UNAVAILABLE, REFUSED, EXITS, TRACEBACKS, SLOW, AOF, DEAD, STUCK)


@dataclass
class Report:
    title: str
    facts: list[str] = field(default_factory=list)
    rows: dict[str, Row] = field(default_factory=dict)
    timeline: list[str] = field(default_factory=list)   # what happened when, for report.txt
    transcripts: list[str] = field(default_factory=list)  # of the conversations where something went wrong
    senders_killed: int = 0
    consumers_per_sender: int = 0     # conversations one sender process sends to at once, at most (consumers x AT_ONCE)

    def __post_init__(self) -> None:
        for name in ZERO:
            self.rows[name] = Row(name, "0")
        self.rows[RESENT] = Row(RESENT, "≤ 1 per conversation in flight")

    def __getitem__(self, name: str) -> Row:
        return self.rows[name]

    def table(self) -> str:
        width = max(len(name) for name in self.rows)
        lines = [self.title, *(f"  {fact}" for fact in self.facts), "",
                 f"  {'count':<{width}}  {'value':>6}  promise", f"  {'-' * width}  {'-' * 6}  {'-' * 30}"]
        lines += [f"  {row.name:<{width}}  {row.value:>6}  {row.promise}" for row in self.rows.values()]
        return "\n".join(lines)

    def problems(self) -> int:
        return sum(self.rows[name].value for name in ZERO)

    def details(self) -> str:
        """Every count that is not zero, with examples, then the timeline."""
        counts = [f"{row.name}: {row.value}\n" + "\n".join(f"  - {e}" for e in row.examples)
                  for row in self.rows.values() if row.value]
        return "\n\n".join(["\n".join(self.timeline), "\n".join(counts), *self.transcripts])

    def explain(self, name: str) -> str:
        row = self.rows[name]
        return f"{name}: {row.value}\n" + "\n".join(f"  - {e}" for e in row.examples) + "\n\n" + self.table()


IN_FLIGHT_S = 3.0   # a send still in flight when its sender died arrived at the Graph API this long before, at most
RECORDED_S = 1.0    # ... or this long after: the Graph API may read a request a moment after its sender died


def check_conversation(report: Report, conversation: Conversation, sends: list[Send], killed: dict[str, float], *,
                       began: float = 0.0) -> int:
    """Compare a conversation's replies with what it expected; returns how many copies a SIGKILLed
    sender's in-flight message caused. `began` is the loop time the timeline counts from."""
    before = report.problems()
    unique, resent = _copies(report, conversation, sends, killed, began)
    _align(report, conversation, unique)
    _state(report, conversation, unique)
    for wrong in conversation.wrong:
        report[UNEXPECTED].add(f"{conversation.user}: {wrong}")
    if report.problems() > before:
        report.transcripts.append(_transcript(conversation, sends, began))
    return resent


def _transcript(conversation: Conversation, sends: list[Send], began: float) -> str:
    """What a conversation expected and what it got, for report.txt."""
    labels = [e.label for e in conversation.expects]
    lines = [f"{conversation.user} expected {len(labels)} replies: " + "; ".join(labels[:12])
             + ("; ..." if len(labels) > 12 else "")]
    lines += [f"  {s.at - began:7.1f} s  {s.process:<11} {s.papo_id[:44]:<44} {kind_of(s):<9} {s.text[:60]!r}"
              for s in sends[:60]]
    return "\n".join(lines)


def _copies(report: Report, conversation: Conversation, sends: list[Send], killed: dict[str, float], began: float
            ) -> tuple[list[Send], int]:
    """The first copy of each message. A second copy is the documented resend when the first was the
    message in flight when its sender instance was SIGKILLed: the last that instance sent to this user,
    received at most `IN_FLIGHT_S` before the SIGKILL (or `RECORDED_S` after it), and the copy came from
    another instance. Any other copy is a duplicate."""
    last_by = {send.process: send for send in sends}
    first: dict[str, Send] = {}
    unique: list[Send] = []
    resent = 0
    for send in sends:
        original = first.get(send.papo_id)
        if original is None:
            first[send.papo_id] = send
            unique.append(send)
            continue
        when = (f"first by {original.process} at {original.at - began:.1f} s, again by {send.process} at "
                f"{send.at - began:.1f} s")
        death = killed.get(original.process)
        in_flight = death is not None and death - IN_FLIGHT_S <= original.at <= death + RECORDED_S
        if in_flight and last_by[original.process] is original and send.process != original.process:
            report[RESENT].add(f"{conversation.user}: {original.text[:40]!r}, {when}")
            resent += 1
        else:
            report[DUPLICATED].add(f"{conversation.user}: {send.text[:60]!r}, {when}")
    return unique, resent


def _align(report: Report, conversation: Conversation, unique: list[Send]) -> None:
    expects = conversation.expects
    taken = [False] * len(expects)
    texts: set[str] = set()
    highest = -1
    for send in unique:
        index = next((i for i, e in enumerate(expects) if not taken[i] and e.match(send)), None)
        if index is None:
            row = DUPLICATED if send.text in texts else UNEXPECTED
            report[row].add(f"{conversation.user}: {send.text[:80]!r} ({kind_of(send)})")
            continue
        taken[index] = True
        texts.add(send.text)
        expect = expects[index]
        if expect.kind == "reminder":
            late = conversation.wrote_again_at is not None and send.at > conversation.wrote_again_at
            if late:
                report[LATE_REMINDERS].add(f"{conversation.user}: the reminder came after the patient wrote again")
            continue
        if index < highest:
            report[REORDERED].add(f"{conversation.user}: {expect.label} came after a later reply")
        highest = max(highest, index)
    for index, expect in enumerate(expects):
        if taken[index]:
            continue
        row = {"unreadable": UNREADABLE, "fuzz": HOSTILE, "reminder": LOST_REMINDERS}.get(expect.kind, LOST)
        why = f" (the script stalled waiting for {conversation.stalled})" if conversation.stalled else ""
        report[row].add(f"{conversation.user}: {expect.label}{why}")


def _state(report: Report, conversation: Conversation, unique: list[Send]) -> None:
    """The echo's running number never goes back, unless the conversation's state was lost."""
    last = 0
    for send in unique:
        found = ECHO.fullmatch(send.text)
        if found is None:
            continue
        n = int(found.group(1))
        if n <= last:
            report[STATE].add(f"{conversation.user}: echo number {n} after {last}")
        last = n
