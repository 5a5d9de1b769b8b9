"""mentornet: what consortium operators need to watch and repair a deployment.

Configuration comes from the MENTORNET_* variables the services read. A service's own database may be
named with MENTORNET_<SERVICE>_DATABASE_URL (e.g. MENTORNET_MATCHING_DATABASE_URL); without it,
MENTORNET_DATABASE_URL (or the SQLite files under MENTORNET_DATA_DIR) is used. Commands about stores need
the service's package installed: run them from that service's image (--service <name>) or a full install.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import httpx
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import func
from sqlmodel import col, select

from mentornet_common.deadletters import (
    REDRIVES,
    DeadLetter,
    NotReplayable,
    drop,
    find,
    list_dead_letters,
    replay,
)
from mentornet_common.idempotency import IdempotencyRecord
from mentornet_common.inbox import InboxEntry
from mentornet_common.migrations import alembic_migrator, migrate_all
from mentornet_common.operations import consumed_topics, group_lag
from mentornet_common.outbox import OutboxMessage, pending_count
from mentornet_common.settings import CommonSettings
from mentornet_common.tenancy import TenantStores
from mentornet_ops import members
from mentornet_ops.remote import OperatorApi, with_api

SERVICES = ("identity", "profiles", "matching", "sessions", "feedback", "streams")
PORTS = dict(zip(SERVICES, range(8001, 8001 + len(SERVICES)), strict=True))


def _groups() -> dict[str, tuple[str, ...]]:
    """Each service's consumer group and the topics its handlers read, from the installed code."""
    found = {}
    for service in SERVICES:
        try:
            handlers = importlib.import_module(f"{service}.handlers").HANDLERS
        except ModuleNotFoundError:
            continue  # not installed here, or consumes nothing (identity)
        found[service] = consumed_topics(handlers)
    return found


GROUPS: dict[str, tuple[str, ...]] = _groups()

app = typer.Typer(help=__doc__, no_args_is_help=True)
tenants_app = typer.Typer(help="Tenant stores: list and provision.", no_args_is_help=True)
dlq_app = typer.Typer(help="Dead letters: list, show, replay, drop.", no_args_is_help=True)
app.add_typer(tenants_app, name="tenants")
app.add_typer(dlq_app, name="dlq")
app.add_typer(members.orgs_app, name="orgs")
app.add_typer(members.users_app, name="users")
app.add_typer(members.keys_app, name="keys")
app.add_typer(members.webhooks_app, name="webhooks")
console = Console()
T = TypeVar("T")

ServiceOption = Annotated[str, typer.Option("--service", "-s", help="One service, or 'all'.")]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        envvar="MENTORNET_BASE_URL",
        help="Ask the operator API behind this gateway (e.g. https://mentornet.example.org) instead of "
        "reading stores and the broker directly; as MENTORNET_OPERATOR_TOKEN, or MENTORNET_OPERATOR_EMAIL "
        "and MENTORNET_OPERATOR_PASSWORD.",
    ),
]


def _run(coroutine: Awaitable[T]) -> T:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


def settings_for(service: str) -> CommonSettings:
    """The settings a service's own processes would read, with its own database when one is named."""
    overrides: dict[str, Any] = {"service_name": service}
    if url := os.environ.get(f"MENTORNET_{service.upper()}_DATABASE_URL"):
        overrides["database_url"] = url
    return CommonSettings(**overrides)


def _services(service: str) -> list[str]:
    if service == "all":
        return list(SERVICES)
    if service not in SERVICES:
        raise typer.BadParameter(f"unknown service {service!r}; one of {', '.join(SERVICES)} or all")
    return [service]


async def _with_stores(service: str, work: Callable[[TenantStores], Awaitable[T]]) -> T:
    stores = TenantStores(settings_for(service), alembic_migrator(service))
    try:
        return await work(stores)
    finally:
        await stores.close()


# health ---------------------------------------------------------------------------------------------------


@app.command()
def health(base_url: BaseUrlOption = None) -> None:
    """Each service's readiness: its store and the broker. With --base-url, through the operator API
    (GET /v1/operations/health, which the gateway and the Ingress route); else each API's /readyz."""
    if base_url:
        rows = _api_call(base_url, lambda api: api.get("identity", "/v1/operations/health")["services"])
        answers = [(r["service"], r["status"], ", ".join(f"{k}: {v}" for k, v in r["checks"].items()))
                   for r in rows]  # fmt: skip
    else:
        answers = [_readyz(service) for service in SERVICES]
    table = Table("service", "status", "checks")
    for row in answers:
        table.add_row(*row)
    console.print(table)
    raise typer.Exit(1 if any(status != "ready" for _, status, _ in answers) else 0)


