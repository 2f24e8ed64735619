"""The services node handlers reach through `t.services`: papo's implementation of the engine's
ports, built once per bot (`runtime.service.wiring.build_services`). Tests pass real local ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nlu.coverage import ExampleIndex
from nlu.faq import FaqIndex
from runtime.engine.ports import Typing, Understanding
from runtime.engine.turn import Turn
from runtime.integrations.http import HttpCaller
from runtime.llm import LlmFallback
from runtime.scheduling import Scheduler
from runtime.timers import TimerQueue


@dataclass
class BotServices:
    """The outside world a turn may use."""

    nlu: Understanding | None = None
    scheduler: Scheduler | None = None  # the bot's calendar, when it has a calendar.json
    timers: TimerQueue | None = None  # conversation timers: reminders, ask timeouts, remind nodes
    extra: dict[str, Any] = field(default_factory=dict)
    faq: FaqIndex | None = None  # retrieval over the bot's faq.json
    llm: LlmFallback | None = None  # the language-model fallback, when configured
    typing: Typing | None = None  # "typing..." on the user's channel
    examples: ExampleIndex | None = None  # FAQ questions and trigger examples: which reading is more specific
    http: HttpCaller | None = None  # what `http` nodes call through (allow-list, ${ENV} secrets)

    @property
    def has_timers(self) -> bool:
        return self.timers is not None

    async def aclose(self) -> None:
        """Close what the services hold open (an NLU server's connections, the LLM's client)."""
        closer = getattr(self.nlu, "aclose", None)
        if closer is not None:
            await closer()
        if self.llm is not None:
            await self.llm.aclose()
        if self.http is not None:
            await self.http.aclose()


BotTurn = Turn[BotServices]
