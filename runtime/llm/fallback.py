"""Ask the model for one command, within a hard deadline, one retry, a monthly budget and a
cache; every failure becomes a `Decision` without a command, never an exception."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import redis.asyncio as aioredis

from flows.model import Bot
from nlu.text import normalise
from runtime.llm.commands import Catalog, Command, Refused, check, parse, response_format
from runtime.llm.ledger import Ledger
from runtime.llm.privacy import mask
from runtime.llm.settings import LlmConfig
from runtime.locales import pack_for

if TYPE_CHECKING:
    import openai
    from langchain_core.messages import BaseMessage

log = logging.getLogger(__name__)
CACHEABLE = frozenset({"answer_faq", "start_flow", "handoff", "medical", "out_of_scope"})
_warned: set[str] = set()


@dataclass(frozen=True, slots=True)
class LlmRequest:
    text: str
    conversation: str  # "<channel>:<user>": where spend and history are counted
    locale: str
    catalog: Catalog
    version: str  # flows and FAQ version: a cached answer never outlives the content it came from
    secrets: tuple[str, ...] = ()  # values of variables tagged pii or sensitive
    hints: tuple[str, ...] = ()  # the FAQ entries nearest to the message, tried first
    question: str = ""  # the question waiting for the patient's answer, with its options: the message's context


@dataclass(frozen=True, slots=True)
class Decision:
    command: Command | None
    reason: str  # ok, cached, budget, timeout, refused: ..., error: ...
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float = 0.0
    latency_ms: float = 0.0
    cached: bool = False

    def notice(self) -> dict[str, Any]:
        """What staff see of this decision (no message text)."""
        return {"kind": "llm", "command": self.command.command if self.command else None, "reason": self.reason,
                "faq": self.command.faq_id if self.command else None, "tokens_in": self.tokens_in,
                "tokens_out": self.tokens_out, "latency_ms": round(self.latency_ms, 1), "cached": self.cached}


class LlmFallback:
    def __init__(self, config: LlmConfig, redis: aioredis.Redis, *, bot: Bot, prefix: str) -> None:
        # Imported here: LangChain takes seconds to import, and a bot without a key never needs it.
        import httpx
        from langchain_openai import ChatOpenAI
        from pydantic import SecretStr

        self.settings = settings = config.settings
        self.bot = bot
        self.ledger = Ledger(redis, prefix=prefix, bot=bot.name)
        timeout = httpx.Timeout(settings.deadline, connect=min(2.0, settings.deadline))
        self._http = httpx.AsyncClient(timeout=timeout)
        self._http_sync = httpx.Client(timeout=timeout)  # never used for calls; given so none is left unclosed
        self.model = ChatOpenAI(model=config.model, api_key=SecretStr(config.api_key), base_url=config.base_url,
                                max_retries=0, timeout=settings.deadline, max_tokens=settings.max_tokens,
                                temperature=0, http_async_client=self._http,
                                http_client=self._http_sync)  # type: ignore[call-arg]  # max_tokens: an alias
        self._format = response_format()

    async def decide(self, request: LlmRequest, now: datetime | None = None) -> Decision:
        now = now or datetime.now(UTC)
        started = time.perf_counter()
        question = mask(request.text, request.secrets)
        context = mask(request.question, request.secrets)
        key = self.ledger.cache_key(request.version, f"{normalise(question)}\x1f{normalise(context)}")
        if (hit := await self.ledger.cached(key)) is not None:
            decided = _checked(parse(hit), request)
            if isinstance(decided, Command):
                return Decision(decided, "cached", latency_ms=_ms(started), cached=True)
        if await self.ledger.month_cost(now) >= self.settings.monthly_budget_usd:
            return Decision(None, "budget", latency_ms=_ms(started))
        messages = _prompt(request, question, context, await self.ledger.history(request.conversation), self.bot)
        decision = await self._ask(messages, request, started)
        if decision.tokens_in or decision.tokens_out:
            await self.ledger.record(now, request.conversation, decision.tokens_in, decision.tokens_out,
                                     decision.cost)
        if decision.command is not None:
            if decision.command.command in CACHEABLE:
                await self.ledger.cache(key, decision.command.model_dump_json(),
                                        int(self.settings.cache_ttl.total_seconds()))
            await self.ledger.remember(request.conversation, question, decision.command.text or
                                       decision.command.command, self.settings.max_turns)
        return decision

    async def _ask(self, messages: list[BaseMessage], request: LlmRequest, started: float) -> Decision:
        import openai

        tokens_in = tokens_out = 0
        reason = "error: no attempt"
        try:
            async with asyncio.timeout(self.settings.deadline):
                for _ in range(1 + self.settings.retries):
                    try:
                        reply = await self.model.ainvoke(messages, response_format=self._format)
                    except openai.APIStatusError as exc:
                        reason = f"error: HTTP {exc.status_code}"
                        if _quota_exhausted(exc):
                            break
                        continue
                    except openai.APIError as exc:
                        reason = f"error: {type(exc).__name__}"
                        continue
                    used_in, used_out = _usage(reply)
                    tokens_in, tokens_out = tokens_in + used_in, tokens_out + used_out
                    decided = _checked(_command_of(reply), request)
                    if isinstance(decided, Command):
                        return self._decision(decided, "ok", tokens_in, tokens_out, started)
                    reason = f"refused: {decided.reason}"
        except TimeoutError:
            reason = "timeout"
        return self._decision(None, reason, tokens_in, tokens_out, started)

    def _decision(self, command: Command | None, reason: str, tokens_in: int, tokens_out: int,
                  started: float) -> Decision:
        return Decision(command, reason, tokens_in, tokens_out, self.settings.cost(tokens_in, tokens_out),
                        _ms(started))

    async def aclose(self) -> None:
        await self._http.aclose()
        self._http_sync.close()


def llm_fallback(bot: Bot, redis: aioredis.Redis, *, prefix: str, env: dict[str, str] | None = None
                 ) -> LlmFallback | None:
    """The bot's fallback, or None (said once per bot in the log) when it cannot run."""
    config = LlmConfig.from_env(bot.llm) if env is None else LlmConfig.from_env(bot.llm, env)
    if (why := config.off_reason) is not None:
        if bot.name not in _warned:
            _warned.add(bot.name)
            log.info("LLM fallback is off for bot %s: %s; the fallback message and menu answer instead",
                     bot.name, why)
        return None
    return LlmFallback(config, redis, bot=bot, prefix=prefix)


