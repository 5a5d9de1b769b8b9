"""The console's sign-in and its defences, against fake APIs (an httpx transport that answers as identity
and the services would, and records what the console asked). The real thing: tests/e2e/test_console.py."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from console.config import API_SERVICES, ConsoleSettings
from console.main import create_app
from console.sessions import Refresher, Sealer, Tokens, challenge, safe_next, session_cookie
from fastapi import FastAPI

CONSOLE = "http://127.0.0.1:8000"
ME = {"id": "usr_ann", "org_id": "org_acme", "email": "ann@acme.example", "name": "Ann", "roles": ["member"]}


IMPACT: dict[str, Any] = {
    "scope": "org_acme", "asks_created": 3, "share_of_asks_with_a_proposal": 0.6667, "sessions_completed": 2,
    "average_rating": 4.5, "completion_rate": None, "resolved": {"yes": 1, "partly": 1, "no": 0},
    "weekly": [{"week": "2026-W49", "starts_on": "2026-11-30", "asks_created": 3, "sessions_completed": 2,
                "unique_participants": 4, "average_rating": 4.5}],
}  # fmt: skip


class FakeApis:
    """identity and the services as the console sees them; every request is kept."""

    def __init__(self) -> None:
        self.calls: list[httpx.Request] = []
        self.issued = 0
        self.revoked: list[str] = []
        self.profile: dict[str, Any] | None = None
        self.session: dict[str, Any] = {}
        self.next_offset: int | None = None
        self.identity_down = False
        self.me: dict[str, Any] = ME
        self.dead_letters: dict[str, dict[str, Any]] = {}
        self.acme: dict[str, Any] = {
            "id": "org_acme", "slug": "acme", "name": "Acme", "email_domains": ["acme.example"],
            "suspended_at": None,
        }  # fmt: skip

    def tokens(self) -> dict[str, Any]:
        self.issued += 1
        return {
            "access_token": f"access-{self.issued}-secret",
            "refresh_token": f"refresh-{self.issued}-secret",
            "token_type": "bearer",
            "expires_in": 600,
        }

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        path = request.url.path
        if path == "/v1/token":
            form = parse_qs(request.content.decode())
            if form["grant_type"] == ["refresh_token"] and form["refresh_token"][0] in self.revoked:
                return httpx.Response(
                    400, json={"title": "Invalid grant", "status": 400, "error": "invalid_grant"}
                )
            return httpx.Response(200, json=self.tokens())
        if path == "/v1/revoke" and self.identity_down:
            raise httpx.ConnectError("identity is down", request=request)
        if path == "/v1/revoke":  # a refresh token ends its whole sign-in, access token included
            token = parse_qs(request.content.decode())["token"][0]
            self.revoked += [token, token.replace("refresh-", "access-")]
            return httpx.Response(200)
        auth = request.headers.get("authorization", "")
        if any(auth.endswith(t) for t in self.revoked) or not auth:
            return httpx.Response(401, json={"title": "Unauthorized", "status": 401})
        if path == "/v1/me":
            return httpx.Response(200, json=self.me)
        if (
            path.startswith("/v1/operations/")
            or path in ("/v1/orgs", "/v1/orgs/org_new/users", "/v1/orgs/org_acme", "/v1/orgs/org_new")
            or path.split("/")[-1] in ("suspend", "resume", "offboard")
        ):
            return self.operations(request)
        if path == "/v1/orgs/org_acme/clients" and request.method == "POST":
            asked = json.loads(request.content)
            return httpx.Response(
                201, json={"client_id": "cli_1", "client_secret": "the-client-secret", **asked}
            )
        if path == "/v1/orgs/org_acme/users" and request.method == "POST":
            return httpx.Response(
                422,
                json={"title": "Unprocessable Content", "status": 422, "detail": "body.email: not the org's",
                      "errors": [{"field": "body.email", "message": "not at one of the org's domains"}]},
            )  # fmt: skip
        if path == "/v1/impact":
            return httpx.Response(
                200, json=IMPACT | {"quarter": request.url.params.get("quarter", "2026-Q4")}
            )
        if path in ("/v1/orgs/org_acme/clients", "/v1/orgs/org_acme/users"):
            return httpx.Response(200, json={"items": [], "next_offset": None})
        if path == "/v1/profiles/me" and request.method == "PUT":
            return httpx.Response(
                422,
                json={
                    "title": "Unprocessable Content", "status": 422,
                    "detail": "body.timezone: unknown time zone",
                    "errors": [{"field": "body.timezone", "message": "unknown time zone"}],
                },
            )  # fmt: skip
        if path == "/v1/profiles/me" and self.profile is not None:
            return httpx.Response(200, json=self.profile)
        if path == "/v1/profiles/me":
            return httpx.Response(404, json={"title": "Not Found", "status": 404})
        if path in ("/v1/sessions", "/v1/asks", "/v1/feedback", "/v1/feedback/received", "/v1/follow-ups"):
            return httpx.Response(200, json={"items": [], "next_offset": self.next_offset})
        if self.session and path == f"/v1/sessions/{self.session['id']}" and request.method == "GET":
            return httpx.Response(200, json=self.session)
        if self.session and path.startswith(f"/v1/sessions/{self.session['id']}/"):
            return httpx.Response(200, json=self.session)
        if path == "/v1/suggestions":
            return httpx.Response(200, json={"items": [], "based_on_asks": 0})
        return httpx.Response(404, json={"title": "Not Found", "status": 404})

    def operations(self, request: httpx.Request) -> httpx.Response:
        """The operator API as an operator's token gets it (anyone else's: 403, as the services answer)."""
        if "operator" not in self.me["roles"]:
            return httpx.Response(403, json={"title": "Forbidden", "status": 403})
        path, method = request.url.path, request.method
        if path == "/v1/operations/health":
            return httpx.Response(
                200,
                json={
                    "status": "not ready",
                    "services": [
                        {"service": "identity", "status": "ready", "checks": {"store": "ok"}},
                        {"service": "matching", "status": "not ready", "checks": {"broker": "unavailable"}},
                    ],
                },
            )
        if path == "/v1/orgs" and method == "POST":
            asked = json.loads(request.content)
            if asked["slug"] == "taken":
                return httpx.Response(
                    409,
                    json={"title": "Conflict", "status": 409, "detail": "an org with slug 'taken' exists"},
                )
            return httpx.Response(201, json={"id": "org_new", "suspended_at": None, **asked})
        if path == "/v1/orgs":
            return httpx.Response(200, json={"items": [self.acme], "next_offset": None})
        if path == "/v1/orgs/org_acme":
            return httpx.Response(200, json=self.acme)
        if path == "/v1/orgs/org_new":
            new = {"id": "org_new", "slug": "new", "name": "New", "email_domains": ["new.example"]}
            return httpx.Response(200, json=new | {"suspended_at": None})
        if path in ("/v1/orgs/org_acme/suspend", "/v1/orgs/org_acme/resume"):
            suspended = "2026-12-06T09:00:00Z" if path.endswith("suspend") else None
            self.acme = self.acme | {"suspended_at": suspended}
            return httpx.Response(200, json=self.acme)
        if path == "/v1/orgs/org_acme/offboard":
            if json.loads(request.content).get("slug") != "acme":
                message = "this is not the org's slug: nothing was changed"
                return httpx.Response(
                    422,
                    json={"title": "Unprocessable Content", "status": 422, "detail": f"body.slug: {message}",
                          "errors": [{"field": "body.slug", "message": message}]},
                )  # fmt: skip
            return httpx.Response(
                200, json={"org_id": "org_acme", "slug": "acme", "people": 3, "offboarded_at": "2026-12-06"}
            )
        if path == "/v1/orgs/org_new/users":
            return httpx.Response(201, json={"id": "usr_new", **json.loads(request.content), "active": True})
        service = path.split("/")[3]
        rest = path.split(f"/v1/operations/{service}", 1)[1]
        if rest == "/lag":
            if service == "profiles":
                return httpx.Response(
                    503,
                    json={
                        "title": "Service Unavailable",
                        "status": 503,
                        "detail": "the broker did not answer",
                    },
                )
            return httpx.Response(
                200,
                json={
                    "service": service,
                    "items": [
                        {
                            "group": f"{service}-group",
                            "topic": "asks",
                            "partition": 0,
                            "committed": 5,
                            "end": 9,
                            "lag": 4,
                        }
                    ],
                },
            )
        if rest == "/outbox":
            return httpx.Response(
                200,
                json={
                    "service": service,
                    "unsent": 2,
                    "next_offset": None,
                    "items": [
                        {
                            "tenant": "org_acme",
                            "unsent": 2,
                            "oldest_unsent_at": "2026-12-06T09:00:00Z",
                            "oldest_age_s": 4000.0,
                        }
                    ],
                },
            )
        if rest == "/stores" and "tenant" in request.url.params:  # one org's store: the org's page asks so
            tenant = request.url.params["tenant"]
            held = [{"tenant": tenant, "backend": "sqlite", "size_bytes": 3 * 1024 * 1024}]
            items = held if tenant == "org_acme" else []
            return httpx.Response(200, json={"service": service, "next_offset": None, "items": items})
        if rest == "/stores":  # two pages: the org's store is on the second
            first = request.url.params.get("offset", "0") == "0"
            store = {"tenant": "consortium", "backend": "sqlite", "size_bytes": 4096}
            if not first:
                store = {"tenant": "org_acme", "backend": "sqlite", "size_bytes": 3 * 1024 * 1024}
            return httpx.Response(
                200, json={"service": service, "next_offset": 200 if first else None, "items": [store]}
            )
        mine = {ref: d for ref, d in self.dead_letters.items() if d["service"] == service}
        if rest == "/dead-letters":
            return httpx.Response(
                200,
                json={"service": service, "items": list(mine.values()), "next_offset": 20 if mine else None},
            )
        if rest == "/dead-letters/replay" and method == "POST":
            for ref in mine:
                del self.dead_letters[ref]
            return httpx.Response(200, json={"service": service, "count": len(mine), "refs": list(mine)})
        ref, _, action = rest.removeprefix("/dead-letters/").partition("/")
        if ref not in mine:
            return httpx.Response(
                404,
                json={"title": "Not Found", "status": 404, "detail": f"no dead letter {ref} of {service}"},
            )
        if method == "POST" and action in ("replay", "drop"):
            del self.dead_letters[ref]
            return httpx.Response(200, json={"service": service, "count": 1, "refs": [ref]})
        return httpx.Response(
            200,
            json=mine[ref]
            | {
                "key": "ask_1",
                "headers": {"ce_type": "mentornet.ask.created"},
                "payload": None,
                "text": "<script>not json</script>",
            },
        )

    def asked(self, path: str, method: str | None = None) -> list[httpx.Request]:
        return [c for c in self.calls if c.url.path == path and (method is None or c.method == method)]


@pytest.fixture
def apis() -> FakeApis:
    return FakeApis()


@pytest.fixture
async def app(apis: FakeApis) -> AsyncIterator[FastAPI]:
    made = create_app(ConsoleSettings(), transport=httpx.MockTransport(apis.handler))
    async with made.router.lifespan_context(made):
        yield made


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A browser of the console's origin: it keeps cookies, sends its Origin on forms, follows nothing."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url=CONSOLE, headers={"Origin": CONSOLE}
    ) as client:
        yield client


async def sign_in(browser: httpx.AsyncClient, next_path: str = "/") -> httpx.Response:
    started = await browser.get("/auth/login", params={"next": next_path})
    state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    return await browser.get("/auth/callback", params={"code": "the-code", "state": state})


def csrf_of(page: str) -> str:
    marker = 'name="csrf_token" value="'
    return page.split(marker, 1)[1].split('"', 1)[0]


async def test_sign_in_sends_the_browser_to_identity_with_pkce_and_a_state_and_redeems_the_code(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    started = await browser.get("/auth/login", params={"next": "/asks"})
    assert started.status_code == 303
    target = urlsplit(started.headers["location"])
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert f"{target.scheme}://{target.netloc}{target.path}" == "http://127.0.0.1:8001/v1/authorize"
    assert query["client_id"] == "mentornet-console" and query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == f"{CONSOLE}/auth/callback" and len(query["state"]) >= 32

    back = await browser.get("/auth/callback", params={"code": "the-code", "state": query["state"]})
    assert back.status_code == 303 and back.headers["location"] == "/asks"
    (redeemed,) = apis.asked("/v1/token")
    form = {k: v[0] for k, v in parse_qs(redeemed.content.decode()).items()}
    assert form["grant_type"] == "authorization_code" and form["code"] == "the-code"
    assert challenge(form["code_verifier"]) == query["code_challenge"]  # the verifier of that challenge
    assert (await browser.get("/")).status_code == 200


async def test_a_callback_with_another_state_is_refused_and_no_code_is_redeemed(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    await browser.get("/auth/login")  # this browser's own sign-in, with its own state
    forged = await browser.get("/auth/callback", params={"code": "stolen", "state": "the attacker's"})
    assert forged.status_code == 400 and "Sign-in refused" in forged.text
    no_signin = httpx.AsyncClient(transport=browser._transport, base_url=CONSOLE)
    assert (await no_signin.get("/auth/callback", params={"code": "stolen", "state": "x"})).status_code == 400
    assert apis.asked("/v1/token") == []
    assert session_cookie(ConsoleSettings()) not in browser.cookies


async def test_a_form_without_this_sign_ins_csrf_token_is_refused_and_nothing_is_sent(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    await sign_in(browser)
    forged = await browser.post("/profile", data={"display_name": "Forged"})
    assert forged.status_code == 403
    wrong = await browser.post("/asks", data={"question": "x", "skills": "y", "csrf_token": "0" * 64})
    assert wrong.status_code == 403
    assert apis.asked("/v1/profiles/me", "PUT") == [] and apis.asked("/v1/asks", "POST") == []

    page = (await browser.get("/profile")).text
    await browser.post(
        "/profile", data={"display_name": "Ann", "timezone": "Mars/Base", "csrf_token": csrf_of(page)}
    )
    assert len(apis.asked("/v1/profiles/me", "PUT")) == 1  # with its token, the form goes through


async def test_a_form_another_site_sent_is_refused_whatever_it_carries(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    await sign_in(browser)
    token = csrf_of((await browser.get("/profile")).text)
    for headers in ({"Origin": "https://evil.example"}, {"Origin": CONSOLE, "Sec-Fetch-Site": "cross-site"}):
        refused = await browser.post(
            "/profile", data={"display_name": "x", "csrf_token": token}, headers=headers
        )
        assert refused.status_code == 403
    assert apis.asked("/v1/profiles/me", "PUT") == []


async def test_an_api_refusal_is_shown_from_its_problem_with_the_form_as_sent(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    await sign_in(browser)
    token = csrf_of((await browser.get("/profile")).text)
    answer = await browser.post(
        "/profile",
        data={"display_name": "Ann Weber", "timezone": "Mars/Base", "bio": "kept", "csrf_token": token},
    )
    assert answer.status_code == 422
    assert "unknown time zone" in answer.text and 'role="alert"' in answer.text
    assert 'value="Ann Weber"' in answer.text and ">kept</textarea>" in answer.text  # nothing typed is lost

    unreadable = await browser.post(
        "/profile", data={"display_name": "Ann", "availability": "someday", "csrf_token": token}
    )
    assert unreadable.status_code == 422 and "line 1: write a window as" in unreadable.text


async def test_no_token_reaches_a_page_or_a_cookie_a_script_could_read(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    signed_in = await sign_in(browser)
    cookies = signed_in.headers.get_list("set-cookie")
    session = [c for c in cookies if c.startswith(f"{session_cookie(ConsoleSettings())}=")]
    assert session and all("HttpOnly" in c and "SameSite=lax" in c for c in cookies)
    assert all("secret" not in c for c in cookies)  # sealed: the tokens are not readable in it
    for path in ("/", "/profile", "/asks", "/asks/new", "/sessions", "/auth/login"):
        page = await browser.get(path)
        assert "access-1-secret" not in page.text and "refresh-1-secret" not in page.text


async def test_every_page_carries_a_policy_without_inline_scripts_and_the_usual_headers(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser)
    for path in ("/", "/auth/login", "/static/console.css", "/nowhere"):
        headers = (await browser.get(path)).headers
        policy = dict(d.strip().split(" ", 1) for d in headers["content-security-policy"].split(";"))
        assert policy["script-src"] == "'self'" and "unsafe" not in headers["content-security-policy"]
        assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert (await browser.get("/")).headers["cache-control"] == "no-store"


async def test_pages_need_a_sign_in_and_a_tampered_cookie_is_none(browser: httpx.AsyncClient) -> None:
    answer = await browser.get("/sessions", params={"status": "scheduled"})
    assert (
        answer.status_code == 303
        and answer.headers["location"] == "/auth/login?next=/sessions%3Fstatus%3Dscheduled"
    )
    await sign_in(browser)
    name = session_cookie(ConsoleSettings())
    sealed = browser.cookies[name]
    browser.cookies.set(
        name, sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB"), domain="127.0.0.1"
    )
    assert (await browser.get("/")).status_code == 303


async def test_signing_out_revokes_the_sign_in_so_a_copy_of_the_cookie_is_worthless(
    browser: httpx.AsyncClient, apis: FakeApis, app: FastAPI
) -> None:
    await sign_in(browser)
    copy = dict(browser.cookies)
    token = csrf_of((await browser.get("/")).text)
    out = await browser.post("/auth/logout", data={"csrf_token": token})
    assert out.status_code == 200 and apis.revoked[0] == "refresh-1-secret"
    thief = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=CONSOLE, cookies=copy)
    assert (await thief.get("/")).status_code == 303  # identity refuses the revoked sign-in


async def test_an_expiring_access_token_is_refreshed_once_for_concurrent_requests() -> None:
    refresher, asked = Refresher(), []

    async def redeem(refresh: str) -> dict[str, Any]:
        asked.append(refresh)
        return {"access_token": "new", "refresh_token": "rotated", "expires_in": 600}

    old = Tokens("sid", "old", "first", time.time() + 5, time.time())
    renewed = await asyncio.gather(*(refresher.refresh(old, redeem) for _ in range(5)))
    assert asked == ["first"]  # identity would end the sign-in if the used refresh token came back
    assert {t.access for t in renewed if t} == {"new"} and renewed[0] and renewed[0].refresh == "rotated"
    assert (await refresher.refresh(old, redeem)) == renewed[0] and asked == ["first"]  # a late request too


def test_a_sign_in_leads_only_to_the_consoles_own_pages() -> None:
    for outside in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", ""):
        assert safe_next(outside) == "/"
    assert safe_next("/sessions/ses_1?done=accept") == "/sessions/ses_1?done=accept"


def test_sealed_cookies_expire_with_the_sessions_lifetime() -> None:
    settings = ConsoleSettings(session_max_age_s=300)
    sealer = Sealer(settings)
    fresh = Tokens("sid", "a", "r", time.time() + 600, time.time())
    stale = Tokens("sid", "a", "r", time.time() + 600, time.time() - 301)
    assert sealer.open_tokens(sealer.seal_tokens(fresh)) == fresh
    assert sealer.open_tokens(sealer.seal_tokens(stale)) is None
    assert Sealer(ConsoleSettings(session_secret="another")).open_tokens(sealer.seal_tokens(fresh)) is None
    assert (
        session_cookie(ConsoleSettings(console_url="https://mentornet.example.org"))
        == "__Host-mentornet_console"
    )


def test_production_refuses_the_development_session_secret() -> None:
    with pytest.raises(ValueError, match="MENTORNET_SESSION_SECRET"):
        ConsoleSettings(environment="production")


SESSION = {
    "id": "ses_1", "ask_id": "ask_1", "mentor_id": "usr_mia", "mentor_org_id": "org_globex",
    "mentee_id": "usr_ann", "mentee_org_id": "org_acme", "status": "scheduled",
    "start_at": "2026-12-08T01:00:00Z", "expires_at": None, "free_time": [], "slots": [], "absent_id": None,
    "duration_minutes": 30, "question": "How do I push back on a price rise?", "background": "",
    "success_criteria": "", "skills": ["negotiation"], "score": 0.8, "reasons": ["knows negotiation"],
    "mentee_card": None, "reason": None, "created_at": "2026-12-01T00:00:00Z",
    "updated_at": "2026-12-01T00:00:00Z",
}  # fmt: skip


async def test_a_session_is_shown_and_rescheduled_in_the_persons_own_time_zone(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.profile = {"timezone": "Asia/Tokyo", "display_name": "Ann"}
    apis.session = dict(SESSION)
    await sign_in(browser)
    page = await browser.get("/sessions/ses_1")
    assert "Tuesday 8 December 2026, 10:00 (Asia/Tokyo)" in page.text  # 01:00 UTC is 10:00 in Tokyo
    moved = await browser.post(
        "/sessions/ses_1/reschedule",
        data={"start_at": "2026-12-09T10:30", "reason": "a clash", "csrf_token": csrf_of(page.text)},
    )
    assert moved.status_code == 303 and moved.headers["location"] == "/sessions/ses_1?done=reschedule"
    (sent,) = apis.asked("/v1/sessions/ses_1/reschedule", "POST")
    assert json.loads(sent.content) == {"start_at": "2026-12-09T10:30:00+09:00", "reason": "a clash"}

    unreadable = await browser.post(
        "/sessions/ses_1/reschedule", data={"start_at": "next week", "csrf_token": csrf_of(page.text)}
    )
    assert unreadable.status_code == 422 and "a date and a time" in unreadable.text
    assert len(apis.asked("/v1/sessions/ses_1/reschedule", "POST")) == 1


async def test_an_offer_shows_the_mentor_the_common_slots_in_their_own_time_zone(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.profile = {"timezone": "Europe/Berlin", "display_name": "Mia"}
    apis.session = {**SESSION, "status": "proposed", "mentor_id": ME["id"], "start_at": None,
                    "expires_at": "2026-12-07T12:00:00Z", "slots": ["2026-12-08T08:00:00Z"]}  # fmt: skip
    await sign_in(browser)
    page = await browser.get("/sessions/ses_1")
    assert 'value="2026-12-08T08:00:00Z"' in page.text
    assert "Tuesday 8 December 2026, 09:00</label>" in page.text  # 08:00 UTC in Berlin
    assert "Accept this time" in page.text and "Decline" in page.text


async def test_lists_page_through_and_say_when_they_are_empty(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    await sign_in(browser)
    empty = await browser.get("/asks")
    assert "You have not asked anything yet." in empty.text and "Next page" not in empty.text
    apis.next_offset = 20
    first = await browser.get("/sessions", params={"status": "completed"})
    assert 'href="/sessions?offset=20&amp;status=completed">Next page' in first.text
    later = await browser.get("/sessions", params={"status": "completed", "offset": 20})
    assert 'href="/sessions?offset=0&amp;status=completed">Previous page' in later.text
    assert [c.url.params.get("offset") for c in apis.asked("/v1/sessions")][-2:] == ["0", "20"]


def test_the_access_log_keeps_no_sign_in_code(caplog: pytest.LogCaptureFixture) -> None:
    from mentornet_common.telemetry import configure_logging

    configure_logging("console", as_json=False)
    access = logging.getLogger("uvicorn.access")
    line = '%s - "%s %s HTTP/%s" %d'
    record = access.makeRecord(
        "uvicorn.access", logging.INFO, __file__, 1, line,
        ("127.0.0.1:1", "GET", "/auth/callback?code=the-code&state=the-state", "1.1", 303), None,
    )  # fmt: skip
    assert all(f.filter(record) for f in access.filters)
    assert "the-code" not in record.getMessage() and "/auth/callback?…" in record.getMessage()


async def test_an_org_admins_new_client_secret_is_shown_once_and_never_kept(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    await sign_in(browser)
    page = await browser.get("/admin/clients")
    created = await browser.post(
        "/admin/clients",
        data={"name": "HR portal", "scopes": ["users:read", "not-a-scope"], "csrf_token": csrf_of(page.text)},
    )
    assert created.status_code == 201 and "the-client-secret" in created.text
    assert created.headers["cache-control"] == "no-store"
    (sent,) = apis.asked("/v1/orgs/org_acme/clients", "POST")
    assert json.loads(sent.content) == {"name": "HR portal", "scopes": ["users:read"]}
    assert "the-client-secret" not in (await browser.get("/admin/clients")).text


async def test_a_person_identity_refuses_is_shown_with_the_form_but_never_the_password(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser)
    token = csrf_of((await browser.get("/admin/people")).text)
    answer = await browser.post(
        "/admin/people",
        data={"name": "Carl", "email": "carl@elsewhere.example", "password": "hunter2 hunter2",
              "roles": ["member", "mentor"], "csrf_token": token},
    )  # fmt: skip
    assert answer.status_code == 422 and "not at one of the org" in answer.text
    assert (
        'value="carl@elsewhere.example"' in answer.text
        and 'id="role-mentor" name="roles" value="mentor" checked' in answer.text
    )
    assert "hunter2" not in answer.text


async def test_signing_out_while_identity_is_down_still_forgets_the_cookie_and_says_so(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    await sign_in(browser)
    token = csrf_of((await browser.get("/")).text)
    apis.identity_down = True
    out = await browser.post("/auth/logout", data={"csrf_token": token})
    assert out.status_code == 200 and "identity did not answer" in out.text
    assert session_cookie(ConsoleSettings()) not in browser.cookies


async def test_the_impact_page_shows_the_orgs_figures_by_quarter_and_week(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    await sign_in(browser)
    page = await browser.get("/admin/impact", params={"quarter": "2026-Q3"})
    assert "Impact, 2026-Q3" in page.text
    assert '<th scope="row">Asks that found a mentor</th><td>67 %</td>' in page.text
    assert '<th scope="row">Sessions completed of those that ended</th><td>—</td>' in page.text
    assert "<td>2026-11-30</td><td>3</td><td>2</td><td>4</td><td>4.5</td>" in page.text
    await browser.get("/admin/impact", params={"quarter": "someday"})  # not a quarter: this quarter's
    assert [c.url.params.get("quarter") for c in apis.asked("/v1/impact")] == ["2026-Q3", None]


OPERATOR = {"id": "usr_ops", "org_id": None, "email": "ops@mentornet.example", "name": "Olga",
            "roles": ["operator"]}  # fmt: skip
LETTER = {
    "ref": "mentornet.dlq.matching:0:7",
    "topic": "mentornet.dlq.matching",
    "partition": 0,
    "offset": 7,
    "original_topic": "mentornet.asks",
    "type": "mentornet.ask.created",
    "tenant": "org_acme",
    "group": "matching",
    "handler": "on_ask",
    "reason": "malformed",
    "error": "not JSON",
    "failed_at": "2026-12-06T09:00:00Z",
    "redrives": 0,
    "service": "matching",
}


async def test_the_operator_pages_are_refused_to_anyone_but_an_operator_and_nothing_is_asked(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.me = ME | {"roles": ["member", "org_admin"]}
    await sign_in(browser)
    assert "/ops" not in (await browser.get("/")).text  # no link to them either
    for page in (
        "/ops",
        "/ops/dead-letters",
        "/ops/orgs",
        "/ops/orgs/org_acme",
        "/ops/dead-letters/matching/x:0:1",
    ):
        assert (await browser.get(page)).status_code == 403
    token = csrf_of((await browser.get("/profile")).text)
    refused = await browser.post("/ops/dead-letters/matching/replay", data={"csrf_token": token})
    assert refused.status_code == 403
    assert (
        await browser.post("/ops/orgs", data={"csrf_token": token, "slug": "x", "name": "X"})
    ).status_code == 403
    for action in ("suspend", "resume", "offboard"):
        sent = await browser.post(f"/ops/orgs/org_acme/{action}", data={"csrf_token": token, "slug": "acme"})
        assert sent.status_code == 403
    assert [c for c in apis.calls if "/operations/" in c.url.path or c.url.path.startswith("/v1/orgs")] == []


async def test_the_operations_overview_shows_readiness_lag_and_the_outbox_and_what_a_service_refused(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.me = OPERATOR
    await sign_in(browser)
    home = await browser.get("/")
    assert 'href="/ops"' in home.text and 'href="/ops/dead-letters"' in home.text
    assert 'href="/admin/impact"' in home.text  # the consortium's figures: feedback answers an operator so
    assert (await browser.get("/admin/impact")).status_code == 200
    page = await browser.get("/ops")
    assert page.status_code == 200
    assert "not ready" in page.text and "broker: unavailable" in page.text
    assert "matching-group" in page.text and "<td>4</td>" in page.text  # the lag of a partition
    assert "the broker did not answer" in page.text  # profiles' 503, shown in its row
    assert "66 min old" in page.text  # the outbox's oldest unsent row
    assert apis.asked("/v1/operations/identity/lag") == []  # identity consumes nothing
    assert all(c.headers["authorization"].startswith("Bearer access-") for c in apis.calls[1:])


async def test_an_operator_browses_shows_replays_and_drops_dead_letters_with_csrf(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.me = OPERATOR
    apis.dead_letters = {
        LETTER["ref"]: LETTER,
        "mentornet.dlq.matching:0:8": LETTER | {"ref": "mentornet.dlq.matching:0:8", "offset": 8},
        "mentornet.dlq.sessions:0:1": LETTER | {"ref": "mentornet.dlq.sessions:0:1", "service": "sessions"},
    }
    await sign_in(browser)
    listed = await browser.get("/ops/dead-letters")
    assert listed.status_code == 200 and "mentornet.dlq.sessions:0:1" in listed.text
    assert listed.text.count("No dead letters.") == len(API_SERVICES) - 2
    assert "/ops/dead-letters?service=matching&amp;offset=20" in listed.text  # its next page
    shown = await browser.get(f"/ops/dead-letters/matching/{LETTER['ref']}")
    assert shown.status_code == 200 and "ce_type" in shown.text and "mentornet.ask.created" in shown.text
    assert "&lt;script&gt;not json&lt;/script&gt;" in shown.text  # the payload as text, escaped
    token = csrf_of(shown.text)

    forged = await browser.post(f"/ops/dead-letters/matching/{LETTER['ref']}/replay", data={})
    assert forged.status_code == 403 and LETTER["ref"] in apis.dead_letters

    replayed = await browser.post(
        f"/ops/dead-letters/matching/{LETTER['ref']}/replay", data={"csrf_token": token}
    )
    assert replayed.status_code == 303
    after = await browser.get(replayed.headers["location"])
    assert "Replayed 1 dead letter of matching." in after.text and LETTER["ref"] not in after.text
    dropped = await browser.post(
        "/ops/dead-letters/matching/mentornet.dlq.matching:0:8/drop", data={"csrf_token": token}
    )
    assert "Dropped 1 dead letter of matching." in (await browser.get(dropped.headers["location"])).text
    every = await browser.post("/ops/dead-letters/sessions/replay", data={"csrf_token": token})
    assert "Replayed 1 dead letter of sessions." in (await browser.get(every.headers["location"])).text
    assert apis.dead_letters == {}

    gone = await browser.post(
        f"/ops/dead-letters/matching/{LETTER['ref']}/replay", data={"csrf_token": token}
    )
    assert gone.status_code == 404 and "no dead letter mentornet.dlq.matching:0:7 of matching" in gone.text
    assert (await browser.get("/ops/dead-letters", params={"service": "nowhere"})).status_code == 404
    assert (await browser.get("/ops/dead-letters/nowhere/x:0:1")).status_code == 404


async def test_an_operator_registers_an_org_and_seats_its_first_admin_and_a_refusal_keeps_the_form(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.me = OPERATOR
    await sign_in(browser)
    page = await browser.get("/ops/orgs")
    assert page.status_code == 200 and "Acme" in page.text and "3.0 MiB" in page.text
    token = csrf_of(page.text)

    taken = await browser.post(
        "/ops/orgs",
        data={"csrf_token": token, "slug": "taken", "name": "Taken Ltd", "email_domains": "t.example"},
    )
    assert taken.status_code == 409 and "an org with slug &#39;taken&#39; exists" in taken.text
    assert 'value="Taken Ltd"' in taken.text  # nothing typed is lost

    registered = await browser.post(
        "/ops/orgs",
        data={"csrf_token": token, "slug": "new", "name": "New", "email_domains": "new.example, b.example"},
    )
    assert (
        registered.status_code == 303 and registered.headers["location"] == "/ops/orgs/org_new?done=register"
    )
    assert (
        "Registered new: now seat its first org admin."
        in (await browser.get(registered.headers["location"])).text
    )
    (sent,) = apis.asked("/v1/orgs", "POST")[-1:]
    assert json.loads(sent.content)["email_domains"] == ["new.example", "b.example"]
    seated = await browser.post(
        "/ops/orgs/admins",
        data={"csrf_token": token, "org_id": "org_new", "name": "Nia", "email": "nia@new.example",
              "password": "a first password"},
    )  # fmt: skip
    assert seated.status_code == 303
    (admin,) = apis.asked("/v1/orgs/org_new/users", "POST")
    assert json.loads(admin.content) == {
        "email": "nia@new.example",
        "name": "Nia",
        "roles": ["org_admin"],
        "password": "a first password",
    }
    assert "Seated nia@new.example" in (await browser.get(seated.headers["location"])).text


async def test_an_operator_suspends_resumes_and_offboards_an_org_only_once_its_slug_is_typed(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.me = OPERATOR
    await sign_in(browser)
    assert 'href="/ops/orgs/org_acme"' in (await browser.get("/ops/orgs")).text
    page = await browser.get("/ops/orgs/org_acme")
    assert page.status_code == 200 and "acme.example" in page.text and "active" in page.text
    assert page.text.count("3.0 MiB") == len(API_SERVICES)  # each service's store of the org, asked by tenant
    assert (
        "No export of its data is made here" in page.text and "mentornet orgs offboard org_acme" in page.text
    )
    token = csrf_of(page.text)

    forged = await browser.post("/ops/orgs/org_acme/suspend", data={})
    assert forged.status_code == 403 and apis.asked("/v1/orgs/org_acme/suspend") == []
    suspended = await browser.post("/ops/orgs/org_acme/suspend", data={"csrf_token": token})
    assert suspended.headers["location"] == "/ops/orgs/org_acme?done=suspend"
    shown = (await browser.get(suspended.headers["location"])).text
    assert "Suspended acme." in shown and "suspended</span> since" in shown and "Resume Acme" in shown
    resumed = await browser.post("/ops/orgs/org_acme/resume", data={"csrf_token": token})
    assert "Resumed acme." in (await browser.get(resumed.headers["location"])).text

    mistyped = await browser.post("/ops/orgs/org_acme/offboard", data={"csrf_token": token, "slug": "acne"})
    assert mistyped.status_code == 422
    assert 'id="slug-error"' in mistyped.text and 'value="acne"' in mistyped.text  # tied to the field, kept
    gone = await browser.post("/ops/orgs/org_acme/offboard", data={"csrf_token": token, "slug": "acme"})
    assert gone.status_code == 303
    assert [json.loads(c.content) for c in apis.asked("/v1/orgs/org_acme/offboard")] == [
        {"slug": "acne"},
        {"slug": "acme"},
    ]
    assert (
        "Offboarded acme: the tokens of its 3 people are revoked"
        in (await browser.get(gone.headers["location"])).text
    )
    assert (await browser.post("/ops/orgs/org_acme/rename", data={"csrf_token": token})).status_code == 404
