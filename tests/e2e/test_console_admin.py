"""An org admin's pages of the web console in a real browser (Debian's chromium, driven by Playwright),
against the running system: people and roles, API clients, single sign-on and SCIM, webhooks with their
delivery log, and the impact charts changing after a completed session. Every page is checked as
test_console.py checks it (axe-core: no serious or critical violation; no cookie a script reads; no token
in the page), and no page logs a Content Security Policy violation (the charts: pygal's SVG, as images).

``MENTORNET_CONSOLE_SCREENSHOTS=docs`` also saves the admin's impact page there (docs/console-admin.png).
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page

from mentornet_devkit.demo import PASSWORD, Outcome, walk

from .conftest import OPERATOR, System
from .test_console import Visitor, axe_source, browser, playwright, screenshot, visitors

pytestmark = pytest.mark.e2e
__all__ = ["axe_source", "browser", "playwright", "visitors"]  # the browser fixtures test_console.py keeps

PHONE = {"width": 375, "height": 812}


class Receiver(BaseHTTPRequestHandler):
    """A partner's webhook endpoint on loopback: it takes every delivery (204) and keeps its event id."""

    received: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        Receiver.received.append(self.headers.get("webhook-id", ""))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def run_walk(system: System) -> Outcome:
    """demo.walk (two orgs, their people, one completed session), in a thread of its own: Playwright's
    synchronous API holds this thread's event loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, walk(system.urls, OPERATOR, say=lambda _: None)).result()


def complete_another_session(system: System, outcome: Outcome) -> None:
    """Ann (Acme) asks again; the mentor matching proposes accepts a slot; Ann marks the session completed."""
    urls = system.urls
    with httpx.Client(timeout=15) as http:

        def bearer(email: str) -> dict[str, str]:
            form = {"grant_type": "password", "username": email, "password": PASSWORD}
            issued = http.post(f"{urls.identity}/v1/token", data=form).json()
            return {"Authorization": f"Bearer {issued['access_token']}"}

        ann = bearer(outcome.people["ann"].email)
        mentors = [bearer(outcome.people[m].email) for m in ("ned", "mia")]
        ask = http.post(
            f"{urls.matching}/v1/asks",
            json={
                "question": "How do I split a supplier contract between two vendors?",
                "background": "One vendor holds everything; a second would lower our risk.",
                "success_criteria": "A split I can take to procurement on Monday.",
                "skills": ["negotiation"], "duration_minutes": 30, "scope": "consortium",
            },
            headers=ann,
        )  # fmt: skip
        assert ask.status_code == 201, ask.text
        deadline = time.monotonic() + 60
        offer, mentor = None, None
        while offer is None:
            assert time.monotonic() < deadline, "no offer for the second ask in 60 s"
            for headers in mentors:
                listed = http.get(
                    f"{urls.sessions}/v1/sessions", params={"status": "proposed"}, headers=headers
                )
                offer = next((s for s in listed.json()["items"] if s["ask_id"] == ask.json()["id"]), None)
                if offer is not None:
                    mentor = headers
                    break
            time.sleep(0.3)
        assert mentor is not None
        later = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
        slot = offer["slots"][0] if offer["slots"] else later.isoformat()
        accepted = http.post(
            f"{urls.sessions}/v1/sessions/{offer['id']}/accept", json={"start_at": slot}, headers=mentor
        )
        assert accepted.status_code == 200, accepted.text
        while True:
            done = http.post(f"{urls.sessions}/v1/sessions/{offer['id']}/complete", headers=ann)
            if done.status_code == 200:
                return
            assert time.monotonic() < deadline and done.status_code in (404, 409), done.text
            time.sleep(0.3)


def completed_in_weeks(visitor: Visitor) -> int:
    """The sessions completed this quarter, from the numbers table under the sessions-per-week chart."""
    cells = visitor.page.locator("#weekly-table tbody tr td:nth-child(4)").all_inner_texts()
    return sum(int(c) for c in cells)


def delivered_rows(page: Page) -> int:
    """Rows of the delivery log whose delivery the endpoint answered 204."""
    rows = page.locator("table tbody tr").all_inner_texts()
    return sum(1 for row in rows if "succeeded" in row and "204" in row.split())


def test_an_org_admin_manages_people_clients_sso_webhooks_and_sees_impact_change_in_the_browser(
    system: System, visitors: Callable[..., Visitor], receiver: str
) -> None:
    outcome = run_walk(system)
    admin = outcome.people["acme_admin"]
    suffix = admin.email.split("@acme-", 1)[1]
    ada = visitors(viewport=PHONE)
    violations: list[str] = []
    ada.page.on(
        "console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None
    )
    ada.sign_in(admin.email, PASSWORD)

    # the impact, before: the walk's one session, in the chart's numbers table
    page = ada.go("/admin/impact")
    assert page.locator("figure.chart img").count() == 4
    for alt in page.locator("figure.chart img").evaluate_all("imgs => imgs.map(i => i.alt)"):
        assert alt.strip()
    before = completed_in_weeks(ada)
    assert before >= 1

    # a person added, then made an org admin from the People page
    page = ada.go("/admin/people")
    page.get_by_label("Name", exact=True).fill("Bo")
    page.get_by_label("Email").fill(f"bo@acme-{suffix}")
    page.get_by_label("mentor", exact=True).check()
    ada.click("Add the person")
    assert "Added." in ada.main_text()
    ada.click("Change the roles of Bo", role="link")
    ada.page.get_by_label("org admin").check()
    ada.click("Save the roles")
    assert "Roles changed." in ada.main_text()
    assert re.search(r"bo@acme-\S+ · member, mentor, org_admin", ada.main_text()), ada.main_text()

    # an API client for SCIM, and the single sign-on and SCIM page that points to it
    page = ada.go("/admin/clients")
    page.get_by_label("Name", exact=True).fill("Identity provider")
    page.get_by_label(re.compile(r"^scim")).check()
    ada.click("Create the client")
    assert len(ada.page.locator("dt:has-text('Client secret') + dd code").inner_text()) > 20
    page = ada.go("/admin/sso")
    assert "/scim/v2" in ada.main_text() and "No single sign-on yet" in ada.main_text()
    page.get_by_label("Group = role, one a line").fill("Mentors = mentor")
    ada.click("Save the group mapping")
    assert "The group mapping is saved" in ada.main_text()

    # webhooks: a private address refused (streams' problem shown, the form kept), a loopback one taken
    page = ada.go("/admin/webhooks")
    assert "No webhook yet" in ada.main_text()
    page.get_by_label("URL").fill("http://10.1.2.3/hook")
    ada.click("Register the endpoint")
    assert ada.page.get_by_role("alert").count() == 1
    assert page.get_by_label("URL").input_value() == "http://10.1.2.3/hook"
    page.get_by_label("URL").fill(receiver)
    ada.click("Register the endpoint")
    assert len(ada.page.locator("dt:has-text('Signing secret') + dd code").inner_text()) > 20

    complete_another_session(system, outcome)

    page = ada.until("/admin/impact", lambda _: completed_in_weeks(ada) > before, "the second session")
    assert completed_in_weeks(ada) == before + 1
    screenshot(page, "admin")

    ada.go("/admin/webhooks")
    ada.click(f"Delivery log of {receiver}", role="link")
    log_path = ada.page.url.removeprefix(system.console)
    page = ada.until(log_path, lambda p: delivered_rows(p) > 0, "a delivery that succeeded (204) in the log")
    assert Receiver.received
    delivered = len(Receiver.received)
    page.get_by_role("button", name=re.compile(r"^Redeliver ")).first.click()
    page.wait_for_url(re.compile(r"redelivered=1"))
    ada.check()
    assert "Sent again" in ada.main_text()
    deadline = time.monotonic() + 30
    while len(Receiver.received) <= delivered:
        assert time.monotonic() < deadline, "the redelivery did not arrive in 30 s"
        time.sleep(0.2)

    for path in ("/admin/participation", "/admin/matching", "/admin/sso"):
        ada.go(path)
    assert "hidden" in ada.go("/admin/participation").inner_text("main")
    assert not violations, violations
