"""What every page of the console shares: templates, the security headers, who is signed in, CSRF checks."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from console.apis import ApiProblem, Apis
from console.config import ConsoleSettings
from console.sessions import REFRESH_BEFORE_S, Refresher, Sealer, Tokens, session_cookie

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(settings: ConsoleSettings) -> str:
    """Scripts, styles and images from the console itself only (no inline script, no inline style); forms
    post to the console (whose sign-in may lead on to identity); never framed."""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        f"connect-src 'self'; form-action 'self' {origin_of(settings.public_url)}; frame-ancestors 'none'; "
        "base-uri 'none'; object-src 'none'"
    )


class SecurityHeaders:
    """The headers on every answer of the console: its CSP, no framing or sniffing, no cache of pages."""

    def __init__(self, app: ASGIApp, settings: ConsoleSettings) -> None:
        self._app = app
        headers = {
            "content-security-policy": content_security_policy(settings),
            "x-content-type-options": "nosniff",
            "x-frame-options": "DENY",
            "referrer-policy": "same-origin",
            "cross-origin-opener-policy": "same-origin",
            "cross-origin-resource-policy": "same-origin",
            "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
        }
        if settings.secure_cookies:
            headers["strict-transport-security"] = "max-age=31536000"
        self._headers = [(k.encode(), v.encode()) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in self._headers if k not in present]
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self._app(scope, receive, with_headers)


# templates ------------------------------------------------------------------------------------------------


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def when(value: str | None, tz: str | None = None) -> str:
    """A moment in the reader's own time zone, e.g. ``Tuesday 8 December 2026, 09:00``."""
    moment = parse_time(value)
    if moment is None:
        return "—"
    local = moment.astimezone(zone(tz))
    return f"{WEEKDAYS[local.weekday()]} {local.day} {local:%B %Y, %H:%M}"


def day(value: str | None) -> str:
    moment = parse_time(value)
    return f"{moment.day} {moment:%b %Y}" if moment else "—"


TEMPLATES = Environment(
    loader=PackageLoader("console", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES.filters["when"] = when
TEMPLATES.filters["day"] = day
TEMPLATES.globals["weekdays"] = WEEKDAYS
TEMPLATES.tests["api_problem"] = lambda value: isinstance(value, ApiProblem)


def render(
    request: Request, template: str, status_code: int = 200, visit: Visit | None = None, **context: Any
) -> HTMLResponse:
    sealer: Sealer = request.app.state.sealer
    page = TEMPLATES.get_template(template).render(
        request=request,
        visit=visit,
        me=visit.me if visit else None,
        csrf=sealer.csrf_token(visit.tokens) if visit else "",
        path=request.url.path,
        **context,
    )
    return HTMLResponse(page, status_code=status_code)


def error_page(request: Request, problem: ApiProblem, visit: Visit | None = None) -> HTMLResponse:
    status = problem.status if problem.status in (400, 403, 404, 409, 422, 429, 503) else 502
    return render(request, "error.html", status, visit, problem=problem)


# who is signed in -----------------------------------------------------------------------------------------


class SignInNeeded(Exception):
    """No (longer a) sign-in: the person is sent to sign in, and back here afterwards."""

    def __init__(self, next_path: str, why: str = "") -> None:
        super().__init__(why)
        self.next_path = next_path
        self.why = why


@dataclass
class Visit:
    """The signed-in person on this request: their tokens (refreshed when due) and who they are."""

    tokens: Tokens
    me: dict[str, Any] = field(default_factory=dict)

    @property
    def token(self) -> str:
        return self.tokens.access

    @property
    def roles(self) -> list[str]:
        return list(self.me.get("roles", []))

    @property
    def is_member(self) -> bool:
        return self.me.get("org_id") is not None


def _back_here(request: Request) -> str:
    if request.method != "GET":
        return "/"
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{request.url.path}{query}"


async def signed_in(request: Request) -> Visit:
    """The person this request's session cookie signs in, with fresh tokens; else ``SignInNeeded``."""
    settings: ConsoleSettings = request.app.state.settings
    sealer: Sealer = request.app.state.sealer
    apis: Apis = request.app.state.apis
    tokens = sealer.open_tokens(request.cookies.get(session_cookie(settings)))
    if tokens is None:
        raise SignInNeeded(_back_here(request))
    if tokens.access_expires - time.time() < REFRESH_BEFORE_S:
        refresher: Refresher = request.app.state.refresher
        renewed = await refresher.refresh(tokens, apis.refresh) if tokens.refresh else None
        if renewed is None:
            raise SignInNeeded(_back_here(request), "Your sign-in ended: please sign in again.")
        tokens = renewed
        request.state.renewed_cookie = sealer.seal_tokens(tokens)
    try:
        me = await apis.get("identity", "/v1/me", tokens.access)
    except ApiProblem as exc:
        if exc.status == 401:
            raise SignInNeeded(_back_here(request), "Your sign-in ended: please sign in again.") from exc
        raise
    return Visit(tokens, me)


SignedIn = Annotated[Visit, Depends(signed_in)]


async def checked_form(request: Request, visit: Visit) -> FormData:
    """The posted form, if it carries this sign-in's CSRF token (else 403, and nothing is done)."""
    form = await request.form()
    sealer: Sealer = request.app.state.sealer
    presented = form.get("csrf_token")
    if not sealer.csrf_ok(visit.tokens, presented if isinstance(presented, str) else None):
        raise Forbidden("The form has no valid CSRF token: reload the page and send it again.")
    return form


class Forbidden(Exception):
    """A request refused before anything is done (a forged form, another site's form)."""


class OriginCheck:
    """Refuses any unsafe request another site's page sent (its Origin, or Sec-Fetch-Site), before the
    app sees it: the CSRF token is the second line."""

    def __init__(self, app: ASGIApp, settings: ConsoleSettings) -> None:
        self._app = app
        self._origin = origin_of(settings.console_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE:
            headers: Mapping[bytes, bytes] = dict(scope.get("headers") or [])
            origin = headers.get(b"origin", b"").decode(errors="replace")
            site = headers.get(b"sec-fetch-site", b"").decode(errors="replace")
            if (origin and origin != self._origin) or site == "cross-site":
                response = Response(
                    "Refused: this form was sent from another site.", 403, media_type="text/plain"
                )
                await response(scope, receive, send)
                return
        await self._app(scope, receive, send)


def to_sign_in(next_path: str, why: str = "") -> RedirectResponse:
    target = f"/auth/login?next={quote(next_path, safe='/')}"
    if why:
        target += "&expired=1"
    return RedirectResponse(target, 303)