def _checked(command: Command | Refused, request: LlmRequest) -> Command | Refused:
    return command if isinstance(command, Refused) else check(command, request.catalog, pack_for(request.locale))


def _command_of(reply: BaseMessage) -> Command | Refused:
    from langchain_core.messages import AIMessage

    if isinstance(reply, AIMessage) and reply.tool_calls:
        return parse(reply.tool_calls[0]["args"])
    if isinstance(reply, AIMessage) and reply.invalid_tool_calls:
        return Refused("the tool call's arguments are not valid JSON")
    content = reply.content if isinstance(reply.content, str) else json.dumps(reply.content)
    return parse(content)


def _usage(reply: BaseMessage) -> tuple[int, int]:
    usage = getattr(reply, "usage_metadata", None) or {}
    return int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))


def _quota_exhausted(exc: openai.APIStatusError) -> bool:
    body = exc.body if isinstance(exc.body, dict) else {}
    return exc.status_code == 429 and "insufficient_quota" in json.dumps(body)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


_RULES = """You route messages for the virtual assistant of {bot}. Reply with exactly one command as JSON.
Commands: answer_faq (faq_id and a short text in {locale} using only that entry's facts), start_flow (flow),
set_variable (variable, value), handoff (the user wants a person), small_talk (text: one short friendly sentence,
no facts), medical (symptoms, medication, dosage, diagnosis: never answer those), out_of_scope (anything else).
Never state prices, times, dates or availability of your own: only an entry's words. Unused fields are null.
FAQ entries: {faq}
Flows: {flows}
Variables: {variables}"""
_WAITING = """
The assistant asked the user: {question}
If the message answers that question, reply fill_answer (value: the option's id when the question lists options,
otherwise the answer in the user's own words). If the user asks something else in passing, use the other commands:
the question is asked again afterwards."""


def _prompt(request: LlmRequest, question: str, context: str, history: list[str], bot: Bot) -> list[BaseMessage]:
    from langchain_core.messages import HumanMessage, SystemMessage

    catalog = request.catalog
    faq_ids = [*request.hints, *(i for i in catalog.faq if i not in request.hints)][:12]
    faq = json.dumps({i: catalog.faq[i] for i in faq_ids}, ensure_ascii=False)
    flows = json.dumps({f: bot.flows[f].description for f in sorted(catalog.flows) if f in bot.flows},
                       ensure_ascii=False)
    system = _RULES.format(bot=bot.name, locale=request.locale, faq=faq, flows=flows,
                           variables=", ".join(sorted(catalog.settable)) or "none")
    if context:
        system += _WAITING.format(question=context)
    context = "\n".join(history)
    user = f"Earlier:\n{context}\n\nMessage: {question}" if context else question
    return [SystemMessage(system), HumanMessage(user)]
