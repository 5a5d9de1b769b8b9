"""Matching's consumers: the directory projection, proposing mentors, and following sessions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from matching import proposing, semantic
from matching.index import to_blob
from matching.models import (
    Ask,
    BusyTime,
    DirectoryEntry,
    MentorLoad,
    MentorStats,
    PersonCardEntry,
    Proposal,
    ProposalState,
)
from matching.retrieval import month_of
from mentornet_common.consumer import Handler, Handlers, Received, in_store
from mentornet_common.contracts import (
    AskCreated,
    Event,
    FeedbackSubmitted,
    MatchDeclined,
    MatchExpired,
    MatchProposed,
    MentorPublished,
    MentorWithdrawn,
    OrgOffboarded,
    ProfileShared,
    ProfileUnshared,
    SessionCancelled,
    SessionCompleted,
    SessionRescheduled,
    SessionScheduled,
    UserErased,
)
from mentornet_common.erasure import ERASED, erases, in_every_store
from mentornet_common.offboarding import forget_org
from mentornet_common.rows import insert_new, upsert
from mentornet_common.tenancy import CONSORTIUM
from mentornet_common.unit_of_work import UnitOfWork


def _consortium(_: Received[Any]) -> str:
    return CONSORTIUM


def _owner_org(received: Received[Any]) -> str:
    return str(received.payload.org_id)


def _mentee_org(received: Received[Any]) -> str:
    return str(received.payload.mentee_org_id)


# the directory: each card lives where its owner shared it ---------------------------------------------

Build = Callable[[Any], Awaitable[SQLModel | None]]


async def _put(uow: UnitOfWork, model: type[SQLModel], key: str, row: SQLModel | None) -> None:
    existing = await uow.session.get(model, key)
    if existing is not None:
        await uow.session.delete(existing)
        await uow.session.flush()
    if row is not None:
        uow.session.add(row)
    if model is DirectoryEntry and (existing is not None or row is not None):
        # Once committed, this process's rankings see the change at once, however recently they read
        # (directory_refresh_s).
        uow.after_commit(semantic.directory_index(uow.stores, uow.tenant_id).changed)


def _placed(name: str, model: type[SQLModel], key: str, build: Build) -> tuple[Handler, Handler]:
    """Two handlers for one event: keep the row in the consortium store or in the owner's org store,
    whichever the event's scope names, and remove it from the other."""

    async def in_consortium(uow: UnitOfWork, received: Received[Any]) -> None:
        row = await build(received.payload) if _scope(received) == "consortium" else None
        await _put(uow, model, getattr(received.payload, key), row)

    async def in_org(uow: UnitOfWork, received: Received[Any]) -> None:
        row = await build(received.payload) if _scope(received) == "org" else None
        await _put(uow, model, getattr(received.payload, key), row)

    in_consortium.__name__ = f"{name}_in_consortium"
    in_org.__name__ = f"{name}_in_org"
    return in_store(_consortium)(in_consortium), in_store(_owner_org)(in_org)


def _scope(received: Received[Any]) -> str | None:
    return getattr(received.payload, "scope", None)


async def _directory_entry(event: Event) -> DirectoryEntry | None:
    """A mentor's card with its embedding (computed once here, stored with the row)."""
    if not isinstance(event, MentorPublished):
        return None
    card = event.card.model_dump(mode="json")
    vector = (await semantic.embed([semantic.card_text(card)]))[0]
    return DirectoryEntry(
        mentor_id=event.mentor_id,
        org_id=event.org_id,
        scope=event.scope,
        card=card,
        vector=to_blob(vector),
        updated_at=datetime.now(UTC),
    )


async def _person_card(event: Event) -> PersonCardEntry | None:
    if not isinstance(event, ProfileShared):
        return None
    return PersonCardEntry(
        user_id=event.user_id,
        org_id=event.org_id,
        scope=event.scope,
        card=event.card.model_dump(mode="json"),
        updated_at=datetime.now(UTC),
    )


index_mentor = _placed("index_mentor_when_mentor_published", DirectoryEntry, "mentor_id", _directory_entry)
drop_mentor = _placed("drop_mentor_when_mentor_withdrawn", DirectoryEntry, "mentor_id", _directory_entry)
index_card = _placed("index_card_when_profile_shared", PersonCardEntry, "user_id", _person_card)
drop_card = _placed("drop_card_when_profile_unshared", PersonCardEntry, "user_id", _person_card)


# proposing ----------------------------------------------------------------------------------------------


