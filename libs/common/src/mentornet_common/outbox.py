"""Transactional outbox: an event is a row written in the same transaction as the change it reports.

The relay publishes those rows and marks them sent. A process wakes its relay right after committing, handing
it the rows it wrote, and that relay publishes exactly those, as they are in memory (low latency, no read of
the store, and two processes writing one store never publish each other's rows); the rows of every commit that
woke it meanwhile go out together and are marked sent in one update per store. The worker's relay also sweeps
every store periodically for rows older than a grace period: what a crashed process left behind. A row is
marked sent only after the broker acknowledged it, so a broker outage delays events and loses none; the rare
row published twice (a crash between acknowledgement and marking, or a writer and the sweeper racing on a slow
row) is absorbed by the consumers' inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from collections.abc import Coroutine, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from opentelemetry import trace
from sqlalchemy import Column, Text, bindparam, delete, false, func, update
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common import faults
from mentornet_common.envelope import Envelope
from mentornet_common.kafka import make_producer
from mentornet_common.settings import CommonSettings
from mentornet_common.telemetry import (
    EVENTS_PUBLISHED,
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_AGE,
    OUTBOX_PUBLISH_DELAY_SECONDS,
    context_from_traceparent,
    current_traceparent,
    tracer,
)
from mentornet_common.tenancy import TenantStores, UnknownTenant

log = logging.getLogger(__name__)
_tracer = tracer(__name__)


class OutboxMessage(SQLModel, table=True):
    """An event waiting to be published (``sent_at`` empty) or already published."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(unique=True, max_length=64)
    topic: str = Field(max_length=200)
    ce_type: str = Field(max_length=200)
    ce_source: str = Field(max_length=200)
    ce_subject: str = Field(max_length=200)
    ce_time: datetime
    tenant_id: str = Field(max_length=48)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    traceparent: str | None = Field(default=None, max_length=100)
    created_at: datetime
    sent_at: datetime | None = Field(default=None, index=True)
    # Written while unsent by an erasure that it mentions: deleted, not kept, once the broker has it.
    erase_when_sent: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))

    @classmethod
    def from_envelope(cls, envelope: Envelope, topic: str) -> OutboxMessage:
        return cls(
            event_id=envelope.id,
            topic=topic,
            ce_type=envelope.type,
            ce_source=envelope.source,
            ce_subject=envelope.subject,
            ce_time=envelope.time,
            tenant_id=envelope.tenant_id,
            payload=json.dumps(envelope.data, separators=(",", ":")),
            traceparent=envelope.traceparent or current_traceparent(),
            created_at=datetime.now(UTC),
        )

    def envelope(self, traceparent: str | None) -> Envelope:
        return Envelope(
            id=self.event_id,
            source=self.ce_source,
            type=self.ce_type,
            time=self.ce_time if self.ce_time.tzinfo else self.ce_time.replace(tzinfo=UTC),
            subject=self.ce_subject,
            tenant_id=self.tenant_id,
            data=json.loads(self.payload),
            traceparent=traceparent,
        )


