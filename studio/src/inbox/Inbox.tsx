// The staff inbox: the queue of conversations with staff, one conversation, the contact's profile.
// Live: the server's events (GET /admin/inbox/events) make it fetch again; new and urgent conversations
// raise a browser notification with a sound.
import { useCallback, useEffect, useRef, useState } from "react";
import { admin, AdminError, clock, day, type Queue, type Waiting } from "./api";
import { Conversation } from "./Conversation";
import { useTr, waited } from "./words";
import "./inbox.css";

type Filter = "all" | "mine" | "unassigned";

export function SignIn({ onDone, title = "Inbox" }: { onDone: () => void; title?: string }) {
  const tr = useTr();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  return (
    <form
      className="inbox-signin"
      data-testid="inbox-signin"
      onSubmit={(e) => {
        e.preventDefault();
        admin("POST", "/admin/login", { name, password }).then(onDone, (err: unknown) => setError(String(err instanceof Error ? err.message : err)));
      }}
    >
      <h2>{tr(title)}</h2>
      <label>
        {tr("Name")}
        <input name="name" autoComplete="username" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        {tr("Password")}
        <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      <button className="primary" type="submit">
        {tr("Sign in")}
      </button>
      {error && <p className="error-text">{error}</p>}
    </form>
  );
}

function beep(urgent: boolean): void {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = urgent ? 880 : 660;
    gain.gain.value = 0.1;
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + (urgent ? 0.6 : 0.25));
  } catch {
    // no audio device: the notification alone
  }
}

function QueueItem({ item, open, onOpen }: { item: Waiting; open: boolean; onOpen: () => void }) {
  const tr = useTr();
  return (
    <li>
      <button
        className={`queue-item${open ? " open" : ""}${item.urgent ? " urgent" : ""}`}
        data-testid="queue-item"
        data-user={item.user}
        data-urgent={item.urgent ? "1" : "0"}
        onClick={onOpen}
      >
        <span className="queue-top">
          <b className="queue-name">{item.name ?? item.user}</b>
          <span className="chip">{item.channel}</span>
          {item.urgent && <span className="chip urgent-chip">{tr("urgent")}</span>}
          <span className="spacer" />
          {item.unread > 0 && (
            <span className="unread" data-testid="unread">
              {item.unread}
            </span>
          )}
        </span>
        <span className="queue-last" data-testid="queue-last">
          {item.last?.text ?? ""}
        </span>
        <span className="queue-meta muted">
          <span data-testid="queue-since">{tr("since {time}", { time: `${day(item.since_local)} ${clock(item.since_local)}` })}</span>
          {" · "}
          {tr("waiting {t}", { t: waited(item.waiting_s) })}
          {item.closed && item.next_opening_local && <> · {tr("closed until {when}", { when: `${day(item.next_opening_local)} ${clock(item.next_opening_local)}` })}</>}
        </span>
        <span className="queue-tags">
          {item.labels.map((l) => (
            <span key={l} className="chip label-chip">
              {l}
            </span>
          ))}
          {item.assignee && (
            <span className="chip assignee-chip" data-testid="queue-assignee">
              {tr("assigned to {name}", { name: item.assignee })}
            </span>
          )}
        </span>
      </button>
    </li>
  );
}

