// The canvas of one flow: React Flow drawing the graph the schema derives from the flow's JSON.
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type Node,
  type NodeChange,
  applyNodeChanges,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { concreteExits, skeleton } from "../lib/catalogue";
import { copyNodes, freeId, pasteNodes, readClip, rewire } from "../lib/clipboard";
import { flowToGraph, type Position } from "../lib/graph";
import { isObject, put, setPath, type Json, type JsonObject } from "../lib/json";
import { tidy } from "../lib/layout";
import { useT } from "../lib/i18n";
import { useStore, type Layout } from "../store";
import { EntryNodeView, PapoNode, type PapoNodeData } from "./PapoNode";

const nodeTypes = { papo: PapoNode, entry: EntryNodeView };
export const ENTRY = "__entry";

export function nodesOf(flow: Json): JsonObject {
  return isObject(flow) && isObject(flow.nodes) ? flow.nodes : {};
}

function isTyping(e: Event): boolean {
  const t = e.target as HTMLElement | null;
  return !!t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
}

const key = (v: unknown) => JSON.stringify(v instanceof Set ? [...v].sort() : v);

/** Whether a node's drawn data is the same (the node JSON by identity: edits copy only what changed). */
export function sameData(a: PapoNodeData, b: PapoNodeData): boolean {
  return (
    a.id === b.id &&
    a.json === b.json &&
    a.spec === b.spec &&
    a.errors === b.errors &&
    a.warnings === b.warnings &&
    a.locale === b.locale &&
    a.entry === b.entry &&
    a.onPath === b.onPath &&
    a.stats === b.stats &&
    key(a.links) === key(b.links) &&
    key(a.exits) === key(b.exits) &&
    key(a.exitStats) === key(b.exitStats) &&
    key(a.missing) === key(b.missing)
  );
}

export interface CanvasProps {
  flowId: string;
  analytics: { nodes: Record<string, { entered: number; answered: number; dropped: number; invalid?: number; timed_out?: number; median_answer_s?: number | null }>; exits: Record<string, number> } | null;
  openFlow: (id: string) => void;
}

