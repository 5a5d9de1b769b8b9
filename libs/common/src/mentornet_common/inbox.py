"""Inbox: a consumer records each event it handled in the same transaction as the effect.

A redelivered event finds its row and is skipped, so at-least-once delivery has exactly-once effects. The
consumer claims its events before handling them (:func:`claim`): one ``INSERT … ON CONFLICT DO NOTHING
RETURNING`` answers which are new and writes their rows at once; a handler that fails rolls its claim back
with its effect.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from sqlalchemy import Table, TextClause, bindparam, text
from sqlmodel import Field, SQLModel
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


# Rows claimed by one statement at most; a larger batch takes several.
CLAIM_ROWS = 64


@functools.cache
def _claim(count: int) -> TextClause:
    """Insert ``count`` inbox rows, skipping those that exist, and answer the ones inserted. The same SQL
    on SQLite (3.35 and later) and PostgreSQL, built once per row count; each time goes through its
    column's type."""
    values = ", ".join(f"(:c{n}, :s{n}, :e{n}, :t{n})" for n in range(count))
    sql = (
        f"INSERT INTO {_TABLE.name} (consumer, source, event_id, processed_at) VALUES {values} "
        "ON CONFLICT DO NOTHING RETURNING consumer, source, event_id"
    )
    return text(sql).bindparams(*(bindparam(f"t{n}", type_=_TABLE.c.processed_at.type) for n in range(count)))


async def claim(session: AsyncSession, keys: list[InboxKey]) -> set[InboxKey]:
    """Record ``keys`` as handled in the session's transaction and answer those that were not already:
    the events to handle now. One statement per :data:`CLAIM_ROWS` keys; the transaction must commit only
    once their effects are written (or roll back, which un-claims them)."""
    unique = list(dict.fromkeys(keys))
    now = datetime.now(UTC)
    claimed: set[InboxKey] = set()
    for first in range(0, len(unique), CLAIM_ROWS):
        chunk = unique[first : first + CLAIM_ROWS]
        params: dict[str, object] = {}
        for n, (consumer, source, event_id) in enumerate(chunk):
            params |= {f"c{n}": consumer, f"s{n}": source, f"e{n}": event_id, f"t{n}": now}
        rows = await session.exec(_claim(len(chunk)), params=params)  # type: ignore[call-overload]
        claimed |= {(c, s, e) for c, s, e in rows.all()}
    return claimed
