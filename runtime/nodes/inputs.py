"""Reading a typed answer to an `ask` node, through nlu. Returns None when it is not valid.

Whatever the input type, a question that shows options takes a pressed button or the number of a
displayed option ("1", "opção 2", "a segunda"). A correction reads what comes after it ("amil, quer
dizer, hapvida" is hapvida). `fill` reads the answer strictly from a message that came before the
question was asked (the one that started the flow: "vcs aceitam bradesco?"), so the question can be
skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import nlu
from flows.messages import InboundEvent
from flows.nodes import AskNode, Option
from nlu.coverage import INTERROGATIVES, content_words, same_word
from nlu.lexicon import LAST_WORDS, ORDINALS
from nlu.slots import SLOT_ENTITIES, corrected, last_clause_name, person_name, relative_name, without_spelling
from nlu.yesno import THANKS, only_thanks
from runtime.locales import YES_NO_IDS


@dataclass(frozen=True, slots=True)
class Answer:
    value: Any
    option: Option | None = None
    loose: bool = False  # an option matched by a partial or misspelt name in a longer message: a guess
    asked: bool = False  # an option named in a question ("qnto custa a pediatria?"): maybe what it asks about


def read(node: AskNode, event: InboundEvent, now: datetime, *, someone_else: bool = False) -> Answer | None:
    """The answer to `node` in `event`; `now` is in the bot's time zone (for dates). `someone_else`: a
    name question about someone other than the contact, answered by a relative's name too ("é a minha
    mãe, dona Iolanda")."""
    if node.options and (chosen := _displayed(node, event)) is not None:
        return _option_answer(node, chosen)
    text = event.text.strip()
    if not text:
        return None
    tail = corrected(text)  # after a correction, only what it corrects to counts...
    if node.input == "yes_no" and tail and nlu.yes_no(tail) is None:
        tail = None  # "sim, ah deixa, não precisa, já consegui": the "não" that takes it back is the answer
    if tail and (node.input != "choice" or _named_options(node, tail)
                 or nlu.pick_option(tail, [_names(o) for o in node.options]) is not None):
        text = tail  # ... unless it corrects something else than the options ("terça... ops, quinta" at a menu);
        # "confirmo.. ah nao, esqueci q a gente vai viajar, cancela": the option the correction picks
    if node.input == "choice":
        index = nlu.pick_option(text, [_names(o) for o in node.options])
        if not _named_options(node, text) and (agreed := _agreed(node, text)) is not None:
            return Answer(agreed.id, agreed)  # "ok", "vou levar ela sim" to "Podemos confirmar? 1) Confirmar 2) ..."
        if not _named_options(node, text) and (gone := _wont_come(node, text)) is not None:
            return Answer(gone.id, gone)  # "não vamos poder ir, ele vai viajar" to "... 3) Cancelar"
        if index is None and (led := _led_by_number(node, text)) is not None:
            return Answer(led.id, led)  # "6 pra minha mãe de 70 anos": the option first, then what it is about
        if index is None:  # a misspelt name in a sentence ("quero a pediatrya"): the one option it names; not a
            # question sharing a word of a longer name ("tem atendimento sábado?" and "atendimento humano")
            sharing = [o for o in node.options if _shares_a_word(node, text, o, asked=_asks(text))]
            return Answer(sharing[0].id, sharing[0], loose=True) if len(sharing) == 1 else None
        option = node.options[index]
        outright = _named_options(node, text) == [option]
        if outright and _asks(text):
            return Answer(option.id, option, asked=True)
        if outright or len(nlu.normalise(text).split()) < LOOSE_WORDS:
            return Answer(option.id, option)
        if not _shares_a_word(node, text, option):  # a fuzzy likeness over a whole sentence: no answer
            return None
        return Answer(option.id, option, loose=True)
    if node.input == "yes_no" and node.options and (titled := _by_title(node, text)) is not None:
        return _option_answer(node, titled)
    if node.options and only_thanks(text) and (thanked := _thanked(node)) is not None:
        return _option_answer(node, thanked)  # "valeu!!" to "Posso ajudar com mais alguma coisa? 2) Não, obrigado"
    temporal = node.input in _TEMPORAL
    value = _TEMPORAL[node.input](text, now, node.when) if temporal else _READERS[node.input](text, now)
    if value is None and someone_else and node.input == "name":
        value = relative_name(text)
    if value is None and node.input == "name" and tail:  # "Heloisa... não, a Heloisa é a mais velha, é pra Livia"
        value = last_clause_name(tail)
    if value is None or not _within(node, value) or (temporal and not _on_its_side(node, value, now)):
        return None
    return Answer(value, _option_for(node, value))


