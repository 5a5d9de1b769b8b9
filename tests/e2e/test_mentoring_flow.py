"""The whole mentoring flow for two orgs, through HTTP alone, with the events read back from the broker."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx
import pytest

from mentornet_devkit.demo import until, walk
from mentornet_devkit.testing import header, read_all

from .conftest import OPERATOR, System

pytestmark = pytest.mark.e2e

PROMISED = {
    # ce_type: (topic, the payload field that is the key)
    "mentornet.ask-created.v1": ("mentornet.asks", "ask_id"),
    "mentornet.match-proposed.v1": ("mentornet.matches", "ask_id"),
    "mentornet.session-completed.v1": ("mentornet.sessions", "session_id"),
    "mentornet.feedback-submitted.v1": ("mentornet.feedback", "session_id"),
}


async def test_an_ask_at_one_org_gets_a_mentor_at_another_and_shows_in_impact(system: System) -> None:
    steps: list[str] = []
    outcome = await walk(system.urls, OPERATOR, say=steps.append)
    assert len(steps) == 17

    acme, globex = outcome.orgs["acme"], outcome.orgs["globex"]
    assert outcome.org_impact["scope"] == acme
    assert outcome.org_impact["asks_created"] == 1
    assert outcome.org_impact["share_of_asks_with_a_proposal"] == 1.0
    assert outcome.org_impact["share_of_sessions_across_orgs"] == 1.0
    assert outcome.org_impact["resolved"] == {"yes": 1, "partly": 0, "no": 0}
    assert outcome.consortium_impact["sessions_completed"] >= 1

    for ce_type, (topic, key_field) in PROMISED.items():
        records = [
            r for r in await read_all(system.bootstrap, topic, expect=1) if header(r, "ce_type") == ce_type
        ]
        mine = [r for r in records if json.loads(r.value).get("ask_id") == outcome.ask_id]
        assert mine, f"no {ce_type} for the ask on {topic}"
        for record in mine:
            payload = json.loads(record.value)
            assert header(record, "ce_specversion") == "1.0"
            assert header(record, "ce_id")
            assert (header(record, "ce_source") or "").startswith("/mentornet/")
            assert header(record, "content-type") == "application/json"
            assert datetime.fromisoformat(header(record, "ce_time") or "")
            assert header(record, "ce_subject") == payload[key_field]
            assert record.key == payload[key_field].encode()
            # The mentee's org owns the ask and its session; a piece of feedback belongs to its author's org.
            author_is_mentor = payload.get("author_role") == "mentor"
            assert header(record, "ce_tenantid") == (globex if author_is_mentor else acme)
            assert (header(record, "traceparent") or "").startswith("00-")
            assert {payload.get("mentee_org_id"), payload.get("mentor_org_id")} - {None} <= {acme, globex}

    proposed = [
        json.loads(r.value)
        for r in await read_all(system.bootstrap, "mentornet.matches", expect=2)
        if json.loads(r.value)["ask_id"] == outcome.ask_id
    ]
    assert [p["mentor_id"] for p in proposed] == [outcome.people["ned"].id, outcome.people["mia"].id]


async def test_a_partner_of_each_org_reads_its_events_from_the_feed(system: System) -> None:
    outcome = await walk(system.urls, OPERATOR, say=lambda _: None)
    async with httpx.AsyncClient(timeout=15) as http:
        admin = outcome.people["acme_admin"].headers
        client = await http.post(
            f"{system.urls.identity}/v1/orgs/{outcome.orgs['acme']}/clients",
            json={"name": "Acme HR platform", "scopes": ["events:read"]},
            headers=admin,
        )
        assert client.status_code == 201, client.text
        credentials = {"grant_type": "client_credentials", "client_id": client.json()["client_id"],
                       "client_secret": client.json()["client_secret"]}  # fmt: skip
        token = (await http.post(f"{system.urls.identity}/v1/token", data=credentials)).json()["access_token"]
        partner = {"Authorization": f"Bearer {token}"}

        async def acme_session_completed() -> list[dict[str, Any]] | None:
            page = (await http.get(f"{system.urls.streams}/v1/events?limit=200", headers=partner)).json()
            mine = [e for e in page["items"] if e["data"].get("ask_id") == outcome.ask_id]
            done = any(e["type"] == "mentornet.session-completed.v1" for e in mine)
            return page["items"] if done else None

        events = await until(acme_session_completed, "Acme's partner to see the completed session")
    orgs = {outcome.orgs["acme"], outcome.orgs["globex"]}
    for event in events:
        involved = {event["data"].get(f) for f in ("org_id", "mentee_org_id", "mentor_org_id")} - {None}
        assert outcome.orgs["acme"] in involved or not involved & orgs, event  # never another org's alone
        assert "question" not in event["data"] and "reasons" not in event["data"]
    types = {e["type"] for e in events if e["data"].get("ask_id") == outcome.ask_id}
    assert {"mentornet.ask-created.v1", "mentornet.match-proposed.v1", "mentornet.match-declined.v1"} <= types
