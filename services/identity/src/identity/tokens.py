"""Access tokens, refresh tokens, revocation, and the revocation list every service follows.

- Access tokens are RS256 JWTs that live minutes (``MENTORNET_ACCESS_TOKEN_TTL_S``). ``iat`` carries
  milliseconds, so a revocation at one instant never catches a token issued just after it.
- Refresh tokens are opaque (``mnr.<store>.<secret>``; only the secret's hash is kept, in the store of the
  person's org). Each use rotates it; a used one presented again revokes its whole family (every token of
  that sign-in, the access tokens included through their ``sid``). A refresh token issued to a portal that
  acts for a person is bound to that client: only its credentials can use or revoke it.
- A revocation is recorded in the consortium store and served at ``GET /v1/revocations`` to every API
  process (mentornet_common.revocation), which refuses matching tokens within a second or so.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import col, delete, select, update

from identity import repository
from identity.credentials import new_id, observe_active_key
from identity.models import ApiClient, Org, RefreshToken, Revocation, RevocationOut, TokenResponse, User
from mentornet_common.problems import Problem
from mentornet_common.revocation import PAGE, RECENT_S, RevocationKind
from mentornet_common.revocation import Revocation as Revoked
from mentornet_common.tenancy import CONSORTIUM

if TYPE_CHECKING:
    from identity.service import Identity

ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
REFRESH_PREFIX = "mnr"
LEEWAY_S = 60


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def invalid_grant(detail: str) -> Problem:
    return Problem(400, "Invalid grant", detail, error="invalid_grant")


def invalid_client(detail: str = "the client credentials are wrong or revoked") -> Problem:
    return Problem(
        401,
        "Invalid client",
        detail,
        error="invalid_client",
        headers={"WWW-Authenticate": 'Basic realm="mentornet"'},
    )


# access tokens -----------------------------------------------------------------------------------------


def person_claims(user: User, via: str) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": user.id, "kind": "user", "roles": user.role_list(), "via": via}
    if user.org_id:
        claims["org"] = user.org_id
    return claims


async def issue(
    identity: Identity,
    claims: dict[str, Any],
    *,
    scope: str | None = None,
    refresh: tuple[RefreshToken, str] | None = None,
    issued_token_type: str | None = None,
    issued_at: float | None = None,
) -> TokenResponse:
    """Sign an access token; with ``refresh``, hand out the refresh token that was just stored for it."""
    now = time.time() if issued_at is None else issued_at
    if isinstance(org_id := claims.get("org"), str):
        await refuse_if_suspended(identity, org_id)
    ttl = identity.settings.access_token_ttl_s
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        key = await repository.active_signing_key(session)
    if key is None:
        from identity.service import ensure_signing_key

        key = await ensure_signing_key(identity)
    observe_active_key(key)
    body = {
        **claims,
        "iss": identity.settings.token_issuer,
        "aud": identity.settings.token_audience,
        "iat": round(now, 3),
        "exp": int(now) + ttl,
        "jti": new_id("tok"),
    }
    if scope is not None:
        body["scope"] = scope
    if refresh is not None:
        body["sid"] = refresh[0].family_id
    token = identity.keyring.sign(key, body)
    return TokenResponse(
        access_token=token,
        expires_in=ttl,
        scope=scope,
        refresh_token=refresh[1] if refresh is not None else None,
        issued_token_type=issued_token_type,
    )


async def refuse_if_suspended(identity: Identity, org_id: str) -> None:
    """No token for anyone of an org a consortium operator suspended (read after ``iat`` is fixed: a
    suspension committed later is caught by its revocation)."""
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        org = await session.get(Org, org_id)
    if org is not None and org.suspended_at is not None:
        raise invalid_grant("the org is suspended")


async def issue_for_person(
    identity: Identity,
    user: User,
    via: str,
    *,
    client: ApiClient | None = None,
    scope: str | None = None,
    family_id: str | None = None,
    issued_token_type: str | None = None,
) -> TokenResponse:
    """A person's access token (acting: the client's) and its refresh token, as the person stands now.

    ``iat`` is fixed first and the person read again after it: a deactivation or lost role committed
    before that moment is in what is read, one after it is caught by its revocation (``iat`` ≤ cutoff).
    Reading first and signing later left a window where neither held."""
    issued_at = round(time.time(), 3)
    tenant = user.org_id or CONSORTIUM
    async with identity.runtime.stores.session(tenant) as session:
        current = await session.get(User, user.id)
    if current is None or not current.active:
        raise invalid_grant("the person's account is deactivated or erased")
    await still_allowed(identity, current, via)
    if current.org_id is not None:
        await refuse_if_suspended(identity, current.org_id)  # before a refresh token is stored for it
    claims = person_claims(current, via)
    if client is not None:
        claims["act"] = {"sub": client.client_id}
    pair = await new_refresh_token(
        identity, current, via=via, client_id=client.client_id if client else None, scope=scope,
        family_id=family_id,
    )  # fmt: skip
    return await issue(
        identity, claims, scope=scope if client is not None else None, refresh=pair,
        issued_token_type=issued_token_type, issued_at=issued_at,
    )  # fmt: skip


async def still_allowed(identity: Identity, user: User, via: str) -> None:
    """The way the person signed in is still open to them: the org's provider is still configured (via
    sso), the org still allows passwords (via password)."""
    if user.org_id is None or via not in ("sso", "password"):
        return
    from identity.sso import configured

    config = await configured(identity, user.org_id)
    if via == "sso" and config is None:
        raise invalid_grant("the org no longer signs its people in through that provider")
    if via == "password" and config is not None and not config.allow_passwords:
        raise invalid_grant("the org signs its people in through its identity provider only")


# refresh tokens ----------------------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _split(token: str) -> tuple[str, str] | None:
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != REFRESH_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


async def new_refresh_token(
    identity: Identity,
    user: User,
    *,
    via: str,
    client_id: str | None = None,
    scope: str | None = None,
    family_id: str | None = None,
) -> tuple[RefreshToken, str]:
    """Store a refresh token for ``user`` (a new family unless ``family_id``): the row and its text."""
    tenant = user.org_id or CONSORTIUM
    secret = secrets.token_urlsafe(32)
    now = _now()
    row = RefreshToken(
        token_hash=_hash(secret),
        family_id=family_id or new_id("sid"),
        user_id=user.id,
        client_id=client_id,
        scope=scope,
        via=via,
        created_at=now,
        expires_at=now + timedelta(seconds=identity.settings.refresh_token_ttl_s),
    )
    async with identity.runtime.unit_of_work(tenant) as uow:
        uow.session.add(row)
        await uow.commit()
    return row, f"{REFRESH_PREFIX}.{tenant}.{secret}"


async def _find_refresh(identity: Identity, token: str) -> tuple[str, RefreshToken] | None:
    split = _split(token)
    if split is None:
        return None
    tenant, secret = split
    if tenant != CONSORTIUM:
        async with identity.runtime.stores.session(CONSORTIUM) as session:
            if await session.get(Org, tenant) is None:
                return None  # never open (nor create) a store for a name a caller made up
    async with identity.runtime.stores.session(tenant) as session:
        row = await session.get(RefreshToken, _hash(secret))
    return (tenant, row) if row is not None else None


async def revoke_family(identity: Identity, tenant: str, family_id: str) -> None:
    """Every refresh token of a sign-in stops working, and so do its access tokens (by ``sid``)."""
    now = _now()
    async with identity.runtime.unit_of_work(tenant) as uow:
        touched = await uow.session.exec(
            update(RefreshToken)
            .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
            .values(revoked_at=now)
        )
        await uow.commit()
    if touched.rowcount:  # revoking it again adds nothing to the list every service polls
        await record(identity, "session", family_id)


async def revoke_refresh_tokens(
    identity: Identity,
    tenant: str,
    *,
    user_id: str | None = None,
    client_id: str | None = None,
    via: str | None = None,
) -> None:
    """Refresh tokens of a person, of a client, or of one way of signing in, stop working."""
    query = update(RefreshToken).where(col(RefreshToken.revoked_at).is_(None))
    if user_id is not None:
        query = query.where(col(RefreshToken.user_id) == user_id)
    if client_id is not None:
        query = query.where(col(RefreshToken.client_id) == client_id)
    if via is not None:
        query = query.where(col(RefreshToken.via) == via)
    async with identity.runtime.unit_of_work(tenant) as uow:
        await uow.session.exec(query.values(revoked_at=_now()))
        await uow.commit()


async def refresh(identity: Identity, token: str, client: ApiClient | None) -> TokenResponse:
    """The refresh_token grant: rotate the token and sign a fresh access token with today's roles."""
    found = await _find_refresh(identity, token)
    if found is None:
        raise invalid_grant("the refresh token is unknown, expired or revoked")
    tenant, row = found
    if row.client_id is not None and (client is None or client.client_id != row.client_id):
        if client is None:
            raise invalid_client("this refresh token belongs to an API client: authenticate as that client")
        raise invalid_grant("the refresh token was issued to another client")
    if row.client_id is None and client is not None:
        raise invalid_grant("the refresh token was not issued to this client")
    now = _now()
    if row.revoked_at is not None or _aware(row.expires_at) <= now:
        raise invalid_grant("the refresh token is unknown, expired or revoked")
    if await _family_revoked(identity, tenant, row.family_id):
        # A successor written while its sign-in was being revoked: the revocation marked every other token.
        raise invalid_grant("the sign-in this refresh token belongs to was revoked")
    async with identity.runtime.unit_of_work(tenant) as uow:
        claimed = await uow.session.exec(
            update(RefreshToken)
            .where(col(RefreshToken.token_hash) == row.token_hash, col(RefreshToken.used_at).is_(None))
            .values(used_at=now)
        )
        await uow.commit()
    if claimed.rowcount != 1:
        # Used before: someone holds a copy. The whole sign-in ends, for the thief and the owner alike.
        await revoke_family(identity, tenant, row.family_id)
        raise invalid_grant("the refresh token was already used; the sign-in it belonged to is revoked")
    async with identity.runtime.stores.session(tenant) as session:
        user = await session.get(User, row.user_id)
    if user is None:
        raise invalid_grant("the person's account is deactivated or erased")
    scope = row.scope
    if client is not None:
        scope = " ".join(sorted(set((row.scope or "").split()) & set(client.scopes.split())))
    return await issue_for_person(
        identity, user, row.via, client=client, scope=scope, family_id=row.family_id
    )


