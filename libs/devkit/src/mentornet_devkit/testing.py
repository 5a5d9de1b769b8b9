"""Helpers for tests: produce raw records to the real broker, read a topic, wait for a condition; a service's
API and handlers in-process, on the real broker or (unit tests) with its outbox relay in memory."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col, select

from mentornet_common.consumer import Consumer, Handlers, Received, parties
from mentornet_common.contracts import Event
from mentornet_common.envelope import Envelope, Headers
from mentornet_common.kafka import ensure_topics
from mentornet_common.outbox import OutboxMessage
from mentornet_common.runtime import Runtime
from mentornet_common.settings import CommonSettings
from mentornet_devkit.fakes import InMemoryRelay, use_in_memory_relay
from mentornet_devkit.pytest_plugin import isolated_settings
from mentornet_devkit.tokens import TokenFactory

# A service under test without a broker reaches neither a broker nor identity (the revocation feed's polls) by
# mistake, not even those of a `make run` going on beside the tests: the discard port, where nothing listens.
NOWHERE = {
    "kafka_bootstrap_servers": "127.0.0.1:9",
    "jwks_url": "http://127.0.0.1:9/.well-known/jwks.json",
}


@contextmanager
def _every_statement(listener: Callable[..., None]) -> Iterator[None]:
    """``listener`` called before every statement any engine runs while the block runs."""
    event.listen(Engine, "before_cursor_execute", listener)
    try:
        yield
    finally:
        event.remove(Engine, "before_cursor_execute", listener)


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement run while the block runs, on any engine, whitespace folded."""
    run: list[str] = []

    def note(_conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        run.append(" ".join(statement.split()))

    with _every_statement(note):
        yield run


@contextmanager
def query_plans() -> Iterator[list[tuple[str, list[str]]]]:
    """SQLite's plan (``EXPLAIN QUERY PLAN``, on the same connection with the same parameters) of every
    statement run while the block runs, as ``(statement, [plan lines])``. Statements run with
    ``executemany`` (inserts) are not looked at. SQLite only."""
    plans: list[tuple[str, list[str]]] = []
    kinds = ("SELECT", "UPDATE", "DELETE", "WITH", "INSERT")

    def explain(
        conn: Connection, _cursor: Any, statement: str, parameters: Any, _ctx: Any, many: bool
    ) -> None:
        if conn.dialect.name != "sqlite" or many or not statement.lstrip().upper().startswith(kinds):
            return
        driver = conn.connection.driver_connection
        sqlite: Any = getattr(driver, "_conn", driver)  # mentornet_common.sqlite_inline's, or pysqlite's own
        rows = sqlite.execute(f"EXPLAIN QUERY PLAN {statement}", parameters or ()).fetchall()
        plans.append((" ".join(statement.split()), [str(detail) for *_, detail in rows]))

    with _every_statement(explain):
        yield plans


_ALIASED = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?\s+(?:AS\s+)?"?(\w+)"?', re.IGNORECASE)


@contextmanager
def full_scans(*tables: str) -> Iterator[list[str]]:
    """What SQLite reads whole while the block runs, filled in when it ends: ``"<table>: <statement>"`` for
    each statement whose plan (:func:`query_plans`) scans one of ``tables`` (or an alias of one) without an
    index, or walks a whole index of it with no ``LIMIT``. A store grows with use: a question asked per
    event, per request or by a timer in every store must not cost what the store holds. A plan's ``SEARCH``
    passes, however many rows its range holds: which index it uses is :func:`query_plans`' to check."""
    found: list[str] = []
    with query_plans() as plans:
        yield found
    for statement, details in plans:
        named = {alias: table for table, alias in _ALIASED.findall(statement) if table in tables}
        for detail in details:
            words = detail.split()
            table = named.get(words[1], words[1]) if len(words) > 1 else ""
            if words[0] != "SCAN" or table not in tables:
                continue
            if "INDEX" not in words or " LIMIT " not in f" {statement.upper()} ":
                found.append(f"{table}: {statement}")


async def produce(bootstrap: str, topic: str, records: list[tuple[bytes | None, Headers]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for value, headers in records:
            await producer.send_and_wait(topic, value, key=b"k", headers=headers)
    finally:
        await producer.stop()


def as_record(envelope: Envelope) -> tuple[bytes, Headers]:
    return envelope.value(), envelope.headers()


async def read_all(bootstrap: str, topic: str, expect: int, timeout_s: float = 20.0) -> list[ConsumerRecord]:
    """Read a topic from the start until ``expect`` records arrived (or the timeout), then a little more."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", fetch_max_wait_ms=50
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            records += [r for rs in batch.values() for r in rs]
            if len(records) >= expect:
                # Anything more (a duplicate) would arrive right behind.
                batch = await consumer.getmany(timeout_ms=500)
                records += [r for rs in batch.values() for r in rs]
                break
    finally:
        await consumer.stop()
    return records


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout_s: float = 20.0, what: str = "condition"
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout_s}s")
        await asyncio.sleep(0.05)


def header(record: ConsumerRecord, name: str) -> str | None:
    for key, value in record.headers:
        if key == name:
            return bytes(value).decode()
    return None


@asynccontextmanager
async def running_service(
    app: FastAPI, handlers: Handlers | None = None, group: str = "worker"
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    """A service's API in-process (lifespan included) and, given handlers, its consumer group beside it."""
    async with app.router.lifespan_context(app):
        runtime: Runtime = app.state.runtime
        consumer = Consumer(runtime, group, handlers) if handlers else None
        if consumer is not None:
            await ensure_topics(runtime.settings, partitions=1)
            await consumer.start()
        try:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
                yield http, runtime
        finally:
            if consumer is not None:
                await consumer.stop()


async def outbox_events(runtime: Runtime, tenant: str) -> list[tuple[str, dict[str, Any]]]:
    """The (ce_type, payload) of every event a store has written, oldest first."""
    async with runtime.stores.session(tenant) as session:
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    return [(row.ce_type, json.loads(row.payload)) for row in rows]


@dataclass
class Record:
    """A consumed record, for driving a Consumer without the broker (unit-speed handler tests)."""

    topic: str
    value: bytes | None
    headers: Headers
    key: bytes | None = None
    partition: int = 0
    offset: int = 0


async def deliver(consumer: Consumer, event: Event, tenant_id: str, *, registered: bool = True) -> Envelope:
    """Hand one event to a consumer's handlers as if it came from the broker; returns its envelope.

    ``registered``: the orgs the event names were registered first (their stores provisioned, as identity's
    org-registered would have done); False to deliver an event naming orgs nobody registered."""
    envelope = Envelope.new(event, tenant_id)
    if registered:
        for org in {tenant_id, *parties(Received(envelope, event))}:
            await consumer._runtime.stores.provision(org)
    await redeliver(consumer, envelope)
    return envelope


async def redeliver(consumer: Consumer, envelope: Envelope) -> None:
    """Deliver an envelope again (same ce_id), as the broker does after a crash."""
    topic = consumer._settings.topic(type(envelope.payload()).topic)
    await consumer.process(Record(topic, envelope.value(), envelope.headers(), envelope.key()))


async def register(runtime: Runtime, *orgs: str) -> None:
    """Provision the stores of registered orgs, as identity's org-registered does in a running system (a
    test that hands events to the broker itself names the orgs they concern first)."""
    for org in orgs:
        await runtime.stores.provision(org)


@dataclass
class ServiceUnderTest:
    """A service's API in-process, tokens to call it with, and its handlers to drive directly; ``relay`` is
    the in-memory outbox relay when the service runs without a broker."""

    http: httpx.AsyncClient
    runtime: Runtime
    tokens: TokenFactory
    worker: Consumer
    relay: InMemoryRelay | None = None


@asynccontextmanager
async def service_under_test(
    settings_class: type[CommonSettings],
    create_app: Callable[..., FastAPI],
    handlers: Handlers,
    *,
    bootstrap_servers: str | None,
    backend: dict[str, Any],
    topic_prefix: str,
    run_worker: bool = False,
    **overrides: Any,
) -> AsyncIterator[ServiceUnderTest]:
    """Start a service for its tests; with ``run_worker`` its consumer group runs on the real broker too.

    Without ``bootstrap_servers`` (unit tests) there is no broker: the runtime's outbox relay is an
    :class:`~mentornet_devkit.fakes.InMemoryRelay`, which also takes the handlers' dead letters."""
    if bootstrap_servers is None and run_worker:
        raise ValueError("a consumer group needs the real broker")
    settings = isolated_settings(
        settings_class,
        backend,
        topic_prefix=topic_prefix,
        **({"kafka_bootstrap_servers": bootstrap_servers} if bootstrap_servers else NOWHERE),
        **overrides,
    )
    tokens = TokenFactory(settings)
    app = create_app(settings, key_source=tokens)
    async with running_service(app, handlers if run_worker else None, settings.service_name) as (
        http,
        runtime,
    ):
        relay = await use_in_memory_relay(runtime) if bootstrap_servers is None else None
        worker = Consumer(runtime, settings.service_name, handlers)
        yield ServiceUnderTest(http, runtime, tokens, worker, relay)
