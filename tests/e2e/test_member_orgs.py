"""Member orgs plug in, on the running system: their people sign in through their own identity provider,
their portals act for them, scopes bite in every service, and revocation ends access everywhere in seconds.

The identity providers are real (oidc-provider under Node, mentornet_devkit.idp); so are the services.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from mentornet_devkit.demo import PASSWORD, login
from mentornet_devkit.idp import RunningProviders, portal_id_token, portal_redirect_uri, sign_in

from .conftest import OPERATOR, PERSON_ROUTES, System, seconds_until_refused_everywhere

pytestmark = pytest.mark.e2e

EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt"
ASK = {
    "question": "How do I structure a first negotiation with a new supplier?",
    "background": "We buy packaging; the supplier is much larger than us.",
    "success_criteria": "A plan for the first call",
    "skills": ["negotiation"],
    "duration_minutes": 30,
    "scope": "consortium",
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Org:
    """A member org made for one test: its id, its admin's headers, and the calls the tests repeat."""

    def __init__(self, http: httpx.AsyncClient, system: System, org_id: str, slug: str, domain: str) -> None:
        self.http, self.urls, self.id, self.slug, self.domain = http, system.urls, org_id, slug, domain
        self.admin: dict[str, str] = {}

    async def person(self, local: str, roles: list[str] | None = None) -> tuple[str, dict[str, str]]:
        email = f"{local}@{self.domain}"
        made = await self.http.post(
            f"{self.urls.identity}/v1/orgs/{self.id}/users",
            json={"email": email, "name": local.title(), "password": PASSWORD, "roles": roles or ["member"]},
            headers=self.admin,
        )
        assert made.status_code == 201, made.text
        return made.json()["id"], await login(self.http, self.urls, email, PASSWORD)

    async def client(self, scopes: list[str], key: rsa.RSAPrivateKey | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"name": f"portal {secrets.token_hex(2)}", "scopes": scopes}
        if key is not None:
            public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            body["jwks"] = {"keys": [{**public, "kid": "k1", "alg": "RS256"}]}
        made = await self.http.post(
            f"{self.urls.identity}/v1/orgs/{self.id}/clients", json=body, headers=self.admin
        )
        assert made.status_code == 201, made.text
        return dict(made.json())

    async def own_token(self, client: dict[str, Any]) -> dict[str, str]:
        response = await self.http.post(
            f"{self.urls.identity}/v1/token",
            data={"grant_type": "client_credentials"},
            auth=(client["client_id"], client["client_secret"]),
        )
        assert response.status_code == 200, response.text
        return bearer(response.json()["access_token"])

    async def act_for(self, client: dict[str, Any], key: rsa.RSAPrivateKey, person: str) -> httpx.Response:
        """The portal signs an assertion naming ``person`` and exchanges it (RFC 8693 + RFC 7523 style)."""
        now = int(time.time())
        assertion = jwt.encode(
            {"iss": client["client_id"], "sub": person, "aud": f"{self.urls.identity}/v1/token", "iat": now,
             "exp": now + 60, "jti": secrets.token_hex(8)},
            key, algorithm="RS256", headers={"kid": "k1"},
        )  # fmt: skip
        return await self.http.post(
            f"{self.urls.identity}/v1/token",
            data={"grant_type": EXCHANGE, "subject_token": assertion, "subject_token_type": JWT_TYPE},
            auth=(client["client_id"], client["client_secret"]),
        )


