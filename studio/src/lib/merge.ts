// A per-node three-way merge of a flow: nodes are keyed by id, so two sides conflict only when both
// changed the same node (or the same top-level key) differently.
import { isObject, put, type Json, type JsonObject } from "./json";

const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a) === JSON.stringify(b);

function mergeMap(base: JsonObject, mine: JsonObject, theirs: JsonObject, conflicts: string[], prefix: string, deep: string | null): JsonObject {
  const out: JsonObject = {};
  const keys = [...Object.keys(theirs), ...Object.keys(mine).filter((k) => !(k in theirs))];
  for (const k of keys) {
    const b = base[k];
    const m = k in mine ? mine[k] : undefined;
    const t = k in theirs ? theirs[k] : undefined;
    let v: Json | undefined;
    if (k === deep && isObject(b ?? {}) && isObject(m) && isObject(t)) v = mergeMap(isObject(b) ? b : {}, m, t, conflicts, "", null);
    else if (same(m, b)) v = t;
    else if (same(t, b) || same(m, t)) v = m;
    else {
      conflicts.push(prefix + k);
      v = m;
    }
    if (v !== undefined) put(out, k, v);
  }
  return out;
}

export function mergeFlows(base: Json, mine: Json, theirs: Json): { merged: Json; conflicts: string[] } {
  if (!isObject(base) || !isObject(mine) || !isObject(theirs)) {
    return same(mine, theirs) ? { merged: mine, conflicts: [] } : { merged: mine, conflicts: ["(file)"] };
  }
  const conflicts: string[] = [];
  const merged = mergeMap(base, mine, theirs, conflicts, "/", "nodes");
  return { merged, conflicts };
}
