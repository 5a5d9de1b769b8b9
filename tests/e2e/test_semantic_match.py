"""Matching understands the question: with every service running, an ask reaches the mentor whose card
shares no word with it, over a mentor whose card shares several (and means something else)."""

from __future__ import annotations

import re
import secrets
from typing import Any

import httpx
import pytest

from mentornet_devkit.demo import PASSWORD, login, until

from .conftest import OPERATOR, System

pytestmark = pytest.mark.e2e

ASK = {
    "question": "How do I push back on a 40% price rise at renewal?",
    "background": "Our packaging firm wants 40% more in January.",
    "success_criteria": "",
    "skills": ["pricing"],
    "duration_minutes": 30,
    "scope": "consortium",
}
BUYER = {
    "display_name": "Bea Buyer",
    "headline": "Head of purchasing",
    "bio": "Twenty years buying from suppliers: contracts, vendor management, cost reduction.",
    "skills": [{"name": "vendor management", "level": 5}, {"name": "sourcing", "level": 4}],
}
# Shares how, do, I, push, back, on, at and our with the ask: a word-matching ranker would pick him.
BAKER = {
    "display_name": "Bo Baker",
    "headline": "Pastry chef",
    "bio": "How do I bake? I push back on shortcuts: our dough rests at night.",
    "skills": [{"name": "baking", "level": 5}, {"name": "pastry", "level": 5}],
}


def words(*texts: str) -> set[str]:
    return {w for text in texts for w in re.findall(r"[a-z0-9]+", text.lower())}


def card_words(card: dict[str, Any]) -> set[str]:
    return words(card["headline"], card["bio"], *(s["name"] for s in card["skills"]))


async def test_the_semantic_match_wins_with_no_word_in_common(
    system: System, leave_directory: list[tuple[str, dict[str, str]]]
) -> None:
    ask_words = words(ASK["question"], ASK["background"], *ASK["skills"])
    assert not ask_words & card_words(BUYER)
    assert len(ask_words & card_words(BAKER)) >= 5

    urls, suffix = system.urls, secrets.token_hex(2)
    async with httpx.AsyncClient(timeout=15) as http:
        ops = await login(http, urls, *OPERATOR)
        orgs = {}
        for slug in ("shop", "bakery"):
            response = await http.post(
                f"{urls.identity}/v1/orgs",
                json={
                    "slug": f"{slug}-{suffix}",
                    "name": slug.title(),
                    "email_domains": [f"{slug}-{suffix}.example"],
                },
                headers=ops,
            )
            orgs[slug] = response.json()["id"]
        people: dict[str, tuple[str, dict[str, str]]] = {}
        for name, org, roles in (
            ("mentee", "shop", ["member"]),
            ("buyer", "bakery", ["member", "mentor"]),
            ("baker", "bakery", ["member", "mentor"]),
        ):
            email = f"{name}@{org}-{suffix}.example"
            created = await http.post(
                f"{urls.identity}/v1/orgs/{orgs[org]}/users",
                json={"email": email, "name": name.title(), "password": PASSWORD, "roles": roles},
                headers=ops,
            )
            assert created.status_code == 201, created.text
            people[name] = (created.json()["id"], await login(http, urls, email, PASSWORD))

        for name, card in (("buyer", BUYER), ("baker", BAKER)):
            body = {
                **card,
                "languages": ["en"],
                "timezone": "Europe/Berlin",
                "availability": [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)],
                "mentoring": {"active": True, "capacity_per_month": 4, "open_to_reverse": True},
                "visibility": "consortium",
            }
            response = await http.put(f"{urls.profiles}/v1/profiles/me", json=body, headers=people[name][1])
            assert response.status_code == 200, response.text
            leave_directory.append(people[name])

        async def both_listed() -> bool:
            listed = await http.get(f"{urls.matching}/v1/mentors?limit=200", headers=people["mentee"][1])
            found = {m["mentor_id"] for m in listed.json()["items"]}
            return {people["buyer"][0], people["baker"][0]} <= found

        await until(both_listed, "both cards in the directory")
        posted = await http.post(f"{urls.matching}/v1/asks", json=ASK, headers=people["mentee"][1])
        assert posted.status_code == 201, posted.text

        async def proposal() -> dict[str, Any] | None:
            ask = (
                await http.get(f"{urls.matching}/v1/asks/{posted.json()['id']}", headers=people["mentee"][1])
            ).json()
            return ask["proposals"][0] if ask["proposals"] else None

        first = await until(proposal, "the first proposal")
        assert first["mentor_id"] == people["buyer"][0]
        assert any("Head of purchasing" in reason for reason in first["reasons"])
