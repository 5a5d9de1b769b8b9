"""Faults mentornet rides through by itself (`make chaos`): each scenario ends with every ask proposed
exactly once, nothing lost, and nothing on a dead-letter topic that should not be there."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from mentornet_common.contracts import TOPICS
from mentornet_devkit.postgres import OwnPostgres
from mentornet_devkit.testing import eventually, produce, read_all

from .conftest import ORGS, Stack

pytestmark = pytest.mark.chaos

ASKS = 16


async def ready(stack: Stack, workers: int = 1) -> list[Any]:
    await stack.seed()
    await stack.start_api()
    started = [stack.start_worker(f"worker{n}") for n in range(workers)]
    await stack.mentors_indexed()
    return started


async def backlog(stack: Stack, workers: int = 1) -> list[Any]:
    """Asks waiting for the workers: mentors indexed, the worker stopped, asks posted, workers started."""
    ((worker, _),) = await ready(stack)
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=30)
    await stack.post_asks(ASKS)
    return [stack.start_worker(f"replica{n}") for n in range(workers)]


async def some_proposed(stack: Stack, at_least: int = 1) -> int:
    async def enough() -> bool:
        return len(await stack.proposals()) >= at_least

    await eventually(enough, timeout_s=60, what="the first proposals")
    return len(await stack.proposals())


async def readyz(port: int) -> tuple[int, dict[str, Any]]:
    async with httpx.AsyncClient(timeout=2) as http:
        answer = await http.get(f"http://127.0.0.1:{port}/readyz")
    return answer.status_code, answer.json()


def waiting_for_a_store(probes: int) -> Callable[[], Awaitable[bool]]:
    """Whether the worker serving its probes on ``probes`` says (503 from /readyz) it waits for a store."""

    async def check() -> bool:
        try:
            status, body = await readyz(probes)
        except httpx.HTTPError:
            return False  # not listening yet
        return status == 503 and "store" in json.dumps(body["blocked"])

    return check


async def test_a_frozen_broker_delays_asks_and_loses_none(stack: Any) -> None:
    system: Stack = stack()
    await ready(system)
    await system.post_asks(ASKS // 2)
    os.kill(system.broker.process.pid, signal.SIGSTOP)
    try:
        await system.post_asks(ASKS // 2)  # the API accepts them: the outbox holds them
        await asyncio.sleep(6)
    finally:
        os.kill(system.broker.process.pid, signal.SIGCONT)
    await system.proposed_exactly_once()
    assert await system.dead_letters() == []


async def test_a_worker_killed_mid_batch_is_taken_over_by_its_other_replica(stack: Any) -> None:
    """Both replicas hold fetched asks in an open transaction (the stores are locked, so nothing commits)
    when one is killed: its batch is lost with it, and the other replica must take its partitions over."""
    system: Stack = stack(MENTORNET_SQLITE_BUSY_TIMEOUT_MS="3000")
    ((worker, _),) = await ready(system)
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=30)
    await system.post_asks(ASKS)
    lockers = []
    for org in ORGS:
        locker = sqlite3.connect(
            system.root / "data" / "matching" / f"{org}.db", timeout=30, isolation_level=None
        )
        locker.execute("BEGIN IMMEDIATE")  # writers wait; readers (the directory index) do not
        lockers.append(locker)
    try:
        (first, first_probes), (second, _) = [system.start_worker(f"replica{n}") for n in range(2)]

        await eventually(
            waiting_for_a_store(first_probes), timeout_s=60, what="the first replica waiting for a store"
        )
        assert await system.proposals() == {}
        first.kill()  # SIGKILL: no goodbye to the group, whatever was in flight is lost
    finally:
        for locker in lockers:
            locker.execute("ROLLBACK")
            locker.close()
    await system.proposed_exactly_once()
    assert second.poll() is None
    assert await system.dead_letters() == []


async def test_every_event_delivered_three_times_has_one_effect(stack: Any) -> None:
    system: Stack = stack()
    await system.seed(copies=3)
    await system.start_api()
    system.start_worker()
    await system.mentors_indexed()
    await system.post_asks(ASKS)
    await system.all_proposed()
    asks_topic = system.settings.topic("mentornet.asks")
    created = await read_all(system.broker.bootstrap_servers, asks_topic, expect=ASKS)
    again = [(r.value, list(r.headers or ())) for r in created]
    await produce(system.broker.bootstrap_servers, asks_topic, again * 2)
    await system.proposed_exactly_once()
    assert await system.dead_letters() == []


async def test_poison_on_every_topic_is_parked_and_nothing_else_is(stack: Any) -> None:
    system: Stack = stack()
    await ready(system)
    poison = [
        (b"{not json", [("ce_specversion", b"1.0"), ("ce_type", b"mentornet.ask-created.v1")]),
        (b"no headers at all", []),
    ]
    for topic in TOPICS:
        await produce(system.broker.bootstrap_servers, system.settings.topic(topic), poison)
    await system.post_asks(ASKS)
    await system.proposed_exactly_once()

    async def parked() -> bool:
        return len(await system.dead_letters()) == len(TOPICS) * len(poison)

    await eventually(parked, what="every poison record parked")
    letters = await system.dead_letters()
    assert {(letter.original_topic, letter.value) for letter in letters} == {
        (system.settings.topic(topic), value) for topic in TOPICS for value, _ in poison
    }
    assert {letter.header("dlq_reason") for letter in letters} == {"malformed"}


async def test_a_store_locked_for_ten_seconds_is_waited_out(stack: Any) -> None:
    """The fault found: one org's matching store unwritable for 10 s dead-lettered ask-created, and the ask
    stayed open until an operator replayed it. Writers here give up on a lock after 3 s (30 s by default)."""
    system: Stack = stack(MENTORNET_SQLITE_BUSY_TIMEOUT_MS="3000")
    store = system.root / "data" / "matching" / "org_a.db"
    ((worker, _),) = await ready(system)
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=30)
    await system.post_asks(ASKS)
    locker = sqlite3.connect(store, timeout=30, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # nobody else writes (or reads) org_a's store until it ends
    try:
        worker, probes = system.start_worker("replica")

        await eventually(waiting_for_a_store(probes), timeout_s=30, what="the worker waiting for the store")
        await asyncio.sleep(10)
        assert await system.proposals() == {} and worker.poll() is None
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    await system.proposed_exactly_once()
    assert await system.dead_letters() == []
    assert (await readyz(probes))[0] == 200


async def test_postgresql_stopped_for_thirty_seconds_mid_flow(stack: Any, own_postgres: OwnPostgres) -> None:
    system: Stack = stack(MENTORNET_DATABASE_URL=own_postgres.url)
    await backlog(system)
    await some_proposed(system)
    # Stopped while the worker runs. It proposes a backlog's asks in a few transactions now (one per
    # partition's batch), so they may all be out already: a second wave after the restart shows the
    # worker's pool and consumers came back, whatever the first one reached.
    await asyncio.to_thread(own_postgres.stop)
    await asyncio.sleep(30)
    await asyncio.to_thread(own_postgres.start)
    await system.post_asks(ASKS)
    await system.proposed_exactly_once()
    assert len(system.asks) == 2 * ASKS
    assert await system.dead_letters() == []