def fill(node: AskNode, text: str, entities: Sequence[dict[str, Any]], now: datetime, *,
         someone_else: bool = False) -> Answer | None:
    """The answer to `node` that `text`, said before the question, already gives without doubt; None
    when it gives none, or several. Choices need an option's name as whole words ("pediatra"); other
    types an entity of their kind; a name needs its lead ("me chamo Juliana"), or, for a question about
    someone else than the contact (`someone_else`), to follow who they are ("pro meu guri, o Bernardo")
    and be no other thing the message names ("pra minha mãe, a Unimed cobre?")."""
    whole, text = text, corrected(text) or text
    if node.input == "choice":
        named = _named_options(node, text) or _named_options(node, whole)  # "clínico, quinta, não, sexta"
        if not named:  # a misspelt name the NLU still read as the question's entity ("pedriatra")
            named = entity_options(node, entities)
        return _option_answer(node, named[0]) if len(named) == 1 else None
    if node.input == "name":
        name = person_name(text)
        if name is None and someone_else and (name := relative_name(text)) is not None \
                and set(nlu.normalise(name).split()) & _entity_words(entities):
            name = None
        return Answer(name) if name is not None and _within(node, name) else None
    dimension = _ENTITY_OF.get(node.input)
    if dimension is None:
        return None
    values = {_plain(e["value"]) for e in entities if e.get("entity") == dimension}
    if len(values) != 1:
        return None
    value = _READERS[node.input](str(next(iter(values))), now) if node.input in ("email", "phone", "cpf") \
        else _plain(next(iter(values)))
    if value is None or not _within(node, value):
        return None
    return Answer(value) if node.input not in _TEMPORAL or _on_its_side(node, value, now) else None


def _entity_words(entities: Sequence[dict[str, Any]]) -> set[str]:
    """The words of what the NLU found in a message (a health plan, a specialty), but the patient's own facts."""
    return {w for e in entities if e.get("entity") not in SLOT_ENTITIES
            for w in nlu.normalise(str(e.get("value", ""))).split()}


# An option's number that opens a longer message, followed by whom it is for
_LEADING_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[,;:)\-]?\s+(?:pra|para|pro|pros|pras)\b", re.IGNORECASE)


def _led_by_number(node: AskNode, text: str) -> Option | None:
    """The option whose number opens the message, followed by whom it is for ("6 pra minha mãe de 70 anos, dona
    Iraci"), or None; a question after the number ("3, vcs aceitam unimed?") is read as it was."""
    found = _LEADING_NUMBER.match(text)
    if found is None or not 1 <= int(found.group(1)) <= len(node.options):
        return None
    return node.options[int(found.group(1)) - 1]


def shows_options(node: AskNode) -> bool:
    return bool(node.options)


# -- options -----------------------------------------------------------------------------------------

LOOSE_WORDS = 3  # from this many words, an option the message does not name outright is a guess
# Words around a pick from a list that say nothing about which: "vou querer o último dessa lista"
LIST_WORDS = frozenset({"vou", "querer", "queria", "da", "dessa", "desta", "lista"})
_FILLER = LIST_WORDS | {"a", "o", "opcao", "numero", "n", "no", "item", "alternativa", "quero", "escolho", "e", "pode",
                        "ser", "fico", "com", "essa", "esse", "por", "favor", "prefiro", "mesmo", "mesma", "la", "ai",
                        "dai"}
