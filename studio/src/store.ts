// The studio's state: the bot, the kind catalogue, the flows being edited (with undo/redo as JSON patches),
// lint issues, the selection and the test chat's path.
import { create } from "zustand";
import type { Bot, FlowFile, Issue, Turn } from "./lib/api";
import { buildCatalogue, type Catalogue } from "./lib/catalogue";
import { applyPatch, diff, isObject, type Json, type JsonObject, type PatchOp } from "./lib/json";
import type { Position } from "./lib/graph";

export type Layout = Record<string, Position>;

export interface Doc {
  flow: Json;
  layout: Layout;
}

interface Step {
  forward: PatchOp[];
  backward: PatchOp[];
  key?: string; // typing in one field makes one step, not one per key
}

export interface FlowState {
  id: string;
  file: string;
  baseText: string;
  baseJson: Json;
  sha256: string;
  doc: Doc;
  past: Step[];
  future: Step[];
  isNew: boolean; // made in the studio (extract selection): no file yet
}

export type Panel = "inspector" | "problems" | "chat" | "versions" | "variables" | "translations" | "analytics";

export interface StoreState {
  lang: "en" | "pt-BR";
  bot: Bot | null;
  catalogue: Catalogue;
  flows: Record<string, FlowState>;
  current: string | null;
  issues: Issue[];
  validating: boolean;
  selected: string[];
  focus: { node: string; pointer: string | null } | null;
  panel: Panel;
  trace: { flow: string; node: string }[];
  lastTurn: Turn | null;
  diskChanged: Record<string, string>; // flow -> sha256 on disk, when it differs from our base
  status: string;
  setLang(lang: "en" | "pt-BR"): void;
  setBot(bot: Bot): void;
  setSchema(schema: JsonObject, hints: Record<string, { color?: string; icon?: string }>): void;
  loadFlow(f: FlowFile): void;
  addFlow(id: string, flow: Json, layout: Layout): void;
  open(id: string | null): void;
  edit(id: string, fn: (doc: Doc) => Doc, mergeKey?: string): void;
  undo(): void;
  redo(): void;
  rebase(id: string, f: { text: string; json: Json; sha256: string }, keep: Json | null): void;
  select(ids: string[]): void;
  setFocus(f: { node: string; pointer: string | null } | null): void;
  setPanel(p: Panel): void;
  setIssues(issues: Issue[]): void;
  setTurn(turn: Turn | null, fresh?: boolean): void;
  setStatus(s: string): void;
  markDisk(id: string, sha: string | null): void;
}

const savedLang = (): "en" | "pt-BR" => {
  try {
    const l = localStorage.getItem("papo-studio-lang");
    if (l === "en" || l === "pt-BR") return l;
    return navigator.language.startsWith("pt") ? "pt-BR" : "en";
  } catch {
    return "en";
  }
};

function stepBetween(a: Doc, b: Doc): Step {
  const da = a as unknown as Json;
  const db = b as unknown as Json;
  return { forward: diff(da, db, [], 3), backward: diff(db, da, [], 3) };
}

