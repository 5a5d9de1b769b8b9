"""Feedback's use cases: giving feedback once per session, and reading impact."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from feedback import domain, journal
from feedback.models import (
    AskFact,
    Feedback,
    FeedbackFact,
    FeedbackIn,
    FeedbackOut,
    FollowUp,
    FollowUpFact,
    FollowUpIn,
    FollowUpOut,
    Impact,
    ReceivedFeedback,
    SessionRecord,
    SessionText,
    SharedFollowUp,
)
from mentornet_common.auth import Principal, admin_scope, org_of
from mentornet_common.contracts import FeedbackSubmitted, FollowUpRecorded, SharedFeedback
from mentornet_common.pagination import page
from mentornet_common.periods import quarter_bounds, quarter_of
from mentornet_common.problems import Conflict, NotFound, Problem
from mentornet_common.runtime import Runtime
from mentornet_common.tenancy import CONSORTIUM


async def give_feedback(runtime: Runtime, caller: Principal, data: FeedbackIn) -> Feedback:
    """One piece of feedback per participant per completed session; the text stays in the author's org."""
    async with runtime.unit_of_work(org_of(caller)) as uow:
        record = await uow.session.get(SessionRecord, data.session_id)
        if record is None or caller.subject not in (record.mentor_id, record.mentee_id):
            raise NotFound("session")
        if record.status != "completed":
            raise Conflict(f"the session is {record.status}; feedback opens when it is completed")
        existing = await uow.session.exec(
            select(Feedback).where(
                Feedback.session_id == data.session_id, Feedback.author_id == caller.subject
            )
        )
        if existing.first() is not None:
            raise Conflict("you already gave feedback on this session")
        role = "mentor" if caller.subject == record.mentor_id else "mentee"
        if data.preparation is not None and role != "mentor":
            raise Problem(
                422,
                "Unprocessable Content",
                "body.preparation: only the mentor rates how the ask was prepared",
                errors=[{"field": "body.preparation", "message": "only the mentor rates the preparation"}],
            )
        shared: list[str] = list(dict.fromkeys(data.share_with_other))
        answers = {"rating": data.rating, "resolved": data.resolved, "preparation": data.preparation,
                   "learned": data.learned or None, "comment": data.comment or None}  # fmt: skip
        shown = {name: answers[name] for name in shared if answers[name] is not None}
        entry = Feedback(
            id=f"fb_{secrets.token_hex(8)}",
            session_id=record.session_id,
            author_id=caller.subject,
            author_role=role,
            rating=data.rating,
            resolved=data.resolved,
            learned=data.learned,
            comment=data.comment,
            preparation=data.preparation,
            shared=shared,
            created_at=datetime.now(UTC),
        )
        uow.session.add(entry)
        uow.publish(
            FeedbackSubmitted(
                session_id=record.session_id,
                ask_id=record.ask_id,
                mentor_id=record.mentor_id,
                mentor_org_id=record.mentor_org_id,
                mentee_id=record.mentee_id,
                mentee_org_id=record.mentee_org_id,
                feedback_id=entry.id,
                author_id=caller.subject,
                author_role=role,
                rating=data.rating,
                resolved=data.resolved,
                submitted_at=entry.created_at,
                preparation=data.preparation,
                shared=SharedFeedback.model_validate(shown) if shown else None,
            )
        )
        try:
            await uow.commit()
        except IntegrityError as exc:  # the same author, twice at once
            raise Conflict("you already gave feedback on this session") from exc
        return entry


async def my_feedback(
    runtime: Runtime, caller: Principal, limit: int, offset: int
) -> tuple[list[Feedback], int | None]:
    async with runtime.stores.session(org_of(caller)) as session:
        query = select(Feedback).where(Feedback.author_id == caller.subject)
        query = query.order_by(col(Feedback.created_at).desc()).offset(offset).limit(limit + 1)
        return page((await session.exec(query)).all(), limit, offset)


def _impact_scope(caller: Principal) -> tuple[str, str | None, str]:
    org_id = admin_scope(caller)
    if org_id is None:
        return CONSORTIUM, None, "consortium"
    return org_id, org_id, org_id


async def impact(runtime: Runtime, caller: Principal, quarter: str | None = None) -> Impact:
    """org_admin: their org's figures; operator: the consortium's; nobody else."""
    store, org_id, scope = _impact_scope(caller)
    chosen = quarter or quarter_of(datetime.now(UTC))
    start, end = quarter_bounds(chosen)

    def within(moment: Any) -> Any:
        return (col(moment) >= start) & (col(moment) < end)

    # Only the quarter's rows, each through an index on its time: a store keeps every fact of its years.
    async with runtime.stores.session(store) as session:
        asks = list((await session.exec(select(AskFact).where(within(AskFact.created_at)))).all())
        # A session counts in the quarter it ended (completed, cancelled, no-show); a store migrated from
        # before 0002 may hold completed sessions without an end.
        ended = within(SessionRecord.ended_at) | within(SessionRecord.completed_at)
        sessions = list((await session.exec(select(SessionRecord).where(ended))).all())
        feedback = list(
            (await session.exec(select(FeedbackFact).where(within(FeedbackFact.submitted_at)))).all()
        )
        follow_ups = list(
            (await session.exec(select(FollowUpFact).where(within(FollowUpFact.recorded_at)))).all()
        )
    return domain.impact(scope, chosen, asks, sessions, feedback, follow_ups, org_id)


# follow-ups -------------------------------------------------------------------------------------------


