"""Tenant stores: every session is bound to exactly one tenant's store.

A member org is a tenant. Its rows live in a store of its own: an SQLite file in the embedded default, a
PostgreSQL schema in production, or any database the member names (``MENTORNET_TENANT_DATABASE_URLS``).
Consortium-scope data (the org registry, the federated directory) lives in the store named
``consortium``. There is no session that sees two stores, so no query can span tenants.

A store exists only for an org someone who may vouch for it named: identity when it registers the org,
every service's consumer when ``org-registered`` arrives, an API process for the org of a token identity
signed, and an operator's ``mentornet tenants provision``. Any other mention of a tenant — an event naming
an org nobody registered — finds no store (:class:`UnknownTenant`) and creates none.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import re
import sqlite3
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext import asyncio as sa_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import Field, Session, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common import sqlite_inline
from mentornet_common.settings import CommonSettings

log = logging.getLogger(__name__)

CONSORTIUM = "consortium"
TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9_]{0,47}$")

# Runs a service's migrations to head on a synchronous connection already bound to the store (and, on
# PostgreSQL, to the tenant's schema, which it receives as its second argument).
Migrator = Callable[[Connection, str | None], None]


class InvalidTenant(ValueError):
    """A tenant id that cannot name a store."""


class UnknownTenant(LookupError):
    """A tenant whose store was never provisioned here: no org of that id is (yet) registered."""

    def __init__(self, tenant_id: str) -> None:
        super().__init__(f"no store is provisioned for tenant {tenant_id!r}")
        self.tenant_id = tenant_id


class StoreTenant(SQLModel, table=True):
    """The tenants whose stores this service has provisioned; kept in the consortium store."""

    __tablename__ = "store_tenant"

    tenant_id: str = Field(primary_key=True, max_length=48)
    provisioned_at: datetime


def validate_tenant_id(tenant_id: str) -> str:
    """Return the tenant id when it can safely name a file and a schema; raise InvalidTenant otherwise."""
    if not TENANT_ID.fullmatch(tenant_id):
        raise InvalidTenant(f"invalid tenant id {tenant_id!r}")
    return tenant_id


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_path(url: str) -> Path | None:
    path = url.split(":///", 1)[1] if ":///" in url else ""
    return Path(path) if path and path != ":memory:" else None


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite store's URL; None for PostgreSQL (or SQLite in memory)."""
    return _sqlite_path(url) if _is_sqlite(url) else None


