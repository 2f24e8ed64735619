"""Lint of what talks to other systems: an `http` node calls only allowed hosts, keeps secrets in
`${ENV}` references, sends personal variables only where it says so and maps its answer into declared
variables; event subscriptions have distinct ids."""

from __future__ import annotations

import re
from collections.abc import Callable

from .errors import TemplateError
from .integrations import ENV_REF, PRIVATE_BUILTINS, PRIVATE_TAGS
from .jsonpos import escape
from .model import Bot, Flow
from .nodes import AskNode, HttpNode
from .templating import template_names

Report = Callable[..., None]

_LITERAL_URL = re.compile(r"^https?://([^/?#{}$]+)", re.IGNORECASE)
_SECRET_HEADER = re.compile(r"authorization|token|secret|key|password|cookie", re.IGNORECASE)


def private_variables(bot: Bot) -> frozenset[str]:
    """Variables whose values are personal: tagged pii or sensitive where declared or asked, and `user`."""
    names = {name for name, v in bot.variables.items() if PRIVATE_TAGS & set(v.tags)}
    for flow in bot.flows.values():
        names |= {name for name, v in flow.variables.items() if PRIVATE_TAGS & set(v.tags)}
        names |= {n.var for n in flow.nodes.values() if isinstance(n, AskNode) and PRIVATE_TAGS & set(n.tags)}
    return frozenset(names | PRIVATE_BUILTINS)


def url_host(url: str) -> str | None:
    """The literal host (and port) a url template starts with; None when it starts with an ${ENV}."""
    match = _LITERAL_URL.match(url)
    return match.group(1).lower() if match else None


def lint_integrations(bot: Bot, bot_file: str, report: Report) -> None:
    private = private_variables(bot)
    for flow in bot.flows.values():
        for node in flow.nodes.values():
            if isinstance(node, HttpNode):
                _lint_http(bot, flow, node, private, report)
    seen: set[str] = set()
    for i, sub in enumerate(bot.events):
        if sub.id in seen:
            report(bot_file, f"/events/{i}/id", "duplicate-id", f"event subscription id {sub.id!r} is used twice",
                   "give each subscription its own id: delivery progress is kept under it")
        seen.add(sub.id)


def _lint_http(bot: Bot, flow: Flow, node: HttpNode, private: frozenset[str], report: Report) -> None:
    at = f"/nodes/{escape(node.id)}"
    _lint_host(bot, flow, node, at, report)
    for name, value in node.headers.items():
        if _SECRET_HEADER.search(name) and not ENV_REF.search(value):
            report(flow.file, f"{at}/headers/{escape(name)}", "literal-secret",
                   f"header {name!r} looks like a credential written in the flow",
                   "write the secret as an ${ENV} reference, e.g. \"Bearer ${CRM_TOKEN}\", and set it where papo runs")
    read: set[str] = set()
    for where, source in node.templates():
        if where != "/url" and not where.startswith("/headers/") and ENV_REF.search(source):
            report(flow.file, f"{at}{where}", "env-outside-headers",
                   "an ${ENV} reference in the body is sent as it is written, never read from the environment",
                   "put secrets in headers; the body carries the conversation's values")
        try:
            read |= template_names(source)
        except TemplateError:
            continue  # reported as bad-template
    for name in sorted((read & private) - set(node.send_sensitive)):
        report(flow.file, at, "sensitive-redacted",
               f"variable {name!r} is personal (pii, sensitive or the contact's id) and will be sent as [redacted]",
               f"add \"send_sensitive\": [\"{name}\"] if this system may receive it, or stop sending it", "warning")
    declared = set(bot.variables) | set(flow.variables)
    for name in node.writes():
        if name not in declared:
            where = f"/response/{escape(name)}" if name in node.response else "/status_var"
            report(flow.file, f"{at}{where}", "undeclared-variable",
                   f"variable {name!r} takes a value from the answer but is not declared",
                   f"declare it under \"variables\" in bot.json or this flow, "
                   f"e.g. \"{name}\": {{\"type\": \"string\"}}")


def _lint_host(bot: Bot, flow: Flow, node: HttpNode, at: str, report: Report) -> None:
    host = url_host(node.url)
    env = ENV_REF.match(node.url)
    allowed = ", ".join(bot.http.allow_hosts) or "none"
    if env is not None and env.start() == 0:
        if env.group(1) not in bot.http.env_hosts:
            report(flow.file, f"{at}/url", "host-not-allowed",
                   f"the url starts with ${{{env.group(1)}}}, which bot.json http.allow_hosts does not list "
                   f"(allowed: {allowed})", f"add \"${{{env.group(1)}}}\" to http.allow_hosts in bot.json")
        return
    if host is None:
        report(flow.file, f"{at}/url", "bad-url", f"url {node.url!r} does not start with http(s)://<host> or ${{ENV}}",
               "write the host literally, e.g. https://crm.example.com/..., or start with ${CRM_URL}")
        return
    if host not in bot.http.literal_hosts and host.split(":")[0] not in bot.http.literal_hosts:
        report(flow.file, f"{at}/url", "host-not-allowed",
               f"host {host!r} is not on bot.json http.allow_hosts (allowed: {allowed})",
               f"add \"{host}\" to http.allow_hosts in bot.json if this bot may call it")
