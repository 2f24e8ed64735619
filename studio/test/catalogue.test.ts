import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ICONS, buildCatalogue, concreteExits, skeleton } from "../src/lib/catalogue";
import type { JsonObject } from "../src/lib/json";

const schema = JSON.parse(
  readFileSync(join(__dirname, "..", "..", "flows/schema/flow.schema.json"), "utf8"),
) as JsonObject;
const defs = schema.$defs as JsonObject;
const kindEnum = ((defs.node as JsonObject).properties as JsonObject).kind as JsonObject;
const kinds = (kindEnum.enum as string[]).slice();
const catalogue = buildCatalogue(schema);

describe("every node kind in the schema gets a shape, exits and a form", () => {
  it("reads all kinds", () => {
    expect(kinds.length).toBeGreaterThan(10);
    expect(Object.keys(catalogue).sort()).toEqual(kinds.slice().sort());
  });
  it.each(kinds)("%s", (kind) => {
    const spec = catalogue[kind];
    expect(spec.ui.color).toMatch(/^#/);
    expect(spec.ui.icon.length).toBeGreaterThan(0);
    expect(ICONS[spec.ui.icon], `a glyph for the icon ${spec.ui.icon} in ICONS`).toBeDefined();
    expect(spec.fields.length).toBeGreaterThan(0);
    // Every field the schema declares is in the form (kind itself is the node's header).
    const def = defs[kind] as JsonObject;
    for (const name of Object.keys((def.properties as JsonObject | undefined) ?? {}))
      expect(spec.fields.map((f) => f.name)).toContain(name);
    // Every target in the schema is an exit; "end" is the only kind with none.
    const targets = JSON.stringify(def).includes("#/$defs/target") || JSON.stringify(defs[String(def.$ref).slice(8)] ?? {}).includes("#/$defs/target");
    if (targets) expect(spec.exits.length).toBeGreaterThan(0);
    else expect(spec.exits).toEqual([]);
    const node = skeleton(spec);
    expect(node.kind).toBe(kind);
  });
  it("gives ask one exit per option and timeout", () => {
    const exits = catalogue.ask.exits.map((e) => e.path);
    expect(exits).toEqual(expect.arrayContaining(["next", "on_invalid", "options/*/next", "timeouts/*/next"]));
    const node = { kind: "ask", options: [{ id: "a", title: "A", next: "x" }, { id: "b", title: "B" }], next: "y" } as JsonObject;
    expect(concreteExits(catalogue.ask, node)).toEqual([
      { handle: "options/0/next", label: "a", target: "x" },
      { handle: "options/1/next", label: "b", target: null },
      { handle: "on_invalid", label: "on_invalid", target: null },
      { handle: "next", label: "next", target: "y" },
    ]);
  });
  it("gives branch one exit per case and a default", () => {
    expect(catalogue.branch.exits.map((e) => e.path)).toEqual(["cases/*/next", "default"]);
  });
  it("offers calendar values for book's service, professional and period", () => {
    const w = Object.fromEntries(catalogue.book.fields.map((f) => [f.name, f.widget]));
    expect(w).toMatchObject({ service: "service", professional: "professional", period: "period", var: "var", texts: "json" });
  });
});
