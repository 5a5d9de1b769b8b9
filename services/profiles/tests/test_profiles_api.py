from __future__ import annotations

from typing import Any

import pytest

from mentornet_devkit.testing import eventually, outbox_events

from .conftest import Profiles, mentor_profile


async def test_a_person_saves_and_reads_their_profile(profiles: Profiles) -> None:
    me = profiles.as_user("usr_mia", "org_acme")
    saved = await profiles.http.put("/v1/profiles/me", json=mentor_profile(), headers=me)
    assert saved.status_code == 200
    read = (await profiles.http.get("/v1/profiles/me", headers=me)).json()
    assert read == saved.json()
    assert read["skills"] == [{"name": "negotiation", "level": 5}, {"name": "procurement", "level": 4}]
    assert read["mentoring"] == {"active": True, "capacity_per_month": 4, "open_to_reverse": True}


async def test_no_profile_yet_is_404(profiles: Profiles) -> None:
    response = await profiles.http.get("/v1/profiles/me", headers=profiles.as_user("usr_new", "org_acme"))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "change, field",
    [
        ({"timezone": "Mars/Olympus"}, "body.timezone"),
        ({"skills": [{"name": "x", "level": 6}]}, "body.skills.0.level"),
        ({"skills": [{"name": f"s{i}", "level": 1} for i in range(31)]}, "body.skills"),
        ({"skills": [{"name": "Go", "level": 1}, {"name": "go", "level": 2}]}, "body.skills"),
        ({"availability": [{"weekday": 7, "start": "09:00", "end": "10:00"}]}, "body.availability.0.weekday"),
        ({"availability": [{"weekday": 1, "start": "12:00", "end": "09:00"}]}, "body.availability.0"),
        ({"availability": [{"weekday": 1, "start": "25:00", "end": "26:00"}]}, "body.availability.0.start"),
        (
            {
                "availability": [
                    {"weekday": 1, "start": "09:00", "end": "12:00"},
                    {"weekday": 1, "start": "11:00", "end": "13:00"},
                ]
            },
            "body",
        ),
        ({"languages": ["english"]}, "body.languages.0"),
        ({"display_name": ""}, "body.display_name"),
        ({"bio": "x" * 4001}, "body.bio"),
        ({"visibility": "everyone"}, "body.visibility"),
        ({"mentoring": {"active": True, "capacity_per_month": 0}}, "body"),
        ({"email": "mia@acme.example"}, "body.email"),
    ],
)
async def test_invalid_profiles_are_refused_naming_the_field(
    profiles: Profiles, change: dict[str, Any], field: str
) -> None:
    response = await profiles.http.put(
        "/v1/profiles/me", json=mentor_profile(**change), headers=profiles.as_user("usr_mia", "org_acme")
    )
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_mentoring_needs_the_mentor_role(profiles: Profiles) -> None:
    response = await profiles.http.put(
        "/v1/profiles/me", json=mentor_profile(), headers=profiles.as_user("usr_max", "org_acme", ("member",))
    )
    assert response.status_code == 403


async def test_a_consortium_mentor_publishes_only_the_card_they_share(profiles: Profiles) -> None:
    await profiles.http.put(
        "/v1/profiles/me", json=mentor_profile(), headers=profiles.as_user("usr_mia", "org_acme")
    )
    events = await outbox_events(profiles.runtime, "org_acme")
    assert [t for t, _ in events] == ["mentornet.profile-shared.v1", "mentornet.mentor-published.v1"]
    published = events[1][1]
    assert published["scope"] == "consortium"
    assert published["card"]["skills"] == [
        {"name": "negotiation", "level": 5},
        {"name": "procurement", "level": 4},
    ]
    assert set(published["card"]) == {
        "display_name", "headline", "bio", "skills", "languages", "timezone", "availability",
        "capacity_per_month", "open_to_reverse", "seniority",
    }  # fmt: skip
    assert "email" not in str(events) and "visibility" not in published["card"]


async def test_turning_mentoring_off_withdraws_the_mentor(profiles: Profiles) -> None:
    me = profiles.as_user("usr_mia", "org_acme")
    await profiles.http.put("/v1/profiles/me", json=mentor_profile(), headers=me)
    off = mentor_profile(mentoring={"active": False, "capacity_per_month": 0})
    await profiles.http.put("/v1/profiles/me", json=off, headers=me)
    types = [t for t, _ in await outbox_events(profiles.runtime, "org_acme")]
    assert types[2:] == ["mentornet.profile-shared.v1", "mentornet.mentor-withdrawn.v1"]


async def test_narrowing_visibility_withdraws_then_republishes_for_the_org(profiles: Profiles) -> None:
    me = profiles.as_user("usr_mia", "org_acme")
    await profiles.http.put("/v1/profiles/me", json=mentor_profile(), headers=me)
    await profiles.http.put("/v1/profiles/me", json=mentor_profile(visibility="org"), headers=me)
    events = (await outbox_events(profiles.runtime, "org_acme"))[2:]
    assert [t for t, _ in events] == [
        "mentornet.profile-shared.v1",
        "mentornet.mentor-withdrawn.v1",
        "mentornet.mentor-published.v1",
    ]
    assert events[2][1]["scope"] == "org"
    assert "narrowed" in events[1][1]["reason"]


