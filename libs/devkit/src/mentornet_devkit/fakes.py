"""The broker's side of a runtime, in memory: for unit tests only.

A unit test drives use cases, handlers and the consumer's batches on real stores (SQLite files in a temporary
folder) through the real unit of work, outbox and inbox; only what would travel to the broker stays in this
process instead. :func:`use_in_memory_relay` puts an :class:`InMemoryRelay` in a runtime's place of its
outbox relay: what the runtime publishes (the outbox rows a commit hands over) and what a consumer built on it
dead-letters land in its :class:`InMemoryProducer`. Nothing here stands in for the broker's own behaviour
(groups, partitions, offsets, redelivery): tests of those stay on the real broker.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import cast

from aiokafka import AIOKafkaProducer

from mentornet_common.envelope import Envelope, Headers
from mentornet_common.kafka import is_dead_letter_topic
from mentornet_common.outbox import OutboxRelay
from mentornet_common.runtime import Runtime
from mentornet_common.settings import CommonSettings
from mentornet_common.tenancy import TenantStores


@dataclass
class Sent:
    """One record a producer was handed (shaped as a consumed record: it can be handed to a consumer)."""

    topic: str
    value: bytes | None
    key: bytes | None
    headers: Headers
    offset: int
    partition: int = 0

    def header(self, name: str) -> str | None:
        """A header's value, decoded (None when absent)."""
        for key, value in self.headers:
            if key == name:
                return value.decode()
        return None


class InMemoryProducer:
    """What an AIOKafkaProducer is asked for here (``send``, ``send_and_wait``), kept in ``sent`` in order;
    every record is acknowledged at once."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(
        self, topic: str, value: bytes | None = None, key: bytes | None = None, headers: Headers | None = None
    ) -> asyncio.Future[None]:
        self.sent.append(Sent(topic, value, key, list(headers or ()), offset=len(self.to(topic))))
        acknowledged: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        acknowledged.set_result(None)
        return acknowledged

    async def send_and_wait(
        self, topic: str, value: bytes | None = None, key: bytes | None = None, headers: Headers | None = None
    ) -> None:
        await (await self.send(topic, value, key, headers))

    def to(self, topic: str) -> list[Sent]:
        """The records sent to one topic, in order."""
        return [record for record in self.sent if record.topic == topic]


class InMemoryRelay(OutboxRelay):
    """The outbox relay, publishing to an :class:`InMemoryProducer` as soon as a commit wakes it.

    It runs no task of its own: a commit's rows are published (and marked sent in their store) by
    :meth:`publish_woken`, which a test awaits when it wants them out, as the real relay does right after
    the commit; ``publish_pending`` and ``sweep`` work as the real ones do."""

    def __init__(self, settings: CommonSettings, stores: TenantStores) -> None:
        super().__init__(settings, stores, sweep=False)
        self.memory = InMemoryProducer()

    async def producer(self) -> AIOKafkaProducer:
        return cast(AIOKafkaProducer, self.memory)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish_woken(self) -> int:
        """Publish the rows the commits since the last call handed over; how many."""
        woken, self._woken = self._woken, {}
        for tenant_id, rows in woken.items():
            await self._publish_woken(tenant_id, rows)
        await self.mark_published()  # at once: there is no relay loop here to linger
        return sum(len(rows) for rows in woken.values())

    def published(self, topic: str | None = None) -> list[Envelope]:
        """The events published so far (to ``topic`` alone, if given), oldest first; not dead letters."""
        return [
            Envelope.from_record(record)
            for record in self.memory.sent
            if (topic is None or record.topic == topic) and not is_dead_letter_topic(record.topic)
        ]


async def use_in_memory_relay(runtime: Runtime) -> InMemoryRelay:
    """Put an :class:`InMemoryRelay` in place of ``runtime``'s outbox relay (stopping that one first: it must
    not have reached a broker). Build consumers on the runtime after this: a consumer takes its producer for
    dead letters from the relay it finds."""
    await runtime.relay.stop()
    relay = InMemoryRelay(runtime.settings, runtime.stores)
    runtime.relay = relay
    return relay
