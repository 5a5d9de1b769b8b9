"""The console's process: ``python -m console.main``. Pages rendered on the server from the services' public
APIs; no store of its own (the sign-in lives sealed in the browser's cookie, console.sessions)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from console import admin_figures, admin_integrations, admins, auth, members, operators
from console.apis import ApiProblem, Apis
from console.config import ConsoleSettings
from console.sessions import Refresher, Sealer, session_cookie
from console.web import (
    Forbidden,
    OriginCheck,
    SecurityHeaders,
    SignInNeeded,
    error_page,
    render,
    to_sign_in,
)
from mentornet_common.http import UNMEASURED, BodyLimitMiddleware, MetricsMiddleware
from mentornet_common.telemetry import configure_logging, configure_tracing

log = logging.getLogger(__name__)


def create_app(
    settings: ConsoleSettings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """The console's app; ``transport`` replaces the network to the APIs (the unit tests' fake APIs)."""
    settings = settings or ConsoleSettings()
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    configure_tracing(settings.service_name)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.apis = Apis(settings, transport)
        try:
            yield
        finally:
            await app.state.apis.aclose()

    app = FastAPI(
        title="mentornet console", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.settings = settings
    app.state.sealer = Sealer(settings)
    app.state.refresher = Refresher()

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        """Ready while identity answers: without it nobody can sign in."""
        apis: Apis = request.app.state.apis
        try:
            answer = await apis.http.get(f"{settings.api_urls['identity']}/healthz", timeout=3)
            check = "ok" if answer.status_code == 200 else f"unavailable: {answer.status_code}"
        except httpx.HTTPError as exc:
            check = f"unavailable: {type(exc).__name__}"
        ready = check == "ok"
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": {"identity": check}},
            200 if ready else 503,
        )

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.include_router(auth.router)
    app.include_router(members.router)
    app.include_router(admins.router)
    app.include_router(admin_figures.router)
    app.include_router(admin_integrations.router)
    app.include_router(operators.router)
    static = resources.files("console") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.exception_handler(SignInNeeded)
    async def sign_in_first(request: Request, exc: SignInNeeded) -> Response:
        response = to_sign_in(exc.next_path, exc.why)
        auth.clear_session(response, settings)
        return response

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return render(request, "forbidden.html", 403, reason=str(exc))

    @app.exception_handler(ApiProblem)
    async def api_refused(request: Request, exc: ApiProblem) -> Response:
        """What an API refused where the page had no better place to show it."""
        return error_page(request, exc)

    @app.exception_handler(httpx.HTTPError)
    async def api_unreachable(request: Request, exc: httpx.HTTPError) -> Response:
        log.warning("an API did not answer: %r", exc)
        return error_page(request, ApiProblem(503, "A service did not answer", "Try again in a moment."))

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> Response:
        return render(request, "not_found.html", 404)

    @app.middleware("http")
    async def keep_renewed_tokens(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Tokens refreshed on the way in go back to the browser in the session cookie (unless the answer
        signs the person out)."""
        response = await call_next(request)
        renewed = getattr(request.state, "renewed_cookie", None)
        name = session_cookie(settings)
        if renewed and not any(
            value.startswith(f"{name}=".encode())
            for key, value in response.raw_headers
            if key == b"set-cookie"
        ):
            auth.set_session(response, settings, renewed)
        return response

    app.add_middleware(OriginCheck, settings=settings)
    app.add_middleware(SecurityHeaders, settings=settings)
    app.add_middleware(MetricsMiddleware, service=settings.service_name)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_body_bytes)  # outermost
    FastAPIInstrumentor.instrument_app(app, excluded_urls=",".join(p.lstrip("/") for p in UNMEASURED))
    return app


def main() -> None:
    from mentornet_common.http import serve

    settings = ConsoleSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
