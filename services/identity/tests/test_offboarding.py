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


async def test_only_an_operator_offboards_an_org_through_the_api_after_typing_its_slug(api: Api) -> None:
    gone = await api.org("leaving-co")
    await api.user(gone, "lea@leaving-co.example", ["member"])
    admin = await api.login_as_new(gone, "boss@leaving-co.example", ["org_admin"])
    operator = await api.operator()

    for headers in (admin, await api.login("lea@leaving-co.example")):  # not the org's own people
        refused = await api.http.post(
            f"/v1/orgs/{gone}/offboard", json={"slug": "leaving-co"}, headers=headers
        )
        assert refused.status_code == 403, refused.text
    mistyped = await api.http.post(f"/v1/orgs/{gone}/offboard", json={"slug": "leaving"}, headers=operator)
    assert mistyped.status_code == 422, mistyped.text
    assert [e["field"] for e in mistyped.json()["errors"]] == ["body.slug"]
    assert (await api.http.get("/v1/me", headers=admin)).status_code == 200  # nothing was changed

    done = await api.http.post(f"/v1/orgs/{gone}/offboard", json={"slug": "leaving-co"}, headers=operator)
    assert done.status_code == 200, done.text
    assert (done.json()["org_id"], done.json()["slug"], done.json()["people"]) == (gone, "leaving-co", 2)
    assert (await api.http.get("/v1/me", headers=admin)).status_code == 401
    assert (await api.http.get(f"/v1/orgs/{gone}", headers=operator)).status_code == 404
    assert not await api.app.state.runtime.stores.exists(gone)
    async with api.app.state.runtime.stores.session(CONSORTIUM) as session:
        announced = (
            await session.exec(select(OutboxMessage).where(col(OutboxMessage.ce_type).contains("offboarded")))
        ).all()
    assert [m.tenant_id for m in announced] == [gone]
    again = await api.http.post(f"/v1/orgs/{gone}/offboard", json={"slug": "leaving-co"}, headers=operator)
    assert again.status_code == 404