async def propose_mentor_when_ask_created(uow: UnitOfWork, received: Received[AskCreated]) -> None:
    await proposing.propose_next(uow, received.payload.ask_id)


@in_store(_mentee_org)
async def propose_next_mentor_when_match_declined(uow: UnitOfWork, received: Received[MatchDeclined]) -> None:
    await proposing.settle_proposal(uow, received.payload.proposal_id, "declined")
    await proposing.propose_next(uow, received.payload.ask_id)


@in_store(_mentee_org)
async def propose_next_mentor_when_match_expired(uow: UnitOfWork, received: Received[MatchExpired]) -> None:
    await proposing.settle_proposal(uow, received.payload.proposal_id, "expired")
    await proposing.propose_next(uow, received.payload.ask_id)


# following sessions -------------------------------------------------------------------------------------


@in_store(_mentee_org)
async def mark_ask_scheduled_when_session_scheduled(
    uow: UnitOfWork, received: Received[SessionScheduled]
) -> None:
    await proposing.settle_proposal(uow, received.payload.proposal_id, "accepted")
    await proposing.follow_session(uow, received.payload.ask_id, "scheduled")


@in_store(_mentee_org)
async def mark_ask_completed_when_session_completed(
    uow: UnitOfWork, received: Received[SessionCompleted]
) -> None:
    await proposing.follow_session(uow, received.payload.ask_id, "completed")


@in_store(_mentee_org)
async def mark_ask_cancelled_when_session_cancelled(
    uow: UnitOfWork, received: Received[SessionCancelled]
) -> None:
    await proposing.follow_session(uow, received.payload.ask_id, "cancelled", received.payload.reason)


async def _count_load(uow: UnitOfWork, mentor_id: str, moment: datetime, change: int) -> None:
    month = month_of(moment)
    load = await uow.session.get(MentorLoad, (mentor_id, month)) or MentorLoad(
        mentor_id=mentor_id, month=month
    )
    load.scheduled = max(0, load.scheduled + change)
    uow.session.add(load)


@in_store(_consortium)
async def count_load_when_session_scheduled(uow: UnitOfWork, received: Received[SessionScheduled]) -> None:
    await _count_load(uow, received.payload.mentor_id, received.payload.start_at, +1)


@in_store(_consortium)
async def free_load_when_session_cancelled(uow: UnitOfWork, received: Received[SessionCancelled]) -> None:
    await _count_load(uow, received.payload.mentor_id, received.payload.cancelled_at, -1)


# busy time: sessions people already have ---------------------------------------------------------------


@in_store(_consortium)
async def hold_time_when_session_scheduled_or_moved(
    uow: UnitOfWork, received: Received[SessionScheduled | SessionRescheduled]
) -> None:
    event = received.payload
    row = await uow.session.get(BusyTime, event.session_id) or BusyTime(
        session_id=event.session_id, mentor_id=event.mentor_id, mentee_id=event.mentee_id,
        start_at=event.start_at, end_at=event.start_at,
    )  # fmt: skip
    row.start_at = event.start_at
    row.end_at = event.start_at + timedelta(minutes=event.duration_minutes)
    uow.session.add(row)


@in_store(_consortium)
async def free_time_when_session_cancelled(uow: UnitOfWork, received: Received[SessionCancelled]) -> None:
    row = await uow.session.get(BusyTime, received.payload.session_id)
    if row is not None:
        await uow.session.delete(row)


# what the consortium knows of each mentor: open proposals, last proposed, ratings ------------------------


async def _stats(uow: UnitOfWork, mentor_id: str) -> MentorStats:
    return await uow.session.get(MentorStats, mentor_id) or MentorStats(mentor_id=mentor_id)


@in_store(_consortium)
async def count_open_proposal_when_match_proposed(uow: UnitOfWork, received: Received[MatchProposed]) -> None:
    event = received.payload
    values = {"mentor_id": event.mentor_id, "proposals": 1, "last_proposed_at": event.proposed_at}
    await upsert(uow.session, MentorStats, values, add=("proposals",), latest=("last_proposed_at",))
    await insert_new(uow.session, ProposalState, proposal_id=event.proposal_id, mentor_id=event.mentor_id)


async def _answered(uow: UnitOfWork, proposal_id: str, mentor_id: str) -> None:
    state = await uow.session.get(ProposalState, proposal_id) or ProposalState(
        proposal_id=proposal_id, mentor_id=mentor_id
    )
    state.answered = True
    uow.session.add(state)


@in_store(_consortium)
async def close_open_proposal_when_match_declined(uow: UnitOfWork, received: Received[MatchDeclined]) -> None:
    await _answered(uow, received.payload.proposal_id, received.payload.mentor_id)


