import { describe, expect, it } from "vitest";
import { applyPatch, diff, setPath, type Json } from "../src/lib/json";

describe("undo and redo as JSON patches", () => {
  const a: Json = { flow: { id: "f", nodes: { x: { kind: "end" }, y: { kind: "send", text: "oi" } } }, layout: { x: { x: 1, y: 2 } } };
  it("patches one node and back, keeping key order", () => {
    const b = setPath(a, ["flow", "nodes", "y", "text"], "olá");
    const fwd = diff(a, b, [], 3);
    expect(fwd).toEqual([{ op: "replace", path: "/flow/nodes/y", value: { kind: "send", text: "olá" } }]);
    expect(JSON.stringify(applyPatch(a, fwd))).toBe(JSON.stringify(b));
    expect(JSON.stringify(applyPatch(b, diff(b, a, [], 3)))).toBe(JSON.stringify(a));
  });
  it("adds and removes nodes; a new node lands last", () => {
    const b = setPath(a, ["flow", "nodes", "z"], { kind: "end" });
    expect(JSON.stringify(applyPatch(a, diff(a, b, [], 3)))).toBe(JSON.stringify(b));
    const c = setPath(a, ["flow", "nodes", "x"], undefined);
    expect(JSON.stringify(applyPatch(a, diff(a, c, [], 3)))).toBe(JSON.stringify(c));
    expect(JSON.stringify(applyPatch(c, diff(c, a, [], 3)))).toBe(JSON.stringify(a));
  });
  it("keeps a key named __proto__ as data", () => {
    const b = setPath({}, ["__proto__"], 1);
    expect(JSON.stringify(b)).toBe('{"__proto__":1}');
  });
});
