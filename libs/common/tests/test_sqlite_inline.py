"""SQLite calls run in the event loop's thread; another process's lock is waited out without blocking it."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import greenlet
import pytest
from prometheus_client import REGISTRY
from sqlmodel import select

from mentornet_common.inbox import InboxEntry
from mentornet_common.settings import CommonSettings
from mentornet_common.tenancy import TenantStores
from mentornet_devkit.pytest_plugin import isolated_settings

from .conftest import create_all

pytestmark = pytest.mark.integration


def entry(event_id: str) -> InboxEntry:
    return InboxEntry(consumer="c", source="/s", event_id=event_id, processed_at=datetime.now(UTC))


@pytest.fixture
async def stores(tmp_path: Path) -> AsyncIterator[TenantStores]:
    settings = isolated_settings(
        CommonSettings, {"data_dir": tmp_path, "database_url": ""}, sqlite_busy_timeout_ms=3000
    )
    stores = TenantStores(settings, create_all)
    await stores.provision("org_a")
    yield stores
    await stores.close()


def store_file(stores: TenantStores, tenant: str) -> str:
    return stores.url_for(tenant).split(":///", 1)[1]


def waits() -> float:
    return REGISTRY.get_sample_value("mentornet_sqlite_lock_waits_total") or 0.0


async def test_a_write_waits_for_another_processs_lock_while_the_event_loop_goes_on(
    stores: TenantStores,
) -> None:
    other = sqlite3.connect(store_file(stores, "org_a"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing the same store
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async def write() -> None:
        async with stores.writer("org_a") as session:
            session.add(entry("after-the-lock"))
            await session.commit()

    before = waits()
    ticker = asyncio.create_task(tick())
    writing = asyncio.create_task(write())
    await asyncio.sleep(0.3)
    assert not writing.done()  # still waiting for the lock...
    assert ticks >= 10  # ...and the loop was never held up meanwhile
    other.execute("COMMIT")
    await asyncio.wait_for(writing, 5)
    ticker.cancel()
    other.close()

    assert waits() > before
    async with stores.session("org_a") as session:
        assert (await session.exec(select(InboxEntry.event_id))).all() == ["after-the-lock"]


async def test_a_lock_held_past_the_busy_timeout_fails_as_locked(stores: TenantStores) -> None:
    other = sqlite3.connect(store_file(stores, "org_a"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Exception, match="database is locked"):
            async with stores.writer("org_a") as session:
                session.add(entry("never"))
                await session.commit()
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_writers_of_one_process_take_turns_without_polling(stores: TenantStores) -> None:
    before = waits()

    async def write(i: int) -> None:
        async with stores.writer("org_a") as session:
            session.add(entry(f"turn-{i}"))
            await asyncio.sleep(0.01)  # a writer that awaits something while holding the store
            await session.commit()

    await asyncio.gather(*(write(i) for i in range(10)))

    assert waits() == before
    async with stores.session("org_a") as session:
        assert len((await session.exec(select(InboxEntry.event_id))).all()) == 10


async def test_a_statement_on_a_free_store_runs_without_leaving_sqlalchemys_greenlet(
    stores: TenantStores,
) -> None:
    """SQLAlchemy's aiosqlite adapter awaits each call (cursor, execute, fetch, close) by switching to the
    event loop's greenlet and back; a call that completed at once needs no such round trip."""
    switches = 0

    def count(event: str, _args: object) -> None:
        nonlocal switches
        switches += event == "switch"

    async with stores.writer("org_a") as session:
        session.add(entry("first"))
        await session.flush()  # the connection is taken and the transaction begun before counting
        previous = greenlet.settrace(count)
        try:
            for n in range(20):
                session.add(entry(f"e{n}"))
                await session.flush()
                await session.exec(select(InboxEntry).where(InboxEntry.event_id == f"e{n}"))
        finally:
            greenlet.settrace(previous)
        await session.commit()
    # Each await of the session enters a greenlet and leaves it (2 switches); the statements add none.
    assert switches <= 2 * 40, switches