class OutboxRelay:
    """Publishes outbox rows of every store of a service."""

    def __init__(self, settings: CommonSettings, stores: TenantStores, *, sweep: bool = True) -> None:
        self._settings = settings
        self._stores = stores
        self._sweep = sweep
        self._woken: dict[str, dict[int, OutboxMessage]] = {}
        # Rows whose publishing failed: tried again from the store, skipping what the sweeper sent meanwhile.
        self._failed: dict[str, set[int]] = {}
        self._wake = asyncio.Event()
        self._producer: AIOKafkaProducer | None = None
        self._task: asyncio.Task[None] | None = None
        self._locks: dict[str, asyncio.Lock] = {}
        self._backoff = faults.Backoff(0.2, 10.0)
        # Rows this relay published and has not marked sent yet, per store, and when they will be: marking
        # is a write transaction of its own, so a store's rows published within outbox_mark_linger_ms of
        # each other are marked together.
        self._unmarked: dict[str, set[int]] = {}
        self._mark_due: float | None = None

    def wake(self, tenant_id: str, rows: list[OutboxMessage]) -> None:
        """Publish these just-committed rows of a tenant's outbox now."""
        self._woken.setdefault(tenant_id, {}).update({row.id: row for row in rows if row.id is not None})
        self._wake.set()

    async def start(self) -> None:
        """Run the relay in the background."""
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Stop the relay and its producer; unsent rows stay for the next run, and published ones are
        marked sent first (were that to fail, the next run's sweep publishes them again, and consumers skip
        what they already handled)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.mark_published()
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def producer(self) -> AIOKafkaProducer:
        """The relay's producer, started on first use (and again after a failed start)."""
        if self._producer is None:
            producer = make_producer(self._settings)
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _run(self) -> None:
        next_sweep = 0.0
        loop = asyncio.get_running_loop()
        while True:
            wake_by = min(next_sweep if self._sweep else math.inf, self._mark_due or math.inf)
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation that comes
            # as the event is set, and stop() would wait for this loop forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout_at(wake_by if wake_by != math.inf else None):
                    await self._wake.wait()
            self._wake.clear()
            woken, self._woken = self._woken, {}
            failed, self._failed = self._failed, {}
            failures = 0
            for tenant_id in woken.keys() | failed.keys():
                rows = woken.get(tenant_id, {})
                retried = failed.get(tenant_id, set())
                work = (
                    self.publish_pending(tenant_id, only=retried | rows.keys())
                    if retried
                    else self._publish_woken(tenant_id, rows)
                )
                if not await self._attempt(tenant_id, work):
                    # Keep the rows for the next attempt; other tenants go on (one member's own
                    # database being down must not hold up everyone else's events).
                    self._failed.setdefault(tenant_id, set()).update(retried | rows.keys())
                    failures += 1
            if self._mark_due is not None and loop.time() >= self._mark_due:
                await self.mark_published()
            if self._sweep and loop.time() >= next_sweep:
                failures += await self.sweep()
                next_sweep = loop.time() + self._settings.outbox_sweep_interval_s
            if failures:
                await asyncio.sleep(self._backoff.next())
                self._wake.set()
            else:
                self._backoff.reset()

    async def _attempt(self, tenant_id: str, work: Coroutine[Any, Any, Any]) -> bool:
        """Run one tenant's publishing; on failure log it, drop a possibly broken producer, answer False."""
        try:
            await work
            return True
        except asyncio.CancelledError:
            raise
        except UnknownTenant:
            # The store was dropped since (its org offboarded): its unsent events went with it.
            log.info("outbox relay: the store of %s is gone, nothing left to publish", tenant_id)
            return True
        except Exception as exc:
            faults.report(
                "outbox", exc, log, "outbox relay could not publish for %s", tenant_id, tenant_id=tenant_id
            )
            if self._producer is not None:
                await self._producer.stop()
                self._producer = None
            return False

    async def sweep(self) -> int:
        """Publish rows older than the grace period in every store and update the backlog gauge.

        Returns how many stores could not be swept.
        """
        grace = timedelta(seconds=self._settings.outbox_sweep_grace_s)
        failures = 0
        try:
            tenants = await self._stores.tenants()
        except Exception as exc:
            log.warning("outbox sweep cannot list the stores: %s", exc, extra={"error": str(exc)})
            return 1
        for tenant_id in tenants:
            if not await self._attempt(tenant_id, self._sweep_one(tenant_id, grace)):
                failures += 1
        return failures

    async def _sweep_one(self, tenant_id: str, grace: timedelta) -> None:
        """One query when nothing waits (the usual case: each process publishes its own rows as it commits
        them), so a sweep of a thousand stores costs a thousand small reads; rows older than the grace period
        are published, and the backlog gauges report what is left."""
        backlog: tuple[int, datetime | None] | None = None
        try:
            await self._mark_published(tenant_id)  # rows published meanwhile would look unsent
            backlog = await self._backlog(tenant_id)
            count, oldest = backlog
            if count and oldest is not None and oldest <= datetime.now(UTC) - grace:
                backlog = None
                await self.publish_pending(tenant_id, older_than=grace)
                await self._mark_published(tenant_id)
        finally:
            # Reported when publishing failed too: a broker that is down is when the backlog grows.
            await self._observe_backlog(tenant_id, backlog)

    async def _backlog(self, tenant_id: str) -> tuple[int, datetime | None]:
        async with self._stores.session(tenant_id) as session:
            return await backlog(session)

    async def _observe_backlog(self, tenant_id: str, backlog: tuple[int, datetime | None] | None) -> None:
        count, oldest = backlog if backlog is not None else await self._backlog(tenant_id)
        OUTBOX_BACKLOG.labels(self._settings.service_name, tenant_id).set(count)
        age = 0.0 if oldest is None else (datetime.now(UTC) - oldest).total_seconds()
        OUTBOX_OLDEST_AGE.labels(self._settings.service_name, tenant_id).set(max(0.0, age))

    async def publish_pending(
        self, tenant_id: str, older_than: timedelta | None = None, only: set[int] | None = None
    ) -> int:
        """Publish one store's unsent rows (``only`` these ids, if given) in the order they were written."""
        lock = self._locks.setdefault(tenant_id, asyncio.Lock())
        total = 0
        async with lock:
            # Rows published but not marked yet would look unsent below.
            await self._mark_published(tenant_id)
            while True:
                rows = await self._pending(tenant_id, older_than, only)
                if not rows:
                    return total
                try:
                    await self._publish(rows)
                except Exception as exc:
                    await self._record_failure(tenant_id, rows, exc)
                    raise
                sent = [r.id for r in rows if r.id is not None]
                await self._mark_sent(tenant_id, sent)
                # A commit may have handed some of them to this relay meanwhile: they are out already.
                if waiting := self._woken.get(tenant_id):
                    for row_id in sent:
                        waiting.pop(row_id, None)
                total += len(rows)
                if len(rows) < self._settings.outbox_batch_size:
                    return total

    async def _publish_woken(self, tenant_id: str, woken: dict[int, OutboxMessage]) -> None:
        """Publish rows a commit of this process handed over, in the order they were written."""
        rows = [woken[row_id] for row_id in sorted(woken)]
        async with self._locks.setdefault(tenant_id, asyncio.Lock()):
            try:
                await self._publish(rows)
            except Exception as exc:
                await self._record_failure(tenant_id, rows, exc)
                raise
        self._unmarked.setdefault(tenant_id, set()).update(woken)
        if self._mark_due is None:
            linger = self._settings.outbox_mark_linger_ms / 1000
            self._mark_due = asyncio.get_running_loop().time() + linger

    async def mark_published(self) -> None:
        """Mark sent every row this relay published and has not marked yet (each store in one statement);
        a store that cannot be reached keeps its rows for the next time."""
        self._mark_due = None
        for tenant_id in list(self._unmarked):
            try:
                await self._mark_published(tenant_id)
            except UnknownTenant:
                self._unmarked.pop(tenant_id, None)  # the store was dropped since (its org offboarded)
            except Exception as exc:
                log.warning(
                    "outbox relay could not mark rows sent in %s, will retry: %s",
                    tenant_id,
                    exc,
                    extra={"error": str(exc), "tenant": tenant_id},
                )
                if self._mark_due is None:
                    self._mark_due = asyncio.get_running_loop().time() + self._backoff.next()

    async def _mark_published(self, tenant_id: str) -> None:
        ids = set(self._unmarked.get(tenant_id, ()))
        if ids:
            await self._mark_sent(tenant_id, sorted(ids))
            # Only what was marked: rows published meanwhile stay for the next time.
            remaining = self._unmarked.get(tenant_id, set()) - ids
            if remaining:
                self._unmarked[tenant_id] = remaining
            else:
                self._unmarked.pop(tenant_id, None)

    async def _pending(
        self, tenant_id: str, older_than: timedelta | None, only: set[int] | None
    ) -> Sequence[OutboxMessage]:
        async with self._stores.session(tenant_id) as session:
            query = select(OutboxMessage).where(col(OutboxMessage.sent_at).is_(None))
            if only is not None:
                query = query.where(col(OutboxMessage.id).in_(sorted(only)))
            if older_than is not None:
                query = query.where(OutboxMessage.created_at <= datetime.now(UTC) - older_than)
            query = query.order_by(col(OutboxMessage.id)).limit(self._settings.outbox_batch_size)
            return (await session.exec(query)).all()

    async def _publish(self, rows: Sequence[OutboxMessage]) -> None:
        producer = await self.producer()
        futures = []
        for row in rows:
            with _tracer.start_as_current_span(
                f"publish {row.ce_type}",
                context=context_from_traceparent(row.traceparent),
                kind=trace.SpanKind.PRODUCER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.destination.name": row.topic,
                    "messaging.message.id": row.event_id,
                    "mentornet.tenant": row.tenant_id,
                },
            ):
                envelope = row.envelope(traceparent=current_traceparent())
                futures.append(
                    await producer.send(
                        row.topic, envelope.value(), key=envelope.key(), headers=envelope.headers()
                    )
                )
        delays = OUTBOX_PUBLISH_DELAY_SECONDS.labels(self._settings.service_name)
        for row, future in zip(rows, futures, strict=True):
            await future
            EVENTS_PUBLISHED.labels(row.topic, row.ce_type).inc()
            written = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
            delays.observe(max(0.0, (datetime.now(UTC) - written).total_seconds()))

    async def _mark_sent(self, tenant_id: str, ids: list[int]) -> None:
        async with self._stores.writer(tenant_id) as session:
            params = {"ids": ids, "now": datetime.now(UTC)}
            marked = (await session.exec(_MARK_SENT, params=params)).all()
            # Rows an erasure flagged while they waited: sent now, so they go (one more statement, rarely).
            erased = [row_id for row_id, erase in marked if erase]
            if erased:
                await session.exec(_DELETE, params={"ids": erased})
            await session.commit()

    async def _record_failure(self, tenant_id: str, rows: Sequence[OutboxMessage], exc: Exception) -> None:
        try:
            async with self._stores.writer(tenant_id) as session:
                await session.exec(
                    update(OutboxMessage)
                    .where(col(OutboxMessage.id).in_([r.id for r in rows]))
                    .values(attempts=OutboxMessage.attempts + 1, last_error=str(exc)[:2000])
                )
                await session.commit()
        except Exception:
            log.exception("could not record an outbox failure")


