"""Matching's public HTTP API (docs/api.md; who may call each route: docs/scopes.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from matching import asks, directory, figures, suggestions
from matching.models import (
    AskIn,
    AskList,
    AskOut,
    AskStatus,
    FiguresOut,
    MentorList,
    SuggestionList,
)
from mentornet_common.auth import Principal, member, org_admin
from mentornet_common.http import RuntimeDep, personal_data_router
from mentornet_common.pagination import Limit, Offset
from mentornet_common.periods import QuarterQuery

router = APIRouter(prefix="/v1/asks", tags=["asks"])
mentors_router = APIRouter(prefix="/v1/mentors", tags=["directory"])
suggestions_router = APIRouter(prefix="/v1/suggestions", tags=["directory"])
figures_router = APIRouter(prefix="/v1/matching/figures", tags=["figures"])

AskWriter = Annotated[Principal, Depends(member("asks:write"))]
AskReader = Annotated[Principal, Depends(member("asks:read"))]
ProfileReader = Annotated[Principal, Depends(member("profiles:read"))]
FiguresReader = Annotated[Principal, Depends(org_admin("impact:read", operators=True))]


@router.post(
    "",
    operation_id="createAsk",
    status_code=status.HTTP_201_CREATED,
    response_model=AskOut,
    summary="Post an ask",
)
async def create_ask(body: AskIn, runtime: RuntimeDep, caller: AskWriter) -> AskOut:
    return await asks.create_ask(runtime, caller, body)


@router.get("", operation_id="listAsks", response_model=AskList, summary="The caller's asks, newest first")
async def list_asks(
    runtime: RuntimeDep,
    caller: AskReader,
    status: Annotated[AskStatus | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> AskList:
    items, next_offset = await asks.list_asks(runtime, caller, status, limit, offset)
    return AskList(items=items, next_offset=next_offset)


@router.get(
    "/{ask_id}",
    operation_id="getAsk",
    response_model=AskOut,
    summary="One of the caller's asks, with its proposals",
)
async def get_ask(ask_id: str, runtime: RuntimeDep, caller: AskReader) -> AskOut:
    return await asks.get_ask(runtime, caller, ask_id)


@mentors_router.get(
    "",
    operation_id="listMentors",
    response_model=MentorList,
    summary="Mentors the caller's org can be matched with",
)
async def list_mentors(
    runtime: RuntimeDep,
    caller: ProfileReader,
    skill: Annotated[str | None, Query(max_length=80)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> MentorList:
    items, next_offset = await directory.list_mentors(runtime, caller, skill, limit, offset)
    return MentorList(items=items, next_offset=next_offset)


@suggestions_router.get(
    "",
    operation_id="listSuggestions",
    response_model=SuggestionList,
    summary="Mentors worth meeting, from the caller's past asks and outcomes",
)
async def list_suggestions(
    runtime: RuntimeDep,
    caller: ProfileReader,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> SuggestionList:
    items, based_on = await suggestions.suggestions(runtime, caller, limit)
    return SuggestionList(items=items, based_on_asks=based_on)


@figures_router.get(
    "",
    operation_id="getMatchingFigures",
    response_model=FiguresOut,
    summary="How matching did in a quarter (org_admin: their org; operator: every org)",
)
async def matching_figures(
    runtime: RuntimeDep,
    caller: FiguresReader,
    quarter: QuarterQuery = None,
) -> FiguresOut:
    return await figures.figures(runtime, caller, quarter)


me_router = personal_data_router("matching", asks.my_data)
