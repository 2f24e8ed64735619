"""Custom actions for a real rasa-sdk action server in tests (served by `python -m rasa_sdk`)."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection

ACCEPTED = {"unimed", "amil", "bradesco", "sulamerica"}


class CheckInsurance(Action):
    def name(self) -> str:
        return "action_verificar_convenio"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        plan = (tracker.get_slot("convenio") or "").lower()
        accepted = plan in ACCEPTED
        dispatcher.utter_message(text="Atendemos o seu convênio!" if accepted else "Não atendemos esse convênio.")
        return [SlotSet("convenio_aceito", accepted), SlotSet("consultado_por", tracker.sender_id)]


class Refuse(Action):
    def name(self) -> str:
        return "action_recusar"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        raise ActionExecutionRejection(self.name(), "esta ação sempre recusa")


class Broken(Action):
    def name(self) -> str:
        return "action_quebrada"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        raise RuntimeError("falha proposital")


class Stuck(Action):
    """Never answers: the client's timeout must end the wait."""

    def name(self) -> str:
        return "action_travada"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        await asyncio.Event().wait()
        return []
