"""The `http` node: render the request (personal variables redacted unless the node sends them), call
through `services.http` with the typing indicator on, map the answer into variables, follow the edge."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from flows.errors import TemplateError
from flows.lint_integrations import private_variables
from flows.nodes import HttpNode
from flows.templating import evaluate, render
from runtime.engine.outcomes import Go, Outcome
from runtime.integrations.http import HttpError, HttpRequest, HttpTimedOut, Parts, env_parts
from runtime.nodes.services import BotTurn

REDACTED = "[redacted]"
_ONLY_ONE = re.compile(r"^\{\{\s*([^{}]+?)\s*\}\}$")  # a string that is a single {{ expression }}


async def enter_http(node: HttpNode, t: BotTurn) -> Outcome:
    where = f"{t.flow.id if t.flow else ''}/{node.id}"
    caller = t.services.http
    try:
        request = build_request(node, t)
    except TemplateError as exc:
        t.notices.append({"kind": "http", "node": where, "outcome": "error", "error": "template"})
        t.explain(http_template=str(exc)[:200])
        return Go(node.on_error or node.next)
    if caller is None:
        t.notices.append({"kind": "http", "node": where, "outcome": "error", "error": "no http service"})
        return Go(node.on_error or node.next)
    typing = t.services.typing

    async def sending() -> None:  # the other system may take seconds: the user sees "typing..."
        if typing is not None:
            await typing(t.event)

    try:
        answer = await caller.call(request, sending=sending)
    except HttpError as exc:
        timed_out = isinstance(exc, HttpTimedOut)
        if node.status_var:
            t.state.vars[node.status_var] = exc.status
        t.notices.append({"kind": "http", "node": where, "outcome": "timeout" if timed_out else "error",
                          "error": type(exc).__name__, "status": exc.status})
        return Go((node.on_timeout if timed_out else None) or node.on_error or node.next)
    for name, path in node.response.items():
        t.state.vars[name] = pick(answer.data, path)
    if node.status_var:
        t.state.vars[node.status_var] = answer.status
    t.notices.append({"kind": "http", "node": where, "outcome": "ok", "status": answer.status})
    return Go(node.next)


def build_request(node: HttpNode, t: BotTurn) -> HttpRequest:
    """The request as the node describes it, rendered with the turn's variables; raises TemplateError."""
    variables = visible(t, node)
    return HttpRequest(node.method, render_parts(node.url, variables),
                       {name: render_parts(value, variables) for name, value in node.headers.items()},
                       render_body(node.body, variables), node.timeout or t.bot.http.timeout, node.attempts)


def visible(t: BotTurn, node: HttpNode) -> dict[str, Any]:
    """The turn's variables with every personal one the node does not send replaced by [redacted]."""
    if "private" not in t.memo:
        t.memo["private"] = private_variables(t.bot)
    hidden = t.memo["private"] - set(node.send_sensitive)
    return {name: REDACTED if name in hidden and value is not None else value
            for name, value in t.variables().items()}


def render_parts(source: str, variables: Mapping[str, Any]) -> Parts:
    return tuple((is_env, text if is_env else render(text, variables)) for is_env, text in env_parts(source))


def render_body(value: Any, variables: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        only = _ONLY_ONE.match(value)
        return jsonable(evaluate(only.group(1), variables)) if only else render(value, variables)
    if isinstance(value, Mapping):
        return {key: render_body(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [render_body(item, variables) for item in value]
    return value


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def pick(data: Any, path: str) -> Any:
    """The value at `path` in `data`: "" the whole answer, /a/0/b a JSON pointer, a.0.b a dotted path;
    None when it is not there."""
    if path == "":
        return data
    steps = ([s.replace("~1", "/").replace("~0", "~") for s in path[1:].split("/")] if path.startswith("/")
             else path.split("."))
    for step in steps:
        if isinstance(data, Mapping) and step in data:
            data = data[step]
        elif isinstance(data, list) and step.isdigit() and int(step) < len(data):
            data = data[int(step)]
        else:
            return None
    return data
