// The campaigns page: the bot's campaigns (campaigns.json) with "Run now", and their runs, each with its
// report and the steering its status allows. While a run is running the page asks again every few seconds.
import { useCallback, useEffect, useRef, useState } from "react";
import { admin, AdminError } from "../inbox/api";
import { useStore } from "../store";
import { SignIn } from "../inbox/Inbox";
import { runPath, runsOf, type Campaign, type Listing, type Report, type Run } from "./api";
import { actions, breakdown, live, newestFirst, progress, toReport, total, when, withOffset, withReport, type Action } from "./logic";
import { useTr } from "./words";
import "../inbox/inbox.css";
import "./campaigns.css";

const EVERY_MS = 3000; // while a run is running
const IDLE_MS = 30_000; // otherwise: deliveries, reads and replies keep coming after a run is done
const REPORTED = 20; // the newest runs get their report; older ones their status

type Me = { name: string; role: string };

function CampaignCard({ c, busy, onRun }: { c: Campaign; busy: boolean; onRun: (at: string | null) => void }) {
  const tr = useTr();
  const [later, setLater] = useState(false);
  const [local, setLocal] = useState("");
  const at = withOffset(local);
  return (
    <li className="camp-card" data-testid="campaign" data-name={c.name}>
      <div className="camp-top">
        <b>{c.name}</b>
        <span className="chip">{tr(c.purpose)}</span>
        <span className="chip">{c.channel}</span>
      </div>
      {c.title && <div>{c.title}</div>}
      <div className="muted">
        {tr("Template")}: <span className="mono" data-testid="campaign-template">{c.template.name}</span> ({c.template.language}) · {tr("Flow")}: {c.flow}
      </div>
      <div className="camp-actions">
        <button className="primary" data-testid="run-now" disabled={busy} onClick={() => onRun(null)}>
          {tr("Run now")}
        </button>
        <button data-testid="run-later" disabled={busy} onClick={() => setLater(!later)} aria-expanded={later}>
          {tr("Schedule…")}
        </button>
      </div>
      {later && (
        <form
          className="camp-top"
          onSubmit={(e) => {
            e.preventDefault();
            if (at) onRun(at);
          }}
        >
          <label className="camp-at">
            {tr("Start at (your clock; it still waits for business hours)")}
            <input type="datetime-local" data-testid="run-at" value={local} onChange={(e) => setLocal(e.target.value)} />
          </label>
          <button className="primary" type="submit" data-testid="run-schedule" disabled={busy || !at}>
            {tr("Schedule")}
          </button>
        </form>
      )}
    </li>
  );
}

function Num({ label, value, id, title }: { label: string; value: number | string; id: string; title?: string }) {
  return (
    <div className="camp-num" title={title}>
      <span className="muted">{label}</span>
      <b data-testid={`report-${id}`}>{value}</b>
    </div>
  );
}

function RunCard({ run, report, busy, onAct }: { run: Run; report?: Report; busy: boolean; onAct: (a: Action) => void }) {
  const tr = useTr();
  const lang = useStore((s) => s.lang);
  const p = progress(run);
  return (
    <li className={`camp-card run-${run.status}`} data-testid="run" data-run={run.id} data-status={run.status}>
      <div className="camp-top">
        <b className="mono run-id">{run.id}</b>
        <span className={`chip status-chip status-${run.status}`} data-testid="run-status">
          {tr(run.status)}
        </span>
      </div>
      <div className="muted">
        {tr("Campaign")}: {run.campaign} · {tr("Created")}: <span data-testid="run-created">{when(run.created, lang)}</span>
        {run.not_before && <> · {tr("starts at {when}", { when: when(run.not_before, lang) })}</>}
      </div>
      {(run.waiting || run.why) && <div className="muted">{run.waiting ?? run.why}</div>}
      <div className="camp-progress" aria-label={tr("Progress")}>
        <div className="camp-bar">
          <span style={{ width: `${p.percent}%` }} />
        </div>
        <span data-testid="run-progress">{tr("{done} of {size}", { done: p.done, size: p.size })}</span>
      </div>
      {report && (
        <div className="camp-nums" data-testid="report">
          <Num label={tr("Audience")} value={report.audience} id="audience" />
          <Num label={tr("Skipped")} value={total(report.skipped)} id="skipped" title={breakdown(report.skipped)} />
          <Num label={tr("Sent")} value={report.sent} id="sent" />
          <Num label={tr("Delivered")} value={report.delivered} id="delivered" />
          <Num label={tr("Read")} value={report.read} id="read" />
          <Num label={tr("Replied")} value={report.replied} id="replied" />
          <Num label={tr("Failed")} value={total(report.failed)} id="failed" title={breakdown(report.failed)} />
          <Num label={tr("Opted out after")} value={report.opted_out_after} id="opted-out" />
        </div>
      )}
      {report && (total(report.skipped) > 0 || total(report.failed) > 0) && (
        <div className="muted" data-testid="report-reasons">
          {total(report.skipped) > 0 && <>{tr("Skipped")}: {breakdown(report.skipped)} </>}
          {total(report.failed) > 0 && <>{tr("Failed")}: {breakdown(report.failed)}</>}
        </div>
      )}
      {actions(run.status).length > 0 && (
        <div className="camp-actions">
          {actions(run.status).map((a) => (
            <button key={a} data-testid={`run-${a}`} disabled={busy} onClick={() => onAct(a)}>
              {tr(a === "pause" ? "Pause" : a === "resume" ? "Resume" : "Cancel")}
            </button>
          ))}
        </div>
      )}
    </li>
  );
}

