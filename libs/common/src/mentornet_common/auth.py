"""Token verification from identity's JWKS, and the FastAPI dependencies that say who may call a route.

Every service verifies tokens locally: the JWKS is fetched once and cached; a token signed by a key id the
cache does not know triggers one refetch (that is how a rotated key is picked up), rate-limited so that
forged key ids cannot make a service hammer identity. A verified token is then checked against identity's
revocations (``mentornet_common.revocation``), so that a revoked client, a deactivated or erased person or
a removed single sign-on loses access in seconds rather than at the token's expiry.

Who may call a route is declared once, by the route, with the dependencies at the end of this module:
``member(...)``, ``org_admin(...)``, ``operator()`` and ``partner(...)``, each naming the scopes an API
client must hold (whether it acts for a person or for itself). docs/scopes.md lists every scope.
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
from mentornet_common.revocation import RevocationList
from mentornet_common.telemetry import current_tenant

ALGORITHMS = ["RS256"]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user or an API client, their org (tenant), roles and scopes.

    A portal acting for a person (RFC 8693 token exchange) is the person (``kind`` user, ``subject`` the
    person, their roles) with ``actor`` naming the API client and ``scopes`` what the client was granted:
    it may do only what both allow."""

    subject: str
    kind: Literal["user", "client"]
    org_id: str | None
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)
    actor: str | None = None
    token_id: str | None = None
    issued_at: float = 0.0
    session_id: str | None = None
    via: str | None = None

    @property
    def is_operator(self) -> bool:
        return "operator" in self.roles and self.actor is None and self.kind == "user" and self.org_id is None

    @property
    def is_person(self) -> bool:
        """A person of a member org (themself, or through a portal acting for them)."""
        return self.kind == "user" and self.org_id is not None

    @property
    def held_to_scopes(self) -> bool:
        """An API client's token, for itself or acting for a person, may do only what its scopes say."""
        return self.kind == "client" or self.actor is not None

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def missing_scopes(self, scopes: tuple[str, ...]) -> list[str]:
        return [s for s in scopes if s not in self.scopes] if self.held_to_scopes else []


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

    async def only_key(self) -> PyJWK | None:
        """For a token without a key id: the JWKS's key, when it holds exactly one."""
        if not self._keys or time.monotonic() - self._fetched_at > self._ttl_s:
            async with self._lock:
                await self._fetch()
        keys = list(self._keys.values())
        return keys[0] if len(keys) == 1 else None

    async def _fetch(self) -> None:
        async with httpx.AsyncClient(timeout=5.0, transport=self._transport) as client:
            response = await client.get(self._url)
            response.raise_for_status()
        self.fetches += 1
        try:
            listed = response.json().get("keys", [])
        except (ValueError, AttributeError) as exc:
            raise httpx.DecodingError("the JWKS is not a JSON key set") from exc
        keys: dict[str, PyJWK] = {}
        for jwk in listed if isinstance(listed, list) else []:
            try:
                if isinstance(jwk, dict) and "kid" in jwk:
                    keys[str(jwk["kid"])] = PyJWK(jwk)
            except jwt.PyJWTError:
                continue  # a key type or curve this library does not verify: the others still count
        self._keys = keys
        self._fetched_at = time.monotonic()


