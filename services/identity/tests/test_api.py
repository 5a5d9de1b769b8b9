from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from prometheus_client import REGISTRY
from sqlmodel import select

from identity import service
from identity.models import RefreshToken, User
from identity.timers import PURGE_EXPIRED
from mentornet_common.outbox import OutboxMessage
from mentornet_common.tenancy import CONSORTIUM
from mentornet_common.timers import TimerLoop
from mentornet_devkit.testing import full_scans, header, read_all

from .conftest import OPERATOR, PASSWORD, Api

# the operator and orgs ---------------------------------------------------------------------------------


async def test_the_seeded_operator_logs_in_and_sees_themself(api: Api) -> None:
    response = await api.http.post(
        "/v1/token", data={"grant_type": "password", "username": OPERATOR[0], "password": OPERATOR[1]}
    )
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == api.settings.access_token_ttl_s
    me = await api.http.get("/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() | {"id": "-"} == {
        "id": "-",
        "org_id": None,
        "email": OPERATOR[0],
        "name": "Consortium operator",
        "roles": ["operator"],
        "active": True,
    }


async def test_each_start_seeds_the_operator_named_unless_an_account_has_that_email(api: Api) -> None:
    identity = api.app.state.identity
    org = await api.org("acme")
    await api.user(org, "ann@acme.example", ["member"])

    # another operator, named on a later start: a consortium may have several
    assert await service.seed_operator(identity, "Second@Consortium.example", "second password") == "created"
    second = await api.login("second@consortium.example", "second password")
    assert (await api.http.get("/v1/me", headers=second)).json()["roles"] == ["operator"]
    # the first one is still there, unchanged
    await api.operator()

    # an existing operator named again with another password: left as it is
    assert await service.seed_operator(identity, OPERATOR[0], "another password") == "exists"
    await api.operator()
    refused = await api.http.post(
        "/v1/token", data={"grant_type": "password", "username": OPERATOR[0], "password": "another password"}
    )
    assert refused.status_code == 400

    # a member's email: not made an operator, nor given that password
    assert await service.seed_operator(identity, "ann@acme.example", "x" * 20) == "not-an-operator"
    ann = await api.login("ann@acme.example")
    assert (await api.http.get("/v1/me", headers=ann)).json()["roles"] == ["member"]


async def test_the_jwks_publishes_the_key_tokens_are_signed_with(api: Api) -> None:
    headers = await api.operator()
    kid = jwt.get_unverified_header(headers["Authorization"].split()[1])["kid"]
    jwks = (await api.http.get("/.well-known/jwks.json")).json()
    assert [k["kid"] for k in jwks["keys"]] == [kid]
    assert {"d", "p", "q"}.isdisjoint(jwks["keys"][0])


async def test_the_operator_registers_an_org_and_provisions_its_store(api: Api) -> None:
    response = await api.http.post(
        "/v1/orgs", json={"slug": "acme", "name": "Acme Corp"}, headers=await api.operator()
    )
    assert response.status_code == 201
    org = response.json()
    assert org["slug"] == "acme" and org["name"] == "Acme Corp" and org["id"].startswith("org_")
    assert org["id"] in await api.app.state.runtime.stores.tenants()
    listed = (await api.http.get("/v1/orgs", headers=await api.operator())).json()
    assert listed == {"items": [org], "next_offset": None}


