"""Oversight: term rules on the message path (mask, hold, alert, handoff), the alerts and held
messages the data-protection officer sees, and security incidents with their legal deadline."""

from runtime.monitoring.alerts import Alert, AlertBook
from runtime.monitoring.holds import Held, HoldBook
from runtime.monitoring.incidents import Incident, IncidentBook, IncidentInvalid, add_business_days
from runtime.monitoring.monitor import Monitor
from runtime.monitoring.rules import Hit, Screened, screen

__all__ = ["Alert", "AlertBook", "Held", "HoldBook", "Hit", "Incident", "IncidentBook", "IncidentInvalid", "Monitor",
           "Screened", "add_business_days", "screen"]
