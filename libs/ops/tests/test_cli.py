"""The operators' command against real stores and the real broker."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mentornet_ops import cli
from mentornet_ops.cli import SERVICES, app
from rich.console import Console
from typer.testing import CliRunner

from mentornet_common.contracts import AskCreated
from mentornet_common.envelope import Envelope
from mentornet_common.kafka import dlq_topic, ensure_topics
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
    dlq = dlq_topic(env.topic("mentornet.asks"))
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
    replayed = await read_all(env.kafka_bootstrap_servers, env.topic("mentornet.asks"), expect=1)
    assert [json.loads(r.value)["ask_id"] for r in replayed] == ["ask_parked"]
    assert ("ce_id", envelope.id.encode()) in replayed[0].headers
    assert ("mentornet_redrive_for", b"matching") in replayed[0].headers  # for the group that gave up
    assert not any(k.startswith("dlq_error") for k, _ in replayed[0].headers)
    assert f"{dlq}:0:0" not in await ainvoke("dlq", "list")  # settled: no longer listed


async def test_a_dead_letter_dropped_by_hand_is_no_longer_listed(env: CommonSettings) -> None:
    await ensure_topics(env, partitions=1)
    envelope = Envelope.new(ask_created("ask_dropped"), "org_a")
    dlq = dlq_topic(env.topic("mentornet.asks"))
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
