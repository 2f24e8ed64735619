"""Mermaid diagrams: every node and every edge of the clinic appears, with quoted labels."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from flows.graph import flow_mermaid, mermaid
from flows.loader import load_bot
from flows.model import Bot
from flows.nodes import CallNode

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
# A node line: id, an opening shape, a double-quoted label, the closing shape.
_NODE = re.compile(r'^    (n_\w+)(\[/|\{|\(\[|\[\[|\[)"([^"]*)"(/\]|\}|\]\)|\]\]|\])$')
_EDGE = re.compile(r'^    (n_\w+) -->(?:\|"([^"]*)"\|)? (n_\w+)$')


@pytest.fixture(scope="module")
def clinic() -> Bot:
    return load_bot(CLINIC)


def test_one_flowchart_per_flow(clinic: Bot) -> None:
    text = mermaid(clinic)
    assert text.count("flowchart TD") == len(clinic.flows) == len(list((CLINIC / "flows").glob("*.json")))
    for flow in clinic.flows.values():
        assert f"%% flow {flow.id} (version {flow.digest})" in text


@pytest.mark.parametrize("flow_id", ["ajuda", "atendente", "boas_vindas", "convenios", "menu"])
def test_every_node_and_every_edge_appears(clinic: Bot, flow_id: str) -> None:
    flow = clinic.flows[flow_id]
    lines = flow_mermaid(clinic, flow).splitlines()
    boxes = {m.group(1): m.group(3) for line in lines if (m := _NODE.match(line))}
    edges = {(m.group(1), m.group(2), m.group(3)) for line in lines if (m := _EDGE.match(line))}
    ids = {node_id: next(b for b in boxes if boxes[b].split(":")[0].rstrip("?") == node_id) for node_id in flow.nodes}
    assert len(set(ids.values())) == len(flow.nodes) == len(boxes)  # one box per node, no two alike
    expected = {(ids[n.id], None if e.label == "next" else e.label, ids[e.target])
                for n in flow.nodes.values() for e in n.edges()}
    assert edges == expected
    assert f"    start_ --> {ids[flow.entry]}" in lines
    for node in flow.nodes.values():
        for _, other in node.flow_refs():
            arrow = "-.->" if isinstance(node, CallNode) else "==>"
            assert f'    {ids[node.id]} {arrow} flow_n_{other.replace("_", "__")}[["flow {other}"]]' in lines


def test_every_line_is_a_known_mermaid_statement(clinic: Bot) -> None:
    for line in mermaid(clinic).splitlines():
        assert (not line or line.startswith(("%% flow ", "flowchart TD", "    start_")) or _NODE.match(line)
                or _EDGE.match(line) or re.match(r'^    n_\w+ (-\.->|==>) flow_n_\w+\[\["flow \w+"\]\]$', line)), line


def test_branch_conditions_are_quoted_labels(clinic: Bot) -> None:
    text = flow_mermaid(clinic, clinic.flows["convenios"])
    assert "n_aceito -->|\"convenio in ['unimed', 'amil', 'bradesco', 'sulamerica']\"| n_sim__aceitamos" in text


def _tiny_bot(tmp_path: Path, nodes: dict[str, object]) -> Bot:
    (tmp_path / "flows").mkdir()
    (tmp_path / "bot.json").write_text(json.dumps({"name": "t", "default_locale": "en", "entry_flow": "f"}))
    (tmp_path / "flows" / "f.json").write_text(json.dumps({"id": "f", "entry": next(iter(nodes)), "nodes": nodes}))
    return load_bot(tmp_path)


def test_ids_that_differ_only_in_dash_and_underscore_stay_two_boxes(tmp_path: Path) -> None:
    bot = _tiny_bot(tmp_path, {
        "a-b": {"kind": "send", "text": "one", "next": "a_b"},
        "a_b": {"kind": "end", "text": 'she said "hi"'},
    })
    lines = flow_mermaid(bot, bot.flows["f"]).splitlines()
    boxes = [m.group(1) for line in lines if (m := _NODE.match(line))]
    assert len(set(boxes)) == 2
    assert f"    {boxes[0]} --> {boxes[1]}" in lines
    assert '"a_b: she said #quot;hi#quot;"' in lines[-1]  # a quote in a label cannot end it early