async def new_org(http: httpx.AsyncClient, system: System, slug: str, domain: str | None = None) -> Org:
    ops = await login(http, system.urls, *OPERATOR)
    tag = secrets.token_hex(3)
    domain = domain or f"{slug}-{tag}.example"
    made = await http.post(
        f"{system.urls.identity}/v1/orgs",
        json={"slug": f"{slug}-{tag}", "name": slug.title(), "email_domains": [domain]},
        headers=ops,
    )
    assert made.status_code == 201, made.text
    org = Org(http, system, made.json()["id"], made.json()["slug"], domain)
    admin = await http.post(
        f"{system.urls.identity}/v1/orgs/{org.id}/users",
        json={
            "email": f"admin@{domain}",
            "name": "Admin",
            "password": PASSWORD,
            "roles": ["member", "org_admin"],
        },
        headers=ops,
    )
    assert admin.status_code == 201, admin.text
    org.admin = await login(http, system.urls, f"admin@{domain}", PASSWORD)
    return org


async def test_people_sign_in_through_their_orgs_provider_and_portals_act_for_them(
    system: System, identity_providers: RunningProviders
) -> None:
    urls, providers = system.urls, identity_providers
    async with httpx.AsyncClient(timeout=20, trust_env=False) as http:
        acme = await new_org(http, system, "acme", "acme.example")
        globex = await new_org(http, system, "globex", "globex.example")
        for org, extra in ((acme, {}), (globex, {"exchange_audiences": ["portal"]})):
            settings = await http.put(
                f"{urls.identity}/v1/orgs/{org.id}/settings",
                json={"email_domains": [org.domain], "group_roles": {"mentors": "mentor"}},
                headers=org.admin,
            )
            assert settings.status_code == 200, settings.text
            name = org.domain.split(".")[0]
            providers.add_redirect_uris(name, "mentornet", f"{urls.identity}/v1/orgs/{org.slug}/sso/callback")
            sso = await http.put(
                f"{urls.identity}/v1/orgs/{org.id}/sso",
                json={"issuer": providers.issuer(name).url, "client_id": "mentornet",
                      "client_secret": f"{name}-mentornet-secret",
                      "scopes": ["openid", "email", "profile", "groups"], **extra},
                headers=org.admin,
            )  # fmt: skip
            assert sso.status_code == 200, sso.text

        # Org A's provider signs alice in: mentornet tokens, and she posts an ask.
        signed_in = await sign_in(http, f"{urls.identity}/v1/orgs/{acme.slug}/sso/login", "alice")
        assert signed_in.status_code == 200, signed_in.text
        alice = bearer(signed_in.json()["access_token"])
        me = (await http.get(f"{urls.identity}/v1/me", headers=alice)).json()
        assert (me["email"], me["org_id"], me["roles"]) == (
            "alice@acme.example",
            acme.id,
            ["member", "mentor"],
        )
        ask = await http.post(f"{urls.matching}/v1/asks", json=ASK, headers=alice)
        assert ask.status_code == 201, ask.text
        assert ask.json()["mentee_id"] == me["id"]

        # Org B's portal exchanges its user's ID token and acts for her.
        key = rsa.generate_private_key(65537, 2048)
        portal = await globex.client(["asks:write", "asks:read"], key)
        bob_id_token = await portal_id_token(
            providers.issuer("globex").url,
            "portal",
            "globex-portal-secret",
            portal_redirect_uri("globex"),
            "bob",
        )
        exchanged = await http.post(
            f"{urls.identity}/v1/token",
            data={"grant_type": EXCHANGE, "subject_token": bob_id_token, "subject_token_type": ID_TOKEN},
            auth=(portal["client_id"], portal["client_secret"]),
        )
        assert exchanged.status_code == 200, exchanged.text
        bob = bearer(exchanged.json()["access_token"])
        bobs_ask = await http.post(f"{urls.matching}/v1/asks", json=ASK, headers=bob)
        assert bobs_ask.status_code == 201, bobs_ask.text
        read = await http.get(f"{urls.matching}/v1/asks/{bobs_ask.json()['id']}", headers=bob)
        assert read.status_code == 200
        assert read.json()["mentee_org_id"] == globex.id

        # B's portal cannot act for a person of A (403), and an ID token from A's provider is refused for B.
        across = await globex.act_for(portal, key, "alice@acme.example")
        assert (across.status_code, across.json()["error"]) == (403, "access_denied")
        alice_id_token = await portal_id_token(
            providers.issuer("acme").url, "portal", "acme-portal-secret", portal_redirect_uri("acme"), "alice"
        )
        foreign = await http.post(
            f"{urls.identity}/v1/token",
            data={"grant_type": EXCHANGE, "subject_token": alice_id_token, "subject_token_type": ID_TOKEN},
            auth=(portal["client_id"], portal["client_secret"]),
        )
        assert (foreign.status_code, foreign.json()["error"]) == (400, "invalid_grant")
        assert "another provider" in foreign.json()["detail"]


