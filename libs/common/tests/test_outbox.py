from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import event
from sqlmodel import select

from mentornet_common.erasure import ErasedPerson, erase_in
from mentornet_common.outbox import OutboxMessage, pending_count
from mentornet_common.runtime import Runtime
from mentornet_common.settings import CommonSettings
from mentornet_common.telemetry import tracer
from mentornet_common.tenancy import CONSORTIUM, StoreTenant
from mentornet_devkit.broker import Broker, free_port, start_broker
from mentornet_devkit.pytest_plugin import isolated_settings
from mentornet_devkit.testing import eventually, header, read_all

from .conftest import create_all, register
from .kafka_helpers import ask_created


def on_broker(broker: Broker, backend: dict[str, Any], topic_prefix: str, **overrides: Any) -> CommonSettings:
    """A test's settings, with its own topics on the session's broker."""
    return isolated_settings(
        CommonSettings,
        backend,
        topic_prefix=topic_prefix,
        kafka_bootstrap_servers=broker.bootstrap_servers,
        **overrides,
    )


async def unsent(runtime: Runtime, tenant: str) -> int:
    async with runtime.stores.session(tenant) as session:
        return await pending_count(session)


async def test_the_event_is_written_in_the_callers_transaction(runtime: Runtime) -> None:
    async with runtime.unit_of_work("org_a") as uow:
        uow.publish(ask_created("ask_rolled_back"))
    async with runtime.unit_of_work("org_a") as uow:
        envelope = uow.publish(ask_created("ask_committed"))
        await uow.commit()
    async with runtime.stores.session("org_a") as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    assert [(r.event_id, r.ce_subject, r.tenant_id) for r in rows] == [
        (envelope.id, "ask_committed", "org_a")
    ]
    assert rows[0].topic == runtime.settings.topic("mentornet.asks")


async def test_what_waits_for_the_commit_runs_after_it_and_never_after_a_rollback(runtime: Runtime) -> None:
    called: list[str] = []
    async with runtime.unit_of_work("org_a") as uow:
        uow.after_commit(lambda: called.append("rolled back"))
    async with runtime.unit_of_work("org_a") as uow:
        uow.publish(ask_created("ask_after"))
        uow.after_commit(lambda: called.append(f"committed, {uow.session.in_transaction()=}"))
        assert called == []
        await uow.commit()
    assert called == ["committed, uow.session.in_transaction()=False"]


async def test_the_trace_context_is_saved_with_the_row(runtime: Runtime) -> None:
    with tracer("test").start_as_current_span("portal request") as span:
        async with runtime.unit_of_work("org_a") as uow:
            uow.publish(ask_created("ask_traced"))
            await uow.commit()
    async with runtime.stores.session("org_a") as session:
        row = (await session.exec(select(OutboxMessage))).one()
    assert row.traceparent is not None
    assert format(span.get_span_context().trace_id, "032x") in row.traceparent


async def test_woken_on_commit_the_relay_publishes_at_once(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str
) -> None:
    settings = on_broker(
        broker,
        store_backend,
        topic_prefix,
        outbox_sweep_interval_s=3600,
    )
    runtime = Runtime(settings, create_all, sweep=False)
    await register(runtime)
    await runtime.start()
    delays = ("mentornet_outbox_publish_delay_seconds_count", {"service": settings.service_name})
    before = REGISTRY.get_sample_value(*delays) or 0.0
    try:
        async with runtime.unit_of_work("org_a") as uow:
            envelope = uow.publish(ask_created("ask_fast"))
            await uow.commit()
        records = await read_all(broker.bootstrap_servers, settings.topic("mentornet.asks"), expect=1)
        assert [header(r, "ce_id") for r in records] == [envelope.id]
        await eventually(lambda: _none_unsent(runtime, "org_a"), what="the row marked sent")
        assert (REGISTRY.get_sample_value(*delays) or 0.0) > before  # written → acknowledged, observed
    finally:
        await runtime.stop()


async def _none_unsent(runtime: Runtime, tenant: str) -> bool:
    return await unsent(runtime, tenant) == 0


async def _unsent_is(runtime: Runtime, tenant: str, count: int) -> bool:
    return await unsent(runtime, tenant) == count


