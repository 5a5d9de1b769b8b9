"""The HTTP conventions every service shares: problem+json, health, readiness, metrics, tracing, and the
OpenAPI document's declarations (mentornet_common.openapi)."""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mentornet_common import asyncapi, openapi
from mentornet_common.auth import JwksKeySource, KeySource, Principal, TokenVerifier, member
from mentornet_common.idempotency import IdempotencyMiddleware, RateLimitMiddleware, send_problem
from mentornet_common.migrations import alembic_migrator
from mentornet_common.problems import Problem, install_problem_handlers
from mentornet_common.ratelimit import Counters
from mentornet_common.revocation import RevocationFeed, RevocationList, RevocationsOverHttp, revocations_url
from mentornet_common.runtime import Runtime
from mentornet_common.settings import CommonSettings
from mentornet_common.telemetry import HTTP_REQUEST_SECONDS, configure_logging, configure_tracing

UNMEASURED = ("/healthz", "/readyz", "/metrics")


async def current_runtime(request: Request) -> Runtime:
    """The process's runtime (stores, relay), built by the app's lifespan. (A coroutine: FastAPI runs a
    plain function dependency in its thread pool, a thread hand-over on every request.)"""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(current_runtime)]


class MetricsMiddleware:
    """Request latency by route template (never by raw path, which would explode the label set)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self._app = app
        self._service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNMEASURED:
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, send_and_watch)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            HTTP_REQUEST_SECONDS.labels(self._service, scope["method"], template, str(status)).observe(
                time.perf_counter() - started
            )


class _TooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """No request body past ``max_bytes`` is read: 413 problem+json, by its Content-Length or as it streams
    in (the Idempotency-Key middleware behind this one buffers what it reads)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self._app = app
        self._max = max_bytes

    def _problem(self) -> Problem:
        message = f"the request body is larger than {self._max} bytes"
        return Problem(
            413, "Content Too Large", f"body: {message}", errors=[{"field": "body", "message": message}]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._max:
            await send_problem(send, self._problem(), scope["path"])
            return
        seen, started = 0, False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self._max:
                raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await send_problem(send, self._problem(), scope["path"])


@functools.cache
def _asyncapi() -> dict[str, Any]:
    return asyncapi.document()


async def readiness(runtime: Runtime) -> dict[str, Any]:
    """What ``/readyz`` answers: whether the process reaches its store and the broker, check by check."""
    checks: dict[str, str] = {}
    for name, check in (("store", runtime.stores.ping), ("broker", runtime.check_broker)):
        try:
            await check()
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"unavailable: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    return {"status": "ready" if ready else "not ready", "checks": checks}


def _health_router() -> APIRouter:
    # The operations endpoints are not the public API (the gateway routes none of them): outside the OpenAPI
    # document, like /metrics. /asyncapi.json is public, served the same by every service.
    router = APIRouter()

    @router.get("/healthz", summary="The process is alive", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="The store and the broker are reachable",
        response_model=None,
        include_in_schema=False,
    )
    async def readyz(request: Request) -> JSONResponse:
        answer = await readiness(request.app.state.runtime)
        return JSONResponse(answer, 200 if answer["status"] == "ready" else 503)

    @router.get(
        "/asyncapi.json",
        summary="The AsyncAPI 3 document of mentornet's event streams (topics, types, payloads, headers)",
        response_model=None,
        operation_id="getAsyncApiDocument",
        tags=["event contracts"],
    )
    async def asyncapi_document() -> JSONResponse:
        return JSONResponse(_asyncapi())

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def runtime_lifespan(
    settings: CommonSettings, package: str, key_source: KeySource | None = None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The lifespan of a service API that verifies identity's tokens: runtime, relay, verifier."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime(settings, alembic_migrator(package), sweep=False)
        await runtime.start()
        app.state.runtime = runtime
        revocations = RevocationList()
        app.state.verifier = TokenVerifier(
            key_source or JwksKeySource(settings.jwks_url, ttl_s=settings.jwks_cache_ttl_s),
            settings.token_issuer,
            settings.token_audience,
            revocations=revocations,
        )
        feed = RevocationFeed(
            revocations, RevocationsOverHttp(revocations_url(settings.jwks_url)), settings.revocation_poll_s
        )
        await feed.start()
        try:
            yield
        finally:
            await feed.stop()
            await runtime.stop()

    return lifespan


def service_app(
    settings: CommonSettings,
    *,
    title: str,
    description: str,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]],
    routers: list[APIRouter],
    webhooks: APIRouter | None = None,
) -> FastAPI:
    """A FastAPI app with mentornet's conventions; the service brings its lifespan and routers, and the
    webhooks it sends, described in its OpenAPI document (``webhooks``).

    ``app.state.counters`` is where the process's rate limits count (Redis or memory; ratelimit.py): the
    middleware's, and any the service adds (identity's login throttle). Its connections close with the app.
    """
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    configure_tracing(settings.service_name)
    counters = Counters.from_settings(settings)

    @asynccontextmanager
    async def lifespan_closing_counters(app: FastAPI) -> AsyncIterator[Any]:
        try:
            async with lifespan(app) as state:
                yield state
        finally:
            await counters.close()

    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan_closing_counters)
    app.state.counters = counters
    install_problem_handlers(app)
    app.include_router(_health_router())
    for router in routers:
        app.include_router(router)
    if webhooks is not None:
        app.webhooks.include_router(webhooks)
    openapi.install(app)
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(
        RateLimitMiddleware,
        per_minute=settings.rate_limit_per_minute,
        writes_per_minute=settings.write_rate_limit_per_minute,
        counters=counters,
    )
    app.add_middleware(MetricsMiddleware, service=settings.service_name)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_body_bytes)  # outermost
    # One server span per request; not the instrumentation's extra span for every ASGI receive and send
    # (three or more a request, each timing a few microseconds of copying).
    FastAPIInstrumentor.instrument_app(
        app, excluded_urls=",".join(p.lstrip("/") for p in UNMEASURED), exclude_spans=["receive", "send"]
    )
    return app


def serve(app: FastAPI, settings: CommonSettings) -> None:
    """Run an API process. Behind the gateway or an Ingress, the client address a request reports (and the
    login throttle keys on) is the one ``X-Forwarded-For`` names, trusted only from
    ``MENTORNET_FORWARDED_ALLOW_IPS``."""
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


PersonalData = Callable[[Runtime, Principal], Awaitable[dict[str, Any]]]


def personal_data_router(service: str, collect: PersonalData) -> APIRouter:
    """``GET /v1/me/data``: everything a service holds about the caller, for identity's data export
    (``GET /v1/me/export``). Internal: not in the public OpenAPI, not routed by the gateway."""
    router = APIRouter(prefix="/v1/me", tags=["privacy"])

    async def my_data(
        runtime: RuntimeDep, caller: Annotated[Principal, Depends(member("data:export"))]
    ) -> dict[str, Any]:
        return await collect(runtime, caller)

    router.add_api_route(
        "/data", my_data, methods=["GET"], include_in_schema=False,
        summary=f"Everything {service} holds about the caller (for their data export)",
    )  # fmt: skip
    return router
