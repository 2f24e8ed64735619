import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildCatalogue } from "../src/lib/catalogue";
import { copyNodes, extractFlow, pasteNodes, readClip } from "../src/lib/clipboard";
import type { JsonObject } from "../src/lib/json";

const ROOT = join(__dirname, "..", "..");
const catalogue = buildCatalogue(JSON.parse(readFileSync(join(ROOT, "flows/schema/flow.schema.json"), "utf8")) as JsonObject);
const flow = {
  id: "a",
  entry: "oi",
  nodes: {
    oi: { kind: "send", text: "Oi", next: "pergunta" },
    pergunta: { kind: "ask", var: "x", input: "yes_no", text: "Sim?", next: "fim", on_invalid: "oi" },
    fim: { kind: "end" },
  },
};

describe("copy and paste", () => {
  it("renames taken ids and re-wires exits inside the copy", () => {
    const clip = readClip(copyNodes("a", flow, { oi: { x: 1, y: 2 } }, ["oi", "pergunta"]))!;
    const out = pasteNodes("a", flow, {}, clip, catalogue, { x: 10, y: 10 });
    expect(out.ids).toEqual(["oi_2", "pergunta_2"]);
    const nodes = (out.flow as JsonObject).nodes as JsonObject;
    expect(nodes.oi_2).toEqual({ kind: "send", text: "Oi", next: "pergunta_2" });
    expect(nodes.pergunta_2).toEqual({ kind: "ask", var: "x", input: "yes_no", text: "Sim?", next: "fim", on_invalid: "oi_2" });
    expect(out.layout.oi_2).toEqual({ x: 11, y: 12 });
  });
  it("drops exits to nodes the other bot does not have", () => {
    const clip = readClip(copyNodes("a", flow, {}, ["pergunta"]))!;
    const other = { id: "b", entry: "x", nodes: { x: { kind: "end" } } };
    const out = pasteNodes("b", other, {}, clip, catalogue, { x: 0, y: 0 });
    expect(((out.flow as JsonObject).nodes as JsonObject).pergunta).toEqual({ kind: "ask", var: "x", input: "yes_no", text: "Sim?" });
  });
});

describe("extract selection into a new flow", () => {
  it("moves the nodes into a flow called in their place", () => {
    const out = extractFlow(flow, {}, ["oi", "pergunta"], "saudacao", catalogue);
    expect(out.newFlow).toEqual({
      id: "saudacao",
      version: 1,
      entry: "oi",
      nodes: { oi: { kind: "send", text: "Oi", next: "pergunta" }, pergunta: { kind: "ask", var: "x", input: "yes_no", text: "Sim?", on_invalid: "oi" } },
    });
    expect(out.flow).toEqual({ id: "a", entry: "saudacao", nodes: { saudacao: { kind: "call", flow: "saudacao", next: "fim" }, fim: { kind: "end" } } });
  });
});

import { mergeFlows } from "../src/lib/merge";
describe("per-node merge", () => {
  it("takes both sides' changes to different nodes and flags the same node", () => {
    const base = { id: "a", nodes: { x: { kind: "end", text: "1" }, y: { kind: "end", text: "2" } } };
    const mine = { id: "a", nodes: { x: { kind: "end", text: "mine" }, y: { kind: "end", text: "2" } } };
    const theirs = { id: "a", nodes: { x: { kind: "end", text: "1" }, y: { kind: "end", text: "theirs" } } };
    expect(mergeFlows(base, mine, theirs)).toEqual({
      merged: { id: "a", nodes: { x: { kind: "end", text: "mine" }, y: { kind: "end", text: "theirs" } } },
      conflicts: [],
    });
    const both = { id: "a", nodes: { x: { kind: "end", text: "other" }, y: { kind: "end", text: "2" } } };
    expect(mergeFlows(base, mine, both).conflicts).toEqual(["x"]);
  });
});

describe("extract refuses a selection entered at two nodes", () => {
  it("names them", () => {
    const two = {
      id: "a",
      entry: "q",
      nodes: {
        q: { kind: "ask", var: "x", input: "yes_no", text: "?", next: "b", on_invalid: "c" },
        b: { kind: "send", text: "b", next: "fim" },
        c: { kind: "send", text: "c", next: "fim" },
        fim: { kind: "end" },
      },
    };
    expect(() => extractFlow(two, {}, ["b", "c"], "novo", catalogue)).toThrow(/entered at (b, c|c, b);/);
  });
});
