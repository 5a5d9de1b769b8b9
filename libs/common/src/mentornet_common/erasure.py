"""The right to be forgotten, as each service carries it out on ``user-erased``.

A person's data can sit in any tenant store of a service (a mentee's question in the mentor's org's
copy of a session, a mentor's headline in a proposal's reasons at the mentee's org), so erasure visits
every store: each service deletes what is only about the person and blanks the free text they wrote
or that describes them, keeping ids, times and answers so that aggregates keep their counts; the answers
kept for Idempotency-Key replays that are theirs or mention them go too. Events the
outbox already published are deleted from the outbox when they mention the person; those not yet published
still go out (what they report still counts) and are deleted, not kept, once the broker has them. The copy
on Kafka ages out with the topic's retention; consumers act on ``user-erased``. Erasing twice changes
nothing.

Events about the person can still arrive after ``user-erased``: it travels on identity's topic, and nothing
orders it with the others (an event the person's own org had not yet published, a redelivery, a dead letter
replayed). So each store visited also keeps the person's id in ``erased_person`` — an id, nothing they
wrote or were called — and the consumer, after running a group's handlers for an event naming someone
listed there (:data:`PERSON_FIELDS`), erases them again (what the group's ``user-erased`` handler is marked
with, :func:`erases`) in the same transaction: a late event leaves no words behind. The list is kept
for as long as the store.

On SQLite a store's writers take turns, so a late event is handled wholly before or wholly after an erasure in
that store. On PostgreSQL (READ COMMITTED) two transactions do not see each other's uncommitted rows: an
erasure could miss the words of an event being handled at that moment, whose check had not seen the
erasure either. So there they take turns too, on an advisory lock of the store (:func:`take_turns`): an
erasure holds it alone, a consumer's transaction that may write a person's words shares it, taking it before
its inbox claim reads the list.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import TextClause, text, update
from sqlmodel import Field, SQLModel, col, delete, or_
from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common.idempotency import IdempotencyRecord
from mentornet_common.outbox import OutboxMessage
from mentornet_common.rows import dialect, insert_new
from mentornet_common.tenancy import SCHEMA
from mentornet_common.unit_of_work import UnitOfWork

ERASED = ""
Erase = Callable[[AsyncSession, str], Awaitable[None]]

F = TypeVar("F", bound=Callable[..., Awaitable[None]])


def erases(erase: Erase) -> Callable[[F], F]:
    """Marks a group's ``user-erased`` handler with what it erases in one store, for the consumer to erase
    again whenever a later event names someone erased (the consumer refuses a group whose ``user-erased``
    handler does not say)."""

    def mark(handler: F) -> F:
        handler.erase = erase  # type: ignore[attr-defined]
        return handler

    return mark


def erase_of(handlers: Iterable[Callable[..., Any]]) -> Erase | None:
    """What the ``user-erased`` handlers among ``handlers`` erase in one store (None: none says)."""
    for handler in handlers:
        erase: Erase | None = getattr(handler, "erase", None)
        if erase is not None:
            return erase
    return None


# The fields of an event's payload that name a person (a contract test keeps the list complete).
PERSON_FIELDS = ("user_id", "mentee_id", "mentor_id", "author_id", "absent_id")


class ErasedPerson(SQLModel, table=True):
    """Someone erased while this store was there: a late event naming them is erased again on arrival."""

    __tablename__ = "erased_person"

    user_id: str = Field(primary_key=True, max_length=64)
    erased_at: datetime


def people(payload: object) -> set[str]:
    """The people an event's payload names."""
    fields = _person_fields(type(payload))
    if fields is None:  # not a model: look at the object itself
        return {str(value) for field in PERSON_FIELDS if (value := getattr(payload, field, None))}
    return {str(value) for field in fields if (value := getattr(payload, field))}


def _person_fields(kind: type) -> tuple[str, ...] | None:
    """Which of PERSON_FIELDS a model class has (asking a model for a field it lacks raises inside: slow, and
    every consumer transaction asks); None for a class that is not a model."""
    if kind not in _FIELDS:
        fields = getattr(kind, "model_fields", None)
        _FIELDS[kind] = (
            tuple(field for field in PERSON_FIELDS if field in fields) if isinstance(fields, dict) else None
        )
    return _FIELDS[kind]


_FIELDS: dict[type, tuple[str, ...] | None] = {}


