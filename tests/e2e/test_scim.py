"""SCIM 2.0 provisioning (/scim/v2 on identity) against the running system: scim2-tester finds no fault, and
what an IdP provisions is what the org's people are, everywhere (roles, deactivation, erasure)."""

from __future__ import annotations

import asyncio
import itertools
import secrets
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import httpx2
import pytest
from pydantic import Field
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import Required, Schema, ScimProvider, Uniqueness
from scim2_tester import check_server
from scim2_tester.checkers import core_schemas_validation
from scim2_tester.utils import CheckConfig, CheckContext

from identity.scim import ScimGroup, ScimUser, UserEmail
from mentornet_devkit.demo import PASSWORD, Urls, login
from mentornet_devkit.scim_conformance import assert_no_fault

from .conftest import OPERATOR, PERSON_ROUTES, System, seconds_until_refused_everywhere

pytestmark = pytest.mark.e2e

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


# ---------------------------------------------------------------------------------------------------------
# A fresh org for each test: its own domain, an org_admin, and an API client holding the scope scim


@dataclass
class Org:
    id: str
    domain: str
    admin: dict[str, str]
    """The org_admin's headers."""
    client_id: str
    scim: dict[str, str]
    """The headers of the API client's own client_credentials token (scope scim)."""
    base: str
    """The SCIM base URL."""


async def client_token(http: httpx.AsyncClient, urls: Urls, client_id: str, secret: str) -> dict[str, str]:
    response = await http.post(
        f"{urls.identity}/v1/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def new_client(
    http: httpx.AsyncClient, urls: Urls, org: str, admin: dict[str, str], scopes: list[str]
) -> tuple[str, dict[str, str]]:
    """(client id, headers of its client_credentials token)"""
    made = await http.post(
        f"{urls.identity}/v1/orgs/{org}/clients", json={"name": "IdP", "scopes": scopes}, headers=admin
    )
    assert made.status_code == 201, made.text
    client = made.json()
    return client["client_id"], await client_token(http, urls, client["client_id"], client["client_secret"])


async def fresh_org(http: httpx.AsyncClient, urls: Urls, prefix: str = "scim") -> Org:
    ops = await login(http, urls, *OPERATOR)
    tag = secrets.token_hex(4)
    domain = f"{prefix}-{tag}.example"
    made = await http.post(
        f"{urls.identity}/v1/orgs",
        json={"slug": f"{prefix}-{tag}", "name": f"SCIM {tag}", "email_domains": [domain]},
        headers=ops,
    )
    assert made.status_code == 201, made.text
    org = made.json()["id"]
    admin_email = f"admin@{domain}"
    seated = await http.post(
        f"{urls.identity}/v1/orgs/{org}/users",
        json={"email": admin_email, "name": "Admin", "password": PASSWORD, "roles": ["member", "org_admin"]},
        headers=ops,
    )
    assert seated.status_code == 201, seated.text
    admin = await login(http, urls, admin_email, PASSWORD)
    client_id, scim = await new_client(http, urls, org, admin, ["scim"])
    return Org(org, domain, admin, client_id, scim, f"{urls.identity}/scim/v2")


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


# ---------------------------------------------------------------------------------------------------------
# scim2-tester


class Addresses(list[str]):
    """Examples without end for scim2-tester: each address it picks is a new one of the org's domain.

    scim2-tester fills a field with ``random.choice(field.examples)`` when the field has examples: the length
    is as large as can be, and each item asked for is the next ``u<N>@<domain>`` whatever its index, so that
    no two users it creates collide. A list (left empty underneath) so that pydantic, which puts a field's
    examples in its JSON schema, sees ``[]``.
    """

    def __init__(self, domain: str) -> None:
        super().__init__()
        self._domain = domain
        self._numbers = itertools.count(1)

    def __len__(self) -> int:
        return sys.maxsize

    def __getitem__(self, index: Any) -> Any:
        return f"u{next(self._numbers)}@{self._domain}"


def with_examples(model: type[Any], name: str, examples: list[str]) -> Any:
    """The field ``name`` of ``model`` (its default and description), with ``examples``."""
    inherited = model.model_fields[name]
    return Field(inherited.default, description=inherited.description, examples=examples)


