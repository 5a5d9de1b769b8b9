"""Backup and restore of one org's stores, on SQLite and on PostgreSQL: the rows come back identical, and
every refusal (another org's archive, a newer schema, a tampered table, a store that holds rows) changes
nothing."""

from __future__ import annotations

import io
import json
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlmodel import select

from mentornet_common.backup import (
    FORMAT,
    RestoreRefused,
    dump_store,
    load_store,
    migrator_to,
    read_archive,
    row_counts,
    write_archive,
)
from mentornet_common.migrations import alembic_migrator, script_location
from mentornet_common.settings import CommonSettings
from mentornet_common.tenancy import TenantStores
from mentornet_devkit.pytest_plugin import isolated_settings

ORG = "org_backup"
NOW = datetime(2026, 12, 6, 9, 30, 15, 123456, tzinfo=UTC)


def settings_of(service: str, backend: dict[str, Any]) -> CommonSettings:
    prefix = backend.get("database_schema_prefix", "")
    # one database for the test: each service's schemas apart, as their own databases would keep them
    extra = {"database_schema_prefix": f"{prefix}{service[:3]}_"} if prefix else {}
    return isolated_settings(CommonSettings, backend, service_name=service, **extra)


async def fill(service: str, stores: TenantStores) -> None:
    """Rows of every kind of value a store keeps: texts, JSON, times, bytes, booleans, serial keys."""
    async with stores.writer(ORG) as session:
        if service == "streams":
            from streams.models import PartnerEvent, WebhookEndpoint

            for n in range(3):
                session.add(
                    PartnerEvent(
                        event_id=f"ev{n}",
                        ce_type="mentornet.ask-created.v1",
                        topic="mentornet.asks",
                        subject=f"ask_{n}",
                        time=NOW + timedelta(seconds=n),
                        data={"ask_id": f"ask_{n}", "skills": ["négociation", "🙂"], "n": n, "x": 0.5},
                        received_at=NOW,
                    )
                )
            session.add(
                WebhookEndpoint(
                    id="wh_1",
                    url="https://partner.example/hook",
                    event_types=["mentornet.ask-created.v1"],
                    secret="sealed:abc",
                    enabled=False,
                    disabled_reason="gone",
                    cursor=2,
                    created_by="usr_a",
                    created_at=NOW,
                )
            )
        else:
            from matching.models import Ask

            session.add(
                Ask(
                    id="ask_1",
                    mentee_id="usr_a",
                    mentee_org_id=ORG,
                    question='How do I push back?\nQuote "x"',
                    background="",
                    success_criteria="a plan",
                    skills=["negotiation"],
                    duration_minutes=30,
                    scope="consortium",
                    vector=bytes(range(256)),
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        await session.commit()


@pytest.mark.parametrize("service", ["streams", "matching"])
async def test_a_store_backed_up_dropped_and_restored_has_the_same_rows_and_goes_on(
    service: str, store_backend: dict[str, Any], tmp_path: Path
) -> None:
    settings = settings_of(service, store_backend)
    stores = TenantStores(settings, alembic_migrator(service))
    try:
        await stores.provision(ORG)
        await fill(service, stores)
        before = await dump_store(stores, service, ORG)
        assert sum(t.rows for t in before.tables) >= 1
        archive = tmp_path / "org.tar.gz"
        write_archive(archive, ORG, "backup", [before], NOW)
        assert archive.stat().st_mode & 0o077 == 0  # readable by its owner only

        await stores.drop(ORG)
        assert not await stores.exists(ORG)
        assert ORG not in await stores.tenants()

        (restored,) = read_archive(archive).dumps
        await load_store(settings, alembic_migrator(service), restored)
    finally:
        await stores.close()

    again = TenantStores(settings, alembic_migrator(service))
    try:
        assert ORG in await again.tenants()
        after = await dump_store(again, service, ORG)
        assert [(t.name, t.lines) for t in after.tables] == [(t.name, t.lines) for t in before.tables]
        assert after.revision == before.revision
        if service == "streams":
            from streams.models import PartnerEvent

            # a serial key goes on after the restored rows (PostgreSQL's sequence was advanced)
            async with again.writer(ORG) as session:
                event = PartnerEvent(
                    event_id="ev-new",
                    ce_type="t",
                    topic="t",
                    subject="s",
                    time=NOW,
                    data={},
                    received_at=NOW,
                )
                session.add(event)
                await session.commit()
                seqs = (await session.exec(select(PartnerEvent.seq))).all()
            assert sorted(s for s in seqs if s is not None) == [1, 2, 3, 4]
    finally:
        await again.close()


async def test_restore_refuses_a_store_that_holds_rows_and_changes_nothing(
    store_backend: dict[str, Any], tmp_path: Path
) -> None:
    settings = settings_of("matching", store_backend)
    stores = TenantStores(settings, alembic_migrator("matching"))
    try:
        await stores.provision(ORG)
        await fill("matching", stores)
        dump = await dump_store(stores, "matching", ORG)
        with pytest.raises(RestoreRefused, match="holds rows"):
            await load_store(settings, alembic_migrator("matching"), dump)
        assert (await row_counts(stores, ORG) or {})["ask"] == 1
    finally:
        await stores.close()


async def test_an_empty_store_is_restored_into(store_backend: dict[str, Any]) -> None:
    settings = settings_of("matching", store_backend)
    stores = TenantStores(settings, alembic_migrator("matching"))
    try:
        await stores.provision(ORG)
        await fill("matching", stores)
        dump = await dump_store(stores, "matching", ORG)
        await stores.drop(ORG)
        await stores.provision(ORG)  # provisioned again, as org-registered would: present and empty
        assert not any((await row_counts(stores, ORG) or {"-": 1}).values())
    finally:
        await stores.close()
    await load_store(settings, alembic_migrator("matching"), dump)
    again = TenantStores(settings, alembic_migrator("matching"))
    try:
        assert (await row_counts(again, ORG) or {})["ask"] == 1
    finally:
        await again.close()


async def test_an_archive_of_an_older_schema_is_restored_then_upgraded_to_head(
    store_backend: dict[str, Any],
) -> None:
    settings = settings_of("matching", store_backend)
    old = TenantStores(settings, migrator_to("matching", "0002"))
    try:
        await old.provision(ORG)  # a new store, at revision 0002 only
        dump = await dump_store(old, "matching", ORG)
        assert dump.revision == "0002"
        assert "idempotency_record" not in {t.name for t in dump.tables}  # 0003 adds it
        await old.drop(ORG)
    finally:
        await old.close()
    await load_store(settings, alembic_migrator("matching"), dump)
    stores = TenantStores(settings, alembic_migrator("matching"))
    try:
        after = await dump_store(stores, "matching", ORG)
        assert after.revision == ScriptDirectory(script_location("matching")).get_current_head()
        assert {"idempotency_record", "erased_person"} <= {t.name for t in after.tables}
    finally:
        await stores.close()


def test_a_sqlite_archive_restores_into_postgresql(postgres_url: str, tmp_path: Path) -> None:
    """One format for both engines: an org moving from the embedded default to PostgreSQL keeps its rows."""
    import asyncio
    import secrets

    from mentornet_devkit.pytest_plugin import drop_schemas

    async def move() -> None:
        sqlite = settings_of("streams", {"data_dir": tmp_path, "database_url": ""})
        stores = TenantStores(sqlite, alembic_migrator("streams"))
        try:
            await stores.provision(ORG)
            await fill("streams", stores)
            before = await dump_store(stores, "streams", ORG)
        finally:
            await stores.close()
        prefix = f"t{secrets.token_hex(4)}_"
        postgres = settings_of(
            "streams", {"data_dir": tmp_path, "database_url": postgres_url, "database_schema_prefix": prefix}
        )
        try:
            await load_store(postgres, alembic_migrator("streams"), before)
            target = TenantStores(postgres, alembic_migrator("streams"))
            try:
                after = await dump_store(target, "streams", ORG)
            finally:
                await target.close()
        finally:
            drop_schemas(prefix, postgres_url)
        assert (before.dialect, after.dialect) == ("sqlite", "postgresql")
        assert [(t.name, t.lines) for t in after.tables] == [(t.name, t.lines) for t in before.tables]

    asyncio.run(move())


async def test_a_tampered_or_foreign_archive_is_refused(tmp_path: Path) -> None:
    settings = settings_of("streams", {"data_dir": tmp_path, "database_url": ""})
    stores = TenantStores(settings, alembic_migrator("streams"))
    try:
        await stores.provision(ORG)
        await fill("streams", stores)
        dump = await dump_store(stores, "streams", ORG)
    finally:
        await stores.close()
    good = tmp_path / "good.tar.gz"
    write_archive(good, ORG, "backup", [dump], NOW)
    assert read_archive(good).manifest["format"] == FORMAT

    # one row changed in the table's file: its checksum no longer matches
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(good, "r:gz") as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            content = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "streams/webhook_endpoint.jsonl":
                content = content.replace(b"partner.example", b"attacker.example")
            member.size = len(content)
            target.addfile(member, io.BytesIO(content))
    with pytest.raises(RestoreRefused, match="does not match its checksum"):
        read_archive(tampered)

    # a schema revision this code does not know: made by a newer mentornet
    from mentornet_common.backup import check_revision

    with pytest.raises(RestoreRefused, match="unknown to this mentornet"):
        check_revision("streams", "0099")
    check_revision("streams", dump.revision)

    (tmp_path / "not.tar.gz").write_text("hello")
    with pytest.raises(RestoreRefused, match="not a mentornet archive"):
        read_archive(tmp_path / "not.tar.gz")
    with tarfile.open(good, "r:gz") as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["org"] == ORG and manifest["services"]["streams"]["tables"]["partner_event"]["rows"] == 3


async def test_a_dropped_store_is_never_made_again_by_the_process_that_dropped_it(
    store_backend: dict[str, Any],
) -> None:
    """An offboarded org's store is dropped inside the handler's transaction, before that transaction
    removes it from the registry: meanwhile the relay or a timer of the same process opening it would have
    made a new, empty one."""
    from mentornet_common.tenancy import CONSORTIUM, StoreTenant, UnknownTenant

    settings = settings_of("streams", store_backend)
    stores = TenantStores(settings, alembic_migrator("streams"))
    try:
        await stores.provision(ORG)
        await stores.drop_store(ORG)
        async with stores.session(CONSORTIUM) as session:
            assert await session.get(StoreTenant, ORG) is not None  # still registered
        with pytest.raises(UnknownTenant):
            await stores.ensure(ORG)
        assert not await stores.exists(ORG)
        assert ORG not in await stores.tenants()
        await stores.provision(ORG)  # registered again (restored): opened as any other
        assert await stores.exists(ORG) and ORG in await stores.tenants()
    finally:
        await stores.close()
