"""Streams' durable timers: each org's enabled webhook endpoints get deliveries queued for the events past
their cursor (webhooks.py sends them), and old events and finished deliveries leave the feed and the log."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common.timers import Timer
from mentornet_common.unit_of_work import UnitOfWork
from streams.config import StreamsSettings
from streams.models import PartnerEvent, WebhookDelivery, WebhookEndpoint
from streams.webhooks import wants


async def _endpoints_behind(db: AsyncSession, tenant_id: str, now: datetime) -> list[str]:
    newest = (await db.exec(select(PartnerEvent.seq).order_by(col(PartnerEvent.seq).desc()).limit(1))).first()
    if newest is None:
        return []
    query = select(WebhookEndpoint.id).where(
        col(WebhookEndpoint.enabled).is_(True), WebhookEndpoint.cursor < newest
    )
    return list((await db.exec(query)).all())


async def _queue(uow: UnitOfWork, endpoint_id: str, now: datetime) -> bool:
    endpoint = await uow.session.get(WebhookEndpoint, endpoint_id, with_for_update=True)
    if endpoint is None or not endpoint.enabled:
        return False
    events = (
        await uow.session.exec(
            select(PartnerEvent)
            .where(col(PartnerEvent.seq) > endpoint.cursor)
            .order_by(col(PartnerEvent.seq))
            .limit(500)
        )
    ).all()
    for event in events:
        assert event.seq is not None
        if wants(endpoint, event.ce_type):
            uow.session.add(
                WebhookDelivery(
                    id=f"dlv_{secrets.token_hex(8)}",
                    endpoint_id=endpoint.id,
                    seq=event.seq,
                    event_id=event.event_id,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        endpoint.cursor = event.seq
    uow.session.add(endpoint)
    return bool(events)


QUEUE = Timer("queue_webhook_deliveries", _endpoints_behind, _queue)


def retention_timer(event_days: float, delivery_days: float) -> Timer:
    """Finished deliveries leave the log after ``delivery_days``; events leave the feed after
    ``event_days``, unless a delivery still pending needs them."""
    events_for, deliveries_for = timedelta(days=event_days), timedelta(days=delivery_days)

    def _old_deliveries(now: datetime) -> Any:
        return (
            col(WebhookDelivery.status) != "pending",
            col(WebhookDelivery.created_at) < now - deliveries_for,
        )

    def _old_events(now: datetime) -> Any:
        pending = select(WebhookDelivery.seq).where(WebhookDelivery.status == "pending")
        return (col(PartnerEvent.received_at) < now - events_for, col(PartnerEvent.seq).not_in(pending))

    async def due(db: AsyncSession, tenant_id: str, now: datetime) -> list[str]:
        deliveries = await db.exec(select(WebhookDelivery.id).where(*_old_deliveries(now)).limit(1))
        events = await db.exec(select(PartnerEvent.seq).where(*_old_events(now)).limit(1))
        return ["expired"] if deliveries.first() is not None or events.first() is not None else []

    async def purge(uow: UnitOfWork, _: str, now: datetime) -> bool:
        await uow.session.exec(delete(WebhookDelivery).where(*_old_deliveries(now)))
        await uow.session.exec(delete(PartnerEvent).where(*_old_events(now)))
        return True

    return Timer("purge_old_partner_events_and_deliveries", due, purge)


def timers(settings: StreamsSettings) -> list[Timer]:
    """What streams' worker runs."""
    return [
        QUEUE,
        replace(
            retention_timer(settings.partner_event_retention_days, settings.delivery_log_retention_days),
            interval_s=settings.purge_interval_s,
        ),
    ]
