"""Token verification from identity's JWKS, and the FastAPI dependencies built on it.

Every service verifies tokens locally: the JWKS is fetched once and cached; a token signed by a key id the
cache does not know triggers one refetch (that is how a rotated key is picked up), rate-limited so that
forged key ids cannot make a service hammer identity.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Protocol

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jwt import PyJWK

from mentornet_common.problems import Problem
from mentornet_common.telemetry import current_tenant

ALGORITHMS = ["RS256"]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user or an API client, their org (tenant), roles and scopes."""

    subject: str
    kind: Literal["user", "client"]
    org_id: str | None
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_operator(self) -> bool:
        return "operator" in self.roles

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class InvalidToken(Exception):
    """A bearer token that is malformed, expired, or not signed by identity."""


class KeySource(Protocol):
    async def key(self, kid: str) -> PyJWK | None: ...


class JwksKeySource:
    """Public keys from identity's ``/.well-known/jwks.json``, cached."""

    def __init__(
        self,
        url: str,
        ttl_s: float = 300.0,
        refetch_interval_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = url
        self._transport = transport
        self.fetches = 0
        self._ttl_s = ttl_s
        self._refetch_interval_s = refetch_interval_s
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> PyJWK | None:
        now = time.monotonic()
        stale = now - self._fetched_at > self._ttl_s
        unknown = kid not in self._keys and now - self._fetched_at > self._refetch_interval_s
        if stale or unknown:
            async with self._lock:
                if time.monotonic() - self._fetched_at > self._refetch_interval_s or not self._keys:
                    try:
                        await self._fetch()
                    except httpx.HTTPError:
                        if not self._keys:
                            raise
                        # identity is unreachable: keep verifying with the keys we have, ask again soon.
                        self._fetched_at = time.monotonic() - self._ttl_s + self._refetch_interval_s
        return self._keys.get(kid)

    async def _fetch(self) -> None:
        async with httpx.AsyncClient(timeout=5.0, transport=self._transport) as client:
            response = await client.get(self._url)
            response.raise_for_status()
        self.fetches += 1
        self._keys = {k["kid"]: PyJWK(k) for k in response.json().get("keys", []) if "kid" in k}
        self._fetched_at = time.monotonic()


class TokenVerifier:
    """Verifies identity's access tokens and turns them into principals.

    A token verified once is remembered until it expires (up to ``remember`` tokens, least recently used
    first out): a request passes the rate limiter, the idempotency check and its route, and each asks."""

    def __init__(self, keys: KeySource, issuer: str, audience: str, remember: int = 10_000) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._remember = remember
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None and known[1] > time.time():
            self._verified.move_to_end(token)
            return known[0]
        principal, expires = await self._verify(token)
        self._verified[token] = (principal, expires)
        while len(self._verified) > self._remember:
            self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed token") from exc
        kid = header.get("kid")
        if not isinstance(kid, str) or header.get("alg") not in ALGORITHMS:
            raise InvalidToken("token has no usable key id or algorithm")
        try:
            key = await self._keys.key(kid)
        except httpx.HTTPError as exc:
            raise InvalidToken("signing keys are unavailable") from exc
        if key is None:
            raise InvalidToken("unknown signing key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        kind = claims.get("kind", "user")
        if kind not in ("user", "client"):
            raise InvalidToken("unknown principal kind")
        principal = Principal(
            subject=claims["sub"],
            kind=kind,
            org_id=claims.get("org"),
            roles=frozenset(claims.get("roles", [])),
            scopes=frozenset(str(claims.get("scope", "")).split()),
        )
        return principal, float(claims["exp"])


_bearer = HTTPBearer(auto_error=False)


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="mentornet"'})


async def current_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    """The verified caller; 401 without a valid bearer token."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("a bearer token is required")
    verifier: TokenVerifier = request.app.state.verifier
    try:
        principal = await verifier.verify(credentials.credentials)
    except InvalidToken as exc:
        raise _unauthorized(f"invalid token: {exc}") from exc
    if principal.org_id:
        current_tenant.set(principal.org_id)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that answers 403 unless the caller holds one of ``roles``."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(*roles):
            raise Problem(403, "Forbidden", f"this needs one of the roles: {', '.join(roles)}")
        return principal

    return dependency


def require_scopes(*scopes: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that answers 403 unless an API client holds every one of ``scopes`` (users pass)."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.kind == "client" and not principal.scopes.issuperset(scopes):
            raise Problem(403, "Forbidden", f"this needs the scopes: {' '.join(scopes)}")
        return principal

    return dependency


async def current_tenant_id(principal: CurrentPrincipal) -> str:
    """The caller's org, which names the store every read and write of the request goes to."""
    if not principal.org_id:
        raise Problem(403, "Forbidden", "this needs a caller who belongs to a member org")
    return principal.org_id


TenantId = Annotated[str, Depends(current_tenant_id)]