_ORDINAL_DIGITS = re.compile(r"^(\d{1,2})(?:a|o)?$")
_CARDINALS = {"um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5, "seis": 6, "sete": 7,
              "oito": 8, "nove": 9, "dez": 10}
_NUMBER_LEADS = frozenset({"opcao", "numero", "n", "item", "alternativa"})


def _the_word(text: str) -> tuple[str, list[str]] | None:
    """The one word a short answer says besides fillers ("a segunda opção": "segunda"), with all its words."""
    said = nlu.normalise(text).split()
    words = [w for w in said if w not in _FILLER]
    return (words[0], said) if len(words) == 1 else None


def _number(word: str, said: list[str]) -> int | None:
    """"2", "2o", or a number word alone or after a lead ("dois", "opção um")."""
    if (digits := _ORDINAL_DIGITS.match(word)) is not None:
        return int(digits.group(1))
    if word in _CARDINALS and (len(said) == 1 or _NUMBER_LEADS & set(said)):
        return _CARDINALS[word]
    return None


def numbered(text: str) -> int | None:
    """The position a message names with a lead ("opção quatro", "a segunda opção", "alternativa 3"): an
    ordinal there is a position even when it is also a weekday's name."""
    found = _the_word(text)
    if found is None or not _NUMBER_LEADS & set(found[1]):
        return None
    return _number(*found) or ORDINALS.get(found[0])


def _displayed(node: AskNode, event: InboundEvent) -> Option | None:
    """The option pressed, or named by its number or position ("2", "opção 2", "a segunda", "a última")."""
    if event.choice_id is not None:
        for option in node.options:
            if option.id == event.choice_id:
                return option
        if node.input == "yes_no" and event.choice_id in YES_NO_IDS:  # papo's own yes/no buttons
            return _yes_no_option(node, YES_NO_IDS[event.choice_id])
    found = _the_word(event.text)
    if found is None:
        return None
    word, count = found[0], len(node.options)
    number = _number(*found)
    if number is None and word in LAST_WORDS:
        number = count
    elif number is None and word in ORDINALS and not any(word in nlu.normalise(n) for o in node.options
                                                          for n in _names(o)):
        number = ORDINALS[word]
    return node.options[number - 1] if number is not None and 1 <= number <= count else None


def by_position(node: AskNode, event: InboundEvent) -> bool:
    """The message names an option by its number or position only ("2", "a segunda"): no day or other fact
    is said besides."""
    return event.choice_id is None and _displayed(node, event) is not None


def _option_answer(node: AskNode, option: Option) -> Answer:
    if node.input == "yes_no":
        return Answer(_yes_no_of(node, option), option)
    return Answer(option.id, option)


def _yes_no_of(node: AskNode, option: Option) -> bool:
    """A yes/no option's meaning: its id when papo knows it (sim, nao, yes, no), else its position."""
    if option.id in YES_NO_IDS:
        return YES_NO_IDS[option.id]
    said = nlu.yes_no(option.id.replace("_", " "))
    return said if said is not None else node.options.index(option) == 0


def _yes_no_option(node: AskNode, value: bool) -> Option | None:
    return next((o for o in node.options if _yes_no_of(node, o) is value), None)


def _option_for(node: AskNode, value: Any) -> Option | None:
    return _yes_no_option(node, value) if node.input == "yes_no" and isinstance(value, bool) else None


def _agreed(node: AskNode, text: str) -> Option | None:
    """A plain yes, not a question, to a choice with one option that itself says yes ("Confirmar"): that option."""
    if _asks(text) or (nlu.yes_no(text) is not True and not nlu.will_attend(text)):  # "já tô indo!"
        return None
    found = [o for o in node.options if any(nlu.yes_no(name) is True for name in _names(o)[:2])]
    return found[0] if len(found) == 1 else None


