"""Sessions' consumers: offers arrive from matching; each side's copy follows the other side's actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common.consumer import Handlers, Received, in_store
from mentornet_common.contracts import (
    MatchDeclined,
    MatchExpired,
    MatchProposed,
    OrgOffboarded,
    SessionCancelled,
    SessionCompleted,
    SessionNoShow,
    SessionRescheduled,
    SessionScheduled,
    UserErased,
)
from mentornet_common.erasure import ERASED, erases, in_every_store
from mentornet_common.offboarding import forget_org
from mentornet_common.tenancy import CONSORTIUM
from mentornet_common.unit_of_work import UnitOfWork
from sessions import service
from sessions.models import BookedTime, Session


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


# busy time, consortium-wide: ids and times only -----------------------------------------------------------


def _consortium(_: Received[Any]) -> str:
    return CONSORTIUM


async def _hold(uow: UnitOfWork, event: SessionScheduled | SessionRescheduled) -> None:
    row = await uow.session.get(BookedTime, event.session_id) or BookedTime(
        session_id=event.session_id, mentor_id=event.mentor_id, mentee_id=event.mentee_id,
        start_at=event.start_at, end_at=event.start_at,
    )  # fmt: skip
    row.start_at = event.start_at
    row.end_at = event.start_at + timedelta(minutes=event.duration_minutes)
    uow.session.add(row)


@in_store(_consortium)
async def hold_busy_time_when_session_scheduled(
    uow: UnitOfWork, received: Received[SessionScheduled]
) -> None:
    await _hold(uow, received.payload)


@in_store(_consortium)
async def move_busy_time_when_session_rescheduled(
    uow: UnitOfWork, received: Received[SessionRescheduled]
) -> None:
    await _hold(uow, received.payload)


@in_store(_consortium)
async def free_busy_time_when_session_cancelled(
    uow: UnitOfWork, received: Received[SessionCancelled]
) -> None:
    row = await uow.session.get(BookedTime, received.payload.session_id)
    if row is not None:
        await uow.session.delete(row)


# erasure ------------------------------------------------------------------------------------------------


async def _erase(db: AsyncSession, user_id: str) -> None:
    query = select(Session).where(or_(Session.mentee_id == user_id, Session.mentor_id == user_id))
    for row in (await db.exec(query)).all():
        if row.mentee_id == user_id:
            row.question = row.background = row.success_criteria = ERASED
            row.skills, row.mentee_card, row.mentee_timezone = [], None, None
        if row.mentor_id == user_id:
            row.reasons, row.mentor_timezone = [], None
        # Reasons given on the session (reschedule, cancel, no-show, decline) may be theirs or about them,
        # and its free time and slots are both people's calendars: none outlives the person.
        row.reason, row.free_time, row.slots = None, [], []
        db.add(row)


@erases(_erase)
async def erase_person_when_user_erased(uow: UnitOfWork, received: Received[UserErased]) -> None:
    """Both copies of their sessions keep ids, times and status, and lose what the person wrote."""
    await in_every_store(uow, received.payload.user_id, _erase)


@in_store(lambda _: CONSORTIUM)
async def forget_org_when_org_offboarded(uow: UnitOfWork, received: Received[OrgOffboarded]) -> None:
    """The org's store goes, and the consortium's rows about it; its people are erased everywhere."""
    await forget_org(uow, received.payload, _erase)


HANDLERS: Handlers = {
    UserErased: [erase_person_when_user_erased],
    OrgOffboarded: [forget_org_when_org_offboarded],
    MatchProposed: [
        offer_session_to_mentor_when_match_proposed,
        record_session_for_mentee_when_match_proposed,
    ],
    SessionScheduled: [*BOTH_SIDES, hold_busy_time_when_session_scheduled],
    SessionCompleted: BOTH_SIDES,
    SessionCancelled: [*BOTH_SIDES, free_busy_time_when_session_cancelled],
    MatchDeclined: BOTH_SIDES,
    MatchExpired: BOTH_SIDES,
    SessionRescheduled: [*BOTH_SIDES, move_busy_time_when_session_rescheduled],
    SessionNoShow: BOTH_SIDES,
}
