"""Kafka clients configured the way mentornet needs them, and topic creation."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.helpers import create_ssl_context

from mentornet_common.contracts import CONSUMER_GROUPS, TOPICS
from mentornet_common.settings import CommonSettings

log = logging.getLogger(__name__)

# Before ADR 0015 every group consuming ``<topic>`` parked in one shared ``<topic>.dlq``. Still listed,
# replayed and dropped by ``mentornet dlq`` in direct mode, so letters parked before the upgrade are not lost.
DLQ_SUFFIX = ".dlq"
# Since ADR 0015 each consumer group parks in a topic of its own, and its replays come back on another
# topic of its own: no other principal may write either (deploy/k8s/overlays/prod/kafka-users.yaml).
DLQ_TOPIC = "mentornet.dlq."
REDRIVE_TOPIC = "mentornet.redrive."
TOPIC_EXISTS = 36


def dlq_topic(settings: CommonSettings, group: str) -> str:
    """The dead-letter topic of consumer group ``group``: ``<prefix>mentornet.dlq.<group>``."""
    return settings.topic(f"{DLQ_TOPIC}{group}")


def redrive_topic(settings: CommonSettings, group: str) -> str:
    """Where replays of ``group``'s dead letters go, which only ``group`` reads:
    ``<prefix>mentornet.redrive.<group>``."""
    return settings.topic(f"{REDRIVE_TOPIC}{group}")


def legacy_dlq_topic(topic: str) -> str:
    """The dead-letter topic every group consuming ``topic`` shared before ADR 0015: ``<topic>.dlq``."""
    return f"{topic}{DLQ_SUFFIX}"


def is_dead_letter_topic(topic: str) -> bool:
    """Whether ``topic`` is a dead-letter topic: a group's own, or a legacy shared one."""
    return DLQ_TOPIC in topic or topic.endswith(DLQ_SUFFIX)


def group_topics(settings: CommonSettings, groups: Iterable[str]) -> list[str]:
    """The dead-letter and redrive topics of each of ``groups``."""
    return [t for group in groups for t in (dlq_topic(settings, group), redrive_topic(settings, group))]


def connection(settings: CommonSettings) -> dict[str, Any]:
    """What every Kafka client of this process needs to reach the brokers: their address and, with
    ``MENTORNET_KAFKA_SECURITY_PROTOCOL=SSL``, mutual TLS (each service its own certificate, so the
    broker's ACLs see it as itself: docs/streams.md)."""
    found: dict[str, Any] = {"bootstrap_servers": settings.kafka_bootstrap_servers}
    if settings.kafka_security_protocol == "SSL":
        found["security_protocol"] = "SSL"
        found["ssl_context"] = create_ssl_context(
            cafile=str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None,
            certfile=str(settings.kafka_ssl_certfile) if settings.kafka_ssl_certfile else None,
            keyfile=str(settings.kafka_ssl_keyfile) if settings.kafka_ssl_keyfile else None,
        )
    return found


def make_producer(settings: CommonSettings) -> AIOKafkaProducer:
    """A producer that waits for the leader and all in-sync replicas.

    Idempotence and transactions stay off: the embedded broker lacks them, and the consumers' inbox makes
    redelivery harmless. Production Kafka may still turn idempotence on by broker configuration.
    """
    return AIOKafkaProducer(
        **connection(settings),
        client_id=f"mentornet-{settings.service_name}",
        acks="all",
        enable_idempotence=False,
        request_timeout_ms=15_000,
        linger_ms=settings.producer_linger_ms,
    )


def make_consumer(settings: CommonSettings, group_id: str, topics: Iterable[str]) -> AIOKafkaConsumer:
    """A group consumer that commits offsets only when told to."""
    return AIOKafkaConsumer(
        *topics,
        **connection(settings),
        client_id=f"mentornet-{settings.service_name}",
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=settings.consumer_fetch_max_wait_ms,
        session_timeout_ms=settings.consumer_session_timeout_ms,
        heartbeat_interval_ms=max(500, settings.consumer_session_timeout_ms // 3),
        max_poll_records=100,
    )


async def ensure_topics(
    settings: CommonSettings,
    partitions: int = 3,
    replication: int = 1,
    groups: Iterable[str] = CONSUMER_GROUPS,
    events: bool = True,
) -> list[str]:
    """Create every mentornet topic (``events``) and the dead-letter and redrive topics of each of
    ``groups`` when missing; return the ones created.

    Partitions and configs are set at creation: the embedded broker cannot change them afterwards.
    """
    names = [settings.topic(t) for t in TOPICS] if events else []
    names += group_topics(settings, groups)
    admin = AIOKafkaAdminClient(**connection(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in names if n not in existing]
        if not missing:
            return []
        response = await admin.create_topics([NewTopic(n, partitions, replication) for n in missing])
        created = []
        for topic, code, message in response.topic_errors:
            if code == 0:
                created.append(topic)
            elif code != TOPIC_EXISTS:
                log.warning("could not create topic %s: %s", topic, message, extra={"topic": topic})
        return created
    finally:
        await admin.close()


async def read_from(
    consumer: AIOKafkaConsumer,
    starts: dict[TopicPartition, int],
    quiet_ms: int = 300,
    deadline_s: float = 60.0,
) -> dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]:
    """Every record of ``starts``' partitions from the given offsets to their end, with an unsubscribed
    consumer (its own ``assign``).

    The end is where a fetch comes back empty *and* every partition is at or past its end offset — never
    the end offset alone: the embedded broker (Tansu 0.6) reports, after a produce request carrying several
    records, an end offset one past the first of them rather than past the last, so a reader that stops at
    it misses the rest of that batch although the broker stored and acknowledged it (docs/architecture.md).
    """
    found: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]] = {tp: [] for tp in starts}
    if not starts:
        return found
    partitions = list(starts)
    ends = await consumer.end_offsets(partitions)
    consumer.assign(partitions)
    for tp, offset in starts.items():
        consumer.seek(tp, offset)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_s
    while loop.time() < deadline:
        batch = await consumer.getmany(*partitions, timeout_ms=quiet_ms)
        for tp, records in batch.items():
            found[tp] += records
        if not batch:
            positions = {tp: await consumer.position(tp) for tp in partitions}
            if all(positions[tp] >= ends[tp] for tp in partitions):
                break
    return found
