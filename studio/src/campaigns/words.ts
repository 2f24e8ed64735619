// The campaigns page's words: English is the key, pt-BR its translation (the studio's language switch picks).
import { useStore } from "../store";

export const PT: Record<string, string> = {
  "Campaigns": "Campanhas",
  "Campaign": "Campanha",
  "Purpose": "Finalidade",
  "Template": "Modelo",
  "Flow": "Fluxo",
  "Channel": "Canal",
  "Run now": "Disparar agora",
  "Start a run of {name} now? Its audience is read now.": "Disparar {name} agora? O público é lido neste momento.",
  "Runs": "Disparos",
  "Schedule…": "Agendar…",
  "Schedule": "Agendar",
  "Start at (your clock; it still waits for business hours)": "Começar em (seu horário; ainda espera o horário de atendimento)",
  "Schedule a run of {name} for {when}? Its audience is read now.": "Agendar um disparo de {name} para {when}? O público é lido agora.",
  "Refresh": "Atualizar",
  "No runs yet.": "Nenhum disparo ainda.",
  "No campaigns: add them to campaigns.json in the bot folder.": "Nenhuma campanha: defina-as em campaigns.json na pasta do robô.",
  "Status": "Situação",
  "Created": "Criado",
  "Progress": "Progresso",
  "{done} of {size}": "{done} de {size}",
  "Audience": "Público",
  "Skipped": "Ignorados",
  "Sent": "Enviados",
  "Delivered": "Entregues",
  "Read": "Lidos",
  "Replied": "Responderam",
  "Failed": "Falharam",
  "Opted out after": "Descadastraram depois",
  "Pause": "Pausar",
  "Resume": "Retomar",
  "Cancel": "Cancelar",
  "Cancel this run? Contacts not reached yet will not get it.": "Cancelar este disparo? Quem ainda não recebeu não receberá.",
  "running": "em andamento",
  "paused": "pausado",
  "done": "concluído",
  "cancelled": "cancelado",
  "marketing": "marketing",
  "utility": "utilidade",
  "starts at {when}": "começa em {when}",
  "Started run {id}: {n} contacts.": "Disparo {id} iniciado: {n} contatos.",
  "Campaigns need an admin account. You are signed in as {name} ({role}); ask an admin to run them.":
    "Campanhas exigem uma conta de administrador. Você entrou como {name} ({role}); peça a um administrador.",
  "Signed in as {name}": "Conectado como {name}",
  "Updating every few seconds while a run is running.": "Atualizando a cada poucos segundos enquanto há disparo em andamento.",
};

export type Tr = (key: string, vars?: Record<string, string | number>) => string;

export function tr(lang: string, key: string, vars: Record<string, string | number> = {}): string {
  const s = lang === "pt-BR" ? (PT[key] ?? key) : key;
  return s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

export function useTr(): Tr {
  const lang = useStore((s) => s.lang);
  return (key, vars) => tr(lang, key, vars);
}
