"""Privacy in the chat itself, on the clinic bot: opt-out from anywhere in the same turn with its
evidence in the ledger, the consent node, the privacy notice, blocking, card numbers masked before
the inbox, and `may_send` for each purpose."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from flows.loader import check_bot
from runtime.engine.clock import ManualClock
from runtime.engine.state import Conversation
from runtime.privacy import ConsentLedger, PrivacyRequests, mask_cards, may_send, number_forms, text_hash
from runtime.privacy.contact import Contact
from runtime.service.harness import BotHarness

CLINIC = Path(__file__).parents[2] / "examples" / "clinic"
START = datetime.fromisoformat("2026-03-02T12:00:00+00:00")


@pytest.fixture
async def clinic(client: aioredis.Redis, redis_prefix: str) -> AsyncIterator[BotHarness]:
    h = await BotHarness.open(CLINIC, client=client, prefix=redis_prefix, clock=ManualClock(START),
                              channel="whatsapp", user="5511987650000")
    await h.say("oi")
    await h.say("Carla")
    yield h
    await h.aclose()


def texts(replies: list) -> list[str]:  # type: ignore[type-arg]
    return [m.text for m in replies]


async def ledger(h: BotHarness) -> list[dict[str, object]]:
    return await ConsentLedger(h.store.client, prefix=h.store.keys.prefix).entries(h.key)


async def test_parar_in_the_middle_of_a_booking_stops_marketing_and_reminders_in_that_turn(clinic: BotHarness) -> None:
    await clinic.say("6")
    replies = await clinic.say("PARAR")
    assert len(replies) == 1 and "não vai mais receber" in replies[0].text
    state = await clinic.state()
    assert state is not None and state.flow is None
    assert state.consent("marketing") is False and state.consent("reminders") is False
    entries = await ledger(clinic)
    assert {(e["purpose"], e["granted"], e["source"]) for e in entries} == {("marketing", False, "opt_out"),
                                                                           ("reminders", False, "opt_out")}
    assert all(e["message_id"] and e["channel"] == "whatsapp" for e in entries)  # the message is the evidence
    assert may_send(state, "marketing") and may_send(state, "reminders") and may_send(state, "service") is None


async def test_opting_in_again_restores_reminders_but_not_marketing(clinic: BotHarness) -> None:
    await clinic.say("PARAR")
    await clinic.say("quero receber lembretes")
    state = await clinic.state()
    assert state is not None and may_send(state, "reminders") is None and may_send(state, "marketing") is not None


async def test_the_consent_node_records_the_text_shown_and_the_answer(clinic: BotHarness) -> None:
    asked = await clinic.say("novidades")
    await clinic.say("sim")
    state = await clinic.state()
    assert state is not None and state.consent("marketing") is True and may_send(state, "marketing") is None
    [entry] = await ledger(clinic)
    assert entry["text_id"] == "novidades_v1" and entry["text_hash"] == text_hash(asked[0].text)
    assert entry["granted"] is True and str(entry["source"]).startswith("consent_node:novidades/")
    await clinic.say("novidades")
    await clinic.say("não")
    state = await clinic.state()
    assert state is not None and state.consent("marketing") is False
    assert [e["granted"] for e in await ledger(clinic)] == [True, False]  # append-only: the revocation is added


async def test_privacidade_answers_from_the_notice(clinic: BotHarness) -> None:
    replies = texts(await clinic.say("Privacidade"))
    assert "Clínica Sorriso Ltda." in replies[0] and "privacidade@clinicasorriso.com.br" in replies[0]
    assert "(11) 4000-1234" in replies[0]


async def test_a_card_number_is_masked_before_the_inbox(clinic: BotHarness) -> None:
    await clinic.say("6")
    event = clinic.event("paga com 4111-1111-1111-1111 por favor")
    await clinic.processor.accept(event)
    [(_, fields)] = await clinic.store.client.xrange(clinic.store.keys.inbox(clinic.key))
    stored = json.loads(fields[b"e"])
    # the clinic's monitoring rule "cartao" sees it first (to alert) and masks it; without one, the mask
    # below does (test_mask_cards_...)
    assert "4111" not in stored["text"] and stored["text"] == "paga com *** por favor"


def test_mask_cards_only_masks_luhn_valid_13_to_19_digits() -> None:
    assert mask_cards("4111 1111 1111 1111") == "[cartao]"
    assert mask_cards("4111 1111 1111 1112") == "4111 1111 1111 1112"  # not Luhn-valid
    assert mask_cards("CPF 529.982.247-25, tel 11987654321") == "CPF 529.982.247-25, tel 11987654321"
    assert mask_cards("378282246310005") == "[cartao]"  # 15 digits (Amex)


async def test_a_blocked_conversation_is_kept_but_not_processed(clinic: BotHarness) -> None:
    await clinic.send(clinic.event(kind="system", data={"action": "block"}))
    assert await clinic.say("menu") == []
    state = await clinic.state()
    assert state is not None and state.blocked_at is not None and state.vars["nome"] == "Carla"
    assert may_send(state, "service") is not None
    await clinic.send(clinic.event(kind="system", data={"action": "unblock"}))
    assert "Como posso ajudar" in str(texts(await clinic.say("menu")))


async def test_a_correction_names_the_variables_never_the_values(clinic: BotHarness) -> None:
    await clinic.send(clinic.event(kind="system", data={"action": "correct", "vars": {"nome": "Carla Dias"}}))
    state = await clinic.state()
    assert state is not None and state.vars["nome"] == "Carla Dias"
    [notice] = [n for n in clinic.last[-1].notices if n["kind"] == "corrected"]
    assert notice == {"kind": "corrected", "vars": ["nome"]}


def test_may_send_per_purpose() -> None:
    fresh = Conversation()
    assert may_send(fresh, "service") is None and may_send(fresh, "reminders") is None
    assert may_send(fresh, "marketing") == "no active marketing opt-in"
    assert may_send(None, "marketing") is not None and may_send(fresh, "spam") is not None
    fresh.consents["marketing"] = {"granted": True, "at": START.isoformat(), "source": "consent_node"}
    assert may_send(fresh, "marketing") is None
    fresh.blocked_at = START.isoformat()
    assert may_send(fresh, "marketing") is not None and may_send(fresh, "service") is not None


def test_both_forms_of_a_brazilian_mobile_name_one_contact() -> None:
    assert number_forms("5511987654321") == ("5511987654321", "551187654321")
    assert number_forms("551187654321") == ("551187654321", "5511987654321")
    assert number_forms("551133334444") == ("551133334444",)  # a landline has one form
    assert number_forms("1789456123") == ("1789456123",)  # a Page-scoped id
    contact = Contact("clinica", "whatsapp", "5511987654321")
    assert contact.patients() == ["whatsapp:5511987654321", "whatsapp:551187654321"]


def _bot(tmp_path: Path, bot: dict[str, object], nodes: dict[str, object]) -> Path:
    root = tmp_path / "bot"
    (root / "flows").mkdir(parents=True)
    (root / "bot.json").write_text(json.dumps({"name": "b", "default_locale": "pt-BR", "entry_flow": "f", **bot}))
    (root / "flows" / "f.json").write_text(json.dumps({"id": "f", "entry": "a", "nodes": nodes}))
    return root


CHANNELS = {"whatsapp": {"token": "${T}", "app_secret": "${S}", "verify_token": "${V}", "account_id": "${A}"}}
NOTICE = {"controller": "C", "dpo": "d@c", "purposes": ["p"], "retention": "r", "recipients": ["Meta"], "rights": "x"}


def test_a_bot_with_channels_needs_a_notice_and_a_way_to_a_person(tmp_path: Path) -> None:
    root = _bot(tmp_path, {"channels": CHANNELS}, {"a": {"kind": "end", "text": "oi"}})
    codes = {i.code for i in check_bot(root).errors}
    assert codes == {"missing-privacy", "no-human"}
    root = _bot(tmp_path / "2", {"channels": CHANNELS, "privacy": NOTICE},
                {"a": {"kind": "handoff", "text": "chamando"}})
    assert check_bot(root).errors == ()
    root = _bot(tmp_path / "3", {}, {"a": {"kind": "end", "text": "oi"}})
    assert check_bot(root).errors == ()  # no channel: a bot for `papo chat` only


def test_lint_warns_on_questions_that_take_card_numbers(tmp_path: Path) -> None:
    nodes = {"a": {"kind": "ask", "var": "x", "input": "text", "pattern": "[0-9 ]{13,19}", "text": "Seu código?",
                   "next": "b"},
             "b": {"kind": "ask", "var": "y", "input": "text", "text": "Qual o número do cartão de crédito?"}}
    warnings = {i.code for i in check_bot(_bot(tmp_path, {}, nodes)).warnings}
    assert {"card-pattern", "card-question"} <= warnings



async def test_a_request_to_correct_the_data_is_a_privacy_request_of_its_own_kind(clinic: BotHarness) -> None:
    await clinic.say("6")
    replies = texts(await clinic.say("meu cadastro tá com o sobrenome errado, queria corrigir"))
    assert "15 dias" in replies[0]
    assert replies[1:] == ["Vamos marcar sua consulta! 🩺 Qual especialidade?"]  # the booking goes on
    book = PrivacyRequests(clinic.store.client, prefix=clinic.store.keys.prefix, bot=clinic.library.name)
    [request] = await book.all()
    assert request["request"] == "correct" and request["status"] == "open"


@pytest.mark.parametrize("said", ["quero uma cópia de tudo que vocês têm guardado sobre mim",
                                  "me manda uma cópia do meu cadastro"])
async def test_a_copy_of_what_is_kept_is_an_access_request(clinic: BotHarness, said: str) -> None:
    replies = texts(await clinic.say(said))
    assert "15 dias" in replies[0]
    [request] = [n for n in clinic.last[-1].notices if n["kind"] == "privacy_request"]
    assert request["request"] == "access"


async def test_asking_what_the_phone_number_is_used_for_gets_the_notice_and_the_question_waits(
        clinic: BotHarness) -> None:
    await clinic.say("6")
    replies = texts(await clinic.say("antes: pra que vocês usam meu telefone?"))
    assert "privacidade@clinicasorriso.com.br" in replies[0]
    state = await clinic.state()
    assert state is not None and (state.flow, state.node) == ("agendar", "especialidade")


async def test_asking_for_promotions_again_asks_the_consent_question_of_the_bot(clinic: BotHarness) -> None:
    await clinic.say("cancelar novidades")
    asked = texts(await clinic.say("quero voltar a receber as promoções de vocês"))
    assert "novidades e promoções" in asked[-1]
    state = await clinic.state()
    assert state is not None and state.consent("marketing") is False  # nothing granted before the answer
    await clinic.say("sim")
    state = await clinic.state()
    assert state is not None and state.consent("marketing") is True and state.opted_out_at is None
    assert str((await ledger(clinic))[-1]["source"]).startswith("consent_node:novidades/")
