"""What patients say about themselves in passing, in Brazilian Portuguese: a correction of what
they just wrote ("amil, quer dizer, hapvida"), a name ("me chamo Juliana"), who the appointment
is for ("pra minha filha") and an age ("ela tem 5 anos", "de 8 meses").

Each reader is a small pure function over the message; `slots` gathers them as entities
(`relation`, `age`, `person_name`) in the shape of `nlu.extract_builtin`'s, for the runtime to
fill a flow's questions with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.numbers import parse_number
from nlu.text import fold as fold_chars
from nlu.text import normalise

# A correction: what comes after the last of these replaces what came before.
_CORRECTION = re.compile(
    r"(?:^|[\s,;.!…-])(?:quer dizer|ou melhor|na verdade|na vdd|digo|quis dizer|opa|ops|oops|desculpa|desculpe|"
    r"errei|corrigindo|correcao|melhor dizendo|pera ai|perai|pera|ali[aá]s,? n[aã]o"
    r"|ah,? (?:n[aã]o,? )?espera|espera a[ií]|esperai"
    r"|ali[aá]s(?=[\s,]+(?:[aà]s\s+)?\d))(?=[\s,;.:!…-])[\s,;.:!…-]*",  # "às 10, aliás 10 e meia"
    re.IGNORECASE,
)


# "pediatria... não, clínica geral": a "não" after a pause, followed by what replaces what came before.
_TAKEN_BACK = re.compile(r"\w[\s]*(?:\.{2,}|…|,|;)\s*(?:(?:ah|ai|aí|ih|eh|hum|ops)\s+)?n[ãa]o\b[\s,.!…]*(\w.*)$",
                         re.IGNORECASE)  # "sábado... ah não, terça"


_THIS_ONE = frozenset("essa esse esta este nessa nesse nesta neste aquela aquele naquela naquele isso".split())


def corrected(text: str) -> str | None:
    """The part of `text` after its last correction marker, or None when it has none.

    "amil, quer dizer, hapvida" -> "hapvida"; "terça... ops, quarta" -> "quarta";
    "pediatria... não, clínica geral" -> "clínica geral"; the tail is as the patient wrote it.
    """
    folded = fold_chars(text)  # one character for one: the tail keeps the patient's spelling ("Márcia Regina")
    found = list(_CORRECTION.finditer(f" {folded} "))
    if not found:
        taken_back = _TAKEN_BACK.search(text)
        if taken_back is None or set(normalise(taken_back.group(1)).split()) <= _THIS_ONE:
            return None  # "na outra terça, não nessa": what came before stands, against "this one"
        return _tail(taken_back.group(1))
    padded = f" {text} "
    if _APOLOGY.match(normalise(padded[found[-1].end():])):  # "Rosimeire... digo, Rosemary, desculpa o corretor"
        return corrected(padded[:found[-1].start()].strip())
    return _tail(padded[found[-1].end():])


# What an apology is for, after "desculpa": no correction ("desculpa a demora", "desculpe o corretor")
_APOLOGY = re.compile(r"^(?:(?:o|a|os|as|pelo|pela|pelos|pelas|por)\s+)?(?:corretor|demora|erro|erros|confusao"
                      r"|incomodo|transtorno|bagunca|digitacao|audio|horario)\b")


def _tail(text: str) -> str | None:
    """What a correction leaves, without the punctuation around it; None when only that is left."""
    tail = text.strip(" \t\n,;.:!?…-")
    return tail if normalise(tail) else None


# -- names ----------------------------------------------------------------------------------------

# How a name is spelt, said after it: "Lourdes com O", "Thaís com h e acento", "Emanuelle com dois L".
_SPELLING = re.compile(
    r"[\s,;.-]+(?:com|sem)\s+(?:(?:um|uma|dois|duas|o|a)\s+)?(?:\w{1,2}|acento|til|cedilha|trema)"
    r"(?:\s+(?:e|,)\s*(?:com\s+|sem\s+)?(?:(?:um|uma|dois|duas|o|a)\s+)?(?:\w{1,2}|acento|til|cedilha|trema))*"
    r"[\s.!]*$", re.IGNORECASE)


def without_spelling(text: str) -> str:
    """`text` without a note on how the name before it is spelt ("Lourdes com O" -> "Lourdes")."""
    return _SPELLING.sub("", text)


_NAME_LEAD = re.compile(
    r"(?:^|\b)(?:me chamo|meu nome (?:e|eh)|meu nome|^(?:e|eh) (?:a|o)|^o nome (?:e|eh)|^nome (?:e|eh)|"
    r"(?:pode|podem) me chamar (?:so |apenas |somente )?de|me chama (?:so |apenas |somente )?de|"
    r"aqui (?:e|eh) (?:a|o)|aqui quem fala (?:e|eh) (?:a|o)|quem fala (?:e|eh) (?:a|o)|eu sou (?:a|o)|sou (?:a|o)|"
    r"o nome dela (?:e|eh)|o nome dele (?:e|eh)|nome dela (?:e|eh)|nome dele (?:e|eh)|ela se chama|ele se chama|"
    r"se chama|chamo)\s+",
)
# "pra mim, Osvaldo, 70 anos": a capitalised name set apart by commas right after "pra mim"
_FOR_ME_NAMED = re.compile(r"\b(?:pra|para|p/)\s+mim\s*,\s*([A-ZÀ-Ý][\w'-]+(?:\s+[A-ZÀ-Ý][\w'-]+){0,3})\s*(?:[,.;!]|$)")
# Words that are never part of a name a person gives (they make a sentence or a question of it).
_NOT_NAME = frozenset(
    "quero queria gostaria preciso marcar agendar consulta consultas horario horarios quanto qual quais quando "
    "onde como porque pra para por que nao sim oi ola bom boa dia tarde noite obrigado obrigada valeu tudo bem "
    "voce voces vcs aceita aceitam atende atendem tem convenio plano preco valor medico medica doutor doutora "
    "dr dra pediatra pediatria clinica geral filha filho mae pai marido esposa menu atendente ajuda sair ok "
    "isso esse essa aqui ai la ja agora hoje amanha ontem manha cedo semana mes ano anos cancelar remarcar "
    "minha meu minhas meus seu sua eu ele ela eles elas a o os as um uma de da do e com sem mais menos muito "
    "pouco tambem so mas se quem sou chamo nome mesmo mesma msm ta tava esta estava precisa precisando vai vao "
    "foi quer pode podem fica ficou teve sente sentindo cobre aceita aceitam "
    "digitei escrevi errado errada errei desculpa desculpe".split()
)
_NAME_PARTICLES = frozenset({"da", "de", "do", "das", "dos", "e"})
_NAME_WORD = re.compile(r"^[^\W\d_]+(?:['-][^\W\d_]+)*$")
MAX_NAME_WORDS = 5


def person_name(text: str, *, bare: bool = False) -> str | None:
    """A person's name the message gives: after "me chamo", "meu nome é", "sou a"...; with `bare`,
    also a message that is only a name ("Juliana Prado"). None for a sentence or a question.

    The name keeps the patient's spelling, with each word capitalised ("juliana" -> "Juliana").
    """
    raw = text.strip()
    if not raw or "@" in raw:
        return None
    words = _words(raw)
    folded = [normalise(w) for w in words]
    lead = _NAME_LEAD.search(" ".join(folded))
    if lead is not None:  # the first word after the lead (a word may fold to two: "pro" is "para o")
        start = next((i for i in range(len(folded)) if len(" ".join(folded[:i])) >= lead.end() - 1), len(folded))
        ends = _clause_ends(raw)  # "me chama de José Carlos, Zé é só pros íntimos": the name ends at the comma
        stop = next((i + 1 for i in range(start, len(words)) if ends[i]), len(words))
        found = _name(words[start:stop], folded[start:stop], whole=False)
        if found is None and stop < len(words):  # "escrevi meu nome errado, é Rosimeire com i": the last clause
            return person_name(without_spelling(re.split(r"[,.;:!?]", raw)[-1]), bare=True)
        return found
    if (named := _FOR_ME_NAMED.search(raw)) is not None:  # "agendar consulta pra mim, Osvaldo, 70 anos"
        found = _name(named.group(1).split(), [normalise(w) for w in named.group(1).split()], whole=True)
        if found is not None:
            return found
    if not bare or "?" in raw or any(c.isdigit() for c in raw):
        return None
    if len(folded) > 1 and folded[0] in ("e", "eh"):  # "é Joaquina", the tail of a correction
        words, folded = words[1:], folded[1:]
    return _name(words, folded, whole=True)


_LAST_LEADS = frozenset({"e", "eh", "pra", "para", "pro", "p", "a", "o", "na", "no", "da", "do", "ela", "ele"})


# Between clauses: punctuation, or laughter ("Cleusa kkk digitei errado")
_CLAUSE_SPLIT = re.compile(r"[,.;:!?…]|\b(?:[kK]{2,}|[rR][sS]+|(?:[hH][aA]){2,}|(?:[hH][eE]){2,})\b")


def last_clause_name(text: str) -> str | None:
    """The name what a correction leaves gives in a clause of its own: its last clause ("a Heloisa é a mais
    velha, é pra Livia" -> "Livia"), else its first ("Heloísa, a mais nova" -> "Heloísa"), when that clause is
    only a name, written as one (capitalised: "desculpa a demora" names no one), after "é", "pra", "a"... None
    when neither is."""
    clauses = [c for c in _CLAUSE_SPLIT.split(text) if c.strip()]
    for clause in clauses[-1:] + clauses[:1]:
        words = clause.split()
        while words and normalise(words[0]) in _LAST_LEADS:
            words = words[1:]
        if words and words[0][:1].isupper() and (name := person_name(" ".join(words), bare=True)) is not None:
            return name
    return None


def _words(text: str) -> list[str]:
    """The message's words, without punctuation and emoji."""
    cleaned = re.sub(r"[^\w\s'-]", " ", text)
    return [w.strip("'-") for w in cleaned.split() if w.strip("'-")]


def _clause_ends(text: str) -> list[bool]:
    """For each of the message's words (`_words`), whether punctuation ends a clause right after it."""
    ends: list[bool] = []
    for token in text.split():
        parts = _words(token)
        ends += [False] * len(parts)
        if parts and re.search(r"\w['-]*[,.;:!?]+\W*$", token):
            ends[-1] = True
    return ends


def _name(words: list[str], folded: list[str], *, whole: bool) -> str | None:
    """The name at the start of `words`; with `whole`, the message must be only the name (and a courtesy)."""
    kept: list[str] = []
    for index, (word, fold) in enumerate(zip(words, folded, strict=True)):
        if index == 0 and fold == "seu" and len(folded) > 1 and folded[1] not in _NOT_NAME:
            kept.append("Seu")  # "Seu Jorge": the honorific, as "Dona Cida"
            continue
        if fold in _NAME_PARTICLES and kept:
            kept.append(word.lower())
            continue
        if fold in _NOT_NAME or not _NAME_WORD.match(word) or len(fold) < 2 or (not kept and fold in RELATIONS):
            break  # "sou a avó da Lara": no name ("Neto" after a first name is one)
        kept.append(word[:1].upper() + word[1:] if word.islower() else word)
    rest = folded[len(kept):]
    while kept and normalise(kept[-1]) in _NAME_PARTICLES:
        kept.pop()
    if not kept or len(kept) > MAX_NAME_WORDS:
        return None
    if whole and not all(w in _COURTESY for w in rest):
        return None
    return " ".join(kept)


_COURTESY = frozenset({"obrigada", "obrigado", "tudo", "bem", "e", "aqui", "ok", "blz", "beleza", "prazer",
                       "mesmo", "mesma", "msm",  # "Tati, não, Tatiana mesmo"
                       "digitei", "escrevi", "errado", "errada", "desculpa", "desculpe"})  # "Josiane, digitei errado"


# -- who the appointment is for, and their age --------------------------------------------------------

RELATIONS = {
    "filha": "filha", "filho": "filho", "filhos": "filho", "filhas": "filha", "mae": "mae", "mamae": "mae",
    "pai": "pai", "papai": "pai", "marido": "marido", "esposo": "marido", "esposa": "esposa", "mulher": "esposa",
    "avo": "avo", "vovo": "avo", "neto": "neto", "neta": "neta", "sobrinho": "sobrinho", "sobrinha": "sobrinha",
    "irmao": "irmao", "irma": "irma", "sogra": "sogra", "sogro": "sogro", "bebe": "bebe", "nenem": "bebe",
    "enteado": "enteado", "enteada": "enteada", "tio": "tio", "tia": "tia", "namorado": "namorado",
    "namorada": "namorada", "crianca": "crianca", "filhinha": "filha", "filhinho": "filho", "netinha": "neta",
    "netinho": "neto", "bebezinho": "bebe", "bebezinha": "bebe", "nenenzinho": "bebe", "vovozinha": "avo",
    # a child called by what they are, as parents say it ("meu menino", "minha garota", "o guri" in the south)
    "menino": "filho", "menina": "filha", "garoto": "filho", "garota": "filha", "guri": "filho", "guria": "filha",
    "cacula": "filho",
    "vo": "avo", "padrasto": "padrasto", "madrasta": "madrasta", "cunhado": "cunhado", "cunhada": "cunhada",
    "primo": "primo", "prima": "prima", "afilhado": "afilhado", "afilhada": "afilhada", "afilhadinha": "afilhada",
    "afilhadinho": "afilhado", "bisavo": "avo", "bisavos": "avo", "bisneto": "neto", "bisneta": "neta",
}
# As it is said in the northeast and the interior, and typed fast: only after "meu", "minha" ("minha fia",
# "meu fiio"), since "o fio" is also a thread.
SPOKEN_RELATIONS = {"fio": "filho", "fia": "filha", "fiio": "filho", "fiia": "filha", "fiote": "filho",
                    "fiota": "filha", "fiho": "filho", "fiha": "filha", "filio": "filho", "filia": "filha",
                    # "minha pequena", "meu pequeno": a child, said only after "minha"/"meu"
                    "pequena": "crianca", "pequeno": "crianca", "pequenininha": "crianca", "pequenininho": "crianca"}
CHILDREN = frozenset({"filha", "filho", "neto", "neta", "bebe", "crianca", "sobrinho", "sobrinha", "enteado",
                      "enteada"})  # the values `relation` gives for whom a pediatrician may see
_RELATION = re.compile(
    r"\b(?:pra|para|p|da|do|de|a|o|com|minha|meu|nossa|nosso|consulta d[ao]|marcar pr[ao])\s+(?:minha|meu|nossa|nosso|"
    r"a minha|o meu)?\s*(?:outr[ao]\s+)?(" + "|".join(sorted(RELATIONS, key=len, reverse=True)) + r")\b"
)  # "pro meu outro filho": another of them
_SPOKEN_RELATION = re.compile(r"\b(?:minha|meu|nossa|nosso)\s+(?:outr[ao]\s+)?(" + "|".join(SPOKEN_RELATIONS)
                              + r")\b")
_AGE = re.compile(r"\b(\d{1,3}|[a-z]+(?: e [a-z]+)?)\s+(anos|ano|aninhos|meses|mes|mesinhos)\b")
# A relative and a number of years, "anos" left out: "pra minha filha de 17" (not "de 17 de março", "de 17h").
_NOT_AN_AGE = r"(?!\s*(?:h\b|hs\b|hrs?\b|horas?\b|:|/|-|de\b|do\b|da\b|e\s+\d|anos|ano|meses|mes|aninhos))"
_BARE_AGE = re.compile(r"\b(?:" + "|".join(sorted(RELATIONS, key=len, reverse=True)) + r")\s+de\s+(\d{1,2})\b"
                       + _NOT_AN_AGE)
_NAMED_BARE_AGE = re.compile(r"\b(?:" + "|".join(sorted(RELATIONS, key=len, reverse=True))
                             + r")\s+([a-z]+)\s+de\s+(\d{1,2})\b" + _NOT_AN_AGE)  # "filha Bianca de 17"
# An age reached, "anos" left out: "ela fez 18 mês passado", "ele completou 12 ontem", "vai fazer 18 semana que vem",
# "é pra minha filha, ela tem 17".
_TURNED = re.compile(r"\b(?:fez|completou|completa|vai fazer|faz|ainda tem|so tem|(?:ele|ela)(?: ja)? tem)"
                     r"\s+(\d{1,2})(?=\s*(?:$|[,.;!?]|e\b|"
                     r"(?:mes|semana|ano)\s+(?:passad[oa]|que\s+vem)|agora|ainda|ontem|hoje|dia\b|no\b|na\b|em\b))")
# "faz 2 anos que...", "há 3 anos", "2 anos atrás": a time ago, not an age.
_AGO_BEFORE = frozenset({"faz", "ha", "durante", "por", "em", "ultimos", "uns", "mais", "menos",
                         # how long something lasted ("fiquei 2 meses esperando vaga", "esperei 3 anos")
                         "fiquei", "ficou", "esperei", "esperou", "esperando", "levei", "levou", "passei", "passou",
                         "morei", "morou", "trabalhei", "trabalhou", "tomei", "tomou", "demorou", "durou"})
_AGO_AFTER = frozenset({"que", "atras", "seguidos", "de casado", "de casada", "passado", "passada", "esperando"})


# "sou o pai da Manu", "aqui é a mãe do Pedro", "sou avó da Lara": the writer is the parent (or grandparent) of
# the one named after, who is the patient.
_PARENT_OF = re.compile(r"\b(?:sou|aqui e|e)\s+(?:o|a)\s+(?:\w+\s+){0,3}?(?P<who>pai|mae|avo|vo|vovo|responsavel)\s+"
                        r"(?P<of>d[oa])\s+(?P<name>\w+)")  # "sou o Anderson, pai da Manu" too
_CHILD_OF = {("pai", "da"): "filha", ("pai", "do"): "filho", ("mae", "da"): "filha", ("mae", "do"): "filho",
             ("avo", "da"): "neta", ("avo", "do"): "neto", ("responsavel", "da"): "filha",
             ("responsavel", "do"): "filho"}


def _parent_of(text: str) -> tuple[str, str] | None:
    """Whom the writer is the parent of, and their name, as written: ("filha", "Manu") for "sou o pai da Manu"."""
    found = _PARENT_OF.search(normalise(text))
    if found is None:
        return None
    words = _words(text)
    at = next((i for i, w in enumerate(words) if normalise(w) == found["name"]), None)
    name = _name(words[at:], [normalise(w) for w in words[at:]], whole=False) if at is not None else None
    who = "avo" if found["who"] in ("vo", "vovo") else found["who"]  # "sou a vó da Alice"
    return (_CHILD_OF[(who, found["of"])], name) if name is not None else None


def relation(text: str) -> str | None:
    """Who else the message is about ("pra minha filha" -> "filha", "sou o pai da Manu" -> "filha"), or None;
    not someone the patient will ask or talk to first ("vou perguntar pro meu marido", "vou ver com a minha
    esposa")."""
    if (parent := _parent_of(text)) is not None:
        return parent[0]
    folded = normalise(text)
    for_me = _FOR_ME.search(folded) is not None  # "minha esposa consultou aí, queria marcar pra mim"
    for found in _RELATION.finditer(folded):
        lead = found.group(0).split()[0]  # "com a minha esposa": the link is part of the match
        if (for_me and lead not in _FOR_WHOM) or folded[:found.start()].split()[-1:] == ["nao"]:
            continue  # "é pra mim, não pro meu marido"
        if not _asked_of(folded[:found.start()] + (f" {lead}" if lead in _ASKED_TO else "")):
            return RELATIONS[found.group(1)]
    for spoken in _SPOKEN_RELATION.finditer(folded):
        if not for_me and not _asked_of(folded[:spoken.start()]):
            return SPOKEN_RELATIONS[spoken.group(1)]
    if not for_me and (aged := _AGED_OTHER.search(folded)) is not None \
            and (years := age(folded[aged.start():])) is not None:
        return "crianca" if years < 18 else "outra_pessoa"  # "pra minha bichinha de 3 anos", "meu pequeno de 4"
    return None


# Whom an appointment is for, called by a word of the family's own and given an age: "pra minha bichinha de 3
# anos", "pro meu pequeno de 4 aninhos", "pra minha vizinha de 80 anos".
_AGED_OTHER = re.compile(r"\b(?:pra|para|p|pro)\s+(?:a |o )?(?:minha|meu|nossa|nosso)\s+[a-z]+"
                         r"\s+(?:de|com)\s+\S+(?: e \S+)?\s+(?:anos|ano|aninhos|meses|mes|mesinhos)\b")


def named_for(text: str) -> bool:
    """A relative named as whom the appointment is for ("peraí, é pra minha filha"), not as someone who does
    something ("peraí que o nenem tá chorando")."""
    return any(found.group(0).split()[0] in _FOR_WHOM for found in _RELATION.finditer(normalise(text)))


# "pra mim": the one writing is the patient; a relative named otherwise ("minha esposa consultou aí") is not.
_FOR_ME = re.compile(r"\b(?:para|p) (?:mim|eu)\b")
_FOR_WHOM = frozenset({"para", "p", "consulta", "marcar"})  # the links that name whom an appointment is for


# Verbs of asking or talking to someone, or of mixing someone up: the relative after them is not the patient.
_ASKING = frozenset("perguntar pergunto pergunta perguntei falar falo fala falei conversar converso conversei "
                    "checar checo combinar combino confirmar confirmo "
                    # the relative someone was mixed up with: "Ana Luiza, confundi com a prima"
                    "confundi confundir confundo confundiu misturei".split())  # not "consultar": to see a doctor
_ASKED_TO = frozenset({"pro", "pra", "para", "com", "a", "ao", "o", "p"})


def _asked_of(before: str) -> bool:
    """The words `before` a relation end on a verb of asking ("perguntar pro"), or on "ver com"."""
    words = before.split()
    linked: list[str] = []
    while words and words[-1] in _ASKED_TO and len(linked) < 2:
        linked.append(words.pop())
    return bool(words) and (words[-1] in _ASKING or (words[-1] in ("ver", "vejo") and "com" in linked))


def age(text: str) -> int | None:
    """An age in years the message gives ("ela tem 5 anos" -> 5, "de 8 meses" -> 0, "minha filha de 17"), or
    None."""
    folded = normalise(text)
    if _AGE.search(folded) is None:
        if (bare := _BARE_AGE.search(folded)) is not None:
            return int(bare.group(1))  # "pra minha filha de 17": the years go without saying
        named = _NAMED_BARE_AGE.search(folded)  # "pra minha filha Bianca de 17"
        if named is not None and named.group(1) not in _NOT_NAME and relative_name(text) is not None:
            return int(named.group(2))
    for found in _AGE.finditer(folded):
        before = folded[:found.start()].split()[-1:]
        after = folded[found.end():].split()[:1]
        if (before and before[0] in _AGO_BEFORE) or (after and after[0] in _AGO_AFTER):
            continue
        value = parse_number(found.group(1))
        if value is None:  # "tem cinco anos": the number is the last word
            value = parse_number(found.group(1).split()[-1])
        if value is None or value != int(value) or not 0 <= value <= 120:
            continue
        return 0 if found.group(2).startswith("mes") else int(value)
    turned = _TURNED.search(folded)  # "ela fez 18 mês passado"
    return int(turned.group(1)) if turned is not None else None


_POSSESSIVES = frozenset({"meu", "minha", "meus", "minhas", "nosso", "nossa"})
_NAME_ARTICLES = frozenset({"o", "a"})
# "pro irmão dela": whom it is for, without a possessive ("pro" folds to "para o")
_LEADS = _POSSESSIVES | {"pro", "pra", "para", "para o", "para a"}
_WHOSE = frozenset({"dela", "dele", "delas", "deles"})
HONORIFICS = frozenset({"dona", "seu", "sr", "sra", "senhor", "senhora"})
_ALSO = frozenset({"tb", "tbm", "tambem"})
_AGE_UNITS = frozenset({"ano", "anos", "aninhos", "mes", "meses", "mesinhos"})


def relative_name(text: str) -> str | None:
    """The name of the relative the message speaks of, said right after who they are: "pro meu guri, o
    Bernardo", "minha mãe, dona Iolanda" (Iolanda), "minha filha Yasmin de 4 anos". A name written in lower case
    counts only after an article or an honorific ("meu filho o caio"): "minha filha tá com febre" names
    no one. None when there is no such name."""
    if (parent := _parent_of(text)) is not None:
        return parent[1]  # "sou o pai da Manu"
    words = _words(text)
    folded = [normalise(w) for w in words]
    for index, fold in enumerate(folded):
        lead = index - 1 - (index > 1 and folded[index - 1] in ("outro", "outra"))  # "pro meu outro filho, o Joaquim"
        if index == 0 or folded[lead] not in _LEADS or not (fold in RELATIONS or fold in SPOKEN_RELATIONS):
            continue
        start = index + 1
        start += start < len(folded) and folded[start] in _WHOSE  # "pro irmão dela, o Pedro"
        start += start < len(folded) and folded[start] in _ALSO  # "pro meu outro filho tb, o Benício"
        if folded[start:start + 2] in (["mais", "novo"], ["mais", "nova"], ["mais", "velho"], ["mais", "velha"]):
            start += 2  # "pro meu filho mais novo, o Otávio"
        if start + 1 < len(folded) and folded[start] == "de" and parse_number(folded[start + 1]) is not None:
            # "minha bebê de 10 meses, a Maria Flor": the age first
            start += 2 + (start + 2 < len(folded) and folded[start + 2] in _AGE_UNITS)
        led = start < len(folded) and folded[start] in _NAME_ARTICLES
        start += led
        honorific = start < len(folded) and folded[start] in HONORIFICS
        start += honorific  # "minha sogra, dona Zuleide": the patient's name is Zuleide
        if start >= len(words) or not (led or honorific or words[start][:1].isupper()):
            continue
        if (name := _name(words[start:], folded[start:], whole=False)) is not None \
                and normalise(name) not in HONORIFICS:
            return name
    return None


SLOT_ENTITIES = ("relation", "age", "person_name", "relative_name")  # the entities `slots` gives


@dataclass(frozen=True, slots=True)
class Slot:
    entity: str
    value: str | int

    def to_rasa(self) -> dict[str, object]:
        return {"entity": self.entity, "value": self.value, "extractor": "papo.slots", "confidence_entity": 1.0}


def slots(text: str) -> list[Slot]:
    """The patient's own facts in `text`: `relation`, `age`, `person_name` (after "me chamo"...) and
    `relative_name` ("minha filha Yasmin")."""
    found: list[Slot] = []
    tail = corrected(text)  # "sobrinha de 18, ah não, ela ainda tem 17": the age corrected to
    # "pro meu pai, digo, meu sogro": whom it is corrected to
    if (who := (relation(tail) if tail else None)) is not None or (who := relation(text)) is not None:
        found.append(Slot("relation", who))
    if (years := (age(tail) if tail else None)) is not None or (years := age(text)) is not None:
        found.append(Slot("age", years))
    if (name := person_name(text)) is not None:
        found.append(Slot("person_name", name))
    if (name := relative_name(text)) is not None:
        # "pro meu neto Lucas, quer dizer, Lucca, de 5 anos": the name corrected to
        found.append(Slot("relative_name", (relative_name(tail) or last_clause_name(tail) or name) if tail else name))
    elif tail and normalise(tail).split()[0] in RELATIONS.keys() | SPOKEN_RELATIONS.keys() \
            and (name := relative_name(f"minha {tail}")) is not None:
        found.append(Slot("relative_name", name))  # "pra minha avó, quer dizer, bisavó, a Ercília": corrected to
    return found


__all__ = ["CHILDREN", "HONORIFICS", "RELATIONS", "SLOT_ENTITIES", "SPOKEN_RELATIONS", "Slot", "age", "corrected",
           "last_clause_name", "named_for", "person_name", "relation", "relative_name", "slots", "without_spelling"]