async def test_a_stores_published_rows_are_marked_sent_together(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str
) -> None:
    """Marking rows sent is a write transaction: the rows a relay publishes within outbox_mark_linger_ms
    are marked in one, and a relay that stops marks what it published before it goes."""
    settings = on_broker(broker, store_backend, topic_prefix, outbox_mark_linger_ms=10_000)
    runtime = Runtime(settings, create_all, sweep=False)
    await register(runtime)
    marks: list[str] = []

    def count_marks(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE OUTBOX"):
            marks.append(statement)

    event.listen(runtime.stores.engine("org_a").sync_engine, "before_cursor_execute", count_marks)
    await runtime.start()
    try:
        for n in range(5):
            async with runtime.unit_of_work("org_a") as uow:
                uow.publish(ask_created(f"ask_{n}"))
                await uow.commit()
        await read_all(broker.bootstrap_servers, settings.topic("mentornet.asks"), expect=5)
        assert await unsent(runtime, "org_a") == 5  # published, and lingering before they are marked
        assert marks == []
    finally:
        await runtime.stop()
    assert len(marks) == 1
    reader = Runtime(settings, create_all, sweep=False)
    try:
        assert await unsent(reader, "org_a") == 0
    finally:
        await reader.stop()


async def test_a_relay_woken_by_its_commit_publishes_only_its_own_rows(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str
) -> None:
    settings = on_broker(broker, store_backend, topic_prefix)
    other_process = Runtime(settings, create_all, sweep=False)  # writes to the same store; never publishes
    await register(other_process)
    async with other_process.unit_of_work("org_a") as uow:
        uow.publish(ask_created("ask_of_the_other_process"))
        await uow.commit()
    await other_process.stores.close()

    this_process = Runtime(settings, create_all, sweep=False)

    await register(this_process)
    await this_process.start()
    try:
        async with this_process.unit_of_work("org_a") as uow:
            mine = uow.publish(ask_created("ask_of_this_process"))
            await uow.commit()
        records = await read_all(broker.bootstrap_servers, settings.topic("mentornet.asks"), expect=1)
        assert [header(r, "ce_id") for r in records] == [mine.id]
        # Its own row is marked sent (within outbox_mark_linger_ms); the other's waits for its writer or the
        # sweeper.
        await eventually(lambda: _unsent_is(this_process, "org_a", 1), what="only the other's row unsent")
    finally:
        await this_process.stop()


async def test_a_store_that_is_down_does_not_hold_up_the_other_tenants_events(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str, tmp_path: Any
) -> None:
    (tmp_path / "org_0down.db").mkdir()  # a folder in the way: the store cannot be opened
    unreachable = f"sqlite+aiosqlite:///{tmp_path / 'org_0down.db'}"
    settings = on_broker(
        broker,
        store_backend,
        topic_prefix,
        tenant_database_urls={"org_0down": unreachable},
    )
    writer = Runtime(settings, create_all, sweep=False)
    await register(writer)
    async with writer.unit_of_work("org_a") as uow:
        left = uow.publish(ask_created("ask_of_a_healthy_tenant"))
        await uow.commit()
    await writer.stores.provision("org_a")
    async with writer.stores.writer(CONSORTIUM) as session:  # a member whose own database is now down
        session.add(StoreTenant(tenant_id="org_0down", provisioned_at=datetime.now(UTC)))
        await session.commit()
    await writer.stores.close()

    sweeper = Runtime(settings, create_all, sweep=True)
    await register(sweeper)
    labels = {"component": "outbox", "reason": "store"}
    before = REGISTRY.get_sample_value("mentornet_background_failures_total", labels) or 0.0
    await sweeper.start()
    try:
        records = await read_all(broker.bootstrap_servers, settings.topic("mentornet.asks"), expect=1)
        assert [header(r, "ce_id") for r in records] == [left.id]
        assert sweeper.relay._task is not None and not sweeper.relay._task.done()
        # Counted as the store failing (the infrastructure), not as the relay's or the data's fault.
        assert (REGISTRY.get_sample_value("mentornet_background_failures_total", labels) or 0.0) > before
    finally:
        await sweeper.stop()


async def test_the_sweeper_publishes_what_a_crashed_process_left_behind(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str
) -> None:
    settings = on_broker(broker, store_backend, topic_prefix)
    crashed = Runtime(settings, create_all, sweep=False)  # writes, but its relay never runs
    await register(crashed)
    async with crashed.unit_of_work("org_a") as uow:
        left = [uow.publish(ask_created(f"ask_left_{i}")) for i in range(3)]
        await uow.commit()
    await crashed.stores.provision("org_a")
    await crashed.stores.close()

    survivor = Runtime(settings, create_all, sweep=True)

    await register(survivor)
    await survivor.start()
    try:
        records = await read_all(broker.bootstrap_servers, settings.topic("mentornet.asks"), expect=3)
        assert sorted(header(r, "ce_id") or "" for r in records) == sorted(e.id for e in left)
    finally:
        await survivor.stop()


@pytest.mark.integration  # starts a broker of its own
async def test_an_event_written_while_the_broker_is_down_is_delivered_once_it_is_up(
    store_backend: dict[str, Any], topic_prefix: str, tmp_path: Any
) -> None:
    port = free_port()  # nothing listens here yet: the broker is down
    settings = isolated_settings(
        CommonSettings, store_backend, topic_prefix=topic_prefix, kafka_bootstrap_servers=f"127.0.0.1:{port}"
    )
    runtime = Runtime(settings, create_all, sweep=True)
    await register(runtime)
    await runtime.start()
    late_broker: Broker | None = None
    try:
        async with runtime.unit_of_work("org_a") as uow:
            envelope = uow.publish(ask_created("ask_during_outage"))
            await uow.commit()
        await eventually(lambda: _attempted(runtime), what="a failed publish attempt")
        assert await unsent(runtime, "org_a") == 1

        late_broker = start_broker(port, log_file=tmp_path / "late-broker.log")
        await eventually(
            lambda: _none_unsent(runtime, "org_a"), timeout_s=40, what="delivery after the outage"
        )
        records = await read_all(late_broker.bootstrap_servers, settings.topic("mentornet.asks"), expect=1)
        assert [header(r, "ce_id") for r in records] == [envelope.id]
    finally:
        await runtime.stop()
        if late_broker is not None:
            late_broker.stop()


async def _attempted(runtime: Runtime) -> bool:
    async with runtime.stores.session("org_a") as session:
        row = (await session.exec(select(OutboxMessage))).first()
        return row is not None and row.attempts > 0 and row.last_error is not None


async def test_a_frozen_broker_delays_events_and_loses_none(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str
) -> None:
    settings = on_broker(broker, store_backend, topic_prefix)
    runtime = Runtime(settings, create_all, sweep=True)
    await register(runtime)
    await runtime.start()
    await runtime.check_broker()
    try:
        broker.freeze()
        try:
            async with runtime.unit_of_work("org_a") as uow:
                sent = [uow.publish(ask_created(f"ask_frozen_{i}")) for i in range(5)]
                await uow.commit()
            assert await unsent(runtime, "org_a") == 5
        finally:
            broker.thaw()
        records = await read_all(
            broker.bootstrap_servers, settings.topic("mentornet.asks"), expect=5, timeout_s=40
        )
        assert sorted(header(r, "ce_id") or "" for r in records) == sorted(e.id for e in sent)
    finally:
        await runtime.stop()


def _gauge(name: str, service: str, tenant: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"service": service, "tenant": tenant})


