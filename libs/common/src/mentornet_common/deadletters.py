"""Dead letters: list what a consumer gave up on, replay it for the group that parked it, or drop it.

Each consumer group parks in a dead-letter topic of its own, ``<prefix>mentornet.dlq.<group>``, and its
replays go to a redrive topic of its own, ``<prefix>mentornet.redrive.<group>``, which only that group reads
(ADR 0015): no other service may write either, so nothing another principal wrote is ever replayed into a
group's handlers. A replayed record keeps its CloudEvents id, so handlers that already succeeded skip it
(inbox) and only the one that failed runs again; the group's consumer handles it as a record of the topic
the group itself recorded when parking it (``mentornet_original_topic``). Each group's redrive policy
replays by itself what can heal (:mod:`mentornet_common.redrive`); an operator can still replay or drop by
hand. Letters parked on the shared ``<topic>.dlq`` topics before the upgrade are still listed, replayed and
dropped (``mentornet dlq`` in direct mode, with the operator's credentials: docs/operations.md).

Every decision — replayed, dropped, redriven — is appended to the dead-letter topic itself as a marker
record (no value; ``dlq_settles`` names the letter), so the topic stays the one log of what failed and what
was done about it, and a settled letter is no longer listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from mentornet_common.kafka import DLQ_SUFFIX, DLQ_TOPIC, connection, make_producer, read_from, redrive_topic
from mentornet_common.settings import CommonSettings

REPLAYED_FROM = "dlq_replayed_from"
# On a replayed record: the consumer group it is for (every other group ignores it), and how many times
# the redrive policy has replayed it.
FOR_GROUP = "mentornet_redrive_for"
REDRIVES = "mentornet_redrives"
# On a replayed record: the topic the group read it from before parking it.
ORIGINAL_TOPIC = "mentornet_original_topic"
# On a marker record of a dead-letter topic: the letter it settles, and how.
SETTLES = "dlq_settles"
DECISION = "dlq_decision"


@dataclass(frozen=True)
class DeadLetter:
    """One parked record, with where it came from and why it failed."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode("utf-8", "replace")
        return None

    @property
    def legacy(self) -> bool:
        """Parked on a shared ``<topic>.dlq`` before ADR 0015 (which every group consuming the topic could
        write)."""
        return DLQ_TOPIC not in self.topic and self.topic.endswith(DLQ_SUFFIX)

    @property
    def group(self) -> str | None:
        """The consumer group that parked it: the one whose dead-letter topic it is on. On a shared legacy
        topic only the ``dlq_consumer_group`` header says so, which any writer of that topic could set."""
        if self.legacy:
            return self.header("dlq_consumer_group")
        _, found, group = self.topic.rpartition(DLQ_TOPIC)
        return group if found and group else None

    @property
    def original_topic(self) -> str:
        """The topic the group read it from: on a legacy topic its name without ``.dlq``; on a group's own
        dead-letter topic what the group recorded when parking it (``dlq_original_topic``: no other service
        may write that topic). Only informs a replay: it always goes to the group's redrive topic, and the
        group handles it only if it names a topic the group reads."""
        if self.legacy:
            return self.topic.removesuffix(DLQ_SUFFIX)
        return self.header("dlq_original_topic") or ""

    @property
    def ref(self) -> str:
        """How an operator names it: ``<dlq topic>:<partition>:<offset>``."""
        return f"{self.topic}:{self.partition}:{self.offset}"

    @property
    def settles(self) -> str | None:
        """The letter this record settles, when it is a marker rather than a letter."""
        return self.header(SETTLES)


async def dead_letter_topics(settings: CommonSettings) -> list[str]:
    """Every dead-letter topic of this deployment (its topic prefix): each group's, and the shared legacy
    ``<topic>.dlq`` ones left from before the upgrade."""
    admin = AIOKafkaAdminClient(**connection(settings))
    await admin.start()
    try:
        topics = await admin.list_topics()
    finally:
        await admin.close()
    own = settings.topic(DLQ_TOPIC)
    return sorted(
        t
        for t in topics
        if t.startswith(own) or (t.startswith(settings.topic_prefix) and t.endswith(DLQ_SUFFIX))
    )