def _wont_come(node: AskNode, text: str) -> Option | None:
    """The patient will not come ("não vou poder ir") to a choice with one option that cancels: that option."""
    if not nlu.wont_attend(text):
        return None
    found = [o for o in node.options if any(nlu.cancels(name) for name in _names(o)[:2])]
    return found[0] if len(found) == 1 else None


def _thanked(node: AskNode) -> Option | None:
    """The one option whose name thanks ("Não, obrigado"): what a message of thanks alone answers."""
    found = [o for o in node.options if any(w in THANKS for n in _names(o) for w in nlu.normalise(n).split())]
    return found[0] if len(found) == 1 else None


def _by_title(node: AskNode, text: str) -> Option | None:
    folded = nlu.normalise(text)
    found = [o for o in node.options if folded in {nlu.normalise(n) for n in _names(o)}]
    return found[0] if len(found) == 1 else None


def names(option: Option) -> list[str]:
    """What a patient may type to name an option: its titles, its id in words, its synonyms."""
    return _names(option)


def _names(option: Option) -> list[str]:
    titles = [option.title] if isinstance(option.title, str) else list(option.title.values())
    return [*titles, option.id.replace("_", " "), *option.synonyms]


_QUESTION_OPENERS = frozenset({"quanto", "quanta", "qual", "quais", "quando", "onde", "como", "porque"})


def _asks(text: str) -> bool:
    """A question ("qnto custa a pediatria?"): an option it names may be what it asks about, not the answer."""
    words = nlu.normalise(text).split()
    return "?" in text or (bool(words) and words[0] in _QUESTION_OPENERS)


def _shares_a_word(node: AskNode, text: str, option: Option, *, asked: bool = False) -> bool:
    """A word of the message is a word of the option's names, give or take a typo ("agendr"), and of
    no other option's ("doutor" names both doctors); of a question (`asked`), a name of one word."""
    def words(o: Option) -> set[str]:
        return {w for name in _names(o) if not (asked and o is option and len(content_words(name)) > 1)
                for w in content_words(name)}

    others = set().union(*(words(o) for o in node.options if o is not option))
    said = [w for w in content_words(text) if w not in INTERROGATIVES]  # "onde" names no option
    return any(same_word(a, b) and not any(same_word(a, c) for c in others) for a in said for b in words(option))


def named_options(node: AskNode, text: str) -> list[Option]:
    """The options `text` names outright, as whole words (see `_named_options`)."""
    return _named_options(node, text)


def names_option(option: Option, text: str) -> bool:
    """One of the option's names occurs in `text` as whole words."""
    return option in _named_among([option], text)


def _named_options(node: AskNode, text: str) -> list[Option]:
    """Options one of whose names occurs in `text` as whole words; a longer name wins over a name
    it contains ("clínica geral" over "geral")."""
    return _named_among(node.options, text)


def _named_among(options: Sequence[Option], text: str) -> list[Option]:
    folded = f" {nlu.normalise(text)} "
    found: list[tuple[Option, str]] = []
    for option in options:
        for name in _names(option):
            key = nlu.normalise(name)
            if len(key) >= 3 and f" {key} " in folded:
                found.append((option, key))
    longest = [(o, k) for o, k in found if not any(k != other and k in other for _, other in found)]
    unique: list[Option] = []
    for option, _ in longest:
        if option not in unique:
            unique.append(option)
    return unique


# -- typed values -------------------------------------------------------------------------------------


def entity_options(node: AskNode, entities: Sequence[dict[str, Any]]) -> list[Option]:
    """The options named by the values of the entities the question's variable is called after
    (`especialidade`), when those values are one of an option's names."""
    values = {nlu.normalise(str(e.get("value"))) for e in entities
              if e.get("entity") == node.var and not (e.get("additional_info") or {}).get("negated")}
    found = [o for o in node.options if values & {nlu.normalise(n) for n in _names(o)}]
    return found if len(values) == 1 else []


def _within(node: AskNode, value: Any) -> bool:
    if node.input in ("text", "name") and node.pattern is not None:
        return re.fullmatch(node.pattern, value) is not None
    if node.input != "number":
        return True
    return (node.min is None or value >= node.min) and (node.max is None or value <= node.max)


