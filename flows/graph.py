"""Mermaid diagrams of flows: one `flowchart` per flow, edges labelled by outcome."""

from __future__ import annotations

import re

from .model import Bot, Flow, localize
from .nodes import AskNode, BranchNode, CallNode, EndNode, GotoNode, HandoffNode, Node

_SHAPES = {"ask": ("[/", "/]"), "branch": ("{", "}"), "end": ("([", "])"), "handoff": ("[[", "]]"),
           "call": ("[[", "]]")}


def mermaid(bot: Bot) -> str:
    return "\n\n".join(flow_mermaid(bot, flow) for flow in bot.flows.values())


def flow_mermaid(bot: Bot, flow: Flow) -> str:
    lines = [f"%% flow {flow.id} (version {flow.digest})", "flowchart TD", f"    start_(({_quote(flow.id)}))"]
    lines.append(f"    start_ --> {_id(flow.entry)}")
    for node in flow.nodes.values():
        lines.append(f"    {_id(node.id)}{_shape(bot, node)}")
        for edge in node.edges():
            label = "" if edge.label == "next" else f"|{_quote(edge.label)}|"
            lines.append(f"    {_id(node.id)} -->{label} {_id(edge.target)}")
        for _, other in node.flow_refs():
            style = "-.->" if isinstance(node, CallNode) else "==>"
            lines.append(f"    {_id(node.id)} {style} flow_{_id(other)}[[{_quote('flow ' + other)}]]")
    return "\n".join(lines)


def _id(name: str) -> str:
    # One-to-one, so nodes "a-b" and "a_b" stay two boxes: "_" -> "__", "-" -> "_h", others "_xNN"
    escaped = name.replace("_", "__").replace("-", "_h")
    return "n_" + re.sub(r"[^A-Za-z0-9_]", lambda m: f"_x{ord(m.group()):x}_", escaped)


def _quote(text: str) -> str:
    return '"' + text.replace('"', "#quot;").replace("\n", " ")[:60] + '"'


def _shape(bot: Bot, node: Node) -> str:
    left, right = _SHAPES.get(node.kind, ("[", "]"))
    summary = node.id
    if isinstance(node, AskNode):
        summary = f"{node.id}: ask {node.input} -> {node.var}"
    elif isinstance(node, BranchNode):
        summary = f"{node.id}?"
    elif isinstance(node, GotoNode | CallNode):
        summary = f"{node.id}: {node.kind}"
    elif isinstance(node, HandoffNode | EndNode) and node.text:
        summary = f"{node.id}: {localize(node.text, bot.default_locale, bot.default_locale)}"
    elif (text := getattr(node, "text", None)) is not None:
        summary = f"{node.id}: {localize(text, bot.default_locale, bot.default_locale)}"
    return f"{left}{_quote(summary)}{right}"
