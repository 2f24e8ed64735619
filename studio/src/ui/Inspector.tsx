// The property form of the selected node, walked from the kind's schema: one widget per field type.
import { lazy, Suspense, useState } from "react";
import type { FieldSpec } from "../lib/catalogue";
import { rewire } from "../lib/clipboard";
import { getPath, isObject, pointer, put, setPath, type Json, type JsonObject } from "../lib/json";
import { useT } from "../lib/i18n";
import type { Issue } from "../lib/api";
import { useStore } from "../store";
import { ENTRY, nodesOf } from "./Canvas";

const CodeEditor = lazy(() => import("./CodeEditor"));

/** WhatsApp's limits for the field a text goes to. */
export function charLimit(field: string, node: Json): number {
  if (field === "title") return 24;
  if (field === "description") return 72;
  if (field === "list_button") return 20;
  if (isObject(node) && Array.isArray(node.options)) return 1024;
  return 4096;
}

interface Ctx {
  flowId: string;
  nodeId: string;
  node: Json;
  set: (path: string[], value: Json | undefined) => void;
  issuesAt: (ptr: string, below?: boolean) => Issue[];
}

function FieldIssues({ issues }: { issues: Issue[] }) {
  return (
    <>
      {issues.map((i, n) => (
        <div key={n} className={"field-issue " + i.severity} data-testid="field-issue">
          {i.message}
          {i.hint ? <span className="hint"> {i.hint}</span> : null}
        </div>
      ))}
    </>
  );
}

