"""The org admin's pages against fake APIs (an httpx transport answering as identity, profiles, matching,
feedback and streams would, keeping what the console asked).

The real thing: tests/e2e/test_console_admin.py."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from console.charts import impact_charts
from console.config import ConsoleSettings
from console.main import create_app
from fastapi import FastAPI

from .test_console import CONSOLE, csrf_of, sign_in

ADMIN = {
    "id": "usr_ada",
    "org_id": "org_acme",
    "email": "ada@acme.example",
    "name": "Ada",
    "roles": ["org_admin"],
}
WEEKS = [
    {"week": "2026-W48", "starts_on": "2026-11-23", "asks_created": 2, "sessions_completed": 3,
     "unique_participants": 4, "average_rating": 4.5, "median_minutes_to_first_proposal": 12.5},
    {"week": "2026-W49", "starts_on": "2026-11-30", "asks_created": 0, "sessions_completed": 0,
     "unique_participants": 0, "average_rating": None, "median_minutes_to_first_proposal": None},
]  # fmt: skip
IMPACT: dict[str, Any] = {
    "scope": "org_acme", "quarter": "2026-Q4", "asks_created": 2, "sessions_completed": 3,
    "completion_rate": 0.75, "no_show_rate": 0.25, "resolution_rate_from_follow_ups": 0.5,
    "resolution_rate_from_feedback": None, "reverse_mentoring_share": 0.3333,
    "resolved": {"yes": 1, "partly": 0, "no": 0}, "weekly": WEEKS,
    "reciprocity": [{"org_id": "org_acme", "sessions_given": 1, "sessions_received": 2, "balance": -1}],
}  # fmt: skip
PROBLEM_422 = {"title": "Unprocessable Content", "status": 422}


def problem(status: int, title: str, detail: str, field: str | None = None) -> httpx.Response:
    errors = [{"field": field, "message": detail}] if field else []
    return httpx.Response(status, json={"title": title, "status": status, "detail": detail, "errors": errors})


class AdminApis:
    """The APIs as an org admin's token gets them; every request is kept."""

    def __init__(self) -> None:
        self.calls: list[httpx.Request] = []
        self.sso: dict[str, Any] | None = None
        self.group_roles: dict[str, str] = {}
        self.hooks: list[dict[str, Any]] = []
        self.participation: dict[str, Any] = {
            "scope": "org_acme", "quarter": "2026-Q4", "min_group_size": 5, "consenting_people": 12,
            "groups": [{"group": "Women in tech", "members": 7, "participants": 5,
                        "participation_rate": 0.7143, "asks": 4, "sessions_as_mentee": 3,
                        "sessions_as_mentor": 2}],
            "groups_suppressed": 2,
        }  # fmt: skip

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        path, method = request.url.path, request.method
        is_json = request.headers.get("content-type") == "application/json"
        body = json.loads(request.content) if request.content and is_json else None
        if path == "/v1/token":
            tokens = {"access_token": "access-1-secret", "refresh_token": "refresh-1-secret",
                      "token_type": "bearer", "expires_in": 600}  # fmt: skip
            return httpx.Response(200, json=tokens)
        if path == "/v1/me":
            return httpx.Response(200, json=ADMIN)
        if path == "/v1/orgs/org_acme":
            return httpx.Response(200, json={"id": "org_acme", "slug": "acme", "name": "Acme"})
        if path == "/v1/impact":
            return httpx.Response(200, json=IMPACT)
        if path == "/v1/impact/participation":
            return httpx.Response(200, json=self.participation)
        if path == "/v1/matching/figures":
            return httpx.Response(200, json={
                "scope": "org_acme", "quarter": "2026-Q4", "asks": 2, "asks_proposed_a_mentor": 2,
                "asks_closed_without_a_mentor": 0, "median_minutes_to_first_proposal": 12.5, "proposals": 3,
                "accepted": 2, "declined": 1, "expired": 0, "open": 0, "cross_org_share_of_accepted": 0.5,
                "reverse_mentoring": {"proposed": 1, "accepted": 1, "share_of_accepted": 0.5}, "orgs": [],
            })  # fmt: skip
        if path == "/v1/orgs/org_acme/users" and method == "GET":
            return httpx.Response(200, json={"items": [
                ADMIN | {"active": True}, {"id": "usr_zoe", "org_id": "org_acme", "email": "zoe@acme.example",
                                          "name": "Zoe", "roles": ["member", "mentor"], "active": True},
            ], "next_offset": None})  # fmt: skip
        if path == "/v1/orgs/org_acme/users/usr_zoe" and method == "GET":
            zoe = {"id": "usr_zoe", "org_id": "org_acme", "email": "zoe@acme.example", "name": "Zoe",
                   "roles": ["member", "mentor"], "active": True}  # fmt: skip
            return httpx.Response(200, json=zoe)
        if path == "/v1/orgs/org_acme/users/usr_zoe/roles":
            if "mentor" not in body["roles"] and self.group_roles:
                return problem(409, "Conflict", "the org's group_roles give mentor", "body.roles")
            return httpx.Response(200, json={"id": "usr_zoe", "roles": body["roles"]})
        if path == "/v1/orgs/org_acme/settings":
            if method == "PUT":
                self.group_roles = body["group_roles"]
            return httpx.Response(200, json={"org_id": "org_acme", "email_domains": ["acme.example"],
                                             "group_roles": self.group_roles})  # fmt: skip
        if path == "/v1/orgs/org_acme/sso":
            if method == "PUT":
                if "unreachable" in body["issuer"]:
                    return problem(502, "Bad Gateway", "the provider's discovery document could not be read")
                self.sso = {k: v for k, v in body.items() if k != "client_secret"} | {
                    "org_id": "org_acme", "redirect_uri": "http://id/cb", "login_url": "http://id/login",
                    "created_at": "2026-12-01T00:00:00Z", "updated_at": "2026-12-01T00:00:00Z",
                }  # fmt: skip
            if method == "DELETE":
                self.sso = None
                return httpx.Response(204)
            return httpx.Response(200, json=self.sso) if self.sso else problem(404, "Not Found", "none")
        if path == "/v1/webhooks" and method == "POST":
            if "10.0.0.1" in body["url"]:
                return problem(422, "Unprocessable Content", "the URL is not a public address", "body.url")
            hook = {"id": f"wh_{len(self.hooks) + 1}", "url": body["url"],
                    "event_types": body["event_types"], "enabled": True, "disabled_reason": None,
                    "created_at": "2026-12-01T00:00:00Z"}  # fmt: skip
            self.hooks.append(hook)
            return httpx.Response(201, json=hook | {"secret": "whsec_the-signing-secret"})
        if path == "/v1/webhooks":
            return httpx.Response(200, json={"items": self.hooks, "next_offset": None})
        if path.startswith("/v1/webhooks/wh_1/deliveries"):
            delivery = {"id": "dl_1", "event_id": "evt_1", "cursor": "1", "status": "failed", "attempts": 8,
                        "next_attempt_at": None, "last_status_code": 500, "last_error": "HTTP 500",
                        "created_at": "2026-12-01T00:00:00Z", "delivered_at": None}  # fmt: skip
            if path.endswith("/redeliver"):
                return httpx.Response(200, json=delivery | {"status": "pending"})
            return httpx.Response(200, json={"items": [delivery], "next_offset": 20})
        if path.startswith("/v1/webhooks/wh_1/"):
            action = path.rsplit("/", 1)[1]
            self.hooks[0]["enabled"] = action == "enable"
            return httpx.Response(200, json=self.hooks[0])
        return problem(404, "Not Found", f"no {path}")

    def asked(self, path: str, method: str | None = None) -> list[httpx.Request]:
        return [c for c in self.calls if c.url.path == path and (method is None or c.method == method)]


