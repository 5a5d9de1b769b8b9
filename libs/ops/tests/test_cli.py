"""The operators' command against real stores and the real broker."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from mentornet_ops import cli
from mentornet_ops.cli import SERVICES, app
from rich.console import Console
from typer.testing import CliRunner

from mentornet_common.contracts import AskCreated
from mentornet_common.envelope import Envelope
from mentornet_common.kafka import dlq_topic, ensure_topics, legacy_dlq_topic, redrive_topic
from mentornet_common.migrations import alembic_migrator
from mentornet_common.runtime import Runtime
from mentornet_common.settings import CommonSettings
from mentornet_devkit.broker import Broker
from mentornet_devkit.testing import as_record, produce, read_all

runner = CliRunner()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, broker: Broker, topic_prefix: str) -> CommonSettings:
    monkeypatch.setenv("MENTORNET_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MENTORNET_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap_servers)
    monkeypatch.setenv("MENTORNET_TOPIC_PREFIX", topic_prefix)
    monkeypatch.setattr(cli, "console", Console(width=400))  # no wrapping in the tables under test
    return CommonSettings()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


async def ainvoke(*args: str) -> str:
    """From an async test: the command runs its own event loop, so it runs in a thread."""
    return await asyncio.to_thread(invoke, *args)


def test_provisioning_a_tenant_creates_its_store_in_every_service(env: CommonSettings) -> None:
    invoke("tenants", "provision", "org_new")
    listed = invoke("tenants", "list")
    for service in SERVICES:
        assert (env.data_dir / service / "org_new.db").exists()
    assert listed.count("org_new") == len(SERVICES) == 6


def test_migrate_brings_every_store_to_head(env: CommonSettings) -> None:
    invoke("tenants", "provision", "org_a", "--service", "matching")
    output = invoke("migrate", "--service", "matching")
    assert "matching: 2 stores at head" in output


def test_an_unknown_service_is_refused() -> None:
    result = runner.invoke(app, ["migrate", "--service", "billing"])
    assert result.exit_code != 0
    assert "unknown service" in result.output


async def test_the_outbox_backlog_per_store(env: CommonSettings) -> None:
    runtime = Runtime(
        env.model_copy(update={"service_name": "matching"}), alembic_migrator("matching"), sweep=False
    )
    await runtime.stores.provision("org_a")
    async with runtime.unit_of_work("org_a") as uow:
        uow.publish(ask_created("ask_waiting"))
        await uow.commit()
    await runtime.stop()
    output = await ainvoke("outbox", "--service", "matching")
    assert "org_a" in output and " 1 " in output


async def test_dead_letters_are_listed_shown_and_replayed(env: CommonSettings) -> None:
    await ensure_topics(env, partitions=1)
    envelope = Envelope.new(ask_created("ask_parked"), "org_a")
    dlq = dlq_topic(env, "matching")
    headers = [
        *envelope.headers(),
        ("dlq_error", b"RuntimeError: broken"),
        ("dlq_consumer_group", b"matching"),
    ]
    headers.append(("dlq_original_topic", env.topic("mentornet.asks").encode()))
    await produce(env.kafka_bootstrap_servers, dlq, [(envelope.value(), headers)])

    listed = await ainvoke("dlq", "list")
    assert f"{dlq}:0:0" in listed and "mentornet.ask-created.v1" in listed and "RuntimeError" in listed
    shown = await ainvoke("dlq", "show", f"{dlq}:0:0")
    assert "ask_parked" in shown
    assert (await asyncio.to_thread(runner.invoke, app, ["dlq", "replay", f"{dlq}:0:9"])).exit_code == 1

    await ainvoke("dlq", "replay", f"{dlq}:0:0")
    # On matching's own redrive topic, which no other group reads; never on the original topic.
    replayed = await read_all(env.kafka_bootstrap_servers, redrive_topic(env, "matching"), expect=1)
    assert [json.loads(r.value)["ask_id"] for r in replayed] == ["ask_parked"]
    assert ("ce_id", envelope.id.encode()) in replayed[0].headers
    assert ("mentornet_redrive_for", b"matching") in replayed[0].headers  # for the group that gave up
    assert ("mentornet_original_topic", env.topic("mentornet.asks").encode()) in replayed[0].headers
    assert not any(k.startswith("dlq_error") for k, _ in replayed[0].headers)
    assert (
        await read_all(env.kafka_bootstrap_servers, env.topic("mentornet.asks"), expect=0, timeout_s=1) == []
    )
    assert f"{dlq}:0:0" not in await ainvoke("dlq", "list")  # settled: no longer listed


async def test_a_dead_letter_dropped_by_hand_is_no_longer_listed(env: CommonSettings) -> None:
    await ensure_topics(env, partitions=1)
    envelope = Envelope.new(ask_created("ask_dropped"), "org_a")
    dlq = dlq_topic(env, "matching")
    headers = [
        *envelope.headers(),
        ("dlq_error", b"RuntimeError: broken"),
        ("dlq_consumer_group", b"matching"),
    ]
    await produce(env.kafka_bootstrap_servers, dlq, [(envelope.value(), headers)])
    assert f"{dlq}:0:0" in await ainvoke("dlq", "list")
    assert (await asyncio.to_thread(runner.invoke, app, ["dlq", "drop", f"{dlq}:0:7"])).exit_code == 1
    assert "dropped 1 dead letter(s)" in await ainvoke("dlq", "drop", f"{dlq}:0:0")
    assert f"{dlq}:0:0" not in await ainvoke("dlq", "list")


async def test_letters_left_on_a_legacy_shared_topic_are_listed_replayed_by_name_and_dropped(
    env: CommonSettings, broker: Broker
) -> None:
    """After the upgrade to ADR 0015: what the groups parked on the shared `<topic>.dlq` stays reachable;
    `--all` leaves it alone (its group is a header any reader of the topic could have written)."""
    await ensure_topics(env, partitions=1)
    legacy = legacy_dlq_topic(env.topic("mentornet.asks"))
    admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(legacy, 1, 1)])
    finally:
        await admin.close()
    old = [Envelope.new(ask_created(f"ask_old_{i}"), "org_a") for i in range(2)]
    records = [
        (e.value(), [*e.headers(), ("dlq_error", b"RuntimeError: old"), ("dlq_consumer_group", b"sessions")])
        for e in old
    ]
    await produce(env.kafka_bootstrap_servers, legacy, records)

    listed = await ainvoke("dlq", "list")
    assert f"{legacy}:0:0" in listed and f"{legacy}:0:1" in listed and "sessions / None (legacy)" in listed
    everything = await ainvoke("dlq", "replay", "--all")
    assert "2 letter(s) on legacy <topic>.dlq topics left: replay them by name" in everything
    assert "replayed 0 dead letter(s)" in everything

    await ainvoke("dlq", "replay", f"{legacy}:0:0")
    (replayed,) = await read_all(env.kafka_bootstrap_servers, redrive_topic(env, "sessions"), expect=1)
    assert ("ce_id", old[0].id.encode()) in replayed.headers
    assert ("mentornet_redrive_for", b"sessions") in replayed.headers
    assert ("mentornet_original_topic", env.topic("mentornet.asks").encode()) in replayed.headers
    assert "dropped 1 dead letter(s)" in await ainvoke("dlq", "drop", f"{legacy}:0:1")
    listed = await ainvoke("dlq", "list")
    assert f"{legacy}:0:0" not in listed and f"{legacy}:0:1" not in listed


async def test_consumer_lag_per_group_and_partition(env: CommonSettings) -> None:
    await ensure_topics(env, partitions=1)
    await produce(
        env.kafka_bootstrap_servers,
        env.topic("mentornet.asks"),
        [as_record(Envelope.new(ask_created(f"ask_{i}"), "org_a")) for i in range(3)],
    )
    output = await ainvoke("lag")
    matching_asks = [line for line in output.splitlines() if "matching" in line and "mentornet.asks" in line]
    assert matching_asks and matching_asks[0].split("│")[-2].strip() == "3"
    # and the group's own redrive topic, where its dead letters come back
    assert any("matching" in line and redrive_topic(env, "matching") in line for line in output.splitlines())


def ask_created(ask_id: str) -> AskCreated:
    return AskCreated(
        ask_id=ask_id,
        mentee_id="usr_1",
        mentee_org_id="org_a",
        skills=["negotiation"],
        duration_minutes=30,
        scope="consortium",
        created_at=datetime.now(UTC),
    )


async def test_kept_shows_what_each_store_holds_and_for_how_long(env: CommonSettings) -> None:
    runtime = Runtime(
        env.model_copy(update={"service_name": "matching"}), alembic_migrator("matching"), sweep=False
    )
    await runtime.stores.provision("org_a")
    async with runtime.unit_of_work("org_a") as uow:
        uow.publish(ask_created("ask_sent"))
        await uow.commit()
    async with runtime.stores.writer("org_a") as session:
        from sqlmodel import update

        from mentornet_common.outbox import OutboxMessage

        await session.exec(update(OutboxMessage).values(sent_at=datetime.now(UTC)))
        await session.commit()
    await runtime.stop()
    output = await ainvoke("kept", "--service", "matching")
    assert "published outbox rows 7 days" in output and "inbox rows 7 days" in output
    row = next(line for line in output.splitlines() if "org_a" in line)
    assert row.split("│")[3].strip() == "1"  # one published outbox row kept, awaiting its purge
    assert "partner events 30 days" in output and "finished webhook deliveries 30 days" in output


async def test_kept_counts_the_partner_events_and_deliveries_streams_keeps(env: CommonSettings) -> None:
    from streams.models import PartnerEvent, WebhookDelivery

    runtime = Runtime(
        env.model_copy(update={"service_name": "streams"}), alembic_migrator("streams"), sweep=False
    )
    now = datetime.now(UTC)
    await runtime.stores.provision("org_a")
    async with runtime.stores.writer("org_a") as session:
        for seq in (1, 2):
            session.add(
                PartnerEvent(
                    seq=seq, event_id=f"evt_{seq}", ce_type="mentornet.ask-created.v1",
                    topic="mentornet.asks", subject=f"ask_{seq}", time=now, data={}, received_at=now,
                )
            )  # fmt: skip
        for n, status in enumerate(("succeeded", "failed", "pending")):
            session.add(
                WebhookDelivery(
                    id=f"dlv_{n}", endpoint_id="whk_1", seq=1, event_id="evt_1", status=status,
                    created_at=now,
                )
            )  # fmt: skip
        await session.commit()
    await runtime.stop()
    output = await ainvoke("kept", "--service", "streams")
    row = next(line for line in output.splitlines() if "org_a" in line)
    assert [cell.strip() for cell in row.split("│")[6:8]] == ["2", "2"]
