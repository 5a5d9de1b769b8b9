"""Inbox: a consumer records each event it handled in the same transaction as the effect.

A redelivered event finds its row and is skipped, so at-least-once delivery has exactly-once effects. The
consumer claims its events before handling them (:func:`claim`): one ``INSERT … ON CONFLICT DO NOTHING
RETURNING`` answers which are new and writes their rows at once; a handler that fails rolls its claim back
with its effect. The same statement answers whether any of the people the events name was erased in the
store (:mod:`mentornet_common.erasure`), so that a consumer's transaction pays no second round trip to know.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Table, TextClause, bindparam, text
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common.erasure import ErasedPerson


class InboxEntry(SQLModel, table=True):
    """One event one consumer has handled, keyed as (consumer, ce_source, ce_id)."""

    __tablename__ = "inbox"

    consumer: str = Field(primary_key=True, max_length=200)
    source: str = Field(primary_key=True, max_length=200)
    event_id: str = Field(primary_key=True, max_length=200)
    processed_at: datetime = Field(index=True)  # retention's question, every few minutes in every store


InboxKey = tuple[str, str, str]
_TABLE: Table = InboxEntry.__table__  # type: ignore[attr-defined]


# Rows claimed by one statement at most; a larger batch takes several.
CLAIM_ROWS = 64


@functools.cache
def _claim(count: int, people: int) -> TextClause:
    """Insert ``count`` inbox rows, skipping those that exist, and answer the ones inserted, each with
    whether any of ``people`` ids is listed as erased. The same SQL on SQLite (3.35 and later) and
    PostgreSQL, built once per shape; each time goes through its column's type."""
    values = ", ".join(f"(:c{n}, :s{n}, :e{n}, :t{n})" for n in range(count))
    ids = ", ".join(f":p{n}" for n in range(people)) or "NULL"
    erased = f"EXISTS (SELECT 1 FROM {ErasedPerson.__tablename__} WHERE user_id IN ({ids}))"
    sql = (
        f"INSERT INTO {_TABLE.name} (consumer, source, event_id, processed_at) VALUES {values} "
        f"ON CONFLICT DO NOTHING RETURNING consumer, source, event_id, {erased}"
    )
    return text(sql).bindparams(*(bindparam(f"t{n}", type_=_TABLE.c.processed_at.type) for n in range(count)))


async def claim(
    session: AsyncSession, keys: list[InboxKey], people: Iterable[str] = ()
) -> tuple[set[InboxKey], bool]:
    """Record ``keys`` as handled in the session's transaction and answer those that were not already (the
    events to handle now), and whether any of ``people`` was erased in this store (asked only when something
    was claimed: nothing else will be handled). One statement per :data:`CLAIM_ROWS` keys; the transaction
    must commit only once their effects are written (or roll back, which un-claims them)."""
    unique = list(dict.fromkeys(keys))
    named = sorted(set(people))
    if named:  # as many slots as the next power of two, the last id repeated: few shapes of statement
        named += named[-1:] * ((1 << (len(named) - 1).bit_length()) - len(named))
    now = datetime.now(UTC)
    claimed: set[InboxKey] = set()
    erased = False
    for first in range(0, len(unique), CLAIM_ROWS):
        chunk = unique[first : first + CLAIM_ROWS]
        params: dict[str, object] = {f"p{n}": person for n, person in enumerate(named)}
        for n, (consumer, source, event_id) in enumerate(chunk):
            params |= {f"c{n}": consumer, f"s{n}": source, f"e{n}": event_id, f"t{n}": now}
        rows = await session.exec(_claim(len(chunk), len(named)), params=params)  # type: ignore[call-overload]
        for consumer, source, event_id, listed in rows.all():
            claimed.add((consumer, source, event_id))
            erased = erased or bool(listed)
    return claimed, erased