async def test_a_second_org_with_the_same_slug_conflicts(api: Api) -> None:
    await api.org("acme")
    again = await api.http.post(
        "/v1/orgs", json={"slug": "acme", "name": "Other"}, headers=await api.operator()
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"


async def test_only_the_operator_registers_orgs(api: Api) -> None:
    org = await api.org("acme")
    await api.user(org, "admin@acme.example", ["org_admin"])
    admin = await api.login("admin@acme.example")
    assert (
        await api.http.post("/v1/orgs", json={"slug": "x", "name": "X"}, headers=admin)
    ).status_code == 403
    assert (await api.http.post("/v1/orgs", json={"slug": "x", "name": "X"})).status_code == 401


@pytest.mark.parametrize(
    "body, field",
    [
        ({"slug": "Not A Slug", "name": "X"}, "body.slug"),
        ({"slug": "ok", "name": "   "}, "body.name"),
        ({"slug": "ok"}, "body.name"),
        ({"slug": "x" * 41, "name": "X"}, "body.slug"),
    ],
)
async def test_an_invalid_org_is_refused_naming_the_field(api: Api, body: dict[str, str], field: str) -> None:
    response = await api.http.post("/v1/orgs", json=body, headers=await api.operator())
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_org_lists_are_paginated(api: Api) -> None:
    for slug in ("a1", "a2", "a3"):
        await api.org(slug)
    headers = await api.operator()
    first = (await api.http.get("/v1/orgs?limit=2", headers=headers)).json()
    second = (await api.http.get(f"/v1/orgs?limit=2&offset={first['next_offset']}", headers=headers)).json()
    assert [o["slug"] for o in first["items"]] == ["a1", "a2"]
    assert [o["slug"] for o in second["items"]] == ["a3"]
    assert second["next_offset"] is None
    assert (await api.http.get("/v1/orgs?limit=1000", headers=headers)).status_code == 422


# users -------------------------------------------------------------------------------------------------


async def test_an_org_admin_manages_their_own_orgs_users(api: Api) -> None:
    org = await api.org("acme")
    await api.user(org, "admin@acme.example", ["org_admin"])
    admin = await api.login("admin@acme.example")
    created = await api.http.post(
        f"/v1/orgs/{org}/users",
        json={
            "email": "Mia@Acme.example",
            "name": "Mia",
            "password": PASSWORD,
            "roles": ["mentor", "member"],
        },
        headers=admin,
    )
    assert created.status_code == 201
    assert created.json() | {"id": "-"} == {
        "id": "-",
        "org_id": org,
        "email": "mia@acme.example",
        "name": "Mia",
        "roles": ["member", "mentor"],
        "active": True,
    }
    listed = (await api.http.get(f"/v1/orgs/{org}/users", headers=admin)).json()
    assert sorted(u["email"] for u in listed["items"]) == ["admin@acme.example", "mia@acme.example"]
    mia = await api.login("mia@acme.example")
    assert (await api.http.get("/v1/me", headers=mia)).json()["roles"] == ["member", "mentor"]


async def test_nobody_reaches_another_orgs_users(api: Api) -> None:
    acme, globex = await api.org("acme"), await api.org("globex")
    await api.user(acme, "admin@acme.example", ["org_admin"])
    bob = await api.user(globex, "bob@globex.example", ["member"])
    acme_admin = await api.login("admin@acme.example")

    assert (await api.http.get(f"/v1/orgs/{globex}/users", headers=acme_admin)).status_code == 404
    assert (await api.http.get(f"/v1/orgs/{globex}/users/{bob}", headers=acme_admin)).status_code == 404
    assert (await api.http.get(f"/v1/orgs/{acme}/users/{bob}", headers=acme_admin)).status_code == 404
    create = await api.http.post(
        f"/v1/orgs/{globex}/users",
        json={"email": "mole@acme.example", "name": "Mole", "password": PASSWORD, "roles": ["org_admin"]},
        headers=acme_admin,
    )
    assert create.status_code == 404
    assert (
        await api.http.post(f"/v1/orgs/{globex}/clients", json={"name": "x"}, headers=acme_admin)
    ).status_code == 404


async def test_a_member_cannot_manage_their_org(api: Api) -> None:
    org = await api.org("acme")
    me = await api.user(org, "mia@acme.example", ["member"])
    other = await api.user(org, "max@acme.example", ["member"])
    mia = await api.login("mia@acme.example")
    create = await api.http.post(
        f"/v1/orgs/{org}/users",
        json={"email": "new@acme.example", "name": "New", "password": PASSWORD},
        headers=mia,
    )
    assert create.status_code == 403
    assert (await api.http.get(f"/v1/orgs/{org}/users", headers=mia)).status_code == 403
    assert (await api.http.get(f"/v1/orgs/{org}/users/{me}", headers=mia)).status_code == 200
    assert (await api.http.get(f"/v1/orgs/{org}/users/{other}", headers=mia)).status_code == 404


async def test_an_email_belongs_to_one_account_across_the_consortium(api: Api) -> None:
    acme = await api.org("acme")
    await api.user(acme, "mia@acme.example", ["member"])
    again = await api.http.post(
        f"/v1/orgs/{acme}/users",
        json={"email": "MIA@acme.example", "name": "Mia", "password": PASSWORD},
        headers=await api.operator(),
    )
    assert again.status_code == 409


async def test_an_org_cannot_seat_another_orgs_address_nor_learn_that_it_exists(api: Api) -> None:
    """acme once registered mia@globex.example: now an address outside the org's domains is refused, and
    the refusal is the same whether or not the address belongs to someone elsewhere."""
    acme, globex = await api.org("acme"), await api.org("globex")
    await api.user(globex, "mia@globex.example", ["member"])
    acme_admin = await api.login_as_new(acme, "boss@acme.example", ["org_admin"])
    answers = []
    for email in ("mia@globex.example", "nobody@globex.example", "someone@elsewhere.example"):
        response = await api.http.post(
            f"/v1/orgs/{acme}/users",
            json={"email": email, "name": "Mia", "password": PASSWORD},
            headers=acme_admin,
        )
        answers.append((response.status_code, response.json()["detail"], response.json()["errors"]))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 422
    assert answers[0][2] == [
        {"field": "body.email", "message": "the address is not in one of the org's email domains"}
    ]
    listed = (await api.http.get(f"/v1/orgs/{acme}/users", headers=acme_admin)).json()["items"]
    assert [u["email"] for u in listed] == ["boss@acme.example"]  # nothing half-created


async def test_a_domain_belongs_to_one_org(api: Api) -> None:
    acme = await api.org("acme")
    taken = await api.http.post(
        "/v1/orgs",
        json={"slug": "acme-two", "name": "Acme Two", "email_domains": ["ACME.example"]},
        headers=await api.operator(),
    )
    assert taken.status_code == 409
    assert taken.json()["errors"][0]["field"] == "body.email_domains"
    settings = await api.http.get(f"/v1/orgs/{acme}/settings", headers=await api.operator())
    assert settings.json()["email_domains"] == ["acme.example"]
    bare = await api.http.post(
        "/v1/orgs", json={"slug": "bare", "name": "Bare"}, headers=await api.operator()
    )
    refused = await api.http.post(
        f"/v1/orgs/{bare.json()['id']}/users",
        json={"email": "a@bare.example", "name": "A", "password": PASSWORD},
        headers=await api.operator(),
    )
    assert refused.status_code == 422
    assert "lists no email domains" in refused.json()["detail"]


async def test_users_of_an_unknown_org_are_404(api: Api) -> None:
    response = await api.http.post(
        "/v1/orgs/org_doesnotexist/users",
        json={"email": "a@b.example", "name": "A", "password": PASSWORD},
        headers=await api.operator(),
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "not-an-email", "name": "A", "password": PASSWORD}, "body.email"),
        ({"email": "a@b.example", "name": "A", "password": "short"}, "body.password"),
        ({"email": "a@b.example", "name": "A", "password": PASSWORD, "roles": ["operator"]}, "body.roles.0"),
        ({"email": "a@b.example", "name": "A", "password": PASSWORD, "roles": []}, "body.roles"),
    ],
)
async def test_an_invalid_user_is_refused_naming_the_field(
    api: Api, body: dict[str, object], field: str
) -> None:
    org = await api.org("acme")
    response = await api.http.post(f"/v1/orgs/{org}/users", json=body, headers=await api.operator())
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_each_user_lives_in_their_own_orgs_store(api: Api) -> None:
    acme, globex = await api.org("acme"), await api.org("globex")
    mia = await api.user(acme, "mia@acme.example", ["member"])
    bob = await api.user(globex, "bob@globex.example", ["member"])
    stores = api.app.state.runtime.stores
    async with stores.session(acme) as session:
        assert [u.id for u in (await session.exec(select(User))).all()] == [mia]
    async with stores.session(globex) as session:
        assert [u.id for u in (await session.exec(select(User))).all()] == [bob]
    async with stores.session(CONSORTIUM) as session:
        # Only the operator's account; members' emails are indexed by hash alone.
        assert [u.email for u in (await session.exec(select(User))).all()] == [OPERATOR[0]]


