"""Single sign-on, token exchange, refresh and revocation, against real OpenID providers (oidc-provider).

identity runs in-process; the providers are real processes on loopback (mentornet_devkit.idp), so every
discovery document, JWKS, authorization code, PKCE check and ID token here is the real thing.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from identity.config import IdentitySettings
from identity.main import create_app
from mentornet_devkit.broker import Broker
from mentornet_devkit.idp import Account, RunningProviders, portal_id_token, portal_redirect_uri, sign_in
from mentornet_devkit.pytest_plugin import isolated_settings

from .conftest import OPERATOR, PASSWORD

PUBLIC = "http://identity.test"
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt"


@dataclass
class World:
    http: httpx.AsyncClient
    providers: RunningProviders
    settings: IdentitySettings
    orgs: dict[str, str]
    admins: dict[str, dict[str, str]]
    app: Any = None

    async def operator(self) -> dict[str, str]:
        return await self.password_login(*OPERATOR)

    async def password_login(self, email: str, password: str = PASSWORD) -> dict[str, str]:
        form = {"grant_type": "password", "username": email, "password": password}
        response = await self.http.post("/v1/token", data=form)
        assert response.status_code == 200, response.text
        return bearer(response.json()["access_token"])

    async def configure(self, org: str, **sso: Any) -> httpx.Response:
        body = {
            "issuer": self.providers.issuer(org).url,
            "client_id": "mentornet",
            "client_secret": f"{org}-mentornet-secret",
            "scopes": ["openid", "email", "profile", "groups"],
            **sso,
        }
        return await self.http.put(f"/v1/orgs/{self.orgs[org]}/sso", json=body, headers=self.admins[org])

    async def client(self, org: str, scopes: list[str], **extra: Any) -> dict[str, Any]:
        response = await self.http.post(
            f"/v1/orgs/{self.orgs[org]}/clients",
            json={"name": f"{org} portal", "scopes": scopes, **extra},
            headers=self.admins[org],
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def exchange(
        self, client: dict[str, Any], token: str, kind: str = ID_TOKEN, **form: str
    ) -> httpx.Response:
        data = {"grant_type": EXCHANGE, "subject_token": token, "subject_token_type": kind, **form}
        auth = (client["client_id"], client["client_secret"])
        return await self.http.post("/v1/token", data=data, auth=auth)

    async def users(self, org: str) -> list[str]:
        listed = await self.http.get(f"/v1/orgs/{self.orgs[org]}/users?limit=200", headers=self.admins[org])
        return sorted(u["email"] for u in listed.json()["items"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def world(
    broker: Broker, identity_providers: RunningProviders, tmp_path: Any, topic_prefix: str
) -> AsyncIterator[World]:
    settings = isolated_settings(
        IdentitySettings,
        {"data_dir": tmp_path, "database_url": ""},
        topic_prefix=topic_prefix,
        kafka_bootstrap_servers=broker.bootstrap_servers,
        operator_email=OPERATOR[0],
        operator_password=OPERATOR[1],
        public_url=PUBLIC,
        sso_providers="loopback",
    )
    for org in ("acme", "globex"):
        identity_providers.add_redirect_uris(org, "mentornet", f"{PUBLIC}/v1/orgs/{org}/sso/callback")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        mounts = {f"{PUBLIC}/": httpx.ASGITransport(app=app)}
        async with httpx.AsyncClient(base_url=PUBLIC, mounts=mounts, timeout=15, trust_env=False) as http:
            world = World(http, identity_providers, settings, {}, {}, app)
            ops = await world.operator()
            for org in ("acme", "globex"):
                made = await http.post(
                    "/v1/orgs",
                    json={"slug": org, "name": org.title(), "email_domains": [f"{org}.example"]},
                    headers=ops,
                )
                assert made.status_code == 201, made.text
                world.orgs[org] = made.json()["id"]
                admin = await http.post(
                    f"/v1/orgs/{world.orgs[org]}/users",
                    json={"email": f"admin@{org}.example", "name": "Admin", "password": PASSWORD,
                          "roles": ["member", "org_admin"]},
                    headers=ops,
                )  # fmt: skip
                assert admin.status_code == 201, admin.text
                world.admins[org] = await world.password_login(f"admin@{org}.example")
                mapped = await http.put(
                    f"/v1/orgs/{world.orgs[org]}/settings",
                    json={"email_domains": [f"{org}.example"], "group_roles": {"mentors": "mentor"}},
                    headers=world.admins[org],
                )
                assert mapped.status_code == 200, mapped.text
            yield world


async def sso_sign_in(world: World, org: str, hint: str) -> httpx.Response:
    return await sign_in(world.http, f"/v1/orgs/{org}/sso/login", hint)


# single sign-on --------------------------------------------------------------------------------------------


async def test_first_sign_in_creates_the_person_and_later_ones_update_name_and_roles(world: World) -> None:
    # A person of this test's own (the providers are shared by the session: their people stay as they are).
    world.providers.add_account(
        "acme", Account("amy", "amy@acme.example", "Amy Archer", "Amy", "A", True, ["mentors"])
    )
    configured = await world.configure("acme")
    assert configured.status_code == 200, configured.text
    assert configured.json()["redirect_uri"] == f"{PUBLIC}/v1/orgs/acme/sso/callback"
    assert "client_secret" not in configured.json()

    first = await sso_sign_in(world, "acme", "amy")
    assert first.status_code == 200, first.text
    assert first.headers["cache-control"] == "no-store"
    tokens = first.json()
    assert tokens["refresh_token"].startswith("mnr.")
    me = (await world.http.get("/v1/me", headers=bearer(tokens["access_token"]))).json()
    assert (me["email"], me["name"], me["roles"]) == ("amy@acme.example", "Amy Archer", ["member", "mentor"])
    assert jwt.decode(tokens["access_token"], options={"verify_signature": False})["via"] == "sso"

    world.providers.add_account(
        "acme", Account("amy", "amy@acme.example", "Amy B. Archer", "Amy", "B", True, [])
    )
    world.http.cookies.clear()
    again = await sso_sign_in(world, "acme", "amy")
    assert again.status_code == 200, again.text
    me = (await world.http.get("/v1/me", headers=bearer(again.json()["access_token"]))).json()
    assert (me["name"], me["roles"]) == ("Amy B. Archer", ["member"])
    # Her first token carried the mentor role she has lost: it no longer counts.
    assert (await world.http.get("/v1/me", headers=bearer(tokens["access_token"]))).status_code == 401
    assert await world.users("acme") == ["admin@acme.example", "amy@acme.example"]


async def test_without_just_in_time_creation_only_known_people_sign_in(world: World) -> None:
    assert (await world.configure("acme", jit_create=False)).status_code == 200
    refused = await sso_sign_in(world, "acme", "alice")
    assert refused.status_code == 403
    assert refused.json()["error"] == "access_denied"
    assert await world.users("acme") == ["admin@acme.example"]

    made = await world.http.post(
        f"/v1/orgs/{world.orgs['acme']}/users",
        json={"email": "Alice@acme.example", "name": "Alice", "roles": ["member"]},
        headers=world.admins["acme"],
    )
    assert made.status_code == 201, made.text
    world.http.cookies.clear()
    linked = await sso_sign_in(world, "acme", "alice")
    assert linked.status_code == 200, linked.text
    me = (await world.http.get("/v1/me", headers=bearer(linked.json()["access_token"]))).json()
    assert me["id"] == made.json()["id"]
    # No password was set: the person signs in only through the provider.
    form = {"grant_type": "password", "username": "alice@acme.example", "password": ""}
    assert (await world.http.post("/v1/token", data=form)).status_code == 400


async def test_bad_single_sign_on_gets_a_clear_problem_and_creates_nothing(world: World) -> None:
    unknown = await world.http.put(
        f"/v1/orgs/{world.orgs['acme']}/sso",
        json={"issuer": "http://127.0.0.1:9/nowhere", "client_id": "x", "client_secret": "y"},
        headers=world.admins["acme"],
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.issuer"
    assert "unknown provider" in unknown.json()["detail"]
    assert (await world.http.get("/v1/orgs/nobody/sso/login")).status_code == 404
    # A slug names the sign-in cookie's path: one that could not be a slug is refused (it was a 500).
    for path in ("/v1/orgs/%C3%92%3A%20x/sso/login", "/v1/orgs/%C3%92%3A%20x/sso/callback?state=s&code=c"):
        weird = await world.http.get(path)
        assert weird.status_code == 422 and weird.json()["errors"][0]["field"] == "path.org_slug", weird.text

    assert (await world.configure("acme")).status_code == 200
    # A person whose address is outside the org's domains: refused, nothing created.
    world.providers.add_account(
        "acme", Account("dave", "dave@elsewhere.example", "Dave", "Dave", "D", True, [])
    )
    outside = await sso_sign_in(world, "acme", "dave")
    assert outside.status_code == 422
    assert outside.json()["errors"][0]["message"] == "the address is not in one of the org's email domains"
    # An address the provider has not verified.
    world.http.cookies.clear()
    unverified = await sso_sign_in(world, "acme", "carol")
    assert (unverified.status_code, unverified.json()["error"]) == (400, "invalid_grant")
    assert await world.users("acme") == ["admin@acme.example"]

    # A callback nobody started, and one replayed.
    forged = await world.http.get("/v1/orgs/acme/sso/callback?state=made-up&code=abc")
    assert (forged.status_code, forged.json()["errors"][0]["field"]) == (400, "query.state")
    world.http.cookies.clear()
    callback = await sign_in(
        world.http, "/v1/orgs/acme/sso/login", "alice", stop_at=[f"{PUBLIC}/v1/orgs/acme/sso/callback"]
    )
    assert callback.status_code in (302, 303)
    done = await world.http.get(callback.headers["location"])
    assert done.status_code == 200, done.text
    replayed = await world.http.get(callback.headers["location"])
    assert replayed.status_code == 400


async def test_an_org_that_turns_passwords_off_signs_in_only_through_its_provider(world: World) -> None:
    assert (await world.configure("acme", allow_passwords=False)).status_code == 200
    form = {"grant_type": "password", "username": "admin@acme.example", "password": PASSWORD}
    refused = await world.http.post("/v1/token", data=form)
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_grant")
    assert "identity provider" in refused.json()["detail"]
    # globex still allows them
    await world.password_login("admin@globex.example")


async def test_removing_single_sign_on_ends_those_sign_ins(world: World) -> None:
    assert (await world.configure("acme")).status_code == 200
    signed_in = (await sso_sign_in(world, "acme", "alice")).json()
    assert (await world.http.get("/v1/me", headers=bearer(signed_in["access_token"]))).status_code == 200
    removed = await world.http.delete(f"/v1/orgs/{world.orgs['acme']}/sso", headers=world.admins["acme"])
    assert removed.status_code == 204
    assert (await world.http.get("/v1/me", headers=bearer(signed_in["access_token"]))).status_code == 401
    refresh = {"grant_type": "refresh_token", "refresh_token": signed_in["refresh_token"]}
    assert (await world.http.post("/v1/token", data=refresh)).status_code == 400
    # The admin's password sign-in is untouched.
    assert (await world.http.get("/v1/me", headers=world.admins["acme"])).status_code == 200


# portals acting for their people ---------------------------------------------------------------------------


async def test_a_portal_exchanges_its_users_id_token_and_acts_for_them(world: World) -> None:
    assert (await world.configure("globex", exchange_audiences=["portal"])).status_code == 200
    portal = await world.client("globex", ["asks:write", "profiles:read"])
    id_token = await portal_id_token(
        world.providers.issuer("globex").url,
        "portal",
        "globex-portal-secret",
        portal_redirect_uri("globex"),
        "bob",
    )
    exchanged = await world.exchange(portal, id_token)
    assert exchanged.status_code == 200, exchanged.text
    body = exchanged.json()
    assert body["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["act"] == {"sub": portal["client_id"]}
    assert (claims["kind"], claims["org"], claims["roles"]) == ("user", world.orgs["globex"], ["member"])
    assert set(claims["scope"].split()) == {"asks:write", "profiles:read"}
    assert "bob@globex.example" in await world.users("globex")  # created on first use (JIT)
    # /v1/me needs users:read, which the portal was not granted.
    me = await world.http.get("/v1/me", headers=bearer(body["access_token"]))
    assert me.status_code == 403
    assert me.json()["missing_scopes"] == ["users:read"]
    assert "users:read" in me.json()["detail"]

    # The same ID token again: a replay.
    replayed = await world.exchange(portal, id_token)
    assert (replayed.status_code, replayed.json()["error"]) == (400, "invalid_grant")
    assert "already exchanged" in replayed.json()["detail"]

    # Only the portal can refresh what it was given, and the refreshed token still acts for bob.
    refresh = {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]}
    assert (await world.http.post("/v1/token", data=refresh)).status_code == 401
    renewed = await world.http.post(
        "/v1/token", data=refresh, auth=(portal["client_id"], portal["client_secret"])
    )
    assert renewed.status_code == 200, renewed.text
    renewed_claims = jwt.decode(renewed.json()["access_token"], options={"verify_signature": False})
    assert (renewed_claims["sub"], renewed_claims["act"]) == (claims["sub"], claims["act"])


async def test_id_tokens_the_org_did_not_vouch_for_are_refused(world: World) -> None:
    assert (await world.configure("acme")).status_code == 200
    assert (await world.configure("globex", exchange_audiences=["portal"])).status_code == 200
    globex_portal = await world.client("globex", ["asks:write"])
    providers = world.providers

    async def refused(token: str, words: str) -> None:
        response = await world.exchange(globex_portal, token)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_grant"), response.text
        assert words in response.json()["detail"]

    # acme's provider vouches for alice: globex's portal cannot use that.
    alice = await portal_id_token(
        providers.issuer("acme").url, "portal", "acme-portal-secret", portal_redirect_uri("acme"), "alice"
    )
    await refused(alice, "another provider")
    # globex's own key, but for an audience globex did not list.
    await refused(
        providers.sign("globex", providers.id_token_claims("globex", "elsewhere", "bob")), "audience"
    )
    # expired an hour ago
    old = providers.id_token_claims(
        "globex", "portal", "bob", iat=int(time.time()) - 7200, exp=int(time.time()) - 3600
    )
    await refused(providers.sign("globex", old), "expired")
    # claims of globex, signed by acme's key (a bad signature for globex's JWKS)
    forged = providers.sign("acme", providers.id_token_claims("globex", "portal", "bob"))
    await refused(forged, "signature")
    # a valid token whose payload was altered afterwards
    header, payload, signature = providers.sign(
        "globex", providers.id_token_claims("globex", "portal", "bob")
    ).split(".")
    altered = json.loads(jwt.utils.base64url_decode(payload))
    altered["email"] = "admin@globex.example"
    tampered = ".".join(
        [header, jwt.utils.base64url_encode(json.dumps(altered).encode()).decode(), signature]
    )
    await refused(tampered, "signature")
    assert await world.users("globex") == ["admin@globex.example"]  # nothing half-created


async def test_a_portal_that_signs_its_own_assertions_acts_only_for_its_own_people(world: World) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = {**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": "portal-1", "alg": "RS256"}
    acme_portal = await world.client("acme", ["asks:write", "users:read"], jwks={"keys": [public]})
    assert (await world.http.post(
        f"/v1/orgs/{world.orgs['acme']}/users",
        json={"email": "ann@acme.example", "name": "Ann", "password": PASSWORD}, headers=world.admins["acme"],
    )).status_code == 201  # fmt: skip

    def assertion(sub: str, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": acme_portal["client_id"], "sub": sub, "aud": f"{PUBLIC}/v1/token", "iat": now,
                "exp": now + 120, "jti": f"j-{time.monotonic_ns()}", **claims}  # fmt: skip
        return jwt.encode(body, key, algorithm="RS256", headers={"kid": "portal-1"})

    acted = await world.exchange(acme_portal, assertion("ann@acme.example"), JWT_TYPE)
    assert acted.status_code == 200, acted.text
    me = (await world.http.get("/v1/me", headers=bearer(acted.json()["access_token"]))).json()
    assert me["email"] == "ann@acme.example"

    # globex's admin exists; acme's portal cannot act for her, by email or by id (the same 403).
    globex_admin = (await world.http.get("/v1/me", headers=world.admins["globex"])).json()
    for sub in ("admin@globex.example", globex_admin["id"], "nobody@acme.example"):
        other = await world.exchange(acme_portal, assertion(sub), JWT_TYPE)
        assert (other.status_code, other.json()["error"]) == (403, "access_denied"), sub
    once = assertion("ann@acme.example")
    assert (await world.exchange(acme_portal, once, JWT_TYPE)).status_code == 200
    assert (await world.exchange(acme_portal, once, JWT_TYPE)).json()["detail"].endswith("(a replay)")
    wrong_audience = await world.exchange(
        acme_portal, assertion("ann@acme.example", aud="https://x"), JWT_TYPE
    )
    assert "audience" in wrong_audience.json()["detail"]
    too_long = await world.exchange(
        acme_portal, assertion("ann@acme.example", exp=int(time.time()) + 3600), JWT_TYPE
    )
    assert "lives too long" in too_long.json()["detail"]
    narrowed = await world.exchange(acme_portal, assertion("ann@acme.example"), JWT_TYPE, scope="asks:write")
    assert narrowed.json()["scope"] == "asks:write"
    wider = await world.exchange(acme_portal, assertion("ann@acme.example"), JWT_TYPE, scope="impact:read")
    assert (wider.status_code, wider.json()["error"]) == (400, "invalid_scope")
    private = {**public, "d": "x", "kid": "leak"}
    leaked = await world.http.post(
        f"/v1/orgs/{world.orgs['acme']}/clients",
        json={"name": "leaky", "jwks": {"keys": [private]}},
        headers=world.admins["acme"],
    )
    assert (leaked.status_code, leaked.json()["errors"][0]["field"]) == (422, "body.jwks.keys.0")


# refresh, revocation, deactivation ---------------------------------------------------------------------


async def test_refresh_tokens_rotate_and_a_reused_one_ends_the_sign_in(world: World) -> None:
    form = {"grant_type": "password", "username": "admin@acme.example", "password": PASSWORD}
    first = (await world.http.post("/v1/token", data=form)).json()
    second = await world.http.post(
        "/v1/token", data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert second.status_code == 200, second.text
    assert second.json()["refresh_token"] != first["refresh_token"]
    # the first one again: someone holds a copy, so the whole sign-in ends
    reused = await world.http.post(
        "/v1/token", data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")
    latest = await world.http.post(
        "/v1/token", data={"grant_type": "refresh_token", "refresh_token": second.json()["refresh_token"]}
    )
    assert latest.status_code == 400
    for token in (first["access_token"], second.json()["access_token"]):
        assert (await world.http.get("/v1/me", headers=bearer(token))).status_code == 401
    made_up = await world.http.post(
        "/v1/token", data={"grant_type": "refresh_token", "refresh_token": "mnr.org_nope.x"}
    )
    assert made_up.status_code == 400


async def test_rfc7009_revocation_of_refresh_and_access_tokens(world: World) -> None:
    form = {"grant_type": "password", "username": "admin@acme.example", "password": PASSWORD}
    issued = (await world.http.post("/v1/token", data=form)).json()
    assert (await world.http.post("/v1/revoke", data={"token": issued["access_token"]})).status_code == 200
    assert (await world.http.get("/v1/me", headers=bearer(issued["access_token"]))).status_code == 401
    assert (await world.http.post("/v1/revoke", data={"token": issued["refresh_token"]})).status_code == 200
    refresh = {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    assert (await world.http.post("/v1/token", data=refresh)).status_code == 400
    assert (await world.http.post("/v1/revoke", data={"token": "not a token"})).status_code == 200
    listed = (await world.http.get("/v1/revocations")).json()["items"]
    assert {entry["kind"] for entry in listed} >= {"token", "session"}


async def test_revoking_a_client_or_deactivating_a_person_ends_their_tokens(world: World) -> None:
    portal = await world.client("acme", ["users:read"])
    own = await world.http.post(
        "/v1/token",
        data={"grant_type": "client_credentials"},
        auth=(portal["client_id"], portal["client_secret"]),
    )
    client_token = bearer(own.json()["access_token"])
    listed = await world.http.get(f"/v1/orgs/{world.orgs['acme']}/users", headers=client_token)
    assert listed.status_code == 200
    revoked = await world.http.delete(
        f"/v1/orgs/{world.orgs['acme']}/clients/{portal['client_id']}", headers=world.admins["acme"]
    )
    assert revoked.status_code == 200
    assert (
        await world.http.get(f"/v1/orgs/{world.orgs['acme']}/users", headers=client_token)
    ).status_code == 401

    made = await world.http.post(
        f"/v1/orgs/{world.orgs['acme']}/users",
        json={"email": "leaver@acme.example", "name": "Leaver", "password": PASSWORD},
        headers=world.admins["acme"],
    )
    leaver = await world.password_login("leaver@acme.example")
    off = await world.http.post(
        f"/v1/orgs/{world.orgs['acme']}/users/{made.json()['id']}/deactivate", headers=world.admins["acme"]
    )
    assert (off.status_code, off.json()["active"]) == (200, False)
    assert (await world.http.get("/v1/me", headers=leaver)).status_code == 401
    form = {"grant_type": "password", "username": "leaver@acme.example", "password": PASSWORD}
    assert (await world.http.post("/v1/token", data=form)).json()["detail"] == "the account is deactivated"
    on = await world.http.post(
        f"/v1/orgs/{world.orgs['acme']}/users/{made.json()['id']}/activate", headers=world.admins["acme"]
    )
    assert on.json()["active"] is True
    await world.password_login("leaver@acme.example")


# scopes ------------------------------------------------------------------------------------------------


async def test_a_client_is_held_to_its_scopes_in_identity(world: World) -> None:
    reader = await world.client("acme", ["users:read"])
    events_only = await world.client("acme", ["events:read"])

    async def token_of(client: dict[str, Any]) -> dict[str, str]:
        response = await world.http.post(
            "/v1/token",
            data={"grant_type": "client_credentials"},
            auth=(client["client_id"], client["client_secret"]),
        )
        return bearer(response.json()["access_token"])

    users_url = f"/v1/orgs/{world.orgs['acme']}/users"
    assert (await world.http.get(users_url, headers=await token_of(reader))).status_code == 200
    denied = await world.http.get(users_url, headers=await token_of(events_only))
    assert denied.status_code == 403
    assert denied.json()["missing_scopes"] == ["users:read"]
    create = await world.http.post(
        users_url,
        json={"email": "x@acme.example", "name": "X", "password": PASSWORD},
        headers=await token_of(reader),
    )
    assert (create.status_code, create.json()["missing_scopes"]) == (403, ["users:write"])
    # A client cannot mint other clients, whatever its scopes.
    minted = await world.http.post(
        f"/v1/orgs/{world.orgs['acme']}/clients", json={"name": "child"}, headers=await token_of(reader)
    )
    assert minted.status_code == 403


# throttling --------------------------------------------------------------------------------------------


async def test_one_attacker_cannot_lock_anyone_else_out(world: World) -> None:
    """Behind the gateway every caller used to be one address: 30 bad guesses by anyone locked every org
    out of /v1/token. Failures now count per real client address, and per account from that address."""
    app = world.app  # the in-process app, seen from two different client addresses

    def from_address(address: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(address, 40000)), base_url=PUBLIC, trust_env=False
        )

    async with from_address("203.0.113.66") as attacker, from_address("198.51.100.7") as victim:
        guess = {"grant_type": "password", "username": "admin@acme.example", "password": "not the password"}
        statuses = [(await attacker.post("/v1/token", data=guess)).status_code for _ in range(6)]
        assert statuses == [400] * 5 + [429]
        right = {**guess, "password": PASSWORD}
        assert (await victim.post("/v1/token", data=right)).status_code == 200
        for i in range(world.settings.login_failures_per_address):
            await attacker.post("/v1/token", data={**guess, "username": f"u{i}@acme.example"})
        assert (
            await attacker.post("/v1/token", data={**guess, "username": "new@acme.example"})
        ).status_code == 429
        assert (await victim.post("/v1/token", data=right)).status_code == 200
        # successes never count against anyone
        for _ in range(10):
            assert (await victim.post("/v1/token", data=right)).status_code == 200


async def test_the_worker_purges_refresh_tokens_and_sign_ins_that_expired(world: World) -> None:
    from sqlmodel import select

    from identity.models import RefreshToken, SsoLogin
    from identity.timers import PURGE_EXPIRED
    from mentornet_common.timers import TimerLoop

    runtime = world.app.state.runtime
    form = {"grant_type": "password", "username": "admin@acme.example", "password": PASSWORD}
    assert (await world.http.post("/v1/token", data=form)).status_code == 200
    assert (await world.configure("acme")).status_code == 200
    assert (await world.http.get("/v1/orgs/acme/sso/login")).status_code == 302
    org = world.orgs["acme"]
    async with runtime.stores.session(org) as db:
        kept = len((await db.exec(select(RefreshToken))).all())
    later = datetime.now(UTC) + timedelta(days=30)
    assert await TimerLoop(runtime, [PURGE_EXPIRED], 1.0).tick(now=datetime.now(UTC)) == 0
    assert await TimerLoop(runtime, [PURGE_EXPIRED], 1.0).tick(now=later) >= 2
    async with runtime.stores.session(org) as db:
        assert (await db.exec(select(RefreshToken))).all() == []
    async with runtime.stores.session("consortium") as db:
        assert (await db.exec(select(SsoLogin))).all() == []
    assert kept >= 2


async def test_an_org_admin_cannot_point_identity_at_internal_addresses(world: World) -> None:
    """identity fetches the URLs an org admin names (discovery, keys, token endpoint): they must never lead
    it to an internal service. Refused before any connection is made."""
    from identity import sso

    async def put(issuer: str) -> httpx.Response:
        body = {"issuer": issuer, "client_id": "x", "client_secret": "y"}
        return await world.http.put(
            f"/v1/orgs/{world.orgs['acme']}/sso", json=body, headers=world.admins["acme"]
        )

    # The embedded default and the tests reach this machine only.
    for issuer in ("http://10.0.0.1", "http://169.254.169.254/latest", "http://[fd00::1]:8080"):
        refused = await put(issuer)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "body.issuer"
        assert "outside this machine" in refused.json()["detail"]

    # Production reaches public addresses only, over https (DNS answers stubbed: nothing leaves the machine).
    answers = {
        "idp.corp.example": ["10.1.2.3"],
        "metadata.example": ["169.254.169.254"],
        "loop.example": ["127.0.0.1"],
        "mixed.example": ["93.184.216.34", "192.168.0.9"],
        "v6.example": ["fe80::1"],
        "nat64.example": ["64:ff9b::a00:1"],
        "sixtofour.example": ["2002:a00:1::1"],
        "public.example": ["93.184.216.34"],
    }

    async def stubbed(host: str, port: int) -> list[str]:
        return answers[host]

    world.app.state.identity.providers = sso.Providers("public", resolve=stubbed)
    for host in [h for h in answers if h != "public.example"]:
        refused = await put(f"https://{host}")
        assert refused.status_code == 422, host
        assert "outside the public internet" in refused.json()["detail"], refused.text
    plain = await put("http://public.example")
    assert plain.status_code == 422 and "is not https" in plain.json()["detail"]
    providers = sso.Providers("public", resolve=stubbed)
    await providers.allowed("https://public.example/.well-known/openid-configuration")  # would be fetched
    assert (
        await world.http.get(f"/v1/orgs/{world.orgs['acme']}/sso", headers=world.admins["acme"])
    ).status_code == 404


async def test_the_embedded_default_looks_up_no_name_for_a_provider() -> None:
    from identity import sso

    looked_up: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        looked_up.append(host)
        return ["127.0.0.1"]

    providers = sso.Providers("loopback", resolve=resolver)
    with pytest.raises(sso.ProviderUnusable, match="outside this machine"):
        await providers.allowed("http://idp.example/.well-known/openid-configuration")
    await providers.allowed("http://localhost:8080/x")
    await providers.allowed("http://127.0.0.1:8080/x")
    assert looked_up == ["localhost", "127.0.0.1"]


async def test_a_code_comes_back_only_to_the_org_and_the_browser_that_started_the_sign_in(
    world: World,
) -> None:
    """The mix-up attack: an admin of org B, with a provider of B's choosing, swaps B's state into a
    victim's sign-in at A; the code A's provider issues must never be redeemed at B's token endpoint."""
    from urllib.parse import parse_qs, urlencode, urlsplit

    assert (await world.configure("acme")).status_code == 200
    assert (await world.configure("globex")).status_code == 200

    async def returned() -> dict[str, str]:
        world.http.cookies.clear()
        back = await sign_in(
            world.http, "/v1/orgs/acme/sso/login", "alice", stop_at=[f"{PUBLIC}/v1/orgs/acme/sso/callback"]
        )
        return {k: v[0] for k, v in parse_qs(urlsplit(back.headers["location"]).query).items()}

    query = await returned()
    assert query["iss"] == world.providers.issuer("acme").url  # the provider says who issued the code
    elsewhere = await world.http.get(f"/v1/orgs/globex/sso/callback?{urlencode(query)}")
    assert elsewhere.status_code == 400 and "another org" in elsewhere.json()["detail"]

    query = await returned()
    mounts = {f"{PUBLIC}/": httpx.ASGITransport(app=world.app)}
    async with httpx.AsyncClient(base_url=PUBLIC, mounts=mounts, trust_env=False) as other_browser:
        stolen = await other_browser.get(f"/v1/orgs/acme/sso/callback?{urlencode(query)}")
    assert stolen.status_code == 400 and "another browser" in stolen.json()["detail"]

    query = await returned()
    mixed = await world.http.get(
        f"/v1/orgs/acme/sso/callback?{urlencode({**query, 'iss': 'https://b.example'})}"
    )
    assert mixed.status_code == 400 and "mix-up" in mixed.json()["detail"]

    query = await returned()
    fine = await world.http.get(f"/v1/orgs/acme/sso/callback?{urlencode(query)}")
    assert fine.status_code == 200, fine.text


