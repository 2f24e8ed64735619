// The studio's own words: English is the key, pt-BR its translation. A vitest test checks every
// call of t with a literal in src/ has a pt-BR entry.
import { useStore } from "../store";
import { PT_BR } from "./pt-BR";

export function translate(lang: string, key: string, vars: Record<string, string | number> = {}): string {
  const s = lang === "pt-BR" ? (PT_BR[key] ?? key) : key;
  return s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

export function useT(): (key: string, vars?: Record<string, string | number>) => string {
  const lang = useStore((s) => s.lang);
  return (key, vars) => translate(lang, key, vars);
}
