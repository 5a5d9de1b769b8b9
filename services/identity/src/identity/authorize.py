"""Sign-in for first-party browser apps: the authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636).

- The apps are public clients (no secret), registered by configuration (``MENTORNET_SIGNIN_CLIENTS``): a
  client id and the exact redirect URIs it may receive codes at. An unknown client or redirect URI is
  answered here, never redirected (RFC 6749 §4.1.2.1): identity never sends a browser somewhere unvetted.
- ``GET /v1/authorize`` keeps the request server-side and shows a sign-in form carrying a CSRF token that
  is bound to the request and held by the browser in a cookie; ``POST /v1/authorize`` checks the password
  exactly as the password grant does (same throttling), then redirects with a ``code`` and the ``state``.
- A code is random, kept only as its hash, used once, lives 60 s, and is bound to the client, the redirect
  URI, the PKCE challenge (S256 only) and the person. ``grant_type=authorization_code`` at ``/v1/token``
  redeems it; a code presented again fails and ends the sign-in its first use started (RFC 6749 §4.1.2).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from sqlmodel import col, delete, update

from identity import service, tokens
from identity.credentials import new_id
from identity.models import AuthorizationCode, AuthorizeRequest, TokenResponse, User
from mentornet_common.problems import Problem
from mentornet_common.tenancy import CONSORTIUM

if TYPE_CHECKING:
    from identity.service import Identity

GRANT = "authorization_code"
CODE_TTL_S = 60
CSRF_COOKIE = "mentornet_authorize"
CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # base64url of a SHA-256 digest, unpadded
VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")  # RFC 7636 §4.1


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def refused(detail: str, field: str, error: str = "invalid_request") -> Problem:
    """An error shown to the person, never sent to a redirect URI nobody vouched for."""
    return Problem(400, "Sign-in refused", detail, error=error, errors=[{"field": field, "message": detail}])


def check_client(identity: Identity, client_id: str | None, redirect_uri: str | None) -> None:
    """The client is a registered sign-in app and the redirect URI one of its own, exactly (else 400)."""
    if not client_id or client_id not in identity.settings.signin_clients:
        raise refused("client_id is not a registered sign-in app", "query.client_id", "invalid_client")
    if not redirect_uri or redirect_uri not in identity.settings.signin_clients[client_id]:
        raise refused("redirect_uri is not one this app registered", "query.redirect_uri")


def with_query(uri: str, params: dict[str, str | None]) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{uri}{'&' if '?' in uri else '?'}{query}"


@dataclass(frozen=True)
class AuthorizeParams:
    """What ``GET /v1/authorize`` was asked."""

    response_type: str | None
    client_id: str | None
    redirect_uri: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    state: str | None
    org: str | None


def params_error(params: AuthorizeParams) -> tuple[str, str] | None:
    """The OAuth error (and its description) to send back to the (vetted) redirect URI, if any."""
    if params.response_type != "code":
        return "unsupported_response_type", "response_type must be code"
    if params.code_challenge_method != "S256":
        return "invalid_request", "code_challenge_method must be S256 (plain is not accepted)"
    if not params.code_challenge or not CHALLENGE.match(params.code_challenge):
        return "invalid_request", "code_challenge must be the base64url SHA-256 of a code_verifier"
    return None


async def start(identity: Identity, params: AuthorizeParams) -> tuple[AuthorizeRequest, str]:
    """Keep the request until the person signs in; the CSRF token its form and the browser carry."""
    assert params.client_id and params.redirect_uri and params.code_challenge
    csrf = secrets.token_urlsafe(32)
    now = _now()
    pending = AuthorizeRequest(
        id=secrets.token_urlsafe(32),
        csrf_hash=_hash(csrf),
        client_id=params.client_id,
        redirect_uri=params.redirect_uri,
        code_challenge=params.code_challenge,
        state=params.state,
        org_slug=params.org,
        created_at=now,
        expires_at=now + timedelta(seconds=identity.settings.sso_login_ttl_s),
    )
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        await uow.session.exec(delete(AuthorizeRequest).where(col(AuthorizeRequest.expires_at) < now))
        uow.session.add(pending)
        await uow.commit()
    return pending, csrf


async def pending_by_id(
    identity: Identity, request_id: str, field: str = "body.request_id"
) -> AuthorizeRequest:
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        pending = await session.get(AuthorizeRequest, request_id)
    if pending is None or _aware(pending.expires_at) <= _now():
        raise refused("this sign-in is unknown, expired or finished: start again from the app", field)
    return pending


async def pending_request(
    identity: Identity, request_id: str, csrf_form: str, csrf_cookie: str | None
) -> AuthorizeRequest:
    """The request the form belongs to, if the form's CSRF token is its own and this browser holds it."""
    pending = await pending_by_id(identity, request_id)
    if not csrf_form or not secrets.compare_digest(_hash(csrf_form), pending.csrf_hash):
        raise refused("the form's CSRF token does not belong to this sign-in", "body.csrf_token")
    if csrf_cookie is None or not secrets.compare_digest(csrf_cookie, csrf_form):
        raise refused("this sign-in was started in another browser: start again", "cookie")
    return pending


async def issue_code(identity: Identity, pending: AuthorizeRequest, user: User, via: str) -> str:
    """The request is used up; where to send the browser: the redirect URI with a fresh code and the state."""
    code = secrets.token_urlsafe(32)
    now = _now()
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        await uow.session.exec(delete(AuthorizationCode).where(col(AuthorizationCode.expires_at) < now))
        taken = await uow.session.exec(delete(AuthorizeRequest).where(col(AuthorizeRequest.id) == pending.id))
        if not taken.rowcount:
            raise refused("this sign-in already finished: start again from the app", "body.request_id")
        uow.session.add(
            AuthorizationCode(
                code_hash=_hash(code), client_id=pending.client_id, redirect_uri=pending.redirect_uri,
                code_challenge=pending.code_challenge, user_id=user.id, org_id=user.org_id, via=via,
                created_at=now, expires_at=now + timedelta(seconds=CODE_TTL_S),
            )
        )  # fmt: skip
        await uow.commit()
    return with_query(pending.redirect_uri, {"code": code, "state": pending.state})