async def _family_revoked(identity: Identity, tenant: str, family_id: str) -> bool:
    async with identity.runtime.stores.session(tenant) as session:
        found = await session.exec(
            select(RefreshToken.token_hash)
            .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_not(None))
            .limit(1)
        )
        return found.first() is not None


# revocations -------------------------------------------------------------------------------------------


async def record(identity: Identity, kind: RevocationKind, value: str, at: float | None = None) -> None:
    """Tokens matching ``kind``/``value`` issued up to now stop counting in every service."""
    issued_before = time.time() if at is None else at
    expires_at = issued_before + identity.settings.access_token_ttl_s + LEEWAY_S
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        await uow.session.exec(delete(Revocation).where(col(Revocation.expires_at) < time.time()))
        row = Revocation(kind=kind, value=value, issued_before=round(issued_before, 3), expires_at=expires_at)
        uow.session.add(row)
        await uow.commit()
        await uow.session.refresh(row)
    if identity.revocations is not None:  # this process refuses it at once, before its next poll
        entry = Revoked(row.id or 0, kind, value, row.issued_before, expires_at)
        identity.revocations.add([entry], advance=False)


async def since(identity: Identity, after: int, limit: int = PAGE) -> list[RevocationOut]:
    """What came after ``after`` (at most ``limit``), and every revocation of the last seconds whatever its
    id: two replicas' inserts may commit out of id order, and a poller must not skip the slower one."""
    now = time.time()
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        newer = (
            await session.exec(
                select(Revocation)
                .where(col(Revocation.id) > after, col(Revocation.expires_at) > now)
                .order_by(col(Revocation.id))
                .limit(limit)
            )
        ).all()
        recent = (
            await session.exec(
                select(Revocation).where(
                    col(Revocation.id) <= after,
                    col(Revocation.issued_before) >= now - RECENT_S,
                    col(Revocation.expires_at) > now,
                )
            )
        ).all()
    return [RevocationOut.model_validate(r, from_attributes=True) for r in [*newer, *recent]]


async def revoke(identity: Identity, token: str, client: ApiClient | None) -> None:
    """RFC 7009: a refresh token ends its sign-in; an access token ends itself. Unknown tokens: no error."""
    found = await _find_refresh(identity, token)
    if found is not None:
        tenant, row = found
        if row.client_id is not None and (client is None or client.client_id != row.client_id):
            raise invalid_client("this token belongs to an API client: authenticate as that client")
        await revoke_family(identity, tenant, row.family_id)
        return
    if identity.verifier is None:
        return
    try:
        principal = await identity.verifier.verify(token)
    except Exception:
        return  # expired, forged or already revoked: nothing to do (RFC 7009 §2.2)
    if principal.kind == "client" and (client is None or client.client_id != principal.subject):
        raise invalid_client("this token belongs to an API client: authenticate as that client")
    if principal.actor is not None and (client is None or client.client_id != principal.actor):
        raise invalid_client("this token belongs to an API client: authenticate as that client")
    if principal.token_id:
        await record(identity, "token", principal.token_id)
