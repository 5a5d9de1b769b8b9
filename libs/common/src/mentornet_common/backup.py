"""Backing up and restoring one tenant's store of a service, as a portable logical dump.

A store's dump is every table's rows, one JSON object per line, tables in dependency order (a row a foreign
key names comes first), and the store's Alembic revision. The same shape serves SQLite files and
PostgreSQL schemas, and either restores into the other: values are written as JSON (a time as ISO 8601,
bytes as base64) and read back by the type of the column they go into. Each table's lines carry a row
count and a SHA-256, checked before anything is restored ([ADR 0014](docs/adr/0014-backup-and-restore.md)).

A dump is read in one transaction (one snapshot of the store: WAL readers on SQLite, REPEATABLE READ on
PostgreSQL), so a running service keeps working while it is taken. A restore goes only into a store that is
absent or holds no rows: it is created at the dump's revision, the rows go in in one transaction, and the
store is then upgraded to the newest revision like any other.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    LargeBinary,
    MetaData,
    Table,
    Time,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.engine import Connection

from mentornet_common.migrations import _config, script_location
from mentornet_common.settings import CommonSettings
from mentornet_common.tenancy import Migrator, TenantStores, validate_tenant_id

VERSION_TABLE = "alembic_version"
CHUNK = 500  # rows per INSERT on restore


class RestoreRefused(RuntimeError):
    """A dump that cannot be restored here, or a store it would overwrite; nothing was changed."""


@dataclass
class TableDump:
    """One table's rows as JSON lines, with their count and checksum."""

    name: str
    lines: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.lines)

    @property
    def content(self) -> bytes:
        return "".join(f"{line}\n" for line in self.lines).encode()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class StoreDump:
    """Every table of one store, in dependency order, and the store's Alembic revision."""

    service: str
    tenant_id: str
    revision: str | None
    dialect: str
    tables: list[TableDump]

    def describe(self) -> dict[str, Any]:
        """What the archive's manifest says of this store."""
        return {
            "revision": self.revision,
            "engine": self.dialect,
            "tables": {t.name: {"rows": t.rows, "sha256": t.sha256} for t in self.tables},
        }


