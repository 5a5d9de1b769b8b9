"""Inbox: a consumer records each event it handled in the same transaction as the effect.

A redelivered event finds its row and is skipped, so at-least-once delivery has exactly-once effects.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Table, bindparam, insert
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession


class InboxEntry(SQLModel, table=True):
    """One event one consumer has handled, keyed as (consumer, ce_source, ce_id)."""

    __tablename__ = "inbox"

    consumer: str = Field(primary_key=True, max_length=200)
    source: str = Field(primary_key=True, max_length=200)
    event_id: str = Field(primary_key=True, max_length=200)
    processed_at: datetime


InboxKey = tuple[str, str, str]
_TABLE: Table = InboxEntry.__table__  # type: ignore[attr-defined]


async def already_handled(session: AsyncSession, consumer: str, source: str, event_id: str) -> bool:
    """Whether this consumer's effect of this event is already committed."""
    return bool(await handled_among(session, [(consumer, source, event_id)]))


async def record_handled(session: AsyncSession, keys: list[InboxKey]) -> None:
    """Write the inbox rows of ``keys`` in the session's transaction: one statement, not the ORM's unit of
    work (nothing in the transaction reads them back as objects)."""
    if keys:
        now = datetime.now(UTC)
        rows = [{"consumer": c, "source": s, "event_id": e, "processed_at": now} for c, s, e in keys]
        await session.exec(insert(_TABLE), params=rows)


# Built once: a Core statement on the table (no ORM entity to load) with the ids as one expanding
# parameter, so each batch's check is one cached statement whatever its size.
_HANDLED = select(_TABLE.c.consumer, _TABLE.c.source, _TABLE.c.event_id).where(
    _TABLE.c.event_id.in_(bindparam("event_ids", expanding=True))
)


async def handled_among(session: AsyncSession, keys: list[InboxKey]) -> set[InboxKey]:
    """Which of ``keys`` (consumer, source, event id) are already handled: one query for a whole batch."""
    if not keys:
        return set()
    ids = sorted({event_id for _, _, event_id in keys})
    rows = await session.exec(_HANDLED, params={"event_ids": ids})
    wanted = set(keys)
    return {key for key in ((c, s, e) for c, s, e in rows.all()) if key in wanted}