export function Campaigns() {
  const tr = useTr();
  const lang = useStore((s) => s.lang);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [listing, setListing] = useState<Listing | null>(null);
  const [reports, setReports] = useState<Record<string, Report>>({});
  const [forbidden, setForbidden] = useState("");
  const [error, setError] = useState(""); // the last look at the server failed
  const [refused, setRefused] = useState(""); // the last action was refused (cleared by the next one)
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);

  const whoAmI = useCallback(() => {
    admin<Me>("GET", "/admin/me").then(setMe, () => setMe(null));
  }, []);
  useEffect(whoAmI, [whoAmI]);

  const failed = useCallback((e: unknown, show: (message: string) => void) => {
    if (e instanceof AdminError && e.status === 403) setForbidden(e.message);
    else if (e instanceof AdminError && e.status === 401) setMe(null);
    else show(e instanceof Error ? e.message : String(e));
  }, []);

  const last = useRef<Record<string, Report>>({});
  const load = useCallback(
    async (full = true) => {
      try {
        const got = await admin<Listing>("GET", "/admin/campaigns");
        const ids = toReport(got.runs, last.current, full, REPORTED);
        const fresh = await Promise.all(ids.map((id) => admin<Report>("GET", runPath(id))));
        const kept = new Set(newestFirst(got.runs).slice(0, REPORTED).map((r) => r.id));
        last.current = Object.fromEntries([
          ...Object.entries(last.current).filter(([id]) => kept.has(id)),
          ...fresh.map((r) => [r.id, r] as const),
        ]);
        setListing(got);
        setReports(last.current);
        setError("");
      } catch (e) {
        failed(e, setError);
      }
    },
    [failed],
  );

  const allowed = me?.role === "admin";
  useEffect(() => {
    if (allowed) void load();
  }, [allowed, load]);

  const runs = newestFirst((listing?.runs ?? []).map((r) => withReport(r, reports[r.id])));
  const moving = live(runs);
  useEffect(() => {
    if (!allowed) return;
    const every = window.setInterval(() => void load(!moving), moving ? EVERY_MS : IDLE_MS);
    return () => window.clearInterval(every);
  }, [allowed, moving, load]);

  const act = (method: string, path: string, body?: unknown) => {
    setBusy(true);
    setNote("");
    setRefused("");
    return admin<{ id: string; audience?: number }>(method, path, body)
      .then((got) => {
        if (got.audience !== undefined) setNote(tr("Started run {id}: {n} contacts.", { id: got.id, n: got.audience }));
      }, (e: unknown) => failed(e, setRefused))
      .then(() => load()) // refused or not, show what the server has now
      .finally(() => setBusy(false));
  };

  if (me === undefined) return null;
  if (me === null) return <SignIn onDone={whoAmI} title="Campaigns" />;
  const denied = !allowed ? tr("Campaigns need an admin account. You are signed in as {name} ({role}); ask an admin to run them.", { name: me.name, role: me.role }) : forbidden;
  return (
    <main className="page campaigns" data-testid="campaigns">
      <div className="camp-head">
        <h2>{tr("Campaigns")}</h2>
        <span className="muted" data-testid="campaigns-me">
          {tr("Signed in as {name}", { name: me.name })}
        </span>
        <span className="spacer" />
        {allowed && (
          <button className="small" data-testid="refresh" onClick={() => void load()}>
            {tr("Refresh")}
          </button>
        )}
      </div>
      {denied && (
        <div className="error-box" role="alert" data-testid="campaigns-forbidden">
          {denied}
        </div>
      )}
      {error && (
        <div className="error-box" role="alert" data-testid="campaigns-error">
          {error}
        </div>
      )}
      {refused && (
        <div className="error-box" role="alert" data-testid="campaigns-refused">
          {refused}
        </div>
      )}
      {note && (
        <p className="muted" role="status" data-testid="campaigns-note">
          {note}
        </p>
      )}
      {!denied && listing && (
        <>
          <ul className="camp-list" data-testid="campaign-list">
            {listing.campaigns.map((c) => (
              <CampaignCard
                key={c.name}
                c={c}
                busy={busy}
                onRun={(at) => {
                  const ask = at ? tr("Schedule a run of {name} for {when}? Its audience is read now.", { name: c.name, when: when(at, lang) }) : tr("Start a run of {name} now? Its audience is read now.", { name: c.name });
                  if (confirm(ask)) void act("POST", runsOf(c.name), at ? { at } : {});
                }}
              />
            ))}
          </ul>
          {!listing.campaigns.length && <p className="muted">{tr("No campaigns: add them to campaigns.json in the bot folder.")}</p>}
          <h3>
            {tr("Runs")} {moving && <span className="muted">{tr("Updating every few seconds while a run is running.")}</span>}
          </h3>
          <ul className="camp-list" data-testid="run-list">
            {runs.map((r) => (
              <RunCard
                key={r.id}
                run={r}
                report={reports[r.id]}
                busy={busy}
                onAct={(a) => {
                  if (a !== "cancel" || confirm(tr("Cancel this run? Contacts not reached yet will not get it."))) void act("POST", `${runPath(r.id)}/${a}`);
                }}
              />
            ))}
          </ul>
          {!runs.length && <p className="muted">{tr("No runs yet.")}</p>}
        </>
      )}
    </main>
  );
}