function VarCompletion({ value, onPick }: { value: string; onPick: (v: string) => void }) {
  const vars = useStore((s) => s.bot)?.variables ?? [];
  const m = /\{\{\s*([A-Za-z0-9_.]*)$/.exec(value);
  if (!m) return null;
  const hits = vars.filter((v) => v.name.startsWith(m[1])).slice(0, 8);
  if (!hits.length) return null;
  return (
    <div className="completion" role="listbox">
      {hits.map((v) => (
        <button key={v.name} role="option" aria-selected={false} onClick={() => onPick(value.slice(0, m.index) + `{{ ${v.name} }}`)}>
          {v.name}
        </button>
      ))}
    </div>
  );
}

function TextWidget({ f, path, ctx }: { f: FieldSpec; path: string[]; ctx: Ctx }) {
  const bot = useStore((s) => s.bot);
  const locales = bot ? [bot.default_locale, ...bot.locales.filter((l) => l !== bot.default_locale)] : ["pt-BR"];
  const value = getPath(ctx.node, path);
  const limit = charLimit(f.name, ctx.node);
  const ptr = pointer("nodes", ctx.nodeId, ...path);
  return (
    <div className="locale-texts">
      {locales.map((loc, i) => {
        const text = typeof value === "string" ? (i === 0 ? value : "") : isObject(value) && typeof value[loc] === "string" ? (value[loc] as string) : "";
        const update = (t: string) => {
          if (!isObject(value) && (locales.length === 1 || i === 0)) return ctx.set(path, t);
          const map: JsonObject = isObject(value) ? { ...value } : typeof value === "string" ? { [locales[0]]: value } : {};
          if (t) map[loc] = t;
          else delete map[loc];
          ctx.set(path, Object.keys(map).length ? map : undefined);
        };
        const issues = ctx.issuesAt(ptr + "/" + loc);
        return (
          <div key={loc} className="locale-text">
            {locales.length > 1 && <span className="locale">{loc}</span>}
            <textarea
              data-field={path.join(".")}
              data-locale={loc}
              aria-label={`${path.join(".")} ${loc}`}
              value={text}
              rows={Math.min(6, Math.max(2, text.split("\n").length))}
              onChange={(e) => update(e.target.value)}
              className={issues.length ? "invalid" : ""}
            />
            <span className={"counter" + (text.length > limit ? " over" : "")}>
              {text.length}/{limit}
            </span>
            <VarCompletion value={text} onPick={update} />
          </div>
        );
      })}
    </div>
  );
}

function Select({ value, options, onChange, label }: { value: Json | undefined; options: string[]; onChange: (v: string | undefined) => void; label: string }) {
  const v = typeof value === "string" ? value : "";
  const all = v && !options.includes(v) ? [v, ...options] : options;
  return (
    <select aria-label={label} data-field={label} value={v} onChange={(e) => onChange(e.target.value || undefined)}>
      <option value="">—</option>
      {all.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}

function JsonWidget({ value, onChange, label }: { value: Json | undefined; onChange: (v: Json | undefined) => void; label: string }) {
  const vars = useStore((s) => s.bot)?.variables.map((v) => v.name) ?? [];
  const [draft, setDraft] = useState<string | null>(null);
  const [err, setErr] = useState("");
  const shown = draft ?? (value === undefined ? "" : JSON.stringify(value, null, 2));
  const commit = () => {
    if (draft === null) return;
    try {
      onChange(draft.trim() ? (JSON.parse(draft) as Json) : undefined);
      setDraft(null);
      setErr("");
    } catch (e) {
      setErr(String(e));
    }
  };
  return (
    <>
      <Suspense fallback={<textarea className="json" aria-label={label} value={shown} readOnly />}>
        <CodeEditor mode="json" label={label} value={shown} variables={vars} onChange={setDraft} onBlur={commit} />
      </Suspense>
      {err && <div className="field-issue error">{err}</div>}
    </>
  );
}

function Field({ f, path, ctx }: { f: FieldSpec; path: string[]; ctx: Ctx }) {
  const t = useT();
  const bot = useStore((s) => s.bot);
  const flowNodes = Object.keys(nodesOf(useStore((s) => s.flows[ctx.flowId]?.doc.flow ?? null)));
  const value = getPath(ctx.node, path);
  const ptr = pointer("nodes", ctx.nodeId, ...path);
  const label = path.join(".");
  const set = (v: Json | undefined) => ctx.set(path, v);
  const vars = bot?.variables.map((v) => v.name) ?? [];
  let widget: React.ReactNode;
  switch (f.widget) {
    case "text":
      widget = <TextWidget f={f} path={path} ctx={ctx} />;
      break;
    case "target":
      widget = <Select label={label} value={value} options={flowNodes.filter((n) => n !== ctx.nodeId)} onChange={set} />;
      break;
    case "flow":
      widget = <Select label={label} value={value} options={bot?.flows.map((x) => x.id) ?? []} onChange={set} />;
      break;
    case "service":
    case "professional":
    case "period": {
      const cal = bot?.calendar;
      const opts = cal ? (f.widget === "service" ? cal.services : f.widget === "professional" ? cal.professionals : cal.periods) : [];
      widget = <Select label={label} value={value} options={opts} onChange={set} />;
      break;
    }
    case "enum":
      widget = <Select label={label} value={value} options={f.enum ?? []} onChange={set} />;
      break;
    case "expression":
      widget = (
        <Suspense fallback={<input aria-label={label} value={typeof value === "string" ? value : ""} readOnly />}>
          <CodeEditor
            mode="expression"
            label={label}
            value={typeof value === "string" ? value : ""}
            variables={vars}
            onChange={(text) => set(text === "" ? undefined : text)}
          />
        </Suspense>
      );
      break;
    case "var":
    case "name":
    case "string":
      widget = (
        <>
          <input
            aria-label={label}
            data-field={label}
            list={f.widget === "string" ? undefined : "papo-vars"}
            value={typeof value === "string" ? value : ""}
            onChange={(e) => set(e.target.value === "" ? undefined : e.target.value)}
            className={f.widget === "string" ? "" : "mono"}
          />
          <datalist id="papo-vars">
            {vars.map((v) => (
              <option key={v} value={v} />
            ))}
          </datalist>
        </>
      );
      break;
    case "number":
    case "integer":
      widget = (
        <input
          type="number"
          aria-label={label}
          data-field={label}
          value={typeof value === "number" ? value : ""}
          step={f.widget === "integer" ? 1 : "any"}
          onChange={(e) => set(e.target.value === "" ? undefined : Number(e.target.value))}
        />
      );
      break;
    case "boolean":
      widget = <input type="checkbox" aria-label={label} checked={value === true} onChange={(e) => set(e.target.checked ? true : undefined)} />;
      break;
    case "strings":
      widget = (
        <textarea
          aria-label={label}
          data-field={label}
          value={Array.isArray(value) ? value.join("\n") : ""}
          placeholder={t("one per line")}
          onChange={(e) => set(e.target.value ? e.target.value.split("\n") : undefined)}
        />
      );
      break;
    case "list": {
      const items = Array.isArray(value) ? value : [];
      widget = (
        <div className="list">
          {items.map((_, i) => (
            <fieldset key={i} className="item">
              <legend>
                {f.name} {i + 1}
                <button className="small" aria-label={t("remove")} onClick={() => set(items.filter((__, j) => j !== i))}>
                  ✕
                </button>
              </legend>
              {(f.fields ?? []).map((sub) => (
                <Field key={sub.name} f={sub} path={[...path, String(i), sub.name]} ctx={ctx} />
              ))}
            </fieldset>
          ))}
          <button className="small" onClick={() => set([...items, {}])}>
            + {f.name}
          </button>
        </div>
      );
      break;
    }
    case "object":
      widget = (
        <details className="item" open={value !== undefined || f.required}>
          <summary>{value === undefined ? t("add") : f.name}</summary>
          {(f.fields ?? []).map((sub) => (
            <Field key={sub.name} f={sub} path={[...path, sub.name]} ctx={ctx} />
          ))}
          {value !== undefined && (
            <button className="small" onClick={() => set(undefined)}>
              {t("remove")}
            </button>
          )}
        </details>
      );
      break;
    default:
      widget = <JsonWidget label={label} value={value} onChange={set} />;
  }
  const issues = f.widget === "text" ? ctx.issuesAt(ptr, true) : ctx.issuesAt(ptr);
  return (
    <div className={"field" + (issues.some((i) => i.severity === "error") ? " has-error" : "")} data-pointer={ptr}>
      <label title={f.description}>
        {f.name}
        {f.required ? " *" : ""}
      </label>
      {widget}
      <FieldIssues issues={issues} />
    </div>
  );
}

export function renameNode(doc: { flow: Json; layout: Record<string, { x: number; y: number }> }, from: string, to: string, catalogue: Parameters<typeof rewire>[1]) {
  const nodes = nodesOf(doc.flow);
  const out: JsonObject = {};
  for (const k of Object.keys(nodes)) put(out, k === from ? to : k, rewire(nodes[k], catalogue, (t) => (t === from ? to : t)));
  let flow = setPath(doc.flow, ["nodes"], out);
  if (isObject(flow) && flow.entry === from) flow = setPath(flow, ["entry"], to);
  const layout = { ...doc.layout };
  if (layout[from]) {
    layout[to] = layout[from];
    delete layout[from];
  }
  return { flow, layout };
}

export function Inspector({ flowId, onConnect, onStartHere }: { flowId: string; onConnect: () => void; onStartHere: (node: string) => void }) {
  const t = useT();
  const selected = useStore((s) => s.selected).filter((x) => x !== ENTRY);
  const flow = useStore((s) => s.flows[flowId]?.doc.flow ?? null);
  const catalogue = useStore((s) => s.catalogue);
  const issues = useStore((s) => s.issues);
  const edit = useStore((s) => s.edit);
  const select = useStore((s) => s.select);
  const [newId, setNewId] = useState<string | null>(null);
  if (selected.length !== 1) return <div className="empty">{selected.length ? t("{n} nodes selected", { n: selected.length }) : t("Select a node to edit it.")}</div>;
  const nodeId = selected[0];
  const node = nodesOf(flow)[nodeId];
  if (node === undefined) return null;
  const kind = isObject(node) && typeof node.kind === "string" ? node.kind : "";
  const spec = catalogue[kind];
  const mine = issues.filter((i) => i.flow === flowId && i.node === nodeId);
  const ctx: Ctx = {
    flowId,
    nodeId,
    node,
    set: (path, value) =>
      edit(flowId, (doc) => ({ ...doc, flow: setPath(doc.flow, ["nodes", nodeId, ...path], value) }), `${nodeId}/${path.join("/")}`),
    issuesAt: (ptr: string, below = false) => mine.filter((i) => i.pointer === ptr || (below && i.pointer.startsWith(ptr + "/"))),
  };
  const known = new Set(spec?.fields.map((f) => f.name) ?? []);
  const unplaced = mine.filter((i) => ![...known].some((k) => i.pointer.startsWith(pointer("nodes", nodeId, k))));
  return (
    <div className="inspector" data-testid="inspector" data-node={nodeId}>
      <div className="inspector-head">
        <span className="kind">{kind}</span>
        <input
          aria-label={t("node id")}
          value={newId ?? nodeId}
          onChange={(e) => setNewId(e.target.value)}
          onBlur={() => {
            if (newId && newId !== nodeId && /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(newId) && !(newId in nodesOf(flow))) {
              edit(flowId, (doc) => renameNode(doc, nodeId, newId, catalogue));
              select([newId]);
            }
            setNewId(null);
          }}
        />
      </div>
      <div className="inspector-actions">
        <button onClick={onConnect}>{t("Connect…")}</button>
        <button onClick={() => onStartHere(nodeId)}>{t("Test from here")}</button>
      </div>
      {spec?.description && <p className="description">{spec.description}</p>}
      <FieldIssues issues={unplaced} />
      {spec ? (
        spec.fields.map((f) => <Field key={f.name} f={f} path={[f.name]} ctx={ctx} />)
      ) : (
        <JsonWidget label="node" value={node} onChange={(v) => edit(flowId, (doc) => ({ ...doc, flow: setPath(doc.flow, ["nodes", nodeId], v ?? {}) }))} />
      )}
    </div>
  );
}
