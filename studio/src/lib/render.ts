// What a channel's payload shows the user (its text, buttons or list), for the test chat's phone frame.
// The payloads come from the connectors' own renderers on the server; this only reads them.
import { isObject, type Json, type JsonObject } from "./json";

export interface Shown {
  form: "text" | "buttons" | "list" | "media" | "template";
  text: string;
  buttons: { id: string; title: string }[];
  listButton?: string;
  rows?: { id: string; title: string; description?: string }[];
  params?: string[]; // a template's body parameters
}

function o(v: Json | undefined): JsonObject {
  return isObject(v) ? v : {};
}
function s(v: Json | undefined): string {
  return typeof v === "string" ? v : "";
}

/** What a channel's payload shows the user: its text, buttons or list. */
export function describe(payload: Json): Shown {
  const p = o(payload);
  if (p.type === "text") return { form: "text", text: s(o(p.text).body), buttons: [] };
  if (p.type === "interactive") {
    const i = o(p.interactive);
    const text = s(o(i.body).text);
    const action = o(i.action);
    if (i.type === "list") {
      const rows = (Array.isArray(action.sections) ? action.sections : []).flatMap((sec) =>
        (Array.isArray(o(sec).rows) ? (o(sec).rows as Json[]) : []).map((r) => ({ id: s(o(r).id), title: s(o(r).title), description: s(o(r).description) || undefined })),
      );
      return { form: "list", text, buttons: [], listButton: s(action.button), rows };
    }
    const buttons = (Array.isArray(action.buttons) ? action.buttons : []).map((b) => ({ id: s(o(o(b).reply).id), title: s(o(o(b).reply).title) }));
    return { form: "buttons", text, buttons };
  }
  if (p.type === "template") {
    const tpl = o(p.template);
    const params = (Array.isArray(tpl.components) ? tpl.components : []).flatMap((c) =>
      (Array.isArray(o(c).parameters) ? (o(c).parameters as Json[]) : []).map((x) => s(o(x).text)).filter(Boolean),
    );
    return { form: "template", text: `template ${s(tpl.name)}`, buttons: [], params };
  }
  if (typeof p.type === "string" && isObject(p[p.type])) {
    const m = o(p[p.type]);
    return { form: "media", text: `[${p.type}] ${s(m.caption)}`, buttons: [] };
  }
  // Messenger / Instagram (Send API) and the web channel.
  const msg = isObject(p.message) ? p.message : p;
  const att = o(o(msg.attachment).payload);
  const text = s(msg.text) || s(att.text);
  const quick = Array.isArray(msg.quick_replies) ? msg.quick_replies : [];
  const btns = Array.isArray(att.buttons) ? att.buttons : Array.isArray(msg.buttons) ? msg.buttons : [];
  const buttons = [...quick, ...btns].map((b) => ({ id: s(o(b).payload).replace(/^\//, ""), title: s(o(b).title) }));
  if (!text && isObject(msg.attachment)) return { form: "media", text: `[${s(o(msg.attachment).type)}]`, buttons };
  return { form: buttons.length ? "buttons" : "text", text, buttons };
}
