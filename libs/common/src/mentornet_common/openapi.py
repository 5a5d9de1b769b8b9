"""What every service's OpenAPI document declares beyond FastAPI's: the problem+json answers of each
operation, the ``Idempotency-Key`` header, and how to authenticate.

Each route names its ``operationId`` itself (``operation_id=`` on the route: it never changes when the
function is renamed). Which problem documents an operation can answer is derived here, in one place, from
what the route declares and what the middleware does to it:

- a bearer-token dependency (``mentornet_common.auth``) answers 401; one that admits only some callers
  (``member``, ``org_admin``, ``operator``, ``require_scopes``…: everything but ``authenticated()``) 403;
- a path parameter names something that may not exist, or be another org's: 404;
- a parameter or a body can break its schema: 422, and a body can be too large: 413;
- a POST with a bearer token honours ``Idempotency-Key`` (idempotency.py): 400 (a malformed key), 409 (the
  first request is still running, or its answer held a secret shown once), 422 (the key was used for
  another request);
- every path the rate limiter counts can answer 429 with ``Retry-After``; anything can answer 500.

What only a use case knows (a conflict, a 404 without a path parameter, a dependency that is down) the route
adds with ``responses=problems(...)``. The document also drops FastAPI's ``HTTPValidationError``: a 422 is a
problem document like every other error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from mentornet_common.auth import access_of, current_principal
from mentornet_common.idempotency import NOT_IDEMPOTENT, UNLIMITED
from mentornet_common.problems import PROBLEM_JSON, ProblemDocument
from mentornet_common.scopes import SCOPES

REF = "#/components"
BEARER = "bearerAuth"
OAUTH2 = "oauth2"
TOKEN_URL = "/v1/token"

# Each problem status once, as a reusable response: (component name, what it means).
RESPONSES: dict[int, tuple[str, str]] = {
    400: (
        "BadRequest",
        "A malformed request: an OAuth 2 error on the token endpoint (`error` names it), or a malformed "
        "`Idempotency-Key`.",
    ),
    401: (
        "Unauthorized",
        "No valid credentials: the bearer token is missing, invalid, expired or revoked (or, on the token "
        "endpoint, the client's credentials are wrong).",
    ),
    403: (
        "Forbidden",
        "The caller may not do this: a role it lacks, or a scope its API client was not granted "
        "(`missing_scopes` names them).",
    ),
    404: ("NotFound", "Not found, or another org's: the API never says which."),
    409: ("Conflict", "It conflicts with the current state; `detail` says how."),
    413: (
        "ContentTooLarge",
        "The request body is larger than the limit (1 MiB by default); it was not read.",
    ),
    422: (
        "UnprocessableContent",
        "The request breaks its schema (`type` https://mentornet.dev/problems/validation, `errors` naming "
        "each field), or a rule of the API (`errors` names the field).",
    ),
    429: ("TooManyRequests", "Too many requests from this caller; retry after `Retry-After` seconds."),
    500: (
        "InternalServerError",
        "An unexpected error (`an unexpected error occurred`); the cause is logged.",
    ),
    502: ("BadGateway", "A system this request needs (the org's identity provider) could not be reached."),
    503: ("ServiceUnavailable", "A service this request needs did not answer; retry after `Retry-After`."),
}
HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"$ref": f"{REF}/headers/WWW-Authenticate"}},
    429: {"Retry-After": {"$ref": f"{REF}/headers/Retry-After"}},
    503: {"Retry-After": {"$ref": f"{REF}/headers/Retry-After"}},
}

IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "A unique key of yours that makes this POST safe to retry. The first answer is kept for 24 hours, "
        "for this caller alone; a retry with the same key and the same request gets that answer again, "
        "marked `Idempotent-Replayed: true`, and nothing is done twice. The same key with a different "
        "request answers 422; a retry while the first is still running answers 409. A 5xx answer is not "
        "kept, so retry it. An answer that carries a secret shown once is never kept: a retry with its key "
        "answers 409, saying the first request succeeded. A malformed key answers 400."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[\\x21-\\x7e]{1,200}$"},
    "example": "0c5e7b2a-5f1d-4d8e-9a57-3b1f6a2e9d40",
}


def problems(*declared: int | tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for the problem statuses a route's use case answers beyond those derived from the route
    itself; ``(status, "why")`` says what the status means on this route."""
    out: dict[int | str, dict[str, Any]] = {}
    for entry in declared:
        status, why = entry if isinstance(entry, tuple) else (entry, RESPONSES[entry][1])
        if status not in RESPONSES:
            raise ValueError(f"{status} is not a problem status the API documents")
        out[status] = {"description": why}
    return out


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _calls(dependant: Dependant) -> Iterator[Any]:
    return (each.call for each in _dependants(dependant))