async def test_a_private_profile_shares_nothing(profiles: Profiles) -> None:
    me = profiles.as_user("usr_mia", "org_acme")
    await profiles.http.put("/v1/profiles/me", json=mentor_profile(visibility="org"), headers=me)
    await profiles.http.put("/v1/profiles/me", json=mentor_profile(visibility="private"), headers=me)
    types = [t for t, _ in await outbox_events(profiles.runtime, "org_acme")][2:]
    assert types == ["mentornet.profile-unshared.v1", "mentornet.mentor-withdrawn.v1"]


async def test_colleagues_see_the_profile_other_orgs_only_the_shared_card(
    profiles_and_worker: Profiles,
) -> None:
    profiles = profiles_and_worker
    await profiles.http.put(
        "/v1/profiles/me", json=mentor_profile(), headers=profiles.as_user("usr_mia", "org_acme")
    )
    colleague = await profiles.http.get(
        "/v1/profiles/usr_mia", headers=profiles.as_user("usr_max", "org_acme")
    )
    assert colleague.json()["bio"] == "Twelve years of supplier negotiations."
    assert colleague.json()["availability"]

    outsider = profiles.as_user("usr_bob", "org_globex")

    async def cards_arrived() -> bool:
        # The person card and the mentor card are two events, handled one after the other.
        response = await profiles.http.get("/v1/profiles/usr_mia", headers=outsider)
        return response.status_code == 200 and response.json()["mentor"] is not None

    await eventually(cards_arrived, what="the consortium cards")
    card = (await profiles.http.get("/v1/profiles/usr_mia", headers=outsider)).json()
    assert card["card"] == {
        "display_name": "Mia Chen",
        "headline": "Procurement lead",
        "languages": ["en", "de"],
        "timezone": "Europe/Berlin",
        "seniority": None,
        "availability": [{"weekday": 1, "start": "09:00", "end": "12:00"}],
    }
    assert card["mentor"]["skills"][0] == {"name": "negotiation", "level": 5}
    assert "visibility" not in card


async def test_what_is_not_shared_with_the_consortium_is_404_to_other_orgs(
    profiles_and_worker: Profiles,
) -> None:
    profiles = profiles_and_worker
    me = profiles.as_user("usr_mia", "org_acme")
    await profiles.http.put("/v1/profiles/me", json=mentor_profile(), headers=me)
    outsider = profiles.as_user("usr_bob", "org_globex")

    async def visible() -> bool:
        return (await profiles.http.get("/v1/profiles/usr_mia", headers=outsider)).status_code == 200

    await eventually(visible, what="the consortium card")
    await profiles.http.put("/v1/profiles/me", json=mentor_profile(visibility="org"), headers=me)

    async def gone() -> bool:
        return (await profiles.http.get("/v1/profiles/usr_mia", headers=outsider)).status_code == 404

    await eventually(gone, what="the card withdrawn from the consortium")
    assert (
        await profiles.http.get("/v1/profiles/usr_mia", headers=profiles.as_user("usr_max", "org_acme"))
    ).status_code == 200


async def test_a_private_profile_is_404_even_to_colleagues(profiles: Profiles) -> None:
    await profiles.http.put(
        "/v1/profiles/me", json=mentor_profile(visibility="private", mentoring={"active": False}),
        headers=profiles.as_user("usr_mia", "org_acme"),
    )  # fmt: skip
    response = await profiles.http.get(
        "/v1/profiles/usr_mia", headers=profiles.as_user("usr_max", "org_acme")
    )
    assert response.status_code == 404
    assert (
        await profiles.http.get("/v1/profiles/usr_mia", headers=profiles.as_user("usr_mia", "org_acme"))
    ).status_code == 200


async def test_a_request_without_a_token_is_401(profiles: Profiles) -> None:
    assert (await profiles.http.get("/v1/profiles/me")).status_code == 401


async def test_a_deactivated_person_is_withdrawn_and_shown_to_no_one(profiles: Profiles) -> None:
    """A person who left their org (deactivated, by an admin or SCIM) used to stay in the directory and be
    proposed as a mentor."""
    from datetime import UTC, datetime

    from mentornet_common.contracts import UserDeactivated
    from mentornet_devkit.testing import deliver

    me = profiles.as_user("usr_mia", "org_acme")
    await profiles.http.put("/v1/profiles/me", json=mentor_profile(), headers=me)
    left = UserDeactivated(user_id="usr_mia", org_id="org_acme", deactivated_at=datetime.now(UTC))
    await deliver(profiles.worker, left, "org_other")  # another org cannot deactivate her
    assert [t for t, _ in await outbox_events(profiles.runtime, "org_acme")][2:] == []
    await deliver(profiles.worker, left, "org_acme")
    events = (await outbox_events(profiles.runtime, "org_acme"))[2:]
    assert [t for t, _ in events] == ["mentornet.profile-unshared.v1", "mentornet.mentor-withdrawn.v1"]
    assert events[1][1]["reason"] == "deactivated by their org"
    profile = (await profiles.http.get("/v1/profiles/me", headers=me)).json()
    assert (profile["visibility"], profile["mentoring"]["active"]) == ("private", False)