export const useStore = create<StoreState>((set, get) => ({
  lang: savedLang(),
  bot: null,
  catalogue: {},
  flows: {},
  current: null,
  issues: [],
  validating: false,
  selected: [],
  focus: null,
  panel: "inspector",
  trace: [],
  lastTurn: null,
  diskChanged: {},
  status: "",
  setLang: (lang) => {
    try {
      localStorage.setItem("papo-studio-lang", lang);
    } catch {
      /* private mode: the switch still works for this page */
    }
    set({ lang });
  },
  setBot: (bot) => set({ bot }),
  setSchema: (schema, hints) => set({ catalogue: buildCatalogue(schema, hints) }),
  loadFlow: (f) =>
    set((s) => ({
      flows: {
        ...s.flows,
        [f.id]: {
          id: f.id,
          file: f.file,
          baseText: f.text,
          baseJson: f.json,
          sha256: f.sha256,
          doc: { flow: f.draft ?? f.json, layout: isObject(f.layout) ? (f.layout as Layout) : {} },
          past: [],
          future: [],
          isNew: false,
        },
      },
    })),
  addFlow: (id, flow, layout) =>
    set((s) => ({
      flows: {
        ...s.flows,
        [id]: { id, file: `flows/${id}.json`, baseText: "", baseJson: null, sha256: "", doc: { flow, layout }, past: [], future: [], isNew: true },
      },
    })),
  open: (id) => set({ current: id, selected: [], focus: null }),
  edit: (id, fn, mergeKey) => {
    const f = get().flows[id];
    if (!f) return;
    const next = fn(f.doc);
    const last = f.past[f.past.length - 1];
    if (mergeKey && last && last.key === mergeKey) {
      const before = applyPatch(f.doc as unknown as Json, last.backward) as unknown as Doc;
      const step = { ...stepBetween(before, next), key: mergeKey };
      const past = step.forward.length ? [...f.past.slice(0, -1), step] : f.past.slice(0, -1);
      set((s) => ({ flows: { ...s.flows, [id]: { ...f, doc: next, past, future: [] } } }));
      return;
    }
    const step = { ...stepBetween(f.doc, next), key: mergeKey };
    if (!step.forward.length) return;
    set((s) => ({ flows: { ...s.flows, [id]: { ...f, doc: next, past: [...f.past, step].slice(-200), future: [] } } }));
  },
  undo: () => {
    const id = get().current;
    const f = id ? get().flows[id] : undefined;
    if (!id || !f || !f.past.length) return;
    const step = f.past[f.past.length - 1];
    const doc = applyPatch(f.doc as unknown as Json, step.backward) as unknown as Doc;
    set((s) => ({ flows: { ...s.flows, [id]: { ...f, doc, past: f.past.slice(0, -1), future: [...f.future, step] } } }));
  },
  redo: () => {
    const id = get().current;
    const f = id ? get().flows[id] : undefined;
    if (!id || !f || !f.future.length) return;
    const step = f.future[f.future.length - 1];
    const doc = applyPatch(f.doc as unknown as Json, step.forward) as unknown as Doc;
    set((s) => ({ flows: { ...s.flows, [id]: { ...f, doc, future: f.future.slice(0, -1), past: [...f.past, step] } } }));
  },
  rebase: (id, cur, keep) => {
    const f = get().flows[id];
    if (!f) return;
    const doc = { ...f.doc, flow: keep ?? cur.json };
    const step = stepBetween(f.doc, doc);
    set((s) => ({
      flows: {
        ...s.flows,
        [id]: { ...f, baseText: cur.text, baseJson: cur.json, sha256: cur.sha256, doc, past: step.forward.length ? [...f.past, step] : f.past, future: [], isNew: false },
      },
      diskChanged: Object.fromEntries(Object.entries(s.diskChanged).filter(([k]) => k !== id)),
    }));
  },
  select: (ids) => set({ selected: ids }),
  setFocus: (focus) => set({ focus }),
  setPanel: (panel) => set({ panel }),
  setIssues: (issues) => set({ issues }),
  setTurn: (turn, fresh = false) =>
    set((s) => ({ lastTurn: turn, trace: turn ? [...(fresh ? [] : s.trace), ...turn.trace] : [] })),
  setStatus: (status) => set({ status }),
  markDisk: (id, sha) =>
    set((s) => {
      const d = { ...s.diskChanged };
      if (sha) d[id] = sha;
      else delete d[id];
      return { diskChanged: d };
    }),
}));

/** The flows whose working copy differs from the file: what validate, chat and publish send. */
export function changedFlows(s: StoreState): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const f of Object.values(s.flows))
    if (f.isNew || JSON.stringify(f.doc.flow) !== JSON.stringify(f.baseJson)) out[f.id] = f.doc.flow;
  return out;
}
