"""Campaigns: definitions (`campaigns.json`), the audience, runs in Redis, and the message template
catalog (`templates.json`) with the checks of the templates a bot uses."""

from runtime.campaigns.book import STATUSES, CampaignBook, Status
from runtime.campaigns.model import (
    CAMPAIGNS_FILE,
    Audience,
    Campaign,
    Campaigns,
    CampaignsInvalid,
    CampaignTemplate,
    Limits,
    load_campaigns,
)

__all__ = ["CAMPAIGNS_FILE", "STATUSES", "Audience", "Campaign", "CampaignBook", "CampaignTemplate", "Campaigns",
           "CampaignsInvalid", "Limits", "Status", "load_campaigns"]
