"""``make demo``: two member orgs walk through the whole flow against a running ``make run``.

Acme's Ann asks how to push back on a price rise; Globex's Ned is proposed first and declines; Globex's
Mia is proposed next, accepts, and the session is held; both give feedback; the impact figures move.
Every step is printed with the request that made it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

PASSWORD = "demo password 2026"


class DemoFailed(RuntimeError):
    pass


@dataclass
class Person:
    name: str
    email: str
    org_id: str
    id: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Urls:
    identity: str
    profiles: str
    matching: str
    sessions: str
    feedback: str
    streams: str

    @classmethod
    def from_base(cls, host: str = "http://127.0.0.1", port_base: int = 8001) -> Urls:
        return cls(*(f"{host}:{port_base + i}" for i in range(6)))


@dataclass
class Outcome:
    """What the walk-through produced, for the e2e test to check."""

    orgs: dict[str, str] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    ask_id: str = ""
    declined_session_id: str = ""
    session_id: str = ""
    org_impact: dict[str, Any] = field(default_factory=dict)
    consortium_impact: dict[str, Any] = field(default_factory=dict)


Say = Callable[[str], None]


async def until(check: Callable[[], Awaitable[Any]], what: str, timeout_s: float = 30.0) -> Any:
    """Poll ``check`` until it returns something truthy; events take a moment to travel."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise DemoFailed(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


def _ok(response: httpx.Response, *expected: int) -> Any:
    if response.status_code not in (expected or (200, 201)):
        raise DemoFailed(
            f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text}"
        )
    return response.json()


async def login(http: httpx.AsyncClient, urls: Urls, email: str, password: str) -> dict[str, str]:
    token = _ok(
        await http.post(
            f"{urls.identity}/v1/token",
            data={"grant_type": "password", "username": email, "password": password},
        )
    )
    return {"Authorization": f"Bearer {token['access_token']}"}