def _readyz(service: str) -> tuple[str, str, str]:
    """One API's /readyz, asked directly (MENTORNET_<SERVICE>_URL, else its `make run` port)."""
    url = os.environ.get(f"MENTORNET_{service.upper()}_URL") or f"http://127.0.0.1:{PORTS[service]}"
    try:
        body = httpx.get(f"{url}/readyz", timeout=5).json()
        return service, body.get("status", "?"), ", ".join(f"{k}: {v}" for k, v in body["checks"].items())
    except (httpx.HTTPError, ValueError, KeyError, AttributeError) as exc:
        return service, "unreachable", type(exc).__name__


def _api_call(base_url: str, work: Callable[[OperatorApi], T]) -> T:
    return with_api(base_url, console, work)


# tenants and migrations -----------------------------------------------------------------------------------


@tenants_app.command("list")
def tenants_list(service: ServiceOption = "all") -> None:
    """The tenant stores each service has provisioned."""
    table = Table("service", "stores")
    for name in _services(service):
        stores = _run(_with_stores(name, lambda s: s.tenants()))
        table.add_row(name, ", ".join(stores))
    console.print(table)


@tenants_app.command("provision")
def tenants_provision(org_id: str, service: ServiceOption = "all") -> None:
    """Create and migrate an org's store in every service (identity does this when an org registers)."""
    names = _services(service)
    with Progress(console=console) as progress:
        task = progress.add_task(f"provisioning {org_id}", total=len(names))
        for name in names:
            _run(_with_stores(name, lambda s: s.provision(org_id)))
            progress.advance(task)
    console.print(f"{org_id} provisioned in {', '.join(names)}")


@app.command()
def migrate(service: ServiceOption = "all") -> None:
    """Upgrade the consortium store and every tenant store to the newest migration (run before deploying)."""
    for name in _services(service):

        async def upgrade(stores: TenantStores, name: str = name) -> int:
            with Progress(console=console) as progress:
                task = progress.add_task(f"{name}: migrating stores", total=None)
                return await migrate_all(stores, lambda _: progress.advance(task))

        count = _run(_with_stores(name, upgrade))
        console.print(f"{name}: {count} stores at head")


# outbox and consumer lag ------------------------------------------------------------------------------------


@app.command()
def outbox(service: ServiceOption = "all", base_url: BaseUrlOption = None) -> None:
    """Events written but not yet published, per service and tenant store (with --base-url, also the
    oldest one's age)."""
    if base_url:
        _outbox_through_api(base_url, _services(service))
        return
    table = Table("service", "store", "unsent")
    for name in _services(service):

        async def backlog(stores: TenantStores) -> list[tuple[str, int]]:
            counts = []
            for tenant in await stores.tenants():
                async with stores.session(tenant) as session:
                    counts.append((tenant, await pending_count(session)))
            return counts

        for tenant, unsent in _run(_with_stores(name, backlog)):
            table.add_row(name, tenant, str(unsent))
    console.print(table)


@app.command()
def kept(service: ServiceOption = "all") -> None:
    """What each store keeps that the workers purge, and for how long (the retention settings)."""
    settings = CommonSettings()
    console.print(
        f"kept: published outbox rows {settings.outbox_retention_days:g} days, inbox rows "
        f"{settings.inbox_retention_days:g} days, Idempotency-Key answers 1 day; streams: partner events "
        f"{_setting('streams', 'partner_event_retention_days'):g} days, finished webhook deliveries "
        f"{_setting('streams', 'delivery_log_retention_days'):g} days"
    )
    table = Table(
        "service", "store", "published outbox", "inbox", "idempotency answers", "partner events",
        "finished deliveries",
    )  # fmt: skip
    for name in _services(service):

        async def counts(stores: TenantStores, name: str = name) -> list[tuple[str, list[str]]]:
            published = col(OutboxMessage.sent_at).is_not(None)
            queries: list[Any] = [
                select(func.count()).select_from(OutboxMessage).where(published),
                select(func.count()).select_from(InboxEntry),
                select(func.count()).select_from(IdempotencyRecord),
            ]
            if name == "streams":
                models = importlib.import_module("streams.models")
                finished = col(models.WebhookDelivery.status) != "pending"
                queries.append(select(func.count()).select_from(models.PartnerEvent))
                queries.append(select(func.count()).select_from(models.WebhookDelivery).where(finished))
            found: list[tuple[str, list[str]]] = []
            for tenant in await stores.tenants():
                async with stores.session(tenant) as session:
                    numbers = [str(int((await session.exec(q)).one())) for q in queries]
                found.append((tenant, numbers + ["-"] * (5 - len(numbers))))
            return found

        for tenant, numbers in _run(_with_stores(name, counts)):
            table.add_row(name, tenant, *numbers)
    console.print(table)


