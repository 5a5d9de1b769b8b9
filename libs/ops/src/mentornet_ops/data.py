"""`mentornet backup` and `mentornet restore`: every service's store of one member org, in one archive.

The archive is a portable logical dump (docs/adr/0014-backup-and-restore.md): a manifest (the org, when,
and per service its schema revision, every table's row count and SHA-256) and each table's rows as JSON
lines. It holds what the org's stores hold, password hashes and sealed secrets included: keep it as you keep
the databases (it is written readable by its owner only).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mentornet_common.backup import (
    BACKUP,
    RestoreRefused,
    StoreDump,
    check_revision,
    dump_store,
    load_store,
    read_archive,
    row_counts,
    write_archive,
)
from mentornet_common.migrations import alembic_migrator
from mentornet_common.tenancy import CONSORTIUM, InvalidTenant, TenantStores, validate_tenant_id
from mentornet_ops.cli import ServiceOption, _run, _services, _with_stores, app, console, settings_for

OrgArgument = Annotated[
    str, typer.Argument(help="The org's id (org_…), or 'consortium' for the shared stores.")
]


def _org(org_id: str) -> str:
    try:
        return validate_tenant_id(org_id)
    except InvalidTenant as exc:
        raise typer.BadParameter(str(exc)) from None


async def dump_org(service: str, org_id: str) -> StoreDump:
    """One service's store of the org, read in one snapshot (LookupError when it has none)."""

    async def work(stores: TenantStores) -> StoreDump:
        if org_id not in await stores.tenants():
            raise LookupError(f"{service} has no store for {org_id}")
        return await dump_store(stores, service, org_id)

    return await _with_stores(service, work)


def backup_archive(org_id: str, path: Path, services: list[str]) -> list[StoreDump]:
    """Write the archive of the org's stores in ``services``; the dumps it holds."""
    if path.exists():
        raise FileExistsError(f"{path} exists: choose another file (an archive is never overwritten)")
    dumps = [_run(dump_org(name, org_id)) for name in services]
    write_archive(path, org_id, BACKUP, dumps, datetime.now(UTC))
    return dumps


def _summary(dumps: list[StoreDump]) -> Table:
    table = Table("service", "schema revision", "tables", "rows")
    for dump in dumps:
        rows = sum(t.rows for t in dump.tables)
        table.add_row(dump.service, str(dump.revision), str(len(dump.tables)), str(rows))
    return table


@app.command()
def backup(
    org_id: OrgArgument,
    to: Annotated[Path, typer.Option("--to", help="The archive to write (a new file, .tar.gz).")],
    service: ServiceOption = "all",
) -> None:
    """Back up every service's store of one org into one archive (services keep running)."""
    org_id = _org(org_id)
    try:
        dumps = backup_archive(org_id, to, _services(service))
    except (LookupError, FileExistsError) as exc:
        console.print(f"[red]backup refused:[/red] {exc}")
        raise typer.Exit(1) from None
    console.print(_summary(dumps))
    console.print(f"{org_id}: {len(dumps)} store(s) written to {to}")


@app.command()
def restore(
    org_id: OrgArgument,
    from_: Annotated[Path, typer.Option("--from", help="An archive `mentornet backup` wrote.")],
    service: ServiceOption = "all",
) -> None:
    """Restore one org's stores from an archive. Each store must be absent or empty: nothing is restored
    over rows (stop the org's traffic and drop what is left first); checked for every service before any
    is written. Refuses another org's archive and a schema revision newer than this mentornet's."""
    org_id = _org(org_id)
    wanted = _services(service)
    try:
        archive = read_archive(from_)
        if archive.manifest.get("kind") != BACKUP:
            raise RestoreRefused(
                f"{from_} is an {archive.manifest.get('kind')} (the org's copy, credentials left out), not a "
                "backup"
            )
        if archive.tenant_id != org_id:
            raise RestoreRefused(f"{from_} is the archive of {archive.tenant_id}, not of {org_id}")
        dumps = [d for d in archive.dumps if d.service in wanted]
        missing = sorted(set(wanted) - {d.service for d in dumps})
        if service != "all" and missing:
            raise RestoreRefused(f"{from_} holds no store of {', '.join(missing)}")
        for dump in dumps:
            check_revision(dump.service, dump.revision)
        for dump in dumps:
            counts = _run(_with_stores(dump.service, lambda s: row_counts(s, org_id)))
            if counts and any(counts.values()):
                rows = sum(counts.values())
                raise RestoreRefused(
                    f"the store of {org_id} in {dump.service} holds {rows} rows: restore goes only into an "
                    "absent or empty store"
                )
        for dump in dumps:
            _run(load_store(settings_for(dump.service), alembic_migrator(dump.service), dump))
    except RestoreRefused as exc:
        console.print(f"[red]restore refused:[/red] {exc}")
        raise typer.Exit(1) from None
    console.print(_summary(dumps))
    where = "the consortium stores" if org_id == CONSORTIUM else f"{org_id}'s stores"
    console.print(f"{where} restored from {from_} (made {archive.manifest['created_at']}), now at head")
