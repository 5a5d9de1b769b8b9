"""Profiles' public HTTP API (docs/api.md; who may call each route: docs/scopes.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from mentornet_common.auth import Principal, member, org_admin
from mentornet_common.http import RuntimeDep, personal_data_router
from mentornet_common.openapi import problems
from mentornet_common.periods import QuarterQuery
from profiles import participation, service
from profiles.config import ProfilesSettings
from profiles.models import CardOut, ParticipationOut, Profile, ProfileIn, ProfileOut

router = APIRouter(prefix="/v1/profiles", tags=["profiles"])
participation_router = APIRouter(prefix="/v1/impact/participation", tags=["impact"])

ProfileWriter = Annotated[Principal, Depends(member("profiles:write"))]
ProfileReader = Annotated[Principal, Depends(member("profiles:read"))]
FiguresReader = Annotated[Principal, Depends(org_admin("impact:read", operators=True))]


@router.put(
    "/me",
    operation_id="saveMyProfile",
    response_model=ProfileOut,
    summary="Create or replace the caller's profile",
)
async def put_me(body: ProfileIn, runtime: RuntimeDep, caller: ProfileWriter) -> ProfileOut:
    return ProfileOut.of(await service.save_my_profile(runtime, caller, body))


@router.get(
    "/me",
    operation_id="getMyProfile",
    responses=problems((404, "The caller has no profile yet")),
    response_model=ProfileOut,
)
async def get_me(runtime: RuntimeDep, caller: ProfileReader) -> ProfileOut:
    return ProfileOut.of(await service.my_profile(runtime, caller))


@router.get(
    "/{user_id}",
    operation_id="getProfile",
    response_model=ProfileOut | CardOut,
    summary="A colleague's profile, or another org's consortium-visible card (404 when nothing is shared)",
)
async def get_profile(user_id: str, runtime: RuntimeDep, caller: ProfileReader) -> ProfileOut | CardOut:
    found = await service.profile_for(runtime, caller, user_id)
    return ProfileOut.of(found, own=found.user_id == caller.subject) if isinstance(found, Profile) else found


@participation_router.get(
    "",
    operation_id="getParticipation",
    response_model=ParticipationOut,
    summary="Participation by self-identified group (consented, k-anonymous; org_admin or operator)",
)
async def group_participation(
    runtime: RuntimeDep,
    caller: FiguresReader,
    quarter: QuarterQuery = None,
) -> ParticipationOut:
    k = runtime.settings.as_(ProfilesSettings).min_group_size
    return await participation.participation(runtime, caller, quarter, k)


me_router = personal_data_router("profiles", service.my_data)
