"""The package's shape: exports, registry, error tree, import arrows, text clipping, identity."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import connectors
from connectors import (
    CONNECTORS,
    BadPayload,
    BadSignature,
    ConnectorError,
    InstagramConnector,
    MessengerConnector,
    SendError,
    Throttled,
    UnknownChannel,
    WhatsAppConnector,
    error_from_graph,
    same_whatsapp_user,
    whatsapp_aliases,
)
from connectors._text import clip, utf8_len
from connectors.errors import GRAPH_ERRORS

PACKAGE = Path(connectors.__file__).parent


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in vars(connectors) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(connectors, name)).__name__ == "module"}
    assert sorted(connectors.__all__) == sorted(public - modules)
    assert connectors.__all__ == sorted(connectors.__all__, key=lambda n: (n[0].islower(), n))


def test_connectors_import_nothing_of_papo_but_the_message_model_and_the_error_root() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top not in {"runtime", "nlu", "studio"}, f"{path.name} imports {name}"
                assert top != "flows" or name in ("flows.messages", "flows.errors"), f"{path.name} imports {name}"


def test_every_module_stays_small() -> None:
    for path in PACKAGE.rglob("*.py"):
        assert len(path.read_text().splitlines()) < 300, path.name


def test_registry_finds_each_channel_and_refuses_unknown_and_duplicate_names() -> None:
    assert CONNECTORS.names() == ["instagram", "messenger", "web", "whatsapp"]
    assert CONNECTORS.get("whatsapp") is WhatsAppConnector
    assert CONNECTORS.get("messenger") is MessengerConnector
    assert CONNECTORS.get("instagram") is InstagramConnector
    with pytest.raises(UnknownChannel, match="known channels: instagram, messenger, web, whatsapp"):
        CONNECTORS.get("telegram")

    class Impostor(WhatsAppConnector):
        pass

    with pytest.raises(ValueError, match="already served by WhatsAppConnector"):
        CONNECTORS.with_connectors(Impostor)

    class Nameless:
        pass

    with pytest.raises(TypeError, match="class attribute `channel`"):
        CONNECTORS.with_connectors(Nameless)  # type: ignore[arg-type]

    class Undeclared(WhatsAppConnector):
        channel = "whatsapp2"
        env = None  # type: ignore[assignment]

    with pytest.raises(TypeError, match="class attribute `env`"):
        CONNECTORS.with_connectors(Undeclared)
    assert "whatsapp2" not in CONNECTORS  # extending makes a new registry


def test_the_registry_is_one_explicit_list_without_side_effect_registration() -> None:
    source = (PACKAGE / "registry.py").read_text()
    for cls in CONNECTORS:
        assert f"    {cls.__name__},\n" in source
    for path in PACKAGE.rglob("*.py"):
        assert "@register" not in path.read_text(), path


def test_error_tree_has_one_root_and_retryable_flags() -> None:
    for kind in (BadPayload, BadSignature, SendError, UnknownChannel):
        assert issubclass(kind, ConnectorError)
    retryable = sorted(kind.__name__ for kind, _ in GRAPH_ERRORS.values() if kind.retryable)
    assert set(retryable) == {"Throttled", "Unavailable"}


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (400, None, "Rejected"),
        (400, "not a dict", "Rejected"),
        (400, {"error": "oops"}, "Rejected"),
        (400, {"error": {"code": True}}, "Rejected"),
        (401, {}, "AuthError"),
        (403, {}, "PermissionDenied"),
        (429, {}, "Throttled"),
        (504, {}, "Unavailable"),
        (400, {"error": {"code": 132015, "message": "paused"}}, "TemplateError"),
        (400, {"error": {"code": 250}}, "PermissionDenied"),
    ],
)
def test_error_from_graph_tolerates_any_body(status: int, body: object, kind: str) -> None:
    error = error_from_graph("whatsapp", status, body)
    assert type(error).__name__ == kind and str(error).startswith(f"whatsapp refused the message (HTTP {status}")


def test_throttled_from_http_429_is_app_scoped() -> None:
    error = error_from_graph("messenger", 429, None, retry_after=3)
    assert isinstance(error, Throttled) and (error.scope, error.retry_after) == ("app", 3)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("curto", 20, "curto"),
        ("exatamente vinte car", 20, "exatamente vinte car"),
        ("Consulta de retorno amanhã", 20, "Consulta de retorno…"),
        ("Supercalifragilisticexpialidoce", 10, "Supercali…"),
        ("um dois", 1, ""),
        ("a b c d e f g h i j k l", 10, "a b c d e…"),
        ("a b c d eeeee f", 10, "a b c d…"),
        ("café\u0301 com leite e pão", 6, "café…"),
        ("oi 👨\u200d👩\u200d👧 família", 8, "oi 👨…"),
    ],
)
def test_clip_cuts_at_words_and_always_marks_the_cut(text: str, limit: int, expected: str) -> None:
    assert clip(text, limit) == expected
    assert len(clip(text, limit)) <= limit


def test_clip_by_utf8_bytes_never_splits_a_character() -> None:
    text = "ç" * 600
    out = clip(text, 1000, size=utf8_len)
    assert utf8_len(out) <= 1000 and out.endswith("…") and set(out[:-1]) == {"ç"}


@pytest.mark.parametrize(
    ("number", "aliases"),
    [
        ("5511987654321", ("5511987654321", "551187654321")),
        ("551187654321", ("551187654321", "5511987654321")),
        ("+55 (21) 99876-5432", ("5521998765432", "552198765432")),
        ("551133334444", ("551133334444",)),
        ("5511933334444", ("5511933334444",)),
        ("14155550123", ("14155550123",)),
        ("", ()),
    ],
)
def test_brazilian_mobiles_have_two_forms_and_landlines_one(number: str, aliases: tuple[str, ...]) -> None:
    assert whatsapp_aliases(number) == aliases


def test_same_whatsapp_user_matches_across_the_ninth_digit() -> None:
    assert same_whatsapp_user("5511987654321", "+55 11 8765-4321")
    assert not same_whatsapp_user("551133334444", "5511933334444")