# values ----------------------------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        # Stores keep UTC: SQLite without an offset, PostgreSQL's timestamptz with one. Written alike.
        return (value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to a dump")


def encode_row(row: dict[str, Any]) -> str:
    """One row as a JSON line (keys sorted, so equal rows give equal lines)."""
    return json.dumps(row, default=_encode, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def decode_row(table: Table, line: str) -> dict[str, Any]:
    """A JSON line back to the values the table's columns take; a column the table lacks is refused."""
    raw: dict[str, Any] = json.loads(line)
    unknown = set(raw) - set(table.columns.keys())
    if unknown:
        raise RestoreRefused(f"table {table.name} has no column {', '.join(sorted(unknown))}")
    row: dict[str, Any] = {}
    for name, value in raw.items():
        kind = table.columns[name].type
        if value is None:
            row[name] = None
        elif isinstance(kind, DateTime):
            moment = datetime.fromisoformat(value)
            if moment.utcoffset() is not None:
                moment = moment.astimezone(UTC)
            row[name] = moment if kind.timezone else moment.replace(tzinfo=None)
        elif isinstance(kind, Date):
            row[name] = date.fromisoformat(value)
        elif isinstance(kind, Time):
            row[name] = time.fromisoformat(value)
        elif isinstance(kind, LargeBinary):
            row[name] = base64.b64decode(value)
        else:
            row[name] = value
    return row


# reading ---------------------------------------------------------------------------------------------------


def _reflect(connection: Connection, schema: str | None) -> list[Table]:
    metadata = MetaData()
    metadata.reflect(connection, schema=schema)
    return [t for t in metadata.sorted_tables if t.name != VERSION_TABLE]


def _revision(connection: Connection, schema: str | None) -> str | None:
    context = MigrationContext.configure(connection, opts={"version_table_schema": schema})
    return context.get_current_revision()


# What an offboarding export leaves out: credentials, and what only serves sign-in or replays. A table named
# with None is left out whole; otherwise the columns named.
EXPORT_WITHHELD: dict[str, frozenset[str] | None] = {
    "refresh_token": None,
    "authorization_code": None,
    "authorize_request": None,
    "sso_login": None,
    "used_assertion": None,
    "signing_key": None,
    "revocation": None,
    "idempotency_record": None,
    "user": frozenset({"password_hash"}),
    "api_client": frozenset({"secret_hash"}),
    "sso_config": frozenset({"client_secret"}),
    "webhook_endpoint": frozenset({"secret"}),
}


async def dump_store(
    stores: TenantStores,
    service: str,
    tenant_id: str,
    *,
    where: Callable[[Table], ColumnElement[bool] | None] | None = None,
    export: bool = False,
) -> StoreDump:
    """Every row of one provisioned store, read in one snapshot. ``where`` keeps only the rows it selects
    (a table it answers None for is left out); ``export`` leaves out EXPORT_WITHHELD."""
    schema = stores.schema_for(tenant_id)
    async with stores.session(tenant_id) as session:
        options = {"isolation_level": "REPEATABLE READ"} if schema is not None else {}
        connection = await session.connection(execution_options=options)

        def read(sync: Connection) -> StoreDump:
            tables = []
            for table in _reflect(sync, schema):
                withheld = EXPORT_WITHHELD.get(table.name, frozenset()) if export else frozenset()
                if withheld is None:
                    continue
                query = select(*(c for c in table.columns if c.name not in withheld))
                if where is not None:
                    selected = where(table)
                    if selected is None:
                        continue
                    query = query.where(selected)
                order = list(table.primary_key.columns) or list(table.columns)
                rows = sync.execute(query.order_by(*order)).mappings()
                tables.append(TableDump(table.name, [encode_row(dict(row)) for row in rows]))
            return StoreDump(service, tenant_id, _revision(sync, schema), sync.dialect.name, tables)

        return await connection.run_sync(read)


async def row_counts(stores: TenantStores, tenant_id: str) -> dict[str, int] | None:
    """Rows per table of a store; None when the store does not exist (nothing is created)."""
    if not await stores.exists(tenant_id):
        return None
    schema = stores.schema_for(tenant_id)
    async with stores.engine(tenant_id).connect() as connection:

        def count(sync: Connection) -> dict[str, int]:
            if schema is not None:
                sync.execute(text(f'SET LOCAL search_path TO "{schema}"'))
            return {
                t.name: int(sync.execute(select(func.count()).select_from(t)).scalar_one())
                for t in _reflect(sync, schema)
            }

        return await connection.run_sync(count)


# restoring -------------------------------------------------------------------------------------------------


def check_revision(service: str, revision: str | None) -> None:
    """Refuse a revision this code's migrations do not know (a dump made by a newer mentornet)."""
    script = ScriptDirectory.from_config(_config(script_location(service)))
    head = script.get_current_head()
    try:
        known = revision is not None and script.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise RestoreRefused(
            f"{service}: the archive's schema revision {revision!r} is unknown to this mentornet (its newest "
            f"is {head!r}): restore it with the mentornet version that made it, or a newer one"
        )


def migrator_to(service: str, revision: str) -> Migrator:
    """A Migrator that brings a new (empty) store to ``revision`` only, and any other store to head."""
    location = script_location(service)

    def migrate(connection: Connection, schema: str | None) -> None:
        config = _config(location)
        config.attributes["connection"] = connection
        config.attributes["schema"] = schema
        current = _revision(connection, schema)
        head = ScriptDirectory.from_config(config).get_current_head()
        if current is None:
            command.upgrade(config, revision)
        elif current != head:
            command.upgrade(config, "head")

    return migrate


async def load_store(settings: CommonSettings, migrator: Migrator, dump: StoreDump) -> None:
    """Restore a dump into the tenant's store, which must be absent or hold no rows (RestoreRefused
    otherwise, before anything is written); the store ends at the newest revision, registered as
    provisioned."""
    tenant_id = validate_tenant_id(dump.tenant_id)
    assert dump.revision is not None
    current = TenantStores(settings, migrator)
    try:
        counts = await row_counts(current, tenant_id)
        if counts is not None:
            holding = {name: n for name, n in counts.items() if n}
            if holding:
                raise RestoreRefused(
                    f"{dump.service}: the store of {tenant_id} holds rows "
                    f"({', '.join(f'{n} in {name}' for name, n in sorted(holding.items()))}); restore goes "
                    "only into an absent or empty store"
                )
            await current.drop(tenant_id)  # empty: made again at the archive's revision
    finally:
        await current.close()

    at_revision = TenantStores(settings, migrator_to(dump.service, dump.revision))
    try:
        await at_revision.provision(tenant_id)
        schema = at_revision.schema_for(tenant_id)
        async with at_revision.writer(tenant_id) as session:
            connection = await session.connection()

            def write(sync: Connection) -> None:
                tables = {t.name: t for t in _reflect(sync, schema)}
                for table_dump in dump.tables:
                    table = tables.get(table_dump.name)
                    if table is None:
                        raise RestoreRefused(f"{dump.service}: no table {table_dump.name} at {dump.revision}")
                    batch: list[dict[str, Any]] = []
                    for line in table_dump.lines:
                        batch.append(decode_row(table, line))
                        if len(batch) == CHUNK:
                            sync.execute(insert(table), batch)
                            batch = []
                    if batch:
                        sync.execute(insert(table), batch)
                    if schema is not None:
                        _advance_sequences(sync, table)

            await connection.run_sync(write)
            await session.commit()
    finally:
        await at_revision.close()

    upgraded = TenantStores(settings, migrator)
    try:
        await upgraded.ensure(tenant_id)
    finally:
        await upgraded.close()


def _advance_sequences(connection: Connection, table: Table) -> None:
    """On PostgreSQL, a serial key's sequence continues after the restored rows' largest value."""
    for column in table.primary_key.columns:
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": f'"{table.schema}"."{table.name}"', "column": column.name},
        ).scalar_one_or_none()
        if sequence is None:
            continue
        connection.execute(
            text(
                f'SELECT setval(:sequence, COALESCE((SELECT MAX("{column.name}") FROM '
                f'"{table.schema}"."{table.name}"), 0) + 1, false)'
            ),
            {"sequence": sequence},
        )


# the archive -----------------------------------------------------------------------------------------------

FORMAT = "mentornet-backup/1"
MANIFEST = "manifest.json"
BACKUP = "backup"
EXPORT = "offboarding-export"  # the org's copy of its data: credentials withheld, not for restoring


@dataclass
class Archive:
    """What an archive holds: its manifest, and each store's dump with every table's lines, checked."""

    manifest: dict[str, Any]
    dumps: list[StoreDump]

    @property
    def tenant_id(self) -> str:
        return str(self.manifest["org"])


def write_archive(
    path: Path,
    tenant_id: str,
    kind: str,
    dumps: list[StoreDump],
    created_at: datetime,
    consortium: Sequence[StoreDump] = (),
) -> None:
    """One gzipped tar: manifest.json, then ``<service>/<table>.jsonl`` for every store's table (and
    ``consortium/<service>/<table>.jsonl`` for the consortium's rows about the org, in an export). Written
    to a temporary file readable by its owner alone, then renamed into place (never half an archive)."""
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "kind": kind,
        "org": tenant_id,
        "created_at": created_at.isoformat(),
        "services": {dump.service: dump.describe() for dump in dumps},
    }
    if kind == EXPORT:
        manifest["withheld"] = {t: sorted(c) if c else "all rows" for t, c in EXPORT_WITHHELD.items()}
        manifest["consortium"] = {dump.service: dump.describe() for dump in consortium}
    partial = path.with_name(f".{path.name}.partial")
    partial.touch(mode=0o600, exist_ok=False)
    try:
        with tarfile.open(partial, "w:gz") as archive:
            _add(archive, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode(), created_at)
            for dump in dumps:
                for table in dump.tables:
                    _add(archive, f"{dump.service}/{table.name}.jsonl", table.content, created_at)
            for dump in consortium:
                for table in dump.tables:
                    _add(archive, f"consortium/{dump.service}/{table.name}.jsonl", table.content, created_at)
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)


