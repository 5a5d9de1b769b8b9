"""Provisioning runs each service's real Alembic migrations; several orgs at once in one process."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from mentornet_common.migrations import alembic_migrator
from mentornet_common.settings import CommonSettings
from mentornet_common.tenancy import TenantStores
from mentornet_devkit.pytest_plugin import isolated_settings


@pytest.mark.parametrize("service", ["feedback", "matching"])
async def test_orgs_registered_at_the_same_moment_are_all_migrated(
    service: str, store_backend: dict[str, Any], tmp_path: Path
) -> None:
    """A worker handles partitions side by side, so two org-registered events may provision two stores at
    once in one process. Alembic's `op` and `context` are process-wide: run together, the migrations mixed
    up each other's steps ("table outbox already exists", KeyError 'script') and the org got no store."""
    settings = isolated_settings(CommonSettings, store_backend, service_name=service)
    stores = TenantStores(settings, alembic_migrator(service))
    orgs = [f"org_{n}" for n in range(4)]
    try:
        await asyncio.gather(*(stores.provision(org) for org in orgs))
        assert await stores.tenants() == ["consortium", *orgs]
        for org in orgs:
            async with stores.session(org) as session:
                assert (await session.exec(text("SELECT count(*) FROM outbox"))).one()[0] == 0  # type: ignore[call-overload]
    finally:
        await stores.close()
