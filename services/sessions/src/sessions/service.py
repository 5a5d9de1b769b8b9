"""Sessions' use cases: the offer, its answer, the session's end — each on the actor's own copy."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

from sqlmodel import and_, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common.auth import Principal, org_of
from mentornet_common.contracts import (
    DurationMinutes,
    MatchDeclined,
    MatchExpired,
    MatchProposed,
    Participants,
    SessionCancelled,
    SessionCompleted,
    SessionNoShow,
    SessionReminderDue,
    SessionRescheduled,
    SessionScheduled,
)
from mentornet_common.pagination import page
from mentornet_common.problems import Conflict, NotFound, Problem
from mentornet_common.rows import upsert
from mentornet_common.runtime import Runtime
from mentornet_common.unit_of_work import UnitOfWork
from sessions.models import TRANSITIONS, BookedTime, Session, SessionOut

log = logging.getLogger(__name__)

STATUS_OF_EVENT: dict[type[Participants], str] = {
    SessionScheduled: "scheduled",
    SessionCompleted: "completed",
    SessionCancelled: "cancelled",
    MatchDeclined: "declined",
    MatchExpired: "expired",
    SessionNoShow: "no_show",
}


def _now() -> datetime:
    return datetime.now(UTC)


def session_id_for(proposal_id: str) -> str:
    """Both copies of a session share one id, derived from the proposal it answers."""
    return f"ses_{proposal_id.removeprefix('prp_')}"


# the offer arrives ----------------------------------------------------------------------------------------


# What an offer sets on a copy, whether the copy is new or an earlier event started it.
OFFERED = (
    "question", "background", "success_criteria", "skills", "score", "reasons", "mentee_card", "expires_at",
    "free_time", "slots", "mentor_timezone", "mentee_timezone",
)  # fmt: skip


async def record_offer(uow: UnitOfWork, offer: MatchProposed) -> None:
    """Create this store's copy of an offered session (or complete a copy an earlier event started)."""
    now = _now()
    values = {
        "id": session_id_for(offer.proposal_id),
        "proposal_id": offer.proposal_id,
        "ask_id": offer.ask_id,
        "mentor_id": offer.mentor_id,
        "mentor_org_id": offer.mentor_org_id,
        "mentee_id": offer.mentee_id,
        "mentee_org_id": offer.mentee_org_id,
        "duration_minutes": offer.duration_minutes,
        "created_at": now,
        "updated_at": now,
        "question": offer.question,
        "background": offer.background,
        "success_criteria": offer.success_criteria,
        "skills": list(offer.skills),
        "score": offer.score,
        "reasons": list(offer.reasons),
        "mentee_card": offer.mentee_card.model_dump(mode="json") if offer.mentee_card else None,
        "expires_at": offer.expires_at,
        "free_time": [r.model_dump(mode="json") for r in offer.free_time],
        "slots": [slot.isoformat() for slot in offer.slots],
        "mentor_timezone": offer.mentor_timezone,
        "mentee_timezone": offer.mentee_card.timezone if offer.mentee_card else None,
    }
    await upsert(uow.session, Session, values, update=OFFERED)


# an unanswered offer lapses ---------------------------------------------------------------------------------


async def offers_due_to_expire(db: AsyncSession, tenant_id: str, now: datetime) -> list[str]:
    """Offers in this store that passed their ``expires_at`` unanswered. Only the mentor's org's copy
    expires an offer: it is the copy the mentor answers on, so an answer and the expiry never race."""
    query = (
        select(Session.id)
        .where(Session.status == "proposed", Session.mentor_org_id == tenant_id)
        .where(col(Session.expires_at).is_not(None), col(Session.expires_at) <= now)
        .order_by(col(Session.expires_at))
    )
    return list((await db.exec(query)).all())


async def expire_offer(uow: UnitOfWork, session_id: str, now: datetime) -> bool:
    """Expire one offer if it is still unanswered and due (the row is locked where the database can)."""
    row = await uow.session.get(Session, session_id, with_for_update=True)
    if row is None or row.status != "proposed" or row.expires_at is None or row.expires_at > now:
        return False
    waited = row.expires_at - row.created_at
    _move(row, "expired")
    row.reason = f"the mentor did not answer within {_humane(waited)}"
    uow.session.add(row)
    uow.publish(
        MatchExpired(**_ids(row), proposal_id=row.proposal_id, reason=row.reason, expired_at=now),
        tenant_id=row.mentee_org_id,
    )
    return True


