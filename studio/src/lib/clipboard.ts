// Copy/paste of nodes as JSON (through the system clipboard, so it works across tabs and bots) and
// "extract selection into a new flow". Pasted ids are renamed when taken; exits are re-wired.
import { concreteExits, type Catalogue } from "./catalogue";
import { isObject, put, setPath, type Json, type JsonObject } from "./json";
import type { Position } from "./graph";

export const CLIP_TAG = "papo-nodes";

export interface Clip {
  type: typeof CLIP_TAG;
  flow: string;
  nodes: JsonObject;
  layout: Record<string, Position>;
}

function nodesOf(flow: Json): JsonObject {
  return isObject(flow) && isObject(flow.nodes) ? flow.nodes : {};
}

export function copyNodes(flowId: string, flow: Json, layout: Record<string, Position>, ids: string[]): string {
  const all = nodesOf(flow);
  const nodes: JsonObject = {};
  const pos: Record<string, Position> = {};
  for (const id of ids)
    if (id in all) {
      put(nodes, id, all[id]);
      if (layout[id]) pos[id] = layout[id];
    }
  const clip: Clip = { type: CLIP_TAG, flow: flowId, nodes, layout: pos };
  return JSON.stringify(clip, null, 2);
}

export function readClip(text: string): Clip | null {
  try {
    const v = JSON.parse(text) as unknown;
    if (isObject(v as Json) && (v as Clip).type === CLIP_TAG && isObject((v as Clip).nodes)) return v as Clip;
  } catch {
    /* not ours */
  }
  return null;
}

export function freeId(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  const stem = base.replace(/_\d+$/, "");
  for (let i = 2; ; i++) if (!taken.has(`${stem}_${i}`)) return `${stem}_${i}`;
}

function kindOf(node: Json): string {
  return isObject(node) && typeof node.kind === "string" ? node.kind : "";
}

/** Point every exit of node through fn: a new target, or undefined to unset it. */
export function rewire(node: Json, catalogue: Catalogue, fn: (target: string) => string | undefined): Json {
  let out = node;
  for (const e of concreteExits(catalogue[kindOf(node)], node)) {
    if (e.target === null) continue;
    const to = fn(e.target);
    if (to !== e.target) out = setPath(out, e.handle.split("/"), to);
  }
  return out;
}

export function pasteNodes(
  flowId: string,
  flow: Json,
  layout: Record<string, Position>,
  clip: Clip,
  catalogue: Catalogue,
  offset: Position,
): { flow: Json; layout: Record<string, Position>; ids: string[] } {
  if (!isObject(flow)) return { flow, layout, ids: [] };
  const existing = nodesOf(flow);
  const taken = new Set(Object.keys(existing));
  const names: Record<string, string> = {};
  for (const id of Object.keys(clip.nodes)) {
    names[id] = freeId(id, taken);
    taken.add(names[id]);
  }
  const sameFlow = clip.flow === flowId;
  const nodes: JsonObject = {};
  for (const k of Object.keys(existing)) put(nodes, k, existing[k]);
  const newLayout = { ...layout };
  for (const [id, node] of Object.entries(clip.nodes)) {
    const wired = rewire(node, catalogue, (t) => (t in names ? names[t] : sameFlow && t in existing ? t : undefined));
    put(nodes, names[id], wired);
    const p = clip.layout[id];
    newLayout[names[id]] = p ? { x: p.x + offset.x, y: p.y + offset.y } : { x: offset.x, y: offset.y };
  }
  return { flow: setPath(flow, ["nodes"], nodes), layout: newLayout, ids: Object.values(names) };
}

export class ExtractError extends Error {}

export function extractFlow(
  flow: Json,
  layout: Record<string, Position>,
  ids: string[],
  newId: string,
  catalogue: Catalogue,
): { flow: Json; layout: Record<string, Position>; newFlow: JsonObject; newLayout: Record<string, Position>; callId: string } {
  const all = nodesOf(flow);
  const inside = new Set(ids.filter((id) => id in all));
  const order = Object.keys(all);
  // The new flow starts at the node the rest of the flow enters the selection by; a flow has one entry.
  const entries = new Set<string>();
  if (isObject(flow) && typeof flow.entry === "string" && inside.has(flow.entry)) entries.add(flow.entry);
  for (const id of order) {
    if (inside.has(id)) continue;
    for (const e of concreteExits(catalogue[kindOf(all[id])], all[id])) if (e.target && inside.has(e.target)) entries.add(e.target);
  }
  if (entries.size > 1)
    throw new ExtractError(
      `the selection is entered at ${[...entries].join(", ")}; a flow has one entry: select a part of the flow entered at one node`,
    );
  const entry = [...entries][0] ?? order.find((id) => inside.has(id)) ?? ids[0];
  let after: string | undefined;
  const moved: JsonObject = {};
  const newLayout: Record<string, Position> = {};
  for (const id of order) {
    if (!inside.has(id)) continue;
    put(
      moved,
      id,
      rewire(all[id], catalogue, (t) => {
        if (inside.has(t)) return t;
        after = after ?? t;
        return undefined; // leaving the selection: the subflow ends and the call goes on
      }),
    );
    if (layout[id]) newLayout[id] = layout[id];
  }
  const callId = freeId(newId, new Set(order.filter((id) => !inside.has(id))));
  const call: JsonObject = { kind: "call", flow: newId };
  if (after) call.next = after;
  const kept: JsonObject = {};
  let placed = false;
  for (const id of order) {
    if (inside.has(id)) {
      if (!placed) put(kept, callId, call);
      placed = true;
      continue;
    }
    put(kept, id, rewire(all[id], catalogue, (t) => (inside.has(t) ? callId : t)));
  }
  let out = setPath(flow, ["nodes"], kept);
  if (isObject(flow) && typeof flow.entry === "string" && inside.has(flow.entry)) out = setPath(out, ["entry"], callId);
  const outLayout: Record<string, Position> = {};
  for (const [k, v] of Object.entries(layout)) if (!inside.has(k)) outLayout[k] = v;
  outLayout[callId] = layout[entry] ?? { x: 0, y: 0 };
  const newFlow: JsonObject = {};
  if (isObject(flow) && typeof flow.$schema === "string") newFlow.$schema = flow.$schema;
  newFlow.id = newId;
  newFlow.version = 1;
  newFlow.entry = entry;
  newFlow.nodes = moved;
  return { flow: out, layout: outLayout, newFlow, newLayout, callId };
}
