// The kind catalogue: shapes, exits and property forms of every node kind, read from flow.schema.json.
// A new kind in the schema needs no editor code; an optional "x-papo-ui": {color, icon} styles it.
import { isObject, type Json, type JsonObject } from "./json";

export type Widget =
  | "text" // a text, or a map locale -> text
  | "target" // a node of this flow
  | "expression"
  | "var" // a variable name
  | "flow" // another flow of the bot
  | "service"
  | "professional"
  | "period"
  | "name"
  | "enum"
  | "string"
  | "number"
  | "integer"
  | "boolean"
  | "list" // an array of objects, each a sub-form
  | "strings" // an array of strings
  | "object" // an object with known properties, a sub-form
  | "json"; // anything else: raw JSON

export interface FieldSpec {
  name: string;
  widget: Widget;
  required: boolean;
  description?: string;
  enum?: string[];
  fields?: FieldSpec[]; // for list and object
  itemWidget?: Widget; // for strings
}

export interface ExitSpec {
  /** "next", "on_invalid", or "options/*\/next" (one exit per item of the list). */
  path: string;
  label: string;
}

export interface KindSpec {
  kind: string;
  description: string;
  fields: FieldSpec[];
  exits: ExitSpec[];
  /** Fields a new node starts with: the required ones and the first of any "one of these" set. */
  starter: string[];
  ui: { color: string; icon: string };
}

export type Catalogue = Record<string, KindSpec>;

const NAME_WIDGETS: Record<string, Widget> = {
  var: "var",
  flow: "flow",
  service: "service",
  professional: "professional",
  period: "period",
};

/** Glyphs for the icon names x-papo-ui may give; an unknown name shows its first letters. */
export const ICONS: Record<string, string> = {
  message: "💬",
  question: "❓",
  split: "⑂",
  variable: "𝑥",
  jump: "↪",
  subflow: "⤵",
  person: "👤",
  stop: "⏹",
  "calendar-plus": "📅",
  "calendar-clock": "🔁",
  "calendar-x": "✖",
  "calendar-check": "✔",
  calendar: "🗓",
  bell: "🔔",
  book: "📖",
  sparkles: "✨",
  globe: "🌐",
};

export function glyph(icon: string): string {
  return ICONS[icon] ?? icon.slice(0, 2).toUpperCase();
}

