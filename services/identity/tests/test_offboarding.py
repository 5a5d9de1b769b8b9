"""identity's part of offboarding an org, on SQLite and on PostgreSQL: its people and clients can no longer
sign in nor use their tokens, the consortium keeps no row about it, its store is gone, org-offboarded names
its people, the org that stays keeps everything, and a second run finds nothing to do."""

from __future__ import annotations

import json

from sqlmodel import col, select

from identity.models import AccountIndex, EmailDomain, Org, Revocation
from identity.offboarding import offboard
from mentornet_common.outbox import OutboxMessage
from mentornet_common.tenancy import CONSORTIUM

from .conftest import PASSWORD, Api


async def test_an_offboarded_org_signs_in_no_more_and_leaves_nothing_in_identity(api: Api) -> None:
    gone, stays = await api.org("gone-co"), await api.org("stays-co")
    lea = await api.user(gone, "lea@gone-co.example", ["member"])
    admin = await api.login_as_new(gone, "boss@gone-co.example", ["org_admin"])
    client = await api.http.post(
        f"/v1/orgs/{gone}/clients", json={"name": "portal", "scopes": ["asks:read"]}, headers=admin
    )
    assert client.status_code == 201, client.text
    sam = await api.login_as_new(stays, "sam@stays-co.example", ["member"])
    runtime = api.app.state.runtime

    event = await offboard(api.settings, runtime.stores, gone)

    assert event is not None and lea in event.user_ids and len(event.user_ids) == 2
    login = await api.http.post(
        "/v1/token", data={"grant_type": "password", "username": "lea@gone-co.example", "password": PASSWORD}
    )
    assert login.status_code in (400, 401)
    assert (await api.http.get("/v1/me", headers=admin)).status_code == 401  # its tokens are refused
    assert (await api.http.get("/v1/me", headers=sam)).status_code == 200
    assert not await runtime.stores.exists(gone) and gone not in await runtime.stores.tenants()
    async with runtime.stores.session(CONSORTIUM) as session:
        assert await session.get(Org, gone) is None and await session.get(Org, stays) is not None
        assert [d.org_id for d in (await session.exec(select(EmailDomain))).all()] == [stays]
        assert {a.org_id for a in (await session.exec(select(AccountIndex))).all()} == {stays, None}
        revoked = {r.value for r in (await session.exec(select(Revocation))).all()}
        announced = (
            await session.exec(select(OutboxMessage).where(col(OutboxMessage.ce_type).contains("offboarded")))
        ).all()
    assert set(event.user_ids) | {client.json()["client_id"]} <= revoked
    assert [(m.tenant_id, json.loads(m.payload)["user_ids"]) for m in announced] == [(gone, event.user_ids)]

    assert await offboard(api.settings, runtime.stores, gone) is None  # again: nothing left to do
