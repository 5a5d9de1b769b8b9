"""The consumer loop: inbox, bounded retries, dead letters, offsets committed after the effect.

Handlers are registered in a plain dict, ``{AskCreated: [propose_mentors_when_ask_created]}``. Each
handler runs in its own transaction with its own inbox row, in the store of the event's tenant unless the
handler says otherwise with :func:`in_store`. A handler that keeps failing sends the record to
``<topic>.dlq`` and the partition moves on; nothing a handler raises stops the worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from opentelemetry import trace

from mentornet_common.contracts import Event
from mentornet_common.envelope import Envelope, MalformedEvent
from mentornet_common.inbox import already_handled, record_handled
from mentornet_common.kafka import dlq_topic, make_consumer
from mentornet_common.telemetry import (
    CONSUMER_LAG,
    DEAD_LETTERS,
    EVENTS_CONSUMED,
    context_from_traceparent,
    current_tenant,
    tracer,
)
from mentornet_common.tenancy import CONSORTIUM
from mentornet_common.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from mentornet_common.runtime import Runtime

log = logging.getLogger(__name__)
_tracer = tracer(__name__)

E = TypeVar("E", bound=Event)


@dataclass(frozen=True)
class Received(Generic[E]):
    """What a handler receives: the envelope's attributes and the validated payload."""

    envelope: Envelope
    payload: E


Handler = Callable[[UnitOfWork, Received[Any]], Awaitable[None]]
StoreOf = Callable[[Received[Any]], str]
Handlers = Mapping[type[Event], Iterable[Handler]]


ORG_FIELDS = ("org_id", "mentee_org_id", "mentor_org_id")


def parties(received: Received[Any]) -> set[str]:
    """The orgs an event's payload says take part in it."""
    return {str(org) for field in ORG_FIELDS if (org := getattr(received.payload, field, None))}


def may_write(received: Received[Any], tenant_id: str) -> bool:
    """Whether an event may change ``tenant_id``'s store: its own tenant's and the consortium's always;
    another org's only when the event's tenant and that org both take part in it. An event claiming orgs
    its publisher has nothing to do with changes nothing of theirs."""
    own = received.envelope.tenant_id
    if tenant_id in (own, CONSORTIUM):
        return True
    involved = parties(received)
    return own in involved and tenant_id in involved


class ForeignStore(Exception):
    """A handler chose a store the event may not change (a forged or mistaken tenant)."""


def in_store(store_of: StoreOf) -> Callable[[Handler], Handler]:
    """Run a handler in another store than the event's tenant (e.g. the mentor's org, or the consortium)."""

    def mark(handler: Handler) -> Handler:
        handler.store_of = store_of  # type: ignore[attr-defined]
        return handler

    return mark