# the token endpoint ------------------------------------------------------------------------------------


async def test_a_wrong_password_is_an_invalid_grant(api: Api) -> None:
    for username in (OPERATOR[0], "nobody@nowhere.example"):
        response = await api.http.post(
            "/v1/token", data={"grant_type": "password", "username": username, "password": "wrong password!"}
        )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"


async def test_token_requests_name_what_is_missing_or_unsupported(api: Api) -> None:
    missing = await api.http.post("/v1/token", data={"grant_type": "password", "username": OPERATOR[0]})
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "body.password"
    unsupported = await api.http.post("/v1/token", data={"grant_type": "implicit"})
    assert (unsupported.status_code, unsupported.json()["error"]) == (400, "unsupported_grant_type")
    no_grant = await api.http.post("/v1/token", data={})
    assert no_grant.status_code == 422
    assert no_grant.json()["errors"][0]["field"] == "body.grant_type"


async def test_repeated_failures_lock_the_account_for_a_while(api: Api) -> None:
    data = {"grant_type": "password", "username": OPERATOR[0], "password": "wrong password!"}
    for _ in range(api.settings.login_failures_per_account):
        assert (await api.http.post("/v1/token", data=data)).status_code == 400
    locked = await api.http.post("/v1/token", data={**data, "password": OPERATOR[1]})
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0