def _setting(service: str, name: str) -> Any:
    """One setting of a service, as its processes would read it from the environment."""
    config = importlib.import_module(f"{service}.config")
    settings_class = next(
        value
        for value in vars(config).values()
        if isinstance(value, type) and issubclass(value, CommonSettings) and value is not CommonSettings
    )
    return getattr(settings_class(), name)


async def consumer_lag(settings: CommonSettings) -> list[tuple[str, str, int, int, int]]:
    """(group, topic, partition, committed offset, lag) for every group and partition it reads."""
    rows = []
    for group, topics in GROUPS.items():
        for row in await group_lag(settings, group, topics):
            rows.append((row.group, row.topic, row.partition, row.committed, row.lag))
    return rows


@app.command()
def lag(base_url: BaseUrlOption = None) -> None:
    """How far each consumer group is behind, per partition."""
    table = Table("group", "topic", "partition", "committed", "lag")
    rows = _lag_through_api(base_url) if base_url else _run(consumer_lag(CommonSettings()))
    for group, topic, partition, committed, behind in rows:
        table.add_row(group, topic, str(partition), str(committed), str(behind))
    console.print(table)


# dead letters -----------------------------------------------------------------------------------------------


def _letters() -> list[DeadLetter]:
    return _run(list_dead_letters(CommonSettings()))


@dlq_app.command("list")
def dlq_list(base_url: BaseUrlOption = None) -> None:
    """Every dead letter: where it came from, which group gave up, and why."""
    if base_url:
        _dlq_list_through_api(base_url)
        return
    table = Table("ref", "type", "tenant", "group / handler", "failed at", "why", "redriven", "error")
    for letter in _letters():
        table.add_row(
            letter.ref,
            letter.header("ce_type") or "?",
            letter.header("ce_tenantid") or "?",
            f"{letter.group} / {letter.header('dlq_handler')}" + (" (legacy)" if letter.legacy else ""),
            letter.header("dlq_failed_at") or "",
            letter.header("dlq_reason") or "handler",
            letter.header(REDRIVES) or "0",
            (letter.header("dlq_error") or "")[:80],
        )
    console.print(table)


@dlq_app.command("show")
def dlq_show(ref: str, base_url: BaseUrlOption = None) -> None:
    """One dead letter in full: headers and payload."""
    if base_url:
        _dlq_show_through_api(base_url, ref)
        return
    letter = find(_letters(), ref)
    if letter is None:
        console.print(f"no dead letter {ref}")
        raise typer.Exit(1)
    console.print({k: v.decode("utf-8", "replace") for k, v in letter.headers})
    try:
        console.print_json(json.dumps(json.loads(letter.value or b"")))
    except ValueError:
        console.print(repr(letter.value))


@dlq_app.command("replay")
def dlq_replay(
    refs: Annotated[
        list[str] | None, typer.Argument(help="Dead letters to replay, as shown by `dlq list`.")
    ] = None,
    all_: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Replay every dead letter on the groups' own topics (those left on a legacy shared "
            "`<topic>.dlq` only by name).",
        ),
    ] = False,
    base_url: BaseUrlOption = None,
) -> None:
    """Replay dead letters for the groups that parked them (after fixing what made them fail)."""
    if base_url:
        _dlq_settle_through_api(base_url, "replay", None if all_ else refs or [])
        return
    letters = _letters()
    if all_:
        # A legacy letter's group is only a header any service reading that topic could have written:
        # an operator names each one after reading it (`dlq show`).
        chosen = [letter for letter in letters if not letter.legacy]
        if legacy := len(letters) - len(chosen):
            console.print(f"{legacy} letter(s) on legacy <topic>.dlq topics left: replay them by name")
    else:
        chosen = [letter for ref in refs or [] if (letter := find(letters, ref)) is not None]
        missing = sorted(set(refs or []) - {letter.ref for letter in chosen})
        if missing or not chosen:
            console.print(f"no such dead letters: {', '.join(missing) or '(none named; use --all)'}")
            raise typer.Exit(1)
    settings = CommonSettings()
    with Progress(console=console) as progress:
        task = progress.add_task("replaying", total=len(chosen))
        for letter in chosen:
            try:
                _run(replay(settings, [letter]))
            except NotReplayable as exc:
                console.print(str(exc))
                raise typer.Exit(1) from exc
            progress.advance(task)
    console.print(f"replayed {len(chosen)} dead letter(s); consumers skip what they already handled")