class Consumer:
    """One consumer group of a service's worker."""

    def __init__(
        self,
        runtime: Runtime,
        group_id: str,
        handlers: Handlers,
    ) -> None:
        self._runtime = runtime
        self._settings = runtime.settings
        self.group_id = group_id
        self._handlers = {cls.ce_type(): list(hs) for cls, hs in handlers.items()}
        self._topics = sorted({self._settings.topic(cls.topic) for cls in handlers})
        self._producer = runtime.relay.producer
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self.processed = 0

    async def start(self) -> None:
        """Consume in the background until stopped."""
        self._task = asyncio.create_task(self._supervise(), name=f"consumer-{self.group_id}")

    async def stop(self) -> None:
        """Leave the group cleanly."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _supervise(self) -> None:
        backoff = 0.5
        while True:
            consumer = make_consumer(self._settings, self.group_id, self._topics)
            try:
                await consumer.start()
                self._consumer = consumer
                backoff = 0.5
                await self._poll(consumer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "consumer %s restarts in %.1fs: %s",
                    self.group_id,
                    backoff,
                    exc,
                    extra={"group": self.group_id, "error": str(exc)},
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 15.0)
            finally:
                self._consumer = None
                await consumer.stop()

    async def _poll(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batch = await consumer.getmany(timeout_ms=1000)
            for partition, records in batch.items():
                for record in records:
                    await self.process(record)
                try:
                    await consumer.commit({partition: records[-1].offset + 1})
                except CommitFailedError as exc:
                    # The partition moved to another member mid-batch; it resumes from the last commit and
                    # the inbox skips what was already done.
                    log.warning("commit failed after a rebalance: %s", exc, extra={"group": self.group_id})
                self._record_lag(consumer, partition, records[-1].offset)

    def _record_lag(self, consumer: AIOKafkaConsumer, partition: TopicPartition, last_offset: int) -> None:
        highwater = consumer.highwater(partition)
        if highwater is not None:
            CONSUMER_LAG.labels(self.group_id, partition.topic, str(partition.partition)).set(
                max(0, highwater - last_offset - 1)
            )

    async def process(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Handle one record: every handler once, or dead-letter it. Never raises but for cancellation."""
        try:
            envelope = Envelope.from_record(record)
            handlers = self._handlers.get(envelope.type)
            if not handlers:
                EVENTS_CONSUMED.labels(self.group_id, envelope.type, "ignored").inc()
                return
            received = Received(envelope, envelope.payload())
        except MalformedEvent as exc:
            await self._dead_letter(record, "-", exc, attempts=1)
            return
        with _tracer.start_as_current_span(
            f"process {envelope.type}",
            context=context_from_traceparent(envelope.traceparent),
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.consumer.group.name": self.group_id,
                "messaging.message.id": envelope.id,
                "mentornet.tenant": envelope.tenant_id,
            },
        ):
            for handler in handlers:
                await self._run_handler(record, received, handler)
        self.processed += 1

    async def _run_handler(
        self, record: ConsumerRecord[bytes, bytes], received: Received[Any], handler: Handler
    ) -> None:
        envelope = received.envelope
        consumer_name = f"{self.group_id}.{handler.__name__}"
        store_of: StoreOf | None = getattr(handler, "store_of", None)
        attempts = 0
        max_attempts = self._settings.consumer_max_attempts
        while True:
            attempts += 1
            try:
                tenant_id = store_of(received) if store_of else envelope.tenant_id
                if not may_write(received, tenant_id):
                    whose = f"{envelope.type} of tenant {envelope.tenant_id}"
                    error = ForeignStore(f"{whose} may not change the store of {tenant_id}")
                    await self._dead_letter(record, handler.__name__, error, attempts)
                    return
                async with self._runtime.unit_of_work(tenant_id) as uow:
                    if await already_handled(uow.session, consumer_name, envelope.source, envelope.id):
                        EVENTS_CONSUMED.labels(self.group_id, envelope.type, "duplicate").inc()
                        return
                    await handler(uow, received)
                    record_handled(uow.session, consumer_name, envelope.source, envelope.id)
                    await uow.commit()
                EVENTS_CONSUMED.labels(self.group_id, envelope.type, "processed").inc()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "%s failed on %s (attempt %d of %d): %s",
                    consumer_name,
                    envelope.id,
                    attempts,
                    max_attempts,
                    exc,
                    extra={"event_id": envelope.id, "event_type": envelope.type, "group": self.group_id},
                )
                if attempts >= max_attempts:
                    await self._dead_letter(record, handler.__name__, exc, attempts)
                    return
                await asyncio.sleep(self._settings.consumer_retry_backoff_ms / 1000 * 2 ** (attempts - 1))

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], handler: str, exc: BaseException, attempts: int
    ) -> None:
        """Park a record on the dead-letter topic; retry until the broker takes it so it is never lost."""
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
        headers = [(k, v) for k, v in (record.headers or ()) if not k.startswith("dlq_")]
        headers += [
            ("dlq_error", error.encode()),
            ("dlq_consumer_group", self.group_id.encode()),
            ("dlq_handler", handler.encode()),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
            ("dlq_attempts", str(attempts).encode()),
            ("dlq_failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        backoff = 0.2
        while True:
            try:
                producer = await self._producer()
                await producer.send_and_wait(
                    dlq_topic(record.topic), record.value, key=record.key, headers=headers
                )
                break
            except (KafkaError, OSError) as send_error:
                log.warning(
                    "dead-letter publish failed, retrying: %s", send_error, extra={"group": self.group_id}
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
        DEAD_LETTERS.labels(self.group_id, record.topic).inc()
        EVENTS_CONSUMED.labels(self.group_id, _header(record, "ce_type") or "-", "dead_lettered").inc()
        log.error(
            "dead-lettered %s/%d@%d after %d attempt(s): %s",
            record.topic,
            record.partition,
            record.offset,
            attempts,
            error,
            extra={"group": self.group_id, "topic": record.topic, "tenant": current_tenant.get()},
        )


def _header(record: ConsumerRecord[bytes, bytes], name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name:
            return value.decode("utf-8", "replace")
    return None
