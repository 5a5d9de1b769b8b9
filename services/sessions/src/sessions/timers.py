"""Sessions' durable timers: offers nobody answered expire; both people are reminded before a session."""

from __future__ import annotations

from mentornet_common.timers import Timer
from sessions import service
from sessions.config import SessionsSettings

EXPIRE_OFFERS = Timer("expire_unanswered_offers", service.offers_due_to_expire, service.expire_offer)
REMIND = Timer("session_reminders", service.reminders_due, service.send_reminder)
TIMERS = [EXPIRE_OFFERS, REMIND]


def timers(settings: SessionsSettings) -> list[Timer]:
    """What sessions' worker runs."""
    return TIMERS
