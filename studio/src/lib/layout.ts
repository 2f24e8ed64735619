// "Tidy up": a left-to-right layered layout by dagre.
import dagre from "@dagrejs/dagre";
import type { GraphEdge, Position } from "./graph";

export const NODE_W = 240;
export const NODE_H = 110;

export function tidy(
  ids: string[],
  edges: Pick<GraphEdge, "source" | "target" | "dangling">[],
  sizes: Record<string, { width: number; height: number }> = {},
): Record<string, Position> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 40, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const id of ids) g.setNode(id, { width: sizes[id]?.width ?? NODE_W, height: sizes[id]?.height ?? NODE_H });
  for (const e of edges) if (!e.dangling && g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const out: Record<string, Position> = {};
  for (const id of ids) {
    const n = g.node(id);
    out[id] = { x: Math.round(n.x - n.width / 2), y: Math.round(n.y - n.height / 2) };
  }
  return out;
}
