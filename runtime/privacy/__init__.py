"""Data-subject rights, consent and retention (LGPD): erase, export, requests, the consent ledger
and `may_send`, card masking at ingest, and the retention sweeper. Routes: `runtime.service.privacy`."""

from runtime.privacy.cards import mask_cards
from runtime.privacy.consent import PURPOSES, may_send, text_hash
from runtime.privacy.contact import Contact, number_forms
from runtime.privacy.erase import ERASED, KEPT, Eraser, Erasure
from runtime.privacy.export import Exporter
from runtime.privacy.ledger import ConsentLedger
from runtime.privacy.requests import PrivacyRequests
from runtime.privacy.retention import Sweeper

__all__ = ["ERASED", "KEPT", "PURPOSES", "ConsentLedger", "Contact", "Erasure", "Eraser", "Exporter",
           "PrivacyRequests", "Sweeper", "mask_cards", "may_send", "number_forms", "text_hash"]