async def test_a_client_is_held_to_its_scopes_in_every_service(system: System) -> None:
    urls = system.urls
    async with httpx.AsyncClient(timeout=20, trust_env=False) as http:
        org = await new_org(http, system, "scoped")
        ann_id, _ = await org.person("ann")
        key = rsa.generate_private_key(65537, 2048)

        writer = await org.client(["asks:write"], key)
        acting = await org.act_for(writer, key, f"ann@{org.domain}")
        assert acting.status_code == 200, acting.text
        posted = await http.post(
            f"{urls.matching}/v1/asks", json=ASK, headers=bearer(acting.json()["access_token"])
        )
        assert posted.status_code == 201, posted.text
        assert posted.json()["mentee_id"] == ann_id

        reader = await org.client(["asks:read"], key)
        read_only = bearer((await org.act_for(reader, key, f"ann@{org.domain}")).json()["access_token"])
        refused = await http.post(f"{urls.matching}/v1/asks", json=ASK, headers=read_only)
        assert refused.status_code == 403
        assert refused.json()["missing_scopes"] == ["asks:write"]
        assert "asks:write" in refused.json()["detail"]
        assert (await http.get(f"{urls.matching}/v1/asks", headers=read_only)).status_code == 200

        # events:read alone reads no profile, acting for a person or not, and manages no webhook.
        feed = await org.client(["events:read"], key)
        feed_token = await org.own_token(feed)
        assert (await http.get(f"{urls.streams}/v1/events", headers=feed_token)).status_code == 200
        for headers in (
            feed_token,
            bearer((await org.act_for(feed, key, f"ann@{org.domain}")).json()["access_token"]),
        ):
            profile = await http.get(f"{urls.profiles}/v1/profiles/{ann_id}", headers=headers)
            assert profile.status_code == 403, profile.text
        hook = await http.post(
            f"{urls.streams}/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=feed_token
        )
        assert (hook.status_code, hook.json()["missing_scopes"]) == (403, ["webhooks:write"])
        # The client's own token is not a person: member routes say how to act for one.
        own = await http.post(f"{urls.matching}/v1/asks", json=ASK, headers=await org.own_token(writer))
        assert own.status_code == 403
        assert "token-exchange" in own.json()["detail"]