@pytest.fixture
def apis() -> AdminApis:
    return AdminApis()


@pytest.fixture
async def browser(apis: AdminApis) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(ConsoleSettings(), transport=httpx.MockTransport(apis.handler))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url=CONSOLE, headers={"Origin": CONSOLE}
        ) as client:
            await sign_in(client)
            yield client


def svg_of(src: str) -> str:
    assert src.startswith("data:image/svg+xml;base64,")
    return base64.b64decode(src.split(",", 1)[1]).decode()


def test_each_chart_is_pygal_svg_without_script_with_a_text_alternative() -> None:
    charts = impact_charts(IMPACT, {"org_acme": "Acme"})
    assert [c.title for c in charts] == [
        "Sessions completed per week",
        "Median minutes to the first proposal, by week asked",
        "Rates this quarter",
        "Reciprocity: sessions given (mentors) and received (mentees), by org",
    ]
    for chart in charts:
        svg = svg_of(chart.src)
        assert svg.startswith("<svg") and "pygal" in svg
        assert "<script" not in svg and "javascript:" not in svg
        assert chart.alt.startswith(chart.title)
    assert "W48 3, W49 0" in charts[0].alt
    assert "Completed 75 %" in charts[2].alt and "Resolved (feedback) no figure" in charts[2].alt
    assert "Given: Acme 1; Received: Acme 2" in charts[3].alt


