"""A person's data export, and the right to be forgotten, across every service: after a person is
erased, no store of any service — no SQLite file of any tenant, its write-ahead log included — still
holds their name, email or any free text they wrote, while the figures keep their counts."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from mentornet_client.api.asks import create_ask
from mentornet_client.api.directory import list_mentors
from mentornet_client.api.feedback import (
    get_impact,
    get_my_journal,
    give_feedback,
    list_follow_ups,
    record_follow_up,
)
from mentornet_client.api.orgs import register_org
from mentornet_client.api.profiles import save_my_profile
from mentornet_client.api.sessions import accept_session, complete_session, list_sessions, reschedule_session
from mentornet_client.api.tokens import issue_token
from mentornet_client.api.users import erase_user, export_my_data, register_user
from mentornet_client.models import (
    AcceptIn,
    AskIn,
    BodyIssueToken,
    FeedbackIn,
    FollowUpIn,
    MentoringIn,
    OrgCreate,
    ProfileIn,
    RescheduleIn,
    SessionOut,
    SkillIn,
    UserCreate,
)
from mentornet_client.models.user_create_roles_item import UserCreateRolesItem

from mentornet_devkit.demo import PASSWORD, Api, Callers, ok, until

from .conftest import OPERATOR, System

pytestmark = pytest.mark.e2e


def stores(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.rglob("*.db"))


def holding(data_dir: Path, markers: list[str]) -> dict[str, list[str]]:
    """Which markers each store file (and its WAL) still contains, after a checkpoint folds the WAL in."""
    found: dict[str, list[str]] = {}
    for path in stores(data_dir):
        try:
            # mode=rw: a store deleted since it was listed (an offboarded org's) is not made again, empty
            with sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=5) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:
            pass  # busy right now, or gone: the bytes are still read below
        for candidate in (path, path.with_name(path.name + "-wal")):
            try:
                data = candidate.read_bytes()
            except FileNotFoundError:
                continue
            if data:
                hits = [m for m in markers if m.encode() in data]
                if hits:
                    found[str(candidate.relative_to(data_dir))] = hits
    return found


async def test_after_erasure_no_store_holds_the_persons_name_email_or_words(
    system: System, leave_directory: list[tuple[str, dict[str, str]]]
) -> None:
    urls, tag = system.urls, secrets.token_hex(3)
    name, email = f"Zora Zeller {tag}", f"zora.{tag}@z-{tag}.example"
    words = {
        "bio": f"zbio{tag} I lead our supplier programme",
        "question": f"zq{tag}: how do I push back on a price rise at renewal?",
        "background": f"zbg{tag} our packaging firm wants 40% more",
        "criteria": f"zsc{tag} a plan for Monday",
        "learned": f"zlearn{tag} anchor on total cost",
        "comment": f"zcom{tag} thank you",
        "follow_up": f"zdid{tag} asked for a three-year deal",
        "reschedule": f"zres{tag} my daughter's school play moved",
    }
    markers = [name, email, *words.values()]
    data_dir = system.log.parent / "data"

    # Every call goes through the generated client (mentornet_client), as a portal would make it.
    async with Callers(urls) as callers:
        ops = await callers.sign_in(*OPERATOR)
        org = ok(
            await register_org.asyncio_detailed(
                client=ops.identity,
                body=OrgCreate(slug=f"z-{tag}", name="Z", email_domains=[f"z-{tag}.example"]),
            ),
            "registerOrg",
        )
        other = ok(
            await register_org.asyncio_detailed(
                client=ops.identity,
                body=OrgCreate(slug=f"y-{tag}", name="Y", email_domains=[f"y-{tag}.example"]),
            ),
            "registerOrg",
        )

        async def person(
            org_id: str, who: str, mail: str, roles: list[UserCreateRolesItem]
        ) -> tuple[str, Api]:
            seat = UserCreate(email=mail, name=who, password=PASSWORD, roles=roles)
            made = ok(
                await register_user.asyncio_detailed(org_id, client=ops.identity, body=seat), "registerUser"
            )
            return made.id, await callers.sign_in(mail, PASSWORD)

        zora_id, zora = await person(org.id, name, email, ["member"])
        mentor_id, mentor = await person(
            other.id, f"Mentor {tag}", f"m.{tag}@y-{tag}.example", ["member", "mentor"]
        )
        profile = ProfileIn(display_name=name, headline="Buyer", bio=words["bio"], visibility="consortium")
        ok(await save_my_profile.asyncio_detailed(client=zora.profiles, body=profile), "saveMyProfile")
        card = ProfileIn(
            display_name=f"Mentor {tag}", headline="Head of purchasing",
            bio="Twenty years buying from suppliers.", skills=[SkillIn(name="negotiation", level=5)],
            mentoring=MentoringIn(active=True, capacity_per_month=4), visibility="consortium",
        )  # fmt: skip
        ok(await save_my_profile.asyncio_detailed(client=mentor.profiles, body=card), "saveMyProfile")
        leave_directory.append((mentor_id, {"Authorization": f"Bearer {mentor.token}"}))

        async def mentor_listed() -> bool:
            listed = ok(await list_mentors.asyncio_detailed(client=zora.matching, limit=200), "listMentors")
            return any(m.mentor_id == mentor_id for m in listed.items)

        await until(mentor_listed, "the mentor's card in the directory")
        ask = AskIn(
            question=words["question"], background=words["background"],
            success_criteria=words["criteria"], skills=["negotiation"],
        )  # fmt: skip
        # Sent with an Idempotency-Key: the answer kept for replays holds her words too.
        keyed = await create_ask.asyncio_detailed(
            client=zora.matching, body=ask, idempotency_key=f"zask-{tag}"
        )
        ok(keyed, "createAsk", 201)

        async def offer() -> SessionOut | None:
            listed = ok(
                await list_sessions.asyncio_detailed(client=mentor.sessions, status="proposed"),
                "listSessions",
            )
            return listed.items[0] if listed.items else None

        session: SessionOut = await until(offer, "the offer to the mentor")
        start = session.slots[0] if session.slots else datetime.now(UTC) + timedelta(days=2)
        accepted = ok(
            await accept_session.asyncio_detailed(
                session.id, client=mentor.sessions, body=AcceptIn(start_at=start)
            ),
            "acceptSession",
        )
        scheduled_at = accepted.start_at
        assert scheduled_at is not None

        async def rescheduled() -> bool:
            later = RescheduleIn(start_at=scheduled_at + timedelta(hours=1), reason=words["reschedule"])
            moved = await reschedule_session.asyncio_detailed(session.id, client=zora.sessions, body=later)
            return moved.status_code == 200

        await until(rescheduled, "Zora's copy to be scheduled, then moved with her reason")

        async def completed() -> bool:
            done = await complete_session.asyncio_detailed(session.id, client=zora.sessions)
            return done.status_code == 200

        await until(completed, "Zora's copy to be scheduled, then completed")
        feedback = FeedbackIn(session_id=session.id, rating=5, resolved="yes", learned=words["learned"],
                              comment=words["comment"], share_with_other=["learned", "comment"])  # fmt: skip

        async def gave() -> bool:
            return (
                await give_feedback.asyncio_detailed(client=zora.feedback, body=feedback)
            ).status_code == 201

        await until(gave, "Zora's feedback")
        follow_up = FollowUpIn(session_id=session.id, what_i_did=words["follow_up"], resolved="yes",
                               share_with_mentor=True)  # fmt: skip
        ok(
            await record_follow_up.asyncio_detailed(client=zora.feedback, body=follow_up),
            "recordFollowUp",
            201,
        )

        async def shared_with_mentor() -> bool:
            listed = ok(await list_follow_ups.asyncio_detailed(client=mentor.feedback), "listFollowUps")
            return any(f.session_id == session.id for f in listed.items)

        await until(shared_with_mentor, "the follow-up to reach the mentor's org")
        assert holding(data_dir, markers), "the test's markers should be in the stores before erasure"

        # Before: the person can take everything with them, from every service, in one request. The
        # document declares no schema for the export (one JSON object, a part per service): the client
        # answers it as parsed JSON.
        exported = await export_my_data.asyncio_detailed(client=zora.identity)
        assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
        everything = exported.parsed
        assert isinstance(everything, dict)
        assert set(everything) >= {"account", "profiles", "matching", "sessions", "feedback"}
        assert (everything["account"]["email"], everything["profiles"]["profile"]["bio"]) == (
            email,
            words["bio"],
        )
        assert everything["matching"]["asks"][0]["question"] == words["question"]
        assert everything["sessions"]["sessions"][0]["id"] == session.id
        assert everything["feedback"]["feedback_given"][0]["learned"] == words["learned"]
        assert everything["feedback"]["follow_ups"][0]["what_i_did"] == words["follow_up"]

        ok(await erase_user.asyncio_detailed(org.id, zora_id, client=zora.identity), "eraseUser", 202)
        grant = BodyIssueToken(grant_type="password", username=email, password=PASSWORD)
        relogin = await issue_token.asyncio_detailed(client=callers.anonymous, body=grant)
        assert relogin.status_code in (400, 401)

        remaining: dict[str, list[str]] = {}
        for _ in range(150):
            remaining = holding(data_dir, markers)
            if not remaining:
                break
            await asyncio.sleep(0.2)
        assert remaining == {}

        # The figures keep their counts: the session still counts, without anyone's words.
        consortium = ok(await get_impact.asyncio_detailed(client=ops.feedback), "getImpact")
        assert consortium.sessions_completed >= 1
        journal = ok(await get_my_journal.asyncio_detailed(client=mentor.feedback), "getMyJournal")
        assert [e.question for e in journal.entries if e.session_id == session.id] == [""]
