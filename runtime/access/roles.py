"""Staff roles and what each one includes.

    viewer   appointments and timers, personal data masked
    agent    viewer + the handoff inbox: reply, resume, and the unmasked values of a conversation
             while it is handed to staff
    editor   viewer + flows, studio, reload
    admin    viewer, agent and editor + users, tokens, settings, LLM spend, failures, calendar feeds
    dpo      viewer + export, erase, requests, audit, alerts, holds, incidents
    integration  another system (a CRM, a workflow tool): starts conversations with contacts
             (`POST /api/v1/contacts/{channel}/{user}/start`) and nothing else; admins may too

`dpo` stands apart on purpose (separation of duties): an admin who manages accounts does not read
the audit log of what staff did, nor release held messages; the data-protection officer does not
manage accounts. One person may hold two accounts when a small clinic needs both.
"""

from __future__ import annotations

from typing import Literal

Role = Literal["viewer", "agent", "editor", "admin", "dpo", "integration"]
ROLES: tuple[Role, ...] = ("viewer", "agent", "editor", "admin", "dpo", "integration")

GRANTS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"viewer"}),
    "agent": frozenset({"viewer", "agent"}),
    "editor": frozenset({"viewer", "editor"}),
    "admin": frozenset({"viewer", "agent", "editor", "admin", "integration"}),
    "dpo": frozenset({"viewer", "dpo"}),
    "integration": frozenset({"integration"}),  # a machine's token: no personal data to read
}


def may(held: str, needed: str) -> bool:
    """Whether an account of role `held` may call a route that needs `needed`."""
    return needed in GRANTS.get(held, frozenset())
