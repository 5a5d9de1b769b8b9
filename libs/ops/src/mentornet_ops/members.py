"""`mentornet orgs`, `users`, `keys` and `webhooks`: the consortium's member orgs, their people, identity's
signing keys and orgs' webhooks, through the public API as an operator (mentornet_ops.remote says where and
as whom)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from mentornet_ops.remote import SERVICES, OperatorApi, with_api

T = TypeVar("T")

orgs_app = typer.Typer(
    help="Member orgs: list, show, suspend, resume (through the operator API); offboard (on the stores).",
    no_args_is_help=True,
)
users_app = typer.Typer(help="People of member orgs: find, deactivate, activate.", no_args_is_help=True)
keys_app = typer.Typer(help="identity's signing keys: list, rotate.", no_args_is_help=True)
webhooks_app = typer.Typer(help="An org's webhook endpoints: list, disable.", no_args_is_help=True)
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
    return with_api(base_url, console, work)


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


@orgs_app.command("suspend")
def orgs_suspend(org_id: str, base_url: BaseUrl) -> None:
    """Suspend an org: no tokens for its people or API clients, theirs refused everywhere within seconds,
    its webhooks paused. Nothing is deleted; `orgs resume` lifts it."""
    org = _with_api(base_url, lambda api: api.post("identity", f"/v1/orgs/{org_id}/suspend"))
    console.print(f"{org['id']} ({org['slug']}) suspended since {org['suspended_at']}")


@orgs_app.command("resume")
def orgs_resume(org_id: str, base_url: BaseUrl) -> None:
    """Lift an org's suspension: its people and clients may sign in again, its paused webhooks resume."""
    org = _with_api(base_url, lambda api: api.post("identity", f"/v1/orgs/{org_id}/resume"))
    console.print(f"{org['id']} ({org['slug']}) resumed")


def _find(api: OperatorApi, email: str) -> dict[str, Any] | None:
    found = api.get("identity", "/v1/operations/identity/users", email=email)["items"]
    return dict(found[0]) if found else None


@users_app.command("find")
def users_find(email: str, base_url: BaseUrl) -> None:
    """The account an email address names, in whichever member org it is."""
    user = _with_api(base_url, lambda api: _find(api, email))
    if user is None:
        console.print(f"no account is {email}")
        raise typer.Exit(1)
    table = Table("id", "org", "email", "name", "roles", "active")
    table.add_row(user["id"], user["org_id"] or "(consortium)", user["email"], user["name"],
                  ", ".join(user["roles"]), "yes" if user["active"] else "no")  # fmt: skip
    console.print(table)


def _set_active(email: str, base_url: str, action: str) -> None:
    def act(api: OperatorApi) -> dict[str, Any] | None:
        user = _find(api, email)
        if user is None or user["org_id"] is None:
            return None  # operators are not deactivated this way
        return dict(api.post("identity", f"/v1/orgs/{user['org_id']}/users/{user['id']}/{action}"))

    user = _with_api(base_url, act)
    if user is None:
        console.print(f"no person of a member org is {email}")
        raise typer.Exit(1)
    console.print(
        f"{user['email']} ({user['id']} of {user['org_id']}) is {'in' * (not user['active'])}active"
    )


@users_app.command("deactivate")
def users_deactivate(email: str, base_url: BaseUrl) -> None:
    """Deactivate a person: they can no longer sign in, and their tokens stop working everywhere."""
    _set_active(email, base_url, "deactivate")


@users_app.command("activate")
def users_activate(email: str, base_url: BaseUrl) -> None:
    """Reactivate a person deactivated before."""
    _set_active(email, base_url, "activate")


@webhooks_app.command("list")
def webhooks_list(org_id: str, base_url: BaseUrl) -> None:
    """An org's webhook endpoints: where they deliver, what, and whether they are enabled."""
    hooks = _with_api(base_url, lambda api: list(api.items("streams", "/v1/webhooks", org_id=org_id)))
    table = Table("id", "url", "event types", "enabled", "why disabled")
    for hook in hooks:
        table.add_row(hook["id"], hook["url"], ", ".join(hook.get("event_types") or ["*"]),
                      "yes" if hook["enabled"] else "no", hook.get("disabled_reason") or "")  # fmt: skip
    console.print(table)


@webhooks_app.command("disable")
def webhooks_disable(org_id: str, webhook_id: str, base_url: BaseUrl) -> None:
    """Stop delivering to one of an org's endpoints (nothing is deleted; the org re-enables it)."""
    hook = _with_api(
        base_url, lambda api: api.call("POST", "streams", f"/v1/webhooks/{webhook_id}/disable", org_id=org_id)
    )
    console.print(f"{hook['id']} disabled: {hook['disabled_reason']}")
