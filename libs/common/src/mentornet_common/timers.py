"""Durable timers: something must happen at a moment in the future, even across restarts.

A timer is not a sleep. The moment is data — a column such as ``expires_at`` on the row it concerns,
committed with the row — and the worker's ``TimerLoop`` looks, every few seconds, in every tenant store
for rows that came due (a timer whose rows come due over days, such as a purge, looks less often:
its ``interval_s``). Each one fires in its own unit of work, which re-reads the row (locked where the
database can lock it), checks it is still due, acts, and publishes its events through the outbox. A
worker that was down fires what came due while it was away; two workers never both act on one row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common import faults
from mentornet_common.runtime import Runtime
from mentornet_common.telemetry import TIMERS_FIRED
from mentornet_common.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

FindDue = Callable[[AsyncSession, str, datetime], Awaitable[list[str]]]
Fire = Callable[[UnitOfWork, str, datetime], Awaitable[bool]]


@dataclass(frozen=True)
class Timer:
    """``due`` lists the keys of rows due at ``now`` in one tenant's store (a read, no lock); ``fire``
    acts on one of them inside a unit of work and answers whether it did (False: no longer due)."""

    name: str
    due: FindDue
    fire: Fire
    batch: int = 100
    # How often the worker's loop looks in every store (None: at the loop's interval). Looking costs a query
    # per store, so a thousand orgs make it worth looking seldom for what comes due over days.
    interval_s: float | None = None


class TimerLoop:
    """Fires every timer's due rows in every tenant store, every ``interval_s`` seconds."""

    def __init__(self, runtime: Runtime, timers: list[Timer], interval_s: float) -> None:
        self._runtime = runtime
        self._timers = timers
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="timers")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_look = {timer.name: loop.time() for timer in self._timers}
        while True:
            started = loop.time()
            timers = [timer for timer in self._timers if next_look[timer.name] <= started]
            for timer in timers:
                next_look[timer.name] = started + (timer.interval_s or self._interval_s)
            try:
                await self.tick(timers=timers)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # one bad tick must never end the loop
                log.warning("timer tick failed, next in %.1fs: %s", self._interval_s, exc, exc_info=True)
            await asyncio.sleep(self._interval_s)

    async def tick(self, now: datetime | None = None, timers: list[Timer] | None = None) -> int:
        """Fire everything due at ``now`` (default: the clock) for ``timers`` (default: every timer, whatever
        its interval); answer how many fired."""
        moment = now or datetime.now(UTC)
        chosen = self._timers if timers is None else timers
        if not chosen:
            return 0
        fired = 0
        for tenant_id in await self._runtime.stores.tenants():
            try:
                # One read of the store for every timer's due rows: a session per store, not per timer.
                async with self._runtime.stores.session(tenant_id) as session:
                    due = [(timer, await timer.due(session, tenant_id, moment)) for timer in chosen]
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # The store is down, or one timer failed: each timer on its own, below, reports it.
                log.debug("timers' shared read failed in %s: %s", tenant_id, exc)
                due = None
            for timer in chosen:
                # One member's store being down, or one timer failing, must not stop the others.
                try:
                    if due is None:
                        async with self._runtime.stores.session(tenant_id) as session:
                            keys = await timer.due(session, tenant_id, moment)
                    else:
                        keys = next(found for each, found in due if each is timer)
                    fired += await self._fire(timer, tenant_id, keys, moment)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    self._report(timer.name, tenant_id, exc)
        return fired

    def _report(self, name: str, tenant_id: str, exc: Exception) -> None:
        faults.report("timers", exc, log, "timer %s failed in %s", name, tenant_id, tenant_id=tenant_id)

    async def _fire(self, timer: Timer, tenant_id: str, keys: list[str], moment: datetime) -> int:
        fired = 0
        for key in keys[: timer.batch]:
            async with self._runtime.unit_of_work(tenant_id) as uow:
                if await timer.fire(uow, key, moment):
                    await uow.commit()
                    fired += 1
                    TIMERS_FIRED.labels(self._runtime.settings.service_name, timer.name).inc()
        return fired
