"""Profiles' public HTTP API (see CONTRACT.md)."""

from __future__ import annotations

from fastapi import APIRouter

from mentornet_common.auth import CurrentPrincipal
from mentornet_common.http import RuntimeDep
from profiles import service
from profiles.models import CardOut, Profile, ProfileIn, ProfileOut

router = APIRouter(prefix="/v1/profiles", tags=["profiles"])


@router.put("/me", response_model=ProfileOut, summary="Create or replace the caller's profile")
async def put_me(body: ProfileIn, runtime: RuntimeDep, caller: CurrentPrincipal) -> ProfileOut:
    return ProfileOut.of(await service.save_my_profile(runtime, caller, body))


@router.get("/me", response_model=ProfileOut)
async def get_me(runtime: RuntimeDep, caller: CurrentPrincipal) -> ProfileOut:
    return ProfileOut.of(await service.my_profile(runtime, caller))


@router.get(
    "/{user_id}",
    response_model=ProfileOut | CardOut,
    summary="A colleague's profile, or another org's consortium-visible card (404 when nothing is shared)",
)
async def get_profile(user_id: str, runtime: RuntimeDep, caller: CurrentPrincipal) -> ProfileOut | CardOut:
    found = await service.profile_for(runtime, caller, user_id)
    return ProfileOut.of(found) if isinstance(found, Profile) else found
