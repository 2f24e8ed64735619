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
    "urgent": "Se for uma emergência, ligue agora para o SAMU (192) ou vá ao pronto-socorro mais próximo. "
              "Por aqui não fazemos atendimento de urgência.",
    "urgent_staff": "Se quiser falar com alguém da nossa equipe, é só pedir.",
    "crisis": "Sinto muito que você esteja passando por isso, e que bom que você escreveu. Você não está sozinho: "
              "ligue 188 (CVV, gratuito, 24 horas) ou converse em cvv.org.br. Se estiver em perigo agora, ligue "
              "192 (SAMU) ou vá ao pronto-socorro mais próximo.",
    "opt_out": "Pronto, você não vai mais receber mensagens automáticas nossas, nem lembretes de consulta. "
               "Se mudar de ideia, é só escrever *quero receber mensagens*.",
    "opt_in": "Combinado! Voltamos a te mandar lembretes e avisos por aqui. 🙂",
    "opt_out_marketing": "Tudo bem, não vamos te mandar novidades nem promoções. Seus lembretes de consulta "
                         "continuam normalmente. 🙂",
    "privacy": "Recebemos seu pedido sobre os seus dados pessoais. Nossa equipe vai confirmar sua identidade e "
               "responder em até 15 dias; nada é apagado antes disso.",
    "privacy_erase": "Recebemos seu pedido para apagar seus dados. Por segurança, nossa equipe vai confirmar sua "
                     "identidade antes de apagar qualquer coisa e vai te responder em até 15 dias.",
    "no_notice": "Nosso aviso de privacidade ainda não está disponível por aqui; fale com a nossa equipe.",
    "thanks": "Por nada! 😊",
    "wishes": "Obrigada, pra você também! 😊",
    "greeting": "Oi! Tudo bem por aqui. 😊",
    "acknowledged": "👍",
    "laughter": "😄",
    "renamed": "Desculpe! Anotado: vou te chamar de {{ name }}. 😊",
    "who_am_i": "Sou uma assistente virtual, um robô 🤖. Se preferir falar com uma pessoa da equipe, é só pedir.",
    "someone_real": "Sou uma assistente virtual, um robô 🤖. Se preferir falar com uma pessoa da equipe, é só pedir.",
    "give_up": "Tudo bem, sem pressa! Não marquei nada; quando quiser, é só escrever *agendar*. 🙂",
    "dropped": "Tudo bem! Se precisar de alguma coisa, é só me escrever por aqui. 🙂",
    "today": "Hoje é {weekday}, {dd}/{mm}. 🙂",
    "complaint": "Sinto muito por isso. 😔 Se quiser falar sobre o que aconteceu com alguém da nossa equipe, é só "
                 "escrever *atendente*.",
    "later": "Claro, sem pressa! Quando decidir, é só me escrever por aqui. 🙂",
    "goodbye": "Até logo! 👋",
    "unanswered": "Desculpe, não tenho essa resposta por aqui.",
    "closed": "Nossa equipe está fora do horário de atendimento agora. Sua mensagem ficou na fila e alguém "
              "responde a partir de {{ next_opening }}.",
}

# What a re-prompt says is expected, per `ask` input type (after the bot's `invalid` message).
EXPECTED: dict[str, str] = {
    "text": "Pode escrever sua resposta?",
    "name": "Pode me dizer só o nome, por favor?",
    "choice": "Escolha uma das opções; pode responder com o número.",
    "number": "Responda com um número, por favor.",
    "yes_no": "Responda *sim* ou *não*.",
    "email": "Escreva um e-mail, por exemplo: nome@exemplo.com.",
    "phone": "Escreva um telefone com DDD, por exemplo: (11) 98765-4321.",
    "cpf": "Escreva um CPF com 11 números, por exemplo: 123.456.789-09.",
    "date": "Escreva uma data, por exemplo: 15/03 ou sexta-feira.",
    "time": "Escreva um horário, por exemplo: 14h ou 9h30.",
    "datetime": "Escreva um dia e um horário, por exemplo: sexta às 14h.",
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
    "gravidez gravida infarto avc convulsao machucado ferida queimadura tosse coceira mancha manchas inchado "
    "inchada inchaco caroco nodulo ardendo ardencia enjoo enjoada enjoado nausea gripe gripado gripada resfriado "
    "virose catarro grave febril dores sangrou machucou torceu pressao inflamado inflamada infeccionado pus "
    "vomitou vomitar colica colicas formigando formigamento dormencia diabetes diabetico diabetica glicose "
    "hipoglicemia anticoncepcional anticoncepcionais pilula "
    # medicines patients name by brand or substance
    "rivotril clonazepam diazepam fluoxetina sertralina escitalopram omeprazol losartana captopril metformina "
    "insulina dorflex novalgina tylenol buscopan neosaldina torsilax nimesulida cetoprofeno prednisona "
    "prednisolona dexametasona azitromicina cefalexina benegrip resfenol allegra loratadina".split()
)
# A break is medical when a part of the body broke ("quebrou o braço", "o dente quebrado"), not the car.
MEDICAL_SIGNS = (
    (frozenset("quebrou quebrei quebrado quebrada quebrados quebradas quebrar fraturou fraturei fraturado fraturada "
               "fratura trincou trincado trincada".split()),
     frozenset("braco bracos perna pernas pe pes dedo dedos dente dentes nariz osso ossos punho pulso tornozelo "
               "costela costelas clavicula mao maos joelho bacia quadril cotovelo ombro cabeca cranio "
               "femur coluna mandibula queixo".split())),
    # a burn of a part of the body ("queimei a mão no forno"), not a lamp that burnt out
    (frozenset("queimei queimou queimado queimada queimaram queimando".split()),
     frozenset("mao maos braco bracos perna pernas pe pes dedo dedos rosto cara olho olhos lingua boca labio labios "
               "pele barriga costas pescoco peito orelha".split())),
)
MEDICAL_PHRASES = ("falta de ar", "pressão alta", "pressão baixa", "posso tomar", "devo tomar", "posso dar",
                   "passando mal", "mal estar", "pode tomar", "pode dar", "manchas vermelhas")
