"""Profiles' own consumers: keep the consortium's copy of the cards people shared with every org."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common.consumer import Handlers, Received, in_store
from mentornet_common.contracts import (
    AskCreated,
    MentorPublished,
    MentorWithdrawn,
    OrgOffboarded,
    ProfileShared,
    ProfileUnshared,
    SessionCompleted,
    UserDeactivated,
    UserErased,
)
from mentornet_common.erasure import erases, in_every_store
from mentornet_common.offboarding import forget_org
from mentornet_common.periods import quarter_of
from mentornet_common.rows import upsert
from mentornet_common.tenancy import CONSORTIUM
from mentornet_common.unit_of_work import UnitOfWork
from profiles.models import Participation, Profile, SharedCard
from profiles.service import announce


def _consortium(_: Received[Any]) -> str:
    return CONSORTIUM


@in_store(_consortium)
async def share_card_when_profile_shared(uow: UnitOfWork, received: Received[ProfileShared]) -> None:
    event = received.payload
    card = await uow.session.get(SharedCard, event.user_id)
    if event.scope != "consortium":
        if card is not None:
            await uow.session.delete(card)
        return
    if card is None:
        card = SharedCard(user_id=event.user_id, org_id=event.org_id, person={}, updated_at=event.shared_at)
    card.person = event.card.model_dump(mode="json")
    card.updated_at = datetime.now(UTC)
    uow.session.add(card)


@in_store(_consortium)
async def drop_card_when_profile_unshared(uow: UnitOfWork, received: Received[ProfileUnshared]) -> None:
    card = await uow.session.get(SharedCard, received.payload.user_id)
    if card is not None:
        await uow.session.delete(card)


@in_store(_consortium)
async def share_mentor_card_when_mentor_published(
    uow: UnitOfWork, received: Received[MentorPublished]
) -> None:
    card = await uow.session.get(SharedCard, received.payload.mentor_id)
    if card is None:
        return  # the person card comes first on the same partition; without it nothing is shared
    card.mentor = (
        received.payload.card.model_dump(mode="json") if received.payload.scope == "consortium" else None
    )
    uow.session.add(card)


@in_store(_consortium)
async def drop_mentor_card_when_mentor_withdrawn(
    uow: UnitOfWork, received: Received[MentorWithdrawn]
) -> None:
    card = await uow.session.get(SharedCard, received.payload.mentor_id)
    if card is not None and card.mentor is not None:
        card.mentor = None
        uow.session.add(card)


# participation, counted in each person's own org's store ---------------------------------------------


async def _count(uow: UnitOfWork, user_id: str, moment: datetime, field: str) -> None:
    values = {"user_id": user_id, "quarter": quarter_of(moment), field: 1}
    await upsert(uow.session, Participation, values, add=(field,))


def _mentee_org(received: Received[Any]) -> str:
    return str(received.payload.mentee_org_id)


def _mentor_org(received: Received[Any]) -> str:
    return str(received.payload.mentor_org_id)


@in_store(_mentee_org)
async def count_ask_when_ask_created(uow: UnitOfWork, received: Received[AskCreated]) -> None:
    await _count(uow, received.payload.mentee_id, received.payload.created_at, "asks")


@in_store(_mentee_org)
async def count_mentee_session_when_session_completed(
    uow: UnitOfWork, received: Received[SessionCompleted]
) -> None:
    await _count(uow, received.payload.mentee_id, received.payload.completed_at, "sessions_as_mentee")


@in_store(_mentor_org)
async def count_mentor_session_when_session_completed(
    uow: UnitOfWork, received: Received[SessionCompleted]
) -> None:
    await _count(uow, received.payload.mentor_id, received.payload.completed_at, "sessions_as_mentor")


# erasure ------------------------------------------------------------------------------------------------


async def _erase(db: AsyncSession, user_id: str) -> None:
    for model in (Profile, SharedCard):
        row = await db.get(model, user_id)
        if row is not None:
            await db.delete(row)
    await db.exec(delete(Participation).where(col(Participation.user_id) == user_id))


@erases(_erase)
async def erase_person_when_user_erased(uow: UnitOfWork, received: Received[UserErased]) -> None:
    """The profile, the shared cards and the participation counts of the person go."""
    await in_every_store(uow, received.payload.user_id, _erase)


async def withdraw_person_when_user_deactivated(uow: UnitOfWork, received: Received[UserDeactivated]) -> None:
    """A deactivated person (they left their org) is never proposed as a mentor, nor shown to anyone: their
    cards are withdrawn and their profile turns private; reactivated, they share again themselves."""
    person = received.payload
    if uow.tenant_id != person.org_id:
        return  # only the person's own org deactivates them, and their profile lives in its store
    profile = await uow.session.get(Profile, person.user_id)
    if profile is None:
        return
    old_card_scope = None if profile.visibility == "private" else profile.visibility
    old_mentor_scope = profile.mentor_scope
    profile.mentoring_active, profile.visibility, profile.mentor_scope = False, "private", None
    profile.updated_at = person.deactivated_at
    uow.session.add(profile)
    moment = person.deactivated_at
    announce(uow, profile, old_card_scope, None, old_mentor_scope, None, moment, "deactivated by their org")


@in_store(lambda _: CONSORTIUM)
async def forget_org_when_org_offboarded(uow: UnitOfWork, received: Received[OrgOffboarded]) -> None:
    """The org's store goes, and the consortium's rows about it; its people are erased everywhere."""
    await forget_org(uow, received.payload, _erase)


HANDLERS: Handlers = {
    UserErased: [erase_person_when_user_erased],
    OrgOffboarded: [forget_org_when_org_offboarded],
    UserDeactivated: [withdraw_person_when_user_deactivated],
    AskCreated: [count_ask_when_ask_created],
    SessionCompleted: [
        count_mentee_session_when_session_completed,
        count_mentor_session_when_session_completed,
    ],
    ProfileShared: [share_card_when_profile_shared],
    ProfileUnshared: [drop_card_when_profile_unshared],
    MentorPublished: [share_mentor_card_when_mentor_published],
    MentorWithdrawn: [drop_mentor_card_when_mentor_withdrawn],
}