async def walk(urls: Urls, operator: tuple[str, str], say: Say = print) -> Outcome:
    """The whole flow, for two new orgs; raises DemoFailed when a step does not happen."""
    out = Outcome()
    suffix = secrets.token_hex(2)
    async with httpx.AsyncClient(timeout=15) as http:
        ops = await login(http, urls, *operator)
        say(f"1. The consortium operator logs in ({operator[0]}).")

        for slug, name in (("acme", "Acme Corp"), ("globex", "Globex")):
            domain = f"{slug}-{suffix}.example"
            joining = {"slug": f"{slug}-{suffix}", "name": name, "email_domains": [domain]}
            org = _ok(await http.post(f"{urls.identity}/v1/orgs", json=joining, headers=ops))
            out.orgs[slug] = org["id"]
        say(f"2. Two member orgs join: Acme ({out.orgs['acme']}) and Globex ({out.orgs['globex']}).")

        cast = {
            "ann": ("acme", ["member"]),
            "carl": ("acme", ["member"]),
            "ned": ("globex", ["member", "mentor"]),
            "mia": ("globex", ["member", "mentor"]),
            "gus": ("globex", ["member"]),
            "acme_admin": ("acme", ["org_admin"]),
        }
        for name, (org, roles) in cast.items():
            person = Person(name, f"{name}@{org}-{suffix}.example", out.orgs[org])
            user = _ok(
                await http.post(
                    f"{urls.identity}/v1/orgs/{person.org_id}/users",
                    json={"email": person.email, "name": name.title(), "password": PASSWORD, "roles": roles},
                    headers=ops,
                )
            )
            person.id = user["id"]
            person.headers = await login(http, urls, person.email, PASSWORD)
            out.people[name] = person
        say("3. Their people sign up: Ann and Carl at Acme; Ned, Mia and Gus at Globex (Ned and Mia mentor).")

        profiles = {
            "ned": ("Ned Okafor", "Head of strategic sourcing", [("negotiation", 5), ("procurement", 5)]),
            "mia": ("Mia Chen", "Procurement lead", [("negotiation", 4), ("supplier management", 3)]),
        }
        for name, (display, headline, skills) in profiles.items():
            body = {
                "display_name": display,
                "headline": headline,
                "skills": [{"name": s, "level": level} for s, level in skills],
                "languages": ["en"],
                "timezone": "Europe/Berlin",
                "availability": [{"weekday": 1, "start": "09:00", "end": "12:00"}],
                "mentoring": {"active": True, "capacity_per_month": 4, "open_to_reverse": True},
                "visibility": "consortium",
            }
            _ok(
                await http.put(f"{urls.profiles}/v1/profiles/me", json=body, headers=out.people[name].headers)
            )
        ann_profile = {
            "display_name": "Ann Weber",
            "headline": "Engineering manager",
            "timezone": "Asia/Tokyo",
            # Tuesday late afternoon in Tokyo is Tuesday morning in Berlin: the offer finds the overlap.
            "availability": [{"weekday": 1, "start": "16:00", "end": "19:00"}],
            "visibility": "consortium",
        }
        _ok(
            await http.put(
                f"{urls.profiles}/v1/profiles/me", json=ann_profile, headers=out.people["ann"].headers
            )
        )
        say("4. Ned and Mia share mentor cards with the whole consortium; Ann shares her card too.")

        async def directory_ready() -> bool:
            listed = _ok(
                await http.get(
                    f"{urls.matching}/v1/mentors?skill=negotiation", headers=out.people["ann"].headers
                )
            )
            return {m["mentor_id"] for m in listed["items"]} >= {out.people["ned"].id, out.people["mia"].id}

        await until(directory_ready, "the federated directory to list both mentors")
        say("5. Matching's federated directory, built from events alone, lists both Globex mentors for Acme.")

        ask = _ok(
            await http.post(
                f"{urls.matching}/v1/asks",
                json={
                    "question": "How do I push back on a 40% price rise at renewal?",
                    "background": "Our main cloud supplier wants 40% more from January; we have 6 weeks.",
                    "success_criteria": "A negotiation plan with a walk-away point I can use next week.",
                    "skills": ["negotiation", "procurement"],
                    "duration_minutes": 30,
                    "scope": "consortium",
                },
                headers=out.people["ann"].headers,
            ),
            201,
        )
        out.ask_id = ask["id"]
        say(f"6. Ann posts an ask ({ask['id']}), open to mentors of every member org.")

        async def proposals(count: int) -> list[dict[str, Any]] | None:
            current = _ok(
                await http.get(f"{urls.matching}/v1/asks/{out.ask_id}", headers=out.people["ann"].headers)
            )
            return current["proposals"] if len(current["proposals"]) >= count else None

        first = (await until(lambda: proposals(1), "the first proposal"))[0]
        say(f"7. Matching proposes Ned (score {first['score']}): {'; '.join(first['reasons'])}.")
        if first["mentor_id"] != out.people["ned"].id:
            raise DemoFailed("expected Ned to be proposed first")

        async def offer_for(person: Person) -> dict[str, Any] | None:
            listed = _ok(
                await http.get(f"{urls.sessions}/v1/sessions?status=proposed", headers=person.headers)
            )
            return next((s for s in listed["items"] if s["ask_id"] == out.ask_id), None)

        ned_offer = await until(lambda: offer_for(out.people["ned"]), "Ned's offer")
        out.declined_session_id = ned_offer["id"]
        # Ann's card reaches matching on its own event; an offer made before it arrived carries none.
        card = ned_offer.get("mentee_card")
        shown = (
            f"and Ann's card ({card['headline']})" if card else "(Ann's card had not reached matching yet)"
        )
        say(f"8. Ned sees the offer: Ann's question, background and success criteria {shown}.")
        _ok(
            await http.post(
                f"{urls.sessions}/v1/sessions/{ned_offer['id']}/decline",
                json={"reason": "Travelling all month"},
                headers=out.people["ned"].headers,
            )
        )
        say("9. Ned declines: he is travelling all month.")

        second = (await until(lambda: proposals(2), "the next proposal"))[1]
        say(f"10. Matching proposes the next candidate, Mia (score {second['score']}).")
        mia_offer = await until(lambda: offer_for(out.people["mia"]), "Mia's offer")
        slots = mia_offer.get("slots") or []
        start_at = (
            datetime.fromisoformat(slots[0])
            if slots
            else (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
        )
        scheduled = _ok(
            await http.post(
                f"{urls.sessions}/v1/sessions/{mia_offer['id']}/accept",
                json={"start_at": start_at.isoformat()},
                headers=out.people["mia"].headers,
            )
        )
        out.session_id = scheduled["id"]
        say(
            f"11. Mia accepts the first of {len(slots)} common slots: {start_at:%A %d %B, %H:%M} UTC "
            f"({start_at.astimezone(ZoneInfo('Asia/Tokyo')):%H:%M} for Ann in Tokyo, "
            f"{start_at.astimezone(ZoneInfo('Europe/Berlin')):%H:%M} for Mia in Berlin)."
        )

        async def ann_sees(status: str) -> bool:
            response = await http.get(
                f"{urls.sessions}/v1/sessions/{out.session_id}", headers=out.people["ann"].headers
            )
            return response.status_code == 200 and response.json()["status"] == status

        await until(lambda: ann_sees("scheduled"), "Ann's side of the session to be scheduled")
        _ok(
            await http.post(
                f"{urls.sessions}/v1/sessions/{out.session_id}/complete", headers=out.people["ann"].headers
            )
        )
        say("12. They meet for 30 minutes; Ann marks the session completed.")

        async def give(person: Person, rating: int, resolved: str, learned: str) -> bool:
            response = await http.post(
                f"{urls.feedback}/v1/feedback",
                json={
                    "session_id": out.session_id,
                    "rating": rating,
                    "resolved": resolved,
                    "learned": learned,
                },
                headers=person.headers,
            )
            if response.status_code in (404, 409):  # the completion has not reached feedback yet
                return False
            _ok(response, 201)
            return True

        await until(
            lambda: give(out.people["ann"], 5, "yes", "Anchor on total cost, not the unit price."),
            "Ann's feedback",
        )
        await until(lambda: give(out.people["mia"], 4, "partly", "Ann came well prepared."), "Mia's feedback")
        say("13. Both give feedback right away: Ann 5/5, resolved; Mia 4/5.")

        follow_up = _ok(
            await http.post(
                f"{urls.feedback}/v1/follow-ups",
                json={
                    "session_id": out.session_id,
                    "what_i_did": "Asked for a three-year deal at +8% instead of +40%; they agreed.",
                    "resolved": "yes",
                    "share_with_mentor": True,
                },
                headers=out.people["ann"].headers,
            ),
            201,
        )

        async def mia_sees_it() -> bool:
            listed = _ok(await http.get(f"{urls.feedback}/v1/follow-ups", headers=out.people["mia"].headers))
            return any(f["id"] == follow_up["id"] for f in listed["items"])

        await until(mia_sees_it, "Mia to see what came of her advice")
        say("14. Ann records how she applied the advice and shares it; Mia sees what came of it.")

        async def impact(person_headers: dict[str, str]) -> dict[str, Any] | None:
            # The facts behind the figures arrive on different topics, in no fixed order: wait until
            # the proposal, the completion and Ann's answer have all been counted.
            figures = _ok(await http.get(f"{urls.feedback}/v1/impact", headers=person_headers))
            settled = (
                figures["sessions_completed"] >= 1
                and figures["share_of_asks_with_a_proposal"]
                and figures["resolved"]["yes"] >= 1
                and figures["average_rating"]
            )
            return figures if settled else None

        out.org_impact = await until(
            lambda: impact(out.people["acme_admin"].headers), "Acme's impact figures"
        )
        out.consortium_impact = await until(lambda: impact(ops), "the consortium's impact figures")
        say(
            f"15. Acme's admin sees impact: {out.org_impact['asks_created']} ask(s), "
            f"{out.org_impact['sessions_completed']} session(s) completed, average rating "
            f"{out.org_impact['average_rating']}, "
            f"cross-org share {out.org_impact['share_of_sessions_across_orgs']}."
        )
        say(
            f"    The operator sees the consortium: {out.consortium_impact['sessions_completed']} session(s) "
            f"completed across all members, resolved split {out.consortium_impact['resolved']}."
        )

        for outsider in ("carl", "gus"):
            person = out.people[outsider]
            ask_status = (
                await http.get(f"{urls.matching}/v1/asks/{out.ask_id}", headers=person.headers)
            ).status_code
            session_status = (
                await http.get(f"{urls.sessions}/v1/sessions/{out.session_id}", headers=person.headers)
            ).status_code
            if (ask_status, session_status) != (404, 404):
                raise DemoFailed(f"{outsider} could see the ask or session: {ask_status}, {session_status}")
        say("16. Carl (Acme) and Gus (Globex) get 404 for Ann's ask and the session: only the two see them.")
    return out


def operator_from(data_dir: Path) -> tuple[str, str]:
    email, password = (
        os.environ.get("MENTORNET_OPERATOR_EMAIL"),
        os.environ.get("MENTORNET_OPERATOR_PASSWORD"),
    )
    if email and password:
        return email, password
    saved = data_dir / "operator-login.txt"
    if saved.exists():
        first, second = saved.read_text().split()[:2]
        return first, second
    raise DemoFailed("set MENTORNET_OPERATOR_EMAIL and MENTORNET_OPERATOR_PASSWORD as for `make run`")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("MENTORNET_DATA_DIR", "data")))
    parser.add_argument("--port-base", type=int, default=8001)
    args = parser.parse_args(argv)
    try:
        asyncio.run(walk(Urls.from_base(port_base=args.port_base), operator_from(args.data_dir)))
    except (DemoFailed, httpx.HTTPError) as exc:
        print(f"demo failed: {exc} (is `make run` running?)", file=sys.stderr)
        return 1
    print("\nThe whole flow ran through the public API and events alone.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
