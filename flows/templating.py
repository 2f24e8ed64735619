"""Templates (`{{ var }}`) and conditions (`idade >= 18 and convenio`), in Jinja2's sandbox.

Nothing here ever calls Python's `eval`: texts and expressions are compiled by an immutable
sandboxed Jinja2 environment, so a flow file cannot reach attributes, call methods that mutate
data or touch the process. Compiled templates are cached by their source.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError, Undefined, meta, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import TemplateError


def _format_date(value: Any, fmt: str = "%d/%m/%Y") -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    return str(value.strftime(fmt)) if isinstance(value, date | datetime) else str(value)


def _make_env() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(undefined=Undefined, autoescape=False, keep_trailing_newline=True)
    env.filters["format_date"] = _format_date
    return env


_ENV = _make_env()


@lru_cache(maxsize=4096)
def _template(source: str) -> Any:
    try:
        return _ENV.from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"template {source!r} does not compile: {exc.message}") from exc


@lru_cache(maxsize=4096)
def _expression(source: str) -> Any:
    try:
        return _ENV.compile_expression(source, undefined_to_none=False)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"condition {source!r} does not compile: {exc.message}") from exc


def render(source: str, variables: Mapping[str, Any]) -> str:
    """Render a text; a plain string without `{{`/`{%` is returned as it is."""
    if "{" not in source:
        return source
    try:
        return str(_template(source).render(variables))
    except (SecurityError, UndefinedError, TypeError, ValueError, ArithmeticError) as exc:
        raise TemplateError(f"template {source!r} failed: {exc}") from exc


def evaluate(source: str, variables: Mapping[str, Any]) -> Any:
    """Evaluate an expression; an undefined variable is falsy and renders empty."""
    try:
        value = _expression(source)(**variables)
    except UndefinedError:  # e.g. `idade >= 18` before idade is known: falsy, like `idade` alone
        return None
    except (SecurityError, TypeError, ValueError, ArithmeticError) as exc:
        raise TemplateError(f"condition {source!r} failed: {exc}") from exc
    return None if isinstance(value, Undefined) else value


def truthy(source: str, variables: Mapping[str, Any]) -> bool:
    return bool(evaluate(source, variables))


def template_names(source: str) -> set[str]:
    """Variables a template reads; raises TemplateError when it does not compile."""
    return set(_template_names(source))


def expression_names(source: str) -> set[str]:
    """Variables an expression reads; raises TemplateError when it does not compile."""
    return set(_expression_names(source))


@lru_cache(maxsize=4096)
def _template_names(source: str) -> frozenset[str]:
    _template(source)  # compiling also catches what parsing lets through, such as an unknown filter
    return frozenset(meta.find_undeclared_variables(_ENV.parse(source)))


@lru_cache(maxsize=4096)
def _expression_names(source: str) -> frozenset[str]:
    _expression(source)  # the same compiler as `evaluate`, so what passes here also runs
    try:
        parsed = _ENV.parse("{{ (" + source + ") }}")
    except TemplateSyntaxError as exc:
        raise TemplateError(f"condition {source!r} does not compile: {exc.message}") from exc
    if len(parsed.body) != 1 or not isinstance(parsed.body[0], nodes.Output):
        raise TemplateError(f"condition {source!r} is not a single expression")
    return frozenset(meta.find_undeclared_variables(parsed))
