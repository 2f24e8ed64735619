"""A contact as the rights of LGPD art. 18 see it: one person on one channel of one bot, under every
form of their id papo may have stored (a Brazilian mobile with and without its 9th digit)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from runtime.keys import ConversationKey, conversation_ref

_BR_MOBILE_8 = re.compile(r"55([1-9][1-9])([6-9]\d{7})")  # 55 + area code + an old 8-digit mobile
_BR_MOBILE_9 = re.compile(r"55([1-9][1-9])9([6-9]\d{7})")  # 55 + area code + 9 + 8 digits


def number_forms(user: str) -> tuple[str, ...]:
    """`user` and, for a Brazilian mobile number, its other form (with or without the 9th digit).
    The same rule as `connectors.whatsapp.identity`, for every channel: an id that is not a Brazilian
    mobile number has one form."""
    if match := _BR_MOBILE_9.fullmatch(user):
        return user, f"55{match[1]}{match[2]}"
    if match := _BR_MOBILE_8.fullmatch(user):
        return user, f"55{match[1]}9{match[2]}"
    return (user,)


@dataclass(frozen=True, slots=True)
class Contact:
    bot: str
    channel: str
    user: str

    @property
    def forms(self) -> tuple[str, ...]:
        return number_forms(self.user)

    def conversations(self) -> list[ConversationKey]:
        """The conversation key of each form of the id."""
        return [ConversationKey(self.bot, self.channel, form) for form in self.forms]

    def patients(self) -> list[str]:
        """How the calendar names this person (`channel:user`), in each form."""
        return [f"{self.channel}:{form}" for form in self.forms]

    def refs(self) -> list[str]:
        """The pseudonymous reference of each form (`bot/channel/<hash>`), as logs and timer ids carry it."""
        return [conversation_ref(self.bot, self.channel, form) for form in self.forms]

    def needles(self) -> list[str]:
        """What identifies the contact inside a shared value: each form of the id and each reference's hash."""
        return [*self.forms, *(ref.rsplit("/", 1)[1] for ref in self.refs())]
