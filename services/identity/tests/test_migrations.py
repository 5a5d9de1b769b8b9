from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import SQLModel

import identity.models  # noqa: F401
from identity.config import IdentitySettings
from mentornet_common.migrations import alembic_migrator, model_drift
from mentornet_common.tenancy import TenantStores
from mentornet_devkit.pytest_plugin import isolated_settings

pytestmark = pytest.mark.integration


async def test_an_empty_store_upgrades_to_head_and_matches_the_models(store_backend: dict[str, Any]) -> None:
    stores = TenantStores(isolated_settings(IdentitySettings, store_backend), alembic_migrator("identity"))
    try:
        await stores.provision("org_fresh")
        async with stores.engine("org_fresh").connect() as connection:
            drift = await connection.run_sync(lambda sync: model_drift(sync, SQLModel.metadata))
        assert drift == []
        # Migrating again is a no-op.
        await stores.close()
        await stores.provision("org_fresh")
    finally:
        await stores.close()