SERVICE_NOUNS = frozenset("vacina vacinas vacinacao exame exames teste testes".split())
SERVICE_LINKS = frozenset("de da do contra pra para".split())

# An urgent message (an emergency now) gets the emergency numbers first, wherever the conversation is,
# also while staff talk to the patient.
URGENT_WORDS = frozenset("emergencia urgencia urgente socorro infartando desmaiou desmaiada desmaiado convulsionando "
                         "convulsao inconsciente envenenamento overdose desacordado desacordada atropelado "
                         "atropelada atropelaram atropelou atropelamento eletrocutado eletrocutada".split())
# "Socorro" (Maria do Socorro) is a common name in the Northeast: written as a name at a name question, it is
# taken as the name, after the emergency message.
URGENT_NAMES = frozenset({"socorro"})
URGENT_PHRASES = ("nao consegue respirar", "não consigo respirar", "sem respirar", "e nao respira", "nao respira mais",
                  "nao ta respirando", "nao esta respirando", "parando de respirar", "muito sangue",
                  "sangrando muito", "dor no peito", "perdeu a consciencia", "parou de respirar", "engoliu",
                  "bateu a cabeca", "quero morrer", "me matar", "pronto socorro", "pronto-socorro",
                  "aperto no peito", "peito apertado", "pressao no peito", "labios roxos", "boca roxa",
                  "nao acorda", "nao para de sangrar", "nao parou de sangrar", "sangue nao para",
                  "a mais sem querer", "tomou a cartela", "tomei a cartela", "tomou remedio demais",
                  "tomei remedio demais", "tendo contracao", "tendo contracoes", "bolsa estourou", "estourou a bolsa",
                  "rompeu a bolsa",
                  # the signs of a stroke the SAMU campaigns teach: a crooked smile, a weak arm, slurred speech
                  "boca torta", "sorriso torto", "rosto torto", "cara torta", "fala enrolada", "falando enrolado",
                  "falando enrolada", "fala meio enrolada", "falando meio enrolado",
                  "fala arrastada", "falando arrastado", "fala embolada", "falando embolado",
                  "nao consegue falar", "nao consegue levantar o braco", "braco caido", "lado do corpo paralisado",
                  "metade do rosto",
                  # a fall that leaves someone unable to move; a baby or child turning blue, breathing fast
                  # (not a bruise that "ficou roxo", not "não consegue andar direito" for months)
                  "caiu da escada", "caiu do telhado", "caiu da laje", "nao consegue mexer", "nao consigo mexer",
                  "nao consegue se mexer", "ficando roxo", "ficando roxa", "respirando muito rapido",
                  "respirando rapido demais", "dificuldade para respirar", "dificuldade de respirar",
                  "dificuldade pra respirar", "puxando o ar",
                  # venomous stings and bites (scorpion, snake, spider, a swarm of bees): the Ministry of Health
                  # and the CIATox ask for care at once, a scorpion sting in a child above all
                  "picado por escorpiao", "picada por escorpiao", "picado de escorpiao", "picada de escorpiao",
                  "picou de escorpiao", "escorpiao picou", "escorpiao mordeu", "picado por um escorpiao",
                  "picada por um escorpiao", "picado por cobra", "picada de cobra", "picado de cobra",
                  "mordida de cobra", "mordido por cobra", "cobra picou", "cobra mordeu", "picado por uma cobra",
                  "mordido por uma cobra", "picado por aranha", "picada por aranha", "picado por uma aranha",
                  "picada por uma aranha", "picada de aranha", "aranha picou", "aranha mordeu", "mordida de aranha",
                  "picado por abelhas", "picada de abelhas", "enxame de abelhas",
                  # too many pills at once
                  "cartela inteira", "tomei uma cartela", "tomou uma cartela", "tomei todos os remedios",
                  "tomou todos os remedios", "tomei todos os comprimidos", "tomou todos os comprimidos",
                  # acute confusion (low blood sugar in a diabetic, a stroke), someone who does not move, a shock
                  "falando coisa sem sentido", "falando coisas sem sentido", "falando sem sentido", "sem nexo",
                  "nao fala coisa com coisa", "nao ta falando coisa com coisa", "nao esta falando coisa com coisa",
                  "nao ta mexendo", "nao esta mexendo", "nao ta se mexendo", "nao esta se mexendo", "nao se mexe",
                  "levou um choque", "levou choque", "tomou um choque", "choque eletrico",
                  # a seizure in the words of who sees it; a bone out of the skin
                  "se debatendo", "olhos virados", "olho virado", "olhos revirados", "revirando os olhos",
                  "virando os olhos", "tendo uma crise convulsiva", "osso aparecendo", "osso pra fora",
                  "osso para fora", "osso saindo", "osso exposto", "fratura exposta",
                  # the sight going dark (a hypertensive crisis, a stroke)
                  "vista escurecendo", "vista escureceu", "vista ta escurecendo", "vista esta escurecendo")
