"""Templates and conditions: rendering, evaluation, the names they read, and the sandbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from flows.errors import TemplateError
from flows.templating import evaluate, expression_names, render, template_names, truthy


def test_render_fills_variables() -> None:
    assert render("Olá, {{ nome }}!", {"nome": "Ana"}) == "Olá, Ana!"
    assert render("{{ nome | upper }} tem {{ idade + 1 }}", {"nome": "ana", "idade": 29}) == "ANA tem 30"


def test_plain_text_comes_back_as_it_is() -> None:
    assert render("R$ 250,00 %} no braces to parse", {}) == "R$ 250,00 %} no braces to parse"


def test_an_undefined_variable_renders_empty() -> None:
    assert render("Oi, {{ nome }}!", {}) == "Oi, !"


def test_arithmetic_on_an_undefined_variable_is_a_template_error() -> None:
    with pytest.raises(TemplateError, match="'idade' is undefined"):
        render("{{ idade + 1 }}", {})


@pytest.mark.parametrize(("value", "fmt", "shown"), [
    (date(2026, 3, 9), None, "09/03/2026"),
    (datetime(2026, 3, 9, 14, 30), "%d/%m %H:%M", "09/03 14:30"),
    ("2026-03-09T14:30:00", None, "09/03/2026"),
    ("2026-03-09", "%Y", "2026"),
    ("amanhã", None, "amanhã"),
    (42, None, "42"),
])
def test_format_date(value: Any, fmt: str | None, shown: str) -> None:
    source = "{{ d | format_date }}" if fmt is None else "{{ d | format_date('" + fmt + "') }}"
    assert render(source, {"d": value}) == shown


@pytest.mark.parametrize(("source", "variables", "value"), [
    ("idade >= 18", {"idade": 18}, True),
    ("idade >= 18 and convenio == 'unimed'", {"idade": 30, "convenio": "amil"}, False),
    ("convenio in ['unimed', 'amil']", {"convenio": "amil"}, True),
    ("nome", {"nome": ""}, ""),
    ("idade * 2", {"idade": 21}, 42),
])
def test_evaluate(source: str, variables: dict[str, Any], value: Any) -> None:
    assert evaluate(source, variables) == value


@pytest.mark.parametrize("source", ["nome", "idade >= 18", "not (idade < 18)", "convenio in ['unimed']"])
def test_a_condition_on_an_undefined_variable_is_falsy(source: str) -> None:
    assert not truthy(source, {})


def test_names_read_by_templates_and_conditions() -> None:
    assert template_names("{{ nome }} {% if convenio %}{{ convenio | upper }}{% endif %}") == {"nome", "convenio"}
    assert template_names("{% set x = 1 %}{{ x }}") == set()
    assert expression_names("idade >= 18 and convenio in planos") == {"idade", "convenio", "planos"}


@pytest.mark.parametrize(("check", "source"), [
    (template_names, "Oi, {{ nome "),
    (template_names, "{% if nome %}sem fim"),
    (template_names, "{{ nome | uper }}"),  # parses, but does not compile
    (expression_names, "idade >= "),
    (expression_names, "idade | nofilter"),
    (expression_names, "a) }}{{ (b"),  # an attempt to smuggle a second expression in
    (expression_names, "x }}{% for i in y %}{{ i"),
])
def test_what_does_not_compile_is_a_template_error(check: Any, source: str) -> None:
    with pytest.raises(TemplateError, match="does not compile"):
        check(source)


# Each of these tries to reach Python internals or change the bot's data. The sandbox must either
# refuse (TemplateError) or give something harmless; it must never run code or change the data.
ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ x.__init__.__globals__ }}",
    "{{ x.__init__.__globals__['os'].system('echo owned') }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ lipsum.__globals__ }}",
    "{{ lista.__class__ }}",
    "{{ '{0.__class__}'.format(lista) }}",
    "{{ lista.append(1) }}",
    "{{ lista.pop() }}",
    "{{ lista.clear() }}",
    "{{ dados.update({'admin': True}) }}",
    "{{ dados.setdefault('admin', True) }}",
    "{% set _ = lista.append(1) %}",
    "{{ range(10**9) | list | length }}",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_sandbox_escapes_in_templates_are_refused_or_harmless(source: str) -> None:
    lista, dados = [1], {"nome": "Ana"}
    try:
        shown = render(source, {"x": object(), "lista": lista, "dados": dados})
    except TemplateError:
        shown = ""
    assert "class" not in shown and "module" not in shown and "function" not in shown and "owned" not in shown
    assert lista == [1] and dados == {"nome": "Ana"}


@pytest.mark.parametrize("source", [s.removeprefix("{{ ").removesuffix(" }}") for s in ESCAPES if s.startswith("{{")])
def test_sandbox_escapes_in_conditions_are_refused_or_harmless(source: str) -> None:
    lista, dados = [1], {"nome": "Ana"}
    try:
        value = evaluate(source, {"x": object(), "lista": lista, "dados": dados})
    except TemplateError:
        value = None
    assert value is None or value == "" or isinstance(value, int | bool)
    assert lista == [1] and dados == {"nome": "Ana"}


def test_a_mutating_method_is_refused_with_a_template_error() -> None:
    lista = [1]
    with pytest.raises(TemplateError, match="unsafe"):
        render("{{ lista.append(2) }}", {"lista": lista})
    with pytest.raises(TemplateError, match="unsafe"):
        evaluate("lista.append(2)", {"lista": lista})
    assert lista == [1]


def test_read_only_methods_still_work() -> None:
    assert render("{{ nome.title() }} {{ lista.copy() }}", {"nome": "ana", "lista": [1]}) == "Ana [1]"