# The relay's marking, built once (it runs for every batch it publishes): the rows marked, and whether an
# erasure flagged each, in one statement.
_TABLE = OutboxMessage.__table__  # type: ignore[attr-defined]
_MARK_SENT = (
    update(_TABLE)
    .where(_TABLE.c.id.in_(bindparam("ids", expanding=True)), _TABLE.c.sent_at.is_(None))
    .values(sent_at=bindparam("now", type_=_TABLE.c.sent_at.type))
    .returning(_TABLE.c.id, _TABLE.c.erase_when_sent)
)
_DELETE = delete(_TABLE).where(_TABLE.c.id.in_(bindparam("ids", expanding=True)))


async def backlog(session: AsyncSession) -> tuple[int, datetime | None]:
    """How many rows of one store wait to be published, and when the oldest of them was written (timezone
    aware; None: none waits). One read."""
    unsent = col(OutboxMessage.sent_at).is_(None)
    count, oldest = (
        await session.exec(select(func.count(), func.min(OutboxMessage.created_at)).where(unsent))
    ).one()
    return int(count), None if oldest is None else _aware(oldest)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def pending_count(session: AsyncSession) -> int:
    """How many rows of one store wait to be published."""
    result = await session.exec(
        select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.sent_at).is_(None))
    )
    return int(result.one())
