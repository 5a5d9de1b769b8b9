"""Feedback's durable timer: ``follow-up-due`` on the mentee's org's copy of a completed session."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from feedback.config import FeedbackSettings
from feedback.models import FollowUpFact, SessionRecord
from feedback.service import participants
from mentornet_common.contracts import FollowUpDue
from mentornet_common.timers import Timer
from mentornet_common.unit_of_work import UnitOfWork


def follow_up_timer(after: timedelta) -> Timer:
    """``follow-up-due`` once per completed session, ``after`` its completion, unless the mentee
    already recorded a follow-up (then the timer just closes)."""

    async def due(db: AsyncSession, tenant_id: str, now: datetime) -> list[str]:
        query = select(SessionRecord.session_id).where(
            SessionRecord.status == "completed",
            SessionRecord.mentee_org_id == tenant_id,
            col(SessionRecord.follow_up_due_sent_at).is_(None),
            col(SessionRecord.completed_at) <= now - after,
        )
        return list((await db.exec(query)).all())

    async def fire(uow: UnitOfWork, session_id: str, now: datetime) -> bool:
        record = await uow.session.get(SessionRecord, session_id, with_for_update=True)
        if (
            record is None
            or record.follow_up_due_sent_at is not None
            or record.completed_at is None
            or record.completed_at > now - after
        ):
            return False
        record.follow_up_due_sent_at = now
        uow.session.add(record)
        if (
            await uow.session.exec(select(FollowUpFact).where(FollowUpFact.session_id == session_id))
        ).first():
            return True
        uow.publish(
            FollowUpDue(**participants(record), completed_at=record.completed_at, due_at=now),
            tenant_id=record.mentee_org_id,
        )
        return True

    return Timer("follow_up_due", due, fire)


def timers(settings: FeedbackSettings) -> list[Timer]:
    """What feedback's worker runs."""
    return [follow_up_timer(timedelta(days=settings.follow_up_after_days))]
