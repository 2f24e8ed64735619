"""Yes/no answers in pt-BR chat."""

from __future__ import annotations

import re

from nlu.lexicon import AFFIRM_PHRASES, AFFIRM_WORDS, DENY_PHRASES, DENY_WORDS
from nlu.text import normalise

_MAX_TOKENS = 12
# Phrases with a "não" that still mean yes, and phrases that mean "I do not know".
_NEGATED_YES = (" sem problema", " nao tem problema", " nao ha problema", " por que nao ", " porque nao ",
                " nao vejo problema", " nao me importo")
# "valeu, era só isso", "obrigada, mais nada": nothing more wanted, whatever thanks come first.
_NOTHING_MORE = (" so isso ", " mais nada ", " nada mais ", " so isso mesmo ")
# Thanks around an answer ("tá bom, obrigada", "sim, valeu") say nothing of it.
THANKS = frozenset({"obrigado", "obrigada", "valeu", "vlw", "grato", "grata", "agradeco", "muito", "mto"})
_INTENSIFIERS = frozenset({"muito", "mto"})  # "muito" alone thanks no one
_UNSURE = (" nao sei", " sei la ", " nao tenho certeza", " talvez ", " tanto faz ", " nao lembro", " nao entendi",
           " nao entendo ", " como assim ")


# "pera q vou ver com meu marido se ele pode me levar": the answer is put off, whatever "pode" says
_DEFERS = re.compile(r"\b(?:vou|deixa eu|deixa eu so|preciso|tenho que|vou ter que|vou precisar)\s+"
                     r"(?:ver|confirmar|perguntar|falar|olhar|checar)\b"
                     r"|\bse\s+(?:ele|ela|eu|a gente|ele\s+ainda|ela\s+ainda)\s+(?:pode|puder|consegue|conseguir)\b")


# A message that opens with a question word asks instead of answering ("oq é isso?", "como funciona isso?").
_ASKING = re.compile(r"^(?:e\s+)?(?:o\s+que|qual|quais|como|quando|onde|quem|pra\s+que|para\s+que|por\s+que)\b")


# A greeting before the answer and a blessing or a kiss after it are no part of it.
_GREETING = re.compile(r"^(?:(?:oi|ola|bom\s+dia|boa\s+tarde|boa\s+noite)\b[\s,.!]*)+")
_COURTESY = re.compile(r"(?:[\s,.!]*\b(?:(?:que\s+)?deus\s+(?:te\s+|lhe\s+|vos\s+)?(?:abencoe|pague)|fica\s+com\s+deus"
                       r"|fique\s+com\s+deus|amem|beijos?|bjs?|bjos?|abracos?)\b[\s,.!]*)+$")


def yes_no(text: str) -> bool | None:
    """True for an affirmation ("sim", "pode", "claro", "👍"), False for a denial ("não", "n",
    "negativo", "👎"), None when the text is neither or too long to be a plain answer."""
    folded = normalise(text)
    if folded in AFFIRM_PHRASES:
        return True
    if folded in DENY_PHRASES:
        return False
    folded = _COURTESY.sub("", _GREETING.sub("", folded)).strip() or folded  # "Boa tarde. Sim ... Deus abençoe"
    tokens = folded.split()
    bare = " ".join(token for token in tokens if token not in THANKS)
    if bare != folded and bare in AFFIRM_PHRASES:
        return True
    if bare != folded and bare in DENY_PHRASES:
        return False
    if not tokens or len(tokens) > _MAX_TOKENS:
        return None
    if any(phrase in f" {folded} " for phrase in _UNSURE) or _DEFERS.search(folded):
        return None
    if any(phrase in f" {folded} " for phrase in _NOTHING_MORE):
        return False
    if any(phrase in f" {folded} " for phrase in _NEGATED_YES):
        return True
    if _ASKING.match(folded):  # after "por que não?", which agrees
        return None
    if folded.endswith("que nao"):
        return False
    if folded.endswith("que sim") or tokens[0] == "s":
        return True
    return _first_answer_word(tokens)


# "não vou poder ir", "não vou conseguir comparecer", "não dá pra ir", "infelizmente não vou conseguir": the
# patient will not come.
_WONT_ATTEND = re.compile(r"\bnao\s+(?:(?:vou|vai|irei|consigo|posso|podemos|vamos|da|vai\s+dar)\s+"
                          r"(?:mais\s+)?(?:(?:conseguir|poder|dar)\s+)?(?:pra\s+|para\s+)?(?:ir|comparecer)\b"
                          r"|(?:vou|vai)\s+(?:conseguir|poder|dar)$)")  # not a bare "não posso": it may refuse
# "pode deixar marcada", "deixa como está", "vou manter": the appointment stays.
_KEEPS = re.compile(r"\b(?:deix[ae]r?|pode\s+deixar)\s+(?:ela\s+|a\s+consulta\s+)?(?:marcad[ao]|agendad[ao]"
                    r"|como\s+(?:esta|ta))\b|\bmant(?:er|em|enha|enho)\b")
