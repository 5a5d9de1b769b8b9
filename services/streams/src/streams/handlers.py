"""Streams' consumers: every event, minimized, into the store of every member org it concerns.

An org's partners see an event when the org owns it (``ce_tenantid``) or one of its people takes part
(``org_id``, ``mentee_org_id``, ``mentor_org_id``). What they see is minimized: ids, types, times,
statuses, ratings and answers — never free text, cards, free time, or answers someone shared with one
person (``WITHHELD`` in partner.py). ``user-erased`` reaches partners too, and takes the person's earlier
partner records, in every org's store, with it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, cast
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common.consumer import Handlers, Received, in_store, may_write, parties
from mentornet_common.contracts import (
    REGISTRY,
    ClientRevoked,
    OrgOffboarded,
    OrgResumed,
    OrgSuspended,
    UserErased,
)
from mentornet_common.erasure import erased_among, erases, in_every_store, people, take_turns
from mentornet_common.offboarding import forget_org
from mentornet_common.rows import insert_new
from mentornet_common.tenancy import CONSORTIUM
from mentornet_common.unit_of_work import UnitOfWork
from streams.models import PartnerEvent, WebhookEndpoint
from streams.partner import minimized


def involved(received: Received[Any]) -> list[str]:
    """The orgs whose partners may see an event: its owner, then the orgs of the people in it — those only
    when its owner takes part too (mentornet_common.consumer.may_write: a forged tenant reaches nobody)."""
    orgs = [received.envelope.tenant_id or CONSORTIUM]
    orgs += [org for org in sorted(parties(received)) if may_write(received, org)]
    return list(dict.fromkeys(orgs))


async def _record(session: AsyncSession, received: Received[Any]) -> None:
    """Record the event once (a redelivery, or a retry after another store failed, finds it there)."""
    envelope = received.envelope
    await insert_new(
        session,
        PartnerEvent,
        event_id=envelope.id,
        ce_type=envelope.type,
        topic=type(received.payload).topic,
        subject=envelope.subject,
        time=envelope.time,
        data=minimized(received.payload.model_dump(mode="json")),
        received_at=datetime.now(UTC),
    )


async def share_with_partners_when_event_arrives(uow: UnitOfWork, received: Received[Any]) -> None:
    """One handler for every event: the owner's store in its unit of work, each other involved org's in a
    transaction of its own (recording is idempotent, so a retry after a failure is safe)."""
    for org in involved(received):
        if org == uow.tenant_id:
            # An event naming someone erased here is forgotten again before this commits (the consumer).
            await _record(uow.session, received)
            continue
        async with uow.stores.writer(org) as session:
            if not await _erased_here(session, received):
                await _record(session, received)
                await session.commit()


async def _erased_here(session: AsyncSession, received: Received[Any]) -> bool:
    """Whether an event names someone erased in another org's store, which the consumer does not watch: it
    arrived after their erasure, and that org's partners are not given it."""
    if isinstance(received.payload, UserErased):
        return False  # the erasure itself reaches partners
    await take_turns(session, erasing=False)  # an erasure of this store goes before or after
    return bool(await erased_among(session, people(received.payload)))


async def _forget(session: AsyncSession, user_id: str) -> None:
    """The person's earlier records go, in every org's store; the erasure itself stays for partners."""
    await session.exec(
        delete(PartnerEvent).where(
            cast(col(PartnerEvent.data), String).contains(user_id),
            col(PartnerEvent.ce_type) != UserErased.ce_type(),
        )
    )


@erases(_forget)
async def forget_person_when_user_erased(uow: UnitOfWork, received: Received[UserErased]) -> None:
    await in_every_store(uow, received.payload.user_id, _forget)


async def stop_webhooks_when_client_revoked(uow: UnitOfWork, received: Received[ClientRevoked]) -> None:
    """The endpoints a revoked API client registered stop delivering (an org admin may re-enable one)."""
    client = received.payload
    if uow.tenant_id != client.org_id:
        return  # a client's endpoints live in its own org's store, and only that org may revoke it
    endpoints = await uow.session.exec(
        select(WebhookEndpoint).where(
            WebhookEndpoint.created_by == f"client:{client.client_id}", col(WebhookEndpoint.enabled).is_(True)
        )
    )
    for endpoint in endpoints.all():
        endpoint.enabled = False
        endpoint.disabled_reason = (
            f"registered by API client {client.client_id}, which the org revoked at "
            f"{client.revoked_at.isoformat()}; an org admin may re-enable it"
        )
        uow.session.add(endpoint)


# What a suspension writes on the endpoints it paused, so that resuming re-enables those and no other.
PAUSED_BY_SUSPENSION = "paused while the consortium has the org suspended; resumed with the org"


async def pause_webhooks_when_org_suspended(uow: UnitOfWork, received: Received[OrgSuspended]) -> None:
    """A suspended org's enabled endpoints stop delivering; what they miss waits for the org's resumption."""
    if uow.tenant_id != received.payload.org_id:
        return  # only identity suspends an org, announcing it as the org's own event
    endpoints = await uow.session.exec(select(WebhookEndpoint).where(col(WebhookEndpoint.enabled).is_(True)))
    for endpoint in endpoints.all():
        endpoint.enabled, endpoint.disabled_reason = False, PAUSED_BY_SUSPENSION
        uow.session.add(endpoint)


async def resume_webhooks_when_org_resumed(uow: UnitOfWork, received: Received[OrgResumed]) -> None:
    """The endpoints the suspension paused deliver again, from where they stopped; ones the org or an
    operator disabled for another reason stay disabled."""
    if uow.tenant_id != received.payload.org_id:
        return
    paused = await uow.session.exec(
        select(WebhookEndpoint).where(WebhookEndpoint.disabled_reason == PAUSED_BY_SUSPENSION)
    )
    for endpoint in paused.all():
        endpoint.enabled, endpoint.disabled_reason = True, None
        uow.session.add(endpoint)


@in_store(lambda _: CONSORTIUM)
async def forget_org_when_org_offboarded(uow: UnitOfWork, received: Received[OrgOffboarded]) -> None:
    """The org's store goes, and the consortium's rows about it; its people are erased everywhere."""
    await forget_org(uow, received.payload, _forget)


HANDLERS: Handlers = {
    **{cls: [share_with_partners_when_event_arrives] for cls in REGISTRY.values()},
    UserErased: [share_with_partners_when_event_arrives, forget_person_when_user_erased],
    ClientRevoked: [share_with_partners_when_event_arrives, stop_webhooks_when_client_revoked],
    OrgSuspended: [share_with_partners_when_event_arrives, pause_webhooks_when_org_suspended],
    OrgResumed: [share_with_partners_when_event_arrives, resume_webhooks_when_org_resumed],
    # not shared: the org's partners leave with it
    OrgOffboarded: [forget_org_when_org_offboarded],
}
