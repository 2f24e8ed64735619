// The publish review (diff, lint, live conversations, warnings to confirm) and the merge prompt shown
// when the file changed on disk since it was opened (412, or the events stream).
import { useEffect, useState } from "react";
import { api, ApiError, type Issue, type Preview, type SemanticChange } from "../lib/api";
import { useT } from "../lib/i18n";
import type { Json } from "../lib/json";
import { mergeFlows } from "../lib/merge";
import { changedFlows, useStore } from "../store";

export interface MergeState {
  flow: string;
  current: { text: string; json: Json; sha256: string };
  merged: Json | null;
  conflicts: string[];
}

function payload(ids: string[]) {
  const s = useStore.getState();
  const out: Record<string, { json: Json; if_match: string | null }> = {};
  for (const id of ids) out[id] = { json: s.flows[id].doc.flow, if_match: s.flows[id].isNew ? null : s.flows[id].sha256 };
  return out;
}

export function mergeFrom412(e: ApiError, fallback: string): MergeState {
  const body = e.body as unknown as {
    current?: { text: string; json: Json; sha256: string };
    merge?: Record<string, { merged: Json | null; conflicts: string[] }>;
  };
  const flow = Object.keys(body.merge ?? {})[0] ?? fallback;
  const current = body.current ?? { text: "", json: null, sha256: "" };
  const m = body.merge?.[flow];
  if (m) return { flow, current, merged: m.merged, conflicts: m.conflicts };
  const f = useStore.getState().flows[flow];
  const local = mergeFlows(f.baseJson, f.doc.flow, current.json);
  return { flow, current, merged: local.conflicts.length ? null : local.merged, conflicts: local.conflicts };
}

export async function mergeFromDisk(flow: string): Promise<MergeState> {
  const cur = await api.flow(flow);
  const f = useStore.getState().flows[flow];
  const local = mergeFlows(f.baseJson, f.doc.flow, cur.json);
  return { flow, current: { text: cur.text, json: cur.json, sha256: cur.sha256 }, merged: local.merged, conflicts: local.conflicts };
}

export function MergePrompt({ state, onClose }: { state: MergeState; onClose: () => void }) {
  const t = useT();
  const rebase = useStore((s) => s.rebase);
  const mine = useStore((s) => s.flows[state.flow]?.doc.flow ?? null);
  const done = (keep: Json | null) => {
    rebase(state.flow, state.current, keep);
    onClose();
  };
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-label={t("The file changed on disk")} data-testid="merge-prompt">
        <h2>{t("The file changed on disk")}</h2>
        <p>{t("{flow} was changed outside the studio since you opened it.", { flow: state.flow })}</p>
        {state.conflicts.length ? (
          <p className="error-box">{t("Both sides changed: {nodes}", { nodes: state.conflicts.join(", ") })}</p>
        ) : (
          <p>{t("Your changes and theirs touch different nodes: they merge cleanly.")}</p>
        )}
        <div className="buttons">
          {state.merged !== null && !state.conflicts.length && (
            <button className="primary" onClick={() => done(state.merged)}>
              {t("Merge")}
            </button>
          )}
          <button onClick={() => done(mine)}>{t("Keep mine")}</button>
          <button onClick={() => done(null)}>{t("Take the file on disk")}</button>
        </div>
      </div>
    </div>
  );
}

const show = (v: Json | undefined) => (v === undefined || v === null ? "∅" : typeof v === "string" ? v : JSON.stringify(v));

/** The readable diff: per node, per field (texts per locale, exits, values), before and after. */
export function SemanticList({ changes }: { changes: SemanticChange[] }) {
  const t = useT();
  return (
    <ul className="semantic" data-testid="semantic">
      {changes.map((c, i) => (
        <li key={i} className={c.change}>
          {t(c.change)} <b>{c.node}</b>
          <ul>
            {c.fields.map((f, j) =>
              typeof f === "string" ? (
                <li key={j}>{f}</li>
              ) : (
                <li key={j} className={"field-change " + f.kind}>
                  <code>
                    {f.path}
                    {f.locale ? ` [${f.locale}]` : ""}
                  </code>
                  : <del>{show(f.before)}</del> → <ins>{show(f.after)}</ins>
                </li>
              ),
            )}
          </ul>
        </li>
      ))}
    </ul>
  );
}

