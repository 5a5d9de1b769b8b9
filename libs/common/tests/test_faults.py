"""Transient versus permanent failure: what the infrastructure does is waited out, what the event or the
handler does is dead-lettered; and only a registered org gets a store."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from aiokafka.errors import KafkaConnectionError
from prometheus_client import REGISTRY
from pydantic import ValidationError
from sqlalchemy import exc as sa

from mentornet_common.consumer import Consumer
from mentornet_common.contracts import AskCreated, OrgRegistered
from mentornet_common.envelope import Envelope
from mentornet_common.faults import Backoff, transient
from mentornet_common.kafka import ensure_topics
from mentornet_common.runtime import Runtime
from mentornet_common.settings import CommonSettings
from mentornet_common.tenancy import StoreTenant, UnknownTenant
from mentornet_common.worker import probe_app
from mentornet_devkit.broker import Broker
from mentornet_devkit.pytest_plugin import isolated_settings
from mentornet_devkit.testing import as_record, eventually, header, produce, read_all

from .conftest import create_all, register
from .kafka_helpers import ask_created
from .test_consumer import close_ask_when_ask_created, effects

# what decides ----------------------------------------------------------------------------------------------


def wrapped(orig: BaseException) -> sa.OperationalError:
    return sa.OperationalError("UPDATE ask SET …", {}, orig)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (wrapped(sqlite3.OperationalError("database is locked")), "store"),
        (wrapped(sqlite3.OperationalError("disk I/O error")), "store"),
        (wrapped(sqlite3.OperationalError("unable to open database file")), "store"),
        (wrapped(sqlite3.OperationalError("attempt to write a readonly database")), "store"),
        (
            wrapped(psycopg.errors.AdminShutdown("terminating connection due to administrator command")),
            "store",
        ),
        (wrapped(psycopg.errors.SerializationFailure("could not serialize access")), "store"),
        (wrapped(psycopg.errors.DeadlockDetected("deadlock detected")), "store"),
        (wrapped(psycopg.errors.DiskFull("could not extend file")), "store"),
        (wrapped(psycopg.OperationalError("connection refused")), "store"),
        (sa.TimeoutError("QueuePool limit reached"), "store"),
        (KafkaConnectionError("no broker"), "broker"),
        (ConnectionResetError("reset by peer"), "network"),
        (UnknownTenant("org_new"), "unknown-tenant"),
        (RuntimeError("while handling").with_traceback(None), None),
        (wrapped(sqlite3.OperationalError("no such table: ask")), None),
        (sa.IntegrityError("INSERT …", {}, sqlite3.IntegrityError("UNIQUE constraint failed")), None),
        (wrapped(psycopg.errors.UndefinedColumn("column does not exist")), None),
        (ValueError("a bug"), None),
        (KeyError("a bug"), None),
        (PermissionError("not ours to read"), None),
        (OSError(28, "No space left on device"), "store"),
        (FileExistsError(17, "File exists"), None),
    ],
)
def test_the_infrastructure_failing_is_transient_and_the_event_or_code_failing_is_not(
    error: BaseException, reason: str | None
) -> None:
    assert transient(error) == reason


def test_a_cause_is_found_however_deep_it_is_wrapped() -> None:
    try:
        try:
            raise wrapped(sqlite3.OperationalError("database is locked"))
        except sa.OperationalError as inner:
            raise RuntimeError("the handler gave up") from inner
    except RuntimeError as outer:
        assert transient(outer) == "store"
    try:
        AskCreated.model_validate({"ask_id": 1})
    except ValidationError as invalid:
        assert transient(invalid) is None


def test_backoff_doubles_up_to_its_cap_with_jitter() -> None:
    waits = Backoff(0.1, 1.0)
    drawn = [waits.next() for _ in range(8)]
    assert 0.05 <= drawn[0] <= 0.1 and 0.1 <= drawn[1] <= 0.2
    assert all(0.5 <= w <= 1.0 for w in drawn[4:])  # capped, never below half the cap
    waits.reset()
    assert waits.next() <= 0.1


# the consumer --------------------------------------------------------------------------------------------


@pytest.fixture
async def worker_of(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str, tmp_path: Path
) -> AsyncIterator[Any]:
    started: list[tuple[Consumer, Runtime]] = []

    async def start(**overrides: Any) -> Consumer:
        settings = isolated_settings(
            CommonSettings,
            store_backend,
            topic_prefix=topic_prefix,
            kafka_bootstrap_servers=broker.bootstrap_servers,
            outbox_sweep_interval_s=3600,
            consumer_backoff_cap_s=0.2,
            **overrides,
        )
        await ensure_topics(settings, partitions=1)
        runtime = Runtime(settings, create_all, sweep=False)
        await runtime.start()
        await register(runtime)
        consumer = Consumer(runtime, "probe-worker", {AskCreated: [close_ask_when_ask_created]})
        await consumer.start()
        started.append((consumer, runtime))
        return consumer

    yield start
    for consumer, runtime in started:
        await consumer.stop()
        await runtime.stop()


def retries(reason: str) -> float:
    return (
        REGISTRY.get_sample_value(
            "mentornet_consumer_retries_total", {"group": "probe-worker", "reason": reason}
        )
        or 0.0
    )


async def test_a_store_that_is_unavailable_for_a_while_is_waited_out_and_nothing_is_dead_lettered(
    worker_of: Any, tmp_path: Path
) -> None:
    """The fault found: with one org's store unwritable, ask-created was dead-lettered within 3.4 s and
    stayed there. Here the store cannot even be opened (a folder is in the way) until the test mends it."""
    blocked_path = tmp_path / "org_blink.db"
    blocked_path.mkdir()
    url = f"sqlite+aiosqlite:///{blocked_path}"
    worker: Consumer = await worker_of(tenant_database_urls={"org_blink": url})
    settings = worker._runtime.settings
    async with worker._runtime.stores.writer("consortium") as session:
        session.add(StoreTenant(tenant_id="org_blink", provisioned_at=datetime.now(UTC)))  # registered
        await session.commit()
    topic = settings.topic("mentornet.asks")
    before = retries("store")
    await produce(
        settings.kafka_bootstrap_servers,
        topic,
        [as_record(Envelope.new(ask_created("ask_blink", org="org_blink"), "org_blink"))],
    )

    async def waiting_it_out() -> bool:
        # Well past the attempts an event's own failure gets before it is dead-lettered.
        return retries("store") - before > 3 * settings.consumer_max_attempts

    await eventually(waiting_it_out, what="the consumer retrying the store")
    assert worker.why_blocked() == {f"{topic}/0": "store"}
    gauge = {"group": "probe-worker", "topic": topic, "partition": "0"}
    assert REGISTRY.get_sample_value("mentornet_consumer_blocked", gauge) == 1
    probes = httpx.AsyncClient(transport=httpx.ASGITransport(app=probe_app([worker])), base_url="http://w")
    async with probes:
        ready = await probes.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {"status": "blocked", "blocked": {"probe-worker": {f"{topic}/0": "store"}}}
        assert (await probes.get("/livez")).status_code == 200
        assert b"mentornet_consumer_blocked" in (await probes.get("/metrics")).content

    blocked_path.rmdir()  # the store comes back

    async def handled() -> bool:
        return worker.processed == 1

    await eventually(handled, what="the event handled once the store is back")
    assert await effects(worker, "org_blink") == ["ask_blink"]
    assert worker.why_blocked() == {}
    assert REGISTRY.get_sample_value("mentornet_consumer_blocked", gauge) == 0
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=probe_app([worker])), base_url="http://w"
    ) as w:
        assert (await w.get("/readyz")).json() == {"status": "ready", "consumer_groups": ["probe-worker"]}
    assert await read_all(settings.kafka_bootstrap_servers, worker.dlq_topic, expect=0, timeout_s=1) == []


async def test_the_lag_of_a_partition_that_waits_keeps_being_exported(worker_of: Any, tmp_path: Path) -> None:
    """A partition whose records are not handled fetches nothing, so a lag set only after each batch would
    stay where it was (here: never set) and the lag alert would never see the backlog."""
    blocked_path = tmp_path / "org_lag.db"
    blocked_path.mkdir()
    worker: Consumer = await worker_of(
        tenant_database_urls={"org_lag": f"sqlite+aiosqlite:///{blocked_path}"}, consumer_lag_refresh_s=0.2
    )
    settings = worker._runtime.settings
    async with worker._runtime.stores.writer("consortium") as session:
        session.add(StoreTenant(tenant_id="org_lag", provisioned_at=datetime.now(UTC)))
        await session.commit()
    topic = settings.topic("mentornet.asks")
    gauge = {"group": "probe-worker", "topic": topic, "partition": "0"}
    await produce(
        settings.kafka_bootstrap_servers,
        topic,
        [as_record(Envelope.new(ask_created(f"ask_lag{i}", org="org_lag"), "org_lag")) for i in range(3)],
    )

    async def behind(count: float) -> bool:
        return REGISTRY.get_sample_value("mentornet_consumer_lag", gauge) == count

    await eventually(lambda: behind(3), what="the lag of the waiting partition")
    assert worker.why_blocked() == {f"{topic}/0": "store"}
    assert worker.processed == 0

    blocked_path.rmdir()  # the store comes back
    await eventually(lambda: behind(0), what="the lag back at 0 once the records are handled")
    assert worker.processed == 3


async def test_an_event_naming_an_org_nobody_registered_creates_no_store_and_is_dead_lettered(
    worker_of: Any,
) -> None:
    worker: Consumer = await worker_of(consumer_unknown_tenant_wait_s=0.5)
    settings = worker._runtime.settings
    topic = settings.topic("mentornet.asks")
    forged = Envelope.new(ask_created("ask_ghost", org="org_ghost"), "org_ghost")
    await produce(settings.kafka_bootstrap_servers, topic, [as_record(forged)])
    (dead,) = await read_all(settings.kafka_bootstrap_servers, worker.dlq_topic, expect=1)
    assert header(dead, "ce_id") == forged.id
    assert "no store is provisioned for tenant 'org_ghost'" in (header(dead, "dlq_error") or "")
    assert "org_ghost" not in await worker._runtime.stores.tenants()
    if not settings.database_url:
        assert not (settings.data_dir / settings.service_name / "org_ghost.db").exists()
    else:
        with psycopg.connect(settings.database_url.replace("+psycopg", "")) as connection:
            schema = f"{settings.database_schema_prefix}org_ghost"
            found = connection.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchall()
            assert found == []


async def test_an_event_that_arrives_before_its_orgs_registration_waits_for_it(worker_of: Any) -> None:
    worker: Consumer = await worker_of()
    settings = worker._runtime.settings
    await produce(
        settings.kafka_bootstrap_servers,
        settings.topic("mentornet.asks"),
        [as_record(Envelope.new(ask_created("ask_early", org="org_new"), "org_new"))],
    )

    async def waiting() -> bool:
        return worker.why_blocked() == {f"{settings.topic('mentornet.asks')}/0": "unknown-tenant"}

    await eventually(waiting, what="the ask waiting for its org")
    registered = OrgRegistered(org_id="org_new", slug="new", org_name="New", registered_at=datetime.now(UTC))
    await produce(
        settings.kafka_bootstrap_servers,
        settings.topic("mentornet.identity"),
        [as_record(Envelope.new(registered, "org_new"))],
    )

    async def handled() -> bool:
        return "org_new" in await worker._runtime.stores.tenants() and worker.processed == 2

    await eventually(handled, what="the org provisioned and its ask handled")
    assert await effects(worker, "org_new") == ["ask_early"]
    assert worker.why_blocked() == {}
