"""The test OpenID providers themselves: a real oidc-provider under Node, reached over real HTTP."""

from __future__ import annotations

import secrets
import socket
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse, RedirectResponse

from mentornet_devkit.idp import (
    DEFAULT_SCOPE,
    Account,
    Client,
    IssuerConfig,
    OidcError,
    RunningProviders,
    authorization_code,
    pkce_pair,
    portal_id_token,
    portal_redirect_uri,
    redeem_code,
    sign_in,
    start_providers,
)
from mentornet_devkit.pytest_plugin import require_idp_tools

pytestmark = pytest.mark.integration


def http_client(**kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=10.0, trust_env=False, **kwargs)


def verify(token: str, jwks: dict[str, Any], issuer: str, audience: str) -> dict[str, Any]:
    """What a relying party does with an ID token: the key by kid from the JWKS, then PyJWT."""
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWKSet.from_dict(jwks)[kid]
    claims: dict[str, Any] = jwt.decode(
        token,
        key=key,
        algorithms=["RS256"],
        audience=audience,
        issuer=issuer,
        options={"require": ["exp", "iat", "iss", "aud", "sub"]},
    )
    return claims


async def portal_token(providers: RunningProviders, org: str, login_hint: str, nonce: str, **kw: Any) -> str:
    portal = providers.client(org, "portal")
    return await portal_id_token(
        providers.issuer(org).url,
        portal.client_id,
        portal.client_secret,
        portal.redirect_uris[0],
        login_hint,
        nonce=nonce,
        **kw,
    )


async def test_discovery_of_each_issuer_with_its_own_key(identity_providers: RunningProviders) -> None:
    kids = set()
    moduli = set()
    async with http_client() as http:
        for org in ("acme", "globex"):
            issuer = identity_providers.issuer(org)
            assert issuer.url.startswith("http://127.0.0.1:")
            metadata = (await http.get(issuer.discovery_url)).json()
            assert metadata["issuer"] == issuer.url
            assert metadata["code_challenge_methods_supported"] == ["S256"]
            assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
            assert set(metadata["token_endpoint_auth_methods_supported"]) == {
                "client_secret_basic",
                "client_secret_post",
            }
            assert set(DEFAULT_SCOPE.split()) <= set(metadata["scopes_supported"])
            assert {"email", "email_verified", "name", "groups"} <= set(metadata["claims_supported"])
            keys = (await http.get(metadata["jwks_uri"])).json()["keys"]
            assert [(key["kty"], key["alg"], key["use"]) for key in keys] == [("RSA", "RS256", "sig")]
            assert "d" not in keys[0]
            kids.add(keys[0]["kid"])
            moduli.add(keys[0]["n"])
    assert len(kids) == 2
    assert len(moduli) == 2


async def test_portal_id_token_verifies_against_the_issuers_jwks(
    identity_providers: RunningProviders,
) -> None:
    acme = identity_providers.issuer("acme")
    nonce = secrets.token_urlsafe(8)
    token = await portal_token(identity_providers, "acme", "alice", nonce)

    claims = verify(token, identity_providers.jwks("acme"), acme.url, "portal")

    assert claims["iss"] == acme.url
    assert claims["aud"] == "portal"
    assert claims["sub"] == "alice"
    assert claims["nonce"] == nonce
    assert time.time() < claims["exp"] <= time.time() + 3600
    assert claims["email"] == "alice@acme.example"
    assert claims["email_verified"] is True
    assert claims["name"] == "Alice Archer"
    assert claims["groups"] == ["mentors"]
    # Signed by acme, not by globex.
    with pytest.raises(KeyError):
        verify(token, identity_providers.jwks("globex"), acme.url, "portal")


async def test_scopes_release_only_their_claims(identity_providers: RunningProviders) -> None:
    token = await portal_token(identity_providers, "acme", "alice", "n", scope="openid email")
    claims = verify(token, identity_providers.jwks("acme"), identity_providers.issuer("acme").url, "portal")
    assert claims["email"] == "alice@acme.example"
    assert "groups" not in claims
    assert "name" not in claims


