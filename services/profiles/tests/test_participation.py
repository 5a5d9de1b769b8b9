"""Participation by self-identified group: consented, kept inside the tenant, small groups hidden."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from mentornet_common.contracts import AskCreated, SessionCompleted
from mentornet_devkit.testing import deliver, full_scans, outbox_events

from .conftest import Profiles, mentor_profile


async def person(profiles: Profiles, user_id: str, org_id: str, *groups: str) -> None:
    body = mentor_profile(
        display_name=user_id, mentoring={"active": False}, visibility="consortium",
        self_identified_groups=list(groups), group_statistics_consent=bool(groups),
    )  # fmt: skip
    response = await profiles.http.put(
        "/v1/profiles/me", json=body, headers=profiles.as_user(user_id, org_id)
    )
    assert response.status_code == 200, response.text


async def session_done(profiles: Profiles, mentee: str, mentor: str) -> None:
    now = datetime.now(UTC)
    await deliver(
        profiles.worker,
        SessionCompleted(
            session_id=f"ses_{mentee}_{mentor}",
            ask_id=f"ask_{mentee}",
            mentor_id=mentor,
            mentor_org_id="org_a",
            mentee_id=mentee,
            mentee_org_id="org_a",
            completed_by=mentor,
            completed_at=now,
        ),
        "org_a",
    )


async def test_groups_need_consent_and_stay_private(profiles: Profiles) -> None:
    without = mentor_profile(self_identified_groups=["women in tech"])
    refused = await profiles.http.put(
        "/v1/profiles/me", json=without, headers=profiles.as_user("usr_a", "org_a")
    )
    assert refused.status_code == 422 and "group_statistics_consent" in refused.text
    await person(profiles, "usr_a", "org_a", "women in tech")
    own = (await profiles.http.get("/v1/profiles/me", headers=profiles.as_user("usr_a", "org_a"))).json()
    assert own["self_identified_groups"] == ["women in tech"] and own["group_statistics_consent"] is True
    colleague = await profiles.http.get("/v1/profiles/usr_a", headers=profiles.as_user("usr_b", "org_a"))
    assert colleague.json()["self_identified_groups"] is None
    assert "women in tech" not in json.dumps(await outbox_events(profiles.runtime, "org_a"))


async def ask(profiles: Profiles, mentee: str) -> None:
    await deliver(
        profiles.worker,
        AskCreated(
            ask_id=f"ask_{mentee}",
            mentee_id=mentee,
            mentee_org_id="org_a",
            skills=["x"],
            duration_minutes=30,
            scope="consortium",
            created_at=datetime.now(UTC),
        ),
        "org_a",
    )


async def test_participation_by_group_hides_groups_smaller_than_k(profiles: Profiles) -> None:
    for n in range(7):
        await person(profiles, f"usr_w{n}", "org_a", "women in tech", *(["parents"] if n < 2 else []))
    await person(profiles, "usr_x", "org_a")  # no groups, no consent: not counted anywhere
    await ask(profiles, "usr_w0")
    await session_done(profiles, "usr_w0", "usr_w1")
    await session_done(profiles, "usr_w2", "usr_w3")
    await session_done(profiles, "usr_w4", "usr_x")

    admin = profiles.as_user("usr_admin", "org_a", ("org_admin",))
    body = (await profiles.http.get("/v1/impact/participation", headers=admin)).json()
    assert body["min_group_size"] == 5 and body["consenting_people"] == 7
    (women,) = body["groups"]
    assert women == {
        "group": "women in tech", "members": 7, "participants": 5, "participation_rate": 0.7143, "asks": 1,
        "sessions_as_mentee": 3, "sessions_as_mentor": 2,
    }  # fmt: skip
    assert body["groups_suppressed"] == 1  # "parents": two people, not shown

    operator = (
        await profiles.http.get(
            "/v1/impact/participation", headers=profiles.tokens.headers("ops", None, ["operator"])
        )
    ).json()
    assert operator["scope"] == "consortium" and [g["group"] for g in operator["groups"]] == ["women in tech"]
    member = await profiles.http.get("/v1/impact/participation", headers=profiles.as_user("usr_w0", "org_a"))
    assert member.status_code == 403
    other_org = profiles.as_user("usr_admin_b", "org_b", ("org_admin",))
    assert (await profiles.http.get("/v1/impact/participation", headers=other_org)).json()["groups"] == []


async def test_a_small_org_shows_nothing_at_all(profiles: Profiles) -> None:
    for n in range(3):
        await person(profiles, f"usr_s{n}", "org_a", "veterans")
    admin = profiles.as_user("usr_admin", "org_a", ("org_admin",))
    body = (await profiles.http.get("/v1/impact/participation", headers=admin)).json()
    assert body["groups"] == [] and body["groups_suppressed"] == 1 and body["consenting_people"] == 0


async def test_padding_a_group_with_test_accounts_singles_nobody_out(profiles: Profiles) -> None:
    """The attack: one real veteran takes part; the admin adds four consenting test veterans to reach k."""
    await person(profiles, "usr_real", "org_a", "veterans")
    await ask(profiles, "usr_real")
    for n in range(4):
        await person(profiles, f"usr_pad{n}", "org_a", "veterans")
    admin = profiles.as_user("usr_admin", "org_a", ("org_admin",))
    body = (await profiles.http.get("/v1/impact/participation", headers=admin)).json()
    # Five consenting veterans, but only one took part: the group stays hidden and the real person's ask
    # cannot be read off it.
    assert body["groups"] == [] and body["groups_suppressed"] == 1 and body["consenting_people"] == 5


async def test_a_hidden_group_cannot_be_worked_out_by_subtraction(profiles: Profiles) -> None:
    """Six "a" people who all take part, two "b" people: the total minus "a" would give "b" away."""
    for n in range(6):
        await person(profiles, f"usr_a{n}", "org_a", "a")
        await ask(profiles, f"usr_a{n}")
    for n in range(2):
        await person(profiles, f"usr_b{n}", "org_a", "b")
        await ask(profiles, f"usr_b{n}")
    admin = profiles.as_user("usr_admin", "org_a", ("org_admin",))
    body = (await profiles.http.get("/v1/impact/participation", headers=admin)).json()
    assert body["consenting_people"] == 8
    assert body["groups"] == [] and body["groups_suppressed"] == 2

    # With three more "b" people the remainder is k: both groups may be shown.
    for n in range(2, 7):
        await person(profiles, f"usr_b{n}", "org_a", "b")
        await ask(profiles, f"usr_b{n}")
    body = (await profiles.http.get("/v1/impact/participation", headers=admin)).json()
    assert [(g["group"], g["members"], g["participants"]) for g in body["groups"]] == [
        ("a", 6, 6),
        ("b", 7, 7),
    ]


@pytest.mark.parametrize("store_backend", ["sqlite"], indirect=True)  # SQLite's EXPLAIN QUERY PLAN
async def test_a_quarters_participation_is_read_through_an_index(profiles: Profiles) -> None:
    """A row per person and quarter: a quarter's figures read every quarter ever counted."""
    await person(profiles, "usr_w0", "org_a", "women in tech")
    await ask(profiles, "usr_w0")
    admin = profiles.as_user("usr_admin", "org_a", ("org_admin",))
    with full_scans("participation") as scans:
        assert (await profiles.http.get("/v1/impact/participation", headers=admin)).status_code == 200
    assert scans == []
