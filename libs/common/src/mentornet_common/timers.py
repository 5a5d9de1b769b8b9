"""Durable timers: something must happen at a moment in the future, even across restarts.

A timer is not a sleep. The moment is data — a column such as ``expires_at`` on the row it concerns,
committed with the row — and the worker's ``TimerLoop`` looks, every few seconds, in every tenant store
for rows that came due. Each one fires in its own unit of work, which re-reads the row (locked where the
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
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # one bad tick must never end the loop
                log.warning("timer tick failed, next in %.1fs: %s", self._interval_s, exc, exc_info=True)
            await asyncio.sleep(self._interval_s)

    async def tick(self, now: datetime | None = None) -> int:
        """Fire everything due at ``now`` (default: the clock); answer how many fired."""
        moment = now or datetime.now(UTC)
        fired = 0
        for tenant_id in await self._runtime.stores.tenants():
            for timer in self._timers:
                try:
                    fired += await self._fire_due(timer, tenant_id, moment)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # one member's store being down must not stop the others
                    reason = faults.report("timers", exc)
                    log.log(
                        logging.WARNING if reason != "permanent" else logging.ERROR,
                        "timer %s failed in %s (%s): %s",
                        timer.name,
                        tenant_id,
                        reason,
                        exc,
                        extra={"tenant": tenant_id, "error": str(exc)},
                    )
        return fired

    async def _fire_due(self, timer: Timer, tenant_id: str, moment: datetime) -> int:
        fired = 0
        async with self._runtime.stores.session(tenant_id) as session:
            keys = await timer.due(session, tenant_id, moment)
        for key in keys[: timer.batch]:
            async with self._runtime.unit_of_work(tenant_id) as uow:
                if await timer.fire(uow, key, moment):
                    await uow.commit()
                    fired += 1
                    TIMERS_FIRED.labels(self._runtime.settings.service_name, timer.name).inc()
        return fired