async def test_no_api_client_can_configure_the_org_nor_make_an_admin(world: World) -> None:
    """A portal acting for an org_admin passed every admin route that named no scope (it could mint itself
    a client with every scope, or point the org's sign-in at its own provider), and a client holding
    users:write could seat an org_admin with a password."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = {**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": "k", "alg": "RS256"}
    portal = await world.client("acme", ["profiles:read", "users:write"], jwks={"keys": [public]})
    now = int(time.time())
    assertion = jwt.encode(
        {"iss": portal["client_id"], "sub": "admin@acme.example", "aud": f"{PUBLIC}/v1/token", "iat": now,
         "exp": now + 60, "jti": "one"}, key, algorithm="RS256", headers={"kid": "k"},
    )  # fmt: skip
    as_admin = bearer((await world.exchange(portal, assertion, JWT_TYPE)).json()["access_token"])
    org = world.orgs["acme"]
    attempts = [
        ("POST", f"/v1/orgs/{org}/clients", {"name": "everything", "scopes": ["scim", "users:write"]}),
        ("GET", f"/v1/orgs/{org}/clients", None),
        ("PUT", f"/v1/orgs/{org}/settings", {"email_domains": ["acme.example"], "group_roles": {}}),
        (
            "PUT",
            f"/v1/orgs/{org}/sso",
            {"issuer": "http://127.0.0.1:9", "client_id": "x", "client_secret": "y"},
        ),
        ("DELETE", f"/v1/orgs/{org}/sso", None),
    ]
    for method, path, body in attempts:
        answer = await world.http.request(method, path, json=body, headers=as_admin)
        assert answer.status_code == 403, (method, path, answer.text)
        assert "not open to API clients" in answer.json()["detail"]

    own = await world.http.post(
        "/v1/token",
        data={"grant_type": "client_credentials"},
        auth=(portal["client_id"], portal["client_secret"]),
    )
    provisioner = bearer(own.json()["access_token"])
    admin = {"email": "boss2@acme.example", "name": "Boss", "password": PASSWORD, "roles": ["org_admin"]}
    refused = await world.http.post(f"/v1/orgs/{org}/users", json=admin, headers=provisioner)
    assert refused.status_code == 403 and refused.json()["errors"][0]["field"] == "body.roles"
    member = {**admin, "email": "new@acme.example", "roles": ["member"]}
    assert (
        await world.http.post(f"/v1/orgs/{org}/users", json=member, headers=provisioner)
    ).status_code == 201
    admin_id = (await world.http.get("/v1/me", headers=world.admins["acme"])).json()["id"]
    off = await world.http.post(f"/v1/orgs/{org}/users/{admin_id}/deactivate", headers=provisioner)
    assert off.status_code == 403
    assert (await world.http.get("/v1/me", headers=world.admins["acme"])).status_code == 200


async def test_only_the_operator_changes_an_orgs_domains_and_none_is_a_public_mail_service(
    world: World,
) -> None:
    """An org admin (or a portal acting for one) could claim gmail.com or a future member's domain, then
    seat people with those addresses."""
    org = world.orgs["acme"]
    grab = {"email_domains": ["acme.example", "initech.example"], "group_roles": {}}
    refused = await world.http.put(f"/v1/orgs/{org}/settings", json=grab, headers=world.admins["acme"])
    assert refused.status_code == 403 and refused.json()["errors"][0]["field"] == "body.email_domains"
    same = {"email_domains": ["acme.example"], "group_roles": {"mentors": "mentor"}}
    assert (
        await world.http.put(f"/v1/orgs/{org}/settings", json=same, headers=world.admins["acme"])
    ).status_code == 200
    ops = await world.operator()
    public = await world.http.put(
        f"/v1/orgs/{org}/settings", json={"email_domains": ["acme.example", "Gmail.com"]}, headers=ops
    )
    assert public.status_code == 422 and "public mail service" in public.json()["detail"]
    moved = await world.http.put(f"/v1/orgs/{org}/settings", json=grab, headers=ops)
    assert moved.status_code == 200 and moved.json()["email_domains"] == ["acme.example", "initech.example"]
    # Other members see the registry, not the domains.
    listed = (await world.http.get("/v1/orgs", headers=world.admins["globex"])).json()["items"]
    assert {o["id"]: o["email_domains"] for o in listed}[org] == []


async def test_turning_passwords_off_ends_the_password_sign_ins_already_made(world: World) -> None:
    form = {"grant_type": "password", "username": "admin@acme.example", "password": PASSWORD}
    before = (await world.http.post("/v1/token", data=form)).json()
    assert (await world.configure("acme", allow_passwords=False)).status_code == 200
    assert (await world.http.get("/v1/me", headers=bearer(before["access_token"]))).status_code == 401
    renewed = await world.http.post(
        "/v1/token", data={"grant_type": "refresh_token", "refresh_token": before["refresh_token"]}
    )
    assert renewed.status_code == 400


async def test_one_id_token_is_exchanged_once_however_its_signature_is_written(world: World) -> None:
    assert (await world.configure("globex", exchange_audiences=["portal"])).status_code == 200
    portal = await world.client("globex", ["asks:write"])
    id_token = await portal_id_token(
        world.providers.issuer("globex").url,
        "portal",
        "globex-portal-secret",
        portal_redirect_uri("globex"),
        "bob",
    )
    assert (await world.exchange(portal, id_token)).status_code == 200
    padded = await world.exchange(portal, id_token + "==")
    assert padded.status_code == 400 and "already exchanged" in padded.json()["detail"], padded.text


def test_a_changed_mapping_takes_back_the_roles_only_the_old_one_gave() -> None:
    from identity.sso import roles_after

    promoted = ["member", "org_admin"]
    assert roles_after(promoted, ["admins"], {"admins": "mentor"}) == ["member", "mentor", "org_admin"]
    assert roles_after(promoted, ["admins"], {"admins": "mentor"}, frozenset({"org_admin"})) == [
        "member",
        "mentor",
    ]
