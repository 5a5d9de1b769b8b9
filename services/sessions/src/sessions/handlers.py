"""Sessions' consumers: offers arrive from matching; each side's copy follows the other side's actions."""

from __future__ import annotations

from typing import Any

from mentornet_common.consumer import Handlers, Received, in_store
from mentornet_common.contracts import (
    MatchDeclined,
    MatchExpired,
    MatchProposed,
    SessionCancelled,
    SessionCompleted,
    SessionScheduled,
)
from mentornet_common.timers import Timer
from mentornet_common.unit_of_work import UnitOfWork
from sessions import service


def _mentor_org(received: Received[Any]) -> str:
    return str(received.payload.mentor_org_id)


def _mentee_org(received: Received[Any]) -> str:
    return str(received.payload.mentee_org_id)


@in_store(_mentor_org)
async def offer_session_to_mentor_when_match_proposed(
    uow: UnitOfWork, received: Received[MatchProposed]
) -> None:
    await service.record_offer(uow, received.payload)


@in_store(_mentee_org)
async def record_session_for_mentee_when_match_proposed(
    uow: UnitOfWork, received: Received[MatchProposed]
) -> None:
    await service.record_offer(uow, received.payload)


@in_store(_mentor_org)
async def update_mentor_side_when_session_changed(uow: UnitOfWork, received: Received[Any]) -> None:
    await service.mirror(uow, received.payload)


@in_store(_mentee_org)
async def update_mentee_side_when_session_changed(uow: UnitOfWork, received: Received[Any]) -> None:
    await service.mirror(uow, received.payload)


BOTH_SIDES = [update_mentor_side_when_session_changed, update_mentee_side_when_session_changed]

HANDLERS: Handlers = {
    MatchProposed: [
        offer_session_to_mentor_when_match_proposed,
        record_session_for_mentee_when_match_proposed,
    ],
    SessionScheduled: BOTH_SIDES,
    SessionCompleted: BOTH_SIDES,
    SessionCancelled: BOTH_SIDES,
    MatchDeclined: BOTH_SIDES,
    MatchExpired: BOTH_SIDES,
}


EXPIRE_OFFERS = Timer("expire_unanswered_offers", service.offers_due_to_expire, service.expire_offer)
TIMERS = [EXPIRE_OFFERS]
