"""Which versions of a bot's flows exist, and which one each conversation runs on.

Loading gives each flow an immutable version (its content hash). A conversation records the
version it runs on and finishes on it; new conversations take the newest valid version. A
reload that finds errors is refused and the last good bot keeps serving. Versions are also
archived in Redis so every papo process can finish a conversation started on an older one.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import redis.asyncio as aioredis

from flows.loader import LoadResult, load_bot
from flows.model import Bot, Flow
from flows.nodes import NodeKinds, node_kinds
from runtime.engine.errors import FlowVersionMissing
from runtime.engine.state import Conversation
from runtime.keys import DEFAULT_PREFIX, Keys

log = logging.getLogger(__name__)


class BotLibrary:
    """The current bot plus every flow version a conversation may still be pinned to; `kinds` are the
    node kinds its flows may use (papo's own unless given)."""

    def __init__(self, root: str | Path, bot: Bot, *, client: aioredis.Redis | None = None,
                 prefix: str = DEFAULT_PREFIX, kinds: NodeKinds = node_kinds) -> None:
        self.root = Path(root)
        self.current = bot
        self.kinds = kinds
        self._versions: dict[tuple[str, str], Flow] = {}
        self._client = client
        self._keys = Keys(prefix)
        self._remember(bot)

    @classmethod
    def load(cls, root: str | Path, *, client: aioredis.Redis | None = None, prefix: str = DEFAULT_PREFIX,
             kinds: NodeKinds = node_kinds) -> BotLibrary:
        """Load a bot folder; raises FlowInvalid with every issue when it has errors."""
        return cls(root, load_bot(root, kinds=kinds), client=client, prefix=prefix, kinds=kinds)

    @property
    def name(self) -> str:
        return self.current.name

    def reload(self) -> LoadResult:
        """Read the folder again; swap to it only when it has no errors."""
        from runtime.conversations.validation import (
            check_folder,  # the calendar too: a broken calendar.json is refused as well
        )

        result = check_folder(self.root, kinds=self.kinds)
        if result.bot is None:
            log.warning("reload of %s refused (%d errors); the running version keeps serving",
                        self.root, len(result.errors))
            return result
        if result.bot.name != self.current.name:
            log.warning("reload of %s refused: the bot's name changed", self.root)
            return result
        self.current = result.bot
        self._remember(result.bot)
        return result

    def _remember(self, bot: Bot) -> None:
        for flow in bot.flows.values():
            self._versions.setdefault((flow.id, flow.digest), flow)

    def newest(self, flow_id: str) -> Flow:
        return self.current.flows[flow_id]

    def flow(self, flow_id: str, digest: str) -> Flow:
        try:
            return self._versions[(flow_id, digest)]
        except KeyError:
            raise FlowVersionMissing(flow_id, digest) from None

    def _archive_key(self, flow_id: str, digest: str) -> str:
        return self._keys.flow_version(self.name, flow_id, digest)

    async def publish(self) -> None:
        """Archive every version this process knows, so other processes can run them too."""
        if self._client is None:
            return
        async with self._client.pipeline(transaction=False) as pipe:
            for (flow_id, digest), flow in self._versions.items():
                pipe.set(self._archive_key(flow_id, digest), json.dumps(flow.source), nx=True)
            await pipe.execute()

    async def ensure(self, state: Conversation | None) -> None:
        """Fetch from the archive any version `state` is pinned to that this process lacks."""
        if state is None or self._client is None:
            return
        wanted = [(f.flow, f.version) for f in state.stack]
        if state.flow and state.flow_version:
            wanted.append((state.flow, state.flow_version))
        for flow_id, digest in wanted:
            if (flow_id, digest) in self._versions:
                continue
            raw = await self._client.get(self._archive_key(flow_id, digest))
            if raw is None:
                raise FlowVersionMissing(flow_id, digest)
            self._versions[(flow_id, digest)] = Flow.from_json(json.loads(raw), digest=digest, kinds=self.kinds)