# Signs said in the patient's own words, a word of each list at most a few words apart ("o lado esquerdo do
# rosto dormente", "a boca roxinha", "respirando com dificuldade", "tomou veneno de rato"). Not speech alone: a
# child who "fala enrolado" is a reason to see the pediatrician, not an emergency.
URGENT_SIGNS = (
    (frozenset("rosto cara boca face".split()),  # a stroke: one side of the face numb or fallen
     frozenset("dormente dormencia adormecido adormecida paralisado paralisada caido caida torto torta".split())),
    (frozenset("boca boquinha labio labios beico beicinho".split()),  # lips turning blue
     frozenset("roxa roxo roxos roxas roxinha roxinho roxinhos azul azulada azulado azulados arroxeada arroxeado "
               "arroxeados".split())),
    (frozenset("respirando respirar respira respiracao".split()),  # breathing hard ("respirando muito mal")
     frozenset("dificuldade dificil custo mal".split())),
    (frozenset("veneno raticida chumbinho inseticida querosene soda sanitaria cloro alvejante desinfetante solvente "
               "thinner gasolina acetona removedor".split()),  # a poison or a household product swallowed
     frozenset("tomou tomei bebeu bebi engoliu engoli comeu comi ingeriu ingeri".split())),
    (frozenset("bateria baterias pilha pilhas moeda moedas ima botao prego alfinete agulha parafuso".split()),
     frozenset("engoliu engoli engolir engolido engolida engoliram".split())),  # a battery, a coin, a magnet swallowed
    (frozenset("respondendo responde reagindo reage".split()),  # someone who fell and does not respond
     frozenset({"nao"}), frozenset("caiu desmaiou apagou gelado gelada desacordado desacordada".split())),
    (frozenset("fala falar falando".split()),  # slurred speech of a sudden: a stroke (not a child who talks so)
     frozenset("enrolado enrolada embolado embolada arrastado arrastada".split()),
     frozenset("repente derrepente subito subitamente".split())),
    (frozenset("sangue sangrando sangra".split()),  # bleeding hard ("ta jorrando sangue e nao para")
     frozenset("jorrando jorra jorrou esguichando esguicha jato".split())),
    (frozenset("osso ossos".split()),  # a bone out of the skin ("o osso do braço ta aparecendo")
     frozenset("aparecendo aparece exposto saindo".split())),
    (frozenset("garganta glote".split()),  # the throat closing (an allergic reaction: a sting, a food, a medicine)
     frozenset("fechando fechou fechar trancando trancou".split())),
    (frozenset({"pressao"}),  # a blood pressure of a crisis ("pressão 20 por 13", "a pressão foi a 19 por 12")
     frozenset("18 19 20 21 22 23 24 25 26".split()), frozenset({"por", "x"})),
    (frozenset("queimei queimou queimado queimada queimadura queimaduras queimando".split()),  # a burn that blisters
     frozenset("bolha bolhas bolhou empolou empolado empolada soltando fervendo fervente".split())),  # or a scald
    (frozenset("rojao rojoes fogos foguete bombinha bombinhas morteiro".split()),  # fireworks that went off on someone
     frozenset("estourou estouraram explodiu explodiram acertou pegou".split())),
    (frozenset("manchas manchinhas pintas pintinhas pontinhos bolinhas".split()),  # purple spots with a fever
     frozenset("roxas roxinhas roxos roxinhos arroxeadas arroxeados".split()), frozenset("febre febrao".split())),
)
# Thoughts of suicide or self-harm: the `crisis` message (CVV 188 as well as 192), wherever the conversation is.
CRISIS_PHRASES = ("quero morrer", "me matar", "acabar com a minha vida", "acabar com minha vida", "tirar a minha vida",
                  "tirar minha vida", "nao quero mais viver", "nao quero continuar vivo", "nao quero continuar viva",
                  "se quero continuar vivo", "se quero continuar viva", "se quero continuar vivendo",
                  "nao quero continuar vivendo", "sem vontade de continuar",
                  "cansei de viver", "cansada de viver", "cansado de viver", "desistir de viver", "desisti de viver",
                  "nao sei se quero viver", "sem vontade de viver", "me suicidar", "suicidio",
                  "suicida", "me machucar", "me cortar", "nao aguento mais viver", "sumir do mundo",
                  "dar fim na minha vida", "por fim na minha vida",
                  # said of someone else, or without the word: "meu irmão falou que vai se matar", "pensando em
                  # acabar com tudo", "não aguento mais essa vida"
                  "se matar", "se suicidar", "acabar com tudo", "nao aguento mais essa vida", "nao aguento mais a vida",
                  "tirar a propria vida", "tirar minha propria vida", "tirar a minha propria vida",
                  # the wish said in the past tense or of someone else; never waking up; self-harm going on
                  "queria morrer", "quer morrer", "querendo morrer", "vontade de morrer", "me matasse", "me mato",
                  "estou me matando", "to me matando", "tou me matando", "se matasse", "se matando",
                  "nunca mais acordar", "nao acordar mais",
                  "dormir e nao acordar", "ninguem ia sentir minha falta", "ninguem vai sentir minha falta",
                  "ninguem sentiria minha falta", "se cortando", "me cortando", "se cortou de novo")

