"""Streams' consumers: every event, minimized, into the store of every member org it concerns.

An org's partners see an event when the org owns it (``ce_tenantid``) or one of its people takes part
(``org_id``, ``mentee_org_id``, ``mentor_org_id``). What they see is minimized: ids, types, times,
statuses, ratings and answers — never free text, cards, free time, or answers someone shared with one
person. ``user-erased`` reaches partners too, and takes the person's earlier partner records, in every
org's store, with it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, cast
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common.consumer import Handler, Handlers, Received, in_store
from mentornet_common.contracts import REGISTRY, UserErased
from mentornet_common.erasure import in_every_store
from mentornet_common.tenancy import CONSORTIUM
from mentornet_common.unit_of_work import UnitOfWork
from streams.models import PartnerEvent

# What never leaves for a partner: words people wrote, cards, calendars, and what was shared with one person.
WITHHELD = frozenset(
    {
        "question", "background", "success_criteria", "reasons", "reason", "mentee_card", "card",
        "shared", "what_i_did", "free_time", "slots", "slug", "org_name",
    }
)  # fmt: skip
ORG_FIELDS = ("org_id", "mentee_org_id", "mentor_org_id")


def minimized(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in WITHHELD}


async def _record(uow: UnitOfWork, received: Received[Any]) -> None:
    envelope = received.envelope
    found = await uow.session.exec(select(PartnerEvent.seq).where(PartnerEvent.event_id == envelope.id))
    if found.first() is not None:
        return  # the same event reached this store through another of its orgs' fields
    uow.session.add(
        PartnerEvent(
            event_id=envelope.id,
            ce_type=envelope.type,
            topic=type(received.payload).topic,
            subject=envelope.subject,
            time=envelope.time,
            data=minimized(received.payload.model_dump(mode="json")),
            received_at=datetime.now(UTC),
        )
    )
    if isinstance(received.payload, UserErased):
        # The person's earlier records go; the erasure itself stays for the partners to act on.
        user_id = received.payload.user_id
        await uow.session.flush()
        await uow.session.exec(
            delete(PartnerEvent).where(
                cast(col(PartnerEvent.data), String).contains(user_id),
                col(PartnerEvent.event_id) != envelope.id,
            )
        )


def _store_of(field: str | None) -> Any:
    def store(received: Received[Any]) -> str:
        org = getattr(received.payload, field, None) if field else None
        return str(org or received.envelope.tenant_id or CONSORTIUM)

    return store


def _handlers() -> list[Handler]:
    made = []
    for field in (None, *ORG_FIELDS):

        async def record(uow: UnitOfWork, received: Received[Any]) -> None:
            await _record(uow, received)

        record.__name__ = f"share_with_partners_of_{field or 'owner'}"
        made.append(in_store(_store_of(field))(record))
    return made


async def _forget(session: AsyncSession, user_id: str) -> None:
    """The person's earlier records go, in every org's store; the erasure itself stays for partners."""
    await session.exec(
        delete(PartnerEvent).where(
            cast(col(PartnerEvent.data), String).contains(user_id),
            col(PartnerEvent.ce_type) != UserErased.ce_type(),
        )
    )


async def forget_person_when_user_erased(uow: UnitOfWork, received: Received[UserErased]) -> None:
    await in_every_store(uow, received.payload.user_id, _forget)


SHARE = _handlers()
HANDLERS: Handlers = {
    **{cls: SHARE for cls in REGISTRY.values()},
    UserErased: [*SHARE, forget_person_when_user_erased],
}