async def test_client_secret_post_and_an_email_as_login_hint(identity_providers: RunningProviders) -> None:
    globex = identity_providers.issuer("globex")
    token = await portal_token(
        identity_providers, "globex", "bob@globex.example", "n", auth="client_secret_post"
    )
    claims = verify(token, identity_providers.jwks("globex"), globex.url, "portal")
    assert (claims["sub"], claims["groups"]) == ("bob", ["mentees"])


async def test_pkce_is_enforced(identity_providers: RunningProviders) -> None:
    acme = identity_providers.issuer("acme")
    portal = identity_providers.client("acme", "portal")
    redirect_uri = portal.redirect_uris[0]
    _, challenge = pkce_pair()
    wrong_verifier, _ = pkce_pair()
    async with http_client() as http:
        code = await authorization_code(
            http, acme.url, "portal", redirect_uri, "alice", code_challenge=challenge, nonce="n"
        )
        with pytest.raises(OidcError) as refused:
            await redeem_code(
                http, acme.url, "portal", portal.client_secret, redirect_uri, code, wrong_verifier
            )
        assert (refused.value.status, refused.value.error) == (400, "invalid_grant")

        # Without a code_challenge the authorization request itself is refused.
        query = {"response_type": "code", "client_id": "portal", "redirect_uri": redirect_uri}
        query |= {"scope": "openid", "state": "s", "nonce": "n", "login_hint": "alice"}
        response = await http.get(f"{acme.authorization_endpoint}?{urlencode(query)}")
        assert response.status_code == 303
        location = response.headers["location"]
        assert location.startswith(redirect_uri)
        answer = parse_qs(urlsplit(location).query)
        assert answer["error"] == ["invalid_request"]
        assert "PKCE" in answer["error_description"][0]


async def test_an_unknown_login_hint_is_refused(identity_providers: RunningProviders) -> None:
    # bob exists, but at globex: each issuer has its own accounts.
    for hint in ("mallory@acme.example", "bob"):
        with pytest.raises(OidcError) as refused:
            await portal_token(identity_providers, "acme", hint, "n")
        assert refused.value.error == "access_denied"
        assert hint in (refused.value.description or "")


async def test_sign_uses_the_issuers_real_key(identity_providers: RunningProviders) -> None:
    acme = identity_providers.issuer("acme")
    jwks = identity_providers.jwks("acme")
    claims = identity_providers.id_token_claims("acme", "mentornet", "alice", nonce="nonce-1")

    token = identity_providers.sign("acme", claims)

    assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "JWT", "kid": jwks["keys"][0]["kid"]}
    assert verify(token, jwks, acme.url, "mentornet") == claims

    expired = identity_providers.sign("acme", {**claims, "exp": int(time.time()) - 60})
    with pytest.raises(jwt.ExpiredSignatureError):
        verify(expired, jwks, acme.url, "mentornet")
    wrong_audience = identity_providers.sign("acme", {**claims, "aud": "someone-else"})
    with pytest.raises(jwt.InvalidAudienceError):
        verify(wrong_audience, jwks, acme.url, "mentornet")
    unknown_kid = identity_providers.sign("acme", claims, header={"kid": "not-in-the-jwks"})
    with pytest.raises(KeyError):
        verify(unknown_kid, jwks, acme.url, "mentornet")


async def test_accounts_added_at_runtime_can_sign_in(identity_providers: RunningProviders) -> None:
    dave = Account("dave", "dave@globex.example", "Dave Doe", "Dave", "Doe", True, ["mentors", "admins"])
    identity_providers.add_account("globex", dave)
    token = await portal_token(identity_providers, "globex", "dave", "n")
    claims = verify(
        token, identity_providers.jwks("globex"), identity_providers.issuer("globex").url, "portal"
    )
    assert claims["email"] == "dave@globex.example"
    assert claims["groups"] == ["mentors", "admins"]