async def test_revoking_a_client_ends_its_access_everywhere_within_5_s_and_stops_its_webhooks(
    system: System,
) -> None:
    urls = system.urls
    async with httpx.AsyncClient(timeout=20, trust_env=False) as http:
        org = await new_org(http, system, "revoked")
        await org.person("ann")
        key = rsa.generate_private_key(65537, 2048)
        scopes = ["profiles:read", "asks:read", "sessions:read", "feedback:read", "events:read",
                  "webhooks:read", "webhooks:write", "users:read"]  # fmt: skip
        portal = await org.client(scopes, key)
        acting = bearer((await org.act_for(portal, key, f"ann@{org.domain}")).json()["access_token"])
        own = await org.own_token(portal)
        hook = await http.post(
            f"{urls.streams}/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=own
        )
        assert hook.status_code == 201, hook.text
        for service, path in PERSON_ROUTES.items():
            for headers in (acting, own):
                answer = await http.get(f"{getattr(urls, service)}{path}", headers=headers)
                assert answer.status_code != 401, (service, answer.text)

        revoked = await http.delete(
            f"{urls.identity}/v1/orgs/{org.id}/clients/{portal['client_id']}", headers=org.admin
        )
        assert revoked.status_code == 200, revoked.text
        for headers in (acting, own):
            seconds = await seconds_until_refused_everywhere(urls, headers)
            print(f"revoked client: 401 in every service after {max(seconds.values()):.2f} s {seconds}")
            assert max(seconds.values()) <= 5.0, seconds

        async def hook_stopped() -> dict[str, Any] | None:
            listed = (await http.get(f"{urls.streams}/v1/webhooks", headers=org.admin)).json()["items"]
            found = next(h for h in listed if h["id"] == hook.json()["id"])
            return found if not found["enabled"] else None

        deadline, stopped = time.monotonic() + 30, None
        while stopped is None and time.monotonic() < deadline:
            stopped = await hook_stopped()
        assert stopped is not None, "the revoked client's webhook still delivers"
        assert portal["client_id"] in stopped["disabled_reason"]


async def test_erasing_a_person_ends_their_access_everywhere_within_5_s(system: System) -> None:
    urls = system.urls
    async with httpx.AsyncClient(timeout=20, trust_env=False) as http:
        org = await new_org(http, system, "erased")
        zoe_id, zoe = await org.person("zoe")
        profile = {"display_name": "Zoe", "visibility": "org"}
        assert (
            await http.put(f"{urls.profiles}/v1/profiles/me", json=profile, headers=zoe)
        ).status_code == 200
        erased = await http.post(f"{urls.identity}/v1/orgs/{org.id}/users/{zoe_id}/erase", headers=zoe)
        assert erased.status_code == 202, erased.text
        seconds = await seconds_until_refused_everywhere(urls, zoe)
        print(f"erased person: 401 in every service after {max(seconds.values()):.2f} s {seconds}")
        assert max(seconds.values()) <= 5.0, seconds
        # The erased person's token can no longer re-create and re-share her profile.
        again = await http.put(
            f"{urls.profiles}/v1/profiles/me", json={**profile, "visibility": "consortium"}, headers=zoe
        )
        assert again.status_code == 401


async def test_behind_the_gateway_one_attacker_cannot_lock_out_everyone(system: System) -> None:
    """The gateway sends X-Forwarded-For; identity (uvicorn, proxy headers from trusted loopback) keys its
    login throttle on the real client address and only counts failures."""
    urls = system.urls
    async with httpx.AsyncClient(timeout=20, trust_env=False) as http:
        org = await new_org(http, system, "throttle")
        victim_email = f"admin@{org.domain}"
        attacker, victim = {"X-Forwarded-For": "203.0.113.9"}, {"X-Forwarded-For": "198.51.100.20"}
        statuses = []
        for i in range(31):
            guess = {
                "grant_type": "password",
                "username": f"guess{i}@{org.domain}",
                "password": "wrong guess",
            }
            statuses.append(
                (await http.post(f"{urls.identity}/v1/token", data=guess, headers=attacker)).status_code
            )
        assert statuses[-1] == 429 and set(statuses[:-1]) == {400}
        wrong = {"grant_type": "password", "username": victim_email, "password": "wrong guess"}
        right = {**wrong, "password": PASSWORD}
        assert (await http.post(f"{urls.identity}/v1/token", data=right, headers=victim)).status_code == 200
        # Guessing one account from one address locks that pair only.
        other = {"X-Forwarded-For": "192.0.2.44"}
        for _ in range(5):
            await http.post(f"{urls.identity}/v1/token", data=wrong, headers=other)
        assert (await http.post(f"{urls.identity}/v1/token", data=right, headers=other)).status_code == 429
        assert (await http.post(f"{urls.identity}/v1/token", data=right, headers=victim)).status_code == 200
