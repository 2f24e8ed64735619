// The test chat: the real engine with the drafts applied, on a virtual clock, each reply drawn as its
// channel shows it (from the renderer the sender uses), with the renderer's notes.
import { useEffect, useState } from "react";
import { api, ApiError, type Turn } from "../lib/api";
import { useT } from "../lib/i18n";
import { describe, type Shown } from "../lib/render";
import { changedFlows, useStore } from "../store";

interface Line {
  who: "user" | "bot" | "clock";
  text: string;
  shown?: Shown[];
  notes?: string[];
}

export function Chat({ flowId, startAt, onStarted }: { flowId: string; startAt: string | null; onStarted: () => void }) {
  const t = useT();
  const bot = useStore((st) => st.bot);
  const setTurn = useStore((st) => st.setTurn);
  const turn = useStore((st) => st.lastTurn);
  const channels = Array.from(new Set([...(bot?.channels ?? []), "whatsapp", "messenger", "instagram", "web"]));
  const [channel, setChannel] = useState("whatsapp");
  const [chat, setChat] = useState<string | null>(null);
  const [lines, setLines] = useState<Line[]>([]);
  const [text, setText] = useState("");
  const [error, setError] = useState("");
  const [testName, setTestName] = useState("");
  const [saved, setSaved] = useState("");
  const [openList, setOpenList] = useState<number | null>(null);
  const [clockAt, setClockAt] = useState("");
  const [busy, setBusy] = useState(false);

  const take = (tr: Turn, extra: Line[] = [], fresh = false) => {
    setTurn(tr, fresh);
    const bots: Line[] = tr.messages.map((m) => {
      const r = m.rendered[channel] ?? Object.values(m.rendered)[0];
      return { who: "bot", text: m.text ?? "", shown: r ? r.payloads.map(describe) : undefined, notes: r?.notes ?? [] };
    });
    setLines((ls) => [...ls, ...extra, ...bots]);
  };
  const guard = async (fn: () => Promise<void>) => {
    setError("");
    try {
      await fn();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const start = (node: string | null) =>
    guard(async () => {
      setLines([]);
      const tr = await api.chat(channel, node ? { flow: flowId, node } : null, changedFlows(useStore.getState()), clockAt || null);
      setChat(tr.chat);
      setSaved("");
      take(tr, [], true);
    });
  useEffect(() => {
    if (!startAt) return;
    onStarted();
    void start(startAt);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [startAt]);
  const ensure = async (): Promise<string> => {
    if (chat) return chat;
    const tr = await api.chat(channel, null, changedFlows(useStore.getState()), clockAt || null);
    setChat(tr.chat);
    take(tr, [], true);
    return tr.chat;
  };
  const say = (body: { text: string } | { button: string }, shownAs: string) =>
    guard(async () => {
      setLines((ls) => [...ls, { who: "user", text: shownAs }]);
      setBusy(true);
      try {
        const c = await ensure();
        take(await api.say(c, body));
      } finally {
        setBusy(false);
      }
    });
  const advance = (by: string) =>
    guard(async () => {
      setLines((ls) => [...ls, { who: "clock", text: `+${by}` }]);
      setBusy(true);
      try {
        const c = await ensure();
        take(await api.advance(c, by));
      } finally {
        setBusy(false);
      }
    });

  return (
    <div className="chat-panel" data-testid="chat">
      <div className="chat-tools">
        <select aria-label={t("channel")} value={channel} onChange={(e) => setChannel(e.target.value)}>
          {channels.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <input
          type="datetime-local"
          aria-label={t("Clock starts at")}
          title={t("Clock starts at")}
          value={clockAt}
          onChange={(e) => setClockAt(e.target.value)}
        />
        <button onClick={() => start(null)}>{chat ? t("Restart") : t("Start")}</button>
        {["10m", "1h", "25h"].map((by) => (
          <button key={by} data-testid={`advance-${by}`} onClick={() => advance(by)}>
            +{by.replace("m", " min").replace("h", " h")}
          </button>
        ))}
      </div>
      <div className={"phone " + channel} data-channel={channel}>
        <div className="phone-screen" data-testid="phone">
          {lines.map((l, i) => (
            <div key={i} className={"bubble-row " + l.who}>
              {l.who === "bot" && l.shown ? (
                l.shown.map((sh, j) => (
                  <div key={j} className={"bubble bot form-" + sh.form} data-form={sh.form}>
                    <div className="bubble-text">{sh.text}</div>
                    {sh.form === "template" && (
                      <div className="template-text">
                        {sh.params && sh.params.length > 0 && <div className="muted">{sh.params.join(" · ")}</div>}
                        {l.text && <div>{l.text}</div>}
                      </div>
                    )}
                    {sh.buttons.map((b) => (
                      <button key={b.id} className="reply-button" onClick={() => say({ button: b.id }, b.title)}>
                        {b.title}
                      </button>
                    ))}
                    {sh.form === "list" && (
                      <>
                        <button className="list-button" data-testid="wa-list-button" onClick={() => setOpenList(openList === i ? null : i)}>
                          ☰ {sh.listButton}
                        </button>
                        {openList === i && (
                          <div className="list-rows" data-testid="wa-list">
                            {sh.rows?.map((r) => (
                              <button key={r.id} className="list-row" onClick={() => { setOpenList(null); void say({ button: r.id }, r.title); }}>
                                <b>{r.title}</b>
                                {r.description && <small>{r.description}</small>}
                              </button>
                            ))}
                          </div>
                        )}
                      </>
                    )}
                  </div>
                ))
              ) : (
                <div className={"bubble " + l.who}>{l.text}</div>
              )}
              {l.notes?.map((n) => (
                <div key={n} className="render-note" data-testid="render-note">
                  ⚠ {n}
                </div>
              ))}
            </div>
          ))}
          {busy && <div className="typing" data-testid="typing">…</div>}
        </div>
        <form
          className="phone-input"
          onSubmit={(e) => {
            e.preventDefault();
            if (!text.trim()) return;
            const body = text;
            setText("");
            void say({ text: body }, body);
          }}
        >
          <input aria-label={t("Message")} placeholder={t("Message")} value={text} onChange={(e) => setText(e.target.value)} />
          <button type="submit">{t("Send")}</button>
        </form>
      </div>
      {error && <div className="error-box">{error}</div>}
      <div className="save-test">
        <input aria-label={t("test name")} placeholder={t("test name")} value={testName} onChange={(e) => setTestName(e.target.value)} />
        <button
          disabled={!chat || !testName}
          onClick={() =>
            guard(async () => {
              const r = await api.saveTest(chat!, testName);
              setSaved(r.file);
            })
          }
        >
          {t("Save as test")}
        </button>
        {saved && <span data-testid="saved-test">{t("Saved {file}", { file: saved })}</span>}
      </div>
      {turn && (
        <div className="chat-side">
          {turn.explain && turn.explain.length > 0 && (
            <>
              <h4>{t("Why?")}</h4>
              <ul className="explain" data-testid="explain">
                {turn.explain.map((line, i) => (
                  <li key={i}>{line}</li>
                ))}
              </ul>
            </>
          )}
          <h4>{t("Decisions")}</h4>
          <pre>{turn.decisions.map((d) => JSON.stringify(d)).join("\n") || "—"}</pre>
          <h4>{t("Variables")}</h4>
          <table className="vars">
            <tbody>
              {Object.entries(turn.variables).map(([k, v]) => (
                <tr key={k}>
                  <td>{k}</td>
                  <td>{JSON.stringify(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="muted">
            {t("Clock")}: {turn.now}
            {turn.waiting ? ` · ${t("waiting at")} ${turn.waiting.flow}/${turn.waiting.node}` : ""}
          </div>
        </div>
      )}
    </div>
  );
}
