"""Sessions' use cases: the offer, its answer, the session's end — each on the actor's own copy."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common.auth import Principal
from mentornet_common.contracts import (
    DurationMinutes,
    MatchDeclined,
    MatchExpired,
    MatchProposed,
    Participants,
    SessionCancelled,
    SessionCompleted,
    SessionScheduled,
)
from mentornet_common.pagination import page
from mentornet_common.problems import Conflict, NotFound, Problem
from mentornet_common.runtime import Runtime
from mentornet_common.unit_of_work import UnitOfWork
from sessions.models import TRANSITIONS, Session

log = logging.getLogger(__name__)

STATUS_OF_EVENT: dict[type[Participants], str] = {
    SessionScheduled: "scheduled",
    SessionCompleted: "completed",
    SessionCancelled: "cancelled",
    MatchDeclined: "declined",
    MatchExpired: "expired",
}


def _now() -> datetime:
    return datetime.now(UTC)


def session_id_for(proposal_id: str) -> str:
    """Both copies of a session share one id, derived from the proposal it answers."""
    return f"ses_{proposal_id.removeprefix('prp_')}"


def _org_of(caller: Principal) -> str:
    if caller.kind != "user" or not caller.org_id:
        raise NotFound("session")
    return caller.org_id


# the offer arrives ----------------------------------------------------------------------------------------


async def record_offer(uow: UnitOfWork, offer: MatchProposed) -> Session:
    """Create this store's copy of an offered session (or complete a copy an earlier event started)."""
    session_id = session_id_for(offer.proposal_id)
    now = _now()
    row = await uow.session.get(Session, session_id)
    if row is None:
        row = Session(
            id=session_id,
            proposal_id=offer.proposal_id,
            ask_id=offer.ask_id,
            mentor_id=offer.mentor_id,
            mentor_org_id=offer.mentor_org_id,
            mentee_id=offer.mentee_id,
            mentee_org_id=offer.mentee_org_id,
            question="",
            background="",
            success_criteria="",
            skills=[],
            duration_minutes=offer.duration_minutes,
            created_at=now,
            updated_at=now,
        )
    row.question = offer.question
    row.background = offer.background
    row.success_criteria = offer.success_criteria
    row.skills = list(offer.skills)
    row.score = offer.score
    row.reasons = list(offer.reasons)
    row.mentee_card = offer.mentee_card.model_dump(mode="json") if offer.mentee_card else None
    row.expires_at = offer.expires_at
    uow.session.add(row)
    return row


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
    async with runtime.stores.session(_org_of(caller)) as db:
        query = select(Session).where(
            or_(Session.mentor_id == caller.subject, Session.mentee_id == caller.subject)
        )
        if status:
            query = query.where(Session.status == status)
        query = (
            query.order_by(col(Session.created_at).desc(), col(Session.id)).offset(offset).limit(limit + 1)
        )
        return page((await db.exec(query)).all(), limit, offset)


async def _participants_copy(db: AsyncSession, caller: Principal, session_id: str) -> Session:
    row = await db.get(Session, session_id)
    if row is None or caller.subject not in (row.mentor_id, row.mentee_id):
        raise NotFound("session")
    return row


async def get_session(runtime: Runtime, caller: Principal, session_id: str) -> Session:
    async with runtime.stores.session(_org_of(caller)) as db:
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


def _only_the_mentor(caller: Principal, row: Session, action: str) -> None:
    if caller.subject != row.mentor_id:
        raise Problem(403, "Forbidden", f"only the proposed mentor may {action} this session")


async def accept(
    runtime: Runtime, caller: Principal, session_id: str, start_at: datetime, horizon_days: int
) -> Session:
    now = _now()
    if not now < start_at <= now + timedelta(days=horizon_days):
        raise Problem(
            422,
            "Unprocessable Content",
            f"body.start_at: must be in the future and within {horizon_days} days",
            errors=[
                {"field": "body.start_at", "message": "must be in the future and within the booking horizon"}
            ],
        )
    async with runtime.unit_of_work(_org_of(caller)) as uow:
        row = await _participants_copy(uow.session, caller, session_id)
        _only_the_mentor(caller, row, "accept")
        if row.status == "proposed" and row.expires_at is not None and row.expires_at <= now:
            raise Conflict("this offer expired unanswered; the next mentor has been asked")
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
    async with runtime.unit_of_work(_org_of(caller)) as uow:
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
    async with runtime.unit_of_work(_org_of(caller)) as uow:
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
    async with runtime.unit_of_work(_org_of(caller)) as uow:
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


# the other side's copy ------------------------------------------------------------------------------------


async def mirror(uow: UnitOfWork, event: Participants) -> None:
    """Bring this store's copy to what the other side did (a no-op on the side that acted)."""
    status = STATUS_OF_EVENT[type(event)]
    row = await uow.session.get(Session, event.session_id)
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
    if isinstance(event, SessionCancelled | MatchDeclined | MatchExpired):
        row.reason = event.reason
    uow.session.add(row)
