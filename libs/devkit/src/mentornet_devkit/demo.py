"""``make demo``: two member orgs walk through the whole flow against a running ``make run``.

Acme's Ann asks how to push back on a price rise; Globex's Ned is proposed first and declines; Globex's
Mia is proposed next, accepts, and the session is held; both give feedback; the impact figures move.
Every step is printed as it happens.

Every call goes through the typed client generated from docs/openapi.json (``mentornet_client``,
clients/python), as a portal would make it: the operations by their operationId (``create_ask``,
``accept_session``…), the request bodies as its models. A call that fails stops the walk with the
problem document's title and detail.
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
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx
from mentornet_client import AuthenticatedClient, Client
from mentornet_client.api.asks import create_ask, get_ask
from mentornet_client.api.directory import list_mentors
from mentornet_client.api.feedback import get_impact, give_feedback, list_follow_ups, record_follow_up
from mentornet_client.api.orgs import register_org
from mentornet_client.api.profiles import save_my_profile
from mentornet_client.api.sessions import (
    accept_session,
    complete_session,
    decline_session,
    get_session,
    list_sessions,
)
from mentornet_client.api.tokens import issue_token
from mentornet_client.api.users import register_user
from mentornet_client.models import (
    AcceptIn,
    AskIn,
    BodyIssueToken,
    FeedbackIn,
    FollowUpIn,
    MentoringIn,
    OrgCreate,
    Problem,
    ProfileIn,
    ProposalOut,
    ReasonIn,
    SessionOut,
    SkillIn,
    UserCreate,
    WindowIn,
)
from mentornet_client.models.user_create_roles_item import UserCreateRolesItem
from mentornet_client.types import Response

PASSWORD = "demo password 2026"
TIMEOUT = httpx.Timeout(15)
SERVICES = ("identity", "profiles", "matching", "sessions", "feedback", "streams")
T = TypeVar("T")


class DemoFailed(RuntimeError):
    pass


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


class Api:
    """One caller's generated clients, one per service: the embedded default serves each service on a port
    of its own (behind the gateway one base URL would serve all six). Each is made when first used."""

    def __init__(self, urls: Urls, token: str) -> None:
        self.urls, self.token = urls, token

    def _client(self, base_url: str) -> AuthenticatedClient:
        return AuthenticatedClient(base_url=base_url, token=self.token, timeout=TIMEOUT)

    @cached_property
    def identity(self) -> AuthenticatedClient:
        return self._client(self.urls.identity)

    @cached_property
    def profiles(self) -> AuthenticatedClient:
        return self._client(self.urls.profiles)

    @cached_property
    def matching(self) -> AuthenticatedClient:
        return self._client(self.urls.matching)

    @cached_property
    def sessions(self) -> AuthenticatedClient:
        return self._client(self.urls.sessions)

    @cached_property
    def feedback(self) -> AuthenticatedClient:
        return self._client(self.urls.feedback)

    @cached_property
    def streams(self) -> AuthenticatedClient:
        return self._client(self.urls.streams)

    async def aclose(self) -> None:
        for service in SERVICES:
            if (made := vars(self).get(service)) is not None:
                await made.get_async_httpx_client().aclose()


@dataclass
class Person:
    name: str
    email: str
    org_id: str
    id: str
    api: Api

    @property
    def headers(self) -> dict[str, str]:
        """The bearer header, for a caller that uses plain HTTP."""
        return {"Authorization": f"Bearer {self.api.token}"}


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


def problem_of(response: Response[Any]) -> str:
    """What a failed call answered: the problem document's title and detail, else the body as it came."""
    if isinstance(found := response.parsed, Problem):
        return f"{found.title}: {found.detail}" if isinstance(found.detail, str) else found.title
    return response.content.decode(errors="replace")


