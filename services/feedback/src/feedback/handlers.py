"""Feedback's consumers: the facts behind feedback rights and impact, kept in each involved store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from feedback.models import AskFact, FeedbackFact, SessionRecord
from mentornet_common.consumer import Handler, Handlers, Received, in_store
from mentornet_common.contracts import (
    AskCreated,
    FeedbackSubmitted,
    MatchProposed,
    Participants,
    SessionCancelled,
    SessionCompleted,
    SessionScheduled,
)
from mentornet_common.tenancy import CONSORTIUM
from mentornet_common.unit_of_work import UnitOfWork

Apply = Callable[[UnitOfWork, Any], Awaitable[None]]


def _stores(name: str, apply: Apply, *where: str) -> list[Handler]:
    """One handler per store that keeps the fact: the mentor's org, the mentee's org, the consortium."""
    pick: dict[str, Callable[[Received[Any]], str]] = {
        "mentor_org": lambda r: str(r.payload.mentor_org_id),
        "mentee_org": lambda r: str(r.payload.mentee_org_id),
        "consortium": lambda r: CONSORTIUM,
    }
    handlers = []
    for store in where:

        async def handler(uow: UnitOfWork, received: Received[Any]) -> None:
            await apply(uow, received.payload)

        handler.__name__ = f"{name}_in_{store}"
        handlers.append(in_store(pick[store])(handler))
    return handlers


async def _record_ask(uow: UnitOfWork, event: AskCreated) -> None:
    fact = await uow.session.get(AskFact, event.ask_id)
    if fact is None:
        uow.session.add(AskFact(ask_id=event.ask_id, org_id=event.mentee_org_id, created_at=event.created_at))
    elif fact.created_at != event.created_at:
        fact.created_at = event.created_at  # the proposal (another topic) arrived first
        uow.session.add(fact)


async def _note_first_proposal(uow: UnitOfWork, event: MatchProposed) -> None:
    """Topics are not ordered with each other: a proposal may arrive before its ask-created, so it
    starts the fact (creation time provisional) and ``_record_ask`` completes it."""
    fact = await uow.session.get(AskFact, event.ask_id) or AskFact(
        ask_id=event.ask_id, org_id=event.mentee_org_id, created_at=event.proposed_at
    )
    if fact.first_proposed_at is None or event.proposed_at < fact.first_proposed_at:
        fact.first_proposed_at = event.proposed_at
        uow.session.add(fact)


STATUS = {SessionScheduled: "scheduled", SessionCompleted: "completed", SessionCancelled: "cancelled"}


async def _record_session(uow: UnitOfWork, event: Participants) -> None:
    record = await uow.session.get(SessionRecord, event.session_id) or SessionRecord(
        session_id=event.session_id,
        ask_id=event.ask_id,
        mentor_id=event.mentor_id,
        mentor_org_id=event.mentor_org_id,
        mentee_id=event.mentee_id,
        mentee_org_id=event.mentee_org_id,
        status="scheduled",
    )
    if record.status == "completed":
        return
    record.status = STATUS[type(event)]
    if isinstance(event, SessionCompleted):
        record.completed_at = event.completed_at
    uow.session.add(record)


async def _record_feedback(uow: UnitOfWork, event: FeedbackSubmitted) -> None:
    if await uow.session.get(FeedbackFact, event.feedback_id) is None:
        uow.session.add(
            FeedbackFact(
                feedback_id=event.feedback_id,
                session_id=event.session_id,
                author_role=event.author_role,
                rating=event.rating,
                resolved=event.resolved,
                submitted_at=event.submitted_at,
            )
        )


SESSION_STORES = ("mentor_org", "mentee_org", "consortium")
record_session = _stores("record_session_when_session_changed", _record_session, *SESSION_STORES)

HANDLERS: Handlers = {
    AskCreated: _stores("record_ask_when_ask_created", _record_ask, "mentee_org", "consortium"),
    MatchProposed: _stores(
        "note_first_proposal_when_match_proposed", _note_first_proposal, "mentee_org", "consortium"
    ),
    SessionScheduled: record_session,
    SessionCompleted: record_session,
    SessionCancelled: record_session,
    FeedbackSubmitted: _stores("record_feedback_when_feedback_submitted", _record_feedback, *SESSION_STORES),
}