def _add(archive: tarfile.TarFile, name: str, content: bytes, at: datetime) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mode = 0o600
    info.mtime = int(at.timestamp())
    archive.addfile(info, io.BytesIO(content))


def read_archive(path: Path) -> Archive:
    """Read an archive and check every table against its manifest's row count and checksum
    (RestoreRefused naming the first that differs)."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            files = {
                member.name: _read_member(archive, member)
                for member in archive.getmembers()
                if member.isfile()
            }
    except (OSError, tarfile.TarError) as exc:
        raise RestoreRefused(f"{path} is not a mentornet archive: {exc}") from exc
    if MANIFEST not in files:
        raise RestoreRefused(f"{path} has no {MANIFEST}")
    manifest = json.loads(files[MANIFEST])
    if manifest.get("format") != FORMAT:
        raise RestoreRefused(f"{path}: format {manifest.get('format')!r}, this mentornet reads {FORMAT}")
    dumps = []
    for service, described in manifest["services"].items():
        tables = []
        for name, expected in described["tables"].items():
            content = files.get(f"{service}/{name}.jsonl")
            if content is None:
                raise RestoreRefused(f"{path}: {service}/{name}.jsonl is missing")
            if hashlib.sha256(content).hexdigest() != expected["sha256"]:
                raise RestoreRefused(f"{path}: {service}/{name}.jsonl does not match its checksum")
            table = TableDump(name, [line for line in content.decode().splitlines() if line])
            if table.rows != expected["rows"]:
                raise RestoreRefused(
                    f"{path}: {service}/{name}.jsonl has {table.rows} rows, not {expected['rows']}"
                )
            tables.append(table)
        dumps.append(StoreDump(service, manifest["org"], described["revision"], described["engine"], tables))
    return Archive(manifest, dumps)


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    extracted = archive.extractfile(member)
    assert extracted is not None
    return extracted.read()
