"""A person's data export, and the right to be forgotten, across every service: after a person is
erased, no store of any service — no SQLite file of any tenant, its write-ahead log included — still
holds their name, email or any free text they wrote, while the figures keep their counts."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from mentornet_devkit.demo import PASSWORD, login, until

from .conftest import OPERATOR, System

pytestmark = pytest.mark.e2e


def stores(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.rglob("*.db"))


def holding(data_dir: Path, markers: list[str]) -> dict[str, list[str]]:
    """Which markers each store file (and its WAL) still contains, after a checkpoint folds the WAL in."""
    found: dict[str, list[str]] = {}
    for path in stores(data_dir):
        try:
            with sqlite3.connect(path, timeout=5) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:
            pass  # busy right now: the bytes are still read below
        for candidate in (path, path.with_name(path.name + "-wal")):
            if candidate.exists():
                data = candidate.read_bytes()
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

    async with httpx.AsyncClient(timeout=15) as http:
        ops = await login(http, urls, *OPERATOR)
        org = (
            await http.post(
                f"{urls.identity}/v1/orgs",
                json={"slug": f"z-{tag}", "name": "Z", "email_domains": [f"z-{tag}.example"]},
                headers=ops,
            )
        ).json()
        other = (
            await http.post(
                f"{urls.identity}/v1/orgs",
                json={"slug": f"y-{tag}", "name": "Y", "email_domains": [f"y-{tag}.example"]},
                headers=ops,
            )
        ).json()

        async def person(org_id: str, who: str, mail: str, roles: list[str]) -> tuple[str, dict[str, str]]:
            made = await http.post(
                f"{urls.identity}/v1/orgs/{org_id}/users",
                json={"email": mail, "name": who, "password": PASSWORD, "roles": roles},
                headers=ops,
            )
            assert made.status_code == 201, made.text
            return made.json()["id"], await login(http, urls, mail, PASSWORD)

        zora_id, zora = await person(org["id"], name, email, ["member"])
        mentor_id, mentor = await person(
            other["id"], f"Mentor {tag}", f"m.{tag}@y-{tag}.example", ["member", "mentor"]
        )
        profile = {"display_name": name, "headline": "Buyer", "bio": words["bio"], "visibility": "consortium"}
        assert (
            await http.put(f"{urls.profiles}/v1/profiles/me", json=profile, headers=zora)
        ).status_code == 200
        card = {
            "display_name": f"Mentor {tag}", "headline": "Head of purchasing",
            "bio": "Twenty years buying from suppliers.", "skills": [{"name": "negotiation", "level": 5}],
            "mentoring": {"active": True, "capacity_per_month": 4}, "visibility": "consortium",
        }  # fmt: skip
        assert (
            await http.put(f"{urls.profiles}/v1/profiles/me", json=card, headers=mentor)
        ).status_code == 200
        leave_directory.append((mentor_id, mentor))

        async def mentor_listed() -> bool:
            listed = await http.get(f"{urls.matching}/v1/mentors?limit=200", headers=zora)
            return any(m["mentor_id"] == mentor_id for m in listed.json()["items"])

        await until(mentor_listed, "the mentor's card in the directory")
        ask = {
            "question": words["question"], "background": words["background"],
            "success_criteria": words["criteria"], "skills": ["negotiation"],
        }  # fmt: skip
        # Sent with an Idempotency-Key: the answer kept for replays holds her words too.
        keyed = {**zora, "Idempotency-Key": f"zask-{tag}"}
        assert (await http.post(f"{urls.matching}/v1/asks", json=ask, headers=keyed)).status_code == 201

        async def offer() -> dict[str, Any] | None:
            listed = (await http.get(f"{urls.sessions}/v1/sessions?status=proposed", headers=mentor)).json()
            return listed["items"][0] if listed["items"] else None

        session = await until(offer, "the offer to the mentor")
        start = (
            session["slots"][0] if session["slots"] else (datetime.now(UTC) + timedelta(days=2)).isoformat()
        )
        accepted = await http.post(
            f"{urls.sessions}/v1/sessions/{session['id']}/accept", json={"start_at": start}, headers=mentor
        )
        assert accepted.status_code == 200, accepted.text

        async def rescheduled() -> bool:
            later = datetime.fromisoformat(accepted.json()["start_at"]) + timedelta(hours=1)
            moved = await http.post(
                f"{urls.sessions}/v1/sessions/{session['id']}/reschedule",
                json={"start_at": later.isoformat(), "reason": words["reschedule"]}, headers=zora,
            )  # fmt: skip
            return moved.status_code == 200

        await until(rescheduled, "Zora's copy to be scheduled, then moved with her reason")

        async def completed() -> bool:
            done = await http.post(f"{urls.sessions}/v1/sessions/{session['id']}/complete", headers=zora)
            return done.status_code == 200

        await until(completed, "Zora's copy to be scheduled, then completed")
        feedback = {"session_id": session["id"], "rating": 5, "resolved": "yes", "learned": words["learned"],
                    "comment": words["comment"], "share_with_other": ["learned", "comment"]}  # fmt: skip

        async def gave() -> bool:
            return (
                await http.post(f"{urls.feedback}/v1/feedback", json=feedback, headers=zora)
            ).status_code == 201

        await until(gave, "Zora's feedback")
        follow_up = {"session_id": session["id"], "what_i_did": words["follow_up"], "resolved": "yes",
                     "share_with_mentor": True}  # fmt: skip
        assert (
            await http.post(f"{urls.feedback}/v1/follow-ups", json=follow_up, headers=zora)
        ).status_code == 201

        async def shared_with_mentor() -> bool:
            listed = (await http.get(f"{urls.feedback}/v1/follow-ups", headers=mentor)).json()["items"]
            return any(f["session_id"] == session["id"] for f in listed)

        await until(shared_with_mentor, "the follow-up to reach the mentor's org")
        assert holding(data_dir, markers), "the test's markers should be in the stores before erasure"

        # Before: the person can take everything with them, from every service, in one request.
        exported = await http.get(f"{urls.identity}/v1/me/export", headers=zora)
        assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
        everything = exported.json()
        assert set(everything) >= {"account", "profiles", "matching", "sessions", "feedback"}
        assert (everything["account"]["email"], everything["profiles"]["profile"]["bio"]) == (
            email,
            words["bio"],
        )
        assert everything["matching"]["asks"][0]["question"] == words["question"]
        assert everything["sessions"]["sessions"][0]["id"] == session["id"]
        assert everything["feedback"]["feedback_given"][0]["learned"] == words["learned"]
        assert everything["feedback"]["follow_ups"][0]["what_i_did"] == words["follow_up"]

        erased = await http.post(f"{urls.identity}/v1/orgs/{org['id']}/users/{zora_id}/erase", headers=zora)
        assert erased.status_code == 202, erased.text
        relogin = await http.post(
            f"{urls.identity}/v1/token",
            data={"grant_type": "password", "username": email, "password": PASSWORD},
        )
        assert relogin.status_code in (400, 401)

        remaining: dict[str, list[str]] = {}
        for _ in range(150):
            remaining = holding(data_dir, markers)
            if not remaining:
                break
            await asyncio.sleep(0.2)
        assert remaining == {}

        # The figures keep their counts: the session still counts, without anyone's words.
        admin_ops = await http.get(f"{urls.feedback}/v1/impact", headers=ops)
        assert admin_ops.json()["sessions_completed"] >= 1
        mentor_journal = (await http.get(f"{urls.feedback}/v1/journal", headers=mentor)).json()["entries"]
        assert [e["question"] for e in mentor_journal if e["session_id"] == session["id"]] == [""]
