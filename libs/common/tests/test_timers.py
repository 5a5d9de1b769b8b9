"""The worker's timer loop: each timer looks in every store at its own interval, and one failing timer
stops no other."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common.runtime import Runtime
from mentornet_common.timers import Timer, TimerLoop
from mentornet_common.unit_of_work import UnitOfWork
from mentornet_devkit.testing import eventually


class Looks:
    """A timer that counts its looks per store and has one row due in each, once."""

    def __init__(self, name: str, interval_s: float | None = None, broken: bool = False) -> None:
        self.looks: list[str] = []
        self.fired: list[str] = []
        self.broken = broken
        self.timer = Timer(name, self.due, self.fire, interval_s=interval_s)

    async def due(self, _db: AsyncSession, tenant_id: str, _now: datetime) -> list[str]:
        if self.broken:
            raise RuntimeError("this timer's query is wrong")
        self.looks.append(tenant_id)
        return [] if tenant_id in self.fired else [tenant_id]

    async def fire(self, _uow: UnitOfWork, key: str, _now: datetime) -> bool:
        self.fired.append(key)
        return True


async def test_a_timer_with_an_interval_of_its_own_looks_that_often_not_at_each_tick(
    runtime: Runtime,
) -> None:
    """Purges look every few minutes, not every 5 s: with a thousand stores each look is a thousand reads."""
    often, seldom = Looks("often"), Looks("seldom", interval_s=3600)
    loop = TimerLoop(runtime, [often.timer, seldom.timer], interval_s=0.02)
    stores = len(await runtime.stores.tenants())
    await loop.start()
    try:
        await eventually(lambda: _at_least(often.looks, 5 * stores), what="five ticks of the frequent timer")
    finally:
        await loop.stop()
    assert len(seldom.looks) == stores  # once in each store, at the start
    assert sorted(seldom.fired) == sorted(await runtime.stores.tenants())


async def test_a_failing_timer_stops_no_other_in_any_store(runtime: Runtime) -> None:
    broken, working = Looks("broken", broken=True), Looks("working")
    fired = await TimerLoop(runtime, [broken.timer, working.timer], interval_s=60).tick()
    tenants = await runtime.stores.tenants()
    assert fired == len(tenants) and sorted(working.fired) == sorted(tenants)


async def _at_least(items: list[str], count: int) -> bool:
    return len(items) >= count