def ok(response: Response[T | Problem], operation: str, *expected: int) -> T:
    """The parsed answer of a call that succeeded; a failed one raises DemoFailed with its problem."""
    parsed = response.parsed
    if (
        response.status_code in (expected or (200, 201))
        and parsed is not None
        and not isinstance(parsed, Problem)
    ):
        return parsed
    raise DemoFailed(f"{operation} answered {response.status_code.value}: {problem_of(response)}")


async def token(anonymous: Client, email: str, password: str) -> str:
    """A person's access token from the password grant. The generated client sends the token endpoint's
    form as the document declares it (application/x-www-form-urlencoded)."""
    grant = BodyIssueToken(grant_type="password", username=email, password=password)
    issued = ok(await issue_token.asyncio_detailed(client=anonymous, body=grant), "issueToken")
    return issued.access_token


class Callers:
    """Signs people in through the generated client (``anonymous``, identity's, calls the token endpoint)
    and closes every client it made when the block ends."""

    def __init__(self, urls: Urls) -> None:
        self.urls = urls
        self.anonymous = Client(base_url=urls.identity, timeout=TIMEOUT)
        self._signed_in: list[Api] = []

    async def sign_in(self, email: str, password: str) -> Api:
        api = Api(self.urls, await token(self.anonymous, email, password))
        self._signed_in.append(api)
        return api

    async def __aenter__(self) -> Callers:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for api in self._signed_in:
            await api.aclose()
        await self.anonymous.get_async_httpx_client().aclose()