def _scopes(dependant: Dependant) -> tuple[bool, tuple[str, ...]] | None:
    """(whether it may refuse a verified caller, the scopes an API client needs) of the route's declared
    caller; None when it declares none."""
    for call in _calls(dependant):
        if (access := access_of(call)) is not None:
            return access.refuses, access.scopes
    return None


def idempotent(route: Any, method: str) -> bool:
    """Whether IdempotencyMiddleware keeps this operation's answers (a POST by a bearer-token caller)."""
    bearer = current_principal in set(_calls(route.dependant))
    return method == "POST" and bearer and route.path_format not in NOT_IDEMPOTENT


def derived_statuses(route: Any, method: str) -> set[int]:
    """The problem statuses an operation can answer that follow from the route and the middleware."""
    statuses = {500}
    calls = set(_calls(route.dependant))
    every = list(_dependants(route.dependant))
    path = any(d.path_params for d in every)
    other = any(d.query_params or d.header_params or d.cookie_params for d in every)
    body = route.body_field is not None
    if current_principal in calls:
        statuses.add(401)
        declared = _scopes(route.dependant)
        if declared is None or declared[0]:
            statuses.add(403)
    if path:
        statuses.add(404)
    if path or other or body:
        statuses.add(422)
    if body:
        statuses.add(413)
    if idempotent(route, method):
        statuses |= {400, 409, 422}
    if route.path_format not in UNLIMITED:
        statuses.add(429)
    return statuses


def _public_routes(app: FastAPI) -> dict[tuple[str, str], Any]:
    found: dict[tuple[str, str], Any] = {}
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute) and context.include_in_schema:
            for method in context.methods or ():
                found[(str(context.path_format), method.lower())] = context
    return found


def _declare(operation: dict[str, Any], route: Any, method: str) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    statuses = derived_statuses(route, method.upper())
    statuses |= {int(s) for s in route.responses if str(s).isdigit() and int(s) >= 400}
    for code in list(responses):
        if code.isdigit() and int(code) >= 400:
            del responses[code]  # FastAPI's HTTPValidationError 422, and what problems() declared
    for status in sorted(statuses):
        reference: dict[str, Any] = {"$ref": f"{REF}/responses/{RESPONSES[status][0]}"}
        why = (route.responses.get(status) or {}).get("description")
        if why and why != RESPONSES[status][1]:
            reference["description"] = why
        responses[str(status)] = reference
    if idempotent(route, method.upper()):
        operation.setdefault("parameters", []).append({"$ref": f"{REF}/parameters/Idempotency-Key"})
        for code, response in responses.items():
            if code.startswith("2") and "$ref" not in response:
                replayed = {"$ref": f"{REF}/headers/Idempotent-Replayed"}
                response.setdefault("headers", {})["Idempotent-Replayed"] = replayed
    declared = _scopes(route.dependant)
    if declared is not None and declared[1]:
        operation.setdefault("security", []).append({OAUTH2: list(declared[1])})


