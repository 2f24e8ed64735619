"""Brazilian Portuguese: what papo itself says and reads when a conversation is in pt-BR."""

from __future__ import annotations

LOCALE = "pt-BR"

MESSAGES: dict[str, str] = {
    "session_expired": "Nossa conversa anterior expirou, então vamos recomeçar. 🙂",
    "invalid": "Desculpe, não entendi.",
    "gave_up": "Desculpe, não consegui entender sua resposta.",
    "error": "Desculpe, tivemos um problema do nosso lado. Por favor, tente de novo em instantes.",
    "fallback": "Desculpe, não tenho uma resposta para isso.",
    "medical": "Não consigo responder dúvidas de saúde por aqui; alguém da nossa equipe pode te ajudar.",
    "unsupported": "Desculpe, ainda não consigo ler esse tipo de mensagem por aqui. Pode escrever em texto?",
}

BOOKING: dict[str, str] = {
    # book and reschedule: offering slots
    "offer": "Escolha um horário para {{ service }} 👇\nSe preferir outro dia ou período, é só escrever "
             "(por exemplo: sexta à tarde).",
    "list_button": "Ver horários",
    "nothing_matching": "Não encontrei horário livre nesse dia ou período 😕 Estes são os próximos disponíveis:",
    "past": "Essa data já passou 🙂 Estes são os próximos horários livres:",
    "impossible": "Essa data não existe no calendário ({{ wrong }}) 🙂 Estes são os próximos horários livres:",
    "far": "A agenda ainda não está aberta para essa data. Estes são os próximos horários livres:",
    "none": "No momento não há horários livres para {{ service }} 😕 Por favor, fale com a nossa equipe.",
    "pick_again": "Não entendi qual horário você prefere. Escolha um da lista ou escreva um dia "
                  "(por exemplo: amanhã de manhã).",
    "taken": "Que pena, esse horário acabou de ser reservado por outra pessoa. Veja os horários livres:",
    "expired": "O tempo para confirmar esse horário acabou. Veja os horários livres agora:",
    "confirm": "Confirma o horário?\n{{ service }} com {{ professional }}, {{ when }}.",
    "yes": "Confirmar",
    "no": "Escolher outro",
    "booked": "Pronto! ✅ Sua consulta está marcada: {{ service }} com {{ professional }}, {{ when }}.",
    "error": "Não consegui concluir agora 😕 Por favor, tente de novo em instantes ou fale com a nossa equipe.",
    # cancel, reschedule, confirm: which appointment
    "no_appointment": "Você não tem consultas marcadas. 🙂",
    "pick_appointment": "Qual consulta?",
    "pick_cancel": "Qual consulta você quer cancelar?",
    "pick_reschedule": "Qual consulta você quer remarcar?",
    "confirm_cancel": "Quer mesmo cancelar?\n{{ service }} com {{ professional }}, {{ when }}.",
    "yes_cancel": "Sim, cancelar",
    "no_cancel": "Não, manter",
    "cancelled": "Consulta cancelada. ✅ Se quiser marcar outra data, é só pedir.",
    "kept": "Tudo bem, sua consulta continua marcada. 👍",
    "too_late": "Falta pouco para a consulta, então não consigo alterá-la por aqui. "
                "Por favor, fale com a nossa equipe.",
    "confirm_reschedule": "Confirma a mudança para {{ when }}, com {{ professional }}?",
    "rescheduled": "Pronto! ✅ Sua consulta foi remarcada para {{ when }}, com {{ professional }}.",
    "confirmed": "Obrigada! ✅ Presença confirmada: {{ service }} com {{ professional }}, {{ when }}.",
    # my_appointments
    "list": "Suas próximas consultas:\n{{ items }}",
}

WEEKDAYS = ("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado", "domingo")
SHORT_WEEKDAYS = ("Seg", "Ter", "Qua", "Qui", "Sex", "Sáb", "Dom")
TYPED_WEEKDAYS = ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo")
MONTHS = ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
          "novembro", "dezembro")
SHORT_MONTHS = ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez")

WHEN = "{weekday}, {dd}/{mm}, às {time}"  # terça-feira, 03/03, às 09:00
DATE = "{dd}/{mm}"
ROW = "{short_weekday} {dd}/{mm} às {time}"  # a list row, at most 24 characters: Ter 03/03 às 09:00
APPOINTMENT_LINE = "• {when}: {service} com {professional}"

YES_ID = "sim"
NO_ID = "nao"

# A message with one of these words or phrases is a medical question: never answered by the FAQ or the model.
MEDICAL_WORDS = frozenset(
    "dor doi doendo febre sintoma sintomas remedio remedios medicamento medicamentos dose dosagem comprimido "
    "comprimidos sangramento sangrando tontura desmaio desmaiei alergia alergico dipirona ibuprofeno paracetamol "
    "antibiotico amoxicilina vomito vomitando diarreia infeccao inflamacao diagnostico tratamento posologia "
    "gravidez gravida infarto avc convulsao machucado ferida queimadura tosse".split()
)
MEDICAL_PHRASES = ("falta de ar", "pressão alta", "pressão baixa", "posso tomar", "devo tomar")

# Small talk from the language model may not speak of money, times or days (read on normalised text:
# lower case, no accents, punctuation dropped, letter runs squeezed).
MONEY_OR_TIME = (r"\d|\bhoras?\b|\bminutos?\b|\breais\b|\bcentavos?\b|\bdolar(es)?\b|"
                 r"amanha|hoje|segunda|terca|quarta|quinta|sexta|sabado|domingo")
