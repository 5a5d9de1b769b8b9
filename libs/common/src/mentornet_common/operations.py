"""The operator API every service serves about itself: ``/v1/operations/{service}/…`` (ADR 0013).

Each service answers for what it alone can see with the access it already has: its stores (one database
per service, which no other service reads), its outbox backlog, its consumer group's lag, and the dead
letters its group parked — with the same listing, replay and drop as ``mentornet dlq``
(:mod:`mentornet_common.deadletters`). The path is the same in every service, so the gateway and the
Ingress route ``/v1/operations/<service>`` to that service and the merged OpenAPI document holds each
operation once; a service asked about another answers 404. identity adds what spans services: every
service's readiness in one answer (``GET /v1/operations/health``). Only a consortium operator may call any
of it (``operator()``): never an org_admin, a person, an API client or a portal.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import text

from mentornet_common.auth import Principal, operator
from mentornet_common.contracts import TOPIC_IDENTITY
from mentornet_common.deadletters import REDRIVES, DeadLetter, drop, find, list_dead_letters, replay
from mentornet_common.http import RuntimeDep, readiness
from mentornet_common.kafka import connection, dlq_topic, redrive_topic
from mentornet_common.openapi import problems
from mentornet_common.outbox import backlog
from mentornet_common.pagination import Limit, Offset, page
from mentornet_common.problems import Problem
from mentornet_common.runtime import Runtime
from mentornet_common.settings import CommonSettings
from mentornet_common.tenancy import TenantStores, sqlite_file

HEALTH_TIMEOUT_S = 5.0
Operator = Annotated[Principal, Depends(operator())]
ServiceName = Annotated[
    str,
    Path(
        pattern=r"^[a-z]{1,20}$",
        description="The service asked: identity, profiles, matching, sessions, feedback or streams (the "
        "gateway sends /v1/operations/<service> to it).",
    ),
]
Ref = Annotated[
    str,
    Path(
        max_length=300,
        description="A dead letter, as listed: `<dead-letter topic>:<partition>:<offset>`.",
    ),
]


def consumed_topics(handlers: Iterable[type[Any]]) -> tuple[str, ...]:
    """The topics (without the deployment's prefix) a service's consumer group reads: those of its handlers'
    event types, and identity's, whose org-registered provisions its stores (as ``Consumer`` subscribes)."""
    found = {cls.topic for cls in handlers}
    return tuple(sorted(found | {TOPIC_IDENTITY})) if found else ()


# what the answers look like ---------------------------------------------------------------------------------


class StoreOut(BaseModel):
    tenant: str = Field(description="The org id, or `consortium` for the service's own store.")
    backend: str = Field(description="`sqlite` or `postgresql`.")
    size_bytes: int | None = Field(
        description="What the store takes on disk: the SQLite file, or the PostgreSQL schema's tables and "
        "indexes; null when it cannot be read cheaply."
    )


class StoreList(BaseModel):
    service: str
    items: list[StoreOut]
    next_offset: int | None


class OutboxOut(BaseModel):
    tenant: str
    unsent: int = Field(description="Events written but not yet acknowledged by the broker.")
    oldest_unsent_at: datetime | None = Field(description="When the oldest of them was written.")
    oldest_age_s: float | None = Field(description="How long ago, in seconds.")


class OutboxList(BaseModel):
    service: str
    unsent: int = Field(description="Unsent events in the stores of this page.")
    items: list[OutboxOut]
    next_offset: int | None


class LagOut(BaseModel):
    group: str
    topic: str
    partition: int
    committed: int = Field(description="The group's committed offset (0 when it has committed none).")
    end: int = Field(description="The partition's end offset.")
    lag: int = Field(description="Records the group has yet to handle (end minus committed).")


class LagList(BaseModel):
    service: str
    items: list[LagOut]


class DeadLetterOut(BaseModel):
    ref: str = Field(description="How to name it: `<dead-letter topic>:<partition>:<offset>`.")
    topic: str = Field(description="The dead-letter topic.")
    partition: int
    offset: int
    original_topic: str = Field(
        description="The topic the group read it from; a replay reaches the group on its own redrive topic "
        "and is handled as a record of this one."
    )
    type: str | None = Field(description="The event's CloudEvents type (`ce_type`).")
    tenant: str | None = Field(description="The org the event names (`ce_tenantid`).")
    group: str | None = Field(description="The consumer group that gave up on it.")
    handler: str | None
    reason: str = Field(description="`handler`, `unknown-tenant`, `malformed` or `foreign-store`.")
    error: str | None
    failed_at: str | None
    redrives: int = Field(description="How many times the group's redrive policy replayed it already.")

    @classmethod
    def of(cls, letter: DeadLetter) -> DeadLetterOut:
        return cls(
            ref=letter.ref,
            topic=letter.topic,
            partition=letter.partition,
            offset=letter.offset,
            original_topic=letter.original_topic,
            type=letter.header("ce_type"),
            tenant=letter.header("ce_tenantid"),
            group=letter.group,
            handler=letter.header("dlq_handler"),
            reason=letter.header("dlq_reason") or "handler",
            error=letter.header("dlq_error"),
            failed_at=letter.header("dlq_failed_at"),
            redrives=int(letter.header(REDRIVES) or 0),
        )


class DeadLetterDetail(DeadLetterOut):
    key: str | None = Field(description="The record's key (the event's subject), as text.")
    headers: dict[str, str] = Field(description="Every header of the record, as text.")
    payload: Any = Field(description="The record's value as JSON; null when it is not JSON (see `text`).")
    text: str | None = Field(description="The record's value as text (bytes that are not UTF-8 replaced).")

    @classmethod
    def full(cls, letter: DeadLetter) -> DeadLetterDetail:
        value = letter.value
        try:
            payload = json.loads(value) if value else None
        except ValueError:
            payload = None
        return cls(
            **DeadLetterOut.of(letter).model_dump(),
            key=letter.key.decode("utf-8", "replace") if letter.key is not None else None,
            headers={k: v.decode("utf-8", "replace") for k, v in letter.headers},
            payload=payload,
            text=value.decode("utf-8", "replace") if value is not None else None,
        )


class DeadLetterList(BaseModel):
    service: str
    items: list[DeadLetterOut]
    next_offset: int | None


class DeadLettersSettled(BaseModel):
    service: str
    count: int = Field(description="How many dead letters were replayed (or dropped).")
    refs: list[str]


# what each answer reads -------------------------------------------------------------------------------------


async def store_size(stores: TenantStores, tenant: str) -> int | None:
    """The bytes one store takes: its SQLite file (and write-ahead log), or its PostgreSQL schema."""
    path = sqlite_file(stores.url_for(tenant))
    if path is not None:
        files = [path, path.with_name(path.name + "-wal")]
        return sum(f.stat().st_size for f in files if f.exists())
    schema = stores.schema_for(tenant)
    if schema is None:
        return None
    async with stores.session(tenant) as session:
        size = await session.exec(  # type: ignore[call-overload]
            text(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema AND c.relkind = 'r'"
            ).bindparams(schema=schema)
        )
        return int(size.scalar_one())


async def outbox_backlog(stores: TenantStores, tenant: str, now: datetime) -> OutboxOut:
    """How many events one store has yet to publish, and the oldest one's age."""
    async with stores.session(tenant) as session:
        count, oldest = await backlog(session)
    return OutboxOut(
        tenant=tenant,
        unsent=int(count),
        oldest_unsent_at=oldest,
        oldest_age_s=round((now - oldest).total_seconds(), 3) if oldest is not None else None,
    )


async def group_lag(settings: CommonSettings, group: str, topics: Iterable[str]) -> list[LagOut]:
    """How far one consumer group is behind on each partition of ``topics`` (unprefixed names) and of its own
    redrive topic, where its dead letters are replayed."""
    names = [settings.topic(topic) for topic in topics]
    names += [redrive_topic(settings, group)] if names else []
    consumer = AIOKafkaConsumer(**connection(settings), group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer.topics()  # fetches the cluster's metadata
        partitions = [
            TopicPartition(topic, p)
            for topic in names
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        ends = await consumer.end_offsets(partitions) if partitions else {}
        rows = []
        for tp in partitions:
            committed = await consumer.committed(tp) or 0
            end = ends[tp]
            rows.append(LagOut(group=group, topic=tp.topic, partition=tp.partition, committed=committed,
                               end=end, lag=max(0, end - committed)))  # fmt: skip
        return rows
    finally:
        await consumer.stop()


async def group_dead_letters(settings: CommonSettings, group: str, topics: Iterable[str]) -> list[DeadLetter]:
    """The dead letters ``group`` parked and nobody settled yet, on its own dead-letter topic (none for a
    service that reads no ``topics``). Letters on the shared legacy ``<topic>.dlq`` topics are not read: the
    service may not (docs/operations.md, upgrading)."""
    if not list(topics):
        return []
    return await list_dead_letters(settings, [dlq_topic(settings, group)])


# the router -------------------------------------------------------------------------------------------------


def operations_router(own: str, handlers: Mapping[type[Any], Any]) -> APIRouter:
    """``/v1/operations/{service}/…`` for the service ``own``, whose consumer group (named as the service)
    runs ``handlers``; a service that consumes nothing (identity) has no lag and no dead letters."""
    router = APIRouter(prefix="/v1/operations/{service}", tags=["operations"])
    topics = consumed_topics(handlers)

    def this(asked: str) -> None:
        if asked != own:
            raise Problem(404, detail=f"this is {own}: ask /v1/operations/{asked} of that service")

    async def tenants(runtime: Runtime, limit: int, offset: int) -> tuple[list[str], int | None]:
        every = await runtime.stores.tenants()
        return page(every[offset : offset + limit + 1], limit, offset)

    @router.get(
        "/stores",
        operation_id="listServiceStores",
        response_model=StoreList,
        summary="The stores a service holds: its own and one per member org, with their size (operator)",
    )
    async def list_stores(
        service: ServiceName,
        runtime: RuntimeDep,
        _: Operator,
        limit: Limit = 50,
        offset: Offset = 0,
        tenant: str | None = Query(
            None, max_length=200, description="Only this org's store (or `consortium`): none if it has none."
        ),
    ) -> StoreList:
        this(service)
        if tenant is not None:
            chosen, next_offset = [t for t in await runtime.stores.tenants() if t == tenant], None
        else:
            chosen, next_offset = await tenants(runtime, limit, offset)
        backend = "sqlite" if sqlite_file(runtime.stores.url_for("consortium")) else "postgresql"
        items = [
            StoreOut(tenant=t, backend=backend, size_bytes=await store_size(runtime.stores, t))
            for t in chosen
        ]
        return StoreList(service=own, items=items, next_offset=next_offset)

    @router.get(
        "/outbox",
        operation_id="getServiceOutbox",
        response_model=OutboxList,
        summary="Events written but not yet published, per store, with the oldest one's age (operator)",
    )
    async def get_outbox(
        service: ServiceName, runtime: RuntimeDep, _: Operator, limit: Limit = 50, offset: Offset = 0
    ) -> OutboxList:
        this(service)
        chosen, next_offset = await tenants(runtime, limit, offset)
        now = datetime.now(UTC)
        items = [await outbox_backlog(runtime.stores, t, now) for t in chosen]
        return OutboxList(
            service=own, unsent=sum(i.unsent for i in items), items=items, next_offset=next_offset
        )

    @router.get(
        "/lag",
        operation_id="getServiceLag",
        response_model=LagList,
        responses=problems((503, "The broker did not answer")),
        summary="How far the service's consumer group is behind, per topic and partition (operator)",
    )
    async def get_lag(service: ServiceName, runtime: RuntimeDep, _: Operator) -> LagList:
        this(service)
        items = await _broker(group_lag(runtime.settings, own, topics)) if topics else []
        return LagList(service=own, items=items)

    @router.get(
        "/dead-letters",
        operation_id="listServiceDeadLetters",
        response_model=DeadLetterList,
        responses=problems((503, "The broker did not answer")),
        summary="The dead letters the service's consumer group parked, oldest first per partition (operator)",
    )
    async def list_letters(
        service: ServiceName, runtime: RuntimeDep, _: Operator, limit: Limit = 50, offset: Offset = 0
    ) -> DeadLetterList:
        this(service)
        letters = await _broker(group_dead_letters(runtime.settings, own, topics))
        chosen, next_offset = page(letters[offset : offset + limit + 1], limit, offset)
        return DeadLetterList(
            service=own, items=[DeadLetterOut.of(x) for x in chosen], next_offset=next_offset
        )

    async def one(runtime: Runtime, ref: str) -> DeadLetter:
        letter = find(await _broker(group_dead_letters(runtime.settings, own, topics)), ref)
        if letter is None:
            raise Problem(404, detail=f"{own} has no dead letter {ref} waiting (replayed or dropped?)")
        return letter

    @router.get(
        "/dead-letters/{ref}",
        operation_id="getServiceDeadLetter",
        response_model=DeadLetterDetail,
        responses=problems((503, "The broker did not answer")),
        summary="One dead letter in full: its headers and payload (operator)",
    )
    async def get_letter(service: ServiceName, ref: Ref, runtime: RuntimeDep, _: Operator) -> Any:
        this(service)
        return DeadLetterDetail.full(await one(runtime, ref))

    @router.post(
        "/dead-letters/{ref}/replay",
        operation_id="replayServiceDeadLetter",
        response_model=DeadLettersSettled,
        responses=problems((503, "The broker did not answer")),
        summary="Replay one dead letter for the group that gave up on it, on its redrive topic (operator)",
    )
    async def replay_letter(
        service: ServiceName, ref: Ref, runtime: RuntimeDep, _: Operator
    ) -> DeadLettersSettled:
        this(service)
        letter = await one(runtime, ref)
        count = await _broker(replay(runtime.settings, [letter]))
        return DeadLettersSettled(service=own, count=count, refs=[letter.ref])

    @router.post(
        "/dead-letters/replay",
        operation_id="replayServiceDeadLetters",
        response_model=DeadLettersSettled,
        responses=problems((503, "The broker did not answer")),
        summary="Replay every dead letter of the service's group, on its redrive topic (operator)",
    )
    async def replay_all(service: ServiceName, runtime: RuntimeDep, _: Operator) -> DeadLettersSettled:
        this(service)
        letters = await _broker(group_dead_letters(runtime.settings, own, topics))
        count = await _broker(replay(runtime.settings, letters)) if letters else 0
        return DeadLettersSettled(service=own, count=count, refs=[x.ref for x in letters])

    @router.post(
        "/dead-letters/{ref}/drop",
        operation_id="dropServiceDeadLetter",
        response_model=DeadLettersSettled,
        responses=problems((503, "The broker did not answer")),
        summary="Give up on one dead letter: no longer listed nor redriven; the record stays (operator)",
    )
    async def drop_letter(
        service: ServiceName, ref: Ref, runtime: RuntimeDep, _: Operator
    ) -> DeadLettersSettled:
        this(service)
        letter = await one(runtime, ref)
        count = await _broker(drop(runtime.settings, [letter]))
        return DeadLettersSettled(service=own, count=count, refs=[letter.ref])

    return router


async def _broker(work: Any) -> Any:
    """The broker's answer, or 503 when it cannot be reached (the operator retries; nothing was lost)."""
    try:
        return await work
    except Exception as exc:
        if type(exc).__module__.startswith("aiokafka") or isinstance(exc, OSError | TimeoutError):
            raise Problem(
                503, detail=f"the broker did not answer ({type(exc).__name__}); try again",
                headers={"Retry-After": "5"},
            ) from exc  # fmt: skip
        raise


# every service's readiness, in one answer -------------------------------------------------------------------


class ServiceHealth(BaseModel):
    service: str
    status: str = Field(description="`ready`, `not ready` (a check failed) or `unreachable`.")
    checks: dict[str, str] = Field(
        description="What the service's /readyz says of each check (`store`, `broker`): `ok` or why not; "
        "for an unreachable service, what went wrong reaching it."
    )


class ConsortiumHealth(BaseModel):
    status: str = Field(description="`ready` when every service is, else `not ready`.")
    services: list[ServiceHealth]


def health_router(own: str, others: Mapping[str, str]) -> APIRouter:
    """``GET /v1/operations/health``: this service's readiness, read in-process, and each of ``others``'
    ``/readyz`` (service name → base URL), asked over the network this process has."""
    router = APIRouter(prefix="/v1/operations", tags=["operations"])

    async def remote(http: httpx.AsyncClient, service: str, base: str) -> ServiceHealth:
        try:
            response = await http.get(f"{base.rstrip('/')}/readyz")
            body = response.json()
            return ServiceHealth(
                service=service,
                status=str(body["status"]),
                checks={k: str(v) for k, v in body["checks"].items()},
            )
        except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError) as exc:
            return ServiceHealth(service=service, status="unreachable", checks={"api": type(exc).__name__})

    @router.get(
        "/health",
        operation_id="getHealth",
        response_model=ConsortiumHealth,
        summary="Every service's readiness (its store and the broker), in one answer (operator)",
    )
    async def get_health(runtime: RuntimeDep, _: Operator) -> ConsortiumHealth:
        mine = await readiness(runtime)
        async with httpx.AsyncClient(timeout=HEALTH_TIMEOUT_S) as http:
            theirs = await asyncio.gather(*(remote(http, s, url) for s, url in others.items() if s != own))
        services = [ServiceHealth(service=own, status=mine["status"], checks=mine["checks"]), *theirs]
        ready = all(s.status == "ready" for s in services)
        return ConsortiumHealth(status="ready" if ready else "not ready", services=services)

    return router