def components() -> dict[str, dict[str, Any]]:
    """What every operation refers to: the Problem schema, one response per problem status, the
    Idempotency-Key parameter, the headers, and the security schemes."""
    problem = ProblemDocument.model_json_schema(ref_template=f"{REF}/schemas/{{model}}")
    schemas = problem.pop("$defs", {})
    schemas["Problem"] = problem
    for schema in schemas.values():
        for field in schema.get("properties", {}).values():
            if field.get("default", ...) is None and "anyOf" not in field:
                del field["default"]  # absent, never null
    responses = {
        name: {
            "description": why,
            "content": {PROBLEM_JSON: {"schema": {"$ref": f"{REF}/schemas/Problem"}}},
            **({"headers": HEADERS[status]} if status in HEADERS else {}),
        }
        for status, (name, why) in RESPONSES.items()
    }
    headers = {
        "Retry-After": {
            "description": "Seconds to wait before retrying.",
            "required": True,
            "schema": {"type": "integer", "minimum": 0},
        },
        "WWW-Authenticate": {
            "description": 'How to authenticate: `Bearer realm="mentornet"` (the token endpoint: `Basic`).',
            "schema": {"type": "string"},
        },
        "Idempotent-Replayed": {
            "description": "`true` on an answer replayed for a retry with the same `Idempotency-Key`.",
            "schema": {"type": "string", "enum": ["true"]},
        },
    }
    flows = {"tokenUrl": TOKEN_URL, "refreshUrl": TOKEN_URL, "scopes": dict(SCOPES)}
    security = {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token from `POST /v1/token` (RS256; its keys are at "
            "`/.well-known/jwks.json`). A person's token, signed in with a password or single sign-on, is "
            "not held to scopes; an API client's is.",
        },
        OAUTH2: {
            "type": "oauth2",
            "description": "The token endpoint, for API clients: the scopes an operation lists are those an "
            "API client's token (for itself, or acting for a person through RFC 8693 token exchange, "
            "`grant_type=urn:ietf:params:oauth:grant-type:token-exchange`) must hold.",
            "flows": {
                "clientCredentials": {k: v for k, v in flows.items() if k != "refreshUrl"},
                "password": flows,
            },
        },
    }
    return {
        "schemas": schemas,
        "responses": responses,
        "parameters": {"Idempotency-Key": IDEMPOTENCY_KEY},
        "headers": headers,
        "securitySchemes": security,
    }


class ConflictingComponent(ValueError):
    """Two different definitions under one component name."""


def add_components(document: dict[str, Any], extra: dict[str, dict[str, Any]]) -> None:
    """Add ``extra``'s components to the document's; the same name twice must mean the same thing."""
    into = document.setdefault("components", {})
    for kind, entries in extra.items():
        present = into.setdefault(kind, {})
        for name, value in entries.items():
            if name in present and present[name] != value:
                raise ConflictingComponent(f"components.{kind}.{name} is defined twice, differently")
            present[name] = value
        into[kind] = dict(sorted(present.items()))


def document(app: FastAPI) -> dict[str, Any]:
    """The service's OpenAPI document (``app.openapi``): FastAPI's, with the declarations above."""
    if app.openapi_schema:
        return app.openapi_schema
    built = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=app.routes,
        webhooks=app.webhooks.routes,
        tags=app.openapi_tags,
        servers=app.servers,
    )
    routes = _public_routes(app)
    for path, operations in built.get("paths", {}).items():
        for method, operation in operations.items():
            _declare(operation, routes[(path, method)], method)
    schemas = built.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    built.get("components", {}).get("securitySchemes", {}).pop(BEARER, None)  # described in components()
    add_components(built, components())
    app.openapi_schema = built
    return built


def install(app: FastAPI) -> None:
    """Serve :func:`document` as the app's ``/openapi.json``."""
    app.openapi = lambda: document(app)  # type: ignore[method-assign]
