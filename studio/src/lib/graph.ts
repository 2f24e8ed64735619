// A flow's JSON <-> the canvas graph. The graph keeps every node's JSON as it is (key order included), so
// flow -> graph -> flow is byte-identical; edges are derived from the exits the schema declares.
import { concreteExits, type Catalogue } from "./catalogue";
import { isObject, put, type Json, type JsonObject } from "./json";

export interface Position {
  x: number;
  y: number;
}

export interface GraphNode {
  id: string;
  data: Json; // the node's JSON, untouched
  position: Position | null; // null: not in layout.json yet
}

export interface GraphEdge {
  id: string; // "<source>:<handle>"
  source: string;
  handle: string;
  label: string;
  target: string;
  dangling: boolean; // the target is no node of this flow
}

export type Graph =
  | { ok: true; head: JsonObject; nodes: GraphNode[]; edges: GraphEdge[]; links: FlowLink[] }
  | { ok: false; value: Json }; // not a flow the canvas can draw (not an object, nodes not an object)

export interface FlowLink {
  node: string;
  field: string;
  flow: string;
}

const NODES = "nodes";

export function flowToGraph(flow: Json, catalogue: Catalogue, layout: Record<string, Position> = {}): Graph {
  if (!isObject(flow) || (NODES in flow && !isObject(flow[NODES]))) return { ok: false, value: flow };
  const rawNodes = isObject(flow[NODES]) ? (flow[NODES] as JsonObject) : null;
  const nodes: GraphNode[] = rawNodes
    ? Object.keys(rawNodes).map((id) => ({ id, data: rawNodes[id], position: positionOf(layout, id) }))
    : [];
  return { ok: true, head: flow, nodes, edges: edgesOf(nodes, catalogue), links: linksOf(nodes) };
}

function positionOf(layout: Record<string, Position>, id: string): Position | null {
  const p = Object.prototype.hasOwnProperty.call(layout, id) ? layout[id] : undefined;
  return p && typeof p.x === "number" && typeof p.y === "number" ? { x: p.x, y: p.y } : null;
}

export function edgesOf(nodes: GraphNode[], catalogue: Catalogue): GraphEdge[] {
  const ids = new Set(nodes.map((n) => n.id));
  const edges: GraphEdge[] = [];
  for (const n of nodes) {
    const kind = isObject(n.data) && typeof n.data.kind === "string" ? n.data.kind : "";
    for (const e of concreteExits(catalogue[kind], n.data)) {
      if (e.target === null) continue;
      edges.push({
        id: `${n.id}:${e.handle}`,
        source: n.id,
        handle: e.handle,
        label: e.label,
        target: e.target,
        dangling: !ids.has(e.target),
      });
    }
  }
  return edges;
}

/** Fields naming another flow (call, goto, remind): drawn as chips that open it. */
export function linksOf(nodes: GraphNode[]): FlowLink[] {
  const out: FlowLink[] = [];
  for (const n of nodes)
    if (isObject(n.data) && typeof n.data.flow === "string") out.push({ node: n.id, field: "flow", flow: n.data.flow });
  return out;
}

export function graphToFlow(g: Graph): Json {
  if (!g.ok) return g.value;
  const out: JsonObject = {};
  let placed = false;
  const nodes = () => {
    const o: JsonObject = {};
    for (const n of g.nodes) put(o, n.id, n.data);
    return o;
  };
  for (const k of Object.keys(g.head)) {
    if (k === NODES) {
      put(out, k, nodes());
      placed = true;
    } else put(out, k, g.head[k]);
  }
  if (!placed && g.nodes.length) put(out, NODES, nodes());
  return out;
}

/**
 * The text a flow is saved as. An unchanged flow keeps its file's bytes (hand formatting included); the
 * server writes only the values that changed when it publishes, so this text is what a new file gets.
 */
export function serializeFlow(flow: Json, baseText: string | null): string {
  if (baseText !== null) {
    try {
      if (JSON.stringify(JSON.parse(baseText)) === JSON.stringify(flow)) return baseText;
    } catch {
      // The base is not JSON: the flow is new text.
    }
  }
  return JSON.stringify(flow, null, 2) + "\n";
}

/** A file's text as the canvas holds it: parsed when it parses, else the raw text (shown in the JSON editor). */
export function parseFlowText(text: string): { ok: true; json: Json } | { ok: false; text: string; error: string } {
  try {
    return { ok: true, json: JSON.parse(text) as Json };
  } catch (e) {
    return { ok: false, text, error: String(e) };
  }
}