async def list_dead_letters(
    settings: CommonSettings, topics: Iterable[str] | None = None
) -> list[DeadLetter]:
    """Every dead letter not yet settled (replayed, dropped or redriven), oldest first per partition."""
    records = await read_dead_letter_topics(settings, topics)
    settled = {record.settles for record in records if record.settles}
    return [record for record in records if not record.settles and record.ref not in settled]


async def read_dead_letter_topics(
    settings: CommonSettings, topics: Iterable[str] | None = None
) -> list[DeadLetter]:
    """Every record on the dead-letter topics, markers included, oldest first per partition."""
    names = list(topics) if topics is not None else await dead_letter_topics(settings)
    if not names:
        return []
    consumer = AIOKafkaConsumer(**connection(settings), enable_auto_commit=False, fetch_max_wait_ms=50)
    await consumer.start()
    try:
        await consumer.topics()  # fetches the cluster's metadata
        partitions = [
            TopicPartition(topic, p)
            for topic in names
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        found = await read_from(consumer, {tp: 0 for tp in partitions})
    finally:
        await consumer.stop()
    return [letter_of(record) for tp in partitions for record in found[tp]]


def letter_of(record: ConsumerRecord[bytes, bytes]) -> DeadLetter:
    return DeadLetter(
        record.topic, record.partition, record.offset, record.key, record.value, tuple(record.headers or ())
    )


def find(letters: list[DeadLetter], ref: str) -> DeadLetter | None:
    """The dead letter an operator named by ``<topic>:<partition>:<offset>``."""
    return next((letter for letter in letters if letter.ref == ref), None)


class NotReplayable(ValueError):
    """A letter that names no consumer group (a legacy letter without ``dlq_consumer_group``)."""


async def replay(settings: CommonSettings, letters: Iterable[DeadLetter], decision: str = "replayed") -> int:
    """Publish each letter on the redrive topic of the group that parked it, with its key, value and
    CloudEvents headers, addressed to that group and naming the topic it came from; then mark it settled on
    its dead-letter topic. Raises :class:`NotReplayable` (before publishing anything) for a letter that
    names no group."""
    chosen = list(letters)
    if lost := [letter.ref for letter in chosen if not letter.group]:
        raise NotReplayable(f"no consumer group named by {', '.join(lost)}: drop it instead")
    producer = make_producer(settings)
    await producer.start()
    count = 0
    try:
        for letter in chosen:
            group = str(letter.group)
            dropped = ("dlq_", FOR_GROUP, REDRIVES, ORIGINAL_TOPIC)
            headers = [(k, v) for k, v in letter.headers if not k.startswith(dropped)]
            headers.append((REPLAYED_FROM, letter.ref.encode()))
            redrives = int(letter.header(REDRIVES) or 0) + (decision == "redriven")
            if redrives:
                headers.append((REDRIVES, str(redrives).encode()))
            headers.append((FOR_GROUP, group.encode()))
            headers.append((ORIGINAL_TOPIC, letter.original_topic.encode()))
            target = redrive_topic(settings, group)
            await producer.send_and_wait(target, letter.value, key=letter.key, headers=headers)
            await _settle(producer, letter, decision)
            count += 1
    finally:
        await producer.stop()
    return count


async def drop(settings: CommonSettings, letters: Iterable[DeadLetter]) -> int:
    """Settle letters without replaying them: they stay on the topic, but are no longer listed or redriven."""
    producer = make_producer(settings)
    await producer.start()
    count = 0
    try:
        for letter in letters:
            await _settle(producer, letter, "dropped")
            count += 1
    finally:
        await producer.stop()
    return count


async def _settle(producer: AIOKafkaProducer, letter: DeadLetter, decision: str) -> None:
    headers = [
        (SETTLES, letter.ref.encode()),
        (DECISION, decision.encode()),
        ("dlq_decided_at", datetime.now(UTC).isoformat().encode()),
        ("dlq_consumer_group", (letter.group or "").encode()),
    ]
    await producer.send_and_wait(
        letter.topic, None, key=letter.key, headers=headers, partition=letter.partition
    )
