"""Staff access: accounts with roles, API tokens, sign-in limits, the audit log and calendar feed keys.

Everything lives in Redis under the `Keys` layout, like the rest of papo's state: one store to run,
back up, secure (TLS, ACLs) and erase from, and the admin API already holds a Redis client. Accounts
are few and read once per request by id (no scans); nothing here needs joins or transactions over
many rows, which is what a SQL database would add. See docs/access.md.
"""

from runtime.access.accounts import TOKEN_PREFIX, Account, Accounts, TokenInfo
from runtime.access.audit import AuditEntry, AuditLog
from runtime.access.errors import AccessError
from runtime.access.feeds import FeedKeys
from runtime.access.limits import LoginLimiter
from runtime.access.roles import GRANTS, ROLES, Role, may

__all__ = ["GRANTS", "ROLES", "TOKEN_PREFIX", "AccessError", "Account", "Accounts", "AuditEntry", "AuditLog",
           "FeedKeys", "LoginLimiter", "Role", "TokenInfo", "may"]
