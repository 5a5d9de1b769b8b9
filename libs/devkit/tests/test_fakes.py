"""The in-memory outbox relay the unit tests run services on does what the real one does with a commit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import mentornet_common.inbox
import mentornet_common.outbox  # noqa: F401
from mentornet_common.contracts import AskCreated
from mentornet_common.outbox import pending_count
from mentornet_common.runtime import Runtime
from mentornet_common.settings import CommonSettings
from mentornet_devkit.fakes import InMemoryRelay, use_in_memory_relay
from mentornet_devkit.pytest_plugin import isolated_settings


def create_all(connection: Connection, _schema: str | None) -> None:
    SQLModel.metadata.create_all(connection)


def ask(ask_id: str) -> AskCreated:
    return AskCreated(
        ask_id=ask_id, mentee_id="usr_1", mentee_org_id="org_a", skills=["negotiation"], duration_minutes=30,
        scope="consortium", created_at=datetime.now(UTC),
    )  # fmt: skip


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    settings = isolated_settings(
        CommonSettings, {"data_dir": tmp_path, "database_url": ""}, topic_prefix="t.",
        kafka_bootstrap_servers="127.0.0.1:9",
    )  # fmt: skip
    built = Runtime(settings, create_all, sweep=False)
    await use_in_memory_relay(built)
    await built.start()
    await built.stores.provision("org_a")
    yield built
    await built.stop()


async def test_what_a_commit_hands_the_relay_is_published_in_memory_and_marked_sent(runtime: Runtime) -> None:
    relay = runtime.relay
    assert isinstance(relay, InMemoryRelay)
    async with runtime.unit_of_work("org_a") as uow:
        uow.publish(ask("ask_rolled_back"))
    async with runtime.unit_of_work("org_a") as uow:
        first, second = uow.publish(ask("ask_1")), uow.publish(ask("ask_2"))
        await uow.commit()

    assert relay.published() == []  # not before the relay's turn
    assert await relay.publish_woken() == 2
    published = relay.published("t.mentornet.asks")
    assert [(e.id, e.subject, e.tenant_id) for e in published] == [
        (first.id, "ask_1", "org_a"),
        (second.id, "ask_2", "org_a"),
    ]
    assert [record.key for record in relay.memory.to("t.mentornet.asks")] == [b"ask_1", b"ask_2"]
    async with runtime.stores.session("org_a") as session:
        assert await pending_count(session) == 0
    assert await relay.publish_woken() == 0  # each row once


async def test_a_row_the_relay_was_never_handed_goes_out_with_the_sweep(runtime: Runtime) -> None:
    relay = runtime.relay
    assert isinstance(relay, InMemoryRelay)
    async with runtime.unit_of_work("org_a") as uow:
        uow.publish(ask("ask_left_behind"))
        await uow.commit()
    relay._woken.clear()  # the process that wrote it crashed before its relay's turn

    assert await relay.sweep() == 0
    assert [e.subject for e in relay.published()] == ["ask_left_behind"]