def models_for(domain: str) -> tuple[type[ScimUser], type[ScimGroup]]:
    """identity's own User and Group models, whose userName and emails.value are addresses of ``domain``."""
    addresses = Addresses(domain)

    class OrgEmail(UserEmail):
        value: str | None = with_examples(UserEmail, "value", addresses)

    class OrgUser(ScimUser):
        user_name: Annotated[str | None, Required.true, Uniqueness.server] = with_examples(
            ScimUser, "user_name", addresses
        )
        # mypy sees the narrower item type as an incompatible override (when it resolves identity's models).
        emails: list[OrgEmail] | None = with_examples(  # type: ignore[assignment, unused-ignore]
            ScimUser, "emails", []
        )

    return OrgUser, ScimGroup


def attributes_of(schema: Any) -> list[dict[str, Any]]:
    return [attribute.model_dump() for attribute in schema.attributes or []]


async def test_scim2_tester_finds_no_fault_in_the_running_identity(
    system: System, http: httpx.AsyncClient
) -> None:
    """scim2-tester checks identity's /scim/v2 over the org's real directory: no fault. It is told the server
    through identity's own models, whose userName and emails carry addresses of the org's domain as examples
    (its random addresses are rightly refused); the resource types and the ServiceProviderConfig are the
    ones the server publishes. The only checks skipped are POST /.search, which the server answers 501."""
    org = await fresh_org(http, system.urls)
    user_model, group_model = models_for(org.domain)

    with httpx2.Client(base_url=org.base, headers=org.scim, timeout=30) as scim:
        published = SyncSCIMClient(scim)
        published.discover()
        # The models describe what the server publishes, attribute for attribute.
        for model in (user_model, group_model):
            served = scim.get(f"/Schemas/{model.__schema__}")
            assert served.status_code == 200, served.text
            schema = Schema.model_validate(served.json())
            assert attributes_of(model.to_schema()) == attributes_of(schema)
        provider = ScimProvider(
            models=[user_model, group_model],
            resource_types=published.provider.resource_types,
            config=published.provider.config,
            policy=published.provider.policy,
        )
        client = SyncSCIMClient(scim, provider=provider)
        started = time.monotonic()
        results = check_server(client)
        core = core_schemas_validation(CheckContext(client, CheckConfig()))
        took = time.monotonic() - started

    def counts(of: list[Any]) -> dict[str, int]:
        return dict(Counter(result.status.name for result in of))

    print(
        f"\nscim2-tester against the running identity, in {took:.1f} s: check_server {counts(results)}, "
        f"core_schemas_validation {counts(core)}"
    )
    results += core

    assert_no_fault(results)

    # Every person scim2-tester provisioned was of the org's domain, and it deleted (erased) them all.
    users = await http.get(f"{system.urls.identity}/v1/orgs/{org.id}/users?limit=200", headers=org.admin)
    assert users.status_code == 200, users.text
    emails = [user["email"] for user in users.json()["items"]]
    assert [email for email in emails if not email.endswith("@erased.invalid")] == [f"admin@{org.domain}"]
    assert len(emails) > 1
    left = await http.get(f"{org.base}/Users", headers=org.scim)
    assert [user["userName"] for user in left.json()["Resources"]] == [f"admin@{org.domain}"]


# ---------------------------------------------------------------------------------------------------------
# Provisioning, over HTTP