# "muda pro outro sábado", "troca pra sexta de manhã", "passa minha consulta pra quinta": moving an appointment;
# "marcar", "agendar" make it a booking ("quero marcar pra quinta, se não der pode passar pra sexta").
_MOVE_VERBS = frozenset("remarcar remarca remarque mudar muda mude trocar troca troque passar passa passe adiar adia "
                        "adie jogar joga empurrar empurra adiantar adianta antecipar antecipa transferir transfere "
                        "reagendar reagenda".split())
_MOVE_WORDS = _MOVE_VERBS | {"outro", "outra"}  # "não vou poder ir, tem outro dia?" asks to move it too
_BOOK_VERBS = frozenset("marcar marca agendar agenda marque agende".split())


# "pode ser sábado de manhã em vez de amanhã?": another time instead of the one there is
_INSTEAD = re.compile(r"\b(?:em\s*vez|envez|ao\s+inves|inves|no\s+lugar)\s+d(?:e|o|a|os|as|isso)\b")


def says_instead(text: str) -> bool:
    """The message says "em vez de", "ao invés de", "no lugar de": one thing instead of another."""
    return _INSTEAD.search(normalise(text)) is not None


# "pode ser um pouco mais tarde? tipo 10h", "dá pra ser mais cedo?": the same, at another time of its day
_LATER_OR_EARLIER = re.compile(r"\b(?:pode|podia|poderia|da|daria|dava|tem\s+como|consigo|conseguiria)\s+"
                               r"(?:(?:pra|para)\s+)?ser\s+(?:um\s+)?(?:pouco\s+|pouquinho\s+|bem\s+)?"
                               r"mais\s+(?:tarde|cedo)\b")


def asks_to_move(text: str) -> bool:
    """The message asks to move something to another time, in a verb ("muda pro outro sábado, esse não vai
    dar"), as another time instead ("pode ser sábado em vez de amanhã?") or as later or earlier ("pode ser um
    pouco mais tarde? tipo 10h", `later_or_earlier`), and books nothing; whether it names the new time is for
    the caller to see."""
    folded = _SEEING.sub(" ", normalise(text))
    words = set(folded.split())
    return bool(words & _MOVE_VERBS or _INSTEAD.search(folded) or _LATER_OR_EARLIER.search(folded)) \
        and not words & _BOOK_VERBS


def later_or_earlier(text: str) -> bool:
    """The message asks for the same thing a little later or earlier ("pode ser mais tarde? tipo 10h")."""
    return _LATER_OR_EARLIER.search(normalise(text)) is not None


def asks_to_book(text: str) -> bool:
    """The message asks in a verb to book ("então marca pra quinta dia 24 de manhã"), not to move or cancel; whether
    it names a time is for the caller to see."""
    words = set(normalise(text).split())
    return bool(words & _BOOK_VERBS) and not words & (_MOVE_VERBS | _CANCEL_WORDS) and not words & DENY_WORDS


# A free time asked for ("tem horário pra pediatra sábado?", "queria ver um horário pra semana que vem", "horários
# disponíveis", "tem vaga na sexta?"), not the opening hours ("horário de funcionamento", "que horas abre").
_SLOT = re.compile(
    r"\b(?:(?:um|algum|alguns|uns|nenhum)\s+horarios?"
    r"|(?:tem|teria|tenha|tiver|ha|existe|sobrou|sobra|arruma|arrumar|consegue|conseguir|ver|olhar|procurar)"
    r"\s+(?:(?:um|algum)\s+)?horarios?\b(?!\s+(?:de|do|da)\s+(?:funcionamento|atendimento|abertura|voces|vcs))"
    r"|horarios?\s+(?:livres?|disponive(?:l|is)|vagos?|sobrando|em\s+aberto)"
    r"|(?:tem|teria|ha|sobrou|tiver)\s+(?:uma?\s+)?(?:vagas?|encaixe))\b"
)
_OPENING = re.compile(
    r"\b(?:funcionamento|abre|abrem|fecha|fecham|funciona|funcionam|aberto|aberta|estacion\w*|carro)\b"
)


def asks_for_slot(text: str) -> bool:
    """The message asks for a free time to book ("tem horário pra pediatra sábado?", "queria ver um horário pra
    semana que vem"), not for the opening hours; "outro horário" asks to move one (`asks_to_move`)."""
    folded = normalise(text)
    return _SLOT.search(folded) is not None and _OPENING.search(folded) is None


def refuses_to_cancel(text: str) -> bool:
    """The message says not to cancel ("queria remarcar, n cancelar")."""
    return any(_cancels(normalise(text).split()))


