"""Every Redis key papo writes, built in one place: `Keys(prefix)` has one method per key family.

A conversation's keys share the hash tag `{bot:channel:user}`, so one Lua call can touch them all,
also on a Redis Cluster (one slot):

    <prefix>:{<bot>:<channel>:<user>}:state             hash    ver (fencing token), doc (the JSON)
    <prefix>:{<bot>:<channel>:<user>}:inbox             stream  events accepted, not yet committed
    <prefix>:{<bot>:<channel>:<user>}:outbox            stream  replies committed, waiting for the sender
    <prefix>:{<bot>:<channel>:<user>}:lock              string  token of the worker running its turns
    <prefix>:{<bot>:<channel>:<user>}:seen:<event id>   string  dedupe marker (7 days)
    <prefix>:{<bot>:<channel>:<user>}:address           string  where replies go, when not the user id
    <prefix>:{<bot>:<channel>:<user>}:sendlock          string  token of the sender draining the outbox
    <prefix>:{<bot>:<channel>:<user>}:sending           hash    outbox entry id -> payloads already sent
    <prefix>:{<bot>:<channel>:<user>}:pace              string  when the user may get the next message (ms)
    <prefix>:{<bot>:<channel>:<user>}:sent              hash    channel message id -> papo message id
    <prefix>:{<bot>:<channel>:<user>}:delivery:<id>     hash    status record of one channel message
    <prefix>:{<bot>:<channel>:<user>}:failed            hash    papo message id -> why it was not sent
    <prefix>:{<bot>:<channel>:<user>}:transcript        stream  every message in and out, notes (capped, TTL)
    <prefix>:{<bot>:<channel>:<user>}:staff             hash    the inbox's view: unread, urgent, last, assignee
    <prefix>:{<bot>:<channel>:<user>}:consents          stream  the contact's consent ledger (append-only)
    <prefix>:{<bot>:<channel>:<user>}:events            stream  outbound events committed, in order (runtime.events)
    <prefix>:{<bot>:<channel>:<user>}:evcursor          hash    subscription -> the last event id it was given

Other keys, each written alone (no script spans two of them). The bot's shared streams and indexes
(signals, handoffs, the inbox feed) name a conversation by its digest (`ConversationKey.digest`), never
by its user id; `who` turns a digest back into the conversation, and goes with it (erasure, retention):

    <prefix>:decisions:<bot>:<channel>:<user>           list    FAQ/LLM decisions of a conversation
    <prefix>:who:<bot>:<digest>                         string  [channel, user] of a conversation's digest
    <prefix>:work:<bot>:<p>, <prefix>:send:<bot>:<p>    stream  work and send signals, p a partition
    <prefix>:work:<bot>:dead, <prefix>:send:<bot>:dead  stream  signals that kept failing
    <prefix>:failures:<bot>                             stream  the bot's refused messages
    <prefix>:handoffs:<bot>                             hash    conversations waiting for staff
    <prefix>:inboxfeed:<bot>                            stream  what changed in the inbox (capped), for live views
    <prefix>:requests:<bot>                             hash    data-subject requests (LGPD art. 18) for staff
    <prefix>:erasures:<bot>                             stream  erasures done: counts per data class, no one's id
    <prefix>:flowver:<bot>:<flow>:<version>             string  an archived flow version (JSON)
    <prefix>:rate:<channel>:<account>:<second>          string  sends of one business number in a second
    <prefix>:llm:<bot>:usage:<YYYY-MM>                  hash    LLM calls, tokens and cost of a month
    <prefix>:llm:<bot>:conv:<channel:user>[:history]    hash, list   per conversation spend; masked context
    <prefix>:llm:<bot>:cache:<versions>:<digest>        string  a cached LLM answer
    <prefix>:{<bot>}:stats:<flow>:<version>:<channel>:<day>  hash  per-node counters of a day (node ids only)
    <prefix>:{<bot>}:stats                              set     flow:version:channel of every counter hash
    <prefix>:evdue:<bot>                                sorted set   [subscription, digest] -> when its
                                                                 events are next tried (ms)
    <prefix>:evretry:<bot>                              hash    that member -> the failing event, attempts, error
    <prefix>:evlog:<bot>                                stream  deliveries done and given up (capped)
    <prefix>:evdead:<bot>                               stream  events given up after the retry period, to replay
    <prefix>:campaigns:<bot>                            sorted set   campaign runs by creation time
    <prefix>:campaign:<bot>:<run>:meta|audience|done|lease   hash, list, hash, string   one campaign run:
                                                        its state, the contacts (digests), what each
                                                        got, the runner holding it
    <prefix>:campaignday:<bot>:<YYYY-MM-DD>             set     contacts a campaign reached that day (the tier)
    <prefix>:campaignrate:<bot>:<second>                string  campaign starts dispatched in a second

Staff access and oversight (runtime.access, runtime.monitoring), shared by every bot on the prefix
but for the alerts, holds and feed keys, which are per bot:

    <prefix>:access:users                               set     staff account names
    <prefix>:access:user:<name>                         hash    role, argon2id password hash, disabled, created
    <prefix>:access:token:<id>                          hash    SHA-256 of the token's secret, user, expiry (TTL)
    <prefix>:access:tokens:<name>                       set     the ids of a user's tokens
    <prefix>:access:fail:<ip>                           string  failed logins of an address (10 min TTL)
    <prefix>:audit                                      stream  the audit log, append-only
    <prefix>:feeds:<bot>                                hash    professional -> calendar feed key
    <prefix>:alerts:<bot>                               stream  monitoring alerts for the dpo
    <prefix>:holds:<bot>                                hash    hold id -> a staff message waiting for a dpo
    <prefix>:incident:<id>, <prefix>:incidents          string, sorted set   an incident (5 y TTL); ids by time

Timers (one hash tag per shard) and calendars (one per calendar) group the keys their scripts touch:

    <prefix>[:<bot>]:{timers:<n>}:due|inflight|body|lease|attempts|skipped      see `ShardKeys`
    <prefix>:{cal:<calendar>}:busy|appts|starts|patient:<p>|holds|holdexp|holdof  see `CalendarKeys`

`decisions` predates the hash tag and keeps its layout, so stored decisions stay readable.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

DEFAULT_PREFIX = "papo"
STATE_TTL_MS = 90 * 24 * 3600 * 1000  # idle conversations are forgotten after 90 days (LGPD minimisation)

SignalKind = Literal["work", "send"]


def conversation_digest(bot: str, channel: str, user: str) -> str:
    """32 hex digits (128 bits) of SHA-256 over the conversation: its name in shared streams and indexes."""
    return hashlib.sha256(f"{bot}:{channel}:{user}".encode()).hexdigest()[:32]


def conversation_ref(bot: str, channel: str, user: str) -> str:
    """`bot/channel/<10 hex digits>`: the same conversation always gets the same name, and the name
    does not reveal the user id (a phone number on WhatsApp). Logs and timer ids carry it."""
    return f"{bot}/{channel}/{conversation_digest(bot, channel, user)[:10]}"


@dataclass(frozen=True, slots=True)
class ConversationKey:
    """Who is talking to which bot on which channel."""

    bot: str
    channel: str
    user: str

    @property
    def tag(self) -> str:
        """The hash tag every key of this conversation carries: `{bot:channel:user}`."""
        return f"{{{self.bot}:{self.channel}:{self.user}}}"

    @property
    def ref(self) -> str:
        """A stable pseudonymous reference for logs: never the phone number itself."""
        return conversation_ref(self.bot, self.channel, self.user)

    @property
    def digest(self) -> str:
        """Its name in the bot's shared streams and indexes (`Keys.who` turns it back into the key)."""
        return conversation_digest(self.bot, self.channel, self.user)

    def __str__(self) -> str:
        return self.ref


