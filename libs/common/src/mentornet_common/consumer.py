"""The consumer loop: inbox, partitions handled side by side, retries, dead letters, offsets committed
after the effect.

Handlers are registered in a plain dict, ``{AskCreated: [propose_mentors_when_ask_created]}``. A handler
runs in the store of the event's tenant unless it says otherwise with :func:`in_store`, and records an
inbox row (one per handler and event) in the same transaction as its effect.

The records of one partition fetched together are handled per store: every handler of every record that
writes the same store runs in one transaction (in the records' order), with one inbox read and the inbox
rows inserted together, and the stores take their turns in the order the batch first names them. Only the
order of a partition's records within each store is kept — the only order events of one key can rely on,
since a key's events all write the same stores. If such a transaction fails for the event or the code (not
the infrastructure), it is rolled back and its handlers run again one at a time, each in a transaction of
its own, so one bad event costs the others nothing.

Each partition's records are handled in order by a task of their own, with the partition paused at the
broker meanwhile, so one partition waiting holds up no other. How a failure is retried depends on what
failed (:mod:`mentornet_common.faults`):

- the infrastructure (a store unreachable, locked or restarting, the broker): the partition waits and tries
  again with capped, jittered backoff for as long as it lasts — never dead-lettered; the consumer reports
  itself blocked, and why, in ``mentornet_consumer_blocked`` and the worker's ``/readyz``;
- a store not provisioned yet (its ``org-registered`` may still be on its way): the same, for at most
  ``consumer_unknown_tenant_wait_s``, then dead-lettered;
- the event or the handler (validation, a bug): ``consumer_max_attempts`` tries, then the record goes to
  the group's own dead-letter topic ``<prefix>mentornet.dlq.<group>`` and the partition moves on.

The group also reads its own redrive topic ``<prefix>mentornet.redrive.<group>``, where its dead letters
are replayed (ADR 0015): such a record is handled exactly as a record of the topic the group parked it
from; one addressed to another group, or naming a topic this group does not read, is ignored and counted
(``mentornet_events_consumed_total{outcome="misaddressed"}``).

A group that erases people marks its ``user-erased`` handler with what it erases in one store
(:func:`~mentornet_common.erasure.erases`); after a
transaction's handlers ran, anyone its events name who was erased in that store is erased again, in the
same transaction, so an event that arrives after the erasure leaves nothing of them
(:mod:`mentornet_common.erasure`).

Nothing a handler raises stops the worker. ``org-registered`` from identity provisions the org's store in
this service before any handler runs: it is the only event that creates a store.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
import traceback
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from opentelemetry import trace

from mentornet_common.contracts import TOPIC_IDENTITY, Event, OrgOffboarded, OrgRegistered, UserErased
from mentornet_common.deadletters import FOR_GROUP, ORIGINAL_TOPIC
from mentornet_common.envelope import Envelope, MalformedEvent
from mentornet_common.erasure import erase_in, erase_of, erased_among, people, take_turns
from mentornet_common.faults import Backoff, transient
from mentornet_common.inbox import claim
from mentornet_common.kafka import dlq_topic, ensure_topics, make_consumer, redrive_topic
from mentornet_common.telemetry import (
    CONSUMER_BLOCKED,
    CONSUMER_LAG,
    CONSUMER_RETRIES,
    DEAD_LETTERS,
    EVENT_BATCH_SECONDS,
    EVENT_WAIT_SECONDS,
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


Partition = tuple[str, int]
# How long a worker that loses partitions or stops waits to commit what it handled of them.
COMMIT_ON_LEAVING_S = 5.0
# At most this many handler runs share one transaction (a store's write lock is held while they run).
GROUP_LIMIT = 200


@dataclass(frozen=True)
class _Work:
    """One handler to run for one record, in one store."""

    record: ConsumerRecord[bytes, bytes]
    received: Received[Any]
    handler: Handler
    tenant_id: str

    def inbox_key(self, group_id: str) -> tuple[str, str, str]:
        envelope = self.received.envelope
        return (f"{group_id}.{self.handler.__name__}", envelope.source, envelope.id)


class Consumer:
    """One consumer group of a service's worker."""

    def __init__(
        self,
        runtime: Runtime,
        group_id: str,
        handlers: Handlers,
    ) -> None:
        self._erase = erase_of(handlers.get(UserErased, ()))
        if UserErased in handlers and self._erase is None:
            raise ValueError(f"{group_id}'s user-erased handler must say what it erases (erasure.erases)")
        self._runtime = runtime
        self._settings = runtime.settings
        self.group_id = group_id
        self._handlers = {cls.ce_type(): list(hs) for cls, hs in handlers.items()}
        # Every group reads identity's topic: its org-registered provisions this service's stores.
        self._topics = sorted(
            {self._settings.topic(cls.topic) for cls in handlers} | {self._settings.topic(TOPIC_IDENTITY)}
        )
        self.dlq_topic = dlq_topic(self._settings, group_id)
        self.redrive_topic = redrive_topic(self._settings, group_id)
        self._producer = runtime.relay.producer
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._partitions: dict[TopicPartition, asyncio.Task[None]] = {}
        self._commit_lock = asyncio.Lock()
        self.blocked: dict[Partition, str] = {}
        self.processed = 0
        # The next offset this process committed, per partition: what the lag is counted from.
        self._committed: dict[TopicPartition, int] = {}
        # Handled but not yet committed (committed together every consumer_commit_interval_ms).
        self._handled: dict[TopicPartition, int] = {}
        self._handled_more = asyncio.Event()

    async def start(self) -> None:
        """Consume in the background until stopped."""
        for topic in self._topics:
            # Exported at 0 from the start, so that an alert on its increase sees the very first dead letter.
            DEAD_LETTERS.labels(self.group_id, topic)
        self._task = asyncio.create_task(self._supervise(), name=f"consumer-{self.group_id}")

    async def stop(self) -> None:
        """Leave the group cleanly."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @property
    def topics(self) -> list[str]:
        """The event topics this group reads (besides its own redrive topic)."""
        return list(self._topics)

    def why_blocked(self) -> dict[str, str]:
        """The partitions waiting for the infrastructure, and on what (``store``, ``broker``…)."""
        return {f"{topic}/{partition}": reason for (topic, partition), reason in sorted(self.blocked.items())}

    async def _supervise(self) -> None:
        backoff = 0.5
        while True:
            consumer = make_consumer(self._settings, self.group_id, ())
            consumer.subscribe([*self._topics, self.redrive_topic], listener=_Revoked(self))
            try:
                if self._settings.kafka_create_topics:
                    # the group's own dead-letter and redrive topics (a group ensure_topics did not name)
                    await ensure_topics(self._settings, partitions=1, groups=[self.group_id], events=False)
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
                try:
                    await self._drop(list({*self._partitions, *self._committed, *self._handled}))
                finally:  # also when stopped while it waits for its last commit
                    self._consumer = None
                    await consumer.stop()

    async def _poll(self, consumer: AIOKafkaConsumer) -> None:
        fetch: asyncio.Task[dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]] | None = None
        lag = asyncio.create_task(self._refresh_lag(consumer), name=f"consumer-{self.group_id}-lag")
        committer = asyncio.create_task(
            self._commit_handled(consumer), name=f"consumer-{self.group_id}-commit"
        )
        try:
            while True:
                if fetch is None:
                    fetch = asyncio.create_task(consumer.getmany(timeout_ms=1000))
                await asyncio.wait({fetch, *self._partitions.values()}, return_when=asyncio.FIRST_COMPLETED)
                self._reap(consumer)
                if not fetch.done():
                    continue
                batch, fetch = fetch.result(), None
                for partition, records in batch.items():
                    consumer.pause(partition)
                    # A partition is paused while its records are handled, so none should arrive meanwhile;
                    # if some do, they are handled after the ones before them, never beside or instead.
                    self._partitions[partition] = asyncio.create_task(
                        self._handle_partition(consumer, partition, records, self._partitions.get(partition)),
                        name=f"consumer-{self.group_id}-{partition.topic}-{partition.partition}",
                    )
        finally:
            for task in (lag, committer):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if fetch is not None:
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await fetch

    async def _refresh_lag(self, consumer: AIOKafkaConsumer) -> None:
        """Every ``consumer_lag_refresh_s``, the lag of each assigned partition from the broker's end offsets.

        The lag is also set after each batch, from the high watermark its fetch saw; but a partition whose
        records are not being handled (a handler that hangs, a partition paused while it waits for a store)
        fetches nothing, so only this keeps its lag growing for the alert to see."""
        while True:
            await asyncio.sleep(self._settings.consumer_lag_refresh_s)
            assigned = list(consumer.assignment())
            if not assigned:
                continue
            try:
                ends = await consumer.end_offsets(assigned)
                unknown = [tp for tp in assigned if tp not in self._committed]
                starts = await consumer.beginning_offsets(unknown) if unknown else {}
                for tp in unknown:
                    committed = await consumer.committed(tp)
                    self._committed.setdefault(tp, committed if committed is not None else starts[tp])
            except KafkaError as exc:  # the broker away: the next round tries again
                log.debug("lag not refreshed: %s", exc, extra={"group": self.group_id})
                continue
            for tp in assigned:
                CONSUMER_LAG.labels(self.group_id, tp.topic, str(tp.partition)).set(
                    max(0, ends[tp] - self._committed[tp])
                )

    def _reap(self, consumer: AIOKafkaConsumer) -> None:
        """Resume the partitions whose records are all handled (if still ours)."""
        for partition, task in list(self._partitions.items()):
            if not task.done():
                continue
            del self._partitions[partition]
            if not task.cancelled() and (error := task.exception()) is not None:
                raise error  # a broken consumer: the supervisor starts it again
            if partition in consumer.assignment():
                consumer.resume(partition)

    async def _drop(self, partitions: list[TopicPartition]) -> None:
        """Stop handling partitions that are no longer ours (their next owner starts from the last commit;
        the inbox skips what was already done)."""
        tasks = [task for p in partitions if (task := self._partitions.pop(p, None)) is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._consumer is not None:
            # What was handled is committed before the partitions move (or the process stops), unless the
            # broker cannot be reached soon: then the next owner handles it again and the inbox skips it.
            try:
                async with asyncio.timeout(COMMIT_ON_LEAVING_S):
                    await self._commit(self._consumer, partitions)
            except TimeoutError:
                log.warning("handled offsets not committed on leaving", extra={"group": self.group_id})
        for partition in partitions:
            self.blocked.pop((partition.topic, partition.partition), None)
            # Its next owner counts its lag from now on: a figure left here would be counted twice.
            self._committed.pop(partition, None)
            with contextlib.suppress(KeyError):
                CONSUMER_LAG.remove(self.group_id, partition.topic, str(partition.partition))

    async def _handle_partition(
        self,
        consumer: AIOKafkaConsumer,
        partition: TopicPartition,
        records: list[ConsumerRecord[bytes, bytes]],
        after: asyncio.Task[None] | None = None,
    ) -> None:
        if after is not None:
            await after
        started = time.time()
        waits = EVENT_WAIT_SECONDS.labels(self.group_id, partition.topic)
        for record in records:
            if record.timestamp is not None and record.timestamp > 0:
                waits.observe(max(0.0, started - record.timestamp / 1000))
        await self.process_batch(records)
        EVENT_BATCH_SECONDS.labels(self.group_id).observe(time.time() - started)
        self._handled[partition] = records[-1].offset + 1
        if self._settings.consumer_commit_interval_ms:
            self._handled_more.set()
        else:
            await self._commit(consumer, [partition])
        self._record_lag(consumer, partition, records[-1].offset)

    async def _commit_handled(self, consumer: AIOKafkaConsumer) -> None:
        """Commit what was handled, every ``consumer_commit_interval_ms`` while batches are handled: one
        request for every partition's progress instead of one a batch (each costs the broker and this process
        about as much as handling a small event; ``make bench``)."""
        while True:
            await self._handled_more.wait()
            await asyncio.sleep(self._settings.consumer_commit_interval_ms / 1000)
            self._handled_more.clear()
            try:
                await self._commit(consumer, list(self._handled))
            except asyncio.CancelledError:
                raise
            except Exception:  # never the end of commits: the next batch, a revocation or the stop try again
                log.exception("committing handled offsets failed", extra={"group": self.group_id})

    async def _commit(self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> None:
        """Commit the handled offsets of ``partitions`` (those still to commit), after any commit in flight.
        Those that fail stay to commit next time, unless their partition is no longer this member's (its
        next owner handles the records again and the inbox skips them)."""
        async with self._commit_lock:
            assigned = consumer.assignment()
            offsets = {p: self._handled.pop(p) for p in partitions if p in self._handled}
            offsets = {p: offset for p, offset in offsets.items() if p in assigned}
            if not offsets:
                return
            try:
                await consumer.commit(offsets)
                self._committed.update(offsets)
                return
            except CommitFailedError as exc:
                # A partition moved to another member meanwhile; it resumes from the last commit and the
                # inbox skips what was already done.
                log.warning("commit failed after a rebalance: %s", exc, extra={"group": self.group_id})
            except KafkaError as exc:
                log.warning("commit failed: %s", exc, extra={"group": self.group_id})
            still = consumer.assignment()
            for p, offset in offsets.items():
                if p in still:
                    self._handled[p] = max(offset, self._handled.get(p, offset))

    def _record_lag(self, consumer: AIOKafkaConsumer, partition: TopicPartition, last_offset: int) -> None:
        highwater = consumer.highwater(partition)
        if highwater is not None:
            CONSUMER_LAG.labels(self.group_id, partition.topic, str(partition.partition)).set(
                max(0, highwater - last_offset - 1)
            )

    async def process(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Handle one record: every handler once, or dead-letter it. Never raises but for cancellation."""
        await self.process_batch([record])

    async def process_batch(self, records: list[ConsumerRecord[bytes, bytes]]) -> None:
        """Handle one partition's records, in order within each store (see the module's docstring)."""
        by_store: dict[str, list[_Work]] = {}
        handled = 0
        for record in records:
            work = await self._prepare(record)
            if work is None:
                continue
            handled += 1
            for item in work:
                by_store.setdefault(item.tenant_id, []).append(item)
        for tenant_id, items in by_store.items():
            for start in range(0, len(items), GROUP_LIMIT):
                await self._run_group(tenant_id, items[start : start + GROUP_LIMIT])
        self.processed += handled

    async def _prepare(self, record: ConsumerRecord[bytes, bytes]) -> list[_Work] | None:
        """What one record asks of this group: a handler and a store each; None for a record this group has
        nothing to do with. Provisions the store an ``org-registered`` names, and dead-letters a record
        that is malformed or whose handler chose a store the event may not change."""
        addressed = _header(record, FOR_GROUP)
        if record.topic == self.redrive_topic and self._misaddressed(record, addressed):
            EVENTS_CONSUMED.labels(self.group_id, _header(record, "ce_type") or "-", "misaddressed").inc()
            return None
        if addressed is not None and addressed != self.group_id:
            # A dead letter replayed on its original topic (before ADR 0015) for the group that gave up on
            # it: this group has handled it already.
            EVENTS_CONSUMED.labels(self.group_id, _header(record, "ce_type") or "-", "ignored").inc()
            return None
        kind = _header(record, "ce_type")
        if kind is not None and kind not in self._handlers and kind != OrgRegistered.ce_type():
            EVENTS_CONSUMED.labels(self.group_id, kind, "ignored").inc()  # not even parsed
            return None
        try:
            envelope = Envelope.from_record(record)
            handlers = self._handlers.get(envelope.type)
            registers = envelope.type == OrgRegistered.ce_type() and envelope.source == OrgRegistered.source
            if not handlers and not registers:
                EVENTS_CONSUMED.labels(self.group_id, envelope.type, "ignored").inc()
                return None
            received = Received(envelope, envelope.payload())
        except MalformedEvent as exc:
            await self._dead_letter(record, "-", exc, attempts=1, reason="malformed")
            return None
        if registers:
            with self._span(received):
                await self._run_handler(record, received, _provision)
        work = []
        for handler in handlers or ():
            store_of: StoreOf | None = getattr(handler, "store_of", None)
            try:
                tenant_id = store_of(received) if store_of else envelope.tenant_id
            except Exception as exc:  # a payload the handler cannot place: the handler's failure
                work.append(_Work(record, received, handler, f"?{exc}"))
                continue
            if not may_write(received, tenant_id):
                whose = f"{envelope.type} of tenant {envelope.tenant_id}"
                error = ForeignStore(f"{whose} may not change the store of {tenant_id}")
                await self._dead_letter(record, handler.__name__, error, 1, "foreign-store")
                continue
            work.append(_Work(record, received, handler, tenant_id))
        return work

    def _misaddressed(self, record: ConsumerRecord[bytes, bytes], addressed: str | None) -> bool:
        """Whether a record on this group's redrive topic is not a replay of this group's own dead letter:
        addressed to another group, or naming no topic this group reads. Only this group and the operators
        may write the topic, so this is defence in depth: nothing else should ever be there."""
        original = _header(record, ORIGINAL_TOPIC)
        if addressed == self.group_id and original in self._topics:
            return False
        log.warning(
            "ignored a record on %s for group %s from topic %s",
            record.topic,
            addressed,
            original,
            extra={"group": self.group_id, "topic": record.topic, "offset": record.offset},
        )
        return True

    def _origin(self, record: ConsumerRecord[bytes, bytes]) -> str:
        """The topic a record is handled as coming from: its own, or for a replay on this group's redrive
        topic, the topic the group parked it from (checked by :meth:`_misaddressed`)."""
        if record.topic == self.redrive_topic:
            return _header(record, ORIGINAL_TOPIC) or record.topic
        return str(record.topic)

    def _backoff(self) -> Backoff:
        """The waits between tries of one record's handlers (or one batch's)."""
        return Backoff(self._settings.consumer_retry_backoff_ms / 1000, self._settings.consumer_backoff_cap_s)

    def _span(self, received: Received[Any]) -> AbstractContextManager[trace.Span]:
        envelope = received.envelope
        return _tracer.start_as_current_span(
            f"process {envelope.type}",
            context=context_from_traceparent(envelope.traceparent),
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.consumer.group.name": self.group_id,
                "messaging.message.id": envelope.id,
                "mentornet.tenant": envelope.tenant_id,
            },
        )

    async def _run_group(self, tenant_id: str, items: list[_Work]) -> None:
        """Every handler of ``items`` in one transaction of ``tenant_id``'s store; should it fail for the
        event or the code, each again on its own."""
        if len(items) == 1 or tenant_id.startswith("?"):
            for item in items:
                with self._span(item.received):
                    await self._run_handler(item.record, item.received, item.handler)
            return
        first = items[0]
        where: Partition = (first.record.topic, first.record.partition)
        waiting = self._backoff()
        waited_since: float | None = None
        try:
            while True:
                try:
                    await self._in_one_transaction(tenant_id, items)
                    return
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    reason = transient(exc)
                    if reason is None:
                        log.info(
                            "a batch of %d in %s failed (%s); its handlers run one at a time",
                            len(items),
                            tenant_id,
                            exc,
                            extra={"group": self.group_id},
                        )
                        break
                    now = time.monotonic()
                    waited_since = now if waited_since is None else waited_since
                    if reason == "unknown-tenant" and now - waited_since >= (
                        self._settings.consumer_unknown_tenant_wait_s
                    ):
                        letters = {id(item.record): item for item in items}  # each record once
                        for item in letters.values():
                            await self._dead_letter(
                                item.record, item.handler.__name__, exc, 1, "unknown-tenant"
                            )
                        return
                    name = f"{self.group_id}.{first.handler.__name__}"
                    await self._wait_out(where, reason, exc, waiting, name, first.received.envelope)
        finally:
            if self.blocked.pop(where, None) is not None:
                CONSUMER_BLOCKED.labels(self.group_id, where[0], str(where[1])).set(0)
        for item in items:
            with self._span(item.received):
                await self._run_handler(item.record, item.received, item.handler)

    async def _in_one_transaction(self, tenant_id: str, items: list[_Work]) -> None:
        async with self._runtime.unit_of_work(tenant_id) as uow:
            keys = [item.inbox_key(self.group_id) for item in items]
            named = self._named([item.received for item in items])
            erasing = self._erasing([item.received for item in items])
            if self._erase is not None and not erasing:
                await take_turns(uow.session, erasing=False)  # an erasure here goes before or after
            # Claimed up front in the same transaction: if a handler fails, the claims roll back too. The
            # claim also says whether anyone the events name was erased here.
            todo, erased = await claim(uow.session, keys, named)
            outcomes = []
            # One span per record: a record's handlers for this store follow each other in the batch.
            paired = zip(items, keys, strict=True)
            for _, run in itertools.groupby(paired, key=lambda pair: id(pair[0].record)):
                pairs = list(run)
                with self._span(pairs[0][0].received):
                    for item, key in pairs:
                        if key not in todo:
                            outcomes.append((item, "duplicate"))
                            continue
                        todo.discard(key)  # the same event twice in one batch has one effect
                        await item.handler(uow, item.received)
                        # The next handler sees the store as if this one had committed on its own (a row
                        # this one deleted is gone for it, not an object it could add back).
                        await uow.session.flush()
                        outcomes.append((item, "processed"))
            if erased or erasing:
                await self._erase_again(uow, named)
            await uow.commit()
        for item, outcome in outcomes:
            EVENTS_CONSUMED.labels(self.group_id, item.received.envelope.type, outcome).inc()

    async def _run_handler(
        self, record: ConsumerRecord[bytes, bytes], received: Received[Any], handler: Handler
    ) -> None:
        envelope = received.envelope
        consumer_name = f"{self.group_id}.{handler.__name__}"
        store_of: StoreOf | None = getattr(handler, "store_of", None)
        where: Partition = (record.topic, record.partition)
        attempts = 0
        max_attempts = self._settings.consumer_max_attempts
        waiting = self._backoff()
        waited_since: float | None = None
        try:
            while True:
                try:
                    if handler is _provision:
                        await self._runtime.stores.provision(received.payload.org_id)
                        EVENTS_CONSUMED.labels(self.group_id, envelope.type, "processed").inc()
                        return
                    tenant_id = store_of(received) if store_of else envelope.tenant_id
                    async with self._runtime.unit_of_work(tenant_id) as uow:
                        named = self._named([received])
                        if self._erase is not None and not self._erasing([received]):
                            await take_turns(uow.session, erasing=False)
                        key = (consumer_name, envelope.source, envelope.id)
                        claimed, erased = await claim(uow.session, [key], named)
                        if not claimed:
                            EVENTS_CONSUMED.labels(self.group_id, envelope.type, "duplicate").inc()
                            return
                        await handler(uow, received)
                        if erased:
                            await self._erase_again(uow, named)
                        await uow.commit()
                    EVENTS_CONSUMED.labels(self.group_id, envelope.type, "processed").inc()
                    return
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    reason = transient(exc)
                    if reason is not None:
                        now = time.monotonic()
                        waited_since = now if waited_since is None else waited_since
                        patience = self._settings.consumer_unknown_tenant_wait_s
                        if reason != "unknown-tenant" or now - waited_since < patience:
                            await self._wait_out(where, reason, exc, waiting, consumer_name, envelope)
                            continue
                    attempts += 1
                    log.warning(
                        "%s failed on %s (attempt %d of %d): %s",
                        consumer_name,
                        envelope.id,
                        attempts,
                        max_attempts,
                        exc,
                        extra={"event_id": envelope.id, "event_type": envelope.type, "group": self.group_id},
                    )
                    if reason is not None or attempts >= max_attempts:
                        await self._dead_letter(record, handler.__name__, exc, attempts, reason or "handler")
                        return
                    CONSUMER_RETRIES.labels(self.group_id, "handler").inc()
                    await asyncio.sleep(waiting.next())
        finally:
            if self.blocked.pop(where, None) is not None:
                CONSUMER_BLOCKED.labels(self.group_id, record.topic, str(record.partition)).set(0)

    def _named(self, received: list[Received[Any]]) -> set[str]:
        """The people these events name, for a group that erases people (an erasure itself excepted)."""
        if self._erase is None:
            return set()
        return {
            person
            for one in received
            if not isinstance(one.payload, UserErased | OrgOffboarded)
            for person in people(one.payload)
        }

    @staticmethod
    def _erasing(received: list[Received[Any]]) -> bool:
        """Whether these events erase someone (a later event of the same transaction may name them)."""
        return any(isinstance(one.payload, UserErased | OrgOffboarded) for one in received)

    async def _erase_again(self, uow: UnitOfWork, named: set[str]) -> None:
        """Whoever the events just handled name and was erased in this store is erased again, in the same
        transaction: the late event's words do not stay."""
        if self._erase is None or not named:
            return
        erased = await erased_among(uow.session, named)
        if erased:
            await uow.session.flush()  # what the handlers wrote, for the erasure to find
        for user_id in erased:
            log.info(
                "an event named %s after their erasure in %s; erased again",
                user_id,
                uow.tenant_id,
                extra={"group": self.group_id, "tenant": uow.tenant_id},
            )
            await erase_in(uow.session, user_id, self._erase, take_turn=False)  # shared already

    async def _wait_out(
        self,
        where: Partition,
        reason: str,
        exc: Exception,
        waiting: Backoff,
        consumer_name: str,
        envelope: Envelope,
    ) -> None:
        """The infrastructure failed, not the event: say so, wait, and let the caller try again."""
        if self.blocked.get(where) != reason:
            log.warning(
                "%s blocked on %s/%d (%s), retrying until it passes: %s",
                consumer_name,
                where[0],
                where[1],
                reason,
                exc,
                extra={"event_id": envelope.id, "event_type": envelope.type, "group": self.group_id},
            )
        self.blocked[where] = reason
        CONSUMER_BLOCKED.labels(self.group_id, where[0], str(where[1])).set(1)
        CONSUMER_RETRIES.labels(self.group_id, reason).inc()
        await asyncio.sleep(waiting.next())

    async def _dead_letter(
        self,
        record: ConsumerRecord[bytes, bytes],
        handler: str,
        exc: BaseException,
        attempts: int,
        reason: str = "handler",
    ) -> None:
        """Park a record on the group's dead-letter topic; retry until the broker takes it so it is never
        lost. ``reason``: ``malformed``, ``foreign-store`` (never heal), ``unknown-tenant`` or ``handler``
        (may heal: the redrive policy replays them)."""
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
        origin = self._origin(record)
        headers = [(k, v) for k, v in (record.headers or ()) if not k.startswith("dlq_")]
        headers += [
            ("dlq_error", error.encode()),
            ("dlq_consumer_group", self.group_id.encode()),
            ("dlq_handler", handler.encode()),
            ("dlq_original_topic", origin.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
            ("dlq_attempts", str(attempts).encode()),
            ("dlq_reason", reason.encode()),
            ("dlq_failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        backoff = 0.2
        while True:
            try:
                producer = await self._producer()
                await producer.send_and_wait(self.dlq_topic, record.value, key=record.key, headers=headers)
                break
            except (KafkaError, OSError) as send_error:
                log.warning(
                    "dead-letter publish failed, retrying: %s", send_error, extra={"group": self.group_id}
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
        DEAD_LETTERS.labels(self.group_id, origin).inc()
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


async def _provision(uow: UnitOfWork, received: Received[Any]) -> None:
    """Marks identity's ``org-registered``: the consumer provisions the org's store (no unit of work)."""


class _Revoked(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka's class is untyped
    """Stops handling the partitions a rebalance takes away before the group moves them."""

    def __init__(self, owner: Consumer) -> None:
        self._owner = owner

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self._owner._drop(list(revoked))

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        return None


def _header(record: ConsumerRecord[bytes, bytes], name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name:
            return bytes(value).decode("utf-8", "replace")
    return None