def asks_to_cancel(text: str) -> bool:
    """The message asks in a verb to cancel ("preciso desmarcar aquela consulta de segunda", "cancela a do
    pediatra pfv"), not to move, and no "não" turns it round ("não quero cancelar")."""
    words = normalise(text).split()
    negated = _cancels(words)
    return bool(negated) and not any(negated) and not _MOVE_VERBS & set(words)


def _cancels(words: list[str]) -> list[bool]:
    """For each verb of cancelling in `words`, whether a "não" shortly before turns it round."""
    return [bool(DENY_WORDS & set(words[max(0, i - 3):i])) for i, word in enumerate(words) if word in _CANCEL_WORDS]


# "precisa passar no pediatra", "passar com o dr Bruno": seeing a doctor, not moving anything
_SEEING = re.compile(r"\bpass(?:ar|a|e)\s+(?:no|na|nos|nas|com|pelo|pela|em|num|numa|por|um|uma)\b")


def wont_attend(text: str) -> bool:
    """The patient says they will not come, and nothing else that answers ("não vou poder ir"): at "Quer mesmo
    cancelar?" that is a yes. Not when they ask to move it ("não vou poder ir, dá pra remarcar?")."""
    folded = normalise(text)
    words = folded.split()
    return _WONT_ATTEND.search(folded) is not None and not _MOVE_WORDS & set(words) \
        and sum(w in DENY_WORDS for w in words) == 1


# "já tô indo!", "estamos a caminho", "to chegando aí": the patient is coming.
_WILL_ATTEND = re.compile(r"^(?:(?:ja|jah|sim|ok|blz|beleza)\s+)*(?:to|tou|estou|estamos|tamo|tamos)\s+(?:ja\s+)?"
                          r"(?:indo|saindo|chegando|a\s+caminho|no\s+caminho)"
                          r"(?:\s+(?:ai|la|sim|agora|ja|pra\s+ai|pra\s+la|de\s+casa|daqui|viu))*$")


def will_attend(text: str) -> bool:
    """The patient says they are on their way ("já tô indo!"): at "Podemos confirmar sua presença?" a yes, at
    "Quer mesmo cancelar?" a no."""
    folded = normalise(text)
    return _WILL_ATTEND.search(folded) is not None and not DENY_WORDS & set(folded.split())


_CANCEL_WORDS = frozenset("cancelar cancela cancele cancelamento desmarcar desmarca desmarque".split())


def cancels(name: str) -> bool:
    """An option's name that says cancelling ("Cancelar", "Desmarcar consulta"): what `wont_attend` picks."""
    return not _CANCEL_WORDS.isdisjoint(normalise(name).split())


def keeps_appointment(text: str) -> bool:
    """The patient says the appointment stays ("tá, pode deixar marcada", "melhor manter"), with no "não" that
    could turn it round: at "Quer mesmo cancelar?" that is a no, whatever "pode" or "tá" says."""
    for clause in re.split(r"[,.;!?]+", text):  # "ah não, deixa como tá": the "não" is a clause of its own
        words = normalise(clause).split()
        if _KEEPS.search(" ".join(words)) is not None and not any(w in DENY_WORDS for w in words):
            return True
    return False


def only_thanks(text: str) -> bool:
    """The message is thanks and nothing else ("valeu!!", "muito obrigada 🙏")."""
    tokens = normalise(text).split()
    return bool(set(tokens) - _INTENSIFIERS) and all(token in THANKS for token in tokens)


def _first_answer_word(tokens: list[str]) -> bool | None:
    """The first answer word; a yes that a "não" after it takes back ("ok, mas não quero cancelar", "isso não dá
    pra mim", "pode cancelar não", "certo, mas não agora") is a no: what was asked is not done."""
    for at, token in enumerate(tokens):
        if token in DENY_WORDS:
            return False
        if token in AFFIRM_WORDS and (token != "isso" or _isso_answers(tokens, at)):
            return not any(later in DENY_WORDS for later in tokens[at + 1:])
    return None


# "isso" is a yes where it leads ("isso, pode cancelar", "é isso", "sim, isso mesmo"); later in a sentence it is
# the pronoun "that" ("aff, que chato isso", "nossa, isso é caro").
_BEFORE_ISSO = frozenset({"e", "eh", "sim", "ah", "ai", "exato", "isso", "ok"})
_AFTER_ISSO = frozenset({"mesmo", "msm", "ai", "ae"})


_ISSO_SUBJECT_OF = frozenset("vai vao ia era foi sera serve custa cobra usa funciona significa quer pode precisa "
                             "tem da fica demora".split())


def _isso_answers(tokens: list[str], at: int) -> bool:
    following = tokens[at + 1] if at + 1 < len(tokens) else ""
    if following in ("e", "eh") or following.startswith("ta"):  # "isso é caro", "isso tá errado"
        return False
    if following in _ISSO_SUBJECT_OF:  # "isso vai usar meu número pra quê?": "that" does something
        return False
    return at == 0 or tokens[at - 1] in _BEFORE_ISSO or following in _AFTER_ISSO
