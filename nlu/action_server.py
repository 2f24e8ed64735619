"""A client for rasa-sdk action servers: run an existing custom action from a flow step."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import aiohttp

from nlu.action_events import ActionOutcome, apply_events
from nlu.errors import (
    ActionNotFound,
    ActionRejected,
    ActionServerError,
    ActionServerUnavailable,
    DomainMissing,
)
from nlu.http_session import OwnedSession

log = logging.getLogger(__name__)
RASA_VERSION = "3.6.21"  # the caller version the request announces; rasa-sdk warns on other major.minor


class ActionServerClient(OwnedSession):
    """`await run("action_x", sender_id=..., slots=...)` posts to `<url>/webhook`.

    The full domain is sent unless `domain_digest` is given; then the digest goes first and the
    domain only after the server answers 449. 400, 404 and 500 are never retried.
    """

    def __init__(
        self,
        url: str,
        *,
        domain: Mapping[str, Any] | None = None,
        domain_digest: str | None = None,
        timeout: float = 10.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.url = url.rstrip("/") + "/webhook"
        self.domain = dict(domain or {})
        self.domain_digest = domain_digest
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        OwnedSession.__init__(self, session)

    async def run(
        self,
        action: str,
        *,
        sender_id: str,
        slots: Mapping[str, Any] | None = None,
        latest_message: Mapping[str, Any] | None = None,
        events: Sequence[Mapping[str, Any]] = (),
        message_id: str | None = None,
    ) -> ActionOutcome:
        """Run the action; raise ActionRejected, ActionNotFound, DomainMissing or ActionServerUnavailable."""
        body = _request(action, sender_id, slots or {}, latest_message or {}, events, message_id)
        if self.domain_digest is not None:
            try:
                return await self._post(action, {**body, "domain_digest": self.domain_digest})
            except DomainMissing:
                log.info("action server does not know domain digest; sending the full domain")
        return await self._post(action, {**body, "domain": self.domain})

    async def _post(self, action: str, body: dict[str, Any]) -> ActionOutcome:
        try:
            async with self._client().post(self.url, json=body, timeout=self._timeout) as response:
                payload = await _json(response)
                status = response.status
        except TimeoutError as error:
            raise ActionServerUnavailable(
                f"action {action!r} at {self.url} timed out after {self._timeout.total}s; raise the timeout "
                "or make the action faster", action=action) from error
        except aiohttp.ClientError as error:
            raise ActionServerUnavailable(
                f"action server {self.url} unreachable for {action!r}: {error}", action=action) from error
        if status == 200:
            return apply_events(payload.get("events") or [], payload.get("responses") or [])
        raise _error_for(status, payload, action, self.url)



async def _json(response: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        payload = await response.json(content_type=None)
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _error_for(status: int, payload: Mapping[str, Any], action: str, url: str) -> ActionServerError:
    detail = payload.get("error") or payload.get("message") or ""
    if status == 400:
        return ActionRejected(f"action {action!r} rejected itself: {detail}", action=action, status=status)
    if status == 404:
        return ActionNotFound(f"action server {url} has no action {action!r}; check the action name "
                              "or register it in the action server", action=action, status=status)
    if status == 449:
        return DomainMissing(f"action server {url} needs the full domain to run {action!r}",
                             action=action, status=status)
    return ActionServerUnavailable(f"action {action!r} failed on the server with HTTP {status}: {detail}",
                                   action=action, status=status)


def _request(action: str, sender_id: str, slots: Mapping[str, Any], latest_message: Mapping[str, Any],
             events: Sequence[Mapping[str, Any]], message_id: str | None) -> dict[str, Any]:
    latest = dict(latest_message)
    if message_id is not None:  # lets the action recognise a retried message (idempotency key)
        latest["message_id"] = message_id
        latest["metadata"] = {**latest.get("metadata", {}), "message_id": message_id}
    tracker = {
        "sender_id": sender_id, "slots": dict(slots), "latest_message": latest, "events": list(events),
        "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": None,
        "latest_input_channel": None, "latest_event_time": datetime.now(UTC).timestamp(),
    }
    return {"next_action": action, "sender_id": sender_id, "version": RASA_VERSION, "tracker": tracker}
