import { readdirSync, readFileSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildCatalogue } from "../src/lib/catalogue";
import { flowToGraph, graphToFlow, parseFlowText, serializeFlow } from "../src/lib/graph";
import type { JsonObject } from "../src/lib/json";

const ROOT = join(__dirname, "..", "..");
const schema = JSON.parse(readFileSync(join(ROOT, "flows/schema/flow.schema.json"), "utf8")) as JsonObject;
const catalogue = buildCatalogue(schema);

function flowFiles(dir: string): string[] {
  const flows = join(dir, "flows");
  if (!existsSync(flows) || !statSync(flows).isDirectory()) return [];
  return readdirSync(flows)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => join(flows, f));
}

function roundTrip(file: string): void {
  const text = readFileSync(file, "utf8");
  const parsed = parseFlowText(text);
  if (!parsed.ok) {
    // Not JSON: the studio keeps the text as it is, so saving it gives the same bytes.
    expect(parsed.text).toBe(text);
    return;
  }
  const graph = flowToGraph(parsed.json, catalogue);
  const back = graphToFlow(graph);
  expect(JSON.stringify(back)).toBe(JSON.stringify(parsed.json));
  expect(JSON.stringify(back, null, 2)).toBe(JSON.stringify(parsed.json, null, 2));
  expect(serializeFlow(back, text)).toBe(text);
}

const clinic = flowFiles(join(ROOT, "examples/clinic"));
const brokenRoot = join(ROOT, "tests/flows/broken");
const broken = readdirSync(brokenRoot)
  .filter((d) => statSync(join(brokenRoot, d)).isDirectory())
  .sort();

describe("flow -> graph -> flow is byte-identical", () => {
  it("finds the clinic's flows", () => expect(clinic.length).toBeGreaterThan(10));
  it.each(clinic)("clinic %s", (file) => roundTrip(file));
  it("finds the broken bots", () => expect(broken.length).toBeGreaterThan(40));
  it.each(broken)("broken bot %s", (bot) => {
    for (const file of flowFiles(join(brokenRoot, bot))) roundTrip(file);
  });
});