async def record_follow_up(runtime: Runtime, caller: Principal, data: FollowUpIn) -> FollowUpOut:
    """The mentee says how they applied the advice, against the ask's own success criteria."""
    async with runtime.unit_of_work(org_of(caller)) as uow:
        record = await uow.session.get(SessionRecord, data.session_id)
        if record is None or caller.subject not in (record.mentor_id, record.mentee_id):
            raise NotFound("session")
        if caller.subject != record.mentee_id:
            raise Problem(403, "Forbidden", "the mentee records how they applied the advice")
        if record.status != "completed":
            raise Conflict(f"the session is {record.status}; a follow-up comes after it is completed")
        if (await uow.session.exec(select(FollowUp).where(FollowUp.session_id == data.session_id))).first():
            raise Conflict("you already recorded a follow-up for this session")
        entry = FollowUp(
            id=f"fu_{secrets.token_hex(8)}",
            session_id=record.session_id,
            mentee_id=record.mentee_id,
            mentor_id=record.mentor_id,
            what_i_did=data.what_i_did,
            resolved=data.resolved,
            shared_with_mentor=data.share_with_mentor,
            created_at=datetime.now(UTC),
        )
        uow.session.add(entry)
        uow.publish(
            FollowUpRecorded(
                **participants(record),
                follow_up_id=entry.id,
                resolved=data.resolved,
                recorded_at=entry.created_at,
                shared_with_mentor=data.share_with_mentor,
                what_i_did=data.what_i_did if data.share_with_mentor else None,
            ),
            tenant_id=record.mentee_org_id,
        )
        criteria = (await _criteria(uow.session, [record.session_id])).get(record.session_id, "")
        try:
            await uow.commit()
        except IntegrityError as exc:
            raise Conflict("you already recorded a follow-up for this session") from exc
        return _own(entry, criteria)


async def _criteria(db: AsyncSession, session_ids: list[str]) -> dict[str, str]:
    """The ask's own success criteria for each session, as the offer carried them to this org."""
    records = (
        await db.exec(select(SessionRecord).where(col(SessionRecord.session_id).in_(session_ids)))
    ).all()
    proposals = {r.proposal_id: r.session_id for r in records if r.proposal_id}
    texts = (
        await db.exec(select(SessionText).where(col(SessionText.proposal_id).in_(list(proposals))))
    ).all()
    return {proposals[t.proposal_id]: t.success_criteria for t in texts}


def _own(f: FollowUp, criteria: str) -> FollowUpOut:
    return FollowUpOut(
        id=f.id, session_id=f.session_id, role="mentee", success_criteria=criteria, what_i_did=f.what_i_did,
        resolved=f.resolved, shared_with_mentor=f.shared_with_mentor, recorded_at=f.created_at,
    )  # fmt: skip


def participants(record: SessionRecord) -> dict[str, str]:
    names = ("session_id", "ask_id", "mentor_id", "mentor_org_id", "mentee_id", "mentee_org_id")
    return {name: getattr(record, name) for name in names}


async def follow_ups(
    runtime: Runtime, caller: Principal, limit: int, offset: int
) -> tuple[list[FollowUpOut], int | None]:
    """The caller's own follow-ups (as mentee) and those mentees shared with them (as mentor)."""
    async with runtime.stores.session(org_of(caller)) as db:
        own = (await db.exec(select(FollowUp).where(FollowUp.mentee_id == caller.subject))).all()
        shared = (
            await db.exec(select(SharedFollowUp).where(SharedFollowUp.mentor_id == caller.subject))
        ).all()
        criteria = await _criteria(db, [f.session_id for f in own] + [f.session_id for f in shared])
    items = [_own(f, criteria.get(f.session_id, "")) for f in own] + [
        FollowUpOut(
            id=f.follow_up_id,
            session_id=f.session_id,
            role="mentor",
            success_criteria=criteria.get(f.session_id, ""),
            what_i_did=f.what_i_did,
            resolved=f.resolved,
            shared_with_mentor=True,
            recorded_at=f.recorded_at,
        )
        for f in shared
    ]
    items.sort(key=lambda f: (f.recorded_at, f.id), reverse=True)
    return page(items[offset : offset + limit + 1], limit, offset)


async def received_feedback(
    runtime: Runtime, caller: Principal, limit: int, offset: int
) -> tuple[list[ReceivedFeedback], int | None]:
    """What the other participants of the caller's sessions chose to show them."""
    async with runtime.stores.session(org_of(caller)) as db:
        query = (
            select(ReceivedFeedback)
            .where(ReceivedFeedback.recipient_id == caller.subject)
            .order_by(col(ReceivedFeedback.submitted_at).desc(), col(ReceivedFeedback.feedback_id))
            .offset(offset)
            .limit(limit + 1)
        )
        return page((await db.exec(query)).all(), limit, offset)


async def my_data(runtime: Runtime, caller: Principal) -> dict[str, Any]:
    """Everything feedback holds about the caller, whole (for their data export)."""
    async with runtime.stores.session(org_of(caller)) as db:
        given = (await db.exec(select(Feedback).where(Feedback.author_id == caller.subject))).all()
        shown = (
            await db.exec(select(ReceivedFeedback).where(ReceivedFeedback.recipient_id == caller.subject))
        ).all()
    every_follow_up, _ = await follow_ups(
        runtime, caller, limit=10**9, offset=0
    )  # a list in memory: no SQL limit
    return {
        "feedback_given": [FeedbackOut.model_validate(f.model_dump()).model_dump(mode="json") for f in given],
        "feedback_shown_to_me": [r.model_dump(mode="json") for r in shown],
        "follow_ups": [f.model_dump(mode="json") for f in every_follow_up],
        "journal": (await journal.journal(runtime, caller)).model_dump(mode="json"),
    }
