// What follows every edit: lint on the server (debounced), the draft autosaved, positions saved to
// layout.json; and the events stream telling of files changed on disk.
import { api, BASE } from "./lib/api";
import { changedFlows, useStore, type StoreState } from "./store";

let lintTimer: ReturnType<typeof setTimeout> | undefined;
let lintSeq = 0;
const draftTimers: Record<string, ReturnType<typeof setTimeout>> = {};
const layoutTimers: Record<string, ReturnType<typeof setTimeout>> = {};

export function lintNow(): void {
  const s = useStore.getState();
  const seq = ++lintSeq;
  const flows = changedFlows(s);
  // Always lint the open flow, so the issues shown are those of what is on screen.
  if (s.current && s.flows[s.current] && !(s.current in flows)) flows[s.current] = s.flows[s.current].doc.flow;
  useStore.setState({ validating: true });
  api.validate(flows).then(
    (r) => {
      if (seq === lintSeq) useStore.setState({ issues: r.issues, validating: false });
    },
    (e: unknown) => {
      if (seq === lintSeq) useStore.setState({ validating: false, status: String(e instanceof Error ? e.message : e) });
    },
  );
}

export function startEffects(): () => void {
  const unsub = useStore.subscribe((s: StoreState, prev: StoreState) => {
    if (s.flows === prev.flows && s.current === prev.current) return;
    clearTimeout(lintTimer);
    lintTimer = setTimeout(lintNow, 250);
    for (const [id, f] of Object.entries(s.flows)) {
      const p = prev.flows[id];
      if (!p) continue;
      if (p.doc.flow !== f.doc.flow) {
        clearTimeout(draftTimers[id]);
        draftTimers[id] = setTimeout(() => {
          const cur = useStore.getState().flows[id];
          if (!cur) return;
          const same = JSON.stringify(cur.doc.flow) === JSON.stringify(cur.baseJson);
          (same ? api.dropDraft(id) : api.saveDraft(id, cur.doc.flow).then(() => undefined)).then(
            () => useStore.getState().setStatus(same ? "" : "draft saved"),
            (e: unknown) => useStore.getState().setStatus(String(e instanceof Error ? e.message : e)),
          );
        }, 600);
      }
      if (p.doc.layout !== f.doc.layout && !f.isNew) {
        clearTimeout(layoutTimers[id]);
        layoutTimers[id] = setTimeout(() => {
          const cur = useStore.getState().flows[id];
          if (cur) api.saveLayout(id, cur.doc.layout, null).catch(() => undefined);
        }, 800);
      }
    }
  });
  let events: EventSource | null = null;
  try {
    events = new EventSource(BASE + "events", { withCredentials: true });
    events.addEventListener("file-changed", (ev) => {
      const d = JSON.parse((ev as MessageEvent<string>).data) as { flow: string; sha256: string };
      const s = useStore.getState();
      const f = s.flows[d.flow];
      if (!f || f.sha256 === d.sha256) return;
      const dirty = JSON.stringify(f.doc.flow) !== JSON.stringify(f.baseJson);
      if (dirty) s.markDisk(d.flow, d.sha256);
      else
        api.flow(d.flow).then((cur) => {
          useStore.getState().rebase(d.flow, cur, null);
          useStore.getState().setStatus(`${d.flow}: reloaded from disk`);
        });
    });
  } catch {
    /* no events: publish still gets 412 on a changed file */
  }
  return () => {
    unsub();
    events?.close();
  };
}