async def login(http: httpx.AsyncClient, urls: Urls, email: str, password: str) -> dict[str, str]:
    """The bearer header of a person signed in with a password, for callers that use plain HTTP."""
    response = await http.post(
        f"{urls.identity}/v1/token",
        data={"grant_type": "password", "username": email, "password": password},
    )
    if response.status_code != 200:
        raise DemoFailed(f"POST {response.request.url} -> {response.status_code}: {response.text}")
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def walk(urls: Urls, operator: tuple[str, str], say: Say = print) -> Outcome:
    """The whole flow, for two new orgs; raises DemoFailed when a step does not happen."""
    async with Callers(urls) as callers:
        out = Outcome()
        suffix = secrets.token_hex(2)
        ops = await callers.sign_in(*operator)
        say(f"1. The consortium operator logs in ({operator[0]}).")

        for slug, name in (("acme", "Acme Corp"), ("globex", "Globex")):
            joining = OrgCreate(
                slug=f"{slug}-{suffix}", name=name, email_domains=[f"{slug}-{suffix}.example"]
            )
            org = ok(await register_org.asyncio_detailed(client=ops.identity, body=joining), "registerOrg")
            out.orgs[slug] = org.id
        say(f"2. Two member orgs join: Acme ({out.orgs['acme']}) and Globex ({out.orgs['globex']}).")

        cast: dict[str, tuple[str, list[UserCreateRolesItem]]] = {
            "ann": ("acme", ["member"]),
            "carl": ("acme", ["member"]),
            "ned": ("globex", ["member", "mentor"]),
            "mia": ("globex", ["member", "mentor"]),
            "gus": ("globex", ["member"]),
            "acme_admin": ("acme", ["org_admin"]),
        }
        for name, (org_slug, roles) in cast.items():
            email, org_id = f"{name}@{org_slug}-{suffix}.example", out.orgs[org_slug]
            seat = UserCreate(email=email, name=name.title(), password=PASSWORD, roles=roles)
            user = ok(
                await register_user.asyncio_detailed(org_id, client=ops.identity, body=seat), "registerUser"
            )
            out.people[name] = Person(name, email, org_id, user.id, await callers.sign_in(email, PASSWORD))
        say("3. Their people sign up: Ann and Carl at Acme; Ned, Mia and Gus at Globex (Ned and Mia mentor).")
        ann, ned, mia = out.people["ann"], out.people["ned"], out.people["mia"]

        profiles = {
            "ned": ("Ned Okafor", "Head of strategic sourcing", [("negotiation", 5), ("procurement", 5)]),
            "mia": ("Mia Chen", "Procurement lead", [("negotiation", 4), ("supplier management", 3)]),
        }
        for name, (display, headline, skills) in profiles.items():
            shared = ProfileIn(
                display_name=display,
                headline=headline,
                skills=[SkillIn(name=s, level=level) for s, level in skills],
                languages=["en"],
                timezone="Europe/Berlin",
                availability=[WindowIn(weekday=1, start="09:00", end="12:00")],
                mentoring=MentoringIn(active=True, capacity_per_month=4, open_to_reverse=True),
                visibility="consortium",
            )
            mentor = out.people[name].api
            ok(await save_my_profile.asyncio_detailed(client=mentor.profiles, body=shared), "saveMyProfile")
        ann_profile = ProfileIn(
            display_name="Ann Weber",
            headline="Engineering manager",
            timezone="Asia/Tokyo",
            # Tuesday late afternoon in Tokyo is Tuesday morning in Berlin: the offer finds the overlap.
            availability=[WindowIn(weekday=1, start="16:00", end="19:00")],
            visibility="consortium",
        )
        ok(await save_my_profile.asyncio_detailed(client=ann.api.profiles, body=ann_profile), "saveMyProfile")
        say("4. Ned and Mia share mentor cards with the whole consortium; Ann shares her card too.")

        async def directory_ready() -> bool:
            listed = ok(
                await list_mentors.asyncio_detailed(client=ann.api.matching, skill="negotiation"),
                "listMentors",
            )
            return {m.mentor_id for m in listed.items} >= {ned.id, mia.id}

        await until(directory_ready, "the federated directory to list both mentors")
        say("5. Matching's federated directory, built from events alone, lists both Globex mentors for Acme.")

        question = AskIn(
            question="How do I push back on a 40% price rise at renewal?",
            background="Our main cloud supplier wants 40% more from January; we have 6 weeks.",
            success_criteria="A negotiation plan with a walk-away point I can use next week.",
            skills=["negotiation", "procurement"],
            duration_minutes=30,
            scope="consortium",
        )
        ask = ok(await create_ask.asyncio_detailed(client=ann.api.matching, body=question), "createAsk", 201)
        out.ask_id = ask.id
        say(f"6. Ann posts an ask ({ask.id}), open to mentors of every member org.")

        async def proposals(count: int) -> list[ProposalOut] | None:
            current = ok(await get_ask.asyncio_detailed(out.ask_id, client=ann.api.matching), "getAsk")
            return current.proposals if len(current.proposals) >= count else None

        first: ProposalOut = (await until(lambda: proposals(1), "the first proposal"))[0]
        say(f"7. Matching proposes Ned (score {first.score}): {'; '.join(first.reasons)}.")
        if first.mentor_id != ned.id:
            raise DemoFailed("expected Ned to be proposed first")

        async def offer_for(person: Person) -> SessionOut | None:
            listed = ok(
                await list_sessions.asyncio_detailed(client=person.api.sessions, status="proposed"),
                "listSessions",
            )
            return next((s for s in listed.items if s.ask_id == out.ask_id), None)

        ned_offer: SessionOut = await until(lambda: offer_for(ned), "Ned's offer")
        out.declined_session_id = ned_offer.id
        # Ann's card reaches matching on its own event; an offer made before it arrived carries none.
        card = ned_offer.mentee_card
        shown = f"and Ann's card ({card.headline})" if card else "(Ann's card had not reached matching yet)"
        say(f"8. Ned sees the offer: Ann's question, background and success criteria {shown}.")
        no = ReasonIn(reason="Travelling all month")
        ok(
            await decline_session.asyncio_detailed(ned_offer.id, client=ned.api.sessions, body=no),
            "declineSession",
        )
        say("9. Ned declines: he is travelling all month.")

        second: ProposalOut = (await until(lambda: proposals(2), "the next proposal"))[1]
        say(f"10. Matching proposes the next candidate, Mia (score {second.score}).")
        mia_offer: SessionOut = await until(lambda: offer_for(mia), "Mia's offer")
        slots = mia_offer.slots
        start_at = (
            slots[0]
            if slots
            else (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
        )
        yes = AcceptIn(start_at=start_at)
        scheduled = ok(
            await accept_session.asyncio_detailed(mia_offer.id, client=mia.api.sessions, body=yes),
            "acceptSession",
        )
        out.session_id = scheduled.id
        say(
            f"11. Mia accepts the first of {len(slots)} common slots: {start_at:%A %d %B, %H:%M} UTC "
            f"({start_at.astimezone(ZoneInfo('Asia/Tokyo')):%H:%M} for Ann in Tokyo, "
            f"{start_at.astimezone(ZoneInfo('Europe/Berlin')):%H:%M} for Mia in Berlin)."
        )

        async def ann_sees(status: str) -> bool:
            response = await get_session.asyncio_detailed(out.session_id, client=ann.api.sessions)
            return isinstance(response.parsed, SessionOut) and response.parsed.status == status

        await until(lambda: ann_sees("scheduled"), "Ann's side of the session to be scheduled")
        ok(
            await complete_session.asyncio_detailed(out.session_id, client=ann.api.sessions),
            "completeSession",
        )
        say("12. They meet for 30 minutes; Ann marks the session completed.")

        async def give(person: Person, answer: FeedbackIn) -> bool:
            response = await give_feedback.asyncio_detailed(client=person.api.feedback, body=answer)
            if response.status_code in (404, 409):  # the completion has not reached feedback yet
                return False
            ok(response, "giveFeedback", 201)
            return True

        anns = FeedbackIn(
            session_id=out.session_id,
            rating=5,
            resolved="yes",
            learned="Anchor on total cost, not the unit price.",
        )
        await until(lambda: give(ann, anns), "Ann's feedback")
        mias = FeedbackIn(
            session_id=out.session_id, rating=4, resolved="partly", learned="Ann came well prepared."
        )
        await until(lambda: give(mia, mias), "Mia's feedback")
        say("13. Both give feedback right away: Ann 5/5, resolved; Mia 4/5.")

        applied = FollowUpIn(
            session_id=out.session_id,
            what_i_did="Asked for a three-year deal at +8% instead of +40%; they agreed.",
            resolved="yes",
            share_with_mentor=True,
        )
        follow_up = ok(
            await record_follow_up.asyncio_detailed(client=ann.api.feedback, body=applied),
            "recordFollowUp",
            201,
        )

        async def mia_sees_it() -> bool:
            listed = ok(await list_follow_ups.asyncio_detailed(client=mia.api.feedback), "listFollowUps")
            return any(f.id == follow_up.id for f in listed.items)

        await until(mia_sees_it, "Mia to see what came of her advice")
        say("14. Ann records how she applied the advice and shares it; Mia sees what came of it.")

        async def impact(caller: Api) -> dict[str, Any] | None:
            # The facts behind the figures arrive on different topics, in no fixed order: wait until
            # the proposal, the completion and Ann's answer have all been counted.
            figures = ok(await get_impact.asyncio_detailed(client=caller.feedback), "getImpact")
            settled = (
                figures.sessions_completed >= 1
                and figures.share_of_asks_with_a_proposal
                and figures.resolved.yes >= 1
                and figures.average_rating
            )
            return figures.to_dict() if settled else None

        out.org_impact = await until(lambda: impact(out.people["acme_admin"].api), "Acme's impact figures")
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
            ask_status = (await get_ask.asyncio_detailed(out.ask_id, client=person.api.matching)).status_code
            session_status = (
                await get_session.asyncio_detailed(out.session_id, client=person.api.sessions)
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
