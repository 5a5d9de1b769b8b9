"""Sessions' public HTTP API (docs/api.md). Every action answers the session as it now stands."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from mentornet_common.auth import Principal, member
from mentornet_common.http import RuntimeDep, personal_data_router
from mentornet_common.openapi import problems
from mentornet_common.pagination import Limit, Offset
from mentornet_common.problems import Conflict
from sessions import calendar, service
from sessions.config import SessionsSettings
from sessions.models import AcceptIn, ReasonIn, RescheduleIn, SessionList, SessionOut, SessionStatus

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])

SessionReader = Annotated[Principal, Depends(member("sessions:read"))]
SessionWriter = Annotated[Principal, Depends(member("sessions:write"))]


def conflict(why: str) -> dict[int | str, dict[str, Any]]:
    """The 409 an action declares: why it conflicts, or the caller's copy is behind the other's (ADR 0006)."""
    return problems((409, f"{why}; or this copy of the session has not caught up yet (retry it shortly)"))


@router.get(
    "",
    operation_id="listSessions",
    response_model=SessionList,
    summary="The caller's sessions as mentor or mentee",
)
async def list_sessions(
    runtime: RuntimeDep,
    caller: SessionReader,
    status: Annotated[SessionStatus | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> SessionList:
    rows, next_offset = await service.list_sessions(runtime, caller, status, limit, offset)
    return SessionList(items=[SessionOut.of(r) for r in rows], next_offset=next_offset)


@router.get("/{session_id}", operation_id="getSession", response_model=SessionOut)
async def get_session(session_id: str, runtime: RuntimeDep, caller: SessionReader) -> SessionOut:
    return SessionOut.of(await service.get_session(runtime, caller, session_id))


@router.post(
    "/{session_id}/accept",
    operation_id="acceptSession",
    responses=conflict("The offer expired or was answered, or the time clashes with another session"),
    response_model=SessionOut,
    summary="The mentor accepts with a start time",
)
async def accept(session_id: str, body: AcceptIn, runtime: RuntimeDep, caller: SessionWriter) -> SessionOut:
    horizon = runtime.settings.as_(SessionsSettings).max_schedule_ahead_days
    return SessionOut.of(await service.accept(runtime, caller, session_id, body.start_at, horizon))


@router.post(
    "/{session_id}/decline",
    operation_id="declineSession",
    responses=conflict("The offer was already answered"),
    response_model=SessionOut,
    summary="The mentor declines; the next is proposed",
)
async def decline(session_id: str, body: ReasonIn, runtime: RuntimeDep, caller: SessionWriter) -> SessionOut:
    return SessionOut.of(await service.decline(runtime, caller, session_id, body.reason))


@router.post(
    "/{session_id}/complete",
    operation_id="completeSession",
    responses=conflict("The session cannot be completed in its status"),
    response_model=SessionOut,
    summary="Either participant completes it",
)
async def complete(session_id: str, runtime: RuntimeDep, caller: SessionWriter) -> SessionOut:
    return SessionOut.of(await service.complete(runtime, caller, session_id))


@router.post(
    "/{session_id}/cancel",
    operation_id="cancelSession",
    responses=conflict("The session cannot be cancelled in its status (an offer is declined instead)"),
    response_model=SessionOut,
    summary="Either participant cancels it",
)
async def cancel(session_id: str, body: ReasonIn, runtime: RuntimeDep, caller: SessionWriter) -> SessionOut:
    return SessionOut.of(await service.cancel(runtime, caller, session_id, body.reason))


@router.post(
    "/{session_id}/reschedule",
    operation_id="rescheduleSession",
    responses=conflict("Only a scheduled session moves, or the time clashes"),
    response_model=SessionOut,
    summary="Either participant moves a scheduled session (with a reason)",
)
async def reschedule(
    session_id: str, body: RescheduleIn, runtime: RuntimeDep, caller: SessionWriter
) -> SessionOut:
    horizon = runtime.settings.as_(SessionsSettings).max_schedule_ahead_days
    return SessionOut.of(
        await service.reschedule(runtime, caller, session_id, body.start_at, body.reason, horizon)
    )


@router.post(
    "/{session_id}/no-show",
    operation_id="reportNoShow",
    responses=conflict("The session has not started yet, or is not scheduled"),
    response_model=SessionOut,
    summary="A participant reports, after its start, that the other did not come",
)
async def no_show(session_id: str, body: ReasonIn, runtime: RuntimeDep, caller: SessionWriter) -> SessionOut:
    return SessionOut.of(await service.report_no_show(runtime, caller, session_id, body.reason))


@router.get(
    "/{session_id}/calendar.ics",
    operation_id="getSessionInvitation",
    summary="An iCalendar invitation for the caller (RFC 5545)",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}, "description": "The invitation"},
        **problems((409, "The session has no time yet: the mentor has not accepted it")),
    },
)
async def invitation(session_id: str, runtime: RuntimeDep, caller: SessionReader) -> Response:
    row = await service.get_session(runtime, caller, session_id)
    if row.start_at is None:
        raise Conflict("the session has no time yet: the mentor has not accepted it")
    return Response(
        calendar.invitation(row, caller.subject),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{row.id}.ics"'},
    )


me_router = personal_data_router("sessions", service.my_data)
