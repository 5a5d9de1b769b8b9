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
from datetime import UTC, datetime, timedelta
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
PHONE = {"width": 375, "height": 812}
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

    def fits_the_screen(self) -> int:
        """The page never scrolls sideways; answers how many of its wide tables scroll in their own box."""
        page = self.page
        width = page.evaluate("() => window.innerWidth")
        sideways = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert sideways <= 0, f"{page.url} scrolls sideways by {sideways} px at {width} px"
        boxes: list[dict[str, int]] = page.evaluate(
            """() => [...document.querySelectorAll('.scroll')].map(b => ({
                 inner: b.scrollWidth, shown: b.clientWidth, right: b.getBoundingClientRect().right}))"""
        )
        assert all(b["right"] <= width for b in boxes), boxes
        return sum(b["inner"] > b["shown"] for b in boxes)

    def tabs_to_every_button(self) -> None:
        """From the top of the page, Tab alone reaches every button of every form shown, and every stop on
        the way shows where the focus is (an outline)."""
        page = self.page
        wanted = set(
            page.evaluate(
                """() => [...document.querySelectorAll('form button')]
                     .filter(b => b.offsetParent !== null).map(b => b.textContent.trim())"""
            )
        )
        assert wanted, f"{page.url} has no form"
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        reached: set[str] = set()
        for _ in range(300):
            page.keyboard.press("Tab")
            stop: dict[str, Any] = page.evaluate(
                """() => { const e = document.activeElement, s = getComputedStyle(e);
                     return {tag: e.tagName, text: (e.textContent || '').trim().slice(0, 60),
                             outlined: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0}; }"""
            )
            if stop["tag"] == "BODY":
                continue
            assert stop["outlined"], f"{page.url}: no visible focus on {stop}"
            if stop["tag"] == "BUTTON":
                reached.add(stop["text"])
            if wanted <= reached:
                return
        raise AssertionError(f"{page.url}: Tab never reached {wanted - reached}")


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


def register_an_org(olga: Visitor, name: str, slug: str, admin: str) -> str:
    """The operator registers an org and seats its first admin on its page; answers the page's path."""
    page = olga.go("/ops/orgs")
    page.locator("#org-name").fill(name)
    page.get_by_label("Short name (slug)").fill(slug)
    page.get_by_label("Email domains").fill(f"{slug}.example")
    olga.click("Register the org")
    assert f"Registered {slug}: now seat its first org admin." in olga.main_text(), olga.main_text()
    path = olga.page.url.removeprefix(olga.console).split("?")[0]
    page.locator("#admin-name").fill(admin.title())
    page.get_by_label("Email", exact=True).fill(f"{admin}@{slug}.example")
    page.get_by_label("First password").fill(PASSWORD)
    olga.click("Seat the org admin")
    assert f"Seated {admin}@{slug}.example" in olga.main_text(), olga.main_text()
    return path


def seat_a_person(admin: Visitor, name: str, email: str, *roles: str) -> None:
    """An org admin seats a person on the People page, with a first password."""
    page = admin.go("/admin/people")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("First password").fill(PASSWORD)
    for role in roles:
        page.get_by_label(role, exact=True).check()
    admin.click("Add the person")
    assert "Added." in admin.main_text() and email in admin.main_text(), admin.main_text()


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


