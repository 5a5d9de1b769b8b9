"""Feedback's public HTTP API (see CONTRACT.md)."""

from __future__ import annotations

from fastapi import APIRouter, status

from feedback import service
from feedback.models import FeedbackIn, FeedbackList, FeedbackOut, Impact
from mentornet_common.auth import CurrentPrincipal
from mentornet_common.http import RuntimeDep
from mentornet_common.pagination import Limit, Offset

router = APIRouter(prefix="/v1", tags=["feedback"])


@router.post(
    "/feedback",
    status_code=status.HTTP_201_CREATED,
    response_model=FeedbackOut,
    summary="Feedback on a completed session, once per participant (a second answers 409)",
)
async def give_feedback(body: FeedbackIn, runtime: RuntimeDep, caller: CurrentPrincipal) -> FeedbackOut:
    return FeedbackOut.model_validate((await service.give_feedback(runtime, caller, body)).model_dump())


@router.get("/feedback", response_model=FeedbackList, summary="The feedback the caller gave")
async def my_feedback(
    runtime: RuntimeDep, caller: CurrentPrincipal, limit: Limit = 50, offset: Offset = 0
) -> FeedbackList:
    rows, next_offset = await service.my_feedback(runtime, caller, limit, offset)
    return FeedbackList(
        items=[FeedbackOut.model_validate(r.model_dump()) for r in rows], next_offset=next_offset
    )


@router.get(
    "/impact",
    response_model=Impact,
    tags=["impact"],
    summary="org_admin: their org; operator: the consortium",
)
async def impact(runtime: RuntimeDep, caller: CurrentPrincipal) -> Impact:
    return await service.impact(runtime, caller)