TIMER_PARTS = ("due", "inflight", "body", "lease", "attempts", "skipped")


@dataclass(frozen=True, slots=True)
class ShardKeys:
    """The keys of one timer shard, in the order every timer script takes them.

    due: sorted set id -> due (ms); inflight: sorted set id -> lease deadline (ms); body: hash
    id -> "<due_ms>|<max_late_ms>|<json>"; lease: hash id -> token of the current claim; attempts:
    hash id -> claims so far; skipped: stream of timers skipped as late or dead, newest last.
    """

    due: str
    inflight: str
    body: str
    lease: str
    attempts: str
    skipped: str

    def all(self) -> list[str]:
        return [self.due, self.inflight, self.body, self.lease, self.attempts, self.skipped]


@dataclass(frozen=True, slots=True)
class CalendarKeys:
    """The keys of one Redis calendar.

    busy: sorted set busy member -> start (ms); appts: hash appointment id -> JSON; starts: sorted
    set appointment id -> start (ms); patient:<p>: sorted set appointment id -> start (ms); holds:
    hash hold id -> "<busy member>#<hold JSON>"; holdexp: sorted set hold id -> expiry (ms);
    holdof: hash patient -> their current hold id.
    """

    base: str  # "<prefix>:{cal:<calendar>}"

    @property
    def busy(self) -> str:
        return f"{self.base}:busy"

    @property
    def appts(self) -> str:
        return f"{self.base}:appts"

    @property
    def starts(self) -> str:
        return f"{self.base}:starts"

    def patient(self, patient: str) -> str:
        return f"{self.base}:patient:{patient}"

    @property
    def holds(self) -> str:
        return f"{self.base}:holds"

    def script_keys(self, patient: str) -> list[str]:
        """KEYS of every calendar script, always in this order."""
        return [self.busy, self.appts, self.starts, self.patient(patient), self.holds, f"{self.base}:holdexp",
                f"{self.base}:holdof"]


