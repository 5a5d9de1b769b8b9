"""Profiles' use cases. Visibility decides what leaves the person's tenant, and the events say so."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlmodel import select

from mentornet_common.auth import Principal, org_of
from mentornet_common.contracts import (
    MentorPublished,
    MentorWithdrawn,
    ProfileShared,
    ProfileUnshared,
    Scope,
)
from mentornet_common.problems import NotFound, Problem
from mentornet_common.runtime import Runtime
from mentornet_common.tenancy import CONSORTIUM
from mentornet_common.unit_of_work import UnitOfWork
from profiles.models import CardOut, Participation, Profile, ProfileIn, ProfileOut, SharedCard

SCOPE_RANK = {None: 0, "org": 1, "consortium": 2}


async def save_my_profile(runtime: Runtime, caller: Principal, data: ProfileIn) -> Profile:
    """Replace the caller's profile and announce what it now shares (or no longer shares)."""
    org_id = org_of(caller)
    if data.mentoring.active and "mentor" not in caller.roles:
        raise Problem(
            403,
            "Forbidden",
            "mentoring.active needs the mentor role; ask your org admin",
            errors=[{"field": "body.mentoring.active", "message": "needs the mentor role"}],
        )
    now = datetime.now(UTC)
    async with runtime.unit_of_work(org_id) as uow:
        profile = await uow.session.get(Profile, caller.subject)
        old_card_scope = None if profile is None or profile.visibility == "private" else profile.visibility
        old_mentor_scope = profile.mentor_scope if profile else None
        if profile is None:
            profile = Profile(
                user_id=caller.subject, org_id=org_id, display_name=data.display_name, updated_at=now
            )
        profile.display_name = data.display_name
        profile.headline = data.headline
        profile.bio = data.bio
        profile.skills = [s.model_dump() for s in data.skills]
        profile.languages = list(data.languages)
        profile.timezone = data.timezone
        profile.availability = [w.model_dump() for w in data.availability]
        profile.seniority = data.seniority
        profile.self_identified_groups = list(dict.fromkeys(data.self_identified_groups))
        profile.group_statistics_consent = data.group_statistics_consent
        profile.mentoring_active = data.mentoring.active
        profile.capacity_per_month = data.mentoring.capacity_per_month
        profile.open_to_reverse = data.mentoring.open_to_reverse
        profile.visibility = data.visibility
        profile.updated_at = now
        card_scope = None if data.visibility == "private" else data.visibility
        mentor_scope = card_scope if data.mentoring.active else None
        profile.mentor_scope = mentor_scope
        uow.session.add(profile)
        announce(uow, profile, old_card_scope, card_scope, old_mentor_scope, mentor_scope, now)
        await uow.commit()
    return profile


def announce(
    uow: UnitOfWork,
    profile: Profile,
    old_card_scope: str | None,
    card_scope: str | None,
    old_mentor_scope: str | None,
    mentor_scope: str | None,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Publish what a change of the profile shares, or no longer shares."""
    user_id, org_id = profile.user_id, profile.org_id
    if card_scope is not None:
        card = profile.person_card()
        uow.publish(
            ProfileShared(
                user_id=user_id, org_id=org_id, scope=cast(Scope, card_scope), card=card, shared_at=now
            )
        )
    elif old_card_scope is not None:
        uow.publish(ProfileUnshared(user_id=user_id, org_id=org_id, unshared_at=now))
    if old_mentor_scope is not None and SCOPE_RANK[mentor_scope] < SCOPE_RANK[old_mentor_scope]:
        reason = reason or (
            "mentoring turned off"
            if not profile.mentoring_active
            else f"visibility narrowed to {profile.visibility}"
        )
        uow.publish(MentorWithdrawn(mentor_id=user_id, org_id=org_id, reason=reason, withdrawn_at=now))
    if mentor_scope is not None:
        mentor_card = profile.mentor_card()
        scope = cast(Scope, mentor_scope)
        uow.publish(
            MentorPublished(mentor_id=user_id, org_id=org_id, scope=scope, card=mentor_card, published_at=now)
        )


async def my_profile(runtime: Runtime, caller: Principal) -> Profile:
    async with runtime.stores.session(org_of(caller)) as session:
        profile = await session.get(Profile, caller.subject)
    if profile is None:
        raise NotFound("profile")
    return profile


async def profile_for(runtime: Runtime, caller: Principal, user_id: str) -> Profile | CardOut:
    """A colleague's profile, or another org's consortium-visible card; 404 for anything not shared."""
    if caller.org_id:
        async with runtime.stores.session(caller.org_id) as session:
            profile = await session.get(Profile, user_id)
        if profile is not None:
            if profile.visibility == "private" and user_id != caller.subject:
                raise NotFound("profile")
            return profile
    async with runtime.stores.session(CONSORTIUM) as session:
        shared = await session.get(SharedCard, user_id)
    if shared is None or shared.org_id == caller.org_id:
        raise NotFound("profile")
    return CardOut.model_validate(
        {"user_id": shared.user_id, "org_id": shared.org_id, "card": shared.person, "mentor": shared.mentor}
    )


async def my_data(runtime: Runtime, caller: Principal) -> dict[str, Any]:
    """The caller's profile (with their private fields) and their participation counts."""
    async with runtime.stores.session(org_of(caller)) as db:
        profile = await db.get(Profile, caller.subject)
        counts = (await db.exec(select(Participation).where(Participation.user_id == caller.subject))).all()
    return {
        "profile": ProfileOut.of(profile).model_dump(mode="json") if profile else None,
        "participation": [c.model_dump(mode="json") for c in counts],
    }
