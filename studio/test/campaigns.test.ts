import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { actions, breakdown, live, newestFirst, progress, toReport, total, when, withOffset, withReport } from "../src/campaigns/logic";
import { PT, tr } from "../src/campaigns/words";
import type { Report, Run } from "../src/campaigns/api";

const run = (id: string, status: Run["status"], created: string, cursor = "0", size = "10"): Run => ({ id, campaign: "c", status, created, cursor, size });

describe("the campaigns page's logic", () => {
  it("offers the steering the server allows for each status", () => {
    expect(actions("running")).toEqual(["pause", "cancel"]);
    expect(actions("paused")).toEqual(["resume", "cancel"]);
    expect(actions("done")).toEqual([]);
    expect(actions("cancelled")).toEqual([]);
  });

  it("reads progress from the meta's strings", () => {
    expect(progress({ cursor: "25", size: "100" })).toEqual({ done: 25, size: 100, percent: 25 });
    expect(progress({ cursor: "0", size: "0" })).toEqual({ done: 0, size: 0, percent: 100 });
    expect(progress({ cursor: "3", size: "7" }).percent).toBe(43);
  });

  it("polls only while a run is running", () => {
    expect(live([run("a", "done", "x"), run("b", "paused", "y")])).toBe(false);
    expect(live([run("a", "done", "x"), run("b", "running", "y")])).toBe(true);
    expect(live([])).toBe(false);
  });

  it("sums and lists counts by reason, largest first", () => {
    expect(total({ no_consent: 2, opted_out: 5 })).toBe(7);
    expect(total(undefined)).toBe(0);
    expect(breakdown({ no_consent: 2, opted_out: 5, blocked: 2 })).toBe("opted_out 5 · blocked 2 · no_consent 2");
    expect(breakdown({})).toBe("");
  });

  it("sorts runs newest first and takes the status from the fresher report", () => {
    const runs = [run("old", "done", "2026-03-01T09:00:00+00:00"), run("new", "running", "2026-03-02T09:00:00+00:00")];
    expect(newestFirst(runs).map((r) => r.id)).toEqual(["new", "old"]);
    const report = { ...runs[1], status: "paused", cursor: "7", audience: 10 } as Report;
    expect(withReport(runs[1], report)).toMatchObject({ status: "paused", cursor: "7" });
    expect(withReport(runs[0], undefined)).toBe(runs[0]);
  });
});

describe("which reports the page asks for", () => {
  const runs = [
    run("a-done", "done", "2026-03-01T09:00:00+00:00"),
    run("b-running", "running", "2026-03-02T09:00:00+00:00"),
    run("c-paused", "paused", "2026-03-03T09:00:00+00:00"),
    run("d-finished", "done", "2026-03-04T09:00:00+00:00"),
  ];
  const last = { "a-done": { status: "done" }, "b-running": { status: "running" }, "c-paused": { status: "paused" }, "d-finished": { status: "running" } } as const;

  it("asks for every one of the newest on a full look", () => {
    expect(toReport(runs, last, true)).toEqual(["d-finished", "c-paused", "b-running", "a-done"]);
    expect(toReport(runs, last, true, 2)).toEqual(["d-finished", "c-paused"]);
  });

  it("between full looks, only the running ones and those whose status moved", () => {
    expect(toReport(runs, last, false)).toEqual(["d-finished", "b-running"]);
    expect(toReport(runs, {}, false)).toEqual(["d-finished", "c-paused", "b-running", "a-done"]); // never reported yet
  });
});

describe("the campaigns page's words", () => {
  const source = ["Campaigns.tsx", "logic.ts"].map((f) => readFileSync(join(__dirname, "..", "src", "campaigns", f), "utf8")).join("\n");
  const keys = new Set([...source.matchAll(/\btr\(\s*"((?:[^"\\]|\\.)+)"/g)].map((m) => m[1]));
  it("finds them", () => expect(keys.size).toBeGreaterThan(15));
  it.each([...keys])("%s has a pt-BR translation with the same placeholders", (key) => {
    expect(PT[key]).toBeTruthy();
    const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    expect(holes(PT[key])).toEqual(holes(key));
  });
  it("fills placeholders in either language", () => {
    expect(tr("en", "{done} of {size}", { done: 3, size: 9 })).toBe("3 of 9");
    expect(tr("pt-BR", "{done} of {size}", { done: 3, size: 9 })).toBe("3 de 9");
  });
});

describe("a run's times", () => {
  it("are shown in the reader's clock, and left as they are when they are not dates", () => {
    const iso = "2026-03-02T12:05:00+00:00";
    expect(when(iso, "en")).toBe(new Date(iso).toLocaleString("en", { dateStyle: "short", timeStyle: "short" }));
    expect(when("soon", "en")).toBe("soon");
    expect(when(undefined, "en")).toBe("");
  });
});

describe("a scheduled start", () => {
  it("gets the reader's offset, as the server wants", () => {
    const got = withOffset("2026-03-02T09:00");
    expect(got).toMatch(/^2026-03-02T09:00:00[+-]\d{2}:\d{2}$/);
    expect(new Date(got as string).getTime()).toBe(new Date(2026, 2, 2, 9, 0).getTime()); // the same instant
  });
  it("in the clinic's zone and one with half hours", () => {
    const before = process.env.TZ;
    try {
      process.env.TZ = "America/Sao_Paulo";
      expect(withOffset("2026-03-02T09:00")).toBe("2026-03-02T09:00:00-03:00");
      process.env.TZ = "Asia/Kolkata";
      expect(withOffset("2026-03-02T09:00")).toBe("2026-03-02T09:00:00+05:30");
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
  it("refuses what is not a date and time", () => {
    expect(withOffset("")).toBeNull();
    expect(withOffset("tomorrow")).toBeNull();
    expect(withOffset("2026-03-02")).toBeNull();
  });
});