def _humane(span: timedelta) -> str:
    hours = round(span.total_seconds() / 3600)
    if hours >= 48 and hours % 24 == 0:
        return f"{hours // 24} days"
    if hours >= 1:
        return f"{hours} hours"
    return f"{max(1, round(span.total_seconds() / 60))} minutes"


# reading --------------------------------------------------------------------------------------------------


async def list_sessions(
    runtime: Runtime, caller: Principal, status: str | None, limit: int, offset: int
) -> tuple[list[Session], int | None]:
    """The caller's sessions, as mentor or mentee, newest first."""
    async with runtime.stores.session(org_of(caller)) as db:
        query = select(Session).where(
            or_(Session.mentor_id == caller.subject, Session.mentee_id == caller.subject)
        )
        if status:
            query = query.where(Session.status == status)
        query = (
            query.order_by(col(Session.created_at).desc(), col(Session.id)).offset(offset).limit(limit + 1)
        )
        return page((await db.exec(query)).all(), limit, offset)


async def my_data(runtime: Runtime, caller: Principal) -> dict[str, Any]:
    """Every session of the caller, as mentor or mentee (for their data export)."""
    async with runtime.stores.session(org_of(caller)) as db:
        query = select(Session).where(
            or_(Session.mentor_id == caller.subject, Session.mentee_id == caller.subject)
        )
        rows = (await db.exec(query.order_by(col(Session.created_at)))).all()
    return {"sessions": [SessionOut.of(r).model_dump(mode="json") for r in rows]}


async def _participants_copy(db: AsyncSession, caller: Principal, session_id: str) -> Session:
    row = await db.get(Session, session_id)
    if row is None or caller.subject not in (row.mentor_id, row.mentee_id):
        raise NotFound("session")
    return row


async def get_session(runtime: Runtime, caller: Principal, session_id: str) -> Session:
    async with runtime.stores.session(org_of(caller)) as db:
        return await _participants_copy(db, caller, session_id)


# acting ---------------------------------------------------------------------------------------------------


def _move(row: Session, status: str) -> None:
    if status not in TRANSITIONS[row.status]:
        raise Conflict(f"a {row.status} session cannot become {status}")
    row.status = status
    row.updated_at = _now()


def _ids(row: Session) -> dict[str, str]:
    return {
        "session_id": row.id,
        "ask_id": row.ask_id,
        "mentor_id": row.mentor_id,
        "mentor_org_id": row.mentor_org_id,
        "mentee_id": row.mentee_id,
        "mentee_org_id": row.mentee_org_id,
    }


def _invalid_start(message: str) -> Problem:
    return Problem(
        422,
        "Unprocessable Content",
        f"body.start_at: {message}",
        errors=[{"field": "body.start_at", "message": message}],
    )


def _check_horizon(start_at: datetime, now: datetime, horizon_days: int) -> None:
    if not now < start_at <= now + timedelta(days=horizon_days):
        raise _invalid_start(f"must be in the future and within {horizon_days} days")


def _inside_free_time(row: Session, start_at: datetime) -> None:
    """An offer with common free time is accepted at a time inside it (one of its slots, or any start
    that leaves the whole session inside one interval)."""
    if not row.free_time:
        return  # no windows known for either side: any time in the booking horizon
    end = start_at + timedelta(minutes=row.duration_minutes)
    for free in row.free_time:
        if datetime.fromisoformat(free["start"]) <= start_at and end <= datetime.fromisoformat(free["end"]):
            return
    raise _invalid_start("is not inside the time both of you are free; pick one of the offer's slots")


async def _no_clash(uow: UnitOfWork, row: Session, start_at: datetime) -> None:
    """409 when either participant already has another session at that time (consortium-wide)."""
    end = start_at + timedelta(minutes=row.duration_minutes)
    people = [row.mentor_id, row.mentee_id]
    async with uow.consortium() as consortium:
        clash = (
            await consortium.exec(
                select(BookedTime).where(
                    or_(col(BookedTime.mentor_id).in_(people), col(BookedTime.mentee_id).in_(people)),
                    BookedTime.session_id != row.id,
                    col(BookedTime.start_at) < end,
                    col(BookedTime.end_at) > start_at,
                )
            )
        ).first()
    if clash is not None:
        who = "you" if {clash.mentor_id, clash.mentee_id} >= set(people) else "one of you"
        raise Conflict(f"{who} already {'have' if who == 'you' else 'has'} a session at that time")


