from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaConnectionError
from prometheus_client import REGISTRY
from sqlmodel import select

from mentornet_common.consumer import Consumer, Received, in_store
from mentornet_common.contracts import AskClosed, AskCreated, UserErased
from mentornet_common.deadletters import (
    FOR_GROUP,
    ORIGINAL_TOPIC,
    REDRIVES,
    drop,
    find,
    list_dead_letters,
    replay,
)
from mentornet_common.envelope import Envelope
from mentornet_common.erasure import in_every_store
from mentornet_common.kafka import dlq_topic, ensure_topics, is_dead_letter_topic
from mentornet_common.outbox import OutboxMessage
from mentornet_common.redrive import Redrive
from mentornet_common.runtime import Runtime
from mentornet_common.settings import CommonSettings
from mentornet_common.tenancy import CONSORTIUM
from mentornet_common.unit_of_work import UnitOfWork
from mentornet_devkit.broker import Broker
from mentornet_devkit.fakes import InMemoryRelay, Sent, use_in_memory_relay
from mentornet_devkit.pytest_plugin import isolated_settings
from mentornet_devkit.testing import Record, as_record, eventually, header, produce, read_all

from .conftest import create_all, register
from .kafka_helpers import ask_created

FIXED = threading.Event()


async def close_ask_when_ask_created(uow: UnitOfWork, received: Received[AskCreated]) -> None:
    """The effect under test: one follow-up event in the outbox of the event's tenant."""
    if "boom" in received.payload.skills and not FIXED.is_set():
        raise RuntimeError("this handler cannot cope with boom")
    uow.publish(
        AskClosed(
            ask_id=received.payload.ask_id,
            mentee_id=received.payload.mentee_id,
            mentee_org_id=received.payload.mentee_org_id,
            status="cancelled",
            reason="test",
            closed_at=received.envelope.time,
        )
    )


@in_store(lambda received: CONSORTIUM)
async def count_ask_in_consortium(uow: UnitOfWork, received: Received[AskCreated]) -> None:
    uow.publish(
        AskClosed(
            ask_id=received.payload.ask_id,
            mentee_id="-",
            mentee_org_id="-",
            status="counted",
            reason="test",
            closed_at=received.envelope.time,
        ),
        tenant_id=received.envelope.tenant_id,
    )


@asynccontextmanager
async def running_worker(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str, **overrides: Any
) -> AsyncIterator[Consumer]:
    settings = isolated_settings(
        CommonSettings,
        store_backend,
        topic_prefix=topic_prefix,
        kafka_bootstrap_servers=broker.bootstrap_servers,
        outbox_sweep_interval_s=3600,
        **overrides,
    )
    await ensure_topics(settings, partitions=1)
    runtime = Runtime(settings, create_all, sweep=False)
    await runtime.start()
    await register(runtime)
    consumer = Consumer(
        runtime, "probe-worker", {AskCreated: [close_ask_when_ask_created, count_ask_in_consortium]}
    )
    await consumer.start()
    try:
        yield consumer
    finally:
        await consumer.stop()
        await runtime.stop()


@pytest.fixture
async def worker(broker: Broker, store_backend: dict[str, Any], topic_prefix: str) -> AsyncIterator[Consumer]:
    async with running_worker(broker, store_backend, topic_prefix) as consumer:
        yield consumer


@pytest.fixture
async def batch_worker(store_backend: dict[str, Any], topic_prefix: str) -> AsyncIterator[Consumer]:
    """The same handlers on a runtime whose outbox relay is in memory (mentornet_devkit.fakes): no broker, no
    consumer group; a test hands it fetched batches itself (``process_batch``), and reads its dead letters
    from the relay's producer."""
    settings = isolated_settings(
        CommonSettings, store_backend, topic_prefix=topic_prefix, kafka_bootstrap_servers="127.0.0.1:9"
    )
    runtime = Runtime(settings, create_all, sweep=False)
    await use_in_memory_relay(runtime)
    await runtime.start()
    await register(runtime)
    yield Consumer(
        runtime, "probe-worker", {AskCreated: [close_ask_when_ask_created, count_ask_in_consortium]}
    )
    await runtime.stop()