# Stop and restart proactive messages (opt-out, opt-in); a request about personal data (LGPD).
OPT_OUT_PHRASES = ("nao quero mais receber", "não quero receber", "parem de me mandar", "pare de me mandar",
                   "para de me mandar", "nao me mandem mais", "não me mande mais", "descadastrar", "descadastra",
                   "me descadastre", "sair da lista", "tirar meu numero", "remover meu numero", "parar de receber",
                   "cancelar as mensagens", "cancelar mensagens", "chega de mensagem", "nao mande mais mensagem",
                   "nao quero mais mensagens", "nao quero mais lembretes", "nao quero mais mensagem",
                   "nao quero mais lembrete", "parar as mensagens",
                   # "PARA DE ME LEMBRAR": the reminders, by their verb
                   "para de me lembrar", "pare de me lembrar", "parem de me lembrar", "parar de me lembrar",
                   "nao precisa mais me lembrar", "nao precisam mais me lembrar", "nao quero ser lembrado",
                   "nao quero ser lembrada",
                   "tira da lista", "tire da lista", "tira dessa lista", "tire dessa lista", "tirem dessa lista",
                   "tirar dessa lista", "tira desta lista", "tirem desta lista",
                   "tirem da lista", "tirar da lista", "remove da lista",
                   "remova da lista", "removam da lista", "remover da lista", "tira meu numero", "tirem meu numero",
                   "para de mandar", "pare de mandar", "parem de mandar", "parar de mandar", "para de enviar",
                   "pare de enviar", "parem de enviar", "nao quero lembrete", "nao quero lembretes",
                   "nao quero mensagem", "nao quero mensagens", "nada de mensagem", "nada de mensagens",
                   "nada de lembrete", "nada de lembretes", "quero receber mais nada", "quero receber nada",
                   "quero mais nada de voces", "quero mais nada de vcs",
                   # "me tira dessas propagandas pfv": out of what they send (the noun says whether only marketing)
                   # "nao quero nada de vcs, nem lembrete, me tira de tudo": everything, reminders too
                   "me tira de tudo", "me tire de tudo", "me tirem de tudo", "nao quero nada de vcs",
                   "nao quero nada de voces", "nem lembrete", "nem lembretes", "nem os lembretes",
                   "me tira dessa", "me tira dessas", "me tira desse", "me tira desses", "me tira das", "me tira dos",
                   "me tire dessa", "me tire dessas", "me tire das", "me tire dos", "me tirem dessa",
                   "me tirem dessas", "me tirem das", "me tirem dos")
