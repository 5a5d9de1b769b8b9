"""The web console in a real browser (Debian's chromium, driven by Playwright), against the running system.

Every page a test visits is checked as it is shown: axe-core finds no serious or critical accessibility
violation, no script can read a cookie, and neither of the person's tokens appears anywhere in the page.

``MENTORNET_CONSOLE_SCREENSHOTS=docs`` also saves each role's main page there (docs/console-member.png).
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from console.config import ConsoleSettings
from console.sessions import Sealer, session_cookie
from console.web import when
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from mentornet_devkit.demo import PASSWORD
from mentornet_devkit.pytest_plugin import require_tool

from .conftest import OPERATOR, System

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".venv" / "axe-core" / "package" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
SERIOUS = ("serious", "critical")
SCREENSHOTS = "MENTORNET_CONSOLE_SCREENSHOTS"


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = require_tool("chromium")
    launched = playwright.chromium.launch(executable_path=str(chromium))
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    return require_tool("axe-core", find=lambda: AXE if AXE.exists() else None).read_text()


class Visitor:
    """One person's browser (a context of its own), checking every page it is shown."""

    def __init__(self, context: BrowserContext, axe: str, console: str) -> None:
        self.context, self.axe, self.console = context, axe, console
        self.page = context.new_page()
        self.pages_checked: list[str] = []
        self.sealer = Sealer(ConsoleSettings())

    def tokens(self) -> list[str]:
        """The person's tokens, from the sealed session cookie (the tests know the development secret)."""
        name = session_cookie(ConsoleSettings())
        sealed = [c["value"] for c in self.context.cookies() if c["name"] == name]
        opened = self.sealer.open_tokens(sealed[0]) if sealed else None
        return [t for t in (opened.access, opened.refresh) if t] if opened else []

    def check(self) -> None:
        """axe-core on the page as shown; no cookie readable by script; no token in the page."""
        page = self.page
        page.evaluate(self.axe)
        violations: list[dict[str, Any]] = page.evaluate(
            """() => axe.run(document).then(r => r.violations.map(v => ({
                 id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"""
        )
        serious = [v for v in violations if v["impact"] in SERIOUS]
        assert not serious, f"{page.url}: {serious}"
        assert page.evaluate("() => document.cookie") == ""
        html = page.content()
        for token in self.tokens():
            assert token not in html, f"{page.url} shows a token"
        self.pages_checked.append(page.url)

    def go(self, path: str) -> Page:
        self.page.goto(f"{self.console}{path}")
        self.check()
        return self.page

    def click(self, name: str, role: str = "button") -> Page:
        """Follow a link or send a form, and check the page it leads to once it has loaded."""
        with self.page.expect_navigation(wait_until="load"):
            self.page.get_by_role(role, name=name).click()  # type: ignore[arg-type]
        self.check()
        return self.page

    def sign_in(self, email: str, password: str) -> None:
        """Through identity's sign-in page, as a person would (keyboard only)."""
        self.page.goto(f"{self.console}/")
        assert "/v1/authorize" in self.page.url
        self.check()
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_label("Password").press("Enter")
        self.page.wait_for_url(f"{self.console}/**")
        self.check()

    def until(self, path: str, shown: Callable[[Page], bool], what: str, timeout_s: float = 60) -> Page:
        """Reload ``path`` until the page shows what events bring (matching, the other org's copy...)."""
        deadline = time.monotonic() + timeout_s
        while True:
            page = self.go(path)
            if shown(page):
                return page
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{what}: not shown on {path} in {timeout_s} s:\n{page.inner_text('main')}"
                )
            time.sleep(0.5)

    def main_text(self) -> str:
        return self.page.inner_text("main")


@pytest.fixture
def visitors(browser: Browser, axe_source: str, system: System) -> Iterator[Callable[..., Visitor]]:
    opened: list[BrowserContext] = []

    def open_one(**options: Any) -> Visitor:
        context = browser.new_context(**options)
        opened.append(context)
        return Visitor(context, axe_source, system.console)

    yield open_one
    for context in opened:
        context.close()


