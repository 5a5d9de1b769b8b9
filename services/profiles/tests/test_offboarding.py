"""org-offboarded in one service, on SQLite and on PostgreSQL: the org's store is dropped, the consortium's
rows about it go, its people's cards leave the consortium store, another org keeps everything, and a
second delivery changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from mentornet_common.contracts import OrgOffboarded
from mentornet_common.tenancy import CONSORTIUM, StoreTenant
from mentornet_devkit.testing import deliver, redeliver
from profiles.models import Profile, SharedCard

from .conftest import Profiles, mentor_profile


async def test_an_offboarded_org_leaves_no_store_and_no_consortium_row(profiles: Profiles) -> None:
    leaving, staying = profiles.as_user("usr_lea", "org_gone"), profiles.as_user("usr_sam", "org_stays")
    for headers in (leaving, staying):
        saved = await profiles.http.put("/v1/profiles/me", json=mentor_profile(), headers=headers)
        assert saved.status_code == 200
    stores = profiles.runtime.stores
    async with stores.writer(CONSORTIUM) as session:  # as the card events would have placed them
        for user_id, org_id in (("usr_lea", "org_gone"), ("usr_sam", "org_stays")):
            session.add(SharedCard(user_id=user_id, org_id=org_id, person={}, updated_at=datetime.now(UTC)))
        await session.commit()

    async def consortium_cards() -> set[str]:
        async with stores.session(CONSORTIUM) as session:
            return {c.org_id for c in (await session.exec(select(SharedCard))).all()}

    assert await consortium_cards() == {"org_gone", "org_stays"}

    gone = OrgOffboarded(org_id="org_gone", user_ids=["usr_lea"], offboarded_at=datetime.now(UTC))
    envelope = await deliver(profiles.worker, gone, "org_gone")

    assert not await stores.exists("org_gone")
    assert "org_gone" not in await stores.tenants()
    assert await consortium_cards() == {"org_stays"}
    async with stores.session(CONSORTIUM) as session:
        assert (await session.get(StoreTenant, "org_stays")) is not None
    async with stores.session("org_stays") as session:
        assert [p.user_id for p in (await session.exec(select(Profile))).all()] == ["usr_sam"]

    await redeliver(profiles.worker, envelope)  # again: nothing left to do, and no store made again
    assert not await stores.exists("org_gone")
    assert await consortium_cards() == {"org_stays"}
    kept = await profiles.http.get("/v1/profiles/me", headers=staying)
    assert kept.status_code == 200
