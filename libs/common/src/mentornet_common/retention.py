"""What a store keeps, and for how long: rows that served their purpose are purged by every worker.

- outbox rows already published: ``MENTORNET_OUTBOX_RETENTION_DAYS`` (7) after they were sent;
- inbox rows (what a consumer has handled, to skip a redelivery): ``MENTORNET_INBOX_RETENTION_DAYS`` (7)
  after they were handled — far longer than a broker redelivers anything.

A service adds timers of its own for its own logs (streams: partner events and webhook deliveries).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common.inbox import InboxEntry
from mentornet_common.outbox import OutboxMessage
from mentornet_common.settings import CommonSettings
from mentornet_common.timers import Timer
from mentornet_common.unit_of_work import UnitOfWork


def purge_timer(settings: CommonSettings) -> Timer:
    sent_for = timedelta(days=settings.outbox_retention_days)
    handled_for = timedelta(days=settings.inbox_retention_days)

    async def due(db: AsyncSession, tenant_id: str, now: datetime) -> list[str]:
        sent = await db.exec(
            select(OutboxMessage.id).where(col(OutboxMessage.sent_at) < now - sent_for).limit(1)
        )
        handled = await db.exec(
            select(InboxEntry.event_id).where(col(InboxEntry.processed_at) < now - handled_for).limit(1)
        )
        return ["expired"] if sent.first() is not None or handled.first() is not None else []

    async def purge(uow: UnitOfWork, _: str, now: datetime) -> bool:
        await uow.session.exec(delete(OutboxMessage).where(col(OutboxMessage.sent_at) < now - sent_for))
        await uow.session.exec(delete(InboxEntry).where(col(InboxEntry.processed_at) < now - handled_for))
        return True

    return Timer("purge_sent_outbox_and_old_inbox", due, purge)
