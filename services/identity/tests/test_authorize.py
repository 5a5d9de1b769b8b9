"""A browser app signs a person in: authorization code with PKCE (GET/POST /v1/authorize, then /v1/token)."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from identity import authorize
from mentornet_devkit.idp import Account
from mentornet_devkit.idp import sign_in as browser_sign_in

from .conftest import PASSWORD, Api
from .test_sso import World, world  # noqa: F401  (the fixture: real OpenID providers)

CLIENT = "mentornet-console"
REDIRECT = "http://127.0.0.1:8000/auth/callback"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def query(challenge: str, **overrides: Any) -> dict[str, Any]:
    params = {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": REDIRECT,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": "xyz-state",
    }
    return {k: v for k, v in (params | overrides).items() if v is not None}


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, page
    return found.group(1)


async def open_page(api: Api, challenge: str, **overrides: Any) -> dict[str, str]:
    """The sign-in page's hidden fields (its request and CSRF token); the client keeps the cookie."""
    response = await api.http.get("/v1/authorize", params=query(challenge, **overrides))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return {
        "request_id": hidden(response.text, "request_id"),
        "csrf_token": hidden(response.text, "csrf_token"),
    }


async def sign_in(api: Api, form: dict[str, str], email: str, password: str = PASSWORD) -> httpx.Response:
    return await api.http.post("/v1/authorize", data={**form, "username": email, "password": password})


def code_of(response: httpx.Response) -> str:
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    params = parse_qs(location.query)
    assert params["state"] == ["xyz-state"]
    return params["code"][0]


def redeem_form(code: str, verifier: str, **overrides: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": CLIENT,
        "code_verifier": verifier,
    } | overrides


async def person(api: Api, slug: str = "acme") -> tuple[str, str, str]:
    org_id = await api.org(slug)
    email = f"ada@{slug}.example"
    return org_id, email, await api.user(org_id, email, ["member"])


async def a_code(api: Api, email: str) -> tuple[str, str]:
    verifier, challenge = pkce()
    form = await open_page(api, challenge)
    return code_of(await sign_in(api, form, email)), verifier


def refused_page(response: httpx.Response, field: str) -> None:
    """Shown to the person, never redirected."""
    assert response.status_code == 400, response.text
    assert "location" not in response.headers
    assert response.json()["errors"][0]["field"] == field


# the flow ------------------------------------------------------------------------------------------------


async def test_the_whole_flow_signs_the_person_in(api: Api) -> None:
    org_id, email, user_id = await person(api)
    verifier, challenge = pkce()
    page = await api.http.get("/v1/authorize", params=query(challenge))
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy and "script-src" not in policy
    assert "frame-ancestors 'none'" in policy and "form-action 'self' http://127.0.0.1:8000" in policy
    assert "<script" not in page.text and page.headers["cache-control"] == "no-store"
    form = {"request_id": hidden(page.text, "request_id"), "csrf_token": hidden(page.text, "csrf_token")}
    code = code_of(await sign_in(api, form, email))

    answer = await api.http.post("/v1/token", data=redeem_form(code, verifier))
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["refresh_token"] and body["token_type"] == "bearer"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert (claims["sub"], claims["org"], claims["kind"], claims["via"]) == (
        user_id,
        org_id,
        "user",
        "password",
    )
    me = await api.http.get("/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["email"] == email
    refreshed = await api.http.post(
        "/v1/token", data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]}
    )
    assert refreshed.status_code == 200


async def test_a_wrong_code_verifier_gets_no_tokens(api: Api) -> None:
    _, email, _ = await person(api)
    code, _ = await a_code(api, email)
    other_verifier, _ = pkce()
    refused = await api.http.post("/v1/token", data=redeem_form(code, other_verifier))
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_grant")
    assert "code_verifier" in refused.json()["detail"]


async def test_a_code_works_once_and_its_reuse_ends_the_sign_in(api: Api) -> None:
    _, email, _ = await person(api)
    code, verifier = await a_code(api, email)
    first = await api.http.post("/v1/token", data=redeem_form(code, verifier))
    assert first.status_code == 200
    again = await api.http.post("/v1/token", data=redeem_form(code, verifier))
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    # the tokens the first use gave are revoked (RFC 6749 §4.1.2): whoever replays it holds a copy
    refresh = await api.http.post(
        "/v1/token", data={"grant_type": "refresh_token", "refresh_token": first.json()["refresh_token"]}
    )
    assert refresh.status_code == 400
    me = await api.http.get("/v1/me", headers={"Authorization": f"Bearer {first.json()['access_token']}"})
    assert me.status_code == 401


