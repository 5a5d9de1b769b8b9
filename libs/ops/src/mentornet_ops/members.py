"""`mentornet orgs` and `mentornet keys`: the consortium's member orgs and signing keys, through the public
API as an operator (mentornet_ops.remote says where and as whom)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from mentornet_ops.remote import SERVICES, ApiError, OperatorApi, open_api

T = TypeVar("T")

orgs_app = typer.Typer(help="Member orgs, through the operator API: list, show.", no_args_is_help=True)
keys_app = typer.Typer(help="identity's signing keys, through the operator API.", no_args_is_help=True)
console = Console()

BaseUrl = Annotated[
    str,
    typer.Option(
        "--base-url",
        envvar="MENTORNET_BASE_URL",
        help="The gateway in front of every service (e.g. https://mentornet.example.org); as "
        "MENTORNET_OPERATOR_TOKEN, or MENTORNET_OPERATOR_EMAIL and MENTORNET_OPERATOR_PASSWORD.",
    ),
]


def _with_api(base_url: str, work: Callable[[OperatorApi], T]) -> T:
    api = open_api(base_url, console)
    try:
        return work(api)
    except ApiError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    finally:
        api.close()


def _stores(api: OperatorApi) -> dict[str, dict[str, int | None]]:
    """Per service: the tenants it holds a store for, and each store's size."""
    return {
        name: {s["tenant"]: s["size_bytes"] for s in api.items(name, f"/v1/operations/{name}/stores")}
        for name in SERVICES
    }


def _size(size: int | None) -> str:
    if size is None:
        return "?"
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size = size / 1000  # type: ignore[assignment]
    return str(size)


@orgs_app.command("list")
def orgs_list(base_url: BaseUrl) -> None:
    """Every member org, and which services hold a store for it."""

    def gather(api: OperatorApi) -> tuple[list[dict[str, Any]], dict[str, dict[str, int | None]]]:
        return list(api.items("identity", "/v1/orgs")), _stores(api)

    orgs, stores = _with_api(base_url, gather)
    table = Table("org", "slug", "name", "email domains", "stores")
    for org in orgs:
        held = [name for name in SERVICES if org["id"] in stores[name]]
        table.add_row(
            org["id"], org["slug"], org["name"], ", ".join(org.get("email_domains", [])),
            "all six" if len(held) == len(SERVICES) else ", ".join(held) or "none",
        )  # fmt: skip
    console.print(table)


@orgs_app.command("show")
def orgs_show(org_id: str, base_url: BaseUrl) -> None:
    """One member org: its registration, settings, and each service's store for it with its size."""

    def gather(api: OperatorApi) -> tuple[dict[str, Any], dict[str, Any], dict[str, dict[str, int | None]]]:
        org = api.get("identity", f"/v1/orgs/{org_id}")
        settings = api.get("identity", f"/v1/orgs/{org_id}/settings")
        return org, settings, _stores(api)

    org, settings, stores = _with_api(base_url, gather)
    console.print(f"{org['id']}  {org['slug']}  {org['name']}")
    console.print(f"email domains: {', '.join(org.get('email_domains', [])) or '(none)'}")
    roles = settings.get("group_roles") or {}
    console.print(f"group roles: {', '.join(f'{g} → {r}' for g, r in roles.items()) or '(none)'}")
    table = Table("service", "store", "size")
    for name in SERVICES:
        held = org_id in stores[name]
        table.add_row(name, "yes" if held else "no", _size(stores[name][org_id]) if held else "")
    console.print(table)


@keys_app.command("rotate")
def keys_rotate(base_url: BaseUrl) -> None:
    """Start signing tokens with a new key; the previous one verifies until its tokens expire."""
    key = _with_api(base_url, lambda api: api.post("identity", "/v1/signing-keys/rotate"))
    console.print(f"now signing with {key['kid']} (created {key.get('created_at', '?')})")


@keys_app.command("list")
def keys_list(base_url: BaseUrl) -> None:
    """identity's signing keys: which signs, and which only verify tokens still alive."""
    keys = _with_api(base_url, lambda api: api.get("identity", "/v1/signing-keys"))
    table = Table(*(keys[0].keys() if keys else ["kid"]))
    for key in keys:
        table.add_row(*(str(v) for v in key.values()))
    console.print(table)