# What only marketing is: an opt-out that names nothing else ("não quero receber promoção, só os lembretes")
# withdraws the consent to marketing and keeps the reminders.
MARKETING_WORDS = frozenset("propaganda propagandas promocao promocoes novidade novidades publicidade ofertas oferta "
                            "marketing".split())
# ... and "os lembretes pode continuar mandando", "mantenham os lembretes": the others go on
ONLY_WORDS = frozenset({"so", "apenas", "somente", "continuar", "continua", "continuem", "continue", "manter",
                        "mantenham", "mantem", "seguir"})
OPT_OUT_PLACES = frozenset("lista numero whatsapp zap spam contatos".split())
# Sending verbs: one after "não" ("não precisa mandar", "não me mandem") with a noun of OPT_OUT_PAIRS' second
# list ("lembrete", "mensagem") stops proactive messages.
SEND_VERBS = frozenset("mandar mande mandem manda mandando enviar envie enviem envia enviando".split())
SEND_FILLERS = frozenset("precisa precisam precisar mais me nos pode podem tem que voces vcs ficar fica".split())
WANTING_VERBS = frozenset("quero queria preciso".split())
REFUSAL_FILLERS = frozenset("mais nenhuma nenhum receber de essa essas esse esses".split())
OPT_OUT_WORDS = frozenset({"pare", "parar", "para", "stop", "chega", "descadastrar"})  # the whole message
# ... or a word of each list, in any order ("chega de mensagens", "excluam todas as minhas informações").
OPT_OUT_PAIRS = (frozenset("pare parem parar chega descadastrar descadastra descadastre descadastrem bloquear bloqueia "
                           "bloqueiem sair".split()),
                 frozenset("mensagem mensagens lembrete lembretes notificacao notificacoes aviso avisos lista spam "
                           "whatsapp zap propaganda propagandas novidade novidades promocao promocoes".split()))
PRIVACY_PAIRS = (frozenset("apagar apague apaguem apaga excluir exclua excluam exclui deletar delete deletem remover "
                           "remova removam esquecer esquecam eliminar elimine eliminem apagassem apagasse apagarem "
                           "excluissem excluisse excluirem deletassem removessem removerem".split()),
                 frozenset("dados informacoes informacao cadastro historico registros numero conversas".split()))
# A request to correct them (LGPD art. 18 III): "meu cadastro tá com o sobrenome errado, queria corrigir".
CORRECTION_PAIRS = (frozenset("corrigir corrige corrija corrijam corrigissem corrigirem atualizar atualiza atualize "
                              "atualizem errado errada errados erradas incorreto incorreta desatualizado "
                              "desatualizados".split()),
                    frozenset("cadastro cadastros dados sobrenome registro registros cpf".split()))
OPT_IN_PHRASES = ("quero receber mensagens", "quero receber lembretes", "voltar a receber", "pode mandar mensagens",
                  "receber lembretes", "ativar lembretes", "voltar a mandar", "voltem a mandar",
                  "volta a mandar", "voltar a enviar", "voltem a enviar", "voltar a me mandar", "volta a me mandar",
                  "voltem a me mandar", "voltar a me enviar", "receber as mensagens de novo", "receber de novo",
                  "receber novamente", "quero receber as mensagens", "quero receber os lembretes",
                  "me mandar de novo", "mandar de novo os lembretes", "pode mandar os lembretes",
                  "pode mandar lembretes", "pode enviar os lembretes", "lembretes de novo", "mensagens de novo",
                  "lembretes novamente")
PRIVACY_PHRASES = ("apaguem meus dados", "apague meus dados", "apagar meus dados", "apaga meus dados",
                   "excluir meus dados", "exclua meus dados", "excluam meus dados", "deletar meus dados",
                   "delete meus dados", "remover meus dados", "remova meus dados", "apagar minhas informacoes",
                   "apaguem minhas informacoes", "excluir minhas informacoes", "meus dados pessoais",
                   "quais dados voces tem", "que dados voces tem", "lgpd", "protecao de dados",
                   "esquecer meus dados", "apagar meu cadastro", "excluir meu cadastro", "apaguem meu cadastro",
                   "apague meu cadastro", "apaguem tudo sobre mim", "apagar tudo sobre mim", "meus dados",
                   "copia dos meus dados", "dados meus", "minhas informacoes pessoais", "copia de todos os dados",
                   "copia dos dados", "copia de todos os meus dados", "tem sobre mim", "guardam sobre mim",
                   "informacoes minhas", "voces guardam", "voces armazenam", "dados que voces tem",
                   "guardado sobre mim", "guardados sobre mim", "guardado de mim", "copia de tudo",
                   "copia do meu cadastro", "copia do cadastro", "copia das minhas informacoes",
                   # consent withdrawn (LGPD art. 8 § 5): a request for staff, as the others
                   "retiro o consentimento", "retiro meu consentimento", "retiro o meu consentimento",
                   "revogo o consentimento", "revogo meu consentimento", "revogo o meu consentimento",
                   "quero revogar", "quero retirar o consentimento", "quero retirar meu consentimento",
                   "nao autorizo mais", "nao autorizo o uso", "nao autorizo voces", "nao autorizo vcs",
                   "nao autorizo usarem", "nao permito mais")