def relying_party(providers: RunningProviders, org: str, base_url: str) -> FastAPI:
    """A minimal relying party, as identity will be one: login redirects to the provider, forwarding
    login_hint; the callback checks state, redeems the code and verifies the ID token's nonce."""
    app = FastAPI()
    issuer = providers.issuer(org)
    client = providers.client(org, "mentornet")
    pending: dict[str, tuple[str, str]] = {}

    @app.get("/login")
    async def login(login_hint: str) -> RedirectResponse:
        state, nonce = secrets.token_urlsafe(8), secrets.token_urlsafe(8)
        verifier, challenge = pkce_pair()
        pending[state] = (nonce, verifier)
        query = {
            "response_type": "code",
            "client_id": client.client_id,
            "redirect_uri": f"{base_url}/callback",
            "scope": DEFAULT_SCOPE,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "login_hint": login_hint,
        }
        return RedirectResponse(f"{issuer.authorization_endpoint}?{urlencode(query)}", status_code=302)

    @app.get("/callback")
    async def callback(state: str, code: str | None = None, error: str | None = None) -> JSONResponse:
        nonce, verifier = pending.pop(state)
        if error is not None:
            return JSONResponse({"error": error}, status_code=403)
        assert code is not None
        async with http_client() as http:
            tokens = await redeem_code(
                http,
                issuer.url,
                client.client_id,
                client.client_secret,
                f"{base_url}/callback",
                code,
                verifier,
            )
        claims = verify(tokens["id_token"], providers.jwks(org), issuer.url, client.client_id)
        assert claims["nonce"] == nonce
        return JSONResponse({"sub": claims["sub"], "email": claims["email"], "groups": claims["groups"]})

    return app


async def test_sign_in_through_a_relying_party(identity_providers: RunningProviders) -> None:
    base_url = f"http://rp-{secrets.token_hex(3)}.test"
    identity_providers.add_redirect_uris("acme", "mentornet", f"{base_url}/callback")
    app = relying_party(identity_providers, "acme", base_url)
    async with http_client(mounts={base_url: httpx.ASGITransport(app=app)}) as browser:
        alice = await sign_in(browser, f"{base_url}/login", "alice")
        assert alice.status_code == 200
        assert alice.json() == {"sub": "alice", "email": "alice@acme.example", "groups": ["mentors"]}
        assert str(alice.url).startswith(f"{base_url}/callback?")

        # Same cookie jar, now signed in at acme as alice: another login_hint signs in someone else.
        carol = await sign_in(browser, f"{base_url}/login?login_hint=carol%40acme.example")
        assert carol.json()["sub"] == "carol"

        mallory = await sign_in(browser, f"{base_url}/login", "mallory@acme.example")
        assert (mallory.status_code, mallory.json()) == (403, {"error": "access_denied"})


async def test_unregistered_redirect_uris_are_refused(identity_providers: RunningProviders) -> None:
    acme = identity_providers.issuer("acme")
    mentornet = identity_providers.client("acme", "mentornet")
    with pytest.raises(OidcError) as refused:
        await portal_id_token(
            acme.url, "mentornet", mentornet.client_secret, "http://127.0.0.1:9/not-registered", "alice"
        )
    assert refused.value.error == "invalid_redirect_uri"


def test_providers_start_with_their_config_and_stop(tmp_path: Path) -> None:
    config = IssuerConfig(
        "initech",
        [Client("portal", "initech-portal-secret", [portal_redirect_uri("initech")])],
        [Account("peter", "peter@initech.example")],
    )
    require_idp_tools()
    started = time.monotonic()
    providers = start_providers([config], tmp_path / "idp.log")
    try:
        assert time.monotonic() - started < 15
        issuer = providers.issuer("initech")
        assert issuer.metadata["issuer"] == issuer.url
        assert providers.urls == {"initech": issuer.url}
        assert providers.id_token_claims("initech", "portal", "peter")["email"] == "peter@initech.example"
    finally:
        providers.stop()
    assert providers.process.returncode == 0
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", issuer.port), timeout=1):
        pass
    assert f"ready initech {issuer.url}" in (tmp_path / "idp.log").read_text()
