"""Identity's revocations, as every API process holds them.

Access tokens are verified locally and live minutes; that is not quick enough when an org revokes an API
client, deactivates or erases a person, or removes its single sign-on. identity therefore keeps a short
list of revocations, and every API process follows it (``GET /v1/revocations?after=<cursor>`` on identity,
every ``MENTORNET_REVOCATION_POLL_S``), so a revoked token is refused everywhere within about a second.

A revocation is one of:
- ``subject``: tokens whose ``sub`` or acting client (``act.sub``) is the value, issued at or before
  ``issued_before`` (a revoked client, a deactivated or erased person, a person whose roles shrank);
- ``token``: the one token whose ``jti`` is the value (RFC 7009 revocation of an access token);
- ``session``: tokens carrying ``sid`` = the value (a refresh-token family revoked, or reused after rotation);
- ``sso``: tokens of the org named by the value that came from its single sign-on (``via`` = ``sso``),
  issued at or before ``issued_before`` (the org removed its provider);
- ``password``: the same for password sign-ins (the org turned passwords off);
- ``org``: every token of the org named by the value (its people's, its API clients', portals' acting for
  its people), issued at or before ``issued_before`` (an operator suspended the org).

An entry is forgotten once no token it could match can still be valid (``issued_before`` plus the longest
access-token lifetime), so the list stays as short as the tokens it guards. When identity cannot be
reached, the process keeps what it has and asks again at the next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import httpx

if TYPE_CHECKING:
    from mentornet_common.auth import Principal

log = logging.getLogger(__name__)

RevocationKind = Literal["subject", "token", "session", "sso", "password", "org"]
PAGE = 1000  # identity answers at most this many revocations after the cursor at a time
RECENT_S = 30.0  # and, whatever the cursor, those of the last seconds (ids may commit out of order)


@dataclass(frozen=True)
class Revocation:
    id: int
    kind: RevocationKind
    value: str
    issued_before: float
    expires_at: float

    @classmethod
    def of(cls, item: dict[str, Any]) -> Revocation:
        return cls(
            id=int(item["id"]),
            kind=item["kind"],
            value=str(item["value"]),
            issued_before=float(item["issued_before"]),
            expires_at=float(item["expires_at"]),
        )


class RevocationList:
    """What has been revoked, indexed for a check on every request (a few dictionary lookups)."""

    def __init__(self) -> None:
        self.cursor = 0
        self.synced_at: float | None = None
        self._cutoffs: dict[tuple[str, str], tuple[float, float]] = {}

    def add(self, entries: Iterable[Revocation], *, advance: bool = True) -> None:
        """Remember ``entries``; only what came from identity's list (``advance``) moves the cursor: an entry
        this process recorded itself may have a higher id than ones it has not fetched yet."""
        for entry in entries:
            key = (entry.kind, entry.value)
            known = self._cutoffs.get(key)
            if known is None or entry.issued_before >= known[0]:
                self._cutoffs[key] = (entry.issued_before, max(entry.expires_at, known[1] if known else 0))
            if advance:
                self.cursor = max(self.cursor, entry.id)

    def prune(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        for key in [k for k, (_, expires) in self._cutoffs.items() if expires <= now]:
            del self._cutoffs[key]

    def _hit(self, kind: RevocationKind, value: str | None, issued_at: float) -> bool:
        if value is None:
            return False
        found = self._cutoffs.get((kind, value))
        return found is not None and issued_at <= found[0]

    def revoked(self, principal: Principal) -> str | None:
        """Why ``principal``'s token no longer counts, or None while it does."""
        issued = principal.issued_at
        if self._hit("subject", principal.subject, issued):
            return "access was revoked (the client was revoked, or the person deactivated or erased)"
        if self._hit("subject", principal.actor, issued):
            return "the API client acting for the person was revoked"
        if self._hit("token", principal.token_id, issued):
            return "the token was revoked"
        if self._hit("session", principal.session_id, issued):
            return "the sign-in session was revoked"
        if principal.via == "sso" and self._hit("sso", principal.org_id, issued):
            return "the org's single sign-on was removed"
        if principal.via == "password" and self._hit("password", principal.org_id, issued):
            return "the org no longer lets its people sign in with a password"
        if self._hit("org", principal.org_id, issued):
            return "the org is suspended"
        return None

    def __len__(self) -> int:
        return len(self._cutoffs)


Fetch = Callable[[int], Awaitable[list[dict[str, Any]]]]


def revocations_url(jwks_url: str) -> str:
    """identity's revocation list, next to its JWKS."""
    parts = urlsplit(jwks_url)
    return f"{parts.scheme}://{parts.netloc}/v1/revocations"


class RevocationsOverHttp:
    """Fetch identity's list over HTTP with one client (and its pooled connection) for the process's life:
    a client made per poll cost every API process a TLS context and a new connection each second."""

    def __init__(self, url: str, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._url = url
        self._client = httpx.AsyncClient(timeout=5.0, transport=transport)

    async def __call__(self, after: int) -> list[dict[str, Any]]:
        response = await self._client.get(self._url, params={"after": after})
        response.raise_for_status()
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def aclose(self) -> None:
        await self._client.aclose()


class RevocationFeed:
    """Keeps a RevocationList in step with identity, one poll every ``interval_s``."""

    def __init__(self, revocations: RevocationList, fetch: Fetch, interval_s: float) -> None:
        self.revocations = revocations
        self._fetch = fetch
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    async def poll(self) -> None:
        for _ in range(100):
            before = self.revocations.cursor
            items = await self._fetch(before)
            self.revocations.add(Revocation.of(item) for item in items)
            if sum(1 for item in items if int(item["id"]) > before) < PAGE:
                break
        self.revocations.prune()
        self.revocations.synced_at = time.time()

    async def _run(self) -> None:
        while True:
            try:
                await self.poll()
                if self._failing:
                    log.info("revocations: in step with identity again")
                self._failing = False
            except Exception as exc:  # keep what we have; identity may be restarting
                if not self._failing:
                    log.warning("revocations: identity did not answer (%s); retrying", type(exc).__name__)
                self._failing = True
            await asyncio.sleep(self._interval_s)

    async def start(self) -> None:
        with contextlib.suppress(Exception):
            await self.poll()  # a first list before the first request, when identity is already up
        self._task = asyncio.create_task(self._run(), name="revocation-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if (close := getattr(self._fetch, "aclose", None)) is not None:
            await close()
