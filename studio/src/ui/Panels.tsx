// Side panels: problems, versions, variables, translations, analytics; the palette; search; the target picker.
import { useEffect, useMemo, useState } from "react";
import { api, ApiError, BASE, type SemanticChange } from "../lib/api";
import { SemanticList } from "./Publish";
import { concreteExits, glyph } from "../lib/catalogue";
import { useT } from "../lib/i18n";
import { isObject, setPath, type Json } from "../lib/json";
import { useStore } from "../store";
import { nodesOf } from "./Canvas";
import { textOf } from "./PapoNode";

export function Problems({ flowId, openFlow }: { flowId: string; openFlow: (id: string) => void }) {
  const t = useT();
  const issues = useStore((s) => s.issues);
  const select = useStore((s) => s.select);
  const setFocus = useStore((s) => s.setFocus);
  const setPanel = useStore((s) => s.setPanel);
  if (!issues.length) return <div className="empty">{t("No problems.")}</div>;
  return (
    <ul className="problems" data-testid="problems">
      {issues.map((i, n) => (
        <li key={n} className={i.severity}>
          <button
            onClick={() => {
              if (i.flow && i.flow !== flowId) openFlow(i.flow);
              if (i.node) {
                select([i.node]);
                setFocus({ node: i.node, pointer: i.pointer });
                setPanel("inspector");
                setTimeout(() => {
                  const el = document.querySelector<HTMLElement>(`[data-pointer="${CSS.escape(i.pointer)}"] textarea, [data-pointer="${CSS.escape(i.pointer)}"] input, [data-pointer="${CSS.escape(i.pointer)}"] select`);
                  el?.focus();
                }, 50);
              }
            }}
          >
            <span className={"sev " + i.severity}>{i.severity === "error" ? "✗" : "!"}</span> {i.flow ?? i.file}
            {i.node ? ` › ${i.node}` : ""}
            {i.field ? ` › ${i.field}` : ""}: {i.message}
            {i.hint && <div className="hint">{i.hint}</div>}
          </button>
        </li>
      ))}
    </ul>
  );
}

export function Palette() {
  const t = useT();
  const catalogue = useStore((s) => s.catalogue);
  return (
    <div className="palette" data-testid="palette">
      <h3>{t("Nodes")}</h3>
      {Object.values(catalogue).map((k) => (
        <div
          key={k.kind}
          className="palette-item"
          data-kind={k.kind}
          draggable
          tabIndex={0}
          role="button"
          title={k.description}
          onDragStart={(e) => {
            e.dataTransfer.setData("application/papo-kind", k.kind);
            e.dataTransfer.setData("text/plain", k.kind);
            e.dataTransfer.effectAllowed = "copy";
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter" || e.key === " ") {
              e.preventDefault();
              window.dispatchEvent(new CustomEvent("papo-add-node", { detail: k.kind }));
            }
          }}
        >
          <span className="palette-icon" style={{ background: k.ui.color }}>
            {glyph(k.ui.icon)}
          </span>
          {k.kind}
        </div>
      ))}
    </div>
  );
}