async def test_one_address_is_limited_across_accounts(api: Api) -> None:
    statuses = []
    for i in range(api.settings.login_failures_per_address + 1):
        response = await api.http.post(
            "/v1/token",
            data={"grant_type": "password", "username": f"u{i}@x.example", "password": "whatever pw"},
        )
        statuses.append(response.status_code)
    assert statuses[-1] == 429
    assert set(statuses[:-1]) == {400}


async def test_a_bearer_token_that_is_not_ours_is_401(api: Api) -> None:
    forged = jwt.encode(
        {"sub": "usr_x", "roles": ["operator"]}, "a-secret-that-identity-never-saw-" * 2, algorithm="HS256"
    )
    response = await api.http.get("/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


# API clients -------------------------------------------------------------------------------------------


async def test_an_org_admin_registers_a_client_that_gets_scoped_tokens(api: Api) -> None:
    org = await api.org("acme")
    await api.user(org, "admin@acme.example", ["org_admin"])
    admin = await api.login("admin@acme.example")
    created = await api.http.post(
        f"/v1/orgs/{org}/clients",
        json={"name": "HR portal", "scopes": ["events:read", "asks:read"]},
        headers=admin,
    )
    assert created.status_code == 201
    credentials = created.json()
    assert credentials["client_id"].startswith("cl_") and len(credentials["client_secret"]) >= 40

    token = await api.http.post(
        "/v1/token",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
        },
    )
    assert token.status_code == 200
    assert token.json()["scope"] == "asks:read events:read"
    principal = await api.app.state.verifier.verify(token.json()["access_token"])
    assert (principal.kind, principal.org_id, principal.scopes) == (
        "client",
        org,
        {"asks:read", "events:read"},
    )

    listed = (await api.http.get(f"/v1/orgs/{org}/clients", headers=admin)).json()
    assert [c["client_id"] for c in listed["items"]] == [credentials["client_id"]]
    assert credentials["client_secret"] not in str(listed)


async def test_a_wrong_or_revoked_client_secret_is_refused(api: Api) -> None:
    org = await api.org("acme")
    await api.user(org, "admin@acme.example", ["org_admin"])
    admin = await api.login("admin@acme.example")
    credentials = (await api.http.post(f"/v1/orgs/{org}/clients", json={"name": "LMS"}, headers=admin)).json()
    grant = {"grant_type": "client_credentials", "client_id": credentials["client_id"]}

    wrong = await api.http.post("/v1/token", data={**grant, "client_secret": "guess"})
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    revoked = await api.http.delete(f"/v1/orgs/{org}/clients/{credentials['client_id']}", headers=admin)
    assert revoked.json()["revoked_at"] is not None
    after = await api.http.post("/v1/token", data={**grant, "client_secret": credentials["client_secret"]})
    assert after.status_code == 401


