"""Feedback's consumers: the facts behind feedback rights and impact, kept in each involved store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Table, bindparam
from sqlmodel import col, delete, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from feedback.models import (
    AskFact,
    AskNote,
    Feedback,
    FeedbackFact,
    FollowUp,
    FollowUpFact,
    ProposalFact,
    ReceivedFeedback,
    SessionRecord,
    SessionText,
    SharedFollowUp,
)
from mentornet_common.consumer import Handler, Handlers, Received, in_store
from mentornet_common.contracts import (
    AskClosed,
    AskCreated,
    FeedbackSubmitted,
    FollowUpRecorded,
    MatchProposed,
    OrgOffboarded,
    Participants,
    SessionCancelled,
    SessionCompleted,
    SessionNoShow,
    SessionRescheduled,
    SessionScheduled,
    UserErased,
)
from mentornet_common.erasure import ERASED, erases, in_every_store
from mentornet_common.offboarding import forget_org
from mentornet_common.rows import insert_new, upsert
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
    # The proposal (another topic) may have arrived first and started the fact with a provisional time.
    values = {"ask_id": event.ask_id, "org_id": event.mentee_org_id, "created_at": event.created_at}
    await upsert(uow.session, AskFact, values, update=("created_at",))


async def _note_first_proposal(uow: UnitOfWork, event: MatchProposed) -> None:
    """Topics are not ordered with each other: a proposal may arrive before its ask-created, so it
    starts the fact (creation time provisional) and ``_record_ask`` completes it."""
    values = {
        "ask_id": event.ask_id,
        "org_id": event.mentee_org_id,
        "created_at": event.proposed_at,
        "first_proposed_at": event.proposed_at,
    }
    await upsert(
        uow.session,
        AskFact,
        values,
        update=("first_proposed_at",),
        when=_earlier_proposal,
    )


def _earlier_proposal(table: Table, offered: Any) -> Any:
    first = table.c.first_proposed_at
    return or_(first.is_(None), offered.first_proposed_at < first)


STATUS = {
    SessionScheduled: "scheduled",
    SessionRescheduled: "scheduled",
    SessionCompleted: "completed",
    SessionCancelled: "cancelled",
    SessionNoShow: "no_show",
}
FINAL = ("completed", "cancelled", "no_show")


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
    if record.status in FINAL:
        return  # an ended session stays as it ended (events on one topic partition arrive in order)
    record.status = STATUS[type(event)]
    if isinstance(event, SessionScheduled):
        record.proposal_id = event.proposal_id
        record.scheduled_at = event.scheduled_at
        proposal = await uow.session.get(ProposalFact, event.proposal_id)
        record.reverse_mentoring = bool(proposal and proposal.reverse_mentoring)
    if isinstance(event, SessionScheduled | SessionRescheduled):
        record.start_at = event.start_at
    if isinstance(event, SessionCompleted):
        record.completed_at = record.ended_at = event.completed_at
    if isinstance(event, SessionCancelled):
        record.ended_at = event.cancelled_at
    if isinstance(event, SessionNoShow):
        record.ended_at, record.absent_id = event.reported_at, event.absent_id
    uow.session.add(record)


async def _record_proposal(uow: UnitOfWork, event: MatchProposed) -> None:
    values = {"proposal_id": event.proposal_id, "reverse_mentoring": event.reverse_mentoring}
    await upsert(uow.session, ProposalFact, values, update=("reverse_mentoring",))
    # The session may have been scheduled before this proposal was handled (another topic).
    await uow.session.exec(
        _MARK_REVERSE,
        params={"b_proposal_id": event.proposal_id, "b_reverse_mentoring": event.reverse_mentoring},
    )


# Built once: building the statement on every proposal cost more than running it (make profile-handlers).
# Not synchronized with the session's objects: evaluating the criteria against them on every proposal cost
# feedback's worker about 4% of its CPU (py-spy), and a proposal's transaction holds no session record (they
# come on another topic, so in another batch).
_MARK_REVERSE = (
    update(SessionRecord)
    .where(col(SessionRecord.proposal_id) == bindparam("b_proposal_id"))
    .values(reverse_mentoring=bindparam("b_reverse_mentoring"))
    .execution_options(synchronize_session=False)
)


async def _keep_text(uow: UnitOfWork, event: MatchProposed) -> None:
    """The participants' orgs keep what the session is about, for their people's journals."""
    await insert_new(
        uow.session,
        SessionText,
        proposal_id=event.proposal_id,
        mentee_id=event.mentee_id,
        question=event.question,
        success_criteria=event.success_criteria,
        skills=list(event.skills),
    )


async def _note_ask(uow: UnitOfWork, event: AskCreated) -> None:
    await insert_new(
        uow.session,
        AskNote,
        ask_id=event.ask_id,
        mentee_id=event.mentee_id,
        skills=list(event.skills),
        created_at=event.created_at,
    )


async def _close_ask(uow: UnitOfWork, event: AskClosed) -> None:
    note = await uow.session.get(AskNote, event.ask_id) or AskNote(
        ask_id=event.ask_id, mentee_id=event.mentee_id, created_at=event.closed_at
    )
    note.status, note.reason = event.status, event.reason
    uow.session.add(note)


async def _record_feedback(uow: UnitOfWork, event: FeedbackSubmitted) -> None:
    if await uow.session.get(FeedbackFact, event.feedback_id) is None:
        uow.session.add(
            FeedbackFact(
                feedback_id=event.feedback_id,
                session_id=event.session_id,
                author_role=event.author_role,
                rating=event.rating,
                resolved=event.resolved,
                preparation=event.preparation,
                submitted_at=event.submitted_at,
            )
        )


def _recipient_org(received: Received[Any]) -> str:
    event = received.payload
    return str(event.mentee_org_id if event.author_role == "mentor" else event.mentor_org_id)


@in_store(_recipient_org)
async def show_shared_answers_when_feedback_submitted(
    uow: UnitOfWork, received: Received[FeedbackSubmitted]
) -> None:
    """The other participant's org keeps only what the author chose to show them."""
    event = received.payload
    shown = event.shared.model_dump(exclude_none=True) if event.shared else {}
    if not shown or await uow.session.get(ReceivedFeedback, event.feedback_id) is not None:
        return
    uow.session.add(
        ReceivedFeedback(
            feedback_id=event.feedback_id,
            session_id=event.session_id,
            recipient_id=event.mentee_id if event.author_role == "mentor" else event.mentor_id,
            author_role=event.author_role,
            shared=shown,
            submitted_at=event.submitted_at,
        )
    )


