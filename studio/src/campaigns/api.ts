// The campaigns admin API (runtime/service/campaigns.py), role admin: JSON over /admin, signed in with the
// papo_session cookie as the inbox is (`admin` in ../inbox/api.ts).

export interface Template {
  name: string;
  language: string;
  params?: string[];
  buttons?: string[];
}

export interface Campaign {
  name: string;
  title: string | null;
  purpose: "marketing" | "utility";
  channel: string;
  flow: string;
  template: Template;
}

export type Status = "running" | "paused" | "done" | "cancelled";

// A run as GET /admin/campaigns lists it: its meta hash, every value a string.
export interface Run {
  id: string;
  campaign: string;
  status: Status;
  size: string;
  cursor: string;
  created: string;
  not_before?: string;
  waiting?: string;
  why?: string;
}

export interface Listing {
  campaigns: Campaign[];
  runs: Run[];
}

// GET /admin/campaigns/runs/{id}
export interface Report extends Run {
  audience: number;
  skipped: Record<string, number>;
  sent: number;
  delivered: number;
  read: number;
  replied: number;
  failed: Record<string, number>;
  opted_out_after: number;
}

export const runPath = (id: string): string => `/admin/campaigns/runs/${encodeURIComponent(id)}`;
export const runsOf = (name: string): string => `/admin/campaigns/${encodeURIComponent(name)}/runs`;
