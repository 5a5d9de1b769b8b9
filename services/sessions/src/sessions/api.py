"""Sessions' public HTTP API (see CONTRACT.md). Every action answers the session as it now stands."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from mentornet_common.auth import CurrentPrincipal
from mentornet_common.pagination import Limit, Offset
from mentornet_common.runtime import Runtime
from sessions import service
from sessions.models import AcceptIn, ReasonIn, SessionList, SessionOut, SessionStatus

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.get("", response_model=SessionList, summary="The caller's sessions as mentor or mentee")
async def list_sessions(
    request: Request,
    caller: CurrentPrincipal,
    status: Annotated[SessionStatus | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> SessionList:
    rows, next_offset = await service.list_sessions(_runtime(request), caller, status, limit, offset)
    return SessionList(items=[SessionOut.of(r) for r in rows], next_offset=next_offset)


@router.get("/{session_id}", response_model=SessionOut)
async def get_session(session_id: str, request: Request, caller: CurrentPrincipal) -> SessionOut:
    return SessionOut.of(await service.get_session(_runtime(request), caller, session_id))


@router.post(
    "/{session_id}/accept", response_model=SessionOut, summary="The mentor accepts with a start time"
)
async def accept(session_id: str, body: AcceptIn, request: Request, caller: CurrentPrincipal) -> SessionOut:
    settings = request.app.state.runtime.settings
    return SessionOut.of(await service.accept(_runtime(request), settings, caller, session_id, body.start_at))


@router.post(
    "/{session_id}/decline", response_model=SessionOut, summary="The mentor declines; the next is proposed"
)
async def decline(session_id: str, body: ReasonIn, request: Request, caller: CurrentPrincipal) -> SessionOut:
    return SessionOut.of(await service.decline(_runtime(request), caller, session_id, body.reason))


@router.post("/{session_id}/complete", response_model=SessionOut, summary="Either participant completes it")
async def complete(session_id: str, request: Request, caller: CurrentPrincipal) -> SessionOut:
    return SessionOut.of(await service.complete(_runtime(request), caller, session_id))


@router.post("/{session_id}/cancel", response_model=SessionOut, summary="Either participant cancels it")
async def cancel(session_id: str, body: ReasonIn, request: Request, caller: CurrentPrincipal) -> SessionOut:
    return SessionOut.of(await service.cancel(_runtime(request), caller, session_id, body.reason))