@functools.cache
def _erased_among(count: int) -> TextClause:
    """Which of ``count`` ids are listed: built once per count (it runs in every consumer transaction)."""
    ids = ", ".join(f":u{n}" for n in range(count))
    return text(f"SELECT user_id FROM {ErasedPerson.__tablename__} WHERE user_id IN ({ids})")


async def erased_among(session: AsyncSession, user_ids: Iterable[str]) -> list[str]:
    """Which of ``user_ids`` were erased while this store was there."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return []
    statement = _erased_among(len(wanted))
    found = await session.exec(statement, params={f"u{n}": user_id for n, user_id in enumerate(wanted)})  # type: ignore[call-overload]
    return [str(user_id) for (user_id,) in found.all()]


# An advisory lock per store (PostgreSQL): the first key names mentornet's erasure, the second the store.
_ERASURE_LOCKS = 0x6D6E6572
LOCK_TIMEOUT = "10s"


async def take_turns(session: AsyncSession, *, erasing: bool) -> None:
    """On PostgreSQL, take the store's erasure lock for the rest of the transaction: alone to erase (waiting
    for the transactions that share it to commit, so that their rows are seen), shared to handle events
    (waiting for an erasure in progress to commit, so that its list is seen). Nothing on SQLite, whose writers
    take turns already. Take it before reading anything the turn is about."""
    if dialect(session) != "postgresql":
        return
    store = str(session.info.get(SCHEMA) or "public")
    lock = "pg_advisory_xact_lock" if erasing else "pg_advisory_xact_lock_shared"
    key = zlib.crc32(store.encode()) - 2**31  # a signed 32-bit integer
    # A bounded wait: a transaction that holds one store's turn while it waits for another's (streams
    # records an event in every org it concerns) could otherwise wait forever in a cycle PostgreSQL cannot
    # see; "lock not available" is a transient failure, rolled back and tried again.
    statement = f"SELECT set_config('lock_timeout', :timeout, true), {lock}(:space, :key)"
    params = {"timeout": LOCK_TIMEOUT, "space": _ERASURE_LOCKS, "key": key}
    await session.exec(text(statement), params=params)  # type: ignore[call-overload]


async def erase_in(session: AsyncSession, user_id: str, erase: Erase, *, take_turn: bool = True) -> None:
    """Everything erasure does in one store, in ``session``'s transaction (``take_turn``: False where the
    transaction already holds the store's lock, shared, as a consumer's does)."""
    if take_turn:
        await take_turns(session, erasing=True)
    await erase(session, user_id)
    await scrub_outbox(session, user_id)
    await scrub_replays(session, user_id)
    await insert_new(session, ErasedPerson, user_id=user_id, erased_at=datetime.now(UTC))


async def in_every_store(uow: UnitOfWork, user_id: str, erase: Erase) -> int:
    """Run ``erase(session, user_id)`` in every tenant store — the handler's own store inside its unit of
    work, every other one in a transaction of its own — and delete published outbox rows that mention the
    person. Answers how many stores were visited. A failure leaves the event to be retried: every step
    is idempotent."""
    tenants = await uow.stores.tenants()
    for tenant in tenants:
        if tenant == uow.tenant_id:
            continue
        async with uow.stores.writer(tenant) as session:
            await erase_in(session, user_id, erase)
            await session.commit()
    await erase_in(uow.session, user_id, erase)
    return len(tenants)


async def scrub_replays(session: AsyncSession, user_id: str) -> None:
    """The answers kept for Idempotency-Key replays go too: the person's own (their words, as the API
    answered them), a portal's made for them, and any other that mentions them."""
    await session.exec(
        delete(IdempotencyRecord).where(
            or_(
                col(IdempotencyRecord.caller) == f"user:{user_id}",
                col(IdempotencyRecord.caller).startswith(f"user:{user_id}@"),
                col(IdempotencyRecord.body).contains(user_id),
            )
        )
    )


async def scrub_outbox(session: AsyncSession, user_id: str) -> None:
    """Published events that mention the person leave the outbox. Unsent ones still go out (the consumers
    erase what they carry again on arrival, see above) and leave it as the relay marks them sent.

    Unsent rows are flagged first: a row the relay marks sent meanwhile is then no longer unsent, and the
    delete that follows, reading afresh, takes it."""
    mentions = col(OutboxMessage.payload).contains(user_id)
    await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.sent_at).is_(None), mentions)
        .values(erase_when_sent=True)
    )
    await session.exec(delete(OutboxMessage).where(col(OutboxMessage.sent_at).is_not(None), mentions))