# The whole message asks how the bot treats personal data: the bot's privacy notice answers.
NOTICE_WORDS = frozenset({"privacidade", "politica de privacidade", "aviso de privacidade", "privacidade lgpd",
                          "termos de privacidade", "como voces usam meus dados"})
# ... or a question about it anywhere in the message ("vcs repassam meus dados? qual a política de privacidade?").
NOTICE_PHRASES = ("politica de privacidade", "aviso de privacidade", "termos de privacidade", "usam meus dados",
                  "fazem com meus dados", "repassam meus dados", "compartilham meus dados", "vendem meus dados",
                  "passam meus dados", "funciona a privacidade", "e a privacidade", "sobre privacidade",
                  "usam meu telefone", "usam meu numero", "usam meu celular", "usam meu cpf", "usam meu email",
                  "usam minhas informacoes", "fazem com meu telefone", "fazem com meu numero",
                  "fazem com minhas informacoes", "fazem com meu cpf",
                  # whether the clinic follows the law ("vcs seguem a lgpd né?"): the notice, no request
                  "seguem a lgpd", "segue a lgpd", "cumprem a lgpd", "cumpre a lgpd", "respeitam a lgpd",
                  "respeita a lgpd", "de acordo com a lgpd", "adequados a lgpd", "adequada a lgpd",
                  "adequado a lgpd", "conforme a lgpd", "dentro da lgpd")
# A question about one part of the notice: a word of each set, in a question.
_DATA = frozenset("dados dado informacoes informacao telefone numero celular cpf email conversas conversa mensagens "
                  "historico cadastro nome lgpd consentimento".split())  # "quais são meus direitos pela LGPD?"
NOTICE_QUESTIONS: dict[str, tuple[frozenset[str], ...]] = {
    "retention": (frozenset("tempo quando prazo ate".split()),
                  frozenset("guardam guarda guardar guardado guardados guardadas armazenam armazena mantem ficam "
                            "fica apagam apaga".split()), _DATA),
    "recipients": (frozenset("passam passa repassam repassa compartilham compartilha vendem vende divulgam divulga "
                             "entregam entrega vao vai enviam envia mandam manda".split()), _DATA,
                   frozenset("alguem ninguem terceiros outras outros empresa empresas quem".split())),
    # a question about the rights themselves, not a request: "quais são meus direitos sobre meus dados?", "se eu
    # pedir, vocês apagam meu cadastro?"
    "rights": (frozenset("direito direitos".split()), _DATA),
    "rights_use": (frozenset("pedir pedisse pedindo peco direito direitos".split()),
               frozenset("apagar apagam apaguem apaga excluir excluem excluam corrigir corrigem copia deletar deletam "
                         "remover removem bloquear revogar".split()), _DATA),
    # "quem consegue ler essas conversas?", "pra que vocês precisam do nome dele?"
    "monitoring": (frozenset("ler le leem lendo ve veem acessa acessam acesso".split()),
                   frozenset("conversas conversa mensagens escrevo escrevi mando mandei digito".split())),
    "purposes": (frozenset("precisam usam usa utilizam utiliza servem serve pedem pede".split()), _DATA),
    "purposes_why": (frozenset({"precisa", "precisam"}), frozenset({"que"}), frozenset({"para", "por"}), _DATA),
    "controller": (frozenset("responsavel responsaveis encarregado dpo cuida cuidam".split()),
                   frozenset("dados informacoes privacidade lgpd".split())),
}
# The headings of the privacy notice, in the order it is said.
NOTICE_LABELS: dict[str, str] = {
    "title": "🔒 *Privacidade e seus dados (LGPD)*",
    "controller": "*Quem cuida dos seus dados:*",
    "dpo": "*Encarregado (DPO):*",
    "purposes": "*Para que usamos:*",
    "retention": "*Por quanto tempo guardamos:*",
    "recipients": "*Com quem compartilhamos:*",
    "rights": "*Seus direitos:*",
    "monitoring": "*Monitoramento:*",
    "human_contact": "*Falar com uma pessoa:*",
    "how": "Para pedir uma cópia ou apagar seus dados, escreva *meus dados* ou *apagar meus dados*. Para não "
           "receber mais avisos, escreva *PARAR*.",
}