def scim_json(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Content-Type": "application/scim+json"}


async def create_user(http: httpx.AsyncClient, org: Org, user_name: str, **attributes: Any) -> dict[str, Any]:
    body = {"schemas": [USER], "userName": user_name, **attributes}
    response = await http.post(f"{org.base}/Users", json=body, headers=scim_json(org.scim))
    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith("application/scim+json")
    created: dict[str, Any] = response.json()
    assert response.headers["location"] == created["meta"]["location"] == f"{org.base}/Users/{created['id']}"
    return created


async def scim_patch(
    http: httpx.AsyncClient, org: Org, url: str, *operations: dict[str, Any]
) -> httpx.Response:
    body = {"schemas": [PATCH], "Operations": list(operations)}
    return await http.patch(f"{org.base}{url}", json=body, headers=scim_json(org.scim))


async def person(http: httpx.AsyncClient, urls: Urls, org: Org, user_id: str) -> dict[str, Any]:
    """The person as identity's own API answers them to the org_admin."""
    response = await http.get(f"{urls.identity}/v1/orgs/{org.id}/users/{user_id}", headers=org.admin)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def assert_error(response: httpx.Response, status: int, scim_type: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["schemas"] == [ERROR] and body["status"] == str(status)
    if scim_type is not None:
        assert body.get("scimType") == scim_type, body
    return body


async def test_a_provisioned_person_is_a_member_and_groups_give_roles(
    system: System, http: httpx.AsyncClient
) -> None:
    urls = system.urls
    org = await fresh_org(http, urls)
    ada = await create_user(
        http, org, f"Ada.Lovelace@{org.domain.upper()}",
        name={"givenName": "Ada", "familyName": "Lovelace"}, displayName="Ada Lovelace", externalId="idp-ada",
        emails=[{"value": f"ada.lovelace@{org.domain}", "type": "work", "primary": True}],
    )  # fmt: skip
    assert ada["userName"] == f"ada.lovelace@{org.domain}" and ada["externalId"] == "idp-ada"

    listed = await http.get(f"{urls.identity}/v1/orgs/{org.id}/users?limit=200", headers=org.admin)
    assert listed.status_code == 200, listed.text
    mine = [user for user in listed.json()["items"] if user["id"] == ada["id"]]
    assert [(u["email"], u["name"], u["roles"], u["active"]) for u in mine] == [
        (f"ada.lovelace@{org.domain}", "Ada Lovelace", ["member"], True)
    ]

    # The admin maps the IdP's group "Mentors" to the role mentor; the admin, in the group for a while,
    # keeps org_admin, which no group maps to.
    admin_id = next(u["id"] for u in listed.json()["items"] if u["email"] == f"admin@{org.domain}")
    settings = {"email_domains": [org.domain], "group_roles": {"Mentors": "mentor"}}
    put = await http.put(f"{urls.identity}/v1/orgs/{org.id}/settings", json=settings, headers=org.admin)
    assert put.status_code == 200, put.text

    made = await http.post(
        f"{org.base}/Groups",
        json={"schemas": [GROUP], "displayName": "Mentors", "members": [{"value": ada["id"]}]},
        headers=scim_json(org.scim),
    )
    assert made.status_code == 201, made.text
    group = made.json()
    assert (await person(http, urls, org, ada["id"]))["roles"] == ["member", "mentor"]
    user = (await http.get(f"{org.base}/Users/{ada['id']}", headers=org.scim)).json()
    assert [(g["value"], g["display"]) for g in user["groups"]] == [(group["id"], "Mentors")]

    removed = await scim_patch(
        http, org, f"/Groups/{group['id']}", {"op": "remove", "path": f'members[value eq "{ada["id"]}"]'}
    )
    assert removed.status_code == 200, removed.text
    assert (await person(http, urls, org, ada["id"]))["roles"] == ["member"]

    added = await scim_patch(
        http, org, f"/Groups/{group['id']}",
        {"op": "add", "path": "members", "value": [{"value": ada["id"]}, {"value": admin_id}]},
    )  # fmt: skip
    assert added.status_code == 200, added.text
    assert (await person(http, urls, org, ada["id"]))["roles"] == ["member", "mentor"]
    assert (await person(http, urls, org, admin_id))["roles"] == ["member", "mentor", "org_admin"]

    # Renamed to a group no role follows: its members lose mentor, the admin keeps org_admin.
    renamed = await scim_patch(
        http, org, f"/Groups/{group['id']}", {"op": "replace", "path": "displayName", "value": "Alumni"}
    )
    assert renamed.status_code == 200, renamed.text
    # A person who loses a role loses the tokens that carry it: the admin signs in again.
    assert (await http.get(f"{urls.identity}/v1/me", headers=org.admin)).status_code == 401
    org.admin = await login(http, urls, f"admin@{org.domain}", PASSWORD)
    assert (await person(http, urls, org, ada["id"]))["roles"] == ["member"]
    assert (await person(http, urls, org, admin_id))["roles"] == ["member", "org_admin"]

    # A new mapping applies to the groups' members at once, without waiting for a membership change.
    settings["group_roles"] = {"Mentors": "mentor", "Alumni": "mentor"}
    put = await http.put(f"{urls.identity}/v1/orgs/{org.id}/settings", json=settings, headers=org.admin)
    assert put.status_code == 200, put.text
    assert (await person(http, urls, org, ada["id"]))["roles"] == ["member", "mentor"]
    settings["group_roles"] = {"Mentors": "mentor"}
    put = await http.put(f"{urls.identity}/v1/orgs/{org.id}/settings", json=settings, headers=org.admin)
    assert put.status_code == 200, put.text
    org.admin = await login(http, urls, f"admin@{org.domain}", PASSWORD)  # the admin lost mentor, too
    assert (await person(http, urls, org, ada["id"]))["roles"] == ["member"]

    # Deleting a group the mapping names takes its role away too.
    back = await scim_patch(
        http, org, f"/Groups/{group['id']}", {"op": "replace", "path": "displayName", "value": "Mentors"}
    )
    assert back.status_code == 200, back.text
    assert (await person(http, urls, org, ada["id"]))["roles"] == ["member", "mentor"]
    assert (await person(http, urls, org, admin_id))["roles"] == ["member", "mentor", "org_admin"]
    deleted = await http.delete(f"{org.base}/Groups/{group['id']}", headers=org.scim)
    assert deleted.status_code == 204, deleted.text
    assert (await http.get(f"{urls.identity}/v1/me", headers=org.admin)).status_code == 401
    org.admin = await login(http, urls, f"admin@{org.domain}", PASSWORD)
    assert (await person(http, urls, org, ada["id"]))["roles"] == ["member"]
    assert (await person(http, urls, org, admin_id))["roles"] == ["member", "org_admin"]
    assert "groups" not in (await http.get(f"{org.base}/Users/{ada['id']}", headers=org.scim)).json()


async def test_an_address_outside_the_orgs_domains_is_refused_alike_wherever_it_exists(
    system: System, http: httpx.AsyncClient
) -> None:
    urls = system.urls
    org = await fresh_org(http, urls)
    other = await fresh_org(http, urls, "other")
    elsewhere = await create_user(http, other, f"taken@{other.domain}")
    before = (await http.get(f"{org.base}/Users", headers=org.scim)).json()["totalResults"]

    bodies = []
    for address in (f"taken@{other.domain}", f"nobody@{other.domain}", f"nobody@free-{org.domain}"):
        body = {"schemas": [USER], "userName": address, "emails": [{"value": address}]}
        response = await http.post(f"{org.base}/Users", json=body, headers=scim_json(org.scim))
        bodies.append(assert_error(response, 400, "invalidValue"))
        assert address not in response.text
        found = await http.get(
            f"{org.base}/Users", params={"filter": f'userName eq "{address}"'}, headers=org.scim
        )
        assert found.json()["totalResults"] == 0
    assert bodies[0] == bodies[1] == bodies[2]

    # So is any address in emails, beside a userName of the org.
    outside = {
        "schemas": [USER], "userName": f"new@{org.domain}",
        "emails": [{"value": f"new@{org.domain}", "primary": True}, {"value": f"taken@{other.domain}"}],
    }  # fmt: skip
    emails_refused = assert_error(
        await http.post(f"{org.base}/Users", json=outside, headers=scim_json(org.scim)), 400, "invalidValue"
    )
    assert f"@{other.domain}" not in emails_refused["detail"]
    found = await http.get(
        f"{org.base}/Users", params={"filter": f'userName eq "new@{org.domain}"'}, headers=org.scim
    )
    assert found.json()["totalResults"] == 0

    # Moving a person of the org to such an address is refused alike, and leaves them as they were.
    ada = await create_user(http, org, f"ada@{org.domain}")
    for address in (f"taken@{other.domain}", f"nobody@{other.domain}"):
        moved = await scim_patch(
            http, org, f"/Users/{ada['id']}", {"op": "replace", "path": "userName", "value": address}
        )
        assert assert_error(moved, 400, "invalidValue") == bodies[0]
        replaced = await http.put(
            f"{org.base}/Users/{ada['id']}",
            json={"schemas": [USER], "userName": address},
            headers=scim_json(org.scim),
        )
        assert assert_error(replaced, 400, "invalidValue") == bodies[0]
    added = await scim_patch(
        http, org, f"/Users/{ada['id']}",
        {"op": "add", "path": "emails", "value": [{"value": f"nobody@{other.domain}", "type": "home"}]},
    )  # fmt: skip
    assert assert_error(added, 400, "invalidValue") == emails_refused
    unchanged = (await http.get(f"{org.base}/Users/{ada['id']}", headers=org.scim)).json()
    assert unchanged["userName"] == f"ada@{org.domain}" and "emails" not in unchanged

    # A group's member must be a person of the org; the refusal does not echo the id.
    group = {"schemas": [GROUP], "displayName": "Mentors", "members": [{"value": elsewhere["id"]}]}
    refused = await http.post(f"{org.base}/Groups", json=group, headers=scim_json(org.scim))
    assert elsewhere["id"] not in assert_error(refused, 400, "invalidValue")["detail"]
    assert (await http.get(f"{org.base}/Groups", headers=org.scim)).json()["totalResults"] == 0

    assert (await http.get(f"{org.base}/Users", headers=org.scim)).json()["totalResults"] == before + 1
    theirs = (await http.get(f"{other.base}/Users/{elsewhere['id']}", headers=other.scim)).json()
    assert theirs["userName"] == f"taken@{other.domain}"
    # Nor is the other org's person reachable by id from this org.
    assert_error(await http.get(f"{org.base}/Users/{elsewhere['id']}", headers=org.scim), 404)

    # Within the org, a userName is unique whatever its letter case.
    assert_error(
        await http.post(
            f"{org.base}/Users",
            json={"schemas": [USER], "userName": f"ADA@{org.domain}"},
            headers=scim_json(org.scim),
        ),
        409,
        "uniqueness",
    )


async def test_a_person_whose_domain_the_org_let_go_can_still_be_deactivated_and_erased(
    system: System, http: httpx.AsyncClient
) -> None:
    urls = system.urls
    org = await fresh_org(http, urls)
    old = f"old-{org.domain}"
    ops = await login(http, urls, *OPERATOR)  # only the operator changes an org's domains
    domains = await http.put(
        f"{urls.identity}/v1/orgs/{org.id}/settings",
        json={"email_domains": [org.domain, old]},
        headers=ops,
    )
    assert domains.status_code == 200, domains.text
    leaver = await create_user(
        http, org, f"leaver@{old}", emails=[{"value": f"leaver@{old}", "type": "work", "primary": True}]
    )
    domains = await http.put(
        f"{urls.identity}/v1/orgs/{org.id}/settings", json={"email_domains": [org.domain]}, headers=ops
    )
    assert domains.status_code == 200, domains.text

    deactivated = await scim_patch(
        http, org, f"/Users/{leaver['id']}", {"op": "replace", "path": "active", "value": False}
    )
    assert deactivated.status_code == 200, deactivated.text
    assert (await person(http, urls, org, leaver["id"]))["active"] is False
    # A new address in the domain let go is refused, as ever.
    renamed = await scim_patch(
        http, org, f"/Users/{leaver['id']}", {"op": "replace", "path": "userName", "value": f"other@{old}"}
    )
    assert_error(renamed, 400, "invalidValue")
    assert (await http.delete(f"{org.base}/Users/{leaver['id']}", headers=org.scim)).status_code == 204


async def test_values_the_store_cannot_hold_whole_are_refused(
    system: System, http: httpx.AsyncClient
) -> None:
    """Refused with 400 rather than cut, or failing in the database (PostgreSQL's columns are bounded)."""
    org = await fresh_org(http, system.urls)
    headers = scim_json(org.scim)

    async def post(path: str, body: dict[str, Any]) -> httpx.Response:
        return await http.post(f"{org.base}{path}", json=body, headers=headers)

    longest = "x" * 200
    kept = await create_user(http, org, f"kept@{org.domain}", externalId=longest)
    assert kept["externalId"] == longest
    for body in (
        {"schemas": [USER], "userName": f"long@{org.domain}", "externalId": longest + "x"},
        {"schemas": [USER], "userName": f"{'l' * 65}@{org.domain}"},
        {"schemas": [USER], "userName": f"not an address@{org.domain}"},
    ):
        assert_error(await post("/Users", body), 400, "invalidValue")
    assert_error(
        await post("/Groups", {"schemas": [GROUP], "displayName": longest + "x"}), 400, "invalidValue"
    )
    assert_error(
        await post("/Groups", {"schemas": [GROUP], "displayName": "G", "externalId": longest + "x"}),
        400,
        "invalidValue",
    )
    assert (await http.get(f"{org.base}/Users", headers=org.scim)).json()["totalResults"] == 2
    assert (await http.get(f"{org.base}/Groups", headers=org.scim)).json()["totalResults"] == 0

    # A person's name is not an identifier: a long one is cut, as single sign-on does.
    named = await create_user(http, org, f"named@{org.domain}", displayName="N" * 300)
    assert named["displayName"] == "N" * 200
    assert (await person(http, system.urls, org, named["id"]))["name"] == "N" * 200


async def test_filter_by_username_ignores_case_and_pages_do_not_overlap(
    system: System, http: httpx.AsyncClient
) -> None:
    org = await fresh_org(http, system.urls)
    made = [await create_user(http, org, f"{name}@{org.domain}") for name in ("ada", "bob", "cyd", "dee")]

    found = await http.get(
        f"{org.base}/Users", params={"filter": f'userName eq "BOB@{org.domain.upper()}"'}, headers=org.scim
    )
    assert found.status_code == 200, found.text
    assert found.json()["totalResults"] == 1
    assert [user["id"] for user in found.json()["Resources"]] == [made[1]["id"]]

    seen: list[str] = []
    total = None
    for start in (1, 3, 5):
        page = await http.get(f"{org.base}/Users", params={"startIndex": start, "count": 2}, headers=org.scim)
        assert page.status_code == 200, page.text
        listing = page.json()
        assert listing["startIndex"] == start and listing["itemsPerPage"] == len(listing.get("Resources", []))
        total = listing["totalResults"]
        seen += [user["id"] for user in listing.get("Resources", [])]
    assert total == 5  # the org_admin, and the four provisioned
    assert len(seen) == len(set(seen)) == 5
    assert {user["id"] for user in made} <= set(seen)
    only_total = await http.get(f"{org.base}/Users", params={"count": 0}, headers=org.scim)
    assert only_total.status_code == 200, only_total.text
    assert only_total.json()["totalResults"] == 5 and only_total.json().get("Resources", []) == []


async def test_deactivation_over_scim_is_refused_by_every_service_within_seconds(
    system: System, http: httpx.AsyncClient
) -> None:
    urls = system.urls
    org = await fresh_org(http, urls)
    email = f"eve@{org.domain}"
    seated = await http.post(
        f"{urls.identity}/v1/orgs/{org.id}/users",
        json={"email": email, "name": "Eve", "password": PASSWORD},
        headers=org.admin,
    )
    assert seated.status_code == 201, seated.text
    found = await http.get(f"{org.base}/Users", params={"filter": f'userName eq "{email}"'}, headers=org.scim)
    assert [user["id"] for user in found.json()["Resources"]] == [seated.json()["id"]]
    eve_id = seated.json()["id"]

    eve = await login(http, urls, email, PASSWORD)
    for service, path in PERSON_ROUTES.items():
        response = await http.get(f"{getattr(urls, service)}{path}", headers=eve)
        assert response.status_code != 401, (service, response.text)

    deactivated = await scim_patch(
        http, org, f"/Users/{eve_id}", {"op": "replace", "path": "active", "value": False}
    )
    refused = await seconds_until_refused_everywhere(urls, eve)
    assert deactivated.status_code == 200, deactivated.text
    assert deactivated.json()["active"] is False
    print(
        "\nrefused after a SCIM deactivation, in seconds: "
        + ", ".join(f"{service} {seconds:.2f}" for service, seconds in sorted(refused.items()))
        + f"; max {max(refused.values()):.2f}"
    )
    assert set(refused) == set(PERSON_ROUTES)
    assert max(refused.values()) < 5.0, refused

    relogin = await http.post(
        f"{urls.identity}/v1/token", data={"grant_type": "password", "username": email, "password": PASSWORD}
    )
    assert relogin.status_code in (400, 401), relogin.text
    assert (await person(http, urls, org, eve_id))["active"] is False

    reactivated = await scim_patch(
        http, org, f"/Users/{eve_id}", {"op": "replace", "path": "active", "value": True}
    )
    assert reactivated.status_code == 200, reactivated.text
    assert (await person(http, urls, org, eve_id))["active"] is True
    again = await login(http, urls, email, PASSWORD)
    assert (await http.get(f"{urls.profiles}/v1/profiles/me", headers=again)).status_code != 401


async def test_delete_over_scim_erases_the_person(system: System, http: httpx.AsyncClient) -> None:
    urls = system.urls
    org = await fresh_org(http, urls)
    email = f"zed@{org.domain}"
    seated = await http.post(
        f"{urls.identity}/v1/orgs/{org.id}/users",
        json={"email": email, "name": "Zed Zeller", "password": PASSWORD},
        headers=org.admin,
    )
    assert seated.status_code == 201, seated.text
    zed_id = seated.json()["id"]
    zed = await login(http, urls, email, PASSWORD)

    deleted = await http.delete(f"{org.base}/Users/{zed_id}", headers=org.scim)
    assert deleted.status_code == 204 and deleted.content == b""
    assert_error(await http.get(f"{org.base}/Users/{zed_id}", headers=org.scim), 404)
    assert_error(await http.delete(f"{org.base}/Users/{zed_id}", headers=org.scim), 404)
    found = await http.get(f"{org.base}/Users", params={"filter": f'userName eq "{email}"'}, headers=org.scim)
    assert found.json()["totalResults"] == 0

    relogin = await http.post(
        f"{urls.identity}/v1/token", data={"grant_type": "password", "username": email, "password": PASSWORD}
    )
    assert relogin.status_code in (400, 401), relogin.text
    refused = await seconds_until_refused_everywhere(urls, zed)
    assert max(refused.values()) < 5.0, refused
    listed = await http.get(f"{urls.identity}/v1/orgs/{org.id}/users?limit=200", headers=org.admin)
    assert all(user["email"] != email and user["name"] != "Zed Zeller" for user in listed.json()["items"])

    # The address is free again: the IdP may provision it anew, as a new person.
    again = await create_user(http, org, email)
    assert again["id"] != zed_id


async def test_only_an_api_client_holding_scim_may_provision(system: System, http: httpx.AsyncClient) -> None:
    urls = system.urls
    org = await fresh_org(http, urls)
    users = f"{org.base}/Users"

    nobody = await http.get(users)
    assert_error(nobody, 401)
    assert nobody.headers["www-authenticate"].lower().startswith("bearer")
    assert_error(await http.get(users, headers={"Authorization": "Bearer not-a-token"}), 401)

    _, reader = await new_client(http, urls, org.id, org.admin, ["users:read", "users:write"])
    assert_error(await http.get(users, headers=reader), 403)
    assert_error(await http.get(f"{org.base}/ServiceProviderConfig", headers=reader), 403)
    assert_error(await http.get(users, headers=org.admin), 403)  # a person, even the org_admin

    assert (await http.get(users, headers=org.scim)).status_code == 200
    revoked = await http.delete(
        f"{urls.identity}/v1/orgs/{org.id}/clients/{org.client_id}", headers=org.admin
    )
    assert revoked.status_code == 200, revoked.text
    deadline = time.monotonic() + 5
    while (response := await http.get(users, headers=org.scim)).status_code != 401:
        assert time.monotonic() < deadline, response.text
        await asyncio.sleep(0.05)
    assert_error(response, 401)
