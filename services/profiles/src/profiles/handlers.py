"""Profiles' own consumers: keep the consortium's copy of the cards people shared with every org."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mentornet_common.consumer import Handlers, Received, in_store
from mentornet_common.contracts import MentorPublished, MentorWithdrawn, ProfileShared, ProfileUnshared
from mentornet_common.tenancy import CONSORTIUM
from mentornet_common.unit_of_work import UnitOfWork
from profiles.models import SharedCard


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


HANDLERS: Handlers = {
    ProfileShared: [share_card_when_profile_shared],
    ProfileUnshared: [drop_card_when_profile_unshared],
    MentorPublished: [share_mentor_card_when_mentor_published],
    MentorWithdrawn: [drop_mentor_card_when_mentor_withdrawn],
}
