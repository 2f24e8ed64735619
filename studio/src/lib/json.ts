// Plain JSON values, JSON pointers and the patches undo/redo is made of.
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Set a key on an object as an own property, even "__proto__" (JSON.parse does the same). */
export function put(obj: JsonObject, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export function clone<T extends Json>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export function escapeToken(t: string): string {
  return t.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function unescapeToken(t: string): string {
  return t.replace(/~1/g, "/").replace(/~0/g, "~");
}

export function pointer(...tokens: (string | number)[]): string {
  return tokens.map((t) => "/" + escapeToken(String(t))).join("");
}

export function parsePointer(p: string): string[] {
  if (p === "" || p === "/") return p === "/" ? [""] : [];
  return p.slice(1).split("/").map(unescapeToken);
}

export function getPath(root: Json, path: string[]): Json | undefined {
  let cur: Json | undefined = root;
  for (const t of path) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, t)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

/** A copy of root with the value at path replaced (undefined removes it); parents are created as objects. */
export function setPath(root: Json, path: string[], value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? null : value;
  const [head, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = root.slice();
    const i = Number(head);
    if (rest.length === 0 && value === undefined) copy.splice(i, 1);
    else copy[i] = setPath(copy[i] ?? {}, rest, value);
    return copy;
  }
  const src: JsonObject = isObject(root) ? root : {};
  const out: JsonObject = {};
  let seen = false;
  for (const k of Object.keys(src)) {
    if (k === head) {
      seen = true;
      if (rest.length === 0 && value === undefined) continue;
      put(out, k, setPath(src[k], rest, value));
    } else put(out, k, src[k]);
  }
  if (!seen && !(rest.length === 0 && value === undefined)) put(out, head, setPath({}, rest, value));
  return out;
}

export interface PatchOp {
  op: "add" | "remove" | "replace";
  path: string;
  value?: Json;
}

/** RFC 6902-style operations turning a into b: per key of objects, whole values below. */
export function diff(a: Json, b: Json, path: string[] = [], depth = 2): PatchOp[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (depth === 0 || !isObject(a) || !isObject(b)) return [{ op: "replace", path: pointer(...path), value: b }];
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  // A change of key order is a change of the whole object: patches must keep the order byte-exact.
  const common = ka.filter((k) => k in b);
  const commonB = kb.filter((k) => k in a);
  if (common.join("\u0000") !== commonB.join("\u0000")) return [{ op: "replace", path: pointer(...path), value: b }];
  const ops: PatchOp[] = [];
  for (const k of ka) if (!(k in b)) ops.push({ op: "remove", path: pointer(...path, k) });
  // Added keys must land where b has them; only appended keys can be added in place.
  const added = kb.filter((k) => !(k in a));
  if (added.length && kb.slice(kb.length - added.length).join("\u0000") !== added.join("\u0000"))
    return [{ op: "replace", path: pointer(...path), value: b }];
  for (const k of common) ops.push(...diff(a[k], b[k], [...path, k], depth - 1));
  for (const k of added) ops.push({ op: "add", path: pointer(...path, k), value: b[k] });
  return ops;
}

export function applyPatch(doc: Json, ops: PatchOp[]): Json {
  let out = doc;
  for (const op of ops) {
    const p = parsePointer(op.path);
    out = setPath(out, p, op.op === "remove" ? undefined : (op.value as Json));
  }
  return out;
}