def _plain(value: Any) -> Any:
    """An entity's value as an answer stores it: dates and times as ISO text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:5] if len(text) == 8 and text[2] == ":" else text  # a time: 14:30
    return value


def _on_its_side(node: AskNode, value: str, now: datetime) -> bool:
    """A birth date (`when: past`) is not after today; an appointment (`future`) not before it."""
    if node.when is None or node.input == "time":
        return True
    if node.input == "date":
        day, today = date.fromisoformat(value), now.date()
        return day <= today if node.when == "past" else day >= today
    moment = datetime.fromisoformat(value)
    return moment <= now if node.when == "past" else moment >= now


def _date(text: str, now: datetime, when: str | None) -> str | None:
    found = nlu.parse_date(text, now, prefer="past" if when == "past" else None)
    return found.isoformat() if found else None


def _time(text: str, now: datetime, when: str | None) -> str | None:
    found = nlu.parse_time(text, now)
    return found.strftime("%H:%M") if found else None


def _datetime(text: str, now: datetime, when: str | None) -> str | None:
    found = nlu.parse_datetime(text, now, prefer="past" if when == "past" else None)
    return found.isoformat() if found else None


_AGE_WORDS = re.compile(r"\b\d{1,3}\s*(anos?|aninhos?|meses|mes|mês|semanas?|dias?)\b", re.IGNORECASE)


def _name_before_facts(text: str, now: datetime) -> str | None:
    """A name, a comma, then the person's age ("Helena, ela tem 8 meses"), when they can come ("Davi, mas só
    consigo levar ele depois das 3 da tarde": the booking reads it from the same message) or a request in
    the first person ("Fabiana, quero marcar clinica geral pra mim"): the name."""
    head, _, rest = _first_clause(text)
    if rest and (_AGE_WORDS.search(rest) or nlu.extract_builtin(rest, now, dimensions=("date", "time", "interval"))):
        return person_name(head, bare=True)
    return name_before_request(text)


def _first_clause(text: str) -> tuple[str, str, str]:
    """`text` split at its first comma or full stop, as `str.partition` does."""
    found = re.search(r"[,.]", text)
    return (text[:found.start()], found.group(), text[found.end():]) if found else (text, "", "")


_WISHES = "quero queria gostaria gostava preciso precisava".split()
_REQUEST_OPENERS = [[w] for w in [*_WISHES, *"vou to estou tenho".split()]]


def asks_in_first_person(text: str) -> bool:
    """The message says a wish in the first person somewhere ("..., quero marcar pediatra")."""
    return not set(_WISHES).isdisjoint(nlu.normalise(text).split())


def name_before_request(text: str) -> str | None:
    """A name, a comma (or a full stop) and a request in the first person ("Fabiana, quero marcar clínica
    geral", "Wellington. quero marcar pediatra"): the name."""
    head, _, rest = _first_clause(text)
    return person_name(head, bare=True) if rest and nlu.normalise(rest).split()[:1] in _REQUEST_OPENERS else None


_TEMPORAL: dict[str, Callable[[str, datetime, str | None], str | None]] = {
    "date": _date, "time": _time, "datetime": _datetime,
}


_READERS: dict[str, Callable[[str, datetime], Any]] = {
    "text": lambda text, now: text,
    "name": lambda text, now: person_name(text, bare=True) or person_name(without_spelling(text), bare=True)
    or _name_before_facts(text, now),
    "number": lambda text, now: nlu.parse_number(text),
    "yes_no": lambda text, now: nlu.yes_no(text),
    "email": lambda text, now: nlu.parse_email(text),
    "phone": lambda text, now: nlu.parse_phone(text),
    "cpf": lambda text, now: nlu.parse_cpf(text),
}
_ENTITY_OF = {"email": "email", "phone": "phone", "cpf": "cpf", "date": "date", "time": "time",
              "datetime": "datetime"}
