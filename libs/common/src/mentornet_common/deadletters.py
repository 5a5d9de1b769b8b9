"""Dead letters: list what a consumer gave up on, put it back on its original topic, or drop it.

A replayed record keeps its CloudEvents id, so handlers that already succeeded skip it (inbox) and only
the one that failed runs again; it is addressed to the consumer group that gave up on it
(``mentornet_redrive_for``), so no other group sees it twice. Each group's redrive policy replays by
itself what can heal (:mod:`mentornet_common.redrive`); an operator can still replay or drop by hand.

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

from mentornet_common.kafka import DLQ_SUFFIX, connection, make_producer, read_from
from mentornet_common.settings import CommonSettings

REPLAYED_FROM = "dlq_replayed_from"
# On a replayed record: the consumer group it is for (every other group ignores it), and how many times
# the redrive policy has replayed it.
FOR_GROUP = "mentornet_redrive_for"
REDRIVES = "mentornet_redrives"
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
    def original_topic(self) -> str:
        """Where a replay goes: the dead-letter topic's own name without ``.dlq``. The record's
        ``dlq_original_topic`` header only informs: whoever can write to a dead-letter topic would otherwise
        choose where an operator's replay publishes (any topic, any consumer's input)."""
        return self.topic.removesuffix(DLQ_SUFFIX)

    @property
    def ref(self) -> str:
        """How an operator names it: ``<dlq topic>:<partition>:<offset>``."""
        return f"{self.topic}:{self.partition}:{self.offset}"

    @property
    def settles(self) -> str | None:
        """The letter this record settles, when it is a marker rather than a letter."""
        return self.header(SETTLES)


async def dead_letter_topics(settings: CommonSettings) -> list[str]:
    """Every dead-letter topic of this deployment (its topic prefix)."""
    admin = AIOKafkaAdminClient(**connection(settings))
    await admin.start()
    try:
        topics = await admin.list_topics()
    finally:
        await admin.close()
    return sorted(t for t in topics if t.startswith(settings.topic_prefix) and t.endswith(DLQ_SUFFIX))


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


async def replay(settings: CommonSettings, letters: Iterable[DeadLetter], decision: str = "replayed") -> int:
    """Publish each letter again on its original topic, for the group that gave up on it, with its key,
    value and CloudEvents headers; then mark it settled on its dead-letter topic."""
    producer = make_producer(settings)
    await producer.start()
    count = 0
    try:
        for letter in letters:
            dropped = ("dlq_", FOR_GROUP, REDRIVES)
            headers = [(k, v) for k, v in letter.headers if not k.startswith(dropped)]
            headers.append((REPLAYED_FROM, letter.ref.encode()))
            redrives = int(letter.header(REDRIVES) or 0) + (decision == "redriven")
            if redrives:
                headers.append((REDRIVES, str(redrives).encode()))
            if group := letter.header("dlq_consumer_group"):
                headers.append((FOR_GROUP, group.encode()))
            await producer.send_and_wait(letter.original_topic, letter.value, key=letter.key, headers=headers)
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
        ("dlq_consumer_group", (letter.header("dlq_consumer_group") or "").encode()),
    ]
    await producer.send_and_wait(
        letter.topic, None, key=letter.key, headers=headers, partition=letter.partition
    )
