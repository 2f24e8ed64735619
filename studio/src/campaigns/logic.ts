// What the campaigns page decides without React: which steering buttons a run gets, its progress, when
// to keep asking the server, the numbers of a report.
import type { Report, Run, Status } from "./api";

export type Action = "pause" | "resume" | "cancel";

// The server's rules (runtime/service/campaigns.py): pause a running run, resume a paused one, cancel
// either; a done or cancelled run is over.
export function actions(status: Status | string): Action[] {
  if (status === "running") return ["pause", "cancel"];
  if (status === "paused") return ["resume", "cancel"];
  return [];
}

export function progress(run: Pick<Run, "cursor" | "size">): { done: number; size: number; percent: number } {
  const done = Number(run.cursor) || 0;
  const size = Number(run.size) || 0;
  return { done, size, percent: size ? Math.min(100, Math.round((100 * done) / size)) : 100 };
}

// The page polls while some run can still move on its own.
export function live(runs: Pick<Run, "status">[]): boolean {
  return runs.some((r) => r.status === "running");
}

export function total(counts: Record<string, number> | undefined): number {
  return Object.values(counts ?? {}).reduce((a, b) => a + b, 0);
}

// "no_consent 2 · opted_out 1", largest first; "" for none.
export function breakdown(counts: Record<string, number> | undefined): string {
  return Object.entries(counts ?? {})
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${k} ${n}`)
    .join(" · ");
}

// Newest first: run ids sort by creation within a campaign, `created` across campaigns.
export function newestFirst<T extends Pick<Run, "created" | "id">>(runs: T[]): T[] {
  return [...runs].sort((a, b) => (b.created ?? "").localeCompare(a.created ?? "") || b.id.localeCompare(a.id));
}

export function withReport(run: Run, report: Report | undefined): Run {
  return report ? { ...run, status: report.status, cursor: report.cursor, size: report.size } : run;
}

// "2026-03-02T12:05:00+00:00" in the reader's own clock and language; the server writes runs' times in UTC.
export function when(iso: string | null | undefined, lang: string): string {
  if (!iso) return "";
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleString(lang, { dateStyle: "short", timeStyle: "short" });
}

// The runs whose report to fetch: the newest `limit` on a full look; between them, while something runs,
// only the running ones and those whose status moved since their last report (a report reads every
// contact the run reached: not something to ask for every few seconds for runs that are over).
export function toReport(runs: Pick<Run, "id" | "status" | "created">[], last: Record<string, Pick<Run, "status">>,
                         full: boolean, limit = 20): string[] {
  return newestFirst(runs)
    .slice(0, limit)
    .filter((r) => full || r.status === "running" || last[r.id]?.status !== r.status)
    .map((r) => r.id);
}

// A datetime-local input's "2026-03-02T09:00" in the reader's clock -> "2026-03-02T09:00:00-03:00", which
// the server wants (ISO 8601 with its offset); null when it is not a date and time.
export function withOffset(local: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const at = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  if (Number.isNaN(at.getTime())) return null;
  const east = -at.getTimezoneOffset();
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  return `${local}:00${east >= 0 ? "+" : "-"}${pad(east / 60)}:${pad(east % 60)}`;
}