@dataclass(frozen=True, slots=True)
class Keys:
    """The Redis key layout under one prefix (`PAPO_KEY_PREFIX`, default "papo")."""

    prefix: str = DEFAULT_PREFIX

    # -- one conversation: all under its hash tag --------------------------------------------------

    def _conversation(self, conv: ConversationKey, part: str) -> str:
        return f"{self.prefix}:{conv.tag}:{part}"

    def state(self, conv: ConversationKey) -> str:
        return self._conversation(conv, "state")

    def inbox(self, conv: ConversationKey) -> str:
        return self._conversation(conv, "inbox")

    def outbox(self, conv: ConversationKey) -> str:
        return self._conversation(conv, "outbox")

    def lock(self, conv: ConversationKey) -> str:
        return self._conversation(conv, "lock")

    def seen(self, conv: ConversationKey, event_id: str) -> str:
        return self._conversation(conv, f"seen:{event_id}")

    def address(self, conv: ConversationKey) -> str:
        return self._conversation(conv, "address")

    def send_lock(self, conv: ConversationKey) -> str:
        return self._conversation(conv, "sendlock")

    def sending(self, conv: ConversationKey) -> str:
        return self._conversation(conv, "sending")

    def pace(self, conv: ConversationKey) -> str:
        return self._conversation(conv, "pace")

    def sent(self, conv: ConversationKey) -> str:
        return self._conversation(conv, "sent")

    def delivery(self, conv: ConversationKey, channel_id: str) -> str:
        return self._conversation(conv, f"delivery:{channel_id}")

    def failed(self, conv: ConversationKey) -> str:
        return self._conversation(conv, "failed")

    def transcript(self, conv: ConversationKey) -> str:
        return self._conversation(conv, "transcript")

    def staff(self, conv: ConversationKey) -> str:
        return self._conversation(conv, "staff")

    def consents(self, conv: ConversationKey) -> str:
        return self._conversation(conv, "consents")

    def events(self, conv: ConversationKey) -> str:
        return self._conversation(conv, "events")

    def event_cursors(self, conv: ConversationKey) -> str:
        return self._conversation(conv, "evcursor")

    def states(self, bot: str) -> str:
        """A SCAN pattern for every conversation state of `bot` (offline commands only, never a hot path)."""
        return f"{self.prefix}:{{{bot}:*}}:state"

    def decisions(self, conv: ConversationKey) -> str:
        return f"{self.prefix}:decisions:{conv.bot}:{conv.channel}:{conv.user}"

    # -- one bot ----------------------------------------------------------------------------------

    def who(self, bot: str, digest: str) -> str:
        return f"{self.prefix}:who:{bot}:{digest}"

    def signals(self, bot: str, kind: SignalKind, partition: int) -> str:
        return f"{self.prefix}:{kind}:{bot}:{partition}"

    def dead_signals(self, bot: str, kind: SignalKind) -> str:
        return f"{self.prefix}:{kind}:{bot}:dead"

    def failures(self, bot: str) -> str:
        return f"{self.prefix}:failures:{bot}"

    def handoffs(self, bot: str) -> str:
        return f"{self.prefix}:handoffs:{bot}"

    def inbox_feed(self, bot: str) -> str:
        return f"{self.prefix}:inboxfeed:{bot}"
    def requests(self, bot: str) -> str:
        return f"{self.prefix}:requests:{bot}"

    def erasures(self, bot: str) -> str:
        return f"{self.prefix}:erasures:{bot}"

    def flow_version(self, bot: str, flow_id: str, version: str) -> str:
        return f"{self.prefix}:flowver:{bot}:{flow_id}:{version}"

    def llm_usage(self, bot: str, month: str) -> str:
        return f"{self.prefix}:llm:{bot}:usage:{month}"

    def llm_conversation(self, bot: str, conversation: str) -> str:
        return f"{self.prefix}:llm:{bot}:conv:{conversation}"

    def llm_history(self, bot: str, conversation: str) -> str:
        return f"{self.llm_conversation(bot, conversation)}:history"

    def llm_cache(self, bot: str, versions: str, digest: str) -> str:
        return f"{self.prefix}:llm:{bot}:cache:{versions}:{digest}"

    def stats(self, bot: str, flow: str, version: str, channel: str, day: str) -> str:
        return f"{self.prefix}:{{{bot}}}:stats:{flow}:{version}:{channel}:{day}"

    def stats_index(self, bot: str) -> str:
        return f"{self.prefix}:{{{bot}}}:stats"

    def event_due(self, bot: str) -> str:
        return f"{self.prefix}:evdue:{bot}"

    def event_retry(self, bot: str) -> str:
        return f"{self.prefix}:evretry:{bot}"

    def event_log(self, bot: str) -> str:
        return f"{self.prefix}:evlog:{bot}"

    def event_dead(self, bot: str) -> str:
        return f"{self.prefix}:evdead:{bot}"
    def campaigns(self, bot: str) -> str:
        return f"{self.prefix}:campaigns:{bot}"

    def campaign(self, bot: str, run: str, part: str) -> str:
        return f"{self.prefix}:campaign:{bot}:{run}:{part}"

    def campaign_day(self, bot: str, day: str) -> str:
        return f"{self.prefix}:campaignday:{bot}:{day}"

    def campaign_rate(self, bot: str, second: int) -> str:
        return f"{self.prefix}:campaignrate:{bot}:{second}"

    # -- patterns the studio scans with (never on a hot path) ----------------------------------------

    def states_of(self, bot: str) -> str:
        """A SCAN pattern matching the state of every conversation of `bot`."""
        return f"{self.prefix}:{{{_glob(bot)}:*}}:state"

    def events_of(self, bot: str) -> str:
        """A SCAN pattern matching the outbound event stream of every conversation of `bot`."""
        return f"{self.prefix}:{{{_glob(bot)}:*}}:events"

    def flow_versions_of(self, bot: str, flow_id: str) -> str:
        """A SCAN pattern matching every archived version of a flow."""
        return f"{self.prefix}:flowver:{_glob(bot)}:{_glob(flow_id)}:*"

    def timer_shard(self, shard: int, *, bot: str = "") -> ShardKeys:
        base = f"{self.prefix}:{bot}:" if bot else f"{self.prefix}:"
        return ShardKeys(*(f"{base}{{timers:{shard}}}:{part}" for part in TIMER_PARTS))

    # -- staff access and oversight ---------------------------------------------------------------

    def users(self) -> str:
        return f"{self.prefix}:access:users"

    def user(self, name: str) -> str:
        return f"{self.prefix}:access:user:{name}"

    def token(self, token_id: str) -> str:
        return f"{self.prefix}:access:token:{token_id}"

    def user_tokens(self, name: str) -> str:
        return f"{self.prefix}:access:tokens:{name}"

    def login_failures(self, address: str) -> str:
        return f"{self.prefix}:access:fail:{address}"

    def audit(self) -> str:
        return f"{self.prefix}:audit"

    def feed_keys(self, bot: str) -> str:
        return f"{self.prefix}:feeds:{bot}"

    def alerts(self, bot: str) -> str:
        return f"{self.prefix}:alerts:{bot}"

    def holds(self, bot: str) -> str:
        return f"{self.prefix}:holds:{bot}"

    def incident(self, incident_id: str) -> str:
        return f"{self.prefix}:incident:{incident_id}"

    def incidents(self) -> str:
        return f"{self.prefix}:incidents"

    # -- shared by the bots of a business number, or of a calendar ---------------------------------

    def rate(self, channel: str, account: str, second: int) -> str:
        return f"{self.prefix}:rate:{channel}:{account}:{second}"

    def calendar(self, calendar: str) -> CalendarKeys:
        return CalendarKeys(f"{self.prefix}:{{cal:{calendar}}}")


def _glob(text: str) -> str:
    """`text` with the characters SCAN patterns treat specially escaped."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)
