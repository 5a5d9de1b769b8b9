"""The questions every worker asks of every store on a timer go through an index: a store grows with use,
and otherwise the worker reads each store whole every few minutes, in each of a thousand stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from mentornet_common.idempotency import PURGE, IdempotencyRecord
from mentornet_common.inbox import InboxEntry
from mentornet_common.retention import purge_timer
from mentornet_common.runtime import Runtime
from mentornet_common.settings import CommonSettings
from mentornet_common.timers import TimerLoop
from mentornet_devkit.testing import full_scans


@pytest.mark.parametrize("store_backend", ["sqlite"], indirect=True)  # SQLite's EXPLAIN QUERY PLAN
async def test_the_purges_find_what_expired_through_an_index(
    runtime: Runtime, settings: CommonSettings
) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=30)
    async with runtime.unit_of_work("org_a") as uow:
        uow.session.add(
            InboxEntry(consumer="probe.h", source="probe", event_id="evt_1", processed_at=long_ago)
        )
        uow.session.add(IdempotencyRecord(caller="usr_1", key="k1", request_hash="h", created_at=long_ago))
        await uow.commit()

    with full_scans("inbox", "idempotency_record") as scans:
        await TimerLoop(runtime, [purge_timer(settings), PURGE], interval_s=60).tick()

    assert scans == []
    async with runtime.stores.session("org_a") as db:  # the purges ran: what expired is gone
        assert (await db.exec(select(InboxEntry))).all() == []
        assert (await db.exec(select(IdempotencyRecord))).all() == []
