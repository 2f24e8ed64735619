"""What a schema cannot say: dangling edges, unreachable nodes, loops that never wait,
undefined variables, missing translations, duplicate ids and channel limits."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from . import constants as C
from .errors import FlowIssue, Severity, TemplateError
from .jsonpos import Positions, escape
from .lint_integrations import lint_integrations
from .lint_privacy import lint_privacy
from .model import Bot, Flow
from .nodes import AskNode, CallNode, Node, SendNode, SetNode, Text
from .templating import expression_names, template_names

# What every template and condition sees (runtime.engine.turn.Turn.variables); no variable may take these names.
BUILTINS = {"user": "the user's id on the channel", "channel": "the channel", "locale": "the conversation's language",
            "now": "the current time", "today": "today's date", "bot": "the bot's name",
            "last_input": "the user's last message",
            "entities": "what the user's last message says, by entity name (entities.age, entities.convenio)",
            "open_now": "whether staff are in now (bot.json \"hours\")",
            "next_opening": "when staff are next in, as a sentence (bot.json \"hours\")"}
BUILTIN_VARIABLES = frozenset(BUILTINS)


@dataclass
class _Reporter:
    positions: Mapping[str, Positions]
    issues: list[FlowIssue]

    def __call__(self, file: str, pointer: str, code: str, message: str, hint: str = "",
                 severity: Severity = "error") -> None:
        found = self.positions[file].find(pointer) if file in self.positions else None
        line, column = found or (None, None)
        self.issues.append(FlowIssue(file, pointer, message, hint, line, column, code, severity))


Report = Callable[..., None]


def lint(bot: Bot, bot_file: str, positions: Mapping[str, Positions]) -> list[FlowIssue]:
    issues: list[FlowIssue] = []
    report = _Reporter(positions, issues)
    _lint_bot(bot, bot_file, report)
    _lint_builtin_names(bot, bot_file, report)
    known = _known_variables(bot)
    _lint_bot_texts(bot, bot_file, known, report)
    for flow in bot.flows.values():
        _lint_edges(bot, flow, report)
        _lint_reachability(flow, report)
        _lint_loops(bot, flow, report)
        _lint_texts(bot, flow, known, report)
        _lint_options(flow, report)
        _lint_patterns(flow, report)
        _lint_when(flow, report)
    _lint_flow_loops(bot, report)
    lint_privacy(bot, bot_file, report)
    lint_integrations(bot, bot_file, report)
    return issues


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


def _lint_bot(bot: Bot, file: str, report: Report) -> None:
    llm_flows = [(f"/llm/flows/{i}", name) for i, name in enumerate(bot.llm.flows)]
    for pointer, name in [("/entry_flow", bot.entry_flow), ("/fallback_flow", bot.fallback_flow),
                          ("/scheduling/reminder_flow", bot.scheduling.reminder_flow),
                          ("/llm/handoff_flow", bot.llm.handoff_flow), *llm_flows]:
        if name and name not in bot.flows:
            report(file, pointer, "unknown-flow", f"flow {name!r} does not exist",
                   _did_you_mean(name, bot.flows) or f"flows in this bot: {', '.join(sorted(bot.flows))}")
    for i, interrupt in enumerate(bot.interrupts):
        if interrupt.flow and interrupt.flow not in bot.flows:
            report(file, f"/interrupts/{i}/flow", "unknown-flow", f"flow {interrupt.flow!r} does not exist",
                   _did_you_mean(interrupt.flow, bot.flows) or "create the flow or fix the name")
    if not _is_timezone(bot.timezone):
        report(file, "/timezone", "bad-timezone", f"{bot.timezone!r} is not an IANA time zone",
               ("/" in bot.timezone and _did_you_mean(bot.timezone, available_timezones()))
               or "use a region and a city, such as America/Sao_Paulo")
    seen: dict[str, str] = {}
    for flow in bot.flows.values():
        for j, word in enumerate(flow.triggers.keywords):
            if word.lower() in seen and seen[word.lower()] != flow.id:
                report(flow.file, f"/triggers/keywords/{j}", "duplicate-trigger",
                       f"keyword {word!r} also starts flow {seen[word.lower()]!r}",
                       "keep each keyword in one flow, or the first flow loaded wins", "warning")
            seen.setdefault(word.lower(), flow.id)


def _is_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "America", or too long
        return False
    return True


def _node_pointer(node_id: str, where: str = "") -> str:
    return f"/nodes/{escape(node_id)}{where}"


def _lint_edges(bot: Bot, flow: Flow, report: Report) -> None:
    if flow.entry not in flow.nodes:
        report(flow.file, "/entry", "unknown-target", f"entry node {flow.entry!r} is not a node of this flow",
               _did_you_mean(flow.entry, flow.nodes) or "set entry to one of the node ids")
    for node in flow.nodes.values():
        for edge in node.edges():
            if edge.target not in flow.nodes:
                hint = _did_you_mean(edge.target, flow.nodes) or f"nodes of this flow: {', '.join(flow.nodes)}"
                report(flow.file, _node_pointer(node.id, edge.where), "unknown-target",
                       f"target {edge.target!r} is not a node of flow {flow.id!r}", hint)
        for where, name in node.flow_refs():
            if name not in bot.flows:
                report(flow.file, _node_pointer(node.id, where), "unknown-flow",
                       f"flow {name!r} does not exist",
                       _did_you_mean(name, bot.flows) or f"flows in this bot: {', '.join(sorted(bot.flows))}")


def _successors(node: Node, flow: Flow) -> list[str]:
    return [e.target for e in node.edges() if e.target in flow.nodes]


def _lint_reachability(flow: Flow, report: Report) -> None:
    # A dangling edge already has its error, and the node it meant to reach would only echo it.
    dangling = any(e.target not in flow.nodes for n in flow.nodes.values() for e in n.edges())
    if flow.entry not in flow.nodes or dangling:
        return
    seen = _reachable(flow, [flow.entry])
    lost = [node_id for node_id in flow.nodes if node_id not in seen]
    # Report only where a lost part of the graph starts: the nodes it leads to go with it.
    pointed_at = {t for node_id in lost for t in _successors(flow.nodes[node_id], flow) if t != node_id}
    for node_id in sorted(lost, key=lambda n: n in pointed_at):  # starts first, then what is left of cycles
        if node_id in seen:
            continue
        behind = sorted(_reachable(flow, [node_id]) - seen - {node_id}, key=list(flow.nodes).index)
        seen |= {node_id, *behind}
        report(flow.file, _node_pointer(node_id), "unreachable",
               f"node {node_id!r} can never be reached from the entry {flow.entry!r}"
               + (f" (nor can the nodes after it: {', '.join(map(repr, behind))})" if behind else ""),
               "point some node's next (or an option's next) at it, or delete it")


def _reachable(flow: Flow, start: list[str]) -> set[str]:
    seen, todo = set(start), list(start)
    while todo:
        for target in _successors(flow.nodes[todo.pop()], flow):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _waits(node: Node, bot: Bot) -> bool:
    if isinstance(node, CallNode) and node.flow in bot.flows:
        return any(n.waits for n in bot.flows[node.flow].nodes.values())
    return node.waits


def _lint_loops(bot: Bot, flow: Flow, report: Report) -> None:
    """A cycle made only of nodes that never wait would spin forever in one turn."""
    quiet = {nid for nid, n in flow.nodes.items() if not _waits(n, bot)}
    graph = {nid: [t for t in _successors(flow.nodes[nid], flow) if t in quiet] for nid in quiet}
    for component in _cycles(graph):
        ordered = sorted(component)
        report(flow.file, _node_pointer(ordered[0]), "loop-without-input",
               f"nodes {' -> '.join(ordered)} form a loop that never waits for the user",
               "put an ask in the loop, or send one of its edges out of it")


def _lint_flow_loops(bot: Bot, report: Report) -> None:
    """Loops through `goto`/`call` across flows that never wait (each flow alone is fine)."""
    graph: dict[str, list[str]] = {}
    for flow in bot.flows.values():
        for node in flow.nodes.values():
            if _waits(node, bot):
                continue
            targets = [f"{flow.id}/{t}" for t in _successors(node, flow)]
            targets += [f"{other}/{bot.flows[other].entry}" for _, other in node.flow_refs()
                        if other in bot.flows and bot.flows[other].entry in bot.flows[other].nodes]
            graph[f"{flow.id}/{node.id}"] = targets
    graph = {k: [t for t in v if t in graph] for k, v in graph.items()}
    for component in _cycles(graph):
        flows = sorted({member.split("/")[0] for member in component})
        if len(flows) < 2:
            continue  # reported by _lint_loops, in its own flow
        first = sorted(component)[0]
        flow_id, node_id = first.split("/", 1)
        report(bot.flows[flow_id].file, _node_pointer(node_id), "loop-without-input",
               f"flows {', '.join(flows)} jump to each other in a loop that never waits for the user "
               f"({' -> '.join(sorted(component))})",
               "put an ask in one of these flows, or end one of them instead of jumping on")


def _cycles(graph: Mapping[str, list[str]]) -> list[set[str]]:
    """Strongly connected components that contain a cycle (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    found.append(component)
    return found


def _lint_builtin_names(bot: Bot, bot_file: str, report: Report) -> None:
    """A variable named like a built-in would never be seen: templates and conditions read the built-in."""
    places = [(bot_file, f"/variables/{escape(name)}", name) for name in bot.variables]
    places += [(bot_file, f"/llm/settable/{i}", name) for i, name in enumerate(bot.llm.settable)]
    for flow in bot.flows.values():
        places += [(flow.file, f"/variables/{escape(name)}", name) for name in flow.variables]
        places += [(flow.file, _node_pointer(node.id, _write_pointer(node, name)), name)
                   for node in flow.nodes.values() for name in node.writes()]
    for file, pointer, name in places:
        if name in BUILTINS:
            report(file, pointer, "builtin-variable",
                   f"variable {name!r} has the name of a built-in ({BUILTINS[name]}), which every template "
                   "and condition reads instead",
                   f"rename it; these names are taken: {', '.join(BUILTINS)}"
                   + ("; to change the conversation's language, set \"locale\" in a set node"
                      if name == "locale" else ""))


def _write_pointer(node: Node, name: str) -> str:
    return f"/vars/{escape(name)}" if isinstance(node, SetNode) else "/var"


def _known_variables(bot: Bot) -> set[str]:
    known = set(BUILTIN_VARIABLES) | set(bot.variables)
    for flow in bot.flows.values():
        known |= set(flow.variables)
        for node in flow.nodes.values():
            known |= set(node.writes())
    return known


def _check_names(names: set[str], known: set[str], file: str, pointer: str, report: Report) -> None:
    for name in sorted(names - known):
        report(file, pointer, "undefined-variable", f"variable {name!r} is never set in this bot",
               _did_you_mean(name, known) or "set it with an ask or set node, or declare it under variables")


def _lint_texts(bot: Bot, flow: Flow, known: set[str], report: Report) -> None:
    for node in flow.nodes.values():
        texts: list[tuple[str, Text]] = list(node.texts())
        shown = len(texts)
        texts += node.templates()  # templates, but not texts anyone reads: no translations
        local = known | node.text_names()
        for n, (where, text) in enumerate(texts):
            _lint_text(bot, text, flow.file, _node_pointer(node.id, where), local, report, translate=n < shown)
        for where, expr in node.expressions():
            pointer = _node_pointer(node.id, where)
            try:
                _check_names(expression_names(expr), known, flow.file, pointer, report)
            except TemplateError as exc:
                report(flow.file, pointer, "bad-condition", str(exc),
                       "write a condition such as: idade >= 18 and convenio == 'unimed'")


def _lint_bot_texts(bot: Bot, file: str, known: set[str], report: Report) -> None:
    texts: list[tuple[str, Text]] = [(f"/messages/{key}", text) for key, text in bot.messages.items()]
    texts += [(f"/interrupts/{i}/text", it.text) for i, it in enumerate(bot.interrupts) if it.text]
    for pointer, text in texts:
        _lint_text(bot, text, file, pointer, known, report)


def _lint_text(bot: Bot, text: Text, file: str, pointer: str, known: set[str], report: Report, *,
               translate: bool = True) -> None:
    if translate:
        _lint_translation(bot, text, file, pointer, report)
    for locale, source in ([("", text)] if isinstance(text, str) else text.items()):
        try:
            names = template_names(source)
        except TemplateError as exc:
            report(file, pointer + (f"/{locale}" if locale else ""), "bad-template", str(exc),
                   "close every {{ with }}; use plain variable names and known filters (upper, format_date)")
            continue
        _check_names(names, known, file, pointer, report)


def _lint_translation(bot: Bot, text: Text, file: str, pointer: str, report: Report) -> None:
    locales = bot.all_locales
    if isinstance(text, str):
        if len(locales) > 1:
            report(file, pointer, "untranslated",
                   f"this text has no translations; it will be shown as it is in {', '.join(locales[1:])}",
                   f"write it as a map: {{\"{locales[0]}\": \"...\", \"{locales[1]}\": \"...\"}}", "warning")
        return
    for locale in locales:
        if locale not in text:
            report(file, pointer, "missing-translation", f"no {locale} text here",
                   f"add \"{locale}\": \"...\" to this map (the bot declares {', '.join(locales)})")
    for locale in text:
        if locale not in locales:
            report(file, f"{pointer}/{locale}", "unknown-locale",
                   f"locale {locale!r} is not declared in bot.json", "add it to locales, or remove this text",
                   "warning")


def _lint_patterns(flow: Flow, report: Report) -> None:
    for node in flow.nodes.values():
        if isinstance(node, AskNode) and node.pattern is not None:
            try:
                re.compile(node.pattern)
            except re.error as exc:
                report(flow.file, _node_pointer(node.id, "/pattern"), "bad-pattern",
                       f"pattern {node.pattern!r} is not a valid regular expression: {exc}",
                       "close every ( and [, and write a literal backslash as \\\\ in JSON")


def _lint_when(flow: Flow, report: Report) -> None:
    for node in flow.nodes.values():
        if isinstance(node, AskNode) and node.when is not None and node.input not in ("date", "datetime"):
            report(flow.file, _node_pointer(node.id, "/when"), "when-without-date",
                   f"when {node.when!r} applies to date and datetime input, not to {node.input!r}",
                   'remove "when", or ask with "input": "date"')


def _lint_options(flow: Flow, report: Report) -> None:
    for node in flow.nodes.values():
        if not isinstance(node, SendNode | AskNode) or not node.options:
            continue
        seen: set[str] = set()
        as_buttons = node.options_style == "buttons" or (
            node.options_style == "auto" and len(node.options) <= C.MAX_BUTTONS)
        limit = C.BUTTON_TITLE_MAX if as_buttons else C.LIST_ROW_TITLE_MAX
        for i, option in enumerate(node.options):
            pointer = _node_pointer(node.id, f"/options/{i}")
            if option.id in seen:
                report(flow.file, pointer + "/id", "duplicate-id", f"option id {option.id!r} is used twice",
                       "give every option of a node its own id")
            seen.add(option.id)
            titles = [option.title] if isinstance(option.title, str) else list(option.title.values())
            for title in titles:
                if len(title) > limit and "{" not in title:
                    report(flow.file, pointer + "/title", "channel-limit",
                           f"title {title!r} has {len(title)} characters; WhatsApp shows at most {limit} "
                           f"in a {'button' if as_buttons else 'list row'}",
                           "shorten it (put detail in description)", "warning")
        if node.options_style == "buttons" and len(node.options) > C.MAX_BUTTONS:
            report(flow.file, _node_pointer(node.id, "/options"), "channel-limit",
                   f"{len(node.options)} buttons; WhatsApp allows at most {C.MAX_BUTTONS}",
                   f"use options_style list (up to {C.MAX_LIST_ROWS} rows) or auto")