async def test_unknown_scopes_are_refused(api: Api) -> None:
    org = await api.org("acme")
    await api.user(org, "admin@acme.example", ["org_admin"])
    response = await api.http.post(
        f"/v1/orgs/{org}/clients",
        json={"name": "x", "scopes": ["everything"]},
        headers=await api.login("admin@acme.example"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.scopes"


# signing keys ------------------------------------------------------------------------------------------


async def test_after_rotation_old_tokens_still_verify_and_new_ones_use_the_new_key(api: Api) -> None:
    before = await api.operator()
    old_kid = jwt.get_unverified_header(before["Authorization"].split()[1])["kid"]
    rotated = await api.http.post("/v1/signing-keys/rotate", headers=before)
    assert rotated.status_code == 201
    new_kid = rotated.json()["kid"]

    assert (await api.http.get("/v1/me", headers=before)).status_code == 200
    after = await api.operator()
    assert jwt.get_unverified_header(after["Authorization"].split()[1])["kid"] == new_kid
    published = {k["kid"] for k in (await api.http.get("/.well-known/jwks.json")).json()["keys"]}
    assert published == {old_kid, new_kid}


async def test_the_active_keys_age_is_exported_and_follows_a_rotation(api: Api) -> None:
    def exported() -> float | None:
        return REGISTRY.get_sample_value("mentornet_signing_key_created_timestamp_seconds")

    def created(key: dict[str, Any]) -> float:
        moment = datetime.fromisoformat(key["created_at"])
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()

    operator = await api.operator()
    keys = (await api.http.get("/v1/signing-keys", headers=operator)).json()
    (active,) = [k for k in keys if k["retired_at"] is None]
    assert exported() == pytest.approx(created(active))
    rotated = (await api.http.post("/v1/signing-keys/rotate", headers=operator)).json()
    assert exported() == pytest.approx(created(rotated)) and created(rotated) >= created(active)


async def test_only_the_operator_rotates_keys(api: Api) -> None:
    org = await api.org("acme")
    await api.user(org, "admin@acme.example", ["org_admin"])
    response = await api.http.post("/v1/signing-keys/rotate", headers=await api.login("admin@acme.example"))
    assert response.status_code == 403


# events ------------------------------------------------------------------------------------------------


async def test_registrations_are_announced_through_the_outbox(api: Api) -> None:
    org = await api.org("acme")
    user = await api.user(org, "mia@acme.example", ["mentor"])
    stores = api.app.state.runtime.stores
    async with stores.session(CONSORTIUM) as session:
        org_events = (await session.exec(select(OutboxMessage))).all()
    async with stores.session(org) as session:
        user_events = (await session.exec(select(OutboxMessage))).all()
    assert [(e.ce_type, e.ce_subject, e.tenant_id) for e in org_events] == [
        ("mentornet.org-registered.v1", org, org)
    ]
    assert [(e.ce_type, e.ce_subject, e.tenant_id) for e in user_events] == [
        ("mentornet.user-registered.v1", user, org)
    ]
    assert "mia@acme.example" not in user_events[0].payload


async def test_registrations_reach_the_broker_as_cloudevents(api: Api) -> None:
    org = await api.org("acme")
    user = await api.user(org, "mia@acme.example", ["mentor"])
    records = await read_all(
        api.settings.kafka_bootstrap_servers, api.settings.topic("mentornet.identity"), expect=2
    )
    seen = {header(r, "ce_type"): r for r in records}
    assert set(seen) == {"mentornet.org-registered.v1", "mentornet.user-registered.v1"}
    for record in records:
        assert header(record, "ce_specversion") == "1.0"
        assert header(record, "ce_source") == "/mentornet/identity"
        assert header(record, "ce_tenantid") == org
        assert header(record, "content-type") == "application/json"
        assert (header(record, "traceparent") or "").startswith("00-")
    assert seen["mentornet.org-registered.v1"].key == org.encode()
    assert seen["mentornet.user-registered.v1"].key == user.encode()
    assert json.loads(seen["mentornet.user-registered.v1"].value) | {"registered_at": "-"} == {
        "user_id": user,
        "org_id": org,
        "roles": ["mentor"],
        "registered_at": "-",
    }


# erasure ---------------------------------------------------------------------------------------------------


async def test_a_person_or_their_org_admin_erases_them_and_the_others_hear_of_it(api: Api) -> None:
    org = await api.org("erase-co", ["erase.example"])
    admin = await api.login_as_new(org, "boss@erase.example", ["org_admin"])
    zed = await api.user(org, "zed@erase.example", ["member"])
    colleague = await api.user(org, "col@erase.example", ["member"])
    not_theirs = await api.http.post(
        f"/v1/orgs/{org}/users/{zed}/erase", headers=await api.login("col@erase.example")
    )
    assert not_theirs.status_code == 404
    assert colleague
    erased = await api.http.post(f"/v1/orgs/{org}/users/{zed}/erase", headers=admin)
    assert erased.status_code == 202 and erased.json()["user_id"] == zed
    again = await api.http.post(f"/v1/orgs/{org}/users/{zed}/erase", headers=admin)
    assert again.status_code == 202  # erasing twice changes nothing
    login = await api.http.post(
        "/v1/token", data={"grant_type": "password", "username": "zed@erase.example", "password": PASSWORD}
    )
    assert login.status_code in (400, 401)
    runtime = api.app.state.runtime
    async with runtime.stores.session(org) as db:
        user = await db.get(User, zed)
        events = (await db.exec(select(OutboxMessage))).all()
    assert user is not None and "zed" not in user.email and user.name == "erased"
    erasures = [json.loads(e.payload) for e in events if e.ce_type == "mentornet.user-erased.v1"]
    assert [e["user_id"] for e in erasures] == [zed]
    # the address is free again: nothing remembers it
    assert await api.user(org, "zed@erase.example", ["member"]) != zed


async def test_a_retried_client_creation_never_replays_its_secret(api: Api) -> None:
    """The Idempotency-Key store kept every POST answer for a day in clear, the "shown once" client secret
    included."""
    from sqlmodel import select

    from mentornet_common.idempotency import IdempotencyRecord

    org = await api.org("keyco")
    admin = await api.login_as_new(org, "boss@keyco.example", ["org_admin"])
    headers = {**admin, "Idempotency-Key": "create-portal-1"}
    first = await api.http.post(f"/v1/orgs/{org}/clients", json={"name": "Portal"}, headers=headers)
    assert first.status_code == 201 and first.headers["cache-control"] == "no-store"
    secret = first.json()["client_secret"]
    again = await api.http.post(f"/v1/orgs/{org}/clients", json={"name": "Portal"}, headers=headers)
    assert again.status_code == 409 and again.headers["idempotent-replayed"] == "true"
    assert "already succeeded" in again.json()["detail"] and secret not in again.text
    async with api.app.state.runtime.stores.session(org) as db:
        kept = (await db.exec(select(IdempotencyRecord))).all()
    assert kept and all(secret not in (record.body or "") for record in kept)
    listed = (await api.http.get(f"/v1/orgs/{org}/clients", headers=admin)).json()["items"]
    assert [c["name"] for c in listed] == ["Portal"]  # created once


@pytest.mark.parametrize("store_backend", ["sqlite"], indirect=True)  # SQLite's EXPLAIN QUERY PLAN
async def test_the_user_list_and_the_purge_of_expired_credentials_go_through_an_index(api: Api) -> None:
    """The purge looked for expired refresh tokens every few seconds in every org's store by reading all of
    them (a row per sign-in and refresh), and a page of users sorted the whole table."""
    org = await api.org("acme")
    admin = await api.login_as_new(org, "ada@acme.example", ["org_admin"])
    growing = (
        "user",
        "refresh_token",
        "sso_login",
        "authorize_request",
        "authorization_code",
        "used_assertion",
    )
    runtime = api.app.state.runtime
    async with runtime.unit_of_work(org) as uow:  # a token that expired a month ago
        long_ago = datetime.now(UTC) - timedelta(days=30)
        token = RefreshToken(
            token_hash="h" * 64, family_id="fam_1", user_id="usr_1", via="password", created_at=long_ago,
            expires_at=long_ago,
        )  # fmt: skip
        uow.session.add(token)
        await uow.commit()
    with full_scans(*growing, "revocation") as scans:
        listed = await api.http.get(f"/v1/orgs/{org}/users", headers=admin)
        assert [u["email"] for u in listed.json()["items"]] == ["ada@acme.example"]
        assert await TimerLoop(runtime, [PURGE_EXPIRED], 60).tick() == 1  # the org's store had one to purge
    assert scans == []
    async with runtime.stores.session(org) as db:
        assert await db.get(RefreshToken, "h" * 64) is None