async def test_the_impact_page_shows_four_charts_and_their_numbers_from_one_call(
    browser: httpx.AsyncClient, apis: AdminApis
) -> None:
    page = await browser.get("/admin/impact")
    assert page.status_code == 200
    assert page.text.count('<figure class="chart">') == 4
    assert page.text.count('src="data:image/svg+xml;base64,') == 4
    assert "<td>3</td><td>4</td><td>4.5</td><td>12.5</td>" in page.text  # the weekly table under its chart
    assert '<th scope="row">Completed</th><td>75 %</td>' in page.text
    assert '<th scope="row">Acme</th><td>1</td><td>2</td><td>-1</td>' in page.text
    assert len(apis.asked("/v1/impact")) == 1
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]
    assert "Export as CSV" in page.text


async def test_participation_says_how_many_groups_are_hidden_and_why(
    browser: httpx.AsyncClient, apis: AdminApis
) -> None:
    page = await browser.get("/admin/participation", params={"quarter": "2026-Q4"})
    assert "2 groups are hidden: fewer than 5 of its people took part" in page.text
    assert '<th scope="row">Women in tech</th><td>7</td><td>5</td><td>71 %</td>' in page.text
    assert apis.asked("/v1/impact/participation")[0].url.params["quarter"] == "2026-Q4"
    apis.participation |= {"groups": [], "groups_suppressed": 3}
    empty = await browser.get("/admin/participation")
    assert "every group is too small to show without pointing at people" in empty.text
    assert (await browser.get("/admin/matching")).text.count("<td>12.5</td>") == 1


async def test_a_role_change_is_sent_and_a_refusal_is_shown_with_the_boxes_as_ticked(
    browser: httpx.AsyncClient, apis: AdminApis
) -> None:
    listed = await browser.get("/admin/people")
    assert '<a href="/admin/people/usr_zoe/roles">Change the roles of Zoe</a>' in listed.text
    page = await browser.get("/admin/people/usr_zoe/roles")
    assert 'id="role-mentor" name="roles" value="mentor" checked>' in page.text
    csrf = csrf_of(page.text)
    changed = await browser.post(
        "/admin/people/usr_zoe/roles", data={"csrf_token": csrf, "roles": ["mentor", "org_admin"]}
    )
    assert changed.status_code == 303 and "changed=usr_zoe" in changed.headers["location"]
    sent = json.loads(apis.asked("/v1/orgs/org_acme/users/usr_zoe/roles", "PUT")[0].content)
    assert sent == {"roles": ["member", "mentor", "org_admin"]}  # member is always kept

    apis.group_roles = {"Mentors": "mentor"}
    refused = await browser.post(
        "/admin/people/usr_zoe/roles", data={"csrf_token": csrf, "roles": ["member"]}
    )
    assert refused.status_code == 409
    assert "the org&#39;s group_roles give mentor" in refused.text
    assert 'id="role-mentor" name="roles" value="mentor">' in refused.text  # as sent: unticked

    forged = await browser.post("/admin/people/usr_zoe/roles", data={"roles": ["org_admin"]})
    assert forged.status_code == 403
    assert len(apis.asked("/v1/orgs/org_acme/users/usr_zoe/roles", "PUT")) == 2


