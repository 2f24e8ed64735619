// The admin API the inbox speaks (runtime/service/inbox.py, inbox_actions.py, admin.py): JSON over /admin,
// signed in with the papo_session cookie POST /admin/login sets.

export interface Last {
  text: string;
  by: string;
  at: string;
  at_local: string;
}

export interface Waiting {
  channel: string;
  user: string;
  ref: string;
  name: string | null;
  queue: string | null;
  since: string | null;
  since_local: string | null;
  waiting_s: number | null;
  last: Last | null;
  unread: number;
  urgent: boolean;
  why_urgent: string | null;
  labels: string[];
  assignee: string | null;
  taken_over: boolean;
  closed: boolean;
  next_opening_local: string | null;
}

export interface Queue {
  conversations: Waiting[];
  labels: string[];
  me: string;
  timezone: string;
  now_local: string;
}

export interface Line {
  id: string;
  cursor: string;
  dir: "in" | "out" | "note" | "event";
  by: string;
  text: string;
  at: string;
  at_local: string | null;
  where?: string;
  options?: string[];
  staff?: string;
  template?: string;
  status?: string;
  error?: string;
}

export interface Appointment {
  id: string;
  status: string;
  slot: { service: string; professional: string; start: string; end: string };
  upcoming: boolean;
  start_local: string;
}

export interface Profile {
  channel: string;
  user: string;
  name: string | null;
  with_staff: boolean;
  taken_over: boolean;
  where: string | null;
  variables: Record<string, unknown>;
  labels: string[];
  assignee: string | null;
  urgent: boolean;
  appointments: Appointment[];
  window_open: boolean;
  last_inbound_local: string | null;
  consents: unknown;
  flows: string[];
}

export interface Canned {
  replies: { id: string; title: string; text: string }[];
  templates: { id: string; title: string; name: string }[];
  window_open: boolean | null;
}

export interface SlotOffer {
  ref: string;
  service: string;
  professional: string;
  start_local: string;
}

export class AdminError extends Error {
  constructor(
    public status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new AdminError(0, `${method} ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const data = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new AdminError(res.status, data.error ?? res.statusText);
  return data as T;
}

export function convPath(c: { channel: string; user: string }): string {
  return `/admin/conversations/${encodeURIComponent(c.channel)}/${encodeURIComponent(c.user)}`;
}

// "2026-03-02T09:05:00-03:00" -> "09:05": the clinic's wall clock, as the server wrote it.
export function clock(iso: string | null | undefined): string {
  return iso ? iso.slice(11, 16) : "";
}

export function day(iso: string | null | undefined): string {
  return iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}` : "";
}
