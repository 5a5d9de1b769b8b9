"""Erasure and a late event handled at the same moment, in the same store.

SQLite's writers take turns on their own; on PostgreSQL (READ COMMITTED) neither transaction sees the other's
uncommitted rows, so without the erasure lock an erasure that runs while a late event's transaction is open
finds nothing of what that event is writing, and the event's check found nobody erased: its words stay.
"""

from __future__ import annotations

import asyncio

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common.consumer import Consumer, Received
from mentornet_common.contracts import AskCreated, UserErased
from mentornet_common.erasure import erase_in, erases
from mentornet_common.outbox import OutboxMessage
from mentornet_common.runtime import Runtime
from mentornet_common.unit_of_work import UnitOfWork
from mentornet_devkit.testing import deliver

from .kafka_helpers import ask_created


async def _erase(session: AsyncSession, user_id: str) -> None:
    """This group's erasure: every event row that names the person goes."""
    await session.exec(delete(OutboxMessage).where(col(OutboxMessage.payload).contains(user_id)))


@erases(_erase)
async def _forget(uow: UnitOfWork, received: Received[UserErased]) -> None:
    """Not run here: the test erases by hand, while the handler below is half-way."""


async def test_an_erasure_waits_for_a_late_event_being_handled_and_then_erases_what_it_wrote(
    runtime: Runtime,
) -> None:
    written, release = asyncio.Event(), asyncio.Event()

    async def handle_slowly(uow: UnitOfWork, received: Received[AskCreated]) -> None:
        uow.publish(received.payload)  # a row that names the mentee, usr_1
        await uow.session.flush()
        written.set()
        await release.wait()

    consumer = Consumer(runtime, "slow", {UserErased: [_forget], AskCreated: [handle_slowly]})
    handling = asyncio.create_task(deliver(consumer, ask_created("ask_late"), "org_a"))
    await asyncio.wait_for(written.wait(), 10)

    async def erasure() -> None:
        async with runtime.stores.writer("org_a") as session:
            await erase_in(session, "usr_1", _erase)
            await session.commit()

    erasing = asyncio.create_task(erasure())
    await asyncio.sleep(0.3)  # the erasure has started, and waits for the store's turn
    erased_first = erasing.done()
    release.set()
    await asyncio.wait_for(asyncio.gather(handling, erasing), 30)

    async with runtime.stores.session("org_a") as session:
        left = (await session.exec(select(OutboxMessage))).all()
    assert [row.ce_subject for row in left] == []
    assert not erased_first, (
        "the erasure did not wait for the transaction that was writing the person's words"
    )
