"""What a consortium operator does to member orgs and their people: suspends an org (no tokens for anyone
of it, theirs refused, nothing deleted; resuming opens sign-in again — the attack across every service is in
tests/e2e/test_operations.py), finds an account by email, deactivates a person."""

from __future__ import annotations

from typing import Any

from identity.models import User
from mentornet_common.tenancy import CONSORTIUM
from mentornet_devkit.testing import outbox_events

from .conftest import PASSWORD, Api


async def a_client(api: Api, org: str, admin: dict[str, str]) -> dict[str, Any]:
    created = await api.http.post(
        f"/v1/orgs/{org}/clients", json={"name": "HR portal", "scopes": ["users:read"]}, headers=admin
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


async def client_token(api: Api, client: dict[str, Any]) -> Any:
    return await api.http.post(
        "/v1/token",
        data={"grant_type": "client_credentials", "client_id": client["client_id"],
              "client_secret": client["client_secret"]},
    )  # fmt: skip


async def test_a_suspended_orgs_people_and_clients_get_no_tokens_and_theirs_are_refused(api: Api) -> None:
    org = await api.org("acme")
    other = await api.org("globex")
    admin = await api.login_as_new(org, "admin@acme.example", ["org_admin"])
    ann_id = await api.user(org, "ann@acme.example", ["member"])
    member = await api.login("ann@acme.example")
    elsewhere = await api.login_as_new(other, "bob@globex.example", ["member"])
    client = await a_client(api, org, admin)
    assert (await client_token(api, client)).status_code == 200
    signed_in = await api.http.post(
        "/v1/token", data={"grant_type": "password", "username": "ann@acme.example", "password": PASSWORD}
    )
    refresh = signed_in.json()["refresh_token"]

    suspended = await api.http.post(f"/v1/orgs/{org}/suspend", headers=await api.operator())
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["suspended_at"] is not None

    # tokens issued before are refused, here at once and by every service within a poll (e2e)
    for headers in (admin, member):
        refused = await api.http.get("/v1/me", headers=headers)
        assert refused.status_code == 401
        assert "the org is suspended" in refused.json()["detail"]
    assert (await api.http.get("/v1/me", headers=elsewhere)).status_code == 200

    # and none is issued: password, client credentials, refresh
    password = await api.http.post(
        "/v1/token", data={"grant_type": "password", "username": "ann@acme.example", "password": PASSWORD}
    )
    assert (password.status_code, password.json()["error"]) == (400, "invalid_grant")
    assert password.json()["detail"] == "the org is suspended"
    for refused in (
        await client_token(api, client),
        await api.http.post("/v1/token", data={"grant_type": "refresh_token", "refresh_token": refresh}),
    ):
        assert refused.status_code == 400, refused.text
    assert (await client_token(api, client)).json()["detail"] == "the org is suspended"

    # nothing is deleted: its people are as they were, the registry still lists it
    async with api.app.state.runtime.stores.session(org) as session:
        ann = await session.get(User, ann_id)
    assert ann is not None and ann.active and ann.email == "ann@acme.example"
    listed = await api.http.get(f"/v1/orgs/{org}", headers=await api.operator())
    assert listed.status_code == 200 and listed.json()["suspended_at"] == suspended.json()["suspended_at"]
    events = await outbox_events(api.app.state.runtime, CONSORTIUM)  # announced, as org-registered is
    assert [p["org_id"] for t, p in events if t == "mentornet.org-suspended.v1"] == [org]

    # resuming opens sign-in again; what was issued before the suspension stays refused
    resumed = await api.http.post(f"/v1/orgs/{org}/resume", headers=await api.operator())
    assert resumed.status_code == 200 and resumed.json()["suspended_at"] is None
    assert (await api.http.get("/v1/me", headers=member)).status_code == 401
    fresh = await api.login("ann@acme.example")
    assert (await api.http.get("/v1/me", headers=fresh)).status_code == 200
    assert (await client_token(api, client)).status_code == 200
    resumes = await outbox_events(api.app.state.runtime, CONSORTIUM)
    assert [p["org_id"] for t, p in resumes if t == "mentornet.org-resumed.v1"] == [org]


async def test_only_an_operator_suspends_or_resumes_an_org(api: Api) -> None:
    org = await api.org("acme")
    admin = await api.login_as_new(org, "admin@acme.example", ["org_admin"])
    member = await api.login_as_new(org, "ann@acme.example", ["member"])
    client = await a_client(api, org, admin)
    own = {"Authorization": f"Bearer {(await client_token(api, client)).json()['access_token']}"}
    for action in ("suspend", "resume"):
        for headers in (admin, member, own):
            refused = await api.http.post(f"/v1/orgs/{org}/{action}", headers=headers)
            assert refused.status_code == 403, refused.text
    assert (await api.http.get("/v1/me", headers=member)).status_code == 200
    unknown = await api.http.post("/v1/orgs/org_nobody/suspend", headers=await api.operator())
    assert unknown.status_code == 404


async def test_an_operator_finds_a_person_by_email_and_deactivates_them(api: Api) -> None:
    org = await api.org("acme")
    ann_id = await api.user(org, "ann@acme.example", ["member"])
    ann = await api.login("ann@acme.example")
    admin = await api.login_as_new(org, "admin@acme.example", ["org_admin"])
    operator = await api.operator()

    found = await api.http.get("/v1/operations/identity/users", params={"email": "ANN@acme.example"},
                               headers=operator)  # fmt: skip
    assert found.status_code == 200, found.text
    assert [(u["id"], u["org_id"], u["active"]) for u in found.json()["items"]] == [(ann_id, org, True)]
    nobody = await api.http.get("/v1/operations/identity/users", params={"email": "no@acme.example"},
                                headers=operator)  # fmt: skip
    assert nobody.json()["items"] == []
    for headers in (admin, ann):
        refused = await api.http.get(
            "/v1/operations/identity/users", params={"email": "ann@acme.example"}, headers=headers
        )
        assert refused.status_code == 403

    deactivated = await api.http.post(f"/v1/orgs/{org}/users/{ann_id}/deactivate", headers=operator)
    assert deactivated.status_code == 200 and deactivated.json()["active"] is False
    assert (await api.http.get("/v1/me", headers=ann)).status_code == 401
    reactivated = await api.http.post(f"/v1/orgs/{org}/users/{ann_id}/activate", headers=operator)
    assert reactivated.json()["active"] is True
    missing = await api.http.post(f"/v1/orgs/{org}/users/usr_nobody/deactivate", headers=operator)
    assert missing.status_code == 404
