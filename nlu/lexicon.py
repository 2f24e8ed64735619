"""Word lists for Brazilian-Portuguese chat text (all accent-free and lower-case)."""

from __future__ import annotations

# Chat abbreviations expanded by `normalise`, whole tokens only.
ABBREVIATIONS: dict[str, str] = {
    "vc": "voce", "vcs": "voces", "pq": "porque", "pk": "porque", "hj": "hoje", "q": "que",
    "qro": "quero", "qr": "quer", "qria": "queria", "blz": "beleza", "tb": "tambem",
    "tbm": "tambem", "tmb": "tambem", "msg": "mensagem", "msgs": "mensagens", "obg": "obrigado",
    "obgd": "obrigado", "obgda": "obrigada", "brigado": "obrigado", "brigada": "obrigada",
    "amnh": "amanha", "amn": "amanha", "dps": "depois", "agr": "agora", "td": "tudo",
    "tds": "todos", "qdo": "quando", "qnd": "quando", "qndo": "quando", "pra": "para",
    "pro": "para o", "pfv": "por favor", "pf": "por favor", "pfvr": "por favor",
    "vlw": "valeu", "ctz": "certeza", "cmg": "comigo", "mt": "muito", "mto": "muito",
    "mta": "muita", "mts": "muitos", "oq": "o que", "qto": "quanto", "qt": "quanto",
    "qnt": "quanto", "qnto": "quanto", "qnta": "quanta", "qts": "quantos", "vdd": "verdade", "ngm": "ninguem",
    "nd": "nada",
    "fds": "fim de semana", "aki": "aqui", "kd": "cade", "hr": "hora", "hrs": "horas",
    "dr": "doutor", "dra": "doutora", "tol": "to", "eh": "e", "neh": "ne", "tava": "estava",
    "ces": "voces", "oces": "voces", "oce": "voce",
}

AFFIRM_PHRASES: frozenset[str] = frozenset({
    "sim", "s", "ss", "sss", "pode", "pode ser", "claro", "claro que sim", "com certeza", "isso",
    "isso mesmo", "isso ai", "confirmo", "confirmado", "confirma", "ok", "okay", "okey", "certo",
    "exato", "exatamente", "positivo", "aham", "uhum", "yes", "bora", "beleza", "perfeito",
    "combinado", "fechado", "pode sim", "sim sim", "quero", "quero sim", "correto", "ta bom",
    "esta bom", "ta otimo", "otimo", "sim por favor", "pode marcar", "pode confirmar", "afirmativo",
    "tudo certo", "certeza", "sem duvida", "concordo", "s pode", "confirmar", "confirmada", "pode confirmar sim",
    # chat and regional ways of saying yes
    "fechou", "demorou", "manda ver", "pode mandar", "vamos", "vamo", "bora la", "partiu", "show", "show de bola",
    "firmeza", "tranquilo", "de boa", "dale", "simbora", "top", "massa", "ta certo", "ta joia", "joia", "beleza entao",
    "pode sim obrigada", "pode sim obrigado", "isso mesmo obrigada", "isso mesmo obrigado", "sim obrigada",
    "sim obrigado",
})
DENY_PHRASES: frozenset[str] = frozenset({
    "nao", "n", "nn", "nao nao", "negativo", "nem", "nunca", "nope", "no", "nao quero",
    "melhor nao", "de jeito nenhum", "nao pode", "claro que nao", "nao obrigado", "nao obrigada",
    "agora nao", "ainda nao", "nao posso", "jamais", "nada disso", "errado", "incorreto",
    "nao e isso", "cancela", "nao confirmo", "era so isso", "so isso", "e so isso", "so isso mesmo",
})
AFFIRM_WORDS: frozenset[str] = frozenset({
    "sim", "pode", "claro", "isso", "confirmo", "confirmado", "ok", "okay", "certo", "exato",
    "positivo", "aham", "uhum", "beleza", "perfeito", "combinado", "fechado", "correto", "yes",
    "confirmadissimo", "confirmadissima",  # "confirmadíssimo, tô lá"
})
DENY_WORDS: frozenset[str] = frozenset({"nao", "n", "nn", "negativo", "nunca", "jamais", "nope", "nops", "nop",
                                        "naum"})

# Emoji with a yes/no/thanks meaning; each is replaced by a word in `normalise`.
EMOJI_WORDS: dict[str, str] = {
    "\U0001f44d": "sim", "\u2705": "sim", "\u2714": "sim", "\U0001f44c": "ok",
    "\U0001f197": "ok", "\U0001f44e": "nao", "\u274c": "nao", "\u2716": "nao",
    "\U0001f6ab": "nao", "\U0001f64f": "obrigado",
    # laughter: "kkk", as typed
    "\U0001f602": "kkk", "\U0001f923": "kkk", "\U0001f606": "kkk", "\U0001f605": "kkk", "\U0001f601": "kkk",
}

ORDINALS: dict[str, int] = {
    "primeira": 1, "primeiro": 1, "segunda": 2, "segundo": 2, "terceira": 3, "terceiro": 3,
    "quarta": 4, "quarto": 4, "quinta": 5, "quinto": 5, "sexta": 6, "sexto": 6,
    "setima": 7, "setimo": 7, "oitava": 8, "oitavo": 8, "nona": 9, "nono": 9,
    "decima": 10, "decimo": 10,
}
LAST_WORDS: frozenset[str] = frozenset({"ultima", "ultimo"})

# Number words (accent-free); used to find spans before `text2num` reads their value.
NUMBER_WORDS: frozenset[str] = frozenset({
    "zero", "um", "uma", "dois", "duas", "tres", "quatro", "cinco", "seis", "sete", "oito",
    "nove", "dez", "onze", "doze", "treze", "catorze", "quatorze", "quinze", "dezesseis",
    "dezessete", "dezoito", "dezenove", "vinte", "trinta", "quarenta", "cinquenta", "sessenta",
    "setenta", "oitenta", "noventa", "cem", "cento", "duzentos", "duzentas", "trezentos",
    "trezentas", "quatrocentos", "quatrocentas", "quinhentos", "quinhentas", "seiscentos",
    "seiscentas", "setecentos", "setecentas", "oitocentos", "oitocentas", "novecentos",
    "novecentas", "mil", "milhao", "milhoes",
})

MONTHS: dict[str, int] = {
    "janeiro": 1, "jan": 1, "fevereiro": 2, "fev": 2, "marco": 3, "mar": 3, "abril": 4, "abr": 4,
    "maio": 5, "mai": 5, "junho": 6, "jun": 6, "julho": 7, "jul": 7, "agosto": 8, "ago": 8,
    "setembro": 9, "set": 9, "outubro": 10, "out": 10, "novembro": 11, "nov": 11,
    "dezembro": 12, "dez": 12,
}
WEEKDAYS: dict[str, int] = {
    "segunda": 0, "terca": 1, "quarta": 2, "quinta": 3, "sexta": 4, "sabado": 5, "domingo": 6,
    "sesta": 4,  # only before "feira" ("sesta feira"); alone it is a nap
    "sabadao": 5, "domingao": 6,  # "sabadão bem cedo"
}
WEEKDAY_ABBREVIATIONS: dict[str, int] = {
    "seg": 0, "ter": 1, "qua": 2, "qui": 3, "sex": 4, "sab": 5, "dom": 6,
}
