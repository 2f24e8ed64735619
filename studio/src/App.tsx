import { ReactFlowProvider } from "@xyflow/react";
import { useEffect, useState } from "react";
import { api, ApiError } from "./lib/api";
import { extractFlow } from "./lib/clipboard";
import { useT } from "./lib/i18n";
import { isObject } from "./lib/json";
import { startEffects } from "./effects";
import { Campaigns } from "./campaigns/Campaigns";
import { Inbox } from "./inbox/Inbox";
import { useStore, type Panel } from "./store";
import { Canvas, ENTRY } from "./ui/Canvas";
import { Chat } from "./ui/Chat";
import { Inspector } from "./ui/Inspector";
import { AnalyticsControls, Palette, Problems, Search, TargetPicker, Translations, Variables, Versions } from "./ui/Panels";
import { MergePrompt, mergeFromDisk, PublishReview, type MergeState } from "./ui/Publish";

function useRoute(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return hash.replace(/^#\/?/, "");
}

export function go(path: string): void {
  location.hash = "#/" + path;
}

function Home() {
  const t = useT();
  const bot = useStore((s) => s.bot);
  if (!bot) return null;
  return (
    <main className="home" data-testid="home">
      <h1>{bot.name}</h1>
      <p className="muted">
        {t("Languages")}: {[bot.default_locale, ...bot.locales.filter((l) => l !== bot.default_locale)].join(", ")} · {t("Channels")}: {bot.channels.join(", ")}
      </p>
      <ul className="flow-list">
        {bot.flows.map((f) => (
          <li key={f.id}>
            <a href={`#/flow/${encodeURIComponent(f.id)}`} data-flow={f.id}>
              <b>{f.id}</b> <span className="muted">{f.file}</span>
              {f.errors > 0 && <span className="badge error">{t("{n} errors", { n: f.errors })}</span>}
              {f.warnings > 0 && <span className="badge warning">{t("{n} warnings", { n: f.warnings })}</span>}
              {!f.errors && !f.warnings && <span className="badge ok">✓</span>}
              {f.draft && <span className="chip">{t("draft")}</span>}
            </a>
          </li>
        ))}
      </ul>
    </main>
  );
}

const TABS: Panel[] = ["inspector", "problems", "chat", "versions", "analytics"];

function FlowEditor({ flowId, focusNode }: { flowId: string; focusNode: string | null }) {
  const t = useT();
  const s = useStore();
  const f = s.flows[flowId];
  const [err, setErr] = useState("");
  const [publishing, setPublishing] = useState(false);
  const [merge, setMerge] = useState<MergeState | null>(null);
  const [searching, setSearching] = useState(false);
  const [picking, setPicking] = useState<string | null>(null);
  const [startAt, setStartAt] = useState<string | null>(null);
  const [analytics, setAnalytics] = useState<Parameters<typeof Canvas>[0]["analytics"]>(null);

  useEffect(() => {
    s.open(flowId);
    if (!useStore.getState().flows[flowId])
      api.flow(flowId).then(
        (ff) => useStore.getState().loadFlow(ff),
        (e: unknown) => setErr(e instanceof ApiError ? e.message : String(e)),
      );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [flowId]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = (e.target as HTMLElement).tagName === "INPUT" || (e.target as HTMLElement).tagName === "TEXTAREA";
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        setSearching(true);
      } else if (!typing && e.key === "c" && !e.ctrlKey && !e.metaKey) {
        const sel = useStore.getState().selected.filter((x) => x !== ENTRY);
        if (sel.length === 1) setPicking(sel[0]);
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const loaded = !!f;
  useEffect(() => {
    if (!loaded || !focusNode) return;
    useStore.getState().select([focusNode]);
    useStore.getState().setFocus({ node: focusNode, pointer: null });
  }, [loaded, focusNode]);

  if (err) return <div className="error-box">{err}</div>;
  if (!f) return <div className="loading">{t("Loading…")}</div>;
  const errors = s.issues.filter((i) => i.severity === "error").length;
  const warnings = s.issues.length - errors;
  const dirty = JSON.stringify(f.doc.flow) !== JSON.stringify(f.baseJson) || f.isNew;

  const extract = () => {
    const ids = s.selected.filter((x) => x !== ENTRY);
    if (!ids.length) return;
    const name = prompt(t("Id of the new flow"), "novo_fluxo");
    if (!name || !/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(name) || s.flows[name] || s.bot?.flows.some((x) => x.id === name)) return;
    let made: ReturnType<typeof extractFlow> | null = null;
    try {
      made = extractFlow(f.doc.flow, f.doc.layout, ids, name, s.catalogue);
    } catch (e) {
      s.setStatus(e instanceof Error ? e.message : String(e));
      return;
    }
    const out = made;
    s.edit(flowId, () => ({ flow: out.flow, layout: out.layout }));
    if (made) s.addFlow(name, (made as ReturnType<typeof extractFlow>).newFlow, (made as ReturnType<typeof extractFlow>).newLayout);
  };

  return (
    <div className="editor">
      <div className="toolbar">
        <a href="#/" className="button">
          ← {t("Flows")}
        </a>
        <b className="flow-title">{flowId}</b>
        {Object.values(s.flows)
          .filter((x) => x.isNew)
          .map((x) => (
            <a key={x.id} className="chip" href={`#/flow/${x.id}`}>
              {x.id} ({t("new")})
            </a>
          ))}
        <button onClick={s.undo} disabled={!f.past.length} title="Ctrl+Z">
          ↶ {t("Undo")}
        </button>
        <button onClick={s.redo} disabled={!f.future.length} title="Ctrl+Shift+Z">
          ↷ {t("Redo")}
        </button>
        <button onClick={() => window.dispatchEvent(new CustomEvent("papo-tidy"))} title="Shift+Alt+T">
          {t("Tidy up")}
        </button>
        <button onClick={() => setSearching(true)} title="Ctrl+K">
          {t("Search")}
        </button>
        <button onClick={extract} disabled={!s.selected.filter((x) => x !== ENTRY).length}>
          {t("Extract into a new flow")}
        </button>
        <span className="spacer" />
        <span className="status" data-testid="status">
          {s.validating ? t("Checking…") : ""} {s.status}
        </span>
        <button className={"badge-button" + (errors ? " error" : "")} data-testid="problem-count" onClick={() => s.setPanel("problems")}>
          ✗ {errors} · ! {warnings}
        </button>
        <button className="primary" data-testid="publish" disabled={!dirty} onClick={() => setPublishing(true)}>
          {t("Publish")}
        </button>
      </div>
      {s.diskChanged[flowId] && (
        <div className="banner" data-testid="disk-changed">
          {t("This flow changed on disk.")}{" "}
          <button onClick={() => mergeFromDisk(flowId).then(setMerge)}>{t("Merge…")}</button>
        </div>
      )}
      <div className="editor-body">
        <Palette />
        <Canvas flowId={flowId} analytics={analytics} openFlow={(id) => go(`flow/${encodeURIComponent(id)}`)} />
        <aside className="side">
          <nav className="tabs" role="tablist">
            {TABS.map((p) => (
              <button key={p} role="tab" aria-selected={s.panel === p} className={s.panel === p ? "active" : ""} onClick={() => s.setPanel(p)} data-tab={p}>
                {{ inspector: t("Properties"), problems: t("Problems"), chat: t("Test chat"), versions: t("Versions"), analytics: t("Analytics") }[p as string] ?? p}
              </button>
            ))}
          </nav>
          <div className="side-body">
            {s.panel === "inspector" && (
              <Inspector
                flowId={flowId}
                onConnect={() => {
                  const sel = s.selected.filter((x) => x !== ENTRY);
                  if (sel.length === 1) setPicking(sel[0]);
                }}
                onStartHere={(node) => {
                  setStartAt(node);
                  s.setPanel("chat");
                }}
              />
            )}
            {s.panel === "problems" && <Problems flowId={flowId} openFlow={(id) => go(`flow/${encodeURIComponent(id)}`)} />}
            <div hidden={s.panel !== "chat"}>
              <Chat flowId={flowId} startAt={startAt} onStarted={() => setStartAt(null)} />
            </div>
            {s.panel === "versions" && <Versions flowId={flowId} />}
            <div hidden={s.panel !== "analytics"}>
              <AnalyticsControls flowId={flowId} onData={setAnalytics} />
            </div>
          </div>
        </aside>
      </div>
      {publishing && <PublishReview onClose={() => setPublishing(false)} onMerge={setMerge} />}
      {merge && <MergePrompt state={merge} onClose={() => setMerge(null)} />}
      {searching && <Search flowId={flowId} onClose={() => setSearching(false)} />}
      {picking && <TargetPicker flowId={flowId} node={picking} onClose={() => setPicking(null)} />}
    </div>
  );
}

export function App() {
  const t = useT();
  const route = useRoute();
  const bot = useStore((s) => s.bot);
  const lang = useStore((s) => s.lang);
  const setLang = useStore((s) => s.setLang);
  const [error, setError] = useState("");

  useEffect(() => {
    Promise.all([api.bot(), api.schema()]).then(
      ([b, sc]) => {
        const st = useStore.getState();
        const flowSchema = sc.schemas["flow.schema.json"] ?? Object.values(sc.schemas).find((x) => isObject(x) && String(x.$id ?? "").includes("flow"));
        const hints = Object.fromEntries(Object.entries(sc.kinds ?? {}).map(([k, v]) => [k, v.ui ?? {}]));
        if (flowSchema) st.setSchema(flowSchema, hints);
        st.setBot(b);
      },
      (e: unknown) => setError(e instanceof ApiError && e.status === 401 ? t("Not signed in: open the link papo studio printed.") : String(e instanceof Error ? e.message : e)),
    );
    return startEffects();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const [page, ...rest] = route.split("/");
  return (
    <div className="app">
      <header className="top">
        <a href="#/" className="brand">
          papo studio
        </a>
        {bot && <span className="bot-name">{bot.name}</span>}
        <nav>
          <a href="#/">{t("Flows")}</a>
          <a href="#/variables">{t("Variables")}</a>
          <a href="#/translations">{t("Translations")}</a>
          <a href="#/inbox">{t("Inbox")}</a>
          <a href="#/campaigns">{t("Campaigns")}</a>
        </nav>
        <span className="spacer" />
        <select aria-label={t("Language")} data-testid="lang" value={lang} onChange={(e) => setLang(e.target.value as "en" | "pt-BR")}>
          <option value="pt-BR">Português</option>
          <option value="en">English</option>
        </select>
      </header>
      {error && page !== "inbox" && page !== "campaigns" && <div className="error-box">{error}</div>}
      {page === "inbox" && <Inbox />}
      {page === "campaigns" && <Campaigns />}
      {bot && page === "flow" && rest[0] && (
        <ReactFlowProvider key={decodeURIComponent(rest[0])}>
          <FlowEditor flowId={decodeURIComponent(rest[0])} focusNode={rest[1] ? decodeURIComponent(rest[1]) : null} />
        </ReactFlowProvider>
      )}
      {bot && page === "variables" && (
        <main className="page">
          <Variables />
        </main>
      )}
      {bot && page === "translations" && (
        <main className="page">
          <Translations />
        </main>
      )}
      {bot && !["flow", "variables", "translations", "inbox", "campaigns"].includes(page) && <Home />}
    </div>
  );
}
