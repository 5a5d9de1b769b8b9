from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import mentornet_common.inbox
import mentornet_common.outbox
import mentornet_common.tenancy  # noqa: F401
from mentornet_common.runtime import Runtime
from mentornet_common.settings import CommonSettings
from mentornet_devkit.pytest_plugin import isolated_settings


def create_all(connection: Connection, _schema: str | None) -> None:
    """The common tables only; services' own tests use their Alembic migrations."""
    SQLModel.metadata.create_all(connection)


@pytest.fixture
def settings(store_backend: dict[str, Any], topic_prefix: str) -> CommonSettings:
    return isolated_settings(CommonSettings, store_backend, service_name="probe", topic_prefix=topic_prefix)


# The member orgs these tests act for: registered, so their stores are provisioned (as identity's
# org-registered would have them); any other tenant id has no store.
ORGS = ("org_a", "org_b")


async def register(runtime: Runtime, *orgs: str) -> None:
    for org in orgs or ORGS:
        await runtime.stores.provision(org)


@pytest.fixture
async def runtime(settings: CommonSettings) -> AsyncIterator[Runtime]:
    built = Runtime(settings, create_all, sweep=False)
    await built.stores.ensure("consortium")
    await register(built)
    yield built
    await built.stop()