def _only_the_mentor(caller: Principal, row: Session, action: str) -> None:
    if caller.subject != row.mentor_id:
        raise Problem(403, "Forbidden", f"only the proposed mentor may {action} this session")


async def accept(
    runtime: Runtime, caller: Principal, session_id: str, start_at: datetime, horizon_days: int
) -> Session:
    now = _now()
    _check_horizon(start_at, now, horizon_days)
    async with runtime.unit_of_work(org_of(caller)) as uow:
        row = await _participants_copy(uow.session, caller, session_id)
        _only_the_mentor(caller, row, "accept")
        if row.status == "proposed" and row.expires_at is not None and row.expires_at <= now:
            raise Conflict("this offer expired unanswered; the next mentor has been asked")
        _inside_free_time(row, start_at)
        await _no_clash(uow, row, start_at)
        _move(row, "scheduled")
        row.start_at = start_at
        uow.session.add(row)
        uow.publish(
            SessionScheduled(
                **_ids(row),
                proposal_id=row.proposal_id,
                start_at=start_at,
                duration_minutes=cast(DurationMinutes, row.duration_minutes),
                scheduled_at=now,
            ),
            tenant_id=row.mentee_org_id,
        )
        await uow.commit()
        return row


async def decline(runtime: Runtime, caller: Principal, session_id: str, reason: str) -> Session:
    async with runtime.unit_of_work(org_of(caller)) as uow:
        row = await _participants_copy(uow.session, caller, session_id)
        _only_the_mentor(caller, row, "decline")
        _move(row, "declined")
        row.reason, row.closed_by = reason, caller.subject
        uow.session.add(row)
        uow.publish(
            MatchDeclined(
                **_ids(row), proposal_id=row.proposal_id, reason=reason, declined_at=row.updated_at
            ),
            tenant_id=row.mentee_org_id,
        )
        await uow.commit()
        return row


async def complete(runtime: Runtime, caller: Principal, session_id: str) -> Session:
    async with runtime.unit_of_work(org_of(caller)) as uow:
        row = await _participants_copy(uow.session, caller, session_id)
        _move(row, "completed")
        row.closed_by = caller.subject
        uow.session.add(row)
        uow.publish(
            SessionCompleted(**_ids(row), completed_by=caller.subject, completed_at=row.updated_at),
            tenant_id=row.mentee_org_id,
        )
        await uow.commit()
        return row


async def cancel(runtime: Runtime, caller: Principal, session_id: str, reason: str) -> Session:
    async with runtime.unit_of_work(org_of(caller)) as uow:
        row = await _participants_copy(uow.session, caller, session_id)
        if row.status == "proposed":
            raise Conflict("an offer is not a session yet: the mentor declines it instead")
        _move(row, "cancelled")
        row.reason, row.closed_by = reason, caller.subject
        uow.session.add(row)
        uow.publish(
            SessionCancelled(
                **_ids(row), cancelled_by=caller.subject, reason=reason, cancelled_at=row.updated_at
            ),
            tenant_id=row.mentee_org_id,
        )
        await uow.commit()
        return row


async def reschedule(
    runtime: Runtime, caller: Principal, session_id: str, start_at: datetime, reason: str, horizon_days: int
) -> Session:
    """Either participant moves a scheduled session; reminders start again for the new time."""
    now = _now()
    _check_horizon(start_at, now, horizon_days)
    async with runtime.unit_of_work(org_of(caller)) as uow:
        row = await _participants_copy(uow.session, caller, session_id)
        if row.status != "scheduled" or row.start_at is None:
            raise Conflict(f"a {row.status} session cannot be rescheduled")
        await _no_clash(uow, row, start_at)
        previous = row.start_at
        _moved(row, start_at)
        row.reason = reason
        uow.session.add(row)
        uow.publish(
            SessionRescheduled(
                **_ids(row),
                start_at=start_at,
                previous_start_at=previous,
                duration_minutes=cast(DurationMinutes, row.duration_minutes),
                rescheduled_by=caller.subject,
                reason=reason,
                rescheduled_at=now,
            ),
            tenant_id=row.mentee_org_id,
        )
        await uow.commit()
        return row


def _moved(row: Session, start_at: datetime) -> None:
    row.start_at = start_at
    row.sequence += 1
    row.reminded_24h_at = row.reminded_1h_at = None
    row.updated_at = _now()