def dead_letters(consumer: Consumer) -> list[Sent]:
    """What a consumer on an in-memory relay dead-lettered, oldest first."""
    relay = consumer._runtime.relay
    assert isinstance(relay, InMemoryRelay)
    return [record for record in relay.memory.sent if is_dead_letter_topic(record.topic)]


async def effects(consumer: Consumer, tenant: str) -> list[str]:
    async with consumer._runtime.stores.session(tenant) as session:
        rows = (await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    return [r.ce_subject for r in rows]


def processed(consumer: Consumer, n: int) -> Any:
    async def check() -> bool:
        return consumer.processed >= n

    return check


async def test_the_same_event_delivered_twice_has_one_effect(worker: Consumer) -> None:
    settings = worker._runtime.settings
    envelope = Envelope.new(ask_created("ask_twice"), "org_a")
    await produce(
        settings.kafka_bootstrap_servers, settings.topic("mentornet.asks"), [as_record(envelope)] * 2
    )
    await eventually(processed(worker, 2), what="both deliveries processed")
    assert await effects(worker, "org_a") == ["ask_twice"]
    assert await effects(worker, CONSORTIUM) == ["ask_twice"]


async def test_a_handler_runs_in_the_store_it_names(worker: Consumer) -> None:
    settings = worker._runtime.settings
    await produce(
        settings.kafka_bootstrap_servers,
        settings.topic("mentornet.asks"),
        [as_record(Envelope.new(ask_created("ask_b"), "org_b"))],
    )
    await eventually(processed(worker, 1), what="the event processed")
    assert await effects(worker, "org_b") == ["ask_b"]
    assert await effects(worker, "org_a") == []
    assert await effects(worker, CONSORTIUM) == ["ask_b"]


async def test_poison_and_failing_messages_go_to_the_dlq_and_the_partition_moves_on(worker: Consumer) -> None:
    settings = worker._runtime.settings
    topic = settings.topic("mentornet.asks")
    good = [Envelope.new(ask_created(f"ask_good_{i}"), "org_a") for i in range(3)]
    failing = Envelope.new(ask_created("ask_failing", skills=["boom"]), "org_a")
    poison_headers = [("ce_specversion", b"1.0"), ("ce_type", b"mentornet.ask-created.v1")]
    await produce(
        settings.kafka_bootstrap_servers,
        topic,
        [
            as_record(good[0]),
            (b"{not json", poison_headers),
            as_record(good[1]),
            as_record(failing),
            as_record(good[2]),
        ],
    )
    dead = await read_all(settings.kafka_bootstrap_servers, worker.dlq_topic, expect=2, timeout_s=30)
    await eventually(processed(worker, 4), what="the good messages after the bad ones")

    assert await effects(worker, "org_a") == ["ask_good_0", "ask_good_1", "ask_good_2"]
    assert len(dead) == 2
    poison, failed = sorted(dead, key=lambda r: int(header(r, "dlq_original_offset") or 0))
    assert poison.value == b"{not json"
    assert "missing CloudEvents headers" in (header(poison, "dlq_error") or "")
    assert header(poison, "dlq_consumer_group") == "probe-worker"
    assert header(failed, "ce_id") == failing.id
    assert "cannot cope with boom" in (header(failed, "dlq_error") or "")
    assert header(failed, "dlq_handler") == "close_ask_when_ask_created"
    assert header(failed, "dlq_attempts") == str(settings.consumer_max_attempts)
    assert header(failed, "dlq_original_topic") == topic
    assert json.loads(failed.value)["ask_id"] == "ask_failing"
    dead_lettered = REGISTRY.get_sample_value(
        "mentornet_dead_letters_total", {"group": "probe-worker", "topic": topic}
    )
    assert dead_lettered == 2
    # The handler that did not fail kept its effect; the worker is still running.
    assert "ask_failing" in await effects(worker, CONSORTIUM)
    assert worker._task is not None and not worker._task.done()


def transactions(consumer: Consumer, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many units of work the consumer opens, per store, from now on."""
    opened: Counter[str] = Counter()
    runtime = consumer._runtime
    unit_of_work = runtime.unit_of_work

    def counted(tenant_id: str) -> UnitOfWork:
        opened[tenant_id] += 1
        return unit_of_work(tenant_id)

    monkeypatch.setattr(runtime, "unit_of_work", counted)
    return opened


def fetched(consumer: Consumer, *envelopes: Envelope) -> list[Any]:
    """Records as one fetch from one partition would hand them over."""
    topic = consumer._runtime.settings.topic("mentornet.asks")
    return [
        Record(topic, e.value(), e.headers(), e.key(), partition=0, offset=i) for i, e in enumerate(envelopes)
    ]


async def test_a_fetched_batch_is_handled_in_one_transaction_per_store_and_a_duplicate_in_it_once(
    batch_worker: Consumer, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = batch_worker
    asks = [Envelope.new(ask_created(f"ask_batch_{i}"), "org_a") for i in range(4)]
    opened = transactions(worker, monkeypatch)

    await worker.process_batch(fetched(worker, *asks, asks[1]))

    assert await effects(worker, "org_a") == [f"ask_batch_{i}" for i in range(4)]
    assert await effects(worker, CONSORTIUM) == [f"ask_batch_{i}" for i in range(4)]
    assert opened == {"org_a": 1, CONSORTIUM: 1}
    # Delivered again (a restart before the offset was committed): nothing happens twice.
    await worker.process_batch(fetched(worker, *asks))
    assert await effects(worker, "org_a") == [f"ask_batch_{i}" for i in range(4)]
    assert await effects(worker, CONSORTIUM) == [f"ask_batch_{i}" for i in range(4)]


async def test_an_event_that_fails_in_a_batch_costs_the_others_in_its_store_nothing(
    batch_worker: Consumer,
) -> None:
    worker = batch_worker
    settings = worker._runtime.settings
    good = [Envelope.new(ask_created(f"ask_fine_{i}"), "org_a") for i in range(3)]
    failing = Envelope.new(ask_created("ask_breaks", skills=["boom"]), "org_a")

    await worker.process_batch(fetched(worker, good[0], failing, good[1], good[2]))

    # The batch's transaction was rolled back and its handlers ran one at a time: the good ones kept
    # their effect once, the failing one was dead-lettered, and its other handler's effect stayed.
    assert await effects(worker, "org_a") == ["ask_fine_0", "ask_fine_1", "ask_fine_2"]
    assert await effects(worker, CONSORTIUM) == ["ask_fine_0", "ask_breaks", "ask_fine_1", "ask_fine_2"]
    (dead,) = dead_letters(worker)
    assert dead.topic == dlq_topic(settings, "probe-worker") == settings.topic("mentornet.dlq.probe-worker")
    assert (dead.header("ce_id"), dead.header("dlq_reason")) == (failing.id, "handler")
    assert dead.header("dlq_handler") == "close_ask_when_ask_created"
    assert dead.header("dlq_attempts") == str(settings.consumer_max_attempts)


@in_store(lambda received: received.payload.mentee_org_id)
async def note_ask_in_the_mentees_org(uow: UnitOfWork, received: Received[AskCreated]) -> None:
    """A handler that writes the store of the org the payload names, whichever tenant published it."""
    uow.publish(
        AskClosed(
            ask_id=received.payload.ask_id,
            mentee_id=received.payload.mentee_id,
            mentee_org_id=received.payload.mentee_org_id,
            status="noted",
            reason="test",
            closed_at=received.envelope.time,
        )
    )


async def test_a_batch_dead_letters_the_malformed_and_the_forged_skips_what_is_not_its_own_and_does_the_rest(
    batch_worker: Consumer,
) -> None:
    runtime = batch_worker._runtime
    worker = Consumer(
        runtime, "probe-worker", {AskCreated: [close_ask_when_ask_created, note_ask_in_the_mentees_org]}
    )
    good = [Envelope.new(ask_created(f"ask_fine_{i}"), "org_a") for i in range(2)]
    # org_b publishes an ask it says is org_a's: it may change its own store, not org_a's.
    forged = Envelope.new(ask_created("ask_forged", org="org_a"), "org_b")
    replayed_for_another_group = Envelope.new(ask_created("ask_theirs"), "org_a")
    not_handled_here = Envelope.new(
        AskClosed(ask_id="ask_x", mentee_id="usr_1", mentee_org_id="org_a", status="cancelled", reason="r",
                  closed_at=forged.time),
        "org_a",
    )  # fmt: skip
    records = fetched(worker, good[0], forged, replayed_for_another_group, not_handled_here, good[1])
    records[2].headers = [*records[2].headers, (FOR_GROUP, b"another-group")]
    malformed = Record(
        records[0].topic,
        b"{not json",
        [("ce_specversion", b"1.0"), ("ce_type", b"mentornet.ask-created.v1")],
        offset=5,
    )

    await worker.process_batch([*records, malformed])

    # Each good ask has both effects in org_a; the forged one only the effect in its own tenant's store.
    assert await effects(worker, "org_a") == ["ask_fine_0", "ask_fine_0", "ask_fine_1", "ask_fine_1"]
    assert await effects(worker, "org_b") == ["ask_forged"]
    assert [
        (d.header("dlq_reason"), d.header("dlq_handler"), d.header("dlq_original_offset"))
        for d in dead_letters(worker)
    ] == [("foreign-store", "note_ask_in_the_mentees_org", "1"), ("malformed", "-", "5")]
    assert dead_letters(worker)[0].header("ce_id") == forged.id
    assert "may not change the store of org_a" in (dead_letters(worker)[0].header("dlq_error") or "")


async def group_offsets(settings: CommonSettings, partition: TopicPartition) -> tuple[int | None, int]:
    """The probe group's committed offset of a partition, and the partition's end, as a second client of
    the group sees them (it only reads; it never joins)."""
    reader = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, group_id="probe-worker", enable_auto_commit=False
    )
    await reader.start()
    try:
        return await reader.committed(partition), (await reader.end_offsets([partition]))[partition]
    finally:
        await reader.stop()


def spy_on_commits(monkeypatch: pytest.MonkeyPatch, failing: int = 0) -> list[dict[TopicPartition, int]]:
    """Every commit the probe group asks for, in order; the first ``failing`` fail as if the coordinator
    went away."""
    commits: list[dict[TopicPartition, int]] = []
    commit = AIOKafkaConsumer.commit

    async def spied(self: AIOKafkaConsumer, offsets: Any = None) -> None:
        if self._group_id == "probe-worker":
            commits.append(dict(offsets))
            if len(commits) <= failing:
                raise KafkaConnectionError("the coordinator went away")
        await commit(self, offsets)

    monkeypatch.setattr(AIOKafkaConsumer, "commit", spied)
    return commits


async def test_the_offset_is_committed_after_the_effect(worker: Consumer) -> None:
    settings = worker._runtime.settings
    topic = settings.topic("mentornet.asks")
    waited = {"group": worker.group_id, "topic": topic}
    waits_before = REGISTRY.get_sample_value("mentornet_event_wait_seconds_count", waited) or 0.0
    batches_before = (
        REGISTRY.get_sample_value("mentornet_event_batch_seconds_count", {"group": worker.group_id}) or 0.0
    )
    await produce(
        settings.kafka_bootstrap_servers, topic, [as_record(Envelope.new(ask_created("ask_once"), "org_a"))]
    )
    await eventually(processed(worker, 1), what="the event processed")
    assert await effects(worker, "org_a") == ["ask_once"]
    # where its time went: its wait for the group, then the batch it was handled in
    assert (REGISTRY.get_sample_value("mentornet_event_wait_seconds_count", waited) or 0.0) > waits_before
    assert (
        REGISTRY.get_sample_value("mentornet_event_batch_seconds_count", {"group": worker.group_id}) or 0.0
    ) > batches_before

    async def committed() -> bool:
        offset, end = await group_offsets(settings, TopicPartition(topic, 0))
        # The handler's own follow-up events land on the same topic: everything up to the end is done.
        return end >= 1 and offset == end

    await eventually(committed, what="the group's offset committed past the event")


async def test_handled_batches_are_committed_together_and_what_is_left_when_the_worker_stops(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    commits = spy_on_commits(monkeypatch)
    # The longest gathering allowed: the worker stops long before it ends.
    async with running_worker(
        broker, store_backend, topic_prefix, consumer_commit_interval_ms=5000
    ) as worker:
        settings = worker._runtime.settings
        topic = settings.topic("mentornet.asks")
        for n in range(4):  # one batch each: the next is sent once the last is handled
            envelope = Envelope.new(ask_created(f"ask_{n}"), "org_a")
            await produce(settings.kafka_bootstrap_servers, topic, [as_record(envelope)])
            await eventually(processed(worker, n + 1), what=f"event {n} handled")
        assert commits == []  # four batches handled, nothing committed yet
        handled_up_to = worker._handled[TopicPartition(topic, 0)]
    # Stopping commits what was handled (the four, and any of their follow-ups on the topic), in one request.
    (only,) = commits
    partition = TopicPartition(topic, 0)
    assert list(only) == [partition] and only[partition] >= handled_up_to
    assert (await group_offsets(settings, partition))[0] == only[partition]


async def test_an_offset_whose_commit_failed_is_committed_at_the_next_chance(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    commits = spy_on_commits(monkeypatch, failing=1)
    async with running_worker(broker, store_backend, topic_prefix, consumer_commit_interval_ms=50) as worker:
        settings = worker._runtime.settings
        topic = settings.topic("mentornet.asks")
        envelope = Envelope.new(ask_created("ask_quiet"), "org_a")
        await produce(settings.kafka_bootstrap_servers, topic, [as_record(envelope)])
        await eventually(processed(worker, 1), what="the event handled")

        async def tried() -> bool:
            return len(commits) >= 1

        await eventually(tried, what="a commit tried (and failed)")
        # The partition goes quiet: nothing else is handled, so only the stop commits again.
    partition = TopicPartition(topic, 0)
    failed, *later = commits
    assert later and later[-1][partition] >= failed[partition]
    assert (await group_offsets(settings, partition))[0] == later[-1][partition]


async def test_operators_list_dead_letters_and_replay_them_once_the_cause_is_fixed(worker: Consumer) -> None:
    settings = worker._runtime.settings
    failing = Envelope.new(ask_created("ask_replayed", skills=["boom"]), "org_a")
    await produce(settings.kafka_bootstrap_servers, settings.topic("mentornet.asks"), [as_record(failing)])
    await read_all(settings.kafka_bootstrap_servers, worker.dlq_topic, expect=1)

    letters = await list_dead_letters(settings)
    assert [(dl.header("ce_id"), dl.original_topic) for dl in letters] == [
        (failing.id, settings.topic("mentornet.asks"))
    ]
    assert "cannot cope with boom" in (letters[0].header("dlq_error") or "")
    assert find(letters, letters[0].ref) == letters[0]

    FIXED.set()  # the operator deployed the fix
    try:
        assert await replay(settings, letters) == 1

        async def handled() -> bool:
            return "ask_replayed" in await effects(worker, "org_a")

        await eventually(handled, what="the replayed record handled")
    finally:
        FIXED.clear()
    # The handler that had succeeded the first time did not run twice.
    assert (await effects(worker, CONSORTIUM)).count("ask_replayed") == 1


def test_a_letters_group_is_the_one_whose_topic_it_is_on_whatever_its_headers_claim() -> None:
    from mentornet_common.deadletters import DeadLetter

    forged = DeadLetter(
        "t1.mentornet.dlq.matching", 0, 7, b"k", b"{}",
        (("dlq_consumer_group", b"streams"), ("dlq_original_topic", b"t1.mentornet.asks")),
    )  # fmt: skip
    assert (forged.group, forged.legacy, forged.original_topic) == ("matching", False, "t1.mentornet.asks")
    # On a legacy shared topic (before ADR 0015) the topic's name says where it came from.
    legacy = DeadLetter(
        "t1.mentornet.asks.dlq", 0, 7, b"k", b"{}",
        (("dlq_original_topic", b"t1.mentornet.identity"), ("dlq_consumer_group", b"matching")),
    )  # fmt: skip
    assert (legacy.group, legacy.legacy, legacy.original_topic) == ("matching", True, "t1.mentornet.asks")


def test_a_handler_may_change_another_orgs_store_only_when_the_events_tenant_takes_part_too() -> None:
    from datetime import UTC, datetime

    from mentornet_common.consumer import Received, may_write
    from mentornet_common.contracts import AskClosed
    from mentornet_common.envelope import Envelope

    def received(tenant: str) -> Received[AskClosed]:
        event = AskClosed(ask_id="a", mentee_id="u", mentee_org_id="org_a", status="cancelled", reason="r",
                          closed_at=datetime.now(UTC))  # fmt: skip
        return Received(Envelope.new(event, tenant), event)

    assert may_write(received("org_a"), "org_a") and may_write(received("org_a"), "consortium")
    assert not may_write(received("org_x"), "org_a")  # a forged tenant cannot reach the org it names
    assert may_write(received("org_x"), "org_x")


async def test_a_dead_letter_that_can_heal_is_redriven_by_itself_and_one_that_cannot_is_left(
    worker: Consumer,
) -> None:
    """The fault found: a dead letter stayed parked until an operator ran `mentornet dlq replay`."""
    settings = worker._runtime.settings.model_copy(update={"dlq_redrive_after_s": 60, "dlq_redrive_times": 2})
    topic = settings.topic("mentornet.asks")
    failing = Envelope.new(ask_created("ask_healed", skills=["boom"]), "org_a")
    poison_headers = [("ce_specversion", b"1.0"), ("ce_type", b"mentornet.ask-created.v1")]
    await produce(
        settings.kafka_bootstrap_servers, topic, [as_record(failing), (b"{not json", poison_headers)]
    )
    await read_all(settings.kafka_bootstrap_servers, worker.dlq_topic, expect=2)
    before = {d: decided(d) for d in ("redriven", "never")}
    redrive = Redrive(settings, "probe-worker")
    assert await redrive.tick() == 0  # parked less than a minute ago: not due yet
    assert len(await list_dead_letters(settings, [worker.dlq_topic])) == 2

    FIXED.set()  # the cause goes away (a fix deployed)
    try:
        assert await redrive.tick(datetime.now(UTC) + timedelta(seconds=61)) == 1
        # on the group's own redrive topic, for it alone (no other group reads that topic)
        (again,) = await read_all(settings.kafka_bootstrap_servers, worker.redrive_topic, expect=1)
        assert (header(again, "ce_id"), header(again, FOR_GROUP)) == (failing.id, "probe-worker")
        assert header(again, ORIGINAL_TOPIC) == topic and header(again, REDRIVES) == "1"

        async def healed() -> bool:
            return "ask_healed" in await effects(worker, "org_a")

        await eventually(healed, what="the redriven letter handled")
    finally:
        FIXED.clear()
    # The handler that had succeeded the first time did not run again; the malformed record is left, and
    # is all that is still listed.
    assert (await effects(worker, CONSORTIUM)).count("ask_healed") == 1
    (left,) = await list_dead_letters(settings, [worker.dlq_topic])
    assert left.value == b"{not json" and left.header("dlq_reason") == "malformed"
    assert {d: decided(d) - before[d] for d in before} == {"redriven": 1, "never": 1}


def decided(decision: str) -> float:
    labels = {"group": "probe-worker", "decision": decision}
    return REGISTRY.get_sample_value("mentornet_dead_letters_redriven_total", labels) or 0.0


async def test_a_letter_that_keeps_failing_is_redriven_as_often_as_allowed_then_left(
    worker: Consumer,
) -> None:
    settings = worker._runtime.settings.model_copy(update={"dlq_redrive_after_s": 60, "dlq_redrive_times": 1})
    topic = settings.topic("mentornet.asks")
    failing = Envelope.new(ask_created("ask_stuck", skills=["boom"]), "org_a")
    await produce(settings.kafka_bootstrap_servers, topic, [as_record(failing)])
    await read_all(settings.kafka_bootstrap_servers, worker.dlq_topic, expect=1)
    redrive = Redrive(settings, "probe-worker")
    later = datetime.now(UTC) + timedelta(seconds=61)
    assert await redrive.tick(later) == 1

    async def parked_again() -> bool:
        letters = await list_dead_letters(settings, [worker.dlq_topic])
        return [letter.header(REDRIVES) for letter in letters] == ["1"]

    await eventually(parked_again, what="the redriven letter failing again")
    assert await redrive.tick(later + timedelta(hours=1)) == 0  # redriven once already: left to an operator
    (left,) = await list_dead_letters(settings, [worker.dlq_topic])
    assert left.header("ce_id") == failing.id

    # The operator drops it: it is no longer listed, nor redriven.
    assert await drop(settings, [left]) == 1
    assert await list_dead_letters(settings, [worker.dlq_topic]) == []


SEEN_BY_ANOTHER_GROUP: list[str] = []


async def remember_ask(uow: UnitOfWork, received: Received[AskCreated]) -> None:
    """Another group's handler of the same events, which never fails."""
    SEEN_BY_ANOTHER_GROUP.append(received.payload.ask_id)


async def test_a_failing_handler_parks_in_its_groups_own_topic_and_a_replay_reaches_that_group_alone(
    worker: Consumer,
) -> None:
    """ADR 0015: a group parks in a topic of its own, and its replays come back on another of its own; the
    other group reading the same topic sees neither, and the inbox still makes a second replay a no-op."""
    settings = worker._runtime.settings
    topic = settings.topic("mentornet.asks")
    SEEN_BY_ANOTHER_GROUP.clear()  # the test runs once per store backend
    other = Consumer(worker._runtime, "probe-other", {AskCreated: [remember_ask]})
    await other.start()
    try:
        failing = Envelope.new(ask_created("ask_own_letter", skills=["boom"]), "org_a")
        await produce(settings.kafka_bootstrap_servers, topic, [as_record(failing)])
        (dead,) = await read_all(settings.kafka_bootstrap_servers, worker.dlq_topic, expect=1)
        assert worker.dlq_topic == settings.topic("mentornet.dlq.probe-worker")
        assert (header(dead, "ce_id"), header(dead, "dlq_original_topic")) == (failing.id, topic)

        async def seen_by_the_other() -> bool:
            return "ask_own_letter" in SEEN_BY_ANOTHER_GROUP

        await eventually(seen_by_the_other, what="the other group handling the event")
        assert await list_dead_letters(settings, [other.dlq_topic]) == []  # the other group parked nothing
        (letter,) = await list_dead_letters(settings, [worker.dlq_topic])
        assert (letter.group, letter.original_topic) == ("probe-worker", topic)

        FIXED.set()
        assert await replay(settings, [letter]) == 1
        (replayed,) = await read_all(settings.kafka_bootstrap_servers, worker.redrive_topic, expect=1)
        assert header(replayed, FOR_GROUP) == "probe-worker" and header(replayed, ORIGINAL_TOPIC) == topic
        assert header(replayed, "ce_id") == failing.id

        async def handled() -> bool:
            return "ask_own_letter" in await effects(worker, "org_a")

        await eventually(handled, what="the replayed record handled by the group that parked it")
        before = worker.processed
        assert await replay(settings, [letter]) == 1  # replayed twice (two operators, or a redrive race)

        async def handled_again() -> bool:
            return worker.processed > before

        await eventually(handled_again, what="the second replay handled")
    finally:
        FIXED.clear()
        await other.stop()
    # Each handler's effect once; the other group saw the event once (never a replay); nothing is listed.
    assert (await effects(worker, "org_a")).count("ask_own_letter") == 1
    assert (await effects(worker, CONSORTIUM)).count("ask_own_letter") == 1
    assert SEEN_BY_ANOTHER_GROUP.count("ask_own_letter") == 1
    assert await list_dead_letters(settings, [worker.dlq_topic, other.dlq_topic]) == []


def misaddressed(group: str) -> float:
    labels = {"group": group, "type": "mentornet.ask-created.v1", "outcome": "misaddressed"}
    return REGISTRY.get_sample_value("mentornet_events_consumed_total", labels) or 0.0


async def test_a_record_on_a_redrive_topic_not_addressed_to_its_group_is_ignored_and_counted(
    worker: Consumer,
) -> None:
    """Defence in depth: only the group (and the operators) may write its redrive topic, but should anything
    else be there — for another group, from a topic the group does not read, or addressed to no one — it
    changes nothing."""
    settings = worker._runtime.settings
    await ensure_topics(settings, partitions=1, groups=[worker.group_id], events=False)
    asks = settings.topic("mentornet.asks").encode()

    def replayed(ask_id: str, *extra: tuple[str, bytes]) -> tuple[bytes, list[tuple[str, bytes]]]:
        value, headers = as_record(Envelope.new(ask_created(ask_id), "org_a"))
        return value, [*headers, *extra]

    before = misaddressed(worker.group_id)
    await produce(
        settings.kafka_bootstrap_servers,
        worker.redrive_topic,
        [
            replayed("ask_for_another", (FOR_GROUP, b"probe-other"), (ORIGINAL_TOPIC, asks)),
            replayed(
                "ask_from_elsewhere",
                (FOR_GROUP, b"probe-worker"),
                (ORIGINAL_TOPIC, settings.topic("mentornet.sessions").encode()),
            ),
            replayed("ask_for_no_one", (ORIGINAL_TOPIC, asks)),
            replayed("ask_redriven", (FOR_GROUP, b"probe-worker"), (ORIGINAL_TOPIC, asks)),
        ],
    )

    async def handled() -> bool:
        return "ask_redriven" in await effects(worker, "org_a")

    await eventually(handled, what="the replay addressed to the group handled")
    assert await effects(worker, "org_a") == ["ask_redriven"]  # in order: the three before it were ignored
    assert misaddressed(worker.group_id) - before == 3


async def test_a_group_that_erases_people_must_say_what_it_erases(runtime: Runtime) -> None:
    """Late events are erased again with what the group's user-erased handler is marked with: a group that
    handles user-erased without saying would let them keep their words, so it is refused at start."""

    async def forget(uow: UnitOfWork, received: Received[UserErased]) -> None:
        await in_every_store(uow, received.payload.user_id, _erase_nothing)

    with pytest.raises(ValueError, match="must say what it erases"):
        Consumer(runtime, "forgetful", {UserErased: [forget]})


async def _erase_nothing(_session: Any, _user_id: str) -> None:
    """This group keeps nothing of anyone's."""
