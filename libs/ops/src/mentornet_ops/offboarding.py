"""`mentornet orgs offboard`: a member org leaves the consortium.

First the org's data is exported, in one archive for the operator to hand to the org: every service's store
of the org and the consortium's rows about it, credentials left out. Then identity revokes every token of
its people and clients, forgets the org and publishes ``org-offboarded``; on it, every service drops the
org's store, deletes the consortium's rows about it (its cards in the directory among them) and erases its
people wherever they appear (docs/operations.md, "Offboarding a member org"). Operators only (it needs the
stores), after typing the org's slug or giving ``--yes``; running it again drops any store of the org still
left (one a worker had not dropped yet, or an API made again for a token it had not yet seen revoked).
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from mentornet_common.backup import EXPORT, StoreDump, dump_store, write_archive
from mentornet_common.offboarding import naming
from mentornet_common.tenancy import CONSORTIUM, TenantStores
from mentornet_ops.cli import SERVICES, _run, _with_stores, console, settings_for
from mentornet_ops.data import _org
from mentornet_ops.members import orgs_app  # `mentornet orgs offboard` beside list, show, suspend, resume


def _identity() -> Any:
    return importlib.import_module("identity.offboarding")


async def export_parts(service: str, org_id: str) -> tuple[StoreDump | None, StoreDump]:
    """The org's store (None when this service has none) and the consortium's rows naming the org."""

    async def work(stores: TenantStores) -> tuple[StoreDump | None, StoreDump]:
        own = None
        if org_id in await stores.tenants():
            own = await dump_store(stores, service, org_id, export=True)
        shared = await dump_store(
            stores, service, CONSORTIUM, where=lambda table: naming(table, org_id), export=True
        )
        return own, shared

    return await _with_stores(service, work)


async def stores_left(org_id: str) -> list[str]:
    """The services that still have a store of the org, or list it as provisioned."""
    left = []
    for service in SERVICES:

        async def holds(stores: TenantStores) -> bool:
            return await stores.exists(org_id) or org_id in await stores.tenants()

        if await _with_stores(service, holds):
            left.append(service)
    return left


async def drop_everywhere(org_id: str, services: list[str]) -> None:
    """Drop what is left of the org's stores (and their registration) in ``services``."""
    for service in services:
        await _with_stores(service, lambda s: s.drop(org_id))


@orgs_app.command("offboard")
def offboard(
    org_id: Annotated[str, typer.Argument(help="The org's id (org_…).")],
    to: Annotated[Path, typer.Option("--to", help="Where to write the org's data export (a new .tar.gz).")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask to type the org's slug.")] = False,
) -> None:
    """Export one org's data into an archive for it, then remove the org everywhere (irreversible)."""
    org_id = _org(org_id)
    if org_id == CONSORTIUM:
        raise typer.BadParameter("the consortium is not an org")
    identity = _identity()
    settings = settings_for("identity")
    org = _run(_with_stores("identity", lambda s: identity.find_org(s, org_id)))
    if org is None:
        _run(_with_stores("identity", lambda s: identity.offboard(settings, s, org_id)))
        left = _run(stores_left(org_id))
        if not left:
            console.print(
                f"{org_id} is not a member org (offboarded already, or never registered): nothing is left"
            )
            return
        console.print(f"{org_id} is not a member org, but {', '.join(left)} still hold a store of it")
        if not yes and typer.prompt("Type the org's id to drop them").strip() != org_id:
            console.print("[red]not confirmed:[/red] nothing was changed")
            raise typer.Exit(1)
        _run(drop_everywhere(org_id, left))
        console.print(f"dropped what was left of {org_id} in {', '.join(left)}")
        return
    if not yes:
        typed = typer.prompt(f"This removes {org.name} ({org.slug}) for good. Type its slug to confirm")
        if typed.strip() != org.slug:
            console.print("[red]not confirmed:[/red] the slug typed is not the org's; nothing was changed")
            raise typer.Exit(1)
    if to.exists():
        console.print(f"[red]offboarding refused:[/red] {to} exists: choose another file")
        raise typer.Exit(1)

    parts = [_run(export_parts(service, org_id)) for service in SERVICES]
    own = [dump for dump, _ in parts if dump is not None]
    write_archive(to, org_id, EXPORT, own, datetime.now(UTC), consortium=[shared for _, shared in parts])
    rows = sum(t.rows for dump in own for t in dump.tables) + sum(t.rows for _, d in parts for t in d.tables)
    console.print(f"exported {rows} rows of {org.slug} ({org_id}) to {to}")

    event = _run(_with_stores("identity", lambda s: identity.offboard(settings, s, org_id)))
    people = len(event.user_ids) if event is not None else 0
    console.print(
        f"{org.slug} ({org_id}) offboarded: tokens of its {people} people and its API clients revoked, its "
        "registration gone; every service drops its store and erases its people as org-offboarded reaches "
        f"its worker (`mentornet tenants list` shows when no store of {org_id} is left)"
    )