async def report_no_show(runtime: Runtime, caller: Principal, session_id: str, reason: str) -> Session:
    """A participant reports, once the session's time has come, that the other did not come."""
    now = _now()
    async with runtime.unit_of_work(org_of(caller)) as uow:
        row = await _participants_copy(uow.session, caller, session_id)
        if row.status == "scheduled" and row.start_at is not None and row.start_at > now:
            raise Conflict("a no-show can be reported once the session's start time has passed")
        _move(row, "no_show")
        row.absent_id = row.mentee_id if caller.subject == row.mentor_id else row.mentor_id
        row.reason, row.closed_by = reason, caller.subject
        uow.session.add(row)
        uow.publish(
            SessionNoShow(
                **_ids(row),
                reported_by=caller.subject,
                absent_id=row.absent_id,
                reason=reason,
                reported_at=now,
            ),
            tenant_id=row.mentee_org_id,
        )
        await uow.commit()
        return row


# reminders: a durable timer, fired on the mentee's org's copy (the owner of the session's events) ---------


async def reminders_due(db: AsyncSession, tenant_id: str, now: datetime) -> list[str]:
    query = select(Session.id).where(
        Session.status == "scheduled",
        Session.mentee_org_id == tenant_id,
        col(Session.start_at) > now,
        or_(
            and_(col(Session.reminded_24h_at).is_(None), col(Session.start_at) <= now + timedelta(hours=24)),
            and_(col(Session.reminded_1h_at).is_(None), col(Session.start_at) <= now + timedelta(hours=1)),
        ),
    )
    return list((await db.exec(query)).all())


async def send_reminder(uow: UnitOfWork, session_id: str, now: datetime) -> bool:
    """``session-reminder-due`` 24 hours and 1 hour before; a 24-hour reminder that comes due inside the
    last hour (the session was booked late, or the worker was down) is skipped in favour of the 1-hour one."""
    row = await uow.session.get(Session, session_id, with_for_update=True)
    if row is None or row.status != "scheduled" or row.start_at is None or row.start_at <= now:
        return False
    lead: Literal["24h", "1h"]
    if row.reminded_1h_at is None and row.start_at - timedelta(hours=1) <= now:
        lead = "1h"
        row.reminded_1h_at = now
        row.reminded_24h_at = row.reminded_24h_at or now
    elif row.reminded_24h_at is None and row.start_at - timedelta(hours=24) <= now:
        lead = "24h"
        row.reminded_24h_at = now
    else:
        return False
    uow.session.add(row)
    uow.publish(
        SessionReminderDue(
            **_ids(row),
            start_at=row.start_at,
            duration_minutes=cast(DurationMinutes, row.duration_minutes),
            lead=lead,
            due_at=now,
        ),
        tenant_id=row.mentee_org_id,
    )
    return True


# the other side's copy ------------------------------------------------------------------------------------


async def mirror(uow: UnitOfWork, event: Participants) -> None:
    """Bring this store's copy to what the other side did (a no-op on the side that acted)."""
    row = await uow.session.get(Session, event.session_id)
    if isinstance(event, SessionRescheduled):
        if row is not None and row.status == "scheduled" and row.start_at != event.start_at:
            _moved(row, event.start_at)
            row.reason = event.reason
            uow.session.add(row)
        return
    status = STATUS_OF_EVENT[type(event)]
    now = _now()
    if row is None:
        # The offer (another topic) has not arrived yet: start the copy; record_offer fills it in.
        row = Session(
            id=event.session_id,
            proposal_id=getattr(event, "proposal_id", ""),
            ask_id=event.ask_id,
            mentor_id=event.mentor_id,
            mentor_org_id=event.mentor_org_id,
            mentee_id=event.mentee_id,
            mentee_org_id=event.mentee_org_id,
            question="",
            background="",
            success_criteria="",
            skills=[],
            duration_minutes=getattr(event, "duration_minutes", 30),
            created_at=now,
            updated_at=now,
        )
    elif row.status == status:
        return
    elif status not in TRANSITIONS[row.status]:
        log.warning("ignoring %s for session %s, already %s", status, row.id, row.status)
        return
    row.status = status
    row.updated_at = now
    if isinstance(event, SessionScheduled):
        row.start_at = event.start_at
    if isinstance(event, SessionCancelled | MatchDeclined | MatchExpired | SessionNoShow):
        row.reason = event.reason
    if isinstance(event, SessionNoShow):
        row.absent_id = event.absent_id
    uow.session.add(row)
