"""Who a campaign's audience takes: labels, variables, a condition, birthdays (appointment history is
tested with a real calendar in tests/service/test_service_campaigns.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from runtime.campaigns import Audience, Campaign, CampaignTemplate
from runtime.campaigns.audience import matches
from runtime.engine.state import Conversation

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _campaign(**audience: object) -> Campaign:
    return Campaign("c", "utility", "whatsapp", "oferta", CampaignTemplate("t", "pt_BR"), Audience(**audience))  # type: ignore[arg-type]


@pytest.mark.parametrize(("audience", "variables", "expected"), [
    ({"labels": ("paciente",)}, {"labels": ["paciente", "vip"]}, True),
    ({"labels": ("paciente", "vip")}, {"labels": "paciente"}, False),
    ({"vars": {"convenio": "unimed"}}, {"convenio": "unimed"}, True),
    ({"vars": {"convenio": "unimed"}}, {"convenio": "amil"}, False),
    ({"where": "idade >= 18"}, {"idade": 30}, True),
    ({"where": "idade >= 18"}, {"idade": 12}, False),
    ({"birthday": "nascimento"}, {"nascimento": "1990-03-02"}, True),
    ({"birthday": "nascimento"}, {"nascimento": "1990-03-03"}, False),
    ({"birthday": "nascimento"}, {"nascimento": "não sei"}, False),
    ({"birthday": "nascimento"}, {}, False),
])
async def test_an_audience_takes_the_contacts_it_describes(audience: dict[str, object], variables: dict[str, object],
                                                           expected: bool) -> None:
    state = Conversation(vars=variables)
    assert await matches(_campaign(**audience), "5511900000001", state, today=TODAY, now=NOW,
                         history=None) is expected


async def test_without_a_calendar_nobody_matches_a_visit_rule() -> None:
    campaign = _campaign(last_visit_before=timedelta(days=180))
    assert await matches(campaign, "5511900000001", Conversation(), today=TODAY, now=NOW, history=None) is False
