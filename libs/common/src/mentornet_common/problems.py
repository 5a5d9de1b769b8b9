"""RFC 9457 problem details: every error of every service is ``application/problem+json``."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema
from starlette.exceptions import HTTPException as StarletteHTTPException

from mentornet_common.tenancy import UnknownTenant

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """Raise from a route or a use case to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str | None = None,
        detail: str | None = None,
        *,
        type: str = "about:blank",
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title or HTTPStatus(status).phrase
        self.detail = detail
        self.type = type
        self.headers = headers or {}
        self.extensions = extensions

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        return body


class FieldError(BaseModel):
    """One problem with one field of the request, named by where it is (`body.question`, `query.limit`,
    `header.Idempotency-Key`)."""

    model_config = ConfigDict(extra="allow")

    field: str = Field(description="Where: `body.…`, `query.…`, `path.…`, `header.…` or `cookie`.")
    message: str
    type: str | SkipJsonSchema[None] = Field(
        default=None, description="The validator's code (schema validation only)."
    )


class ProblemDocument(BaseModel):
    """An RFC 9457 problem document (`application/problem+json`), the body of every error. Members that do
    not apply are left out; a client ignores members it does not know."""

    model_config = ConfigDict(extra="allow", title="Problem")

    type: str = Field(
        description="A URI naming the kind of problem: `about:blank` (the status says it all) or "
        "`https://mentornet.dev/problems/validation` for a request that breaks the declared schema.",
    )
    title: str = Field(description="The status's phrase, or a short summary of the kind of problem.")
    status: int = Field(ge=400, le=599, description="The HTTP status code.")
    detail: str | SkipJsonSchema[None] = Field(default=None, description="What went wrong, in words.")
    instance: str | SkipJsonSchema[None] = Field(default=None, description="The path that was called.")
    errors: list[FieldError] | SkipJsonSchema[None] = Field(
        default=None,
        description="A request's invalid fields, one entry per problem (422, 400, 413, some 403).",
    )
    missing_scopes: list[str] | SkipJsonSchema[None] = Field(
        default=None, description="The scopes an API client lacks for this route (403)."
    )
    error: str | SkipJsonSchema[None] = Field(
        default=None,
        description="OAuth 2's error code, on the token endpoint and single sign-on: `invalid_grant`, "
        "`invalid_client`, `invalid_request`, `invalid_scope`, `unsupported_grant_type`, `access_denied`.",
    )
    location: str | None = Field(
        default=None,
        description="On the 409 that answers an Idempotency-Key retry of a request whose answer carried a "
        "secret shown once: where what the first request created is (null when it named no location).",
    )


class NotFound(Problem):
    def __init__(self, what: str) -> None:
        super().__init__(404, "Not Found", f"{what} not found")


class Conflict(Problem):
    def __init__(self, detail: str) -> None:
        super().__init__(409, "Conflict", detail)


def problem_response(problem: Problem, request: Request) -> JSONResponse:
    return JSONResponse(
        problem.body(instance=request.url.path),
        status_code=problem.status,
        headers=problem.headers,
        media_type=PROBLEM_JSON,
    )


def _field(location: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in location)


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error, validation errors included, as problem+json."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": _field(error.get("loc", ())),
                "message": error.get("msg", ""),
                "type": error.get("type", ""),
            }
            for error in exc.errors()
        ]
        first = errors[0] if errors else {"field": "", "message": "invalid request"}
        problem = Problem(
            422,
            "Unprocessable Content",
            f"{first['field']}: {first['message']}",
            type="https://mentornet.dev/problems/validation",
            errors=errors,
        )
        return problem_response(problem, request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        problem = Problem(
            exc.status_code, detail=str(exc.detail) if exc.detail else None, headers=dict(exc.headers or {})
        )
        return problem_response(problem, request)

    @app.exception_handler(UnknownTenant)
    async def _unknown_org(request: Request, exc: UnknownTenant) -> JSONResponse:
        return problem_response(NotFound("org"), request)  # no store: no org of that id is registered

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(Problem(500, detail="an unexpected error occurred"), request)
