"""The embedded broker's end offsets: short after a batch of several records, so readers never stop at them.

Tansu 0.6 stores and acknowledges every record of a produce request, but reports the partition's end offset
as one past the first record of the last such request rather than past its last. Records were never lost:
readers that stopped at the end offset (listing dead letters, the redrive, the tests' own readers) missed
the tail of a batch. They now read until a fetch comes back empty (mentornet_common.kafka.read_from).
"""

from __future__ import annotations

from mentornet_common.deadletters import list_dead_letters
from mentornet_common.kafka import dlq_topic, ensure_topics, make_producer
from mentornet_common.settings import CommonSettings
from mentornet_devkit.broker import Broker
from mentornet_devkit.pytest_plugin import isolated_settings


async def test_dead_letters_written_in_one_batch_are_all_listed(broker: Broker, topic_prefix: str) -> None:
    """The fault found: a dead-letter write the worker had logged as done was missing from `dlq list`."""
    settings = isolated_settings(
        CommonSettings, {}, topic_prefix=topic_prefix, kafka_bootstrap_servers=broker.bootstrap_servers
    )
    await ensure_topics(settings, partitions=1)
    dlq = dlq_topic(settings, "matching")
    producer = make_producer(settings)
    await producer.start()
    try:
        for round_ in range(3):  # several produce requests, each carrying several records
            sent = [
                await producer.send(
                    dlq, f"letter {round_}.{n}".encode(), headers=[("dlq_consumer_group", b"g")]
                )
                for n in range(6)
            ]
            acknowledged = [await future for future in sent]
    finally:
        await producer.stop()
    assert acknowledged[-1].offset == 17
    listed = await list_dead_letters(settings, [dlq])
    assert [letter.value for letter in listed] == [
        f"letter {r}.{n}".encode() for r in range(3) for n in range(6)
    ]
