"""Signing in and out: identity's authorization-code flow with PKCE, the tokens kept sealed in a cookie."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Annotated
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.apis import ApiProblem, Apis
from console.config import ConsoleSettings
from console.sessions import (
    SIGNIN_COOKIE,
    SIGNIN_TTL_S,
    Sealer,
    challenge,
    new_signin,
    session_cookie,
    tokens_from,
)
from console.web import SignedIn, checked_form, render

router = APIRouter(prefix="/auth", include_in_schema=False)
log = logging.getLogger(__name__)


def redirect_uri(settings: ConsoleSettings) -> str:
    return f"{settings.console_url}/auth/callback"


def set_session(response: Response, settings: ConsoleSettings, sealed: str) -> None:
    response.set_cookie(
        session_cookie(settings), sealed, max_age=settings.session_max_age_s, path="/", httponly=True,
        secure=settings.secure_cookies, samesite="lax",
    )  # fmt: skip


def clear_session(response: Response, settings: ConsoleSettings) -> None:
    response.delete_cookie(
        session_cookie(settings), path="/", httponly=True, secure=settings.secure_cookies, samesite="lax"
    )


@router.get("/login")
async def login(
    request: Request,
    next: Annotated[str | None, Query(max_length=500)] = None,
    org: Annotated[str | None, Query(pattern=r"^[a-z0-9-]{1,40}$")] = None,
) -> Response:
    """To identity's sign-in page, with a fresh state and PKCE verifier kept in a sealed cookie."""
    settings: ConsoleSettings = request.app.state.settings
    sealer: Sealer = request.app.state.sealer
    signin = new_signin(next or "/")
    query = {
        "response_type": "code", "client_id": settings.signin_client_id,
        "redirect_uri": redirect_uri(settings), "code_challenge": challenge(signin.verifier),
        "code_challenge_method": "S256", "state": signin.state,
    }  # fmt: skip
    if org:
        query["org"] = org  # the org's single sign-on, where it has one
    response = RedirectResponse(f"{settings.public_url}/v1/authorize?{urlencode(query)}", 303)
    response.set_cookie(
        SIGNIN_COOKIE, sealer.seal_signin(signin), max_age=SIGNIN_TTL_S, path="/auth", httponly=True,
        secure=settings.secure_cookies, samesite="lax",
    )  # fmt: skip
    return response


@router.get("/callback")
async def callback(
    request: Request,
    code: Annotated[str | None, Query(max_length=200)] = None,
    state: Annotated[str | None, Query(max_length=500)] = None,
    error: Annotated[str | None, Query(max_length=100)] = None,
    error_description: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """identity sends the browser back here with a code: redeemed only for the sign-in this browser began."""
    settings: ConsoleSettings = request.app.state.settings
    sealer: Sealer = request.app.state.sealer
    apis: Apis = request.app.state.apis
    signin = sealer.open_signin(request.cookies.get(SIGNIN_COOKIE))
    if signin is None or not state or not secrets.compare_digest(signin.state, state):
        return refused(request, "This sign-in was not started here, or took too long: sign in again.")
    if error or not code:
        return refused(request, f"identity refused the sign-in: {error_description or error or 'no code'}.")
    try:
        answer = await apis.redeem_code(code, redirect_uri(settings), signin.verifier)
    except ApiProblem as exc:
        return refused(request, f"identity refused the sign-in: {exc.detail or exc.title}")
    tokens = tokens_from(answer, secrets.token_urlsafe(16), time.time())
    response = RedirectResponse(signin.next, 303)
    set_session(response, settings, sealer.seal_tokens(tokens))
    response.delete_cookie(SIGNIN_COOKIE, path="/auth", httponly=True, secure=settings.secure_cookies)
    return response


def refused(request: Request, why: str) -> HTMLResponse:
    response = render(request, "signin_refused.html", 400, why=why)
    response.delete_cookie(SIGNIN_COOKIE, path="/auth")
    return response


@router.post("/logout")
async def logout(request: Request, visit: SignedIn) -> Response:
    """Ends the sign-in at identity (every token of it, everywhere), then forgets the cookie."""
    await checked_form(request, visit)
    settings: ConsoleSettings = request.app.state.settings
    apis: Apis = request.app.state.apis
    ended = True
    try:
        await apis.revoke(visit.tokens.refresh or visit.tokens.access)
    except (ApiProblem, httpx.HTTPError) as exc:
        # the cookie goes all the same; the page says the sign-in may live on at identity until it expires
        log.warning("signing out: identity did not revoke the sign-in: %s", exc)
        ended = False
    response = render(request, "signed_out.html", ended=ended)
    clear_session(response, settings)
    return response
