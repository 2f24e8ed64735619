// One node on the canvas: header (kind, id), body (its first text), one source handle per exit.
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import { glyph, type ConcreteExit, type KindSpec } from "../lib/catalogue";
import { useT } from "../lib/i18n";
import { isObject, type Json } from "../lib/json";

export interface PapoNodeData extends Record<string, unknown> {
  id: string;
  json: Json;
  spec: KindSpec | undefined;
  exits: ConcreteExit[];
  errors: number;
  warnings: number;
  locale: string;
  entry: boolean;
  onPath: boolean;
  links: string[];
  stats: { entered: number; answered: number; dropped: number; invalid?: number; timed_out?: number; median_answer_s?: number | null } | null;
  exitStats: Record<string, number> | null;
  openFlow: (flow: string) => void;
  missing: Set<string>; // dangling targets
}

export type PapoFlowNode = Node<PapoNodeData, "papo">;

export function textOf(v: Json | undefined, locale: string): string {
  if (typeof v === "string") return v;
  if (isObject(v)) {
    const t = v[locale] ?? Object.values(v)[0];
    return typeof t === "string" ? t : "";
  }
  return "";
}

function bodyOf(json: Json, locale: string): string {
  if (!isObject(json)) return JSON.stringify(json);
  if (json.text !== undefined) return textOf(json.text, locale);
  for (const k of ["flow", "service", "at"]) if (typeof json[k] === "string") return `${k}: ${json[k] as string}`;
  if (Array.isArray(json.cases) && isObject(json.cases[0])) return `if ${String(json.cases[0].if)}`;
  if (isObject(json.vars)) return Object.keys(json.vars).join(", ");
  return typeof json.description === "string" ? json.description : "";
}

function PapoNodeView({ data, selected }: NodeProps<PapoFlowNode>) {
  const t = useT();
  const kind = isObject(data.json) && typeof data.json.kind === "string" ? data.json.kind : "?";
  const color = data.spec?.ui.color ?? "#6b7280";
  const cls = ["papo-node", selected ? "selected" : "", data.onPath ? "on-path" : "", data.errors ? "has-errors" : ""].join(" ");
  return (
    <div className={cls} data-node={data.id} data-kind={kind} style={{ borderColor: color }}>
      <Handle type="target" position={Position.Left} className="in-handle" />
      <div className="papo-node-head" style={{ background: color }}>
        <span className="papo-node-icon">{data.spec ? glyph(data.spec.ui.icon) : "?"}</span>
        <span className="papo-node-kind">{kind}</span>
        <span className="papo-node-id">{data.id}</span>
        {data.entry && <span className="chip entry-chip">{t("entry")}</span>}
        {data.errors > 0 && (
          <span className="badge error" data-testid="node-errors">
            {data.errors}
          </span>
        )}
        {data.warnings > 0 && <span className="badge warning">{data.warnings}</span>}
      </div>
      <div className="papo-node-body">{bodyOf(data.json, data.locale).slice(0, 120)}</div>
      {data.links.map((f) => (
        <button
          key={f}
          className="chip flow-chip nodrag"
          data-flow-link={f}
          onClick={(e) => {
            e.stopPropagation();
            data.openFlow(f);
          }}
        >
          ↗ {f}
        </button>
      ))}
      {data.stats && (
        <div className="papo-node-stats" data-testid="node-stats">
          <span title="entered">▶ {data.stats.entered}</span> · <span title="answered">✓ {data.stats.answered}</span>
          {data.stats.invalid ? <span title="invalid"> · ⚠ {data.stats.invalid}</span> : null}
          {data.stats.timed_out ? <span title="timed out"> · ⏰ {data.stats.timed_out}</span> : null} ·{" "}
          <span title="dropped">✗ {data.stats.dropped}</span>
          {data.stats.median_answer_s != null ? <span title="median time to answer"> · ⏱ {Math.round(data.stats.median_answer_s)} s</span> : null}
        </div>
      )}
      <div className="papo-node-exits">
        {data.exits.map((e) => (
          <div key={e.handle} className={"exit" + (e.target ? "" : " hollow") + (e.target && data.missing.has(e.target) ? " dangling" : "")} data-exit={e.handle}>
            <span className="exit-label">
              {e.label}
              {data.exitStats && data.exitStats[e.handle] !== undefined ? ` (${data.exitStats[e.handle]})` : ""}
              {e.target && data.missing.has(e.target) ? ` → ${e.target}?` : ""}
            </span>
            <Handle type="source" position={Position.Right} id={e.handle} className="out-handle" />
          </div>
        ))}
      </div>
    </div>
  );
}

export const PapoNode = memo(PapoNodeView);

/** The flow's entry point: its triggers and the bot's interrupts that start it. */
export function EntryNodeView({ data }: NodeProps<Node<{ lines: string[] }, "entry">>) {
  const t = useT();
  return (
    <div className="entry-node" data-node="__entry">
      <div className="papo-node-head entry-head">▶ {t("start")}</div>
      {data.lines.map((l) => (
        <div key={l} className="entry-line">
          {l}
        </div>
      ))}
      <Handle type="source" position={Position.Right} id="entry" className="out-handle" />
    </div>
  );
}