/** Ctrl+K: find nodes by id, text or variable. */
export function Search({ flowId, onClose }: { flowId: string; onClose: () => void }) {
  const t = useT();
  const flow = useStore((s) => s.flows[flowId]?.doc.flow ?? null);
  const locale = useStore((s) => s.bot?.default_locale ?? "pt-BR");
  const select = useStore((s) => s.select);
  const setFocus = useStore((s) => s.setFocus);
  const [q, setQ] = useState("");
  const [at, setAt] = useState(0);
  const hits = useMemo(() => {
    const needle = q.trim().toLowerCase();
    if (!needle) return [];
    return Object.entries(nodesOf(flow))
      .filter(([id, n]) => id.toLowerCase().includes(needle) || JSON.stringify(n).toLowerCase().includes(needle))
      .map(([id, n]) => ({ id, text: isObject(n) ? textOf(n.text, locale) || String(n.kind) : "" }))
      .slice(0, 20);
  }, [q, flow, locale]);
  const go = (id: string) => {
    select([id]);
    setFocus({ node: id, pointer: null });
    onClose();
  };
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal search" role="dialog" aria-label={t("Search")} onClick={(e) => e.stopPropagation()}>
        <input
          autoFocus
          aria-label={t("Search ids, texts, variables")}
          placeholder={t("Search ids, texts, variables")}
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            setAt(0);
          }}
          onKeyDown={(e) => {
            if (e.key === "Escape") onClose();
            if (e.key === "ArrowDown") setAt((a) => Math.min(a + 1, hits.length - 1));
            if (e.key === "ArrowUp") setAt((a) => Math.max(a - 1, 0));
            if (e.key === "Enter" && hits[at]) go(hits[at].id);
          }}
        />
        <ul className="hits">
          {hits.map((h, i) => (
            <li key={h.id} className={i === at ? "active" : ""}>
              <button onClick={() => go(h.id)}>
                <b>{h.id}</b> <span className="muted">{h.text.slice(0, 80)}</span>
              </button>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/** Connect an exit of the selected node to a node, without a mouse. */
export function TargetPicker({ flowId, node, onClose }: { flowId: string; node: string; onClose: () => void }) {
  const t = useT();
  const flow = useStore((s) => s.flows[flowId]?.doc.flow ?? null);
  const catalogue = useStore((s) => s.catalogue);
  const edit = useStore((s) => s.edit);
  const nodes = nodesOf(flow);
  const json = nodes[node];
  const kind = isObject(json) && typeof json.kind === "string" ? json.kind : "";
  const exits = concreteExits(catalogue[kind], json);
  const [exit, setExit] = useState(exits[0]?.handle ?? "");
  const [target, setTarget] = useState("");
  const apply = () => {
    if (!exit || !target) return;
    edit(flowId, (doc) => ({ ...doc, flow: setPath(doc.flow, ["nodes", node, ...exit.split("/")], target) }));
    onClose();
  };
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-label={t("Connect")} data-testid="target-picker">
        <h3>{t("Connect {node}", { node })}</h3>
        <label>
          {t("Exit")}
          <select autoFocus aria-label={t("Exit")} value={exit} onChange={(e) => setExit(e.target.value)}>
            {exits.map((e) => (
              <option key={e.handle} value={e.handle}>
                {e.label}
                {e.target ? ` → ${e.target}` : ""}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("Target")}
          <select aria-label={t("Target")} value={target} onChange={(e) => setTarget(e.target.value)} onKeyDown={(e) => e.key === "Enter" && apply()}>
            <option value="">—</option>
            {Object.keys(nodes)
              .filter((n) => n !== node)
              .map((n) => (
                <option key={n}>{n}</option>
              ))}
          </select>
        </label>
        <div className="buttons">
          <button onClick={onClose}>{t("Cancel")}</button>
          <button className="primary" onClick={apply} disabled={!exit || !target}>
            {t("Connect")}
          </button>
        </div>
      </div>
    </div>
  );
}

type Version = { id: string; source: string; digest: string; time: string; message: string; live_conversations: number };

export function Versions({ flowId }: { flowId: string }) {
  const t = useT();
  const [versions, setVersions] = useState<Version[]>([]);
  const [a, setA] = useState("");
  const [b, setB] = useState("");
  const [diff, setDiff] = useState("");
  const [semantic, setSemantic] = useState<SemanticChange[]>([]);
  const [msg, setMsg] = useState("");
  const load = () =>
    api.versions(flowId).then(
      (r) => setVersions(r.versions),
      (e: unknown) => setMsg(String(e instanceof Error ? e.message : e)),
    );
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [flowId]);
  return (
    <div className="versions" data-testid="versions">
      <table>
        <tbody>
          {versions.map((v) => (
            <tr key={v.id}>
              <td>
                <input type="radio" name="va" aria-label={`A ${v.id}`} checked={a === v.id} onChange={() => setA(v.id)} />
                <input type="radio" name="vb" aria-label={`B ${v.id}`} checked={b === v.id} onChange={() => setB(v.id)} />
              </td>
              <td>
                <b>{v.message || v.digest.slice(0, 8)}</b>
                <div className="muted">
                  {v.source} · {v.time} · {t("{n} live", { n: v.live_conversations })}
                </div>
              </td>
              <td>
                <button
                  onClick={() =>
                    api.rollback(flowId, v.id, t("Roll back to {v}", { v: v.message || v.digest.slice(0, 8) })).then(
                      async () => {
                        const f = await api.flow(flowId);
                        useStore.getState().rebase(flowId, f, null);
                        setMsg(t("Rolled back"));
                        void load();
                      },
                      (e: unknown) => setMsg(e instanceof ApiError ? e.message : String(e)),
                    )
                  }
                >
                  {t("Roll back")}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button disabled={!a || !b} onClick={() => api.diff(flowId, a, b).then(
            (d) => {
              setDiff(d.text);
              setSemantic(Array.isArray(d.semantic) ? (d.semantic as unknown as SemanticChange[]) : []);
            },
            (e: unknown) => setMsg(String(e)),
          )}>
        {t("Compare")}
      </button>
      {msg && <div className="muted">{msg}</div>}
      {semantic.length > 0 && <SemanticList changes={semantic} />}
      {diff && <pre className="diff">{diff}</pre>}
    </div>
  );
}

function Places({ places }: { places: { flow: string; node: string }[] }) {
  return (
    <>
      {places.map((p, i) => (
        <a key={i} className="chip" href={`#/flow/${encodeURIComponent(p.flow)}/${encodeURIComponent(p.node)}`}>
          {p.flow}/{p.node}
        </a>
      ))}
    </>
  );
}

export function Variables() {
  const t = useT();
  const vars = useStore((s) => s.bot)?.variables ?? [];
  return (
    <table className="grid" data-testid="variables">
      <thead>
        <tr>
          <th>{t("Variable")}</th>
          <th>{t("Tags")}</th>
          <th>{t("Set in")}</th>
          <th>{t("Used in")}</th>
        </tr>
      </thead>
      <tbody>
        {vars.map((v) => (
          <tr key={v.name}>
            <td>
              <code>{v.name}</code>
            </td>
            <td>{v.tags.map((tag) => <span key={tag} className={"chip tag-" + tag}>{tag}</span>)}</td>
            <td>
              <Places places={v.set_in} />
            </td>
            <td>
              <Places places={v.used_in} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Translations() {
  const t = useT();
  const [data, setData] = useState<Awaited<ReturnType<typeof api.translations>> | null>(null);
  const [msg, setMsg] = useState("");
  const load = () => api.translations().then(setData, (e: unknown) => setMsg(String(e instanceof Error ? e.message : e)));
  useEffect(() => {
    void load();
  }, []);
  return (
    <div className="translations" data-testid="translations">
      <div className="toolbar">
        <a className="button" href={BASE + "translations.csv"} download="translations.csv">
          {t("Export CSV")}
        </a>
        <label className="button">
          {t("Import CSV")}
          <input
            type="file"
            accept=".csv,text/csv"
            hidden
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (!file) return;
              try {
                await api.importTranslations(await file.text());
                setMsg(t("Imported"));
                void load();
              } catch (err) {
                setMsg(err instanceof Error ? err.message : String(err));
              }
            }}
          />
        </label>
        {msg && <span className="muted">{msg}</span>}
      </div>
      {data && (
        <table className="grid">
          <thead>
            <tr>
              <th>{t("Flow")}</th>
              <th>{t("Node")}</th>
              <th>{t("Field")}</th>
              {data.locales.map((l) => (
                <th key={l}>{l}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.rows.map((r, i) => (
              <tr key={i}>
                <td>{r.flow}</td>
                <td>
                  <a href={`#/flow/${encodeURIComponent(r.flow)}/${encodeURIComponent(r.node)}`}>{r.node}</a>
                </td>
                <td>{r.field}</td>
                {data.locales.map((l) => (
                  <td key={l} className={r.texts[l] ? "" : "missing"}>
                    {r.texts[l] ?? ""}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function AnalyticsControls({
  flowId,
  onData,
}: {
  flowId: string;
  onData: (d: { nodes: Record<string, { entered: number; answered: number; dropped: number; invalid?: number; timed_out?: number; median_answer_s?: number | null }>; exits: Record<string, number> } | null) => void;
}) {
  const t = useT();
  const channels = useStore((s) => s.bot)?.channels ?? [];
  const [on, setOn] = useState(false);
  const [channel, setChannel] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [msg, setMsg] = useState("");
  useEffect(() => {
    if (!on) {
      onData(null);
      return;
    }
    const params: Record<string, string> = {};
    if (channel) params.channel = channel;
    if (from) params.from = from;
    if (to) params.to = to;
    api.analytics(flowId, params).then(
      (d) => {
        setMsg("");
        onData(d);
      },
      (e: unknown) => setMsg(String(e instanceof Error ? e.message : e)),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [on, channel, from, to, flowId]);
  return (
    <div className="analytics" data-testid="analytics">
      <label>
        <input type="checkbox" checked={on} onChange={(e) => setOn(e.target.checked)} /> {t("Show analytics on the canvas")}
      </label>
      <select aria-label={t("channel")} value={channel} onChange={(e) => setChannel(e.target.value)}>
        <option value="">{t("all channels")}</option>
        {channels.map((c) => (
          <option key={c}>{c}</option>
        ))}
      </select>
      <input type="date" aria-label={t("from")} value={from} onChange={(e) => setFrom(e.target.value)} />
      <input type="date" aria-label={t("to")} value={to} onChange={(e) => setTo(e.target.value)} />
      {msg && <div className="muted">{msg}</div>}
    </div>
  );
}

export type { Json };
