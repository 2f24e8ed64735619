import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PT_BR } from "../src/lib/pt-BR";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

describe("the studio's words", () => {
  const keys = new Set<string>();
  for (const file of sources(join(__dirname, "..", "src")))
    for (const m of readFileSync(file, "utf8").matchAll(/\bt\("((?:[^"\\]|\\.)+)"/g)) keys.add(m[1]);
  it("finds them", () => expect(keys.size).toBeGreaterThan(50));
  it.each([...keys])("%s has a pt-BR translation", (key) => {
    expect(PT_BR[key]).toBeTruthy();
    // The same placeholders on both sides.
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    expect(names(PT_BR[key])).toEqual(names(key));
  });
});
