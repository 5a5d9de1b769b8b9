"""Feedback's use cases: giving feedback once per session, and reading impact."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from feedback import domain
from feedback.models import AskFact, Feedback, FeedbackFact, FeedbackIn, Impact, SessionRecord
from mentornet_common.auth import Principal
from mentornet_common.contracts import FeedbackSubmitted
from mentornet_common.pagination import page
from mentornet_common.problems import Conflict, NotFound, Problem
from mentornet_common.runtime import Runtime
from mentornet_common.tenancy import CONSORTIUM


def _org_of(caller: Principal) -> str:
    if caller.kind != "user" or not caller.org_id:
        raise Problem(403, "Forbidden", "feedback is given by the people of a session")
    return caller.org_id


async def give_feedback(runtime: Runtime, caller: Principal, data: FeedbackIn) -> Feedback:
    """One piece of feedback per participant per completed session; the text stays in the author's org."""
    async with runtime.unit_of_work(_org_of(caller)) as uow:
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
        entry = Feedback(
            id=f"fb_{secrets.token_hex(8)}",
            session_id=record.session_id,
            author_id=caller.subject,
            author_role=role,
            rating=data.rating,
            resolved=data.resolved,
            learned=data.learned,
            comment=data.comment,
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
    async with runtime.stores.session(_org_of(caller)) as session:
        query = select(Feedback).where(Feedback.author_id == caller.subject)
        query = query.order_by(col(Feedback.created_at).desc()).offset(offset).limit(limit + 1)
        return page((await session.exec(query)).all(), limit, offset)


async def impact(runtime: Runtime, caller: Principal) -> Impact:
    """org_admin: their org's figures; operator: the consortium's; nobody else."""
    if caller.is_operator:
        store, org_id, scope = CONSORTIUM, None, "consortium"
    elif "org_admin" in caller.roles and caller.org_id:
        store, org_id, scope = caller.org_id, caller.org_id, caller.org_id
    else:
        raise Problem(403, "Forbidden", "impact figures are for org admins and consortium operators")
    async with runtime.stores.session(store) as session:
        asks = list((await session.exec(select(AskFact))).all())
        sessions = list((await session.exec(select(SessionRecord))).all())
        feedback = list((await session.exec(select(FeedbackFact))).all())
    return domain.impact(scope, asks, sessions, feedback, datetime.now(UTC), org_id)