async def test_the_sweeper_reports_the_backlog_and_its_oldest_rows_age_while_the_broker_is_down_then_zero(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str
) -> None:
    with socket.socket() as closed:  # a port nothing listens on: the broker is down
        closed.bind(("127.0.0.1", 0))
        down = f"127.0.0.1:{closed.getsockname()[1]}"
    service = f"probe-{topic_prefix.strip('.')}"
    settings = on_broker(broker, store_backend, topic_prefix, service_name=service)
    cut_off = Runtime(settings.model_copy(update={"kafka_bootstrap_servers": down}), create_all, sweep=True)
    await register(cut_off)
    async with cut_off.unit_of_work("org_a") as uow:
        uow.publish(ask_created("ask_waiting"))
        await uow.commit()
    async with cut_off.stores.session("org_a") as session:
        row = (await session.exec(select(OutboxMessage))).one()
        row.created_at = datetime.now(UTC) - timedelta(minutes=10)  # written ten minutes ago
        session.add(row)
        await session.commit()
    try:
        assert await cut_off.relay.sweep() == 1  # publishing failed
        assert _gauge("mentornet_outbox_backlog", service, "org_a") == 1
        assert (_gauge("mentornet_outbox_oldest_age_seconds", service, "org_a") or 0) >= 600
    finally:
        await cut_off.stop()

    reaching = Runtime(settings, create_all, sweep=True)
    try:
        assert await reaching.relay.sweep() == 0
        assert _gauge("mentornet_outbox_backlog", service, "org_a") == 0
        assert _gauge("mentornet_outbox_oldest_age_seconds", service, "org_a") == 0
    finally:
        await reaching.stop()


async def _nothing(_session: Any, _user_id: str) -> None:
    """A service's own erasure, here with nothing of its own to erase."""


async def test_an_event_erased_before_it_was_marked_sent_leaves_the_outbox_once_it_is(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str
) -> None:
    """An erasure that finds the person's event published but not yet marked sent (the relay lingers before
    marking) must not leave its words in the outbox for the retention's seven days: the row goes as it is
    marked. Without the flag, the erasure skipped the unsent row and the relay then kept it as sent."""
    settings = on_broker(broker, store_backend, topic_prefix, outbox_mark_linger_ms=10_000)
    runtime = Runtime(settings, create_all, sweep=False)
    await register(runtime)
    await runtime.start()
    try:
        async with runtime.unit_of_work("org_a") as uow:
            uow.publish(ask_created("ask_of_usr_1"))  # names usr_1 as its mentee
            uow.publish(ask_created("ask_of_usr_2").model_copy(update={"mentee_id": "usr_2"}))
            await uow.commit()
        await read_all(broker.bootstrap_servers, settings.topic("mentornet.asks"), expect=2)
        assert await unsent(runtime, "org_a") == 2  # published, not marked yet
        async with runtime.stores.writer("org_a") as session:
            await erase_in(session, "usr_1", _nothing)
            await session.commit()
        assert await unsent(runtime, "org_a") == 2  # an unsent row still goes out: what it reports counts
    finally:
        await runtime.stop()  # marks what it published
    async with runtime.stores.session("org_a") as session:
        rows = (await session.exec(select(OutboxMessage))).all()
        listed = (await session.exec(select(ErasedPerson.user_id))).all()
    assert [row.ce_subject for row in rows] == ["ask_of_usr_2"]
    assert all(row.sent_at is not None for row in rows)
    assert listed == ["usr_1"]