const COLORS = ["#2563eb", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#db2777", "#65a30d", "#b45309", "#4f46e5", "#dc2626"];

function refName(ref: unknown): string | null {
  return typeof ref === "string" && ref.startsWith("#/$defs/") ? ref.slice(8) : null;
}

export class SchemaWalker {
  private defs: JsonObject;
  constructor(schema: JsonObject) {
    this.defs = isObject(schema.$defs) ? schema.$defs : {};
  }

  def(name: string): JsonObject {
    const d = this.defs[name];
    return isObject(d) ? d : {};
  }

  /** Properties of a definition, its $ref'd bases first (common, appointment_edges), in schema order. */
  properties(def: JsonObject, seen = new Set<string>()): [Record<string, JsonObject>, Set<string>] {
    const props: Record<string, JsonObject> = {};
    const required = new Set<string>();
    const base = refName(def.$ref);
    if (base && !seen.has(base)) {
      seen.add(base);
      const [bp, br] = this.properties(this.def(base), seen);
      Object.assign(props, bp);
      br.forEach((r) => required.add(r));
    }
    if (isObject(def.properties))
      for (const [k, v] of Object.entries(def.properties)) props[k] = isObject(v) ? v : {};
    if (Array.isArray(def.required)) def.required.forEach((r) => typeof r === "string" && required.add(r));
    return [props, required];
  }

  field(name: string, prop: JsonObject, required: boolean): FieldSpec {
    const description = typeof prop.description === "string" ? prop.description : undefined;
    const ref = refName(prop.$ref);
    const base = { name, required, description };
    if (ref === "text") return { ...base, widget: "text" };
    if (ref === "target") return { ...base, widget: "target" };
    if (ref === "expression") return { ...base, widget: "expression" };
    if (ref === "name") return { ...base, widget: NAME_WIDGETS[name] ?? "name" };
    if (ref) {
      const resolved = { ...this.def(ref), ...prop };
      delete resolved.$ref;
      if (!resolved.description && description) resolved.description = description;
      return this.field(name, resolved, required);
    }
    if (Array.isArray(prop.enum)) return { ...base, widget: "enum", enum: prop.enum.map(String) };
    const type = prop.type;
    if (type === "string") return { ...base, widget: "string" };
    if (type === "number") return { ...base, widget: "number" };
    if (type === "integer") return { ...base, widget: "integer" };
    if (type === "boolean") return { ...base, widget: "boolean" };
    if (type === "array" && isObject(prop.items)) {
      const items = prop.items;
      const itemRef = refName(items.$ref);
      const itemDef = itemRef ? this.def(itemRef) : items;
      if (itemDef.type === "object" || isObject(itemDef.properties)) {
        const [ip, ir] = this.properties(itemDef);
        return { ...base, widget: "list", fields: Object.entries(ip).map(([k, v]) => this.field(k, v, ir.has(k))) };
      }
      return { ...base, widget: "strings", itemWidget: this.field("item", items, false).widget };
    }
    if (type === "object" && isObject(prop.properties) && !prop.additionalProperties) {
      const [op, or] = this.properties(prop);
      return { ...base, widget: "object", fields: Object.entries(op).map(([k, v]) => this.field(k, v, or.has(k))) };
    }
    return { ...base, widget: "json" };
  }

  kinds(): string[] {
    const node = this.def("node");
    const kind = isObject(node.properties) ? node.properties.kind : undefined;
    return isObject(kind) && Array.isArray(kind.enum) ? kind.enum.map(String) : [];
  }

  /** The definition of one kind, as the node's if/then dispatch names it. */
  kindDef(kind: string): JsonObject {
    const node = this.def("node");
    for (const branch of Array.isArray(node.allOf) ? node.allOf : []) {
      if (!isObject(branch) || !isObject(branch.if) || !isObject(branch.then)) continue;
      const props = branch.if.properties;
      const k = isObject(props) && isObject(props.kind) ? props.kind.const : undefined;
      if (k === kind) {
        const r = refName(branch.then.$ref);
        return r ? this.def(r) : branch.then;
      }
    }
    return this.def(kind);
  }
}

export function exitsOf(fields: FieldSpec[]): ExitSpec[] {
  const exits: ExitSpec[] = [];
  for (const f of fields) {
    if (f.widget === "target") exits.push({ path: f.name, label: f.name });
    if (f.widget === "list")
      for (const sub of f.fields ?? [])
        if (sub.widget === "target") exits.push({ path: `${f.name}/*/${sub.name}`, label: `${f.name}.${sub.name}` });
  }
  return exits;
}

export function buildCatalogue(flowSchema: JsonObject, hints: Record<string, { color?: string; icon?: string }> = {}): Catalogue {
  const w = new SchemaWalker(flowSchema);
  const out: Catalogue = {};
  w.kinds().forEach((kind, i) => {
    const def = w.kindDef(kind);
    const [props, required] = w.properties(def);
    delete props.kind;
    const fields = Object.entries(props).map(([k, v]) => w.field(k, v, required.has(k)));
    const starter = [...required];
    const alt = Array.isArray(def.anyOf) ? def.anyOf[0] : Array.isArray(def.oneOf) ? def.oneOf[0] : undefined;
    if (isObject(alt) && Array.isArray(alt.required)) alt.required.forEach((r) => starter.push(String(r)));
    const ui = isObject(def["x-papo-ui"]) ? def["x-papo-ui"] : {};
    out[kind] = {
      kind,
      description: typeof def.description === "string" ? def.description : "",
      fields,
      exits: exitsOf(fields),
      starter,
      ui: {
        color: (typeof ui.color === "string" ? ui.color : hints[kind]?.color) ?? COLORS[i % COLORS.length],
        icon: (typeof ui.icon === "string" ? ui.icon : hints[kind]?.icon) ?? kind.slice(0, 2).toUpperCase(),
      },
    };
  });
  return out;
}

export interface ConcreteExit {
  handle: string; // the JSON path below the node, "/"-joined: "next", "options/2/next"
  label: string;
  target: string | null; // null when unset (drawn hollow)
}

/** The exits one node has now: one per option/case/timeout for list exits. */
export function concreteExits(spec: KindSpec | undefined, node: Json): ConcreteExit[] {
  if (!isObject(node)) return [];
  const str = (v: Json | undefined) => (typeof v === "string" ? v : null);
  if (!spec) {
    // An unknown kind: every next/default/on_* string is an exit, so nothing is hidden.
    return Object.keys(node)
      .filter((k) => k === "next" || k === "default" || k.startsWith("on_"))
      .map((k) => ({ handle: k, label: k, target: str(node[k]) }));
  }
  const out: ConcreteExit[] = [];
  for (const e of spec.exits) {
    const parts = e.path.split("/");
    if (parts.length === 1) {
      out.push({ handle: e.path, label: e.label, target: str(node[e.path]) });
      continue;
    }
    const list = node[parts[0]];
    if (!Array.isArray(list)) continue;
    list.forEach((item, i) => {
      const label = isObject(item)
        ? String(item.id ?? item.after ?? (typeof item.if === "string" ? item.if : "") ?? i)
        : String(i);
      out.push({
        handle: `${parts[0]}/${i}/${parts[2]}`,
        label: `${parts[0] === "cases" ? "if " : ""}${label || i}`,
        target: isObject(item) ? str(item[parts[2]]) : null,
      });
    });
  }
  return out;
}

/** A new node of a kind with its required fields present, so the form shows them. */
export function skeleton(spec: KindSpec): JsonObject {
  const node: JsonObject = { kind: spec.kind };
  for (const f of spec.fields) {
    if (!spec.starter.includes(f.name)) continue;
    if (f.widget === "text") node[f.name] = "";
    else if (f.widget === "enum") node[f.name] = f.enum?.[0] ?? "";
    else if (f.widget === "list") node[f.name] = [];
    else if (f.widget === "json") node[f.name] = {};
    else if (f.widget === "number" || f.widget === "integer") node[f.name] = 0;
    else if (f.widget === "boolean") node[f.name] = false;
    else if (f.widget === "strings") node[f.name] = [];
    else if (f.widget !== "target") node[f.name] = "";
  }
  return node;
}