export function Canvas({ flowId, analytics, openFlow }: CanvasProps) {
  const flowState = useStore((s) => s.flows[flowId]);
  const catalogue = useStore((s) => s.catalogue);
  const bot = useStore((s) => s.bot);
  const issues = useStore((s) => s.issues);
  const selected = useStore((s) => s.selected);
  const focus = useStore((s) => s.focus);
  const trace = useStore((s) => s.trace);
  const edit = useStore((s) => s.edit);
  const select = useStore((s) => s.select);
  const rf = useReactFlow();
  const t = useT();
  const [rfNodes, setRfNodes] = useState<Node[]>([]);
  const [selectedEdges, setSelectedEdges] = useState<string[]>([]);
  const wrapper = useRef<HTMLDivElement>(null);
  const flow = flowState?.doc.flow ?? null;
  const layout = flowState?.doc.layout ?? {};
  const locale = bot?.default_locale ?? "pt-BR";

  const graph = useMemo(() => flowToGraph(flow, catalogue, layout), [flow, catalogue, layout]);
  const ids = graph.ok ? graph.nodes.map((n) => n.id) : [];
  const auto = useMemo(() => {
    if (!graph.ok || graph.nodes.every((n) => n.position)) return {} as Layout;
    return tidy(graph.nodes.map((n) => n.id), graph.edges);
  }, [graph]);
  const onPath = useMemo(() => new Set(trace.filter((t) => t.flow === flowId).map((t) => t.node)), [trace, flowId]);
  const entryLines = useMemo(() => {
    const lines: string[] = [];
    if (!isObject(flow)) return lines;
    const tr = flow.triggers;
    if (isObject(tr)) {
      if (Array.isArray(tr.keywords) && tr.keywords.length) lines.push(t("keywords") + ": " + tr.keywords.join(", "));
      if (Array.isArray(tr.intents) && tr.intents.length) lines.push(t("intents") + ": " + tr.intents.join(", "));
      if (tr.first_message) lines.push(t("first message"));
    }
    for (const i of bot?.interrupts ?? [])
      if (i.flow === flowId) lines.push(t("interrupt") + ": " + [...(i.keywords ?? []), ...(i.intents ?? [])].join(", "));
    return lines;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [flow, bot, flowId, t("interrupt")]);
  const entryId = isObject(flow) && typeof flow.entry === "string" ? flow.entry : null;

  // Rebuild React Flow's nodes from the graph, keeping what React Flow measured and selected.
  useEffect(() => {
    if (!graph.ok) {
      setRfNodes([]);
      return;
    }
    const count = (node: string, sev: string) =>
      issues.filter((i) => i.flow === flowId && i.node === node && i.severity === sev).length;
    const present = new Set(ids);
    setRfNodes((prev) => {
      const before = new Map(prev.map((n) => [n.id, n]));
      const out: Node[] = graph.nodes.map((n) => {
        const old = before.get(n.id);
        const kind = isObject(n.data) && typeof n.data.kind === "string" ? n.data.kind : "";
        const exits = concreteExits(catalogue[kind], n.data);
        const data: PapoNodeData = {
          id: n.id,
          json: n.data,
          spec: catalogue[kind],
          exits,
          errors: count(n.id, "error"),
          warnings: count(n.id, "warning"),
          locale,
          entry: n.id === entryId,
          onPath: onPath.has(n.id),
          links: graph.links.filter((l) => l.node === n.id).map((l) => l.flow),
          stats: analytics?.nodes[n.id] ?? null,
          exitStats: analytics
            ? Object.fromEntries(exits.map((e) => [e.handle, analytics.exits[`${n.id}:${e.handle}`] ?? 0]))
            : null,
          openFlow,
          missing: new Set(exits.map((e) => e.target).filter((t): t is string => !!t && !present.has(t))),
        };
        const dragging = old?.dragging;
        return {
          id: n.id,
          type: "papo",
          position: dragging && old ? old.position : (n.position ?? auto[n.id] ?? { x: 0, y: 0 }),
          // Unchanged data keeps its object, so React Flow does not redraw the node (big flows stay fast).
          data: old && sameData(old.data as PapoNodeData, data) ? old.data : data,
          selected: selected.includes(n.id),
          measured: old?.measured,
          dragging,
          ariaLabel: `${kind} ${n.id}`,
        };
      });
      const entryPos = layout[ENTRY] ?? (() => {
        const first = entryId ? (layout[entryId] ?? auto[entryId]) : undefined;
        return first ? { x: first.x - 300, y: first.y } : { x: -300, y: 0 };
      })();
      const oldEntry = before.get(ENTRY);
      out.unshift({
        id: ENTRY,
        type: "entry",
        position: oldEntry?.dragging ? oldEntry.position : entryPos,
        data: { lines: entryLines },
        deletable: false,
        measured: oldEntry?.measured,
        selected: selected.includes(ENTRY),
      });
      return out;
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [graph, issues, selected, onPath, analytics, auto, entryLines, locale]);

  const edges: Edge[] = useMemo(() => {
    if (!graph.ok) return [];
    const out: Edge[] = graph.edges
      .filter((e) => !e.dangling)
      .map((e) => ({
        id: e.id,
        source: e.source,
        sourceHandle: e.handle,
        target: e.target,
        selected: selectedEdges.includes(e.id),
        animated: onPath.has(e.source) && onPath.has(e.target),
        className: onPath.has(e.source) && onPath.has(e.target) ? "on-path" : undefined,
      }));
    if (entryId && ids.includes(entryId))
      out.push({ id: `${ENTRY}:entry`, source: ENTRY, sourceHandle: "entry", target: entryId, deletable: false });
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [graph, selectedEdges, onPath, entryId]);

  const setExit = useCallback(
    (source: string, handle: string, target: string | undefined) => {
      edit(flowId, (doc) => {
        if (source === ENTRY) return { ...doc, flow: setPath(doc.flow, ["entry"], target) };
        return { ...doc, flow: setPath(doc.flow, ["nodes", source, ...handle.split("/")], target) };
      });
    },
    [edit, flowId],
  );

  const removeNodes = useCallback(
    (gone: string[]) => {
      const del = new Set(gone.filter((g) => g !== ENTRY));
      if (!del.size) return;
      edit(flowId, (doc) => {
        const nodes = nodesOf(doc.flow);
        const kept: JsonObject = {};
        for (const k of Object.keys(nodes))
          if (!del.has(k)) put(kept, k, rewire(nodes[k], catalogue, (t) => (del.has(t) ? undefined : t)));
        const layout = { ...doc.layout };
        del.forEach((d) => delete layout[d]);
        return { flow: setPath(doc.flow, ["nodes"], kept), layout };
      });
      select([]);
    },
    [edit, flowId, catalogue, select],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange[]) => {
      setRfNodes((ns) => applyNodeChanges(changes, ns));
      const moved: Record<string, Position> = {};
      let sel: string[] | null = null;
      for (const c of changes) {
        if (c.type === "position" && c.position && !c.dragging) moved[c.id] = c.position;
        if (c.type === "select") {
          sel = sel ?? [...useStore.getState().selected];
          if (c.selected && !sel.includes(c.id)) sel.push(c.id);
          if (!c.selected) sel = sel.filter((x) => x !== c.id);
        }
      }
      if (sel) select(sel);
      if (Object.keys(moved).length)
        edit(flowId, (doc) => {
          const layout = { ...doc.layout };
          for (const [id, p] of Object.entries(moved)) layout[id] = { x: Math.round(p.x), y: Math.round(p.y) };
          return { ...doc, layout };
        });
    },
    [edit, flowId, select],
  );

  const onNodeDragStop = useCallback(
    (_: unknown, __: Node, nodes: Node[]) => {
      edit(flowId, (doc) => {
        const layout = { ...doc.layout };
        for (const n of nodes) layout[n.id] = { x: Math.round(n.position.x), y: Math.round(n.position.y) };
        return { ...doc, layout };
      });
    },
    [edit, flowId],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      for (const c of changes) {
        if (c.type === "select") setSelectedEdges((s) => (c.selected ? [...s, c.id] : s.filter((x) => x !== c.id)));
        if (c.type === "remove") {
          const i = c.id.indexOf(":");
          setExit(c.id.slice(0, i), c.id.slice(i + 1), undefined);
        }
      }
    },
    [setExit],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (c.source && c.target && c.target !== ENTRY) setExit(c.source, c.sourceHandle ?? "next", c.target);
    },
    [setExit],
  );

  const addNode = useCallback(
    (kind: string, at: Position) => {
      const spec = catalogue[kind];
      if (!spec) return;
      const id = freeId(`${kind}_1`, new Set(Object.keys(nodesOf(useStore.getState().flows[flowId]?.doc.flow ?? null))));
      edit(flowId, (doc) => ({
        flow: setPath(doc.flow, ["nodes", id], skeleton(spec)),
        layout: { ...doc.layout, [id]: { x: Math.round(at.x), y: Math.round(at.y) } },
      }));
      select([id]);
    },
    [catalogue, edit, flowId, select],
  );

  // Palette -> canvas: HTML drag and drop, or Enter on a palette item (adds at the view's centre).
  useEffect(() => {
    const onAdd = (e: Event) => {
      const kind = (e as CustomEvent<string>).detail;
      const box = wrapper.current?.getBoundingClientRect();
      const at = box ? rf.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
      addNode(kind, at);
    };
    window.addEventListener("papo-add-node", onAdd);
    return () => window.removeEventListener("papo-add-node", onAdd);
  }, [addNode, rf]);

  // Copy, paste, undo, redo, tidy up and search through the keyboard.
  useEffect(() => {
    const onCopy = (e: ClipboardEvent) => {
      if (isTyping(e)) return;
      const s = useStore.getState();
      const f = s.flows[flowId];
      const ids = s.selected.filter((x) => x !== ENTRY);
      if (!f || !ids.length) return;
      e.clipboardData?.setData("text/plain", copyNodes(flowId, f.doc.flow, f.doc.layout, ids));
      e.preventDefault();
      s.setStatus(`copied ${ids.length}`);
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isTyping(e)) return;
      const clip = readClip(e.clipboardData?.getData("text/plain") ?? "");
      if (!clip) return;
      e.preventDefault();
      let ids: string[] = [];
      edit(flowId, (doc) => {
        const out = pasteNodes(flowId, doc.flow, doc.layout, clip, catalogue, { x: 40, y: 40 });
        ids = out.ids;
        return { flow: out.flow, layout: out.layout };
      });
      select(ids);
    };
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e)) return;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === "z" && !e.shiftKey) {
        e.preventDefault();
        useStore.getState().undo();
      } else if (mod && (e.key.toLowerCase() === "y" || (e.key.toLowerCase() === "z" && e.shiftKey))) {
        e.preventDefault();
        useStore.getState().redo();
      } else if (e.shiftKey && e.altKey && e.code === "KeyT") {
        e.preventDefault();
        window.dispatchEvent(new CustomEvent("papo-tidy"));
      }
    };
    document.addEventListener("copy", onCopy);
    document.addEventListener("paste", onPaste);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("copy", onCopy);
      document.removeEventListener("paste", onPaste);
      document.removeEventListener("keydown", onKey);
    };
  }, [flowId, edit, catalogue, select]);

  useEffect(() => {
    const onTidy = () => {
      if (!graph.ok) return;
      const sizes: Record<string, { width: number; height: number }> = {};
      for (const n of rf.getNodes()) if (n.measured?.width && n.measured.height) sizes[n.id] = { width: n.measured.width, height: n.measured.height };
      const pos = tidy(graph.nodes.map((n) => n.id), graph.edges, sizes);
      edit(flowId, (doc) => {
        const layout: Layout = { ...doc.layout, ...pos };
        if (entryId && pos[entryId]) layout[ENTRY] = { x: pos[entryId].x - 300, y: pos[entryId].y };
        return { ...doc, layout };
      });
      setTimeout(() => rf.fitView({ duration: 0 }), 50);
    };
    window.addEventListener("papo-tidy", onTidy);
    return () => window.removeEventListener("papo-tidy", onTidy);
  }, [graph, rf, edit, flowId, entryId]);

  // Jump to a node (problems panel, search).
  useEffect(() => {
    if (!focus) return;
    const n = rf.getNode(focus.node);
    if (!n) return;
    rf.setCenter(n.position.x + (n.measured?.width ?? 200) / 2, n.position.y + (n.measured?.height ?? 80) / 2, { zoom: 1.1, duration: 0 });
  }, [focus, rf]);

  if (!graph.ok) return <div className="canvas-error">This file is not a flow the canvas can draw: edit it as JSON.</div>;

  return (
    <div
      className="canvas"
      ref={wrapper}
      data-testid="canvas"
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = "copy";
      }}
      onDrop={(e) => {
        e.preventDefault();
        const kind = e.dataTransfer.getData("application/papo-kind") || e.dataTransfer.getData("text/plain");
        if (kind && catalogue[kind]) addNode(kind, rf.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
      }}
    >
      <ReactFlow
        nodes={rfNodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onNodeDragStop={onNodeDragStop}
        onNodesDelete={(ns) => removeNodes(ns.map((n) => n.id))}
        deleteKeyCode={["Delete", "Backspace"]}
        multiSelectionKeyCode={["Shift", "Meta", "Control"]}
        selectionOnDrag={false}
        fitView
        fitViewOptions={{ maxZoom: 1, padding: 0.1 }}
        minZoom={0.1}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <MiniMap
          pannable
          zoomable
          nodeColor={(n) => ((n.data as Partial<PapoNodeData>).spec?.ui.color ?? "#111827")}
        />
        <Controls />
      </ReactFlow>
    </div>
  );
}
