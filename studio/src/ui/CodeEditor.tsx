// CodeMirror 6 for raw JSON and expressions, with completion of the bot's variables. Loaded lazily: the
// canvas does not pay for it until a form shows such a field.
import { autocompletion, type CompletionContext } from "@codemirror/autocomplete";
import { json } from "@codemirror/lang-json";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, placeholder } from "@codemirror/view";
import { useEffect, useRef } from "react";

export interface CodeEditorProps {
  value: string;
  mode: "json" | "expression";
  variables: string[];
  label: string;
  onChange: (text: string) => void;
  onBlur?: () => void;
}

export default function CodeEditor({ value, mode, variables, label, onChange, onBlur }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef({ onChange, onBlur, variables });
  latest.current = { onChange, onBlur, variables };

  useEffect(() => {
    const complete = (ctx: CompletionContext) => {
      const word = ctx.matchBefore(/[A-Za-z_][A-Za-z0-9_.]*/);
      if (!word && !ctx.explicit) return null;
      return {
        from: word ? word.from : ctx.pos,
        options: latest.current.variables.map((v) => ({ label: v, type: "variable" })),
      };
    };
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          mode === "json" ? json() : [],
          autocompletion({ override: [complete] }),
          placeholder(mode === "json" ? "{}" : "idade >= 18 and convenio"),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ "aria-label": label, "data-field": label }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) latest.current.onChange(u.state.doc.toString());
            if (u.focusChanged && !u.view.hasFocus) latest.current.onBlur?.();
          }),
          mode === "expression" ? keymap.of([{ key: "Enter", run: () => true }]) : [],
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Outside changes (undo, another field) replace the text when it differs.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value && !v.hasFocus)
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  return <div className={"code-editor " + mode} ref={host} />;
}