async def sign_in_with_password(
    identity: Identity, pending: AuthorizeRequest, username: str, password: str, address: str
) -> str:
    """The form's credentials, checked as the password grant checks them; the redirect with the code."""
    user = await service.person_for_password(identity, username, password, address)
    await tokens.still_allowed(identity, user, "password")
    return await issue_code(identity, pending, user, "password")


async def redeem(
    identity: Identity, code: str, redirect_uri: str, client_id: str, verifier: str
) -> TokenResponse:
    """``grant_type=authorization_code``: the person's tokens, once, for the app and PKCE verifier the code
    was issued to. A code presented again fails and ends the sign-in its first use started."""
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        row = await session.get(AuthorizationCode, _hash(code))
    if row is None:
        raise tokens.invalid_grant("the code is unknown or expired")
    if row.used_at is not None:
        if row.family_id is not None:
            await tokens.revoke_family(identity, row.org_id or CONSORTIUM, row.family_id)
        raise tokens.invalid_grant("the code was already used (the tokens it gave are revoked)")
    if _aware(row.expires_at) <= _now():
        raise tokens.invalid_grant("the code is unknown or expired")
    if not secrets.compare_digest(row.client_id, client_id):
        raise tokens.invalid_grant("the code was issued to another client")
    if not secrets.compare_digest(row.redirect_uri, redirect_uri):
        raise tokens.invalid_grant("redirect_uri is not the one the code was issued for")
    if not VERIFIER.match(verifier) or not secrets.compare_digest(s256(verifier), row.code_challenge):
        raise tokens.invalid_grant("code_verifier does not match the code_challenge")
    family_id = new_id("sid")
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        claimed = await uow.session.exec(
            update(AuthorizationCode)
            .where(
                col(AuthorizationCode.code_hash) == row.code_hash, col(AuthorizationCode.used_at).is_(None)
            )
            .values(used_at=_now(), family_id=family_id)
        )
        await uow.commit()
    if not claimed.rowcount:  # another request redeemed it in the meantime
        raise tokens.invalid_grant("the code was already used")
    async with identity.runtime.stores.session(row.org_id or CONSORTIUM) as session:
        user = await session.get(User, row.user_id)
    if user is None:
        raise tokens.invalid_grant("the person's account is deactivated or erased")
    return await tokens.issue_for_person(identity, user, row.via, family_id=family_id)


# the sign-in page ----------------------------------------------------------------------------------------


def security_headers(redirect_uri: str | None) -> dict[str, str]:
    """No script at all, no framing; the form may post here and (browsers check redirects too) lead to the
    app's redirect URI."""
    targets = "'self'"
    if redirect_uri:
        parts = urlsplit(redirect_uri)
        targets += f" {parts.scheme}://{parts.netloc}"
    return {
        "Content-Security-Policy": f"default-src 'none'; form-action {targets}; frame-ancestors 'none'; "
        "base-uri 'none'",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "Pragma": "no-cache",
    }


async def pending_for_sso(identity: Identity, request_id: str, csrf_cookie: str | None) -> AuthorizeRequest:
    """The request whose page links to the org's single sign-on, if this browser holds its CSRF token."""
    pending = await pending_by_id(identity, request_id, "query.request_id")
    if csrf_cookie is None or not secrets.compare_digest(_hash(csrf_cookie), pending.csrf_hash):
        raise refused("this sign-in was started in another browser: start again", "cookie")
    if not pending.org_slug:
        raise refused("this sign-in names no org (org=) whose single sign-on to use", "query.request_id")
    return pending


@dataclass(frozen=True)
class OrgSignIn:
    """How the org the request names (``org=``) lets its people sign in."""

    sso: bool = False
    passwords: bool = True


async def org_sign_in(identity: Identity, org_slug: str | None) -> OrgSignIn:
    if not org_slug:
        return OrgSignIn()
    from identity import repository, sso

    async with identity.runtime.stores.session(CONSORTIUM) as session:
        org = await repository.org_by_slug(session, org_slug)
    config = await sso.configured(identity, org.id) if org else None
    return OrgSignIn(sso=config is not None, passwords=config is None or config.allow_passwords)


def page(pending: AuthorizeRequest, csrf: str, ways: OrgSignIn, *, message: str | None = None) -> str:
    e = html.escape
    notice = f'<p role="alert">{e(message)}</p>' if message else ""
    sso = (
        f'<p><a href="authorize/sso?{e(urlencode({"request_id": pending.id}))}">'
        "Sign in with your organisation's account</a></p>"
        if ways.sso
        else ""
    )
    passwords = ways.passwords
    if passwords:
        form = f"""<form method="post" action="authorize">
<input type="hidden" name="request_id" value="{e(pending.id)}">
<input type="hidden" name="csrf_token" value="{e(csrf)}">
<p><label>Email <input type="email" name="username" autocomplete="username" required></label></p>
<p><label>Password
<input type="password" name="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Sign in</button></p>
</form>"""
    else:
        form = "<p>Your organisation signs its people in through its own identity provider only.</p>"
    form = sso + form
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in to mentornet</title></head>
<body>
<h1>Sign in to mentornet</h1>
<p>{e(pending.client_id)} asks you to sign in.</p>
{notice}
{form}
</body>
</html>
"""
