// The inbox's words: English is the key, pt-BR its translation (the studio's language switch picks).
import { useStore } from "../store";

const PT: Record<string, string> = {
  "Inbox": "Atendimento",
  "Campaigns": "Campanhas",
  "Sign in": "Entrar",
  "Name": "Nome",
  "Password": "Senha",
  "Signed in as {name}": "Conectado como {name}",
  "Sign out": "Sair",
  "All": "Todas",
  "Mine": "Minhas",
  "Unassigned": "Sem responsável",
  "Any channel": "Qualquer canal",
  "Any label": "Qualquer etiqueta",
  "Search name or phone": "Buscar nome ou telefone",
  "No one is waiting.": "Ninguém aguardando.",
  "urgent": "urgente",
  "waiting {t}": "aguardando {t}",
  "since {time}": "desde {time}",
  "closed until {when}": "fechado até {when}",
  "Closed now": "Fechado agora",
  "assigned to {name}": "com {name}",
  "Pick a conversation.": "Escolha uma conversa.",
  "Back": "Voltar",
  "Take over": "Assumir",
  "Assign to me": "Assumir para mim",
  "Assign to…": "Atribuir a…",
  "Assign": "Atribuir",
  "Hand back to the bot": "Devolver ao robô",
  "where it was": "onde estava",
  "Reply": "Responder",
  "Internal note": "Nota interna",
  "Send": "Enviar",
  "Add note": "Adicionar nota",
  "Type a reply…": "Escreva uma resposta…",
  "Type a note (never sent)…": "Escreva uma nota (nunca enviada)…",
  "Quick replies": "Respostas rápidas",
  "Templates": "Modelos",
  "The 24-hour window is closed: only a template can be sent.": "A janela de 24 horas está fechada: só um modelo pode ser enviado.",
  "The bot is handling this conversation. Take it over to reply.": "O robô está atendendo esta conversa. Assuma para responder.",
  "Older messages": "Mensagens anteriores",
  "File…": "Arquivo…",
  "Send a file by its https address; the text box is its caption": "Enviar um arquivo pelo endereço https; o texto vira a legenda",
  "The file's https address (image, PDF, audio or video)": "O endereço https do arquivo (imagem, PDF, áudio ou vídeo)",
  "Patient": "Paciente",
  "Bot": "Robô",
  "Staff": "Equipe",
  "Note": "Nota",
  "Profile": "Perfil",
  "Phone / id": "Telefone / id",
  "Channel": "Canal",
  "Labels": "Etiquetas",
  "Add label": "Adicionar etiqueta",
  "Variables": "Variáveis",
  "Appointments": "Consultas",
  "Upcoming": "Próximas",
  "Past": "Anteriores",
  "None.": "Nenhuma.",
  "Cancel appointment": "Cancelar consulta",
  "Book": "Agendar",
  "Find slots": "Buscar horários",
  "Reschedule here": "Remarcar para este",
  "Consents": "Consentimentos",
  "Bot is at {where}": "Robô em {where}",
  "Notifications": "Notificações",
  "Notifications on": "Notificações ativas",
  "New conversation waiting": "Nova conversa aguardando",
  "Urgent conversation": "Conversa urgente",
  "queued": "na fila",
  "sent": "enviada",
  "delivered": "entregue",
  "read": "lida",
  "failed": "falhou",
};

export type Tr = (key: string, vars?: Record<string, string | number>) => string;

export function useTr(): Tr {
  const lang = useStore((s) => s.lang);
  return (key, vars = {}) => {
    const s = lang === "pt-BR" ? (PT[key] ?? key) : key;
    return s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
  };
}

export function waited(seconds: number | null): string {
  if (seconds === null) return "";
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86400)} d`;
}