def seed_two_orgs(system: System) -> dict[str, Any]:
    """Two member orgs and their people, set up by the operator through the API (quicker than the
    operator's pages, which test_an_operator_seats_an_org_and_settles_a_dead_letter_in_the_browser walks)."""
    suffix = secrets.token_hex(3)
    with httpx.Client(timeout=15) as http:
        token = http.post(
            f"{system.urls.identity}/v1/token",
            data={"grant_type": "password", "username": OPERATOR[0], "password": OPERATOR[1]},
        ).json()["access_token"]
        ops = {"Authorization": f"Bearer {token}"}
        people: dict[str, Any] = {}
        for slug, person, roles in (("kiln", "ann", ["member"]), ("glaze", "mia", ["member", "mentor"])):
            domain = f"{slug}-{suffix}.example"
            org = http.post(
                f"{system.urls.identity}/v1/orgs",
                json={"slug": f"{slug}-{suffix}", "name": slug.title(), "email_domains": [domain]},
                headers=ops,
            )
            assert org.status_code == 201, org.text
            email = f"{person}@{domain}"
            made = http.post(
                f"{system.urls.identity}/v1/orgs/{org.json()['id']}/users",
                json={"email": email, "name": person.title(), "password": PASSWORD, "roles": roles},
                headers=ops,
            )
            assert made.status_code == 201, made.text
            people[person] = {"email": email, "id": made.json()["id"], "suffix": suffix}
    return people


def fill_profile(visitor: Visitor, name: str, tz: str, skills: str, mentor: bool) -> None:
    page = visitor.go("/profile")
    page.get_by_label("Name shown").fill(name)
    page.get_by_label("Headline").fill(f"{name}'s headline")
    page.get_by_label("Skills").fill(skills)
    page.get_by_label("Languages", exact=True).fill("en")
    page.get_by_label("Time zone").select_option(tz)
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    page.get_by_label("When you are free, every week").fill("\n".join(f"{d} 06:00-22:00" for d in days))
    if mentor:
        page.get_by_label("I mentor: publish my mentor card").check()
        page.get_by_label("Sessions a month, at most").fill("4")
    page.get_by_label("The whole consortium").check()
    visitor.click("Save profile")
    assert "Saved." in visitor.main_text(), visitor.main_text()


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get(SCREENSHOTS)
    if folder:
        page.screenshot(path=str(Path(folder) / f"console-{name}.png"), full_page=True)