class TenantStores:
    """Builds, provisions and hands out the per-tenant stores of one service."""

    def __init__(self, settings: CommonSettings, migrator: Migrator) -> None:
        self._settings = settings
        self._migrator = migrator
        self._engines: dict[str, AsyncEngine] = {}
        self._makers: dict[str, async_sessionmaker[AsyncSession]] = {}
        self._readers: dict[str, async_sessionmaker[AsyncSession]] = {}
        self._ready: set[str] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._pools: dict[str, AsyncEngine] = {}
        self._turns: dict[str, asyncio.Lock] = {}
        # stores this process dropped: never opened again here, even before the registry's row is gone
        self._dropped: set[str] = set()

    # where each tenant lives -----------------------------------------------------------------------------

    def url_for(self, tenant_id: str) -> str:
        """The database URL of a tenant's store."""
        validate_tenant_id(tenant_id)
        if override := self._settings.tenant_database_urls.get(tenant_id):
            return override
        if self._settings.database_url:
            return self._settings.database_url
        folder = self._settings.data_dir / self._settings.service_name
        return f"sqlite+aiosqlite:///{folder / f'{tenant_id}.db'}"

    def schema_for(self, tenant_id: str) -> str | None:
        """The PostgreSQL schema of a tenant's store; None for SQLite."""
        if _is_sqlite(self.url_for(tenant_id)):
            return None
        return f"{self._settings.database_schema_prefix}{tenant_id}"

    def engine(self, tenant_id: str) -> AsyncEngine:
        """The engine bound to one tenant's store (created once per process)."""
        if tenant_id in self._engines:
            return self._engines[tenant_id]
        url = self.url_for(tenant_id)
        schema = self.schema_for(tenant_id)
        engine: AsyncEngine
        reader: AsyncEngine
        if _is_sqlite(url):
            path = _sqlite_path(url)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            # Writers begin with BEGIN IMMEDIATE (a deferred transaction that later writes fails with
            # SQLITE_BUSY when another process wrote in between); readers begin deferred, so in WAL mode
            # they never wait for, or hold up, a writer. Calls run in the event loop's thread, and a lock
            # held by another process is waited out with asyncio sleeps (mentornet_common.sqlite_inline).
            busy_s = self._settings.sqlite_busy_timeout_ms / 1000
            file = str(path) if path is not None else ":memory:"
            engine = sa_asyncio.create_async_engine(
                url, async_creator=sqlite_inline.creator(file, busy_s), module=sqlite_inline.dbapi()
            )
            _configure_sqlite(engine, "BEGIN IMMEDIATE")
            reader = sa_asyncio.create_async_engine(
                url, async_creator=sqlite_inline.creator(file, busy_s), module=sqlite_inline.dbapi()
            )
            _configure_sqlite(reader, "BEGIN")
            self._turns[tenant_id] = asyncio.Lock()
        else:
            # Every tenant of one database shares one pool (a pool per tenant would need connections by
            # the thousand); each transaction begins by setting its search_path to the tenant's schema
            # alone, so unqualified names cannot reach another tenant's tables.
            if (shared := self._pools.get(url)) is None:
                shared = self._pools[url] = sa_asyncio.create_async_engine(
                    url,
                    pool_size=self._settings.database_pool_size,
                    max_overflow=self._settings.database_pool_size,
                    pool_pre_ping=True,
                )
            engine = reader = shared
        info = {SCHEMA: schema} if schema is not None else {}
        self._engines[tenant_id] = engine
        self._makers[tenant_id] = async_sessionmaker(
            engine, class_=AsyncSession, sync_session_class=TenantSession, expire_on_commit=False, info=info
        )
        self._readers[tenant_id] = async_sessionmaker(
            reader, class_=AsyncSession, sync_session_class=TenantSession, expire_on_commit=False, info=info
        )
        if reader is not engine:
            self._engines[f"{tenant_id}#reader"] = reader
        return engine

    # provisioning ----------------------------------------------------------------------------------------

    async def ensure(self, tenant_id: str) -> None:
        """Open a provisioned tenant's store, migrating it if this process has not yet done so; raise
        UnknownTenant for a tenant that was never provisioned (its store is not created)."""
        if tenant_id in self._ready:
            return
        if tenant_id in self._dropped:
            raise UnknownTenant(tenant_id)
        if tenant_id != CONSORTIUM:
            validate_tenant_id(tenant_id)
            await self.ensure(CONSORTIUM)
            async with self.session(CONSORTIUM) as session:
                if await session.get(StoreTenant, tenant_id) is None:
                    raise UnknownTenant(tenant_id)
        await self._open(tenant_id)

    async def provision(self, tenant_id: str) -> None:
        """Provision a registered org's store (idempotent): create it, migrate it, register it."""
        if tenant_id in self._ready:
            return
        validate_tenant_id(tenant_id)
        self._dropped.discard(tenant_id)  # registered (or restored) again
        await self.ensure(CONSORTIUM)
        await self._open(tenant_id, register=True)

    async def _open(self, tenant_id: str, *, register: bool = False) -> None:
        lock = self._locks.setdefault(tenant_id, asyncio.Lock())
        async with lock:
            if tenant_id in self._ready:
                return
            await self._migrate(tenant_id)
            if register and tenant_id != CONSORTIUM:
                await self._register(tenant_id)
            self._ready.add(tenant_id)

    async def _migrate(self, tenant_id: str) -> None:
        # Alembic's `op` and `context` are process-wide: one migration at a time in a process, whatever the
        # store (a worker handles partitions side by side, and two org-registered may arrive together).
        async with _migration_lock():
            await self._migrate_now(tenant_id)

    async def _migrate_now(self, tenant_id: str) -> None:
        engine = self.engine(tenant_id)
        schema = self.schema_for(tenant_id)
        path = _sqlite_path(self.url_for(tenant_id))

        def migrate(connection: Connection) -> None:
            if schema is not None:
                # Two processes provisioning the same tenant at once take turns.
                connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": schema})
                connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
                connection.execute(text(f'SET LOCAL search_path TO "{schema}"'))
            self._migrator(connection, schema)

        if path is None:
            async with engine.begin() as connection:
                await connection.run_sync(migrate)
            return
        lock_path = path.with_suffix(".migrate.lock")
        with lock_path.open("w") as lock_file:
            await asyncio.to_thread(fcntl.flock, lock_file, fcntl.LOCK_EX)
            try:
                async with engine.begin() as connection:
                    await connection.run_sync(migrate)
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    async def _register(self, tenant_id: str) -> None:
        async with self.writer(CONSORTIUM) as session:
            if await session.get(StoreTenant, tenant_id) is not None:
                return
            session.add(StoreTenant(tenant_id=tenant_id, provisioned_at=datetime.now(UTC)))
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()  # another process registered it at the same moment

    async def exists(self, tenant_id: str) -> bool:
        """Whether a tenant's store exists (its SQLite file, or its PostgreSQL schema); creates nothing."""
        schema = self.schema_for(tenant_id)
        if schema is None:
            path = _sqlite_path(self.url_for(tenant_id))
            return path is None or path.exists()
        async with self.engine(tenant_id).connect() as connection:
            found = await connection.execute(
                text("SELECT 1 FROM pg_namespace WHERE nspname = :schema"), {"schema": schema}
            )
            return found.first() is not None

    async def drop(self, tenant_id: str) -> None:
        """Delete a tenant's store for good and forget it was provisioned, so that nothing opens or creates
        it again (idempotent)."""
        await self.drop_store(tenant_id)
        await self.ensure(CONSORTIUM)
        async with self.writer(CONSORTIUM) as session:
            registered = await session.get(StoreTenant, tenant_id)
            if registered is not None:
                await session.delete(registered)
                await session.commit()

    async def drop_store(self, tenant_id: str) -> None:
        """Delete a tenant's store — its SQLite file (and write-ahead log) or its PostgreSQL schema — leaving
        its row in the consortium's list of provisioned stores to the caller (idempotent). Another process
        that opened the store keeps its connections until it closes them; nothing reaches them once the
        org's tokens and events stop naming it."""
        validate_tenant_id(tenant_id)
        if tenant_id == CONSORTIUM:
            raise InvalidTenant("the consortium store is never dropped")
        schema = self.schema_for(tenant_id)
        path = _sqlite_path(self.url_for(tenant_id))
        lock = self._locks.setdefault(tenant_id, asyncio.Lock())
        async with lock:
            # Before the caller's transaction removes it from the registry, nothing in this process (the
            # relay, a timer, another handler) may open the store again, which would make a new one.
            self._dropped.add(tenant_id)
            self._ready.discard(tenant_id)
            if schema is not None:
                async with self.engine(tenant_id).begin() as connection:
                    await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                return
            for key in (tenant_id, f"{tenant_id}#reader"):
                if (engine := self._engines.pop(key, None)) is not None:
                    await engine.dispose()
            self._makers.pop(tenant_id, None)
            self._readers.pop(tenant_id, None)
            self._turns.pop(tenant_id, None)
            if path is not None:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    path.with_name(path.name + suffix).unlink(missing_ok=True)
                path.with_suffix(".migrate.lock").unlink(missing_ok=True)

    async def tenants(self) -> list[str]:
        """Every store of this service: the consortium store first, then each provisioned tenant."""
        await self.ensure(CONSORTIUM)
        async with self.session(CONSORTIUM) as session:
            rows = await session.exec(select(StoreTenant.tenant_id).order_by(StoreTenant.tenant_id))
            return [CONSORTIUM, *(t for t in rows.all() if t not in self._dropped)]

    # sessions ---------------------------------------------------------------------------------------------

    @asynccontextmanager
    async def session(self, tenant_id: str) -> AsyncIterator[AsyncSession]:
        """A session for reading a provisioned tenant's store (UnknownTenant if not); write in ``writer``."""
        await self.ensure(tenant_id)
        async with self._readers[tenant_id]() as session:
            yield session

    @asynccontextmanager
    async def writer(self, tenant_id: str) -> AsyncIterator[AsyncSession]:
        """A session for changing one tenant's store (UnknownTenant if it was never provisioned).

        On SQLite, which lets one writer at a time into a file, the writers of one process take turns in
        the order they came (an asyncio lock per store); only another process's writer is waited out by
        polling (:mod:`mentornet_common.sqlite_inline`)."""
        await self.ensure(tenant_id)
        turn = self._turns.get(tenant_id)
        if turn is None:
            async with self._makers[tenant_id]() as session:
                yield session
            return
        try:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can lose a lock acquired just as it
            # times out or is cancelled, and every later writer of the store would wait for it forever.
            async with asyncio.timeout(self._settings.sqlite_busy_timeout_ms / 1000):
                await turn.acquire()
        except TimeoutError:
            raise sqlite3.OperationalError("database is locked (by a writer of this process)") from None
        try:
            async with self._makers[tenant_id]() as session:
                yield session
        finally:
            turn.release()

    async def ping(self) -> None:
        """Reach the consortium store (readiness)."""
        async with self.session(CONSORTIUM) as session:
            await session.exec(select(1))

    async def close(self) -> None:
        """Dispose every engine."""
        for engine in {id(e): e for e in self._engines.values()}.values():
            await engine.dispose()
        self._engines.clear()
        self._pools.clear()
        self._turns.clear()
        self._makers.clear()
        self._readers.clear()
        self._ready.clear()


_MIGRATION_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _migration_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    if (lock := _MIGRATION_LOCKS.get(loop)) is None:
        lock = _MIGRATION_LOCKS[loop] = asyncio.Lock()
    return lock


SCHEMA = "mentornet_schema"


class TenantSession(Session):
    """A session whose transactions see one tenant's PostgreSQL schema only (``info[SCHEMA]``)."""


@event.listens_for(TenantSession, "after_begin")
def _enter_schema(session: Session, _transaction: Any, connection: Connection) -> None:
    schema = session.info.get(SCHEMA)
    if schema is not None:
        # SET LOCAL ends with the transaction: a pooled connection carries no tenant to its next user.
        connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')


def _configure_sqlite(engine: AsyncEngine, begin: str) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transactions into our own hands, so that each begins the way this engine wants.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=0")  # never sleep in the loop's thread: see sqlite_inline
        # Erased data must not linger in free pages of the file (the right to be forgotten).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)