async def _record_follow_up(uow: UnitOfWork, event: FollowUpRecorded) -> None:
    if await uow.session.get(FollowUpFact, event.follow_up_id) is None:
        uow.session.add(
            FollowUpFact(
                follow_up_id=event.follow_up_id,
                session_id=event.session_id,
                resolved=event.resolved,
                recorded_at=event.recorded_at,
            )
        )


def _mentor_org(received: Received[Any]) -> str:
    return str(received.payload.mentor_org_id)


@in_store(_mentor_org)
async def show_mentor_the_follow_up_when_shared(
    uow: UnitOfWork, received: Received[FollowUpRecorded]
) -> None:
    event = received.payload
    if not event.shared_with_mentor or event.what_i_did is None:
        return
    if await uow.session.get(SharedFollowUp, event.follow_up_id) is None:
        uow.session.add(
            SharedFollowUp(
                follow_up_id=event.follow_up_id,
                session_id=event.session_id,
                mentor_id=event.mentor_id,
                mentee_id=event.mentee_id,
                what_i_did=event.what_i_did,
                resolved=event.resolved,
                recorded_at=event.recorded_at,
            )
        )


SESSION_STORES = ("mentor_org", "mentee_org", "consortium")
record_session = _stores("record_session_when_session_changed", _record_session, *SESSION_STORES)

# erasure ------------------------------------------------------------------------------------------------


async def _erase(db: AsyncSession, user_id: str) -> None:
    for entry in (await db.exec(select(Feedback).where(Feedback.author_id == user_id))).all():
        entry.learned = entry.comment = ERASED
        entry.shared = []
        db.add(entry)
    for follow_up in (await db.exec(select(FollowUp).where(FollowUp.mentee_id == user_id))).all():
        follow_up.what_i_did = ERASED
        db.add(follow_up)
    await db.exec(
        delete(SharedFollowUp).where(
            or_(SharedFollowUp.mentee_id == user_id, SharedFollowUp.mentor_id == user_id)
        )
    )
    theirs = select(SessionRecord).where(
        or_(SessionRecord.mentor_id == user_id, SessionRecord.mentee_id == user_id)
    )
    sessions = (await db.exec(theirs)).all()
    await db.exec(
        delete(ReceivedFeedback).where(col(ReceivedFeedback.session_id).in_([r.session_id for r in sessions]))
    )
    for text in (await db.exec(select(SessionText).where(SessionText.mentee_id == user_id))).all():
        text.question = text.success_criteria = ERASED
        text.skills = []
        db.add(text)
    for note in (await db.exec(select(AskNote).where(AskNote.mentee_id == user_id))).all():
        note.skills = []
        db.add(note)


@erases(_erase)
async def erase_person_when_user_erased(uow: UnitOfWork, received: Received[UserErased]) -> None:
    """Their feedback and follow-ups lose their words, what they were shown goes; ids, times, ratings and
    answers stay, so impact keeps its counts."""
    await in_every_store(uow, received.payload.user_id, _erase)


@in_store(lambda _: CONSORTIUM)
async def forget_org_when_org_offboarded(uow: UnitOfWork, received: Received[OrgOffboarded]) -> None:
    """The org's store goes, and the consortium's rows about it; its people are erased everywhere."""
    await forget_org(uow, received.payload, _erase)


HANDLERS: Handlers = {
    UserErased: [erase_person_when_user_erased],
    OrgOffboarded: [forget_org_when_org_offboarded],
    AskCreated: [
        *_stores("record_ask_when_ask_created", _record_ask, "mentee_org", "consortium"),
        *_stores("note_ask_for_the_journal_when_ask_created", _note_ask, "mentee_org"),
    ],
    AskClosed: _stores("note_how_the_ask_ended_when_ask_closed", _close_ask, "mentee_org"),
    MatchProposed: [
        *_stores("note_first_proposal_when_match_proposed", _note_first_proposal, "mentee_org", "consortium"),
        *_stores("record_proposal_when_match_proposed", _record_proposal, *SESSION_STORES),
        *_stores("keep_session_text_when_match_proposed", _keep_text, "mentor_org", "mentee_org"),
    ],
    SessionScheduled: record_session,
    SessionRescheduled: record_session,
    SessionCompleted: record_session,
    SessionCancelled: record_session,
    SessionNoShow: record_session,
    FeedbackSubmitted: [
        *_stores("record_feedback_when_feedback_submitted", _record_feedback, *SESSION_STORES),
        show_shared_answers_when_feedback_submitted,
    ],
    FollowUpRecorded: [
        *_stores("record_follow_up_when_follow_up_recorded", _record_follow_up, *SESSION_STORES),
        show_mentor_the_follow_up_when_shared,
    ],
}