class TokenVerifier:
    """Verifies identity's access tokens and turns them into principals.

    A token verified once is remembered until it expires (up to ``remember`` tokens, least recently used
    first out): a request passes the rate limiter, the idempotency check and its route, and each asks."""

    def __init__(
        self,
        keys: KeySource,
        issuer: str,
        audience: str,
        remember: int = 10_000,
        revocations: RevocationList | None = None,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._remember = remember
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self.revocations = revocations if revocations is not None else RevocationList()

    async def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None and known[1] > time.time():
            self._verified.move_to_end(token)
            principal = known[0]
        else:
            principal, expires = await self._verify(token)
            self._verified[token] = (principal, expires)
            while len(self._verified) > self._remember:
                self._verified.popitem(last=False)
        # Checked on every request, remembered or not: a revocation bites within one poll of identity.
        if reason := self.revocations.revoked(principal):
            raise InvalidToken(reason)
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
        act = claims.get("act")
        if act is not None and not (isinstance(act, dict) and isinstance(act.get("sub"), str)):
            raise InvalidToken("malformed act claim")
        principal = Principal(
            subject=claims["sub"],
            kind=kind,
            org_id=claims.get("org"),
            roles=frozenset(claims.get("roles", [])),
            scopes=frozenset(str(claims.get("scope", "")).split()),
            actor=act["sub"] if act else None,
            token_id=claims.get("jti"),
            issued_at=float(claims["iat"]),
            session_id=claims.get("sid"),
            via=claims.get("via"),
        )
        return principal, float(claims["exp"])


_bearer = HTTPBearer(auto_error=False, scheme_name="bearerAuth", bearerFormat="JWT")


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
    await vouched_for(request.app, principal)
    request.state.principal = principal
    return principal


async def vouched_for(app: Any, principal: Principal) -> None:
    """Identity signs tokens only for people and clients of registered orgs: a verified token vouches for
    its org, whose store this service provisions if its org-registered has not arrived here yet."""
    runtime = getattr(getattr(app, "state", None), "runtime", None)
    if principal.org_id and runtime is not None:
        await runtime.stores.provision(principal.org_id)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def _forbidden(detail: str, **extensions: Any) -> Problem:
    return Problem(403, "Forbidden", detail, **extensions)


def _held_to(principal: Principal, scopes: tuple[str, ...]) -> None:
    if principal.held_to_scopes and not scopes:
        # A route that names no scope is not for API clients: no grant can open it to them.
        raise _forbidden("this is not open to API clients: the person must do it themself")
    missing = principal.missing_scopes(scopes)
    if missing:
        raise _forbidden(
            f"this needs the scope {missing[0]}, which the API client was not granted",
            missing_scopes=missing,
        )


Caller = Callable[[Principal], Awaitable[Principal]]


@dataclass(frozen=True)
class Access:
    """What a route declared it needs: who may call it, and the scopes an API client must hold; ``refuses``:
    whether it turns away some verified callers (403), as every declaration but ``authenticated()`` does."""

    who: str
    scopes: tuple[str, ...] = ()
    refuses: bool = True


def _declare(dependency: Caller, who: str, scopes: tuple[str, ...], refuses: bool = True) -> Caller:
    # read by the test of docs/scopes.md, and by the OpenAPI documents (mentornet_common.openapi)
    setattr(dependency, "access", Access(who, scopes, refuses))  # noqa: B010
    return dependency


def access_of(dependency: Any) -> Access | None:
    found = getattr(dependency, "access", None)
    return found if isinstance(found, Access) else None


def authenticated() -> Caller:
    """Any verified caller (the consortium's org registry, for example)."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        return principal

    return _declare(dependency, "anyone signed in", (), refuses=False)


def member(*scopes: str) -> Caller:
    """A person of a member org, themself or through a portal acting for them (which must hold ``scopes``).

    An API client's own token is not a person: it answers 403 and says how to act for one."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.is_person:
            if principal.kind == "client":
                raise _forbidden(
                    "this acts for a person: exchange a token for them first "
                    "(grant_type=urn:ietf:params:oauth:grant-type:token-exchange)"
                )
            raise _forbidden("this needs a person of a member org")
        _held_to(principal, scopes)
        return principal

    return _declare(dependency, "a person of a member org", scopes)


def org_admin(*scopes: str, clients: bool = True, operators: bool = False) -> Caller:
    """An org_admin of their org (or a portal acting for one, holding ``scopes``); with ``clients``, also the
    org's API client holding ``scopes`` for itself; with ``operators``, also a consortium operator.

    Without ``scopes`` the route is for the org_admin in person only: no API client, for itself or acting
    for an admin, can configure the org (its clients, single sign-on, settings)."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if operators and principal.is_operator:
            return principal
        if principal.kind == "client" and principal.actor is None and principal.org_id:
            if not clients:
                raise _forbidden("this needs an org_admin; an API client cannot do it for itself")
            _held_to(principal, scopes)
            return principal
        if not principal.is_person or "org_admin" not in principal.roles:
            who = "an org_admin of a member org" + (" or a consortium operator" if operators else "")
            raise _forbidden(f"this needs {who}")
        _held_to(principal, scopes)
        return principal

    who = (
        "an org_admin"
        + (", or the org's API client" if clients else "")
        + (", or an operator" if operators else "")
    )
    return _declare(dependency, who, scopes)


def operator() -> Caller:
    """A consortium operator (never through a portal)."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.is_operator:
            raise _forbidden("this needs the operator role")
        return principal

    return _declare(dependency, "a consortium operator", ())


def require_roles(*roles: str) -> Caller:
    """A dependency that answers 403 unless the caller holds one of ``roles``."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(*roles):
            raise _forbidden(f"this needs one of the roles: {', '.join(roles)}")
        return principal

    return _declare(dependency, f"one of the roles {', '.join(roles)}", ())


def require_scopes(*scopes: str, who: str = "anyone signed in (the route decides whose data)") -> Caller:
    """A dependency that answers 403 unless an API client (for itself or acting) holds every one of
    ``scopes``; a person calling for themself passes."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        _held_to(principal, scopes)
        return principal

    return _declare(dependency, who, scopes)


def org_of(principal: Principal) -> str:
    """The org of the person a route admitted with ``member(...)``: the store their request works in."""
    if not principal.is_person or principal.org_id is None:
        raise _forbidden("this needs a person of a member org")
    return principal.org_id


def admin_scope(principal: Principal) -> str | None:
    """For figures admitted with ``org_admin(..., operators=True)``: the org they cover, None for the
    consortium's (an operator)."""
    if principal.is_operator:
        return None
    if principal.org_id is None:
        raise _forbidden("this needs an org_admin of a member org or a consortium operator")
    return principal.org_id


async def current_tenant_id(principal: CurrentPrincipal) -> str:
    """The caller's org, which names the store every read and write of the request goes to."""
    if not principal.org_id:
        raise _forbidden("this needs a caller who belongs to a member org")
    return principal.org_id


TenantId = Annotated[str, Depends(current_tenant_id)]