def withdraw(system: System, email: str, mentor_id: str) -> None:
    """Mentors a test published leave the shared directory, as tests/e2e/conftest.py's leave_directory
    does (an async fixture: Playwright's synchronous API holds the event loop of this module's tests)."""
    with httpx.Client(timeout=15) as http:
        token = http.post(
            f"{system.urls.identity}/v1/token",
            data={"grant_type": "password", "username": email, "password": PASSWORD},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        quiet = {"display_name": "Former mentor", "mentoring": {"active": False}, "visibility": "org"}
        http.put(f"{system.urls.profiles}/v1/profiles/me", json=quiet, headers=headers)
        for _ in range(150):
            listed = http.get(f"{system.urls.matching}/v1/mentors?limit=200", headers=headers)
            if all(m["mentor_id"] != mentor_id for m in listed.json().get("items", [])):
                return
            time.sleep(0.2)


def test_a_member_asks_and_a_mentor_at_another_org_meets_them_all_in_the_browser(
    system: System, visitors: Callable[..., Visitor]
) -> None:
    people = seed_two_orgs(system)
    try:
        walk_the_member_path(system, visitors, people)
    finally:
        withdraw(system, people["mia"]["email"], people["mia"]["id"])


def walk_the_member_path(system: System, visitors: Callable[..., Visitor], people: dict[str, Any]) -> None:
    skill = f"kiln firing {people['ann']['suffix']}"  # no other mentor of the shared system has it
    ann = visitors(viewport=PHONE, is_mobile=True, has_touch=True)  # Ann uses her phone
    mia = visitors()

    mia.sign_in(people["mia"]["email"], PASSWORD)
    fill_profile(mia, "Mia Glaze", "Europe/Berlin", f"{skill}: 5", mentor=True)

    ann.sign_in(people["ann"]["email"], PASSWORD)
    ann.page.keyboard.press("Tab")  # the first stop is the skip link
    assert ann.page.evaluate("() => document.activeElement.textContent") == "Skip to the content"
    fill_profile(ann, "Ann Kiln", "Asia/Tokyo", "pottery: 2", mentor=False)

    # the ask, with its question, background and success criteria; sent from the keyboard
    page = ann.go("/asks/new")
    page.get_by_label("Your question").fill(f"How do I fire a kiln evenly? ({skill})")
    page.get_by_label("Background").fill("Our glazes crack on the top shelf.")
    page.get_by_label("What success looks like").fill("A firing schedule I can try next week.")
    page.get_by_label("Skills it needs").fill(skill)
    page.get_by_role("button", name="Post the ask").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/asks/ask_[^/]+$"))
    ask_path = page.url.removeprefix(system.console)

    # the proposal: Mia, with its score and reasons
    page = ann.until(ask_path, lambda p: "Mia Glaze" in p.inner_text("main"), "Mia proposed")
    assert re.search(r"Score \d\.\d\d", ann.main_text())
    assert skill in ann.main_text()  # a reason names the skill

    # Mia sees the offer on her home page and picks a slot, shown in her own time zone
    page = mia.until("/", lambda p: "How do I fire a kiln evenly" in p.inner_text("main"), "Mia's offer")
    mia.click(f"How do I fire a kiln evenly? ({skill})", role="link")
    first_slot = mia.page.get_by_role("radio").first
    slot_value = first_slot.get_attribute("value")
    label = mia.page.locator(f"label[for='{first_slot.get_attribute('id')}']").inner_text()
    assert label == when(slot_value, "Europe/Berlin")
    assert "in your time zone, Europe/Berlin" in mia.main_text()
    first_slot.check()
    mia.click("Accept this time")
    assert "Done: accept." in mia.main_text() and "scheduled" in mia.main_text()
    session_path = mia.page.url.removeprefix(system.console).split("?")[0]

    # Ann's copy follows: she downloads the invitation and marks the session completed
    page = ann.until(session_path, lambda p: "Download the invitation" in p.inner_text("main"), "scheduled")
    assert when(slot_value, "Asia/Tokyo") in ann.main_text()  # her own time zone
    home = ann.go("/")  # her main page: the session coming up, her asks, whom to meet next
    assert when(slot_value, "Asia/Tokyo") in ann.main_text()
    screenshot(home, "member")
    page = ann.go(session_path)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the invitation (.ics)").click()
    assert "BEGIN:VCALENDAR" in Path(download.value.path()).read_text()
    ann.click("We met: mark the session completed")
    assert "completed" in ann.main_text()

    # feedback both ways (each side's feedback service learns of the completion through events)
    def give_feedback(visitor: Visitor, rating: str, learned: str) -> None:
        for _ in range(60):
            page = visitor.until(session_path, lambda p: "How useful was it?" in p.inner_text("main"), "form")
            page.get_by_label(rating, exact=True).first.check()
            page.get_by_label("yes", exact=True).first.check()
            page.get_by_label("What you take away").fill(learned)
            page.get_by_label("learned", exact=True).check()
            visitor.click("Send feedback")
            if "Done: feedback." in visitor.main_text():
                return
            assert visitor.page.get_by_role("alert").count() == 1  # the API's problem, shown
            time.sleep(0.5)
        raise AssertionError(f"feedback refused: {visitor.main_text()}")

    give_feedback(ann, "5", "Fire slower through quartz inversion.")
    give_feedback(mia, "4", "Ann came well prepared.")
    ann.until(
        session_path, lambda p: "Ann came well prepared." in p.inner_text("main"), "Mia's shared answer"
    )

    # a follow-up, then the journal with its export
    page = ann.go(session_path)
    page.get_by_label("What you did with the advice").fill("Slowed the ramp; no more cracks.")
    page.locator("#fu-resolved-yes").check()
    page.get_by_label("Tell the mentor what came of it").check()
    ann.click("Record the follow-up")
    assert "Slowed the ramp" in ann.main_text()
    page = ann.until("/journal", lambda p: "How do I fire a kiln evenly" in p.inner_text("main"), "journal")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export as CSV").click()
    assert "kiln" in Path(download.value.path()).read_text().lower()
    ann.go("/feedback")
    assert "5/5, resolved: yes" in ann.main_text() and "Ann came well prepared." in ann.main_text()
    ann.go("/suggestions")
    ann.go("/sessions")
    ann.go("/asks")

    # signing out ends the sign-in: the old cookie no longer opens a page
    cookies = ann.context.cookies()
    ann.go("/")
    ann.click("Sign out")
    assert "Signed out" in ann.main_text()
    replay = visitors()  # another browser holding a copy of the cookie
    replay.context.add_cookies(cookies)  # type: ignore[arg-type]
    deadline = time.monotonic() + 15
    while True:  # every service follows identity's revocations within seconds
        replay.page.goto(f"{system.console}/journal")
        if "/v1/authorize" in replay.page.url or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert "/v1/authorize" in replay.page.url
    assert len(ann.pages_checked) > 15 and len(mia.pages_checked) > 8


def test_the_console_refuses_forged_forms_and_foreign_callbacks(
    system: System, visitors: Callable[..., Visitor]
) -> None:
    people = seed_two_orgs(system)
    ann = visitors()
    ann.sign_in(people["ann"]["email"], PASSWORD)
    request = ann.context.request

    # a form without the CSRF token, though the browser sends the session cookie: refused, nothing saved
    forged = request.post(f"{system.console}/profile", form={"display_name": "Forged"})
    assert forged.status == 403
    another_site = request.post(
        f"{system.console}/asks",
        form={"question": "forged", "skills": "x", "csrf_token": "whatever"},
        headers={"Origin": "https://evil.example"},
    )
    assert another_site.status == 403
    page = ann.go("/profile")
    assert page.get_by_label("Name shown").input_value() != "Forged"

    # a callback whose state this browser did not start: refused, no code redeemed
    refused = ann.go("/auth/callback?code=stolen&state=not-mine")
    assert "Sign-in refused" in refused.inner_text("main")

    # the policy: scripts from the console only, never inline
    answer = request.get(f"{system.console}/")
    policy = answer.headers["content-security-policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'self'" in script_src
    assert "frame-ancestors 'none'" in policy
    cookie = next(c for c in ann.context.cookies() if c["name"] == session_cookie(ConsoleSettings()))
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"


def test_an_org_admin_seats_a_person_and_creates_an_api_client_in_the_browser(
    system: System, visitors: Callable[..., Visitor]
) -> None:
    suffix = secrets.token_hex(3)
    domain = f"tiles-{suffix}.example"
    with httpx.Client(timeout=15) as http:
        token = http.post(
            f"{system.urls.identity}/v1/token",
            data={"grant_type": "password", "username": OPERATOR[0], "password": OPERATOR[1]},
        ).json()["access_token"]
        ops = {"Authorization": f"Bearer {token}"}
        org = http.post(
            f"{system.urls.identity}/v1/orgs",
            json={"slug": f"tiles-{suffix}", "name": "Tiles", "email_domains": [domain]},
            headers=ops,
        ).json()
        admin = {"email": f"ada@{domain}", "name": "Ada", "password": PASSWORD, "roles": ["org_admin"]}
        made = http.post(f"{system.urls.identity}/v1/orgs/{org['id']}/users", json=admin, headers=ops)
        assert made.status_code == 201, made.text

    ada = visitors(viewport=PHONE)
    ada.sign_in(admin["email"], PASSWORD)
    assert "its people" in ada.main_text()
    page = ada.go("/admin/people")
    page.get_by_label("Name", exact=True).fill("Bo")
    page.get_by_label("Email").fill(f"bo@elsewhere-{suffix}.example")  # not the org's domain
    page.get_by_label("mentor", exact=True).check()
    ada.click("Add the person")
    assert ada.page.get_by_role("alert").count() == 1  # identity's refusal, shown
    assert page.get_by_label("Name", exact=True).input_value() == "Bo"  # nothing typed is lost
    page.get_by_label("Email").fill(f"bo@{domain}")
    ada.click("Add the person")
    assert "Added." in ada.main_text() and f"bo@{domain}" in ada.main_text()

    page = ada.go("/admin/clients")
    assert "No API client yet." in ada.main_text()
    page.get_by_label("Name", exact=True).fill("HR portal")
    page.get_by_label(re.compile(r"^users:read")).check()
    ada.click("Create the client")
    secret = ada.page.locator("dt:has-text('Client secret') + dd code").inner_text()
    assert len(secret) > 20
    ada.go("/admin/clients")
    assert secret not in ada.page.content()  # shown once
    ada.click("Revoke HR portal")
    assert "revoked" in ada.main_text()

    page = ada.go("/admin/impact")
    assert "Asks posted" in ada.main_text() and "Week by week" in ada.main_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export as CSV").click()
    assert Path(download.value.path()).read_text().strip()  # feedback's CSV, through the console


def park_unreadable_record(system: System) -> bytes:
    """A record no consumer can read, on mentornet.asks (each group that reads it parks it, malformed); sent
    from a thread of its own: Playwright's synchronous API holds this thread's event loop."""
    key = f"unreadable-{secrets.token_hex(4)}".encode()

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=system.bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait("mentornet.asks", b"this is not an event", key=key)
        finally:
            await producer.stop()

    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, send()).result()
    return key


def test_an_operator_seats_an_org_and_settles_a_dead_letter_in_the_browser(
    system: System, visitors: Callable[..., Visitor]
) -> None:
    suffix = secrets.token_hex(3)
    olga = visitors()
    olga.sign_in(*OPERATOR)
    assert "the dead letters" in olga.main_text()
    page = olga.go("/ops")
    assert "Health and readiness" in olga.main_text() and "matching" in olga.main_text()
    screenshot(page, "operator")

    page = olga.go("/ops/orgs")
    page.locator("#org-name").fill("Pottery")
    page.get_by_label("Short name (slug)").fill(f"pottery-{suffix}")
    page.get_by_label("Email domains").fill(f"pottery-{suffix}.example")
    olga.click("Register the org")
    assert f"Registered pottery-{suffix}" in olga.main_text(), olga.main_text()
    page.get_by_label("Org", exact=True).select_option(label=f"Pottery (pottery-{suffix})")
    page.locator("#admin-name").fill("Pia")
    page.get_by_label("Email", exact=True).fill(f"pia@pottery-{suffix}.example")
    page.get_by_label("First password").fill("short")  # identity refuses it: shown, nothing lost
    olga.click("Seat the org admin")
    assert olga.page.get_by_role("alert").count() == 1
    assert page.get_by_label("Email", exact=True).input_value() == f"pia@pottery-{suffix}.example"
    page.get_by_label("First password").fill(PASSWORD)
    olga.click("Seat the org admin")
    assert f"Seated pia@pottery-{suffix}.example" in olga.main_text(), olga.main_text()

    pia = visitors(viewport=PHONE, is_mobile=True, has_touch=True)
    pia.sign_in(f"pia@pottery-{suffix}.example", PASSWORD)  # the new org's admin signs in
    assert "its people" in pia.main_text()

    key = park_unreadable_record(system)
    ref = parked_ref(system, "matching", key)
    page = olga.go("/ops/dead-letters?service=matching")
    href = f"/ops/dead-letters/matching/{ref.replace(':', '%3A')}"
    for _ in range(50):  # to its page of matching's dead letters, as a person would page through
        if page.locator(f'a[href="{href}"]').count():
            break
        page = olga.click("Next page of matching", role="link")
    listed_at = page.url
    with page.expect_navigation(wait_until="load"):
        page.locator(f'a[href="{href}"]').click()
    olga.check()
    assert f"Dead letter {ref}" in olga.main_text() and "this is not an event" in olga.main_text()
    assert "malformed" in olga.main_text()
    olga.click("Replay this dead letter")
    assert "Replayed 1 dead letter of matching." in olga.main_text(), olga.main_text()
    olga.page.goto(listed_at)
    olga.check()
    assert ref not in olga.page.content()  # settled: gone from the list (a new parking has a new ref)


def parked_ref(system: System, service: str, key: bytes) -> str:
    """The ref the service's group gave the record it parked (its list does not show keys)."""
    with httpx.Client(timeout=15) as http:
        token = http.post(
            f"{system.urls.identity}/v1/token",
            data={"grant_type": "password", "username": OPERATOR[0], "password": OPERATOR[1]},
        ).json()["access_token"]
        ops = {"Authorization": f"Bearer {token}"}
        base = f"{getattr(system.urls, service)}/v1/operations/{service}/dead-letters"
        for _ in range(300):
            offset: int | None = 0
            while offset is not None:
                listed = http.get(base, headers=ops, params={"limit": 200, "offset": offset}).json()
                for letter in listed["items"]:
                    shown = http.get(f"{base}/{letter['ref']}", headers=ops).json()
                    if shown.get("key") == key.decode():
                        return str(letter["ref"])
                offset = listed["next_offset"]
            time.sleep(0.2)
    raise AssertionError(f"{service} did not park the record {key!r}")
