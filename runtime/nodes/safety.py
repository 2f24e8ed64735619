"""Safety, the second step of the reading order (after the global interrupts), wherever the
conversation is: a question waiting or not, any node kind, even while staff talk.

- urgent (an emergency now): the bot's `urgent` message, then the offer of a person (`llm.handoff_flow`);
  while staff talk, the message is said too, since staff may not be there yet;
- medical (symptoms, medicines, doses): `medical`, never an answer; the waiting question is asked again,
  or, with none, a person is offered. A message that also asks for something the flows do ("tô com dor
  de dente, quero marcar") goes on to it after the deflection;
- opt-out ("pare", "não quero mais receber mensagens"): `opt_out`, the conversation's `opted_out_at` is
  set (reminders stop) and it leaves its flow; opt-in clears it;
- privacy ("apaguem meus dados", "meus dados", "LGPD"): `privacy` (or `privacy_erase`), `privacy_requested_at`
  is set and a `privacy_request` notice opens a request for staff with the legal 15-day clock (LGPD art. 19,
  `runtime.privacy.requests`); nothing is deleted here: staff confirm who is asking first;
- notice ("privacidade", the whole message): the bot's privacy notice (`bot.json` "privacy", art. 9).

A request to correct personal data ("meu cadastro tá com o sobrenome errado") is a privacy request of its
own kind (`correct`, art. 18 III). An opt-in naming only marketing ("quero voltar a receber as promoções")
is no safety topic when a flow of the bot asks for that consent: its triggers lead to that question.

Opt-out and opt-in change the conversation's consents (`consent` notices, which the commit writes to the
consent ledger): opting out revokes marketing and reminders, opting in grants reminders again (marketing
needs the explicit opt-in of a `consent` node).

The words are the conversation's language pack's (`runtime.locales`) plus the bot's `llm.medical_keywords`
and its `privacy.opt_out_words` and `privacy.request_words`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from flows.nodes import AskNode, ConsentNode
from nlu import normalise
from nlu.coverage import MIN_STEM, stem
from nlu.text import fold
from runtime.engine.outcomes import Outcome
from runtime.engine.routing import record_consent
from runtime.locales import Pack
from runtime.nodes.inputs import read
from runtime.nodes.services import BotTurn

Topic = Literal["urgent", "medical", "opt_out", "opt_in", "privacy", "notice"]
PROACTIVE = ("marketing", "reminders")  # the purposes an opt-out stops
_NEGATIONS = frozenset({"nao", "nem", "not", "dont", "never", "nunca"})  # as `normalise` leaves them


@lru_cache(maxsize=8)
def _folded(pack: Pack) -> dict[str, tuple[frozenset[str], tuple[str, ...]]]:
    """Each topic's words and phrases, folded as `normalise` folds a message."""
    def phrases(items: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(f" {normalise(p)} " for p in items)

    return {
        "urgent": (frozenset(normalise(w) for w in pack.urgent_words),
                   phrases(pack.urgent_phrases + pack.crisis_phrases)),
        "crisis": (frozenset(), phrases(pack.crisis_phrases)),
        "medical": (frozenset(normalise(w) for w in pack.medical_words), phrases(pack.medical_phrases)),
        "privacy": (frozenset(), phrases(pack.privacy_phrases)),
        "opt_out": (frozenset(), phrases(pack.opt_out_phrases)),
        "opt_in": (frozenset(), phrases(pack.opt_in_phrases)),
    }


@lru_cache(maxsize=256)
def _words(items: tuple[str, ...]) -> frozenset[str]:
    """`items` folded as `normalise` folds a message (whole messages, or words)."""
    return frozenset(normalise(w) for w in items)


@lru_cache(maxsize=256)
def _phrases(items: tuple[str, ...]) -> tuple[str, ...]:
    """`items` folded and padded with a space each side, to be looked for in a padded message."""
    return tuple(f" {normalise(p)} " for p in items)


@lru_cache(maxsize=64)
def _medical_words(pack: Pack, keywords: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The medical words (the pack's and a bot's `keywords`), folded, and the stems of those long enough to
    be matched by stem ("vomitou" for "vômito", as `same_stem` matches them)."""
    known = _folded(pack)["medical"][0] | _words(keywords)
    return known, frozenset(stem(w) for w in known if len(w) >= STEMMED and len(stem(w)) >= MIN_STEM)


# "n quero mais receber": "n" (or "nn", "ñ") before a word is "não" (before a number it is one: "n 2").
_SHORT_NOT = re.compile(r"(?:^|(?<= ))nn? (?=[a-z])")


def topic_of(t: BotTurn) -> Topic | None:
    """The safety topic of this turn's message, the most pressing first."""
    text = _SHORT_NOT.sub("nao ", normalise(t.event.text)) if t.event.text else ""
    if not text:
        return None
    if text in _words(t.words.notice_words):
        return "notice"
    words, padded = set(text.split()), f" {text} "
    if any(p in padded for p in _phrases(t.bot.privacy.request_words)):
        return _request_or_question(t)
    if (part := _notice_part(t, words)) is not None:
        t.memo["notice_part"] = part  # "por quanto tempo vocês guardam as conversas?": that part of the notice
        return "notice"
    folded = _folded(t.words)
    pairs = {"privacy": t.words.privacy_pairs, "opt_out": t.words.opt_out_pairs}
    if (any(p in padded for p in _phrases(t.words.notice_phrases))
            and not _pair(words, t.words.privacy_pairs)):
        return "notice"
    if _negated_send(text.split(), t.words):
        return "opt_out"
    for topic in ("urgent", "privacy", "opt_out", "opt_in"):  # "não quero mais receber lembretes" is no opt-in
        found_words, found_phrases = folded[topic]
        if words & found_words or any(p in padded for p in found_phrases) or _pair(words, pairs.get(topic)):
            return _request_or_question(t) if topic == "privacy" else topic
        if topic == "urgent" and _signs(text.split(), t.words.urgent_signs):
            return topic
    if _pair(words, t.words.correction_pairs):
        return "privacy"  # "meu cadastro tá com o sobrenome errado": correcting them is a request for staff
    if text in _words(t.words.opt_out_words) or text in _words(t.bot.privacy.opt_out_words):
        return "opt_out"
    return "medical" if is_medical(t) else None


def _request_or_question(t: BotTurn) -> Topic:
    """A data request, or a question about the right to make one ("a LGPD deixa eu pedir pra vcs apagarem meus
    dados? só to perguntando"): the notice's part on rights, when the bot has one; no request for staff."""
    if not t.bot.privacy.rights or not t.words.rights_question.search(fold(t.event.text)):
        return "privacy"
    t.memo["notice_part"] = "rights"
    return "notice"


def _notice_part(t: BotTurn, words: set[str]) -> str | None:
    """The part of the privacy notice a question asks about (`Pack.notice_questions`: a word of each of its
    sets), when the bot has one: how long data is kept, who receives it, who looks after it."""
    if not ("?" in t.event.text or words & t.words.question_words):
        return None
    padded = f" {' '.join(normalise(t.event.text).split())} "
    if any(p in padded for p in _phrases(tuple(w for w in t.words.notice_words if " " in w))):
        return None  # "... qual a política de privacidade?": the whole notice
    for part, sets in t.words.notice_questions.items():
        if all(words & needed for needed in sets) and any(getattr(t.bot.privacy, p) for p in _NOTICE_PARTS[part]):
            return part
    return None


# What each question of `Pack.notice_questions` is answered with: these parts of bot.json "privacy".
_NOTICE_PARTS = {"retention": ("retention",), "recipients": ("recipients",), "rights": ("rights",),
                 "rights_use": ("rights",), "monitoring": ("monitoring",),
                 "purposes": ("purposes", "controller", "dpo"), "purposes_why": ("purposes", "controller", "dpo"),
                 "controller": ("controller", "dpo")}


def _negated_send(tokens: list[str], pack: Pack) -> bool:
    """ "não precisa mandar lembrete", "não me mandem mensagem": a sending verb shortly after a
    negation, with something proactive as its object; "..., propaganda não" at the end."""
    if not set(tokens) & pack.opt_out_pairs[1]:
        return False
    if len(tokens) > 1 and tokens[-1] in _NEGATIONS and tokens[-2] in pack.marketing_words:
        return True  # "quero só o lembrete, propaganda não"
    if any(token in pack.send_verbs and (_NEGATIONS & set(tokens[max(0, i - 3):i]) or _denied_before(tokens, i, pack))
           for i, token in enumerate(tokens)):
        return True
    return any(_refused(tokens, at, pack) for at, token in enumerate(tokens) if token in pack.wanting_verbs)


def _denied_before(tokens: list[str], at: int, pack: Pack) -> bool:
    """A "não" before the sending verb at `at`, with only the language's fillers between them ("não precisa mais
    me mandar")."""
    i = at - 1
    while i >= 0 and tokens[i] in pack.send_fillers:
        i -= 1
    return i >= 0 and i < at - 1 and tokens[i] in _NEGATIONS


def _refused(tokens: list[str], at: int, pack: Pack) -> bool:
    """ "não quero promoção nenhuma", "nao quero mais novidades": a negated wish whose object, right after it
    (or right before: "promoção não quero"), is a kind of message ("não quero perder o lembrete" is no refusal)."""
    if not _NEGATIONS & set(tokens[max(0, at - 2):at]):
        return False
    rest = [w for w in tokens[at + 1:at + 4] if w not in pack.refusal_fillers]
    if rest and rest[0] in pack.opt_out_pairs[1]:
        return True
    # "promoção não quero, só os lembretes": the kind of message said first, right before the negation
    before = [w for w in tokens[max(0, at - 4):at] if w not in pack.refusal_fillers and w not in _NEGATIONS]
    return bool(before) and before[-1] in pack.opt_out_pairs[1]


_SIGN_SPAN = 4  # how many words apart the two words of an urgent sign may be


def _signs(tokens: list[str], signs: tuple[tuple[frozenset[str], ...], ...]) -> bool:
    """An urgent sign: a word of each of a sign's first two lists, close together ("rosto ... dormente", "tomou
    veneno"), and of its third list anywhere when it has one ("manchas roxas" with "febre")."""
    said = set(tokens)
    for first, second, *anywhere in signs:
        if not said & first or not said & second or any(not said & needed for needed in anywhere):
            continue
        at = [i for i, token in enumerate(tokens) if token in first]
        if at and any(abs(i - j) <= _SIGN_SPAN for j, token in enumerate(tokens) if token in second for i in at):
            return True
    return False


def _pair(words: set[str], pair: tuple[frozenset[str], frozenset[str]] | None) -> bool:
    """A word of each list: "excluam todas as minhas informações", "chega de mensagens"."""
    return pair is not None and bool(words & pair[0]) and bool(words & pair[1])


def is_medical(t: BotTurn) -> bool:
    """The message names a symptom, a medicine or a dose (the conversation's language pack, plus the
    bot's `llm.medical_keywords`), in any of its forms ("vomitou", "vômito"): it is never answered by
    the FAQ or the model."""
    text = normalise(t.event.text) if t.event.text else ""
    known, stems = _medical_words(t.words, t.bot.llm.medical_keywords)
    said = set(_without_services(text.split(), t.words))
    if said & known or any(p in f" {text} " for p in _folded(t.words)["medical"][1]):
        return True
    if _signs(text.split(), t.words.medical_signs):  # "quebrou o braço", not "o carro quebrou"
        return True
    return any(stem(w) in stems for w in said if len(w) >= STEMMED)


STEMMED = 5  # shorter words only match as they are


def _without_services(tokens: list[str], pack: Pack) -> list[str]:
    """The words but the one naming what a service is for ("vacina da *gripe*", "teste de *gravidez*")."""
    kept: list[str] = []
    for at, token in enumerate(tokens):
        if at >= 2 and tokens[at - 1] in pack.service_links and tokens[at - 2] in pack.service_nouns:
            continue
        kept.append(token)
    return kept


async def guard(t: BotTurn) -> bool:
    """`Handlers.safety`: True when this step took the message (said what it says, moved on)."""
    if t.event.data.get("monitoring") == "handoff" and t.state.waiting != "handoff":
        t.took("safety", topic="monitoring")  # a bot.json monitoring rule hands this message to a person
        t.notices.append({"kind": "monitoring_handoff", "rules": t.event.data.get("monitored", [])})
        await _offer_a_person(t)
        return True
    topic = topic_of(t)
    if topic is None:
        return False
    if topic == "opt_in" and _marketing_only(t) and _asks_consent(t, "marketing"):
        return False  # "quero voltar a receber as promoções": the bot's own consent question asks it
    if t.state.waiting == "handoff":
        return _with_staff(t, topic)
    t.notices.append({"kind": "safety", "topic": topic})
    match topic:
        case "urgent" if _a_name_as_well(t):
            t.say(t.message(_urgent_key(t)))  # "Socorro" at "Como posso te chamar?": the numbers, then the name
            return False
        case "urgent" if _question_waits(t):
            # the emergency numbers and where a person is, and the question waits as it was: "1" next picks the
            # first slot, "6" the menu's booking (an offer of a person would read them as its own options)
            t.took("safety", topic=topic, kept="question")
            t.say(t.message(_urgent_key(t)))
            t.say(t.message("urgent_staff"))
            await _ask_again(t)
        case "urgent":
            t.took("safety", topic=topic)
            t.say(t.message(_urgent_key(t)))
            _keep_name_question(t)
            await _offer_a_person(t)
        case "medical":
            return await _medical(t)
        case "opt_out" if _marketing_only(t):
            record_consent(t, "marketing", False, source="opt_out")
            t.say(t.message("opt_out_marketing"))
            wanted = t.triggered_flow()
            if wanted is not None and wanted != (t.flow.id if t.flow else None) and _acts(t, wanted) \
                    and not _flow_asks_consent(t, wanted, "marketing"):
                # "quero marcar uma consulta mas não quero receber promoção": said; the booking goes on (not the
                # flow that asks for the consent just withdrawn, which "promoções" also names)
                t.memo["deflected"] = True
                return False
            t.took("safety", topic=topic, only="marketing")
            await _ask_again(t)
        case "opt_out":
            t.took("safety", topic=topic)
            _opt_out(t)
            t.say(t.message("opt_out"))
            await leave_flows(t)
        case "opt_in":
            t.took("safety", topic=topic)
            _opt_in(t)
            t.say(t.message("opt_in"))
            await _ask_again(t)
        case "privacy":
            t.took("safety", topic=topic)
            key = _open_request(t)
            t.say(t.message(key))
            if key == "privacy_erase":  # nothing more is asked of a patient whose data is to be erased
                await leave_flows(t)
            else:  # a copy or a correction asked in the middle of a booking: the booking goes on
                await _ask_again(t)
        case "notice":
            t.took("safety", topic=topic)
            t.say(notice_text(t))
            await _ask_again(t)
    return True


def _name_question(t: BotTurn) -> AskNode | None:
    """The name question waiting for this message, if one is."""
    if t.state.waiting != "input" or t.flow is None or t.state.node is None:
        return None
    node = t.flow.node(t.state.node)
    return node if isinstance(node, AskNode) and node.input == "name" else None


def _question_waits(t: BotTurn) -> bool:
    """A question whose options a number picks waits for this message, and the message gives up nothing
    ("esquece isso, ..."): a scheduling step (slots offered, one held for a confirmation, "Quer mesmo
    cancelar?", where "Confirmar" next would answer the offer of a person) or, but for thoughts of suicide, any
    question with options (the menu, "Qual especialidade?", the health plan, a consent) or a question for the name of
    someone else (the patient's). Elsewhere (the writer's own name, at the first contact) the offer of a person comes
    instead (a name after it still answers an interrupted name question, `answers_the_question_before`)."""
    if t.state.waiting != "input" or t.flow is None or t.state.node is None:
        return False
    give_up = t.words.small_talk.get("give_up")
    if give_up is not None and give_up.search(normalise(t.event.text)):
        return False
    node = t.flow.nodes.get(t.state.node)
    # the menu, the specialty, the health plan, a consent's yes/no buttons; the name of whom a booking is for
    options = isinstance(node, AskNode) and bool(node.options) or isinstance(node, ConsentNode)
    return t.state.private.booking is not None or ((options or _someone_elses_name(t)) and _urgent_key(t) != "crisis")


def _someone_elses_name(t: BotTurn) -> bool:
    """A name question about someone else than the writer ("Qual é o nome de quem vai ser atendido?"): one whose
    variable is not the contact's own (bot.json `variables`, scope `contact`)."""
    node = _name_question(t)
    if node is None or not node.var:
        return False
    spec = t.bot.variables.get(node.var)
    return spec is None or spec.scope != "contact"


def _keep_name_question(t: BotTurn) -> None:
    """A name question the emergency interrupted is kept for the next message: a name given then, instead of
    an answer to the offer of a person, answers it (`answers_the_question_before`)."""
    node = _name_question(t)
    t.state.private.interrupted = None if node is None or t.flow is None else {
        "flow": t.flow.id, "version": t.flow.digest, "node": node.id, "turn": t.state.turns}


async def answers_the_question_before(t: BotTurn) -> Outcome | None:
    """At the offer of a person that followed an emergency, a name ("Jussara") is the answer to the name
    question the emergency interrupted: that question takes it, and the conversation goes on from there."""
    before, t.state.private.interrupted = t.state.private.interrupted, None
    if not before or before.get("turn") != t.state.turns - 1 or not t.event.text.strip():
        return None
    flow = t.library.flow(before["flow"], before["version"])
    node = flow.node(before["node"]) if flow is not None else None
    if not isinstance(node, AskNode) or read(node, t.event, t.local_now) is None:
        return None
    t.notices.append({"kind": "resumed", "flow": flow.id, "node": node.id})
    t.state.stack.clear()
    t.flow = flow
    t.state.flow, t.state.flow_version, t.state.node = flow.id, flow.digest, node.id
    t.state.waiting, t.state.retries = "input", 0
    resume = t.handlers.nodes.resume(node)
    return await resume(node, t) if resume is not None else None


def _urgent_key(t: BotTurn) -> str:
    """`crisis` for thoughts of suicide or self-harm (a crisis line as well as the emergency number), else
    `urgent`."""
    padded = f" {normalise(t.event.text)} " if t.event.text else ""
    return "crisis" if any(p in padded for p in _folded(t.words)["crisis"][1]) else "urgent"


_NAME_JOINERS = frozenset({"de", "da", "do", "das", "dos", "e"})


def _a_name_as_well(t: BotTurn) -> bool:
    """At a name question, a name written as one ("Socorro", "Maria do Socorro": capitalised words, no "!")
    whose only urgent word is one of the language's `urgent_names`."""
    text = t.event.text.strip() if t.event.text else ""
    if _name_question(t) is None or not text or "!" in text:
        return False
    words = re.findall(r"[^\W\d_]+", text)
    if not 0 < len(words) <= 4 or len(words) != len(text.replace(".", " ").split()):
        return False
    if not all(w in _NAME_JOINERS or (w[0].isupper() and not (len(w) > 1 and w.isupper())) for w in words):
        return False
    folded = [normalise(w) for w in words]
    urgent_words, urgent_phrases = _folded(t.words)["urgent"]
    rest = " ".join(w for w in folded if w not in t.words.urgent_names)
    return len(rest) < len(" ".join(folded)) and not set(rest.split()) & urgent_words \
        and not any(p in f" {rest} " for p in urgent_phrases)


def _opt_out(t: BotTurn) -> None:
    t.state.opted_out_at = t.now.isoformat()
    for purpose in PROACTIVE:
        record_consent(t, purpose, False, source="opt_out")


def _marketing_only(t: BotTurn) -> bool:
    """The opt-out names marketing and no other kind of message ("para de mandar propaganda", "não quero
    receber promoção, só os lembretes"): the reminders go on."""
    words = set(normalise(t.event.text).split())
    others = (words & t.words.opt_out_pairs[1]) - t.words.marketing_words - t.words.opt_out_places  # reminders
    return bool(words & t.words.marketing_words) and (not others or bool(words & t.words.only_words))


def _flow_asks_consent(t: BotTurn, flow_id: str, purpose: str) -> bool:
    """The flow asks for consent to `purpose` (a `consent` node)."""
    flow = t.bot.flows.get(flow_id)
    return flow is not None and any(isinstance(node, ConsentNode) and node.purpose == purpose
                                    for node in flow.nodes.values())


def _asks_consent(t: BotTurn, purpose: str) -> bool:
    """A flow of the bot asks for consent to `purpose` (a `consent` node), with the text the patient agrees to."""
    return any(_flow_asks_consent(t, flow_id, purpose) for flow_id in t.bot.flows)


def _opt_in(t: BotTurn) -> None:
    t.state.opted_out_at = None
    record_consent(t, "reminders", True, source="opt_in")


def _open_request(t: BotTurn) -> str:
    """A request for staff (15 days, LGPD art. 19 II); which message says so."""
    text = normalise(t.event.text)
    words = set(text.split())
    erase = bool(words & t.words.privacy_pairs[0])
    request = "erase" if erase else "correct" if _pair(words, t.words.correction_pairs) else "access"
    t.state.privacy_requested_at = t.now.isoformat()
    t.notices.append({"kind": "privacy_request", "due_days": 15, "request": request, "message_id": t.event.id})
    return "privacy_erase" if erase else "privacy"


def notice_text(t: BotTurn) -> str:
    """The bot's privacy notice (bot.json "privacy") in the conversation's language, with headings; only the
    part a question asked about ("com quem vocês compartilham meu telefone?"), when it asked about one."""
    notice, labels = t.bot.privacy, t.words.notice_labels
    if not notice.declared:
        return t.message("no_notice")
    lines = [labels["title"]]
    asked = t.memo.get("notice_part")
    parts = _NOTICE_PARTS.get(asked, ()) if isinstance(asked, str) else ()
    for part in parts or ("controller", "dpo", "purposes", "retention", "recipients", "rights", "monitoring",
                          "human_contact"):
        value = getattr(notice, part)
        items = value if isinstance(value, tuple) else (value,) if value else ()
        if items:
            said = [t.text(item) for item in items]
            lines.append(f"{labels[part]} " + ("; ".join(said) if len(said) > 1 else said[0]))
    lines.append(labels["how"])
    return "\n\n".join(lines)


def _with_staff(t: BotTurn, topic: Topic) -> bool:
    """While staff talk, the bot keeps quiet but for an emergency (staff may not be there yet) and
    the confirmations of opt-out and privacy requests; staff see a notice of each."""
    t.notices.append({"kind": "safety", "topic": topic, "during": "handoff"})
    if topic == "medical":
        return False
    t.took("safety", topic=topic, during="handoff")
    if topic == "opt_out":
        _opt_out(t)
    elif topic == "opt_in":
        _opt_in(t)
    elif topic == "privacy":
        t.say(t.message(_open_request(t)))
        return True
    elif topic == "notice":
        t.say(notice_text(t))
        return True
    t.say(t.message(_urgent_key(t) if topic == "urgent" else topic))
    return True


async def _medical(t: BotTurn) -> bool:
    t.notices.append({"kind": "medical_deflection"})
    t.say(t.message("medical"))
    wanted = t.triggered_flow()
    if wanted is not None and wanted != (t.flow.id if t.flow else None) and _acts(t, wanted):
        t.memo["deflected"] = True  # said; the rest of the message goes on through the reading order
        return False
    t.took("safety", topic="medical")
    if t.state.waiting == "input":
        await _ask_again(t)
    else:
        await _offer_a_person(t)
    return True


def _acts(t: BotTurn, flow_id: str) -> bool:
    """The flow does something for the patient (it waits for them), rather than only answering."""
    flow = t.bot.flows.get(flow_id)
    return flow is not None and any(node.waits for node in flow.nodes.values())


async def _ask_again(t: BotTurn) -> None:
    if t.state.waiting == "input" and t.flow is not None and t.state.node is not None:
        node = t.flow.node(t.state.node)
        await t.run(await t.follow(await t.handlers.nodes.reask(node)(node, t)))


async def _offer_a_person(t: BotTurn) -> None:
    flow = t.bot.llm.handoff_flow or t.bot.fallback_flow or t.bot.entry_flow
    await leave_flows(t)
    await t.run(t.start_flow(flow))


async def leave_flows(t: BotTurn) -> None:
    """Leave every running flow, giving back a slot held for the patient."""
    step = t.state.private.booking
    hold = step.get("hold") if step else None
    if hold and t.services.scheduler is not None:
        await t.services.scheduler.release(hold["id"])
    t.state.private.booking = None
    t.clear()