export function PublishReview({ onClose, onMerge }: { onClose: () => void; onMerge: (m: MergeState) => void }) {
  const t = useT();
  const current = useStore((s) => s.current);
  const [ids] = useState(() => Object.keys(changedFlows(useStore.getState())));
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState("");
  const [blocking, setBlocking] = useState<Issue[]>([]);
  const [confirm, setConfirm] = useState(false);
  const [gitCommit, setGitCommit] = useState(false);
  const [requireTests, setRequireTests] = useState(false);
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [tests, setTests] = useState<string>("");
  const runTests = () => {
    setTests(t("Running the tests…"));
    api.runTests(changedFlows(useStore.getState())).then(
      (r) => setTests(t("Tests: {passed} passed, {failed} failed", { passed: r.passed, failed: r.failed })),
      (e: unknown) => setTests(e instanceof Error ? e.message : String(e)),
    );
  };

  const fail = (e: unknown) => {
    if (e instanceof ApiError && e.status === 412) {
      onClose();
      onMerge(mergeFrom412(e, current ?? ids[0]));
      return;
    }
    setError(e instanceof Error ? e.message : String(e));
    if (e instanceof ApiError && Array.isArray(e.body.issues)) setBlocking(e.body.issues as unknown as Issue[]);
  };

  useEffect(() => {
    if (!ids.length) return;
    api.preview(payload(ids)).then(setPreview, fail);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const errors = (preview?.issues ?? []).filter((i) => i.severity === "error");
  const warnings = (preview?.issues ?? []).filter((i) => i.severity === "warning");
  const publish = async () => {
    setBusy(true);
    setError("");
    try {
      await api.publish({ flows: payload(ids), message, confirm_warnings: confirm, git_commit: gitCommit, run_tests: requireTests });
      const s = useStore.getState();
      for (const id of ids) {
        const f = await api.flow(id);
        s.rebase(id, { text: f.text, json: f.json, sha256: f.sha256 }, null);
        await api.dropDraft(id).catch(() => undefined);
      }
      s.setBot(await api.bot());
      s.setStatus(t("Published"));
      setDone(true);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop">
      <div className="modal wide" role="dialog" aria-label={t("Publish")} data-testid="publish-review">
        <h2>{t("Review and publish")}</h2>
        {!ids.length && <p>{t("Nothing to publish: no flow differs from its file.")}</p>}
        {!preview && ids.length > 0 && !error && <p>{t("Preparing the review…")}</p>}
        {preview &&
          Object.entries(preview.diff).map(([id, d]) => (
            <section key={id} className="diff-section">
              <h3>
                {id}{" "}
                <span className="muted" data-testid="changed-lines">
                  {t("{del} line(s) removed, {add} added", {
                    del: d.text.split("\n").filter((l) => l.startsWith("-") && !l.startsWith("---")).length,
                    add: d.text.split("\n").filter((l) => l.startsWith("+") && !l.startsWith("+++")).length,
                  })}
                </span>
              </h3>
              <SemanticList changes={d.semantic} />
              <pre className="diff" data-testid="diff">
                {d.text.split("\n").map((l, i) => (
                  <div key={i} className={l.startsWith("+") && !l.startsWith("+++") ? "add" : l.startsWith("-") && !l.startsWith("---") ? "del" : ""}>
                    {l}
                  </div>
                ))}
              </pre>
              <p className="live" data-testid="live-conversations">
                {t("{n} live conversation(s) will finish on the old version.", { n: preview.live_conversations[id] ?? 0 })}
              </p>
            </section>
          ))}
        {[...errors, ...blocking].map((i, n) => (
          <div key={n} className="field-issue error">
            {i.file}:{i.line ?? ""} {i.message}
          </div>
        ))}
        {warnings.length > 0 && (
          <label className="confirm">
            <input type="checkbox" checked={confirm} onChange={(e) => setConfirm(e.target.checked)} />
            {t("Publish despite {n} warning(s)", { n: warnings.length })}
            <ul>
              {warnings.map((w, n) => (
                <li key={n}>{w.message}</li>
              ))}
            </ul>
          </label>
        )}
        <div className="tests-row">
          <button onClick={runTests}>{t("Run the bot's tests")}</button> <span data-testid="tests-result">{tests}</span>
        </div>
        <input aria-label={t("Publish message")} placeholder={t("Publish message")} value={message} onChange={(e) => setMessage(e.target.value)} />
        <label>
          <input type="checkbox" checked={gitCommit} onChange={(e) => setGitCommit(e.target.checked)} /> {t("Make a git commit")}
        </label>
        <label>
          <input type="checkbox" checked={requireTests} onChange={(e) => setRequireTests(e.target.checked)} />{" "}
          {t("Publish only if the bot's tests pass")}
        </label>
        {error && (
          <div className="error-box" data-testid="publish-error">
            {error}
          </div>
        )}
        {done && <div className="ok-box" data-testid="published">{t("Published")}</div>}
        <div className="buttons">
          <button onClick={onClose}>{done ? t("Close") : t("Cancel")}</button>
          {!done && (
            <button
              className="primary"
              data-testid="confirm-publish"
              disabled={busy || !ids.length || (!preview && !error) || errors.length > 0 || (warnings.length > 0 && !confirm)}
              onClick={publish}
            >
              {t("Publish")}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}
