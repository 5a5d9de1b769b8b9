from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from mentornet_common.inbox import InboxEntry
from mentornet_common.runtime import Runtime
from mentornet_common.settings import CommonSettings
from mentornet_common.tenancy import CONSORTIUM, InvalidTenant, TenantStores, UnknownTenant
from mentornet_devkit.pytest_plugin import drop_schemas, isolated_settings

from .conftest import ORGS, create_all, register


def entry(event_id: str) -> InboxEntry:
    return InboxEntry(consumer="c", source="/s", event_id=event_id, processed_at=datetime.now(UTC))


async def test_one_tenants_rows_are_invisible_to_another(runtime: Runtime) -> None:
    async with runtime.unit_of_work("org_a") as uow:
        uow.session.add(entry("written-by-a"))
        await uow.commit()
    async with runtime.unit_of_work("org_b") as uow:
        uow.session.add(entry("written-by-b"))
        await uow.commit()

    async with runtime.stores.session("org_a") as session:
        seen_by_a = (await session.exec(select(InboxEntry.event_id))).all()
        assert await session.get(InboxEntry, ("c", "/s", "written-by-b")) is None
    async with runtime.stores.session("org_b") as session:
        seen_by_b = (await session.exec(select(InboxEntry.event_id))).all()
    async with runtime.stores.session(CONSORTIUM) as session:
        seen_by_consortium = (await session.exec(select(InboxEntry.event_id))).all()

    assert seen_by_a == ["written-by-a"]
    assert seen_by_b == ["written-by-b"]
    assert seen_by_consortium == []


async def test_updates_and_deletes_stay_in_their_tenant(runtime: Runtime) -> None:
    for tenant in ("org_a", "org_b"):
        async with runtime.unit_of_work(tenant) as uow:
            uow.session.add(entry("same-id"))
            await uow.commit()
    async with runtime.unit_of_work("org_a") as uow:
        row = await uow.session.get(InboxEntry, ("c", "/s", "same-id"))
        assert row is not None
        await uow.session.delete(row)
        await uow.commit()
    async with runtime.stores.session("org_b") as session:
        assert await session.get(InboxEntry, ("c", "/s", "same-id")) is not None


async def test_leaving_without_commit_rolls_back(runtime: Runtime) -> None:
    async with runtime.unit_of_work("org_a") as uow:
        uow.session.add(entry("never-committed"))
    async with runtime.stores.session("org_a") as session:
        assert (await session.exec(select(InboxEntry))).all() == []


async def test_provisioned_tenants_are_registered(runtime: Runtime) -> None:
    await runtime.stores.provision("org_b")
    await runtime.stores.provision("org_a")
    await runtime.stores.provision("org_a")
    assert await runtime.stores.tenants() == [CONSORTIUM, "org_a", "org_b"]


async def test_each_tenant_has_a_store_of_its_own(runtime: Runtime, settings: CommonSettings) -> None:
    a, b = runtime.stores.url_for("org_a"), runtime.stores.url_for("org_b")
    if settings.database_url:
        assert runtime.stores.schema_for("org_a") != runtime.stores.schema_for("org_b")
    else:
        assert a != b
        await runtime.stores.provision("org_a")
        assert await asyncio.to_thread(Path(a.split(":///", 1)[1]).exists)


@pytest.mark.parametrize("bad", ["", "ORG", "org-a", "org;drop", "../etc", "x" * 49])
def test_a_tenant_id_that_cannot_name_a_store_is_refused(bad: str, settings: CommonSettings) -> None:
    with pytest.raises(InvalidTenant):
        TenantStores(settings, create_all).url_for(bad)


async def test_a_member_can_keep_its_store_in_a_database_of_its_own(
    store_backend: dict[str, Any], tmp_path: Path
) -> None:
    own = tmp_path / "members-own-database.db"
    settings = isolated_settings(
        CommonSettings, store_backend, tenant_database_urls={"org_own": f"sqlite+aiosqlite:///{own}"}
    )
    runtime = Runtime(settings, create_all, sweep=False)
    try:
        await register(runtime, "org_own", "org_other")
        async with runtime.unit_of_work("org_own") as uow:
            uow.session.add(entry("kept-at-home"))
            await uow.commit()
        assert own.exists()
        async with runtime.stores.session("org_other") as session:
            assert (await session.exec(select(InboxEntry))).all() == []
    finally:
        await runtime.stop()


async def test_a_store_exists_only_for_an_org_that_was_provisioned(runtime: Runtime) -> None:
    """A tenant id named anywhere (an event, a path) used to get a store of its own on first use."""
    settings = runtime.settings
    for open_store in (runtime.stores.session, runtime.stores.writer):
        with pytest.raises(UnknownTenant):
            async with open_store("org_nobody"):
                pass
    assert "org_nobody" not in await runtime.stores.tenants()
    if not settings.database_url:
        assert not (settings.data_dir / settings.service_name / "org_nobody.db").exists()

    # Provisioning is idempotent, also when several callers do it at once; another process (stores of
    # its own over the same databases) then finds the org registered and opens its store.
    await asyncio.gather(*(runtime.stores.provision("org_new") for _ in range(5)))
    assert (await runtime.stores.tenants()).count("org_new") == 1
    elsewhere = TenantStores(settings, create_all)
    try:
        async with elsewhere.session("org_new") as session:
            assert (await session.exec(select(InboxEntry))).all() == []
    finally:
        await elsewhere.close()


async def test_on_postgresql_tenants_share_one_pool_and_a_transaction_sees_its_tenants_schema_only(
    postgres_url: str, tmp_path: Path
) -> None:
    prefix = f"t{secrets.token_hex(4)}_"
    backend = {"data_dir": tmp_path, "database_url": postgres_url, "database_schema_prefix": prefix}
    # One connection (and one more under a burst): every tenant's transactions take turns on it.
    settings = isolated_settings(CommonSettings, backend, database_pool_size=1)
    runtime = Runtime(settings, create_all, sweep=False)
    try:
        await runtime.start()
        await register(runtime)
        assert runtime.stores.engine("org_a") is runtime.stores.engine("org_b")
        for tenant in ORGS:
            async with runtime.unit_of_work(tenant) as uow:
                uow.session.add(entry(f"written-by-{tenant}"))
                await uow.commit()
        for _ in range(3):
            for tenant in ORGS:
                async with runtime.stores.session(tenant) as session:
                    path = (await session.exec(text("SHOW search_path"))).one()[0]  # type: ignore[call-overload]
                    rows = (await session.exec(text("SELECT event_id FROM inbox"))).all()  # type: ignore[call-overload]
                assert path == f"{prefix}{tenant}"
                assert [row[0] for row in rows] == [f"written-by-{tenant}"]
        # Back in the pool, a connection carries no tenant's schema to whoever takes it next.
        async with runtime.stores.engine("org_a").connect() as connection:
            path = (await connection.exec_driver_sql("SHOW search_path")).scalar()
        assert prefix not in str(path)
    finally:
        await runtime.stop()
        drop_schemas(prefix, postgres_url)
