"""Inbox: a consumer records each event it handled in the same transaction as the effect.

A redelivered event finds its row and is skipped, so at-least-once delivery has exactly-once effects.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession


class InboxEntry(SQLModel, table=True):
    """One event one consumer has handled, keyed as (consumer, ce_source, ce_id)."""

    __tablename__ = "inbox"

    consumer: str = Field(primary_key=True, max_length=200)
    source: str = Field(primary_key=True, max_length=200)
    event_id: str = Field(primary_key=True, max_length=200)
    processed_at: datetime


async def already_handled(session: AsyncSession, consumer: str, source: str, event_id: str) -> bool:
    """Whether this consumer's effect of this event is already committed."""
    return await session.get(InboxEntry, (consumer, source, event_id)) is not None


def record_handled(session: AsyncSession, consumer: str, source: str, event_id: str) -> None:
    """Add the inbox row to the session's transaction."""
    session.add(
        InboxEntry(consumer=consumer, source=source, event_id=event_id, processed_at=datetime.now(UTC))
    )


InboxKey = tuple[str, str, str]


async def handled_among(session: AsyncSession, keys: list[InboxKey]) -> set[InboxKey]:
    """Which of ``keys`` (consumer, source, event id) are already handled: one query for a whole batch."""
    if not keys:
        return set()
    rows = await session.exec(
        select(InboxEntry.consumer, InboxEntry.source, InboxEntry.event_id).where(
            col(InboxEntry.event_id).in_(sorted({event_id for _, _, event_id in keys}))
        )
    )
    wanted = set(keys)
    return {key for key in ((c, s, e) for c, s, e in rows.all()) if key in wanted}
