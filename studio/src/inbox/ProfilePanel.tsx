// The contact's profile: who, labels, variables, appointments (book, reschedule, cancel for the patient).
import { useState } from "react";
import { admin, clock, day, type Appointment, type Profile, type SlotOffer } from "./api";
import { useTr } from "./words";

function AppointmentRow({ a, onCancel, onReschedule }: { a: Appointment; onCancel: () => void; onReschedule: () => void }) {
  const tr = useTr();
  return (
    <li data-testid="appointment">
      {day(a.start_local)} {clock(a.start_local)} · {a.slot.service} · {a.slot.professional} <span className="muted">({a.status})</span>
      {a.upcoming && ["booked", "confirmed"].includes(a.status) && (
        <>
          {" "}
          <button className="small" onClick={onReschedule}>
            {tr("Reschedule here")}
          </button>{" "}
          <button className="small" onClick={onCancel}>
            {tr("Cancel appointment")}
          </button>
        </>
      )}
    </li>
  );
}

export function ProfilePanel({ profile, base, onChanged }: { profile: Profile; base: string; onChanged: () => void }) {
  const tr = useTr();
  const [label, setLabel] = useState("");
  const [slots, setSlots] = useState<SlotOffer[] | null>(null);
  const [chosen, setChosen] = useState("");
  const [error, setError] = useState("");
  const act = (path: string, body: unknown) =>
    admin("POST", `${base}/${path}`, body).then(
      () => {
        setError("");
        onChanged();
      },
      (e: unknown) => setError(String(e instanceof Error ? e.message : e)),
    );
  const upcoming = profile.appointments.filter((a) => a.upcoming);
  const past = profile.appointments.filter((a) => !a.upcoming);
  return (
    <aside className="inbox-profile" data-testid="profile">
      <h3>{tr("Profile")}</h3>
      <dl>
        <dt>{tr("Name")}</dt>
        <dd data-testid="profile-name">{profile.name ?? "—"}</dd>
        <dt>{tr("Phone / id")}</dt>
        <dd>{profile.user}</dd>
        <dt>{tr("Channel")}</dt>
        <dd>{profile.channel}</dd>
      </dl>
      <h4>{tr("Labels")}</h4>
      <div className="labels" data-testid="profile-labels">
        {profile.labels.map((l) => (
          <span key={l} className="chip label-chip">
            {l}{" "}
            <button className="small link" aria-label={`× ${l}`} onClick={() => act("labels", { remove: [l] })}>
              ×
            </button>
          </span>
        ))}
      </div>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (label.trim()) act("labels", { add: [label.trim()] }).then(() => setLabel(""));
        }}
      >
        <input data-testid="label-input" placeholder={tr("Add label")} value={label} onChange={(e) => setLabel(e.target.value)} />
        <button className="small" type="submit" data-testid="label-add">
          +
        </button>
      </form>
      <h4>{tr("Appointments")}</h4>
      <p className="muted">{tr("Upcoming")}</p>
      <ul className="plain">
        {upcoming.length ? (
          upcoming.map((a) => (
            <AppointmentRow
              key={a.id}
              a={a}
              onCancel={() => act("appointments", { action: "cancel", appointment: a.id })}
              onReschedule={() => chosen && act("appointments", { action: "reschedule", appointment: a.id, slot: chosen })}
            />
          ))
        ) : (
          <li className="muted">{tr("None.")}</li>
        )}
      </ul>
      <p className="muted">{tr("Past")}</p>
      <ul className="plain">
        {past.length ? past.map((a) => <AppointmentRow key={a.id} a={a} onCancel={() => undefined} onReschedule={() => undefined} />) : <li className="muted">{tr("None.")}</li>}
      </ul>
      <div className="row">
        <button className="small" data-testid="find-slots" onClick={() => admin<{ slots: SlotOffer[] }>("GET", `${base}/slots`).then((s) => setSlots(s.slots), (e: unknown) => setError(String(e instanceof Error ? e.message : e)))}>
          {tr("Find slots")}
        </button>
        {slots && (
          <select aria-label={tr("Book")} value={chosen} onChange={(e) => setChosen(e.target.value)}>
            <option value="">—</option>
            {slots.map((s) => (
              <option key={s.ref} value={s.ref}>
                {day(s.start_local)} {clock(s.start_local)} · {s.service} · {s.professional}
              </option>
            ))}
          </select>
        )}
        {slots && (
          <button className="small primary" disabled={!chosen} onClick={() => act("appointments", { action: "book", slot: chosen })}>
            {tr("Book")}
          </button>
        )}
      </div>
      {error && <p className="error-text">{error}</p>}
      <h4>{tr("Variables")}</h4>
      <table className="vars">
        <tbody>
          {Object.entries(profile.variables).map(([k, v]) => (
            <tr key={k}>
              <th>{k}</th>
              <td>{typeof v === "string" ? v : JSON.stringify(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {profile.consents != null && (
        <>
          <h4>{tr("Consents")}</h4>
          <pre className="mono">{JSON.stringify(profile.consents, null, 1)}</pre>
        </>
      )}
    </aside>
  );
}