@in_store(_consortium)
async def close_open_proposal_when_match_expired(uow: UnitOfWork, received: Received[MatchExpired]) -> None:
    await _answered(uow, received.payload.proposal_id, received.payload.mentor_id)


@in_store(_consortium)
async def close_open_proposal_when_session_scheduled(
    uow: UnitOfWork, received: Received[SessionScheduled]
) -> None:
    await _answered(uow, received.payload.proposal_id, received.payload.mentor_id)


@in_store(_consortium)
async def learn_quality_when_feedback_submitted(
    uow: UnitOfWork, received: Received[FeedbackSubmitted]
) -> None:
    """Mentees' ratings of a mentor (the rating only: the text never leaves the author's org)."""
    if received.payload.author_role != "mentee":
        return
    stats = await _stats(uow, received.payload.mentor_id)
    stats.ratings += 1
    stats.rating_sum += received.payload.rating
    uow.session.add(stats)


@in_store(_mentee_org)
async def record_resolution_when_feedback_submitted(
    uow: UnitOfWork, received: Received[FeedbackSubmitted]
) -> None:
    """Whether the mentee's ask was resolved, for their suggestions."""
    if received.payload.author_role != "mentee":
        return
    ask = await uow.session.get(Ask, received.payload.ask_id)
    if ask is not None:
        ask.resolution = received.payload.resolved
        uow.session.add(ask)


# erasure ------------------------------------------------------------------------------------------------


async def _erase(db: AsyncSession, user_id: str) -> None:
    for ask in (await db.exec(select(Ask).where(Ask.mentee_id == user_id))).all():
        ask.question = ask.background = ask.success_criteria = ERASED
        ask.skills, ask.languages, ask.vector = [], [], None
        db.add(ask)
    for proposal in (await db.exec(select(Proposal).where(Proposal.mentor_id == user_id))).all():
        proposal.reasons = []  # they quote the mentor's card
        db.add(proposal)
    for model in (DirectoryEntry, PersonCardEntry):
        row = await db.get(model, user_id)
        if row is not None:
            await db.delete(row)


@erases(_erase)
async def erase_person_when_user_erased(uow: UnitOfWork, received: Received[UserErased]) -> None:
    """Their asks keep ids and status (for the counts) but lose every word; their cards go."""
    await in_every_store(uow, received.payload.user_id, _erase)
    for tenant in await uow.stores.tenants():
        semantic.directory_index(uow.stores, tenant).forget(received.payload.user_id)


@in_store(lambda _: CONSORTIUM)
async def forget_org_when_org_offboarded(uow: UnitOfWork, received: Received[OrgOffboarded]) -> None:
    """The org's store goes, and the consortium's rows about it (its cards in the directory); its people
    are erased everywhere, and leave this process's indexes of the directory too."""
    event = received.payload
    await forget_org(uow, event, _erase)
    semantic.forget_store(uow.stores, event.org_id)
    for tenant in await uow.stores.tenants():
        if tenant == event.org_id:
            continue  # its index went with its store
        index = semantic.directory_index(uow.stores, tenant)
        for user_id in event.user_ids:
            index.forget(user_id)


HANDLERS: Handlers = {
    UserErased: [erase_person_when_user_erased],
    OrgOffboarded: [forget_org_when_org_offboarded],
    MentorPublished: index_mentor,
    MentorWithdrawn: drop_mentor,
    ProfileShared: index_card,
    ProfileUnshared: drop_card,
    AskCreated: [propose_mentor_when_ask_created],
    MatchProposed: [count_open_proposal_when_match_proposed],
    MatchDeclined: [propose_next_mentor_when_match_declined, close_open_proposal_when_match_declined],
    MatchExpired: [propose_next_mentor_when_match_expired, close_open_proposal_when_match_expired],
    SessionScheduled: [
        mark_ask_scheduled_when_session_scheduled,
        count_load_when_session_scheduled,
        close_open_proposal_when_session_scheduled,
        hold_time_when_session_scheduled_or_moved,
    ],
    SessionCompleted: [mark_ask_completed_when_session_completed],
    SessionRescheduled: [hold_time_when_session_scheduled_or_moved],
    SessionCancelled: [
        mark_ask_cancelled_when_session_cancelled,
        free_load_when_session_cancelled,
        free_time_when_session_cancelled,
    ],
    FeedbackSubmitted: [learn_quality_when_feedback_submitted, record_resolution_when_feedback_submitted],
}
