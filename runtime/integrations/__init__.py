"""Talking to other systems: the port `http` nodes call through (`HttpCaller`) and its aiohttp
implementation (`HttpClient`), which resolves `${ENV}` references and enforces the allow-list."""

from runtime.integrations.http import (
    HostNotAllowed,
    HttpAnswer,
    HttpCaller,
    HttpError,
    HttpFailed,
    HttpRequest,
    HttpTimedOut,
    Parts,
    Sending,
    env_parts,
)
from runtime.integrations.http_client import HttpClient

__all__ = ["HostNotAllowed", "HttpAnswer", "HttpCaller", "HttpClient", "HttpError", "HttpFailed", "HttpRequest",
           "HttpTimedOut", "Parts", "Sending",
           "env_parts"]
