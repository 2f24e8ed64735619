"""What staff access refuses, said plainly."""

from __future__ import annotations

from flows.errors import PapoError


class AccessError(PapoError):
    """A request about accounts or tokens that cannot be done as asked (the message says why and how)."""
