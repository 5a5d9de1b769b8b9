"""Every service's migrations bring an empty store to head, and head matches the service's models."""

from __future__ import annotations

from typing import Any

import pytest

from mentornet_common.migrations import alembic_migrator, model_drift, service_metadata
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