def withdraw(system: System, email: str) -> None:
    """Mentors a test published leave the shared directory, as tests/e2e/conftest.py's leave_directory
    does (an async fixture: Playwright's synchronous API holds the event loop of this module's tests)."""
    with httpx.Client(timeout=15) as http:
        token = http.post(
            f"{system.urls.identity}/v1/token",
            data={"grant_type": "password", "username": email, "password": PASSWORD},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        mentor_id = http.get(f"{system.urls.identity}/v1/me", headers=headers).json()["id"]
        quiet = {"display_name": "Former mentor", "mentoring": {"active": False}, "visibility": "org"}
        http.put(f"{system.urls.profiles}/v1/profiles/me", json=quiet, headers=headers)
        for _ in range(150):
            listed = http.get(f"{system.urls.matching}/v1/mentors?limit=200", headers=headers)
            if all(m["mentor_id"] != mentor_id for m in listed.json().get("items", [])):
                return
            time.sleep(0.2)


def test_the_operator_seats_two_orgs_whose_people_complete_a_session_all_in_the_browser(
    system: System, visitors: Callable[..., Visitor]
) -> None:
    """The issue's "Done when", with no API call but the waits for the system: the operator (on her phone)
    registers two orgs and seats their first admins; each admin seats a person on the People page; the
    mentor at one org and the member at the other meet, and everything after, as people do it."""
    suffix = secrets.token_hex(3)
    kiln, glaze = f"kiln-{suffix}", f"glaze-{suffix}"
    olga = visitors(viewport=PHONE, is_mobile=True, has_touch=True)
    olga.sign_in(*OPERATOR)
    olga.go("/ops")
    assert olga.fits_the_screen() >= 1  # consumer lag's table is wider than a phone: it scrolls in its box
    kiln_page = register_an_org(olga, f"Kiln {suffix}", kiln, "kay")
    register_an_org(olga, f"Glaze {suffix}", glaze, "gus")
    olga.go(kiln_page)
    assert "Status\nactive" in olga.main_text() and f"store of {kiln}" in olga.main_text()
    olga.fits_the_screen()
    olga.tabs_to_every_button()  # seat an admin, suspend, offboard

    kay, gus = visitors(), visitors()
    kay.sign_in(f"kay@{kiln}.example", PASSWORD)
    seat_a_person(kay, "Ann", f"ann@{kiln}.example")
    gus.sign_in(f"gus@{glaze}.example", PASSWORD)
    seat_a_person(gus, "Mia", f"mia@{glaze}.example", "mentor")

    people = {"ann": {"email": f"ann@{kiln}.example"}, "mia": {"email": f"mia@{glaze}.example"}}
    try:
        walk_the_member_path(system, visitors, people, suffix)
    finally:
        withdraw(system, people["mia"]["email"])


def walk_the_member_path(
    system: System, visitors: Callable[..., Visitor], people: dict[str, Any], suffix: str
) -> None:
    skill = f"kiln firing {suffix}"  # no other mentor of the shared system has it
    ann = visitors(viewport=PHONE, is_mobile=True, has_touch=True)  # Ann uses her phone
    mia = visitors()

    mia.sign_in(people["mia"]["email"], PASSWORD)
    fill_profile(mia, "Mia Glaze", "Europe/Berlin", f"{skill}: 5", mentor=True)

    ann.sign_in(people["ann"]["email"], PASSWORD)
    ann.page.keyboard.press("Tab")  # the first stop is the skip link
    assert ann.page.evaluate("() => document.activeElement.textContent") == "Skip to the content"
    fill_profile(ann, "Ann Kiln", "Asia/Tokyo", "pottery: 2", mentor=False)
    ann.fits_the_screen()
    ann.tabs_to_every_button()  # her profile, on her phone: every field to Save

    # the ask, with its question, background and success criteria; sent from the keyboard
    page = ann.go("/asks/new")
    page.get_by_label("Your question").fill(f"How do I fire a kiln evenly? ({skill})")
    page.get_by_label("Background").fill("Our glazes crack on the top shelf.")
    page.get_by_label("What success looks like").fill("A firing schedule I can try next week.")
    page.get_by_label("Skills it needs").fill(skill)
    page.get_by_label("Mentors of every member org").check()
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


def bearer(http: httpx.Client, system: System, email: str, password: str = PASSWORD) -> dict[str, str]:
    token = http.post(
        f"{system.urls.identity}/v1/token",
        data={"grant_type": "password", "username": email, "password": password},
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def three_offers(system: System, people: dict[str, Any], skill: str) -> list[dict[str, Any]]:
    """Set up by the API: Mia (a mentor, free all week) and Ann (free all week, in UTC) share their cards;
    Ann asks three questions only Mia can answer; answers Mia's three offers, in the order of the asks."""
    always = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(7)]
    with httpx.Client(timeout=15) as http:
        ann, mia = (bearer(http, system, people[p]["email"]) for p in ("ann", "mia"))
        card = {"languages": ["en"], "timezone": "UTC", "availability": always, "visibility": "consortium"}
        mentor = {"display_name": "Mia Glaze", "skills": [{"name": skill, "level": 5}],
                  "mentoring": {"active": True, "capacity_per_month": 10}}  # fmt: skip
        for headers, body in ((mia, card | mentor), (ann, card | {"display_name": "Ann Kiln"})):
            saved = http.put(f"{system.urls.profiles}/v1/profiles/me", json=body, headers=headers)
            assert saved.status_code == 200, saved.text
        for _ in range(300):  # her card reaches the directory through events
            listed = http.get(f"{system.urls.matching}/v1/mentors", params={"skill": skill}, headers=ann)
            if any(m["mentor_id"] == people["mia"]["id"] for m in listed.json().get("items", [])):
                break
            time.sleep(0.2)
        asks = []
        for n in range(3):
            ask = {"question": f"Question {n} on {skill}?", "skills": [skill], "duration_minutes": 30,
                   "scope": "consortium"}  # fmt: skip
            posted = http.post(f"{system.urls.matching}/v1/asks", json=ask, headers=ann)
            assert posted.status_code == 201, posted.text
            asks.append(posted.json()["id"])
        for _ in range(300):
            offered = http.get(
                f"{system.urls.sessions}/v1/sessions", params={"status": "proposed", "limit": 50}, headers=mia
            ).json()["items"]
            by_ask = {o["ask_id"]: o for o in offered}
            if set(asks) <= set(by_ask):
                return [by_ask[a] for a in asks]
            time.sleep(0.2)
    raise AssertionError(f"Mia was not offered the three asks: {offered}")


def accept(system: System, email: str, offer: dict[str, Any], start_at: str) -> None:
    with httpx.Client(timeout=15) as http:
        accepted = http.post(
            f"{system.urls.sessions}/v1/sessions/{offer['id']}/accept",
            json={"start_at": start_at},
            headers=bearer(http, system, email),
        )
        assert accepted.status_code == 200, accepted.text


def test_a_mentor_declines_and_the_two_reschedule_cancel_and_report_a_no_show_in_the_browser(
    system: System, visitors: Callable[..., Visitor]
) -> None:
    """The member paths the walk above does not take, in the browser; what leads to them, by the API."""
    people = seed_two_orgs(system)
    skill = f"glaze chemistry {people['ann']['suffix']}"
    try:
        declined, moved, cancelled = three_offers(system, people, skill)
        accept(system, people["mia"]["email"], moved, moved["slots"][0])
        accept(system, people["mia"]["email"], cancelled, cancelled["slots"][-1])
        # the session whose no-show is reported: moved by the API to a few seconds from now (the browser's
        # field takes whole minutes, so moving it there would leave up to a minute to wait)
        with httpx.Client(timeout=15) as http:
            moved_soon = http.post(
                f"{system.urls.sessions}/v1/sessions/{moved['id']}/reschedule",
                json={"start_at": (datetime.now(UTC) + timedelta(seconds=5)).isoformat()},
                headers=bearer(http, system, people["ann"]["email"]),
            )
            assert moved_soon.status_code == 200, moved_soon.text
        ann, mia = visitors(viewport=PHONE, is_mobile=True, has_touch=True), visitors()
        ann.sign_in(people["ann"]["email"], PASSWORD)

        # Ann moves the other session to another time (her time zone is UTC); Mia's copy follows
        later = (datetime.now(UTC) + timedelta(days=2)).replace(hour=10, minute=30, second=0, microsecond=0)
        page = ann.go(f"/sessions/{cancelled['id']}")
        page.get_by_text("Move it to another time").click()
        page.get_by_label("New time, in your time zone (UTC)").fill(later.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_label("Why (optional)").fill("A clash with a kiln firing")
        ann.click("Reschedule")
        assert "Done: reschedule." in ann.main_text() and when(later.isoformat(), "UTC") in ann.main_text()
        mia.sign_in(people["mia"]["email"], PASSWORD)
        moved_to = when(later.isoformat(), "UTC")
        mia.until(f"/sessions/{cancelled['id']}", lambda p: moved_to in p.inner_text("main"),
                  "the new time on Mia's copy")  # fmt: skip

        # Mia declines an offer, saying why; Ann sees the reason on her copy
        page = mia.go(f"/sessions/{declined['id']}")
        page.get_by_label("Why you decline (optional)").fill("Travelling all month")
        mia.click("Decline")
        assert "Done: decline." in mia.main_text() and "declined" in mia.main_text()
        ann.until(f"/sessions/{declined['id']}", lambda p: "Travelling all month" in p.inner_text("main"),
                  "the reason on Ann's copy")  # fmt: skip

        # Ann cancels the other session; Mia's copy says so, with the reason
        page = ann.go(f"/sessions/{cancelled['id']}")
        page.get_by_text("Cancel it").click()
        page.get_by_label("Why", exact=True).fill("The kiln is fixed already")
        ann.click("Cancel the session")
        assert "Done: cancel." in ann.main_text() and "cancelled" in ann.main_text()
        fixed = "The kiln is fixed already"
        mia.until(f"/sessions/{cancelled['id']}", lambda p: fixed in p.inner_text("main"), "Mia's copy")

        # once the moved session's time has come, Mia reports that Ann did not come
        for _ in range(200):
            page = mia.go(f"/sessions/{moved['id']}")
            page.get_by_text("The other person did not come").click()
            page.get_by_label("What happened (optional)").fill("Nobody joined the call")
            mia.click("Report a no-show")
            if "Done: no show." in mia.main_text():
                break
            assert "start time has passed" in mia.main_text()  # sessions' refusal, shown: too early yet
            time.sleep(1)
        assert "no show" in mia.main_text(), mia.main_text()
        ann.until(f"/sessions/{moved['id']}", lambda p: "no show" in p.inner_text("main"), "Ann's copy")
    finally:
        withdraw(system, people["mia"]["email"])


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
    org_page = olga.page.url.removeprefix(system.console).split("?")[0]
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

    # suspended: Pia's sign-in ends (identity refuses her tokens); resumed: she may sign in again
    olga.click("Suspend Pottery")
    assert f"Suspended pottery-{suffix}." in olga.main_text() and "suspended since" in olga.main_text()
    pia.page.goto(f"{system.console}/admin/people")
    assert "/v1/authorize" in pia.page.url  # sent to sign in again
    olga.click("Resume Pottery")
    assert f"Resumed pottery-{suffix}." in olga.main_text(), olga.main_text()
    pia.sign_in(f"pia@pottery-{suffix}.example", PASSWORD)
    assert "its people" in pia.main_text()

    # offboarded, once its slug is typed: gone from the list, and Pia signs in no more
    olga.page.get_by_label("Type the org's slug").fill("pottery")
    olga.click("Offboard Pottery for good")
    assert olga.page.get_by_role("alert").count() == 1 and "not the org's slug" in olga.main_text()
    assert olga.page.get_by_label("Type the org's slug").input_value() == "pottery"
    olga.page.get_by_label("Type the org's slug").fill(f"pottery-{suffix}")
    olga.click("Offboard Pottery for good")
    assert f"Offboarded pottery-{suffix}: the tokens of its 1 person are revoked" in olga.main_text(), (
        olga.main_text()
    )
    olga.page.goto(f"{system.console}{org_page}")
    assert olga.page.get_by_role("alert").count() == 1 and "org not found" in olga.main_text()
    pia.page.goto(f"{system.console}/admin/people")
    assert "/v1/authorize" in pia.page.url

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
