"""The right to be forgotten, as each service carries it out on ``user-erased``.

A person's data can sit in any tenant store of a service (a mentee's question in the mentor's org's
copy of a session, a mentor's headline in a proposal's reasons at the mentee's org), so erasure visits
every store: each service deletes what is only about the person and blanks the free text they wrote
or that describes them, keeping ids, times and answers so that aggregates keep their counts; the answers
kept for Idempotency-Key replays that are theirs or mention them go too. Events the
outbox already published are deleted from the outbox when they mention the person (the copy on Kafka
ages out with the topic's retention; consumers act on ``user-erased``). Erasing twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlmodel import col, delete, or_
from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common.idempotency import IdempotencyRecord
from mentornet_common.outbox import OutboxMessage
from mentornet_common.unit_of_work import UnitOfWork

ERASED = ""
Erase = Callable[[AsyncSession, str], Awaitable[None]]


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
            await erase(session, user_id)
            await scrub_outbox(session, user_id)
            await scrub_replays(session, user_id)
            await session.commit()
    await erase(uow.session, user_id)
    await scrub_outbox(uow.session, user_id)
    await scrub_replays(uow.session, user_id)
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
    """Published events that mention the person leave the outbox (unsent ones still go out: they carry
    nothing the consumers will not erase on ``user-erased`` in turn)."""
    await session.exec(
        delete(OutboxMessage).where(
            col(OutboxMessage.sent_at).is_not(None), col(OutboxMessage.payload).contains(user_id)
        )
    )
