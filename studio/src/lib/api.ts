// The studio API (docs/studio.md): JSON over /studio/api, the session cookie, and the CSRF header on writes.
import type { Json, JsonObject } from "./json";

export interface Issue {
  file: string;
  pointer: string;
  line: number | null;
  code: string;
  severity: "error" | "warning";
  message: string;
  hint: string | null;
  flow: string | null;
  node: string | null;
  field: string | null;
}

export interface FlowSummary {
  id: string;
  file: string;
  sha256: string;
  errors: number;
  warnings: number;
  draft?: boolean;
}

export interface Variable {
  name: string;
  tags: string[];
  set_in: { flow: string; node: string }[];
  used_in: { flow: string; node: string }[];
}

export interface Bot {
  name: string;
  locales: string[];
  default_locale: string;
  channels: string[];
  flows: FlowSummary[];
  variables: Variable[];
  calendar: { services: string[]; professionals: string[]; periods: string[] } | null;
  faq_tags: string[];
  intents: string[];
  interrupts?: { keywords?: string[]; intents?: string[]; flow: string }[];
}

export interface SchemaResponse {
  schemas: Record<string, JsonObject>;
  kinds: Record<string, { ui?: { color?: string; icon?: string } }>;
}

export interface FlowFile {
  id: string;
  file: string;
  text: string;
  json: Json;
  sha256: string;
  layout: Record<string, { x: number; y: number }>;
  draft: Json | null;
}

export interface Rendered {
  payloads: Json[];
  notes: string[];
}

export interface ChatMessage {
  text: string | null;
  rendered: Record<string, Rendered>;
}

export interface Turn {
  chat?: string;
  messages: ChatMessage[];
  trace: { flow: string; node: string }[];
  decisions: Json[];
  variables: Record<string, Json>;
  waiting: { flow: string; node: string } | null;
  now: string;
  explain?: string[]; // why each message went where it went (the reading order's step, scores, entities)
}

export interface SemanticField {
  path: string;
  kind: "text" | "exit" | "value";
  locale: string | null;
  before: Json;
  after: Json;
}

export interface SemanticChange {
  node: string;
  change: "added" | "removed" | "changed";
  fields: (SemanticField | string)[];
}

export interface Preview {
  diff: Record<string, { text: string; changed_lines: number; semantic: SemanticChange[] }>;
  issues: Issue[];
  live_conversations: Record<string, number>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: JsonObject,
  ) {
    super(typeof body.error === "string" ? body.error : `HTTP ${status}`);
  }
}

export const BASE = "/studio/api/";

export async function call<T>(method: string, path: string, body?: unknown, raw = false): Promise<T> {
  const headers: Record<string, string> = {};
  if (method !== "GET") headers["X-Papo-Studio"] = "1";
  if (body !== undefined) headers["Content-Type"] = raw ? "text/csv" : "application/json";
  const res = await fetch(BASE + path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : raw ? String(body) : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    if (!res.ok) parsed = { error: text || `HTTP ${res.status}` };
  }
  if (!res.ok) throw new ApiError(res.status, (parsed ?? {}) as JsonObject);
  return parsed as T;
}

export const api = {
  bot: () => call<Bot>("GET", "bot"),
  schema: () => call<SchemaResponse>("GET", "schema"),
  flow: (id: string) => call<FlowFile>("GET", `flows/${encodeURIComponent(id)}`),
  validate: (flows: Record<string, Json>) => call<{ issues: Issue[] }>("POST", "validate", { flows }),
  saveDraft: (id: string, json: Json) => call<{ saved_at: string }>("PUT", `drafts/${encodeURIComponent(id)}`, { json }),
  dropDraft: (id: string) => call<void>("DELETE", `drafts/${encodeURIComponent(id)}`),
  preview: (flows: Record<string, { json: Json; if_match: string | null }>) =>
    call<Preview>("POST", "publish/preview", { flows }),
  publish: (body: {
    flows: Record<string, { json: Json; if_match: string | null }>;
    message: string;
    confirm_warnings: boolean;
    git_commit: boolean;
    run_tests: boolean;
  }) => call<{ published: Record<string, { sha256: string }>; commit: string | null }>("POST", "publish", body),
  saveLayout: (id: string, layout: Record<string, { x: number; y: number }>, ifMatch: string | null) =>
    call<{ sha256: string }>("PUT", `layout/${encodeURIComponent(id)}`, { layout, if_match: ifMatch }),
  versions: (flow: string) =>
    call<{ versions: { id: string; source: string; digest: string; time: string; message: string; live_conversations: number }[] }>(
      "GET",
      `versions?flow=${encodeURIComponent(flow)}`,
    ),
  diff: (flow: string, a: string, b: string) =>
    call<{ text: string; semantic: Json }>(
      "GET",
      `diff?flow=${encodeURIComponent(flow)}&a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`,
    ),
  rollback: (flow: string, version: string, message: string) =>
    call<{ published: Record<string, { sha256: string }> }>("POST", "rollback", { flow, version, message }),
  chat: (channel: string, start: { flow: string; node: string } | null, flows: Record<string, Json>, now: string | null) =>
    call<Turn & { chat: string }>("POST", "chat", now ? { channel, start, flows, now } : { channel, start, flows }),
  say: (chat: string, body: { text: string } | { button: string }) =>
    call<Turn>("POST", `chat/${encodeURIComponent(chat)}/say`, body),
  advance: (chat: string, by: string) => call<Turn>("POST", `chat/${encodeURIComponent(chat)}/advance`, { by }),
  saveTest: (chat: string, name: string) =>
    call<{ file: string }>("POST", `chat/${encodeURIComponent(chat)}/save-test`, { name }),
  runTests: (flows: Record<string, Json>) =>
    call<{ passed: number; failed: number; results: Json[] }>("POST", "tests/run", { flows }),
  analytics: (flow: string, params: Record<string, string>) =>
    call<{
      nodes: Record<string, { entered: number; answered: number; invalid: number; timed_out: number; dropped: number; median_answer_s: number | null }>;
      exits: Record<string, number>;
    }>("GET", `analytics?${new URLSearchParams({ flow, ...params })}`),
  translations: () =>
    call<{ locales: string[]; rows: { flow: string; node: string; field: string; texts: Record<string, string> }[] }>(
      "GET",
      "translations",
    ),
  importTranslations: (csv: string) => call<JsonObject>("PUT", "translations.csv", csv, true),
};
