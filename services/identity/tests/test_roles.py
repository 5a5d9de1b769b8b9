"""An org_admin changes a person's roles: PUT /v1/orgs/{org_id}/users/{user_id}/roles."""

from __future__ import annotations

from typing import Any

from .conftest import Api

SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
SCIM_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


async def put_roles(api: Api, org: str, user: str, roles: list[str], headers: dict[str, str]) -> Any:
    return await api.http.put(f"/v1/orgs/{org}/users/{user}/roles", json={"roles": roles}, headers=headers)


async def test_an_org_admin_changes_a_persons_roles_and_a_lost_role_ends_their_tokens(api: Api) -> None:
    org = await api.org("acme")
    await api.user(org, "admin@acme.example", ["org_admin"])
    mia = await api.user(org, "mia@acme.example", ["member", "mentor"])
    admin = await api.login("admin@acme.example")

    made_admin = await put_roles(api, org, mia, ["org_admin", "mentor"], admin)
    assert made_admin.status_code == 200, made_admin.text
    assert made_admin.json()["roles"] == ["member", "mentor", "org_admin"]  # member is always kept
    as_mia = await api.login("mia@acme.example")
    assert (await api.http.get("/v1/me", headers=as_mia)).json()["roles"] == ["member", "mentor", "org_admin"]

    taken = await put_roles(api, org, mia, ["member"], admin)
    assert taken.json()["roles"] == ["member"]
    assert (await api.http.get("/v1/me", headers=as_mia)).status_code == 401  # her token carried org_admin
    listed = (await api.http.get(f"/v1/orgs/{org}/users", headers=admin)).json()["items"]
    assert {u["email"]: u["roles"] for u in listed}["mia@acme.example"] == ["member"]


async def test_roles_are_checked_naming_the_field(api: Api) -> None:
    org = await api.org("acme")
    await api.user(org, "admin@acme.example", ["org_admin"])
    mia = await api.user(org, "mia@acme.example", ["member"])
    admin = await api.login("admin@acme.example")
    for roles in (["operator"], [], ["owner"]):
        refused = await put_roles(api, org, mia, roles, admin)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"].startswith("body.roles")
    missing = await put_roles(api, org, "usr_nobody", ["member"], admin)
    assert missing.status_code == 404


async def test_the_org_keeps_an_active_org_admin(api: Api) -> None:
    org = await api.org("acme")
    ada = await api.user(org, "ada@acme.example", ["org_admin"])
    admin = await api.login("ada@acme.example")

    alone = await put_roles(api, org, ada, ["member"], admin)
    assert alone.status_code == 409
    assert alone.json()["errors"][0]["field"] == "body.roles"
    assert "no active org_admin" in alone.json()["detail"]

    bo = await api.user(org, "bo@acme.example", ["org_admin"])
    deactivated = await api.http.post(f"/v1/orgs/{org}/users/{bo}/deactivate", headers=admin)
    assert deactivated.status_code == 200
    assert (await put_roles(api, org, ada, ["member"], admin)).status_code == 409  # Bo cannot sign in
    await api.http.post(f"/v1/orgs/{org}/users/{bo}/activate", headers=admin)
    stepped_down = await put_roles(api, org, ada, ["member", "mentor"], admin)
    assert stepped_down.status_code == 200, stepped_down.text
    assert (await api.http.get("/v1/me", headers=admin)).status_code == 401


async def test_another_orgs_admin_a_member_and_api_clients_are_refused(api: Api) -> None:
    acme, globex = await api.org("acme"), await api.org("globex")
    await api.user(acme, "admin@acme.example", ["org_admin"])
    await api.user(globex, "admin@globex.example", ["org_admin"])
    mia = await api.user(acme, "mia@acme.example", ["member"])
    intruder = await api.login("admin@globex.example")

    assert (await put_roles(api, acme, mia, ["org_admin"], intruder)).status_code == 404
    assert (await put_roles(api, globex, mia, ["org_admin"], intruder)).status_code == 404
    as_mia = await api.login("mia@acme.example")
    assert (await put_roles(api, acme, mia, ["org_admin"], as_mia)).status_code == 403

    admin = await api.login("admin@acme.example")
    made = await api.http.post(
        f"/v1/orgs/{acme}/clients",
        json={"name": "HR system", "scopes": ["users:read", "users:write"]},
        headers=admin,
    )
    client = made.json()
    token = await api.http.post(
        "/v1/token",
        data={"grant_type": "client_credentials"},
        auth=(client["client_id"], client["client_secret"]),
    )
    as_client = {"Authorization": f"Bearer {token.json()['access_token']}"}
    refused = await put_roles(api, acme, mia, ["mentor"], as_client)
    assert refused.status_code == 403
    listed = (await api.http.get(f"/v1/orgs/{acme}/users", headers=admin)).json()["items"]
    assert {u["email"]: u["roles"] for u in listed}["mia@acme.example"] == ["member"]


async def test_a_role_the_identity_providers_groups_give_is_not_changed_by_hand(api: Api) -> None:
    org = await api.org("acme")
    await api.user(org, "admin@acme.example", ["org_admin"])
    admin = await api.login("admin@acme.example")
    mapping = await api.http.put(
        f"/v1/orgs/{org}/settings", json={"group_roles": {"Mentors": "mentor"}}, headers=admin
    )
    assert mapping.status_code == 200, mapping.text
    made = await api.http.post(
        f"/v1/orgs/{org}/clients", json={"name": "IdP", "scopes": ["scim"]}, headers=admin
    )
    client = made.json()
    token = await api.http.post(
        "/v1/token",
        data={"grant_type": "client_credentials"},
        auth=(client["client_id"], client["client_secret"]),
    )
    idp = {"Authorization": f"Bearer {token.json()['access_token']}"}
    provisioned = await api.http.post(
        "/scim/v2/Users",
        json={"schemas": [SCIM_USER], "userName": "zoe@acme.example", "externalId": "zoe-1", "active": True},
        headers=idp,
    )
    assert provisioned.status_code == 201, provisioned.text
    zoe = provisioned.json()["id"]
    grouped = await api.http.post(
        "/scim/v2/Groups",
        json={"schemas": [SCIM_GROUP], "displayName": "Mentors", "members": [{"value": zoe}]},
        headers=idp,
    )
    assert grouped.status_code == 201, grouped.text

    refused = await put_roles(api, org, zoe, ["member"], admin)  # the Mentors group gives her mentor
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["field"] == "body.roles"
    assert "mentor" in refused.json()["errors"][0]["message"]
    unmapped = await put_roles(api, org, zoe, ["member", "mentor", "org_admin"], admin)  # no group gives it
    assert unmapped.status_code == 200, unmapped.text

    seated = await api.user(org, "max@acme.example", ["member"])  # seated by hand: the admin's to change
    assert (await put_roles(api, org, seated, ["mentor"], admin)).json()["roles"] == ["member", "mentor"]