# Small talk, on normalised text: a short answer, never the menu. The first kind that matches wins.
SMALL_TALK: dict[str, str] = {
    "who_am_i": r"\b(?:(?:vc|voce|tu|ce|oce)\s+(?:e|eh|seria)\s+(?:um\s+|uma\s+)?(?:robo|robozinho|bot|chatbot|maquina"
                r"|ia|inteligencia\s+artificial|humano|humana|pessoa|gente|de\s+verdade)"
                r"|(?:to|tou|estou)\s+falando\s+com\s+(?:um\s+|uma\s+)?(?:robo|bot|maquina|ia|humano|pessoa|gente))\b"
                r"|^(?:e|eh)\s+(?:um\s+)?(?:robo|bot)\b",
    # "isso tá muito confuso, tem alguém de verdade aí?", the message's last words: a person is offered
    "someone_real": r"\btem\s+(?:alguem|alguma\s+pessoa|uma\s+pessoa|gente|um\s+humano|algum\s+humano)"
                    r"\s+(?:de\s+verdade|real|de\s+carne\s+e\s+osso|ai|ae|aqui)(?:\s+(?:ai|ae))?$",
    "today": r"^(?:q|que|qual)\s+(?:e\s+)?(?:o\s+|a\s+)?(?:dia|data)\s+(?:(?:e|eh)\s+)?(?:de\s+)?(?:hj|hoje)\b"
             r"|^(?:hj|hoje)\s+(?:e|eh)\s+(?:que\s+)?dia\b",
    # a complaint about the service: "da última vez fiquei 40 min esperando, um absurdo", "que descaso"
    "complaint": r"\b(?:(?:um|que|e um|foi um|isso e um)\s+absurdo|descaso|falta de respeito|pessimo atendimento"
                 r"|atendimento (?:pessimo|horrivel|ruim)"
                 r"|(?:fiquei|esperei)\s+(?:mais de\s+)?(?:\d+|uma|duas|tres)\s+(?:min\w*|h|horas?)\b)",
    # "deixa pra lá, não vou marcar agora": not a pause, the question is dropped (`later` keeps it waiting)
    "give_up": r"\b(desisto|desisti|nao quero mais (marcar|agendar|a consulta|consulta)|esquece (isso|a consulta)"
               r"|deixa quieto|nao vou mais (marcar|agendar|querer)|deixa (pra|para) la"
               r"|nao vou (marcar|agendar) (agora|ainda|hoje)|fica (pra|para) (depois|outra hora|outro dia))\b"
               r"|^esquece( isso| entao| tudo)?$",
    # before `later`: "tchau, depois eu volto" takes leave
    "goodbye": r"^(ate (logo|mais|breve|amanha|depois|a proxima)|falou|bye|fui|abracos?|beijos?|bjs?|tchau\w*)\b"
               r"|\b(tchau\w*|ate (logo|mais|breve|a proxima))\W*$",  # "valeu, tchau": the goodbye, after thanks
    "later": r"\b(vou ver|deixa eu ver|deixa eu pensar|vou pensar|te falo|te aviso|te digo|depois eu|depois te|"
             r"volto (a falar|depois|mais tarde)|ver com (meu|minha|o|a)|falar com (meu|minha)|nao sei ainda|"
             r"vou perguntar|perguntar (pro|pra|para|ao|a) (meu|minha|o|a)|(ainda )?(to|tou|estou) vendo|"
             r"nao sei nao|ainda nao sei|mais tarde eu)"
             # a pause: "peraí que o nenem tá chorando", "só um minutinho", "um momento"
             r"|^(pera|perai|pera ai|calma|calma ai|espera|espere|aguarda|aguarde|um momento|um minut\w*|um instante"
             r"|ja volto|so um (minut\w*|momento|instante|pouquinho|segundo))\b",
    # a season's wishes: "feliz natal!", "boas festas pra vcs"
    "wishes": r"\b(feliz (natal|ano novo|pascoa|20\d\d)|boas festas|bom natal|prospero ano novo|boas entradas)\b",
    "thanks": r"\b(obrigad\w*|obg|brigad\w*|valeu|vlw|agradec\w*|grat[oa]|thanks?|thank you)\b",
    "laughter": r"^(k+|(ha)+h?|(he)+h?|(hi)+h?|(rs)+|lol|ksks\w*)\b",
    "greeting": r"^((oi+e?|ola|opa|e ai|bom dia|boa tarde|boa noite)( tudo (bem|bom|certo))?|tudo (bem|bom|certo)( com "
                r"(voce|voces))?|como (vai|voce esta|vcs estao))$",
    "acknowledged": r"^(ok(ay|ey)?|blz|beleza|certo|ta bom|ta|entendi|entendido|show|joia|perfeito|sim|s|"
                    r"combinado|otimo|legal|massa|uhum|hum+|hmm+|ah( ta| sim)?|aham|ok obrigad[oa])$",
}

