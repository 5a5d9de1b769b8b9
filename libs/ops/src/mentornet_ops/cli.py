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
from aiokafka import AIOKafkaConsumer, TopicPartition
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import func
from sqlmodel import col, select

from mentornet_common.deadletters import REDRIVES, DeadLetter, drop, find, list_dead_letters, replay
from mentornet_common.idempotency import IdempotencyRecord
from mentornet_common.inbox import InboxEntry
from mentornet_common.kafka import connection
from mentornet_common.migrations import alembic_migrator, migrate_all
from mentornet_common.outbox import OutboxMessage, pending_count
from mentornet_common.settings import CommonSettings
from mentornet_common.tenancy import TenantStores

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
        found[service] = tuple(sorted({cls.topic for cls in handlers}))
    return found


GROUPS: dict[str, tuple[str, ...]] = _groups()

app = typer.Typer(help=__doc__, no_args_is_help=True)
tenants_app = typer.Typer(help="Tenant stores: list and provision.", no_args_is_help=True)
dlq_app = typer.Typer(help="Dead letters: list, show, replay, drop.", no_args_is_help=True)
app.add_typer(tenants_app, name="tenants")
app.add_typer(dlq_app, name="dlq")
console = Console()
T = TypeVar("T")

ServiceOption = Annotated[str, typer.Option("--service", "-s", help="One service, or 'all'.")]


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
def health(
    base_url: Annotated[
        str | None, typer.Option(help="One gateway in front of every service, e.g. https://mentornet.example")
    ] = None,
) -> None:
    """Each service's readiness: its store and the broker."""
    table = Table("service", "status", "checks")
    failures = 0
    with httpx.Client(timeout=5) as http:
        for service in SERVICES:
            url = os.environ.get(f"MENTORNET_{service.upper()}_URL") or (
                f"{base_url}/{service}" if base_url else f"http://127.0.0.1:{PORTS[service]}"
            )
            try:
                response = http.get(f"{url}/readyz")
                body = response.json()
                status, checks = (
                    body.get("status", "?"),
                    ", ".join(f"{k}: {v}" for k, v in body["checks"].items()),
                )
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                status, checks = "unreachable", type(exc).__name__
            failures += status != "ready"
            table.add_row(service, status, checks)
    console.print(table)
    raise typer.Exit(1 if failures else 0)


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
def outbox(service: ServiceOption = "all") -> None:
    """Events written but not yet published, per service and tenant store."""
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
        consumer = AIOKafkaConsumer(**connection(settings), group_id=group, enable_auto_commit=False)
        await consumer.start()
        try:
            await consumer.topics()  # fetches the cluster's metadata
            partitions = [
                TopicPartition(settings.topic(topic), p)
                for topic in topics
                for p in sorted(consumer.partitions_for_topic(settings.topic(topic)) or ())
            ]
            ends = await consumer.end_offsets(partitions) if partitions else {}
            for tp in partitions:
                committed = await consumer.committed(tp) or 0
                rows.append((group, tp.topic, tp.partition, committed, max(0, ends[tp] - committed)))
        finally:
            await consumer.stop()
    return rows


@app.command()
def lag() -> None:
    """How far each consumer group is behind, per partition."""
    table = Table("group", "topic", "partition", "committed", "lag")
    for group, topic, partition, committed, behind in _run(consumer_lag(CommonSettings())):
        table.add_row(group, topic, str(partition), str(committed), str(behind))
    console.print(table)


# dead letters -----------------------------------------------------------------------------------------------


def _letters() -> list[DeadLetter]:
    return _run(list_dead_letters(CommonSettings()))


@dlq_app.command("list")
def dlq_list() -> None:
    """Every dead letter: where it came from, which group gave up, and why."""
    table = Table("ref", "type", "tenant", "group / handler", "failed at", "why", "redriven", "error")
    for letter in _letters():
        table.add_row(
            letter.ref,
            letter.header("ce_type") or "?",
            letter.header("ce_tenantid") or "?",
            f"{letter.header('dlq_consumer_group')} / {letter.header('dlq_handler')}",
            letter.header("dlq_failed_at") or "",
            letter.header("dlq_reason") or "handler",
            letter.header(REDRIVES) or "0",
            (letter.header("dlq_error") or "")[:80],
        )
    console.print(table)


@dlq_app.command("show")
def dlq_show(ref: str) -> None:
    """One dead letter in full: headers and payload."""
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
    all_: Annotated[bool, typer.Option("--all", help="Replay every dead letter.")] = False,
) -> None:
    """Put dead letters back on their original topics (after fixing what made them fail)."""
    letters = _letters()
    if all_:
        chosen = letters
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
            _run(replay(settings, [letter]))
            progress.advance(task)
    console.print(f"replayed {len(chosen)} dead letter(s); consumers skip what they already handled")


@dlq_app.command("drop")
def dlq_drop(
    refs: Annotated[list[str], typer.Argument(help="Dead letters to drop, as shown by `dlq list`.")],
) -> None:
    """Give up on dead letters: no longer listed nor redriven (the records stay on the topic, marked)."""
    letters = _letters()
    chosen = [letter for ref in refs if (letter := find(letters, ref)) is not None]
    missing = sorted(set(refs) - {letter.ref for letter in chosen})
    if missing:
        console.print(f"no such dead letters: {', '.join(missing)}")
        raise typer.Exit(1)
    console.print(f"dropped {_run(drop(CommonSettings(), chosen))} dead letter(s)")


# Commands kept in modules of their own, registered on `app` when imported.
from mentornet_ops import data as _data  # noqa: E402, F401  (backup, restore)
from mentornet_ops import offboarding as _offboarding  # noqa: E402, F401  (orgs offboard)