async def test_single_sign_on_keeps_what_was_typed_but_never_the_secret(
    browser: httpx.AsyncClient, apis: AdminApis
) -> None:
    page = await browser.get("/admin/sso")
    assert "No single sign-on yet" in page.text and "http://127.0.0.1:8001/scim/v2" in page.text
    assert '<a href="/admin/clients#create">' in page.text and "<code>acme.example</code>" in page.text
    csrf = csrf_of(page.text)
    form = {"csrf_token": csrf, "issuer": "https://unreachable.example", "client_id": "mentornet",
            "client_secret": "the-provider-secret", "scopes": "openid email", "groups_claim": "groups",
            "jit_create": "on"}  # fmt: skip
    refused = await browser.post("/admin/sso", data=form)
    assert refused.status_code == 502
    assert "discovery document could not be read" in refused.text
    assert 'value="https://unreachable.example"' in refused.text
    assert "the-provider-secret" not in refused.text
    saved = await browser.post("/admin/sso", data=form | {"issuer": "https://login.example"})
    assert saved.status_code == 303
    assert json.loads(apis.asked("/v1/orgs/org_acme/sso", "PUT")[-1].content)["scopes"] == ["openid", "email"]
    shown = await browser.get("/admin/sso")
    assert "http://id/cb" in shown.text and "the-provider-secret" not in shown.text

    wrong = await browser.post(
        "/admin/sso/group-roles", data={"csrf_token": csrf, "group_roles": "Mentors mentor"}
    )
    assert (
        wrong.status_code == 422 and "line 1: write a group" in wrong.text and "Mentors mentor" in wrong.text
    )
    assert not apis.asked("/v1/orgs/org_acme/settings", "PUT")
    good = await browser.post(
        "/admin/sso/group-roles", data={"csrf_token": csrf, "group_roles": "Mentors = mentor"}
    )
    assert good.status_code == 303
    assert json.loads(apis.asked("/v1/orgs/org_acme/settings", "PUT")[0].content) == {
        "group_roles": {"Mentors": "mentor"}
    }  # the email domains are not sent: only operators change them
    removed = await browser.post("/admin/sso/remove", data={"csrf_token": csrf})
    assert removed.status_code == 303 and apis.asked("/v1/orgs/org_acme/sso", "DELETE")


async def test_webhooks_register_with_the_secret_once_and_show_the_delivery_log(
    browser: httpx.AsyncClient, apis: AdminApis
) -> None:
    page = await browser.get("/admin/webhooks")
    assert "No webhook yet" in page.text
    csrf = csrf_of(page.text)
    refused = await browser.post("/admin/webhooks", data={"csrf_token": csrf, "url": "http://10.0.0.1/h"})
    assert refused.status_code == 422 and "not a public address" in refused.text
    assert 'value="http://10.0.0.1/h"' in refused.text and 'aria-invalid="true"' in refused.text
    created = await browser.post(
        "/admin/webhooks", data={"csrf_token": csrf, "url": "https://hr.example/h", "event_types": "*"}
    )
    assert created.status_code == 201 and "whsec_the-signing-secret" in created.text
    assert created.headers["cache-control"] == "no-store"
    assert "whsec_the-signing-secret" not in (await browser.get("/admin/webhooks")).text

    log = await browser.get("/admin/webhooks/wh_1", params={"status": "failed"})
    assert "<td>8</td>" in log.text and "<td>500</td>" in log.text and "HTTP 500" in log.text
    assert "/admin/webhooks/wh_1?offset=20&amp;status=failed" in log.text
    assert apis.asked("/v1/webhooks/wh_1/deliveries")[0].url.params["status"] == "failed"
    again = await browser.post("/admin/webhooks/wh_1/deliveries/dl_1/redeliver", data={"csrf_token": csrf})
    assert again.status_code == 303 and apis.asked("/v1/webhooks/wh_1/deliveries/dl_1/redeliver", "POST")
    disabled = await browser.post("/admin/webhooks/wh_1/disable", data={"csrf_token": csrf})
    assert disabled.status_code == 303 and apis.hooks[0]["enabled"] is False
    assert (await browser.get("/admin/webhooks/wh_9")).status_code == 404