@dlq_app.command("drop")
def dlq_drop(
    refs: Annotated[list[str], typer.Argument(help="Dead letters to drop, as shown by `dlq list`.")],
    base_url: BaseUrlOption = None,
) -> None:
    """Give up on dead letters: no longer listed nor redriven (the records stay on the topic, marked)."""
    if base_url:
        _dlq_settle_through_api(base_url, "drop", refs)
        return
    letters = _letters()
    chosen = [letter for ref in refs if (letter := find(letters, ref)) is not None]
    missing = sorted(set(refs) - {letter.ref for letter in chosen})
    if missing:
        console.print(f"no such dead letters: {', '.join(missing)}")
        raise typer.Exit(1)
    console.print(f"dropped {_run(drop(CommonSettings(), chosen))} dead letter(s)")


# the operator API mode (--base-url) ------------------------------------------------------------------------
# The same answers as the direct mode above, asked of the public operator API (/v1/operations, ADR 0013) with
# an operator's token (mentornet_ops.remote), from anywhere the gateway or the Ingress is reachable.


def _outbox_through_api(base_url: str, names: list[str]) -> None:
    table = Table("service", "store", "unsent", "oldest unsent")

    def rows(api: OperatorApi) -> list[tuple[str, dict[str, Any]]]:
        return [(n, item) for n in names for item in api.items(n, f"/v1/operations/{n}/outbox")]

    for name, item in _api_call(base_url, rows):
        age = item["oldest_age_s"]
        table.add_row(name, item["tenant"], str(item["unsent"]), "" if age is None else f"{age:.1f} s ago")
    console.print(table)


def _lag_through_api(base_url: str) -> list[tuple[str, str, int, int, int]]:
    def rows(api: OperatorApi) -> list[tuple[str, str, int, int, int]]:
        return [
            (r["group"], r["topic"], r["partition"], r["committed"], r["lag"])
            for name in SERVICES
            for r in api.get(name, f"/v1/operations/{name}/lag")["items"]
        ]

    return _api_call(base_url, rows)


def _dlq_list_through_api(base_url: str) -> None:
    table = Table("ref", "type", "tenant", "group / handler", "failed at", "why", "redriven", "error")

    def letters(api: OperatorApi) -> list[dict[str, Any]]:
        return [x for name in SERVICES for x in api.items(name, f"/v1/operations/{name}/dead-letters")]

    for x in _api_call(base_url, letters):
        table.add_row(
            x["ref"], x["type"] or "?", x["tenant"] or "?", f"{x['group']} / {x['handler']}",
            x["failed_at"] or "", x["reason"], str(x["redrives"]), (x["error"] or "")[:80],
        )  # fmt: skip
    console.print(table)


def _owner(api: OperatorApi, ref: str) -> str | None:
    """The service whose group parked the dead letter ``ref`` (each letter is one group's)."""
    for name in SERVICES:
        if any(x["ref"] == ref for x in api.items(name, f"/v1/operations/{name}/dead-letters")):
            return name
    return None


def _dlq_show_through_api(base_url: str, ref: str) -> None:
    def show(api: OperatorApi) -> dict[str, Any] | None:
        name = _owner(api, ref)
        return None if name is None else dict(api.get(name, f"/v1/operations/{name}/dead-letters/{ref}"))

    letter = _api_call(base_url, show)
    if letter is None:
        console.print(f"no dead letter {ref}")
        raise typer.Exit(1)
    console.print(letter["headers"])
    if letter["payload"] is not None:
        console.print_json(json.dumps(letter["payload"]))
    else:
        console.print(repr(letter["text"]))


def _dlq_settle_through_api(base_url: str, action: str, refs: list[str] | None) -> None:
    """Replay (or drop) the named dead letters, each through the service whose group parked it; ``refs``
    None: replay every dead letter of every service."""

    def settle(api: OperatorApi) -> tuple[int, list[str]]:
        if refs is None:
            count = sum(api.post(n, f"/v1/operations/{n}/dead-letters/replay")["count"] for n in SERVICES)
            return count, []
        owners = {ref: _owner(api, ref) for ref in refs}
        missing = sorted(ref for ref, owner in owners.items() if owner is None)
        if missing or not refs:
            return 0, missing or ["(none named; use --all)"]
        done = sum(
            api.post(str(owner), f"/v1/operations/{owner}/dead-letters/{ref}/{action}")["count"]
            for ref, owner in owners.items()
        )
        return done, []

    count, missing = _api_call(base_url, settle)
    if missing:
        console.print(f"no such dead letters: {', '.join(missing)}")
        raise typer.Exit(1)
    verb = "replayed" if action == "replay" else "dropped"
    tail = "; consumers skip what they already handled" if action == "replay" else ""
    console.print(f"{verb} {count} dead letter(s){tail}")


# Commands kept in modules of their own, registered on `app` when imported.
from mentornet_ops import data as _data  # noqa: E402, F401  (backup, restore)
from mentornet_ops import offboarding as _offboarding  # noqa: E402, F401  (orgs offboard)
