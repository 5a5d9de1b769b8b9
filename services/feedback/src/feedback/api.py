"""Feedback's public HTTP API (docs/api.md): feedback, follow-ups, the journal, impact."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status

from feedback import domain, journal, service
from feedback.models import (
    FeedbackIn,
    FeedbackList,
    FeedbackOut,
    FollowUpIn,
    FollowUpList,
    FollowUpOut,
    Impact,
    Journal,
    ReceivedList,
    ReceivedOut,
)
from mentornet_common.auth import Principal, member, org_admin
from mentornet_common.http import RuntimeDep, personal_data_router
from mentornet_common.openapi import problems
from mentornet_common.pagination import Limit, Offset, page
from mentornet_common.periods import QuarterQuery

router = APIRouter(prefix="/v1", tags=["feedback"])

FeedbackWriter = Annotated[Principal, Depends(member("feedback:write"))]
FeedbackReader = Annotated[Principal, Depends(member("feedback:read"))]
FiguresReader = Annotated[Principal, Depends(org_admin("impact:read", operators=True))]


@router.post(
    "/feedback",
    operation_id="giveFeedback",
    responses=problems(
        (404, "No such session of the caller's"),
        (409, "The session is not completed, or the caller already gave feedback on it"),
    ),
    status_code=status.HTTP_201_CREATED,
    response_model=FeedbackOut,
    summary="Feedback on a completed session, once per participant (a second answers 409)",
)
async def give_feedback(body: FeedbackIn, runtime: RuntimeDep, caller: FeedbackWriter) -> FeedbackOut:
    return FeedbackOut.model_validate((await service.give_feedback(runtime, caller, body)).model_dump())


@router.get(
    "/feedback",
    operation_id="listMyFeedback",
    response_model=FeedbackList,
    summary="The feedback the caller gave",
)
async def my_feedback(
    runtime: RuntimeDep, caller: FeedbackReader, limit: Limit = 50, offset: Offset = 0
) -> FeedbackList:
    rows, next_offset = await service.my_feedback(runtime, caller, limit, offset)
    return FeedbackList(
        items=[FeedbackOut.model_validate(r.model_dump()) for r in rows], next_offset=next_offset
    )


@router.get(
    "/feedback/received",
    operation_id="listReceivedFeedback",
    response_model=ReceivedList,
    summary="What the other participant of the caller's sessions chose to show them",
)
async def received(
    runtime: RuntimeDep, caller: FeedbackReader, limit: Limit = 50, offset: Offset = 0
) -> ReceivedList:
    rows, next_offset = await service.received_feedback(runtime, caller, limit, offset)
    items = [
        ReceivedOut(
            feedback_id=r.feedback_id,
            session_id=r.session_id,
            from_role=r.author_role,
            shared=r.shared,
            submitted_at=r.submitted_at,
        )
        for r in rows
    ]
    return ReceivedList(items=items, next_offset=next_offset)


@router.post(
    "/follow-ups",
    operation_id="recordFollowUp",
    responses=problems(
        (404, "No such session of the caller's"),
        (409, "The session is not completed, or a follow-up was already recorded"),
    ),
    status_code=status.HTTP_201_CREATED,
    response_model=FollowUpOut,
    tags=["follow-ups"],
    summary="The mentee records how they applied the advice (once per completed session)",
)
async def record_follow_up(body: FollowUpIn, runtime: RuntimeDep, caller: FeedbackWriter) -> FollowUpOut:
    return await service.record_follow_up(runtime, caller, body)


@router.get(
    "/follow-ups",
    operation_id="listFollowUps",
    response_model=FollowUpList,
    tags=["follow-ups"],
    summary="The caller's follow-ups, and those mentees shared with them as mentor",
)
async def list_follow_ups(
    runtime: RuntimeDep, caller: FeedbackReader, limit: Limit = 50, offset: Offset = 0
) -> FollowUpList:
    items, next_offset = await service.follow_ups(runtime, caller, limit, offset)
    return FollowUpList(items=items, next_offset=next_offset)


@router.get(
    "/journal",
    operation_id="getMyJournal",
    response_model=Journal,
    tags=["journal"],
    summary="The caller's own history, newest first",
)
async def my_journal(
    runtime: RuntimeDep, caller: FeedbackReader, limit: Limit = 50, offset: Offset = 0
) -> Journal:
    found = await journal.journal(runtime, caller)
    entries, next_offset = page(found.entries[offset : offset + limit + 1], limit, offset)
    return Journal(person_id=found.person_id, entries=entries, next_offset=next_offset)


@router.get(
    "/journal/export",
    operation_id="exportMyJournal",
    tags=["journal"],
    summary="The caller's journal as CSV or Markdown",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}, "text/markdown": {}}, "description": "The journal, as a file"}
    },
)
async def export_journal(
    runtime: RuntimeDep,
    caller: FeedbackReader,
    format: Annotated[Literal["csv", "markdown"], Query()] = "csv",
) -> Response:
    found = await journal.journal(runtime, caller)
    if format == "markdown":
        body, media, name = journal.as_markdown(found), "text/markdown", "journal.md"
    else:
        body, media, name = journal.as_csv(found.entries), "text/csv", "journal.csv"
    return Response(
        body,
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/impact",
    operation_id="getImpact",
    response_model=Impact,
    tags=["impact"],
    summary="A quarter's figures and weekly series (org_admin: their org; operator: the consortium)",
)
async def impact(runtime: RuntimeDep, caller: FiguresReader, quarter: QuarterQuery = None) -> Impact:
    return await service.impact(runtime, caller, quarter)


@router.get(
    "/impact/export",
    operation_id="exportImpact",
    tags=["impact"],
    summary="The same figures as CSV, one figure per row",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "scope, quarter, period, figure, value"}},
)
async def impact_csv(runtime: RuntimeDep, caller: FiguresReader, quarter: QuarterQuery = None) -> Response:
    figures = await service.impact(runtime, caller, quarter)
    return Response(
        domain.impact_csv(figures),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="impact-{figures.scope}-{figures.quarter}.csv"'
        },
    )


me_router = personal_data_router("feedback", service.my_data)