export function Inbox() {
  const tr = useTr();
  const [me, setMe] = useState<string | null | undefined>(undefined);
  const [queue, setQueue] = useState<Queue | null>(null);
  const [filter, setFilter] = useState<Filter>("all");
  const [channel, setChannel] = useState("");
  const [label, setLabel] = useState("");
  const [q, setQ] = useState("");
  const [open, setOpen] = useState<{ channel: string; user: string } | null>(null);
  const [tick, setTick] = useState(0); // bumps when the open conversation changed on the server
  const [notify, setNotify] = useState(typeof Notification !== "undefined" && Notification.permission === "granted");
  const seen = useRef<Map<string, boolean> | null>(null);

  const whoAmI = useCallback(() => {
    admin<{ name: string }>("GET", "/admin/me").then(
      (m) => setMe(m.name),
      (e: unknown) => setMe(e instanceof AdminError && [401, 404].includes(e.status) ? null : null),
    );
  }, []);
  useEffect(whoAmI, [whoAmI]);

  const load = useCallback(() => {
    const params = new URLSearchParams();
    if (filter === "mine") params.set("mine", "1");
    if (filter === "unassigned") params.set("unassigned", "1");
    if (channel) params.set("channel", channel);
    if (label) params.set("label", label);
    if (q.trim()) params.set("q", q.trim());
    admin<Queue>("GET", `/admin/inbox?${params}`).then((got) => {
      setQueue(got);
      const before = seen.current;
      const now = new Map(got.conversations.map((c) => [`${c.channel}:${c.user}`, c.urgent]));
      if (before !== null) {
        const fresh = got.conversations.filter((c) => !before.has(`${c.channel}:${c.user}`) || (c.urgent && !before.get(`${c.channel}:${c.user}`)));
        if (fresh.length) {
          const urgent = fresh.some((c) => c.urgent);
          beep(urgent);
          if (typeof Notification !== "undefined" && Notification.permission === "granted") {
            const first = fresh[0];
            new Notification(urgent ? tr("Urgent conversation") : tr("New conversation waiting"), { body: `${first.name ?? first.user}: ${first.last?.text ?? ""}`, tag: first.ref });
          }
        }
      }
      seen.current = now;
    }, () => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filter, channel, label, q]);

  useEffect(() => {
    if (!me) return;
    load();
    const source = new EventSource("/admin/inbox/events", { withCredentials: true });
    let timer: number | undefined;
    source.addEventListener("changed", (e) => {
      const changed = JSON.parse((e as MessageEvent<string>).data) as { channel: string; user: string; kind?: string };
      // One reload per burst of changes, at most 150 ms after the first: a steady stream of changes must
      // not put the reload off for ever.
      if (timer === undefined) {
        timer = window.setTimeout(() => {
          timer = undefined;
          load();
        }, 150);
      }
      if (changed.kind === "read") return; // the transcript did not change: only the queue's unread count
      setOpen((o) => {
        if (o && o.channel === changed.channel && o.user === changed.user) setTick((n) => n + 1);
        return o;
      });
    });
    source.addEventListener("ready", () => load());
    const every = window.setInterval(load, 30_000); // waiting times move on; a lost event is caught up
    return () => {
      source.close();
      window.clearInterval(every);
      window.clearTimeout(timer);
    };
  }, [me, load]);

  if (me === undefined) return null;
  if (me === null) return <SignIn onDone={whoAmI} />;
  const items = queue?.conversations ?? [];
  const channels = [...new Set(items.map((c) => c.channel))];
  return (
    <div className={`inbox${open ? " has-open" : ""}`} data-testid="inbox">
      <section className="inbox-queue">
        <div className="queue-head">
          <b>{tr("Inbox")}</b>
          <span className="muted" data-testid="inbox-me">
            {tr("Signed in as {name}", { name: me })}
          </span>
          <span className="spacer" />
          {!notify && typeof Notification !== "undefined" && (
            <button className="small" onClick={() => Notification.requestPermission().then((p) => setNotify(p === "granted"))}>
              {tr("Notifications")}
            </button>
          )}
        </div>
        <div className="queue-filters">
          {(["all", "mine", "unassigned"] as Filter[]).map((f) => (
            <button key={f} className={`small${filter === f ? " primary" : ""}`} data-testid={`filter-${f}`} onClick={() => setFilter(f)}>
              {tr(f === "all" ? "All" : f === "mine" ? "Mine" : "Unassigned")}
            </button>
          ))}
          <select aria-label={tr("Channel")} value={channel} onChange={(e) => setChannel(e.target.value)}>
            <option value="">{tr("Any channel")}</option>
            {channels.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
          <select aria-label={tr("Labels")} data-testid="filter-label" value={label} onChange={(e) => setLabel(e.target.value)}>
            <option value="">{tr("Any label")}</option>
            {(queue?.labels ?? []).map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
          <input type="search" data-testid="queue-search" placeholder={tr("Search name or phone")} value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
        <ul className="queue-list" data-testid="queue">
          {items.map((item) => (
            <QueueItem key={`${item.channel}:${item.user}`} item={item} open={open?.user === item.user && open.channel === item.channel} onOpen={() => setOpen({ channel: item.channel, user: item.user })} />
          ))}
        </ul>
        {queue && !items.length && <p className="muted pad">{tr("No one is waiting.")}</p>}
      </section>
      {open ? (
        <Conversation key={`${open.channel}:${open.user}`} conv={open} me={me} tick={tick} onBack={() => setOpen(null)} onChanged={load} />
      ) : (
        <section className="inbox-empty muted">{tr("Pick a conversation.")}</section>
      )}
    </div>
  );
}