async def test_an_expired_code_gets_no_tokens(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    _, email, _ = await person(api)
    code, verifier = await a_code(api, email)
    later = datetime.now(UTC) + timedelta(seconds=authorize.CODE_TTL_S + 1)
    monkeypatch.setattr(authorize, "_now", lambda: later)
    refused = await api.http.post("/v1/token", data=redeem_form(code, verifier))
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_grant")


async def test_the_redirect_uri_and_client_must_be_those_the_code_was_issued_for(api: Api) -> None:
    _, email, _ = await person(api)
    code, verifier = await a_code(api, email)
    elsewhere = await api.http.post(
        "/v1/token", data=redeem_form(code, verifier, redirect_uri="http://127.0.0.1:8000/auth/other")
    )
    assert (elsewhere.status_code, elsewhere.json()["error"]) == (400, "invalid_grant")
    assert "redirect_uri" in elsewhere.json()["detail"]
    other_client = await api.http.post("/v1/token", data=redeem_form(code, verifier, client_id="another-app"))
    assert (other_client.status_code, other_client.json()["error"]) == (400, "invalid_grant")
    # neither burnt the code for the app it was issued to
    assert (await api.http.post("/v1/token", data=redeem_form(code, verifier))).status_code == 200


# what GET /v1/authorize refuses ------------------------------------------------------------------------


async def test_an_unregistered_redirect_uri_or_client_is_refused_on_the_page(api: Api) -> None:
    _, challenge = pkce()
    for uri in (
        "https://evil.example/cb",
        REDIRECT + "/more",
        REDIRECT + "?x=1",
        "http://127.0.0.1:8000/auth",
    ):
        response = await api.http.get("/v1/authorize", params=query(challenge, redirect_uri=uri))
        refused_page(response, "query.redirect_uri")
    unknown = await api.http.get("/v1/authorize", params=query(challenge, client_id="evil-app"))
    refused_page(unknown, "query.client_id")
    # even with another error: the redirect URI is checked before anything is sent to it
    both = await api.http.get(
        "/v1/authorize",
        params=query(challenge, redirect_uri="https://evil.example/cb", code_challenge_method="plain"),
    )
    refused_page(both, "query.redirect_uri")


async def test_plain_pkce_and_a_missing_challenge_are_refused(api: Api) -> None:
    verifier, challenge = pkce()
    plain = await api.http.get(
        "/v1/authorize", params=query(verifier, code_challenge_method="plain")
    )  # plain: the challenge is the verifier itself
    assert plain.status_code == 302
    sent = parse_qs(urlsplit(plain.headers["location"]).query)
    assert (sent["error"], sent["state"]) == (["invalid_request"], ["xyz-state"])
    assert "code" not in sent
    for overrides in ({"code_challenge_method": None}, {"code_challenge": None}, {"code_challenge": "short"}):
        response = await api.http.get("/v1/authorize", params=query(challenge, **overrides))
        assert response.status_code == 302
        assert parse_qs(urlsplit(response.headers["location"]).query)["error"] == ["invalid_request"]
    implicit = await api.http.get("/v1/authorize", params=query(challenge, response_type="token"))
    assert parse_qs(urlsplit(implicit.headers["location"]).query)["error"] == ["unsupported_response_type"]


# what POST /v1/authorize refuses -----------------------------------------------------------------------


async def test_the_form_needs_its_own_csrf_token_and_cookie(api: Api) -> None:
    _, email, _ = await person(api)
    _, challenge = pkce()
    form = await open_page(api, challenge)
    missing = await api.http.post(
        "/v1/authorize", data={"request_id": form["request_id"], "username": email, "password": PASSWORD}
    )
    assert missing.status_code == 422 and "location" not in missing.headers
    wrong = await sign_in(api, {**form, "csrf_token": secrets.token_urlsafe(32)}, email)
    refused_page(wrong, "body.csrf_token")
    other_form = await open_page(api, challenge)  # another request's token, in this browser
    crossed = await sign_in(api, {**form, "csrf_token": other_form["csrf_token"]}, email)
    refused_page(crossed, "body.csrf_token")
    api.http.cookies.clear()  # the right token, posted from another browser (login CSRF)
    elsewhere = await sign_in(api, other_form, email)
    refused_page(elsewhere, "cookie")


async def test_a_wrong_password_gets_no_code_and_is_throttled_like_the_password_grant(api: Api) -> None:
    _, email, _ = await person(api)
    _, challenge = pkce()
    form = await open_page(api, challenge)
    for _ in range(api.settings.login_failures_per_account):
        wrong = await sign_in(api, form, email, "not the password!")
        assert wrong.status_code == 200 and "location" not in wrong.headers
        assert "username or password is wrong" in wrong.text
    locked = await sign_in(api, form, email)
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    # the same counters as the password grant's
    grant = await api.http.post(
        "/v1/token", data={"grant_type": "password", "username": email, "password": PASSWORD}
    )
    assert grant.status_code == 429


async def test_a_deactivated_person_gets_no_code_nor_tokens(api: Api) -> None:
    org_id, email, user_id = await person(api)
    admin = await api.login_as_new(org_id, "boss@acme.example", ["member", "org_admin"])
    code, verifier = await a_code(api, email)  # issued while still active
    deactivated = await api.http.post(f"/v1/orgs/{org_id}/users/{user_id}/deactivate", headers=admin)
    assert deactivated.status_code == 200
    _, challenge = pkce()
    form = await open_page(api, challenge)
    refused = await sign_in(api, form, email)
    assert refused.status_code == 200 and "location" not in refused.headers
    assert "deactivated" in refused.text
    late = await api.http.post("/v1/token", data=redeem_form(code, verifier))
    assert (late.status_code, late.json()["error"]) == (400, "invalid_grant")


async def test_a_finished_sign_in_cannot_be_submitted_again(api: Api) -> None:
    _, email, _ = await person(api)
    _, challenge = pkce()
    form = await open_page(api, challenge)
    code_of(await sign_in(api, form, email))
    api.http.cookies.set(authorize.CSRF_COOKIE, form["csrf_token"], domain="identity", path="/v1/authorize")
    again = await sign_in(api, form, email)
    refused_page(again, "body.request_id")


async def test_the_worker_purges_requests_and_codes_that_expired(api: Api) -> None:
    from sqlmodel import select

    from identity.models import AuthorizationCode, AuthorizeRequest
    from identity.timers import PURGE_EXPIRED
    from mentornet_common.timers import TimerLoop

    _, email, _ = await person(api)
    await a_code(api, email)
    _, challenge = pkce()
    await open_page(api, challenge)
    runtime = api.app.state.runtime
    later = datetime.now(UTC) + timedelta(days=1)
    await TimerLoop(runtime, [PURGE_EXPIRED], 1.0).tick(now=datetime.now(UTC))
    async with runtime.stores.session("consortium") as db:
        assert (await db.exec(select(AuthorizationCode))).all() != []
        assert (await db.exec(select(AuthorizeRequest))).all() != []
    assert await TimerLoop(runtime, [PURGE_EXPIRED], 1.0).tick(now=later) >= 1
    async with runtime.stores.session("consortium") as db:
        assert (await db.exec(select(AuthorizationCode))).all() == []
        assert (await db.exec(select(AuthorizeRequest))).all() == []


# through the org's own provider --------------------------------------------------------------------------


async def test_the_page_offers_the_orgs_single_sign_on_and_it_comes_back_with_a_code(
    world: World,  # noqa: F811  (the fixture test_sso defines)
) -> None:
    world.providers.add_account("acme", Account("sso-ann", "ann@acme.example", "Ann", "Ann", "A", True, []))
    assert (await world.configure("acme")).status_code == 200
    verifier, challenge = pkce()
    page = await world.http.get("/v1/authorize", params=query(challenge, org="acme"))
    assert page.status_code == 200, page.text
    link = re.search(r'href="(authorize/sso\?[^"]+)"', page.text)
    assert link, page.text
    start = "/v1/" + link.group(1).replace("&amp;", "&")
    back = await browser_sign_in(world.http, start, "sso-ann", stop_at=[REDIRECT])
    code = code_of(back)
    answer = await world.http.post("/v1/token", data=redeem_form(code, verifier))
    assert answer.status_code == 200, answer.text
    claims = jwt.decode(answer.json()["access_token"], options={"verify_signature": False})
    me = await world.http.get("/v1/me", headers={"Authorization": f"Bearer {answer.json()['access_token']}"})
    assert (me.json()["email"], claims["via"]) == ("ann@acme.example", "sso")
    # the link works only in the browser that opened the page (it holds the request's CSRF cookie)
    page = await world.http.get("/v1/authorize", params=query(challenge, org="acme"))
    link = re.search(r'href="(authorize/sso\?[^"]+)"', page.text)
    assert link
    world.http.cookies.clear()
    elsewhere = await world.http.get("/v1/" + link.group(1).replace("&amp;", "&"))
    refused_page(elsewhere, "cookie")
