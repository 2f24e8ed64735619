// One conversation: the transcript (with where the bot was), the composer (reply, quick replies, templates,
// internal notes), take over / assign / hand back, and the contact's profile beside it.
import { useCallback, useEffect, useRef, useState } from "react";
import { admin, clock, convPath, day, type Canned, type Line, type Profile } from "./api";
import { ProfilePanel } from "./ProfilePanel";
import { useTr } from "./words";

interface Props {
  conv: { channel: string; user: string };
  me: string;
  tick: number;
  onBack: () => void;
  onChanged: () => void;
}

function Bubble({ line }: { line: Line }) {
  const tr = useTr();
  const who = line.dir === "note" ? tr("Note") : line.by === "patient" ? tr("Patient") : line.by === "staff" ? (line.staff ?? tr("Staff")) : line.by === "bot" ? tr("Bot") : line.by;
  return (
    <li className={`line line-${line.dir} by-${line.by}`} data-testid={`line-${line.dir}`}>
      <span className="line-head muted">
        {who} · {day(line.at_local)} {clock(line.at_local)}
        {line.where && <> · {line.where}</>}
        {line.status && (
          <span className={`status status-${line.status}`} title={line.error ?? ""} data-testid="line-status">
            {" · "}
            {tr(line.status)}
          </span>
        )}
      </span>
      <span className="line-text">{line.text}</span>
      {line.options && line.options.length > 0 && <span className="line-options muted">[{line.options.join("] [")}]</span>}
      {line.template && <span className="muted"> ({line.template})</span>}
    </li>
  );
}

