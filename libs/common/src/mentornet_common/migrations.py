"""Alembic, per service, applied to every tenant store.

Each service keeps its migrations in ``<service>/migrations`` (inside the package, so the image carries
them). Every store of a service has the same schema; which tables hold rows depends on whether the store
is a tenant's or the consortium's.

Make a new revision after changing a service's models:
``python -m mentornet_common.migrations revision identity "add api client expiry"``
"""

from __future__ import annotations

import importlib
import sys
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, create_engine
from sqlalchemy.engine import Connection

# Every store carries the common tables; importing them registers them with SQLModel's metadata.
from mentornet_common import erasure, idempotency, inbox, outbox, tenancy
from mentornet_common.tenancy import Migrator, TenantStores


def script_location(package: str) -> str:
    """The migrations folder of a service package."""
    return str(resources.files(package) / "migrations")


def _config(location: str) -> Config:
    config = Config()
    config.set_main_option("script_location", location)
    return config


def alembic_migrator(package: str) -> Migrator:
    """A Migrator that upgrades a store to the newest revision of ``package``'s migrations.

    A store already at head (migrated by another process, the usual case once an org is registered) is
    recognised by one read of its version table; the migration scripts are read once per process."""
    location = script_location(package)
    heads: list[str | None] = []

    def migrate(connection: Connection, schema: str | None) -> None:
        config = _config(location)
        if not heads:
            heads.append(ScriptDirectory.from_config(config).get_current_head())
        current = MigrationContext.configure(connection, opts={"version_table_schema": schema})
        if current.get_current_revision() == heads[0]:
            return
        config.attributes["connection"] = connection
        config.attributes["schema"] = schema
        command.upgrade(config, "head")

    return migrate


def run_env(context: Any, metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py``."""
    connection: Connection | None = context.config.attributes.get("connection")
    if connection is not None:
        _run(context, connection, metadata, context.config.attributes.get("schema"))
        return
    # From the command line (autogenerate): a scratch database named by sqlalchemy.url.
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as scratch:
        _run(context, scratch, metadata, None)


def _run(context: Any, connection: Connection, metadata: MetaData, schema: str | None) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table_schema=schema,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def service_metadata(package: str) -> MetaData:
    """The tables one service's stores hold: its own models' and the common ones."""
    modules = [importlib.import_module(f"{package}.models"), inbox, outbox, tenancy, idempotency, erasure]
    metadata = MetaData()
    for module in modules:
        for value in vars(module).values():
            table = getattr(value, "__table__", None)
            if isinstance(table, Table) and getattr(value, "__module__", None) == module.__name__:
                table.to_metadata(metadata)
    return metadata


def model_drift(connection: Connection, metadata: MetaData) -> list[Any]:
    """What the models have that the migrated store lacks (or the reverse); empty when they agree."""
    migration_context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(migration_context, metadata))


async def migrate_all(stores: TenantStores, progress: Callable[[str], None] = lambda _: None) -> int:
    """Upgrade the consortium store and every provisioned tenant store to head; return how many."""
    tenants = await stores.tenants()  # migrates the consortium store first
    for tenant in tenants:
        await stores.ensure(tenant)
        progress(tenant)
    return len(tenants)


def make_revision(package: str, message: str) -> None:
    """Autogenerate a revision of ``package`` from the difference between its models and head."""
    location = script_location(package)
    with tempfile.TemporaryDirectory() as scratch:
        config = _config(location)
        config.set_main_option("sqlalchemy.url", f"sqlite:///{Path(scratch) / 'head.db'}")
        command.upgrade(config, "head")
        command.revision(config, message=message, autogenerate=True)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "revision":
        sys.exit("usage: python -m mentornet_common.migrations revision <service-package> <message>")
    make_revision(sys.argv[2], sys.argv[3])
