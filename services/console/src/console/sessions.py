"""The console's sign-in (a backend for the browser): the person's tokens never reach the browser's scripts.

- Signing in is identity's authorization-code flow with PKCE (S256) and a ``state``: the verifier and the
  state wait in a sealed, HttpOnly cookie scoped to ``/auth`` for ten minutes; a callback whose state is
  not that cookie's is refused, and nothing is redeemed.
- Signed in, the access and refresh tokens live sealed (Fernet: encrypted and authenticated with a key
  derived from ``MENTORNET_SESSION_SECRET``) in an HttpOnly, SameSite=Lax cookie — Secure, with the
  ``__Host-`` prefix, wherever the console is served over https. Nothing the browser runs can read it,
  and a cookie someone altered is no sign-in at all.
- The access token is refreshed shortly before it expires. identity rotates refresh tokens and ends the
  whole sign-in when a used one comes back, so one process refreshes a given token once: concurrent
  requests wait for that refresh, and a request still carrying the old cookie gets the new tokens.
- Signing out revokes the refresh token at identity (which ends every token of the sign-in, in every
  service, within seconds), so a copy of the cookie is worth nothing afterwards; so does reaching
  ``MENTORNET_SESSION_MAX_AGE_S``.
- Every form carries a CSRF token derived from the sign-in (HMAC), and a form whose Origin is another
  site's is refused whatever it carries.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.fernet import InvalidToken

from console.config import ConsoleSettings
from mentornet_common.sealing import Seal

SIGNIN_TTL_S = 600
REFRESH_BEFORE_S = 30  # refresh an access token that expires within this
ROTATED_KEPT_S = 60  # how long the tokens a refresh gave are handed to requests still carrying the old cookie


def session_cookie(settings: ConsoleSettings) -> str:
    return "__Host-mentornet_console" if settings.secure_cookies else "mentornet_console"


SIGNIN_COOKIE = "mentornet_console_signin"


@dataclass(frozen=True)
class SignIn:
    """A sign-in in progress: what the callback must see again, and where to go afterwards."""

    state: str
    verifier: str
    next: str
    started: float


@dataclass(frozen=True)
class Tokens:
    """A person's tokens, sealed in the session cookie; ``sid`` names the console sign-in (its CSRF key)."""

    sid: str
    access: str
    refresh: str | None
    access_expires: float
    started: float


def new_signin(next_path: str) -> SignIn:
    return SignIn(secrets.token_urlsafe(32), secrets.token_urlsafe(64), safe_next(next_path), time.time())


def challenge(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier (RFC 7636 §4.2)."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def safe_next(path: str | None) -> str:
    """Where a sign-in may lead afterwards: a path of the console's own, never another site."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path or "://" in path:
        return "/"
    return path[:500]


class Sealer:
    """The console's cookies, sealed with the session secret (one key per purpose)."""

    def __init__(self, settings: ConsoleSettings) -> None:
        secret = settings.session_secret.get_secret_value()
        self._session = Seal(secret, "console-session")
        self._signin = Seal(secret, "console-signin")
        self._csrf_key = hashlib.sha256(f"console-csrf:{secret}".encode()).digest()
        self._max_age = settings.session_max_age_s

    def seal_signin(self, signin: SignIn) -> str:
        return self._signin.seal(json.dumps(asdict(signin)))

    def open_signin(self, cookie: str | None) -> SignIn | None:
        found = _open(self._signin, cookie)
        if found is None:
            return None
        try:
            signin = SignIn(**found)
        except TypeError:
            return None
        return signin if time.time() - signin.started < SIGNIN_TTL_S else None

    def seal_tokens(self, tokens: Tokens) -> str:
        return self._session.seal(json.dumps(asdict(tokens)))

    def open_tokens(self, cookie: str | None) -> Tokens | None:
        found = _open(self._session, cookie)
        if found is None:
            return None
        try:
            tokens = Tokens(**found)
        except TypeError:
            return None
        return tokens if time.time() - tokens.started < self._max_age else None

    def csrf_token(self, tokens: Tokens) -> str:
        return hmac.new(self._csrf_key, tokens.sid.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, tokens: Tokens, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(self.csrf_token(tokens), presented or "")


def _open(seal: Seal, cookie: str | None) -> dict[str, Any] | None:
    if not cookie or len(cookie) > 4096:
        return None
    try:
        found = json.loads(seal.open(cookie))
    except (InvalidToken, ValueError):
        return None
    return found if isinstance(found, dict) else None


def tokens_from(answer: dict[str, Any], sid: str, started: float) -> Tokens:
    """The tokens of identity's token answer (access token, its lifetime, the rotated refresh token)."""
    return Tokens(
        sid=sid,
        access=str(answer["access_token"]),
        refresh=answer.get("refresh_token"),
        access_expires=time.time() + float(answer.get("expires_in", 600)),
        started=started,
    )


def _digest(refresh: str) -> str:
    return hashlib.sha256(refresh.encode()).hexdigest()


class Refresher:
    """Refreshes each refresh token once per process, however many requests need it at the same moment."""

    def __init__(self) -> None:
        self._inflight: dict[str, asyncio.Future[Tokens | None]] = {}
        self._rotated: dict[str, tuple[float, Tokens | None]] = {}

    async def refresh(self, tokens: Tokens, redeem: Any) -> Tokens | None:
        """New tokens for ``tokens`` (None: the sign-in is over). ``redeem(refresh_token)`` asks identity and
        answers its token response, or None when identity refused."""
        assert tokens.refresh is not None
        key = _digest(tokens.refresh)
        now = time.time()
        self._rotated = {k: v for k, v in self._rotated.items() if now - v[0] < ROTATED_KEPT_S}
        if key in self._rotated:
            return self._rotated[key][1]
        if key in self._inflight:
            return await asyncio.shield(self._inflight[key])
        future: asyncio.Future[Tokens | None] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            answer = await redeem(tokens.refresh)
            renewed = tokens_from(answer, tokens.sid, tokens.started) if answer is not None else None
            self._rotated[key] = (time.time(), renewed)
            future.set_result(renewed)
            return renewed
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody else waited
            raise
        finally:
            del self._inflight[key]
