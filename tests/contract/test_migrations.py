"""Every service's migrations bring an empty store to head, and head matches the service's models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from mentornet_common.migrations import alembic_migrator, model_drift, script_location, service_metadata
from mentornet_common.settings import CommonSettings
from mentornet_common.tenancy import TenantStores
from mentornet_devkit.pytest_plugin import isolated_settings

SERVICES = ["identity", "profiles", "matching", "sessions", "feedback", "streams"]


@pytest.mark.parametrize("service", SERVICES)
async def test_an_empty_store_upgrades_to_head_and_matches_the_models(
    service: str, store_backend: dict[str, Any]
) -> None:
    settings = isolated_settings(CommonSettings, store_backend, service_name=service)
    stores = TenantStores(settings, alembic_migrator(service))
    metadata = service_metadata(service)
    try:
        await stores.provision("org_fresh")
        async with stores.engine("org_fresh").connect() as connection:
            if (schema := stores.schema_for("org_fresh")) is not None:
                # Tenants share the pool; a transaction enters its tenant's schema (as TenantSession does).
                await connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
            drift = await connection.run_sync(lambda sync: model_drift(sync, metadata))
        assert drift == []
        assert {"outbox", "inbox", "store_tenant"} <= set(metadata.tables)
        await stores.close()
        await stores.provision("org_fresh")  # migrating again changes nothing
    finally:
        await stores.close()


async def test_the_directorys_entries_take_their_cards_names_when_the_name_column_arrives(
    store_backend: dict[str, Any],
) -> None:
    """Matching's 0006 adds the display name the directory is listed by: the entries a store already
    holds take their card's (a new one is written with it)."""
    target = ["0005"]

    def migrate(connection: Connection, schema: str | None) -> None:
        config = Config()
        config.set_main_option("script_location", script_location("matching"))
        config.attributes.update(connection=connection, schema=schema)
        command.upgrade(config, target[0])

    settings = isolated_settings(CommonSettings, store_backend, service_name="matching")
    stores = TenantStores(settings, migrate)
    schema = None

    def in_store(statement: str, **params: Any) -> list[tuple[Any, ...]]:
        def run(connection: Connection) -> list[tuple[Any, ...]]:
            if schema is not None:
                connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
            result = connection.execute(text(statement), params)
            return [tuple(row) for row in result] if result.returns_rows else []

        return run

    insert = (
        "INSERT INTO directory_entry (mentor_id, org_id, scope, card, updated_at) "
        "VALUES (:mentor_id, 'org_old', 'org', :card, :now)"
    )
    try:
        await stores.provision("org_old")
        schema = stores.schema_for("org_old")
        async with stores.engine("org_old").begin() as connection:
            # As SQLAlchemy writes a JSON column: json.dumps, non-ASCII letters escaped.
            cards = (("usr_named", json.dumps({"display_name": 'Zoë "Z" Ng'})), ("usr_unnamed", "{}"))
            for mentor_id, card in cards:
                await connection.run_sync(
                    in_store(insert, mentor_id=mentor_id, card=card, now=datetime.now(UTC))
                )
        await stores.close()
        target[0] = "head"
        await stores.provision("org_old")
        async with stores.engine("org_old").begin() as connection:
            found = await connection.run_sync(in_store("SELECT mentor_id, display_name FROM directory_entry"))
        assert sorted(found) == [("usr_named", 'Zoë "Z" Ng'), ("usr_unnamed", "")]
    finally:
        await stores.close()