# A message that opens by putting the decision off: whatever it names after that is no request ("deixa eu ver
# minha agenda"); "deixa pra lá, quero marcar" gives up on the question for what comes next, so it is not here.
# A time said roughly ("umas 16h", "lá pelas 3", "mais tarde"): the slots near it are offered, none is taken.
APPROXIMATE = r"\b(?:umas?|la\s+pel[ao]s?|por\s+volta|mais\s+ou\s+menos|perto\s+d[ao]s?|cerca\s+de|aproximadamente" \
    r"|mais\s+tarde|mais\s+cedo|depois\s+d[ao]s?|antes\s+d[ao]s?|a\s+partir\s+d[ao]s?)\b"
# At a question for whom ("Qual é o nome de quem vai ser atendido?"): the one who writes is the one it is for.
SELF_REFERENCE = r"\b(?:(?:pra|para)\s+mim|eu\s+mesm[oa]|sou\s+eu|(?:o|a)\s+propri[oa])\b"
# ... after a filler ("pera so um segundo, deixa eu ver minha agenda")
DEFERRING = (r"^(?:(?:pera|perai|espera|calma|so|um|uma|segundo|segundinho|minuto|minutinho|momento|momentinho|ah"
             r"|hm+|ok|ta|entao)\b[\s,.!]*)*(vou ver|deixa eu ver|deixa eu pensar|vou pensar|te falo|te aviso"
             r"|te digo|vou verificar|vou olhar)\b")

# A message that asks something (an unanswered one gets `unanswered`, not "I did not understand").
QUESTION_WORDS = frozenset("qual quais quanto quanta quantos quantas quando onde como porque por que quem "
                           "pode podem posso tem voces aceitam atendem atende precisa".split())
# A question about a right that is no request yet ("a LGPD deixa eu pedir pra apagarem meus dados? só to perguntando"):
# the notice's part on rights, no request for staff (read on the message folded, with its punctuation).
RIGHTS_QUESTION = (r"\b(?:so\s+(?:to\s+|estou\s+|tou\s+)?perguntando|por\s+curiosidade|so\s+curiosidade"
                   r"|so\s+pra\s+saber|so\s+para\s+saber)\b"
                   r"|\b(?:lgpd|lei)\s+(?:me\s+)?(?:deixa|permite|garante|da\s+direito)\b.*\?"
                   r"|\b(?:tenho\s+(?:o\s+)?direito\s+de|e\s+possivel)\s+(?:pedir|solicitar)\b.*\?")
# A question about what is needed, which the FAQ answers rather than a flow that would do it: "precisa de
# encaminhamento pra consultar com o pediatra?", "tem que levar pedido médico?" (read on normalised text).
REQUIREMENT = (r"^(?:e\s+)?(?:precisa|preciso|precisa\s+mesmo|tem\s+que|tenho\s+que|e\s+necessario|e\s+obrigatorio"
               r"|e\s+preciso)\b")
# At a list of slots, the whole answer leaves the choice to the bot: the first one offered.
ANY_SLOT = (r"^(?:(?:pode\s+ser\s+)?qualquer\s+(?:um|uma|horario|hora|dia)(?:\s+(?:serve|ta\s+bom))?|tanto\s+faz"
            r"|(?:o|a)\s+que\s+(?:tiver|for\s+melhor)|o\s+primeiro\s+que\s+tiver|qualquer\s+(?:um|horario)\s+(?:pra|para)\s+mim"
            r"|o\s+mais\s+(?:cedo|proximo|rapido)|(?:pode\s+ser\s+)?o\s+primeiro\s+disponivel)$")
# At a list of slots, asking for the ones after them ("tem mais tarde?", "nenhum desses serve").
MORE_SLOTS = (r"\b(?:mais\s+tarde|outros?\s+horarios?|outras?\s+opc(?:ao|oes)|mais\s+(?:opc(?:ao|oes)|horarios?)"
              r"|nenhum(?:\s+(?:desses|destes|deles|dos\s+dois))?\s+(?:me\s+)?(?:serve|da|rola)|nenhum\s+(?:desses|destes)"
              r"|tem\s+outros?|mais\s+pra\s+frente|depois\s+desses?|proximos?\s+horarios?|nao\s+(?:me\s+)?serve[m]?)\b")

# Small talk from the language model may not speak of money, times or days (read on normalised text:
# lower case, no accents, punctuation dropped, letter runs squeezed).
MONEY_OR_TIME = (r"\d|\bhoras?\b|\bminutos?\b|\breais\b|\bcentavos?\b|\bdolar(es)?\b|"
                 r"amanha|hoje|segunda|terca|quarta|quinta|sexta|sabado|domingo")