export function Conversation({ conv, me, tick, onBack, onChanged }: Props) {
  const tr = useTr();
  const base = convPath(conv);
  const [lines, setLines] = useState<Line[]>([]);
  const [older, setOlder] = useState<string | null>(null);
  const [profile, setProfile] = useState<Profile | null>(null);
  const [canned, setCanned] = useState<Canned | null>(null);
  const [mode, setMode] = useState<"reply" | "note">("reply");
  const [text, setText] = useState("");
  const [assignTo, setAssignTo] = useState("");
  const [flow, setFlow] = useState("");
  const [error, setError] = useState("");
  const bottom = useRef<HTMLDivElement>(null);

  const load = useCallback(() => {
    const failed = (e: unknown) => setError(String(e instanceof Error ? e.message : e));
    admin<{ messages: Line[]; before: string | null }>("GET", `${base}/messages?limit=100`).then((p) => {
      setLines(p.messages);
      setOlder(p.before);
    }, failed);
    admin<Profile>("GET", `${base}/profile`).then(setProfile, failed);
    const q = new URLSearchParams({ channel: conv.channel, user: conv.user });
    admin<Canned>("GET", `/admin/quick-replies?${q}`).then(setCanned, failed);
  }, [base, conv.channel, conv.user]);

  useEffect(load, [load, tick]);
  useEffect(() => {
    admin("POST", `${base}/read`, {}).then(onChanged, () => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [base, tick]);
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: "end" }); // (returns a promise in newer browsers: never the effect's result)
  }, [lines.length]);

  const act = (path: string, body: unknown = {}) =>
    admin("POST", `${base}/${path}`, body).then(
      () => {
        setError("");
        load();
        onChanged();
      },
      (e: unknown) => setError(String(e instanceof Error ? e.message : e)),
    );

  const send = (body: Record<string, unknown>) => act("messages", body).then(() => setText(""));

  const withStaff = profile?.with_staff ?? false;
  const windowOpen = profile?.window_open ?? true;
  return (
    <>
      <section className="inbox-conv" data-testid="conversation">
        <div className="conv-head">
          <button className="small back" onClick={onBack}>
            ← {tr("Back")}
          </button>
          <b data-testid="conv-name">{profile?.name ?? conv.user}</b>
          <span className="chip">{conv.channel}</span>
          {profile?.where && <span className="muted">{tr("Bot is at {where}", { where: profile.where })}</span>}
          <span className="spacer" />
          {!withStaff && (
            <button className="primary small" data-testid="takeover" onClick={() => act("takeover")}>
              {tr("Take over")}
            </button>
          )}
          {withStaff && profile?.assignee !== me && (
            <button className="small" data-testid="assign-me" onClick={() => act("assign", { to: "me" })}>
              {tr("Assign to me")}
            </button>
          )}
        </div>
        {withStaff && (
          <div className="conv-actions">
            <input aria-label={tr("Assign to…")} data-testid="assign-to" placeholder={tr("Assign to…")} value={assignTo} onChange={(e) => setAssignTo(e.target.value)} />
            <button className="small" disabled={!assignTo.trim()} data-testid="assign" onClick={() => act("assign", { to: assignTo.trim() }).then(() => setAssignTo(""))}>
              {tr("Assign")}
            </button>
            <select aria-label={tr("Hand back to the bot")} data-testid="handback-flow" value={flow} onChange={(e) => setFlow(e.target.value)}>
              <option value="">{tr("where it was")}</option>
              {(profile?.flows ?? []).map((f) => (
                <option key={f}>{f}</option>
              ))}
            </select>
            <button className="small" data-testid="handback" onClick={() => act("resume", flow ? { flow } : {})}>
              {tr("Hand back to the bot")}
            </button>
          </div>
        )}
        <div className="transcript">
          {older && (
            <button
              className="small"
              onClick={() =>
                admin<{ messages: Line[]; before: string | null }>("GET", `${base}/messages?limit=100&before=${encodeURIComponent(older)}`).then(
                  (p) => {
                    setLines((l) => [...p.messages, ...l]);
                    setOlder(p.before);
                  },
                  (e: unknown) => setError(String(e instanceof Error ? e.message : e)),
                )
              }
            >
              {tr("Older messages")}
            </button>
          )}
          <ul data-testid="transcript">
            {lines.map((l) => (
              <Bubble key={l.cursor} line={l} />
            ))}
          </ul>
          <div ref={bottom} />
        </div>
        {error && (
          <p className="error-text pad" data-testid="conv-error">
            {error}
          </p>
        )}
        {!withStaff && <p className="muted pad">{tr("The bot is handling this conversation. Take it over to reply.")}</p>}
        <div className="composer">
          <div className="composer-tabs">
            <button className={`small${mode === "reply" ? " primary" : ""}`} disabled={!withStaff} onClick={() => setMode("reply")}>
              {tr("Reply")}
            </button>
            <button className={`small${mode === "note" || !withStaff ? " primary" : ""}`} data-testid="mode-note" onClick={() => setMode("note")}>
              {tr("Internal note")}
            </button>
          </div>
          {mode === "reply" && withStaff && canned && (
            <div className="quick" data-testid="quick-replies">
              {windowOpen ? (
                <>
                  {canned.replies.map((r) => (
                    <button key={r.id} className="small" title={r.text} data-quick={r.id} onClick={() => send({ quick_reply: r.id })}>
                      {r.title}
                    </button>
                  ))}
                  <button
                    className="small"
                    data-testid="send-file"
                    title={tr("Send a file by its https address; the text box is its caption")}
                    onClick={() => {
                      const url = window.prompt(tr("The file's https address (image, PDF, audio or video)"));
                      if (!url) return;
                      const kind = /\.(png|jpe?g|webp|gif)$/i.test(url) ? "image" : /\.(mp4|3gp)$/i.test(url) ? "video"
                        : /\.(mp3|ogg|opus|aac|m4a|amr)$/i.test(url) ? "audio" : "document";
                      send({ media: { kind, url }, text });
                    }}
                  >
                    {tr("File…")}
                  </button>
                </>
              ) : (
                <>
                  <span className="muted">{tr("The 24-hour window is closed: only a template can be sent.")}</span>
                  {canned.templates.map((tpl) => (
                    <button key={tpl.id} className="small" data-template={tpl.id} onClick={() => send({ template: tpl.id })}>
                      {tpl.title}
                    </button>
                  ))}
                </>
              )}
            </div>
          )}
          <form
            className="composer-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (!text.trim()) return;
              if (mode === "note" || !withStaff) act("notes", { text }).then(() => setText(""));
              else send({ text });
            }}
          >
            <textarea
              data-testid="composer"
              rows={2}
              value={text}
              placeholder={mode === "note" || !withStaff ? tr("Type a note (never sent)…") : tr("Type a reply…")}
              disabled={mode === "reply" && withStaff && !windowOpen}
              onChange={(e) => setText(e.target.value)}
            />
            <button className="primary" type="submit" data-testid="send">
              {mode === "note" || !withStaff ? tr("Add note") : tr("Send")}
            </button>
          </form>
        </div>
      </section>
      {profile && <ProfilePanel profile={profile} base={base} onChanged={() => { load(); onChanged(); }} />}
    </>
  );
}
