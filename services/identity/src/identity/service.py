"""Identity's use cases: plain functions, called the same way by routes, the seed and the tests."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from identity import repository
from identity.config import IdentitySettings
from identity.credentials import (
    KeyRing,
    Passwords,
    email_hash,
    new_client_secret,
    new_id,
    published_keys,
    secret_matches,
)
from identity.models import (
    AccountIndex,
    ApiClient,
    ClientCreate,
    ClientCredentials,
    ClientIndex,
    ErasureOut,
    Org,
    OrgCreate,
    SigningKey,
    TokenResponse,
    User,
    UserCreate,
)
from mentornet_common.auth import Principal
from mentornet_common.contracts import OrgRegistered, UserErased, UserRegistered
from mentornet_common.pagination import page
from mentornet_common.problems import Conflict, NotFound, Problem
from mentornet_common.ratelimit import SlidingWindowLimiter
from mentornet_common.runtime import Runtime
from mentornet_common.tenancy import CONSORTIUM

log = logging.getLogger(__name__)


@dataclass
class Identity:
    """Everything identity's use cases need, built once by the composition root."""

    settings: IdentitySettings
    runtime: Runtime
    passwords: Passwords
    keyring: KeyRing
    account_failures: SlidingWindowLimiter
    address_attempts: SlidingWindowLimiter

    @classmethod
    def build(cls, settings: IdentitySettings, runtime: Runtime) -> Identity:
        return cls(
            settings=settings,
            runtime=runtime,
            passwords=Passwords(settings.argon2_time_cost, settings.argon2_memory_cost_kib),
            keyring=KeyRing(settings.key_encryption_secret.get_secret_value()),
            account_failures=SlidingWindowLimiter(
                settings.login_failures_per_account, settings.login_failure_window_s
            ),
            address_attempts=SlidingWindowLimiter(
                settings.login_attempts_per_address, settings.login_address_window_s
            ),
        )


def _now() -> datetime:
    return datetime.now(UTC)


# orgs --------------------------------------------------------------------------------------------------


async def register_org(identity: Identity, data: OrgCreate) -> Org:
    """Register a member org: provision its tenant store, record it, announce ``org-registered``."""
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        if await repository.org_by_slug(uow.session, data.slug):
            raise Conflict(f"an org with slug {data.slug!r} already exists")
    org = Org(id=new_id("org"), slug=data.slug, name=data.name, created_at=_now())
    # The store exists before anyone can learn the org's id, so no request can find it missing.
    await identity.runtime.stores.provision(org.id)
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        uow.session.add(org)
        uow.publish(
            OrgRegistered(org_id=org.id, slug=org.slug, org_name=org.name, registered_at=org.created_at),
            tenant_id=org.id,
        )
        try:
            await uow.commit()
        except Exception as exc:
            if await _slug_taken(identity, data.slug):
                raise Conflict(f"an org with slug {data.slug!r} already exists") from exc
            raise
    log.info("registered org %s (%s)", org.id, org.slug)
    return org


async def _slug_taken(identity: Identity, slug: str) -> bool:
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        return await repository.org_by_slug(session, slug) is not None


async def list_orgs(identity: Identity, limit: int, offset: int) -> tuple[list[Org], int | None]:
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        return page(await repository.orgs(session, limit + 1, offset), limit, offset)


async def get_org(identity: Identity, org_id: str) -> Org:
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        org = await session.get(Org, org_id)
    if org is None:
        raise NotFound("org")
    return org


# who may manage an org's people ------------------------------------------------------------------------


def _authorize_org_admin(caller: Principal, org_id: str, *, operator_may: bool) -> None:
    """Another org's people are invisible (404); inside one's own org, managing needs org_admin (403)."""
    if caller.is_operator and operator_may:
        return
    if caller.org_id != org_id:
        raise NotFound("org")
    if "org_admin" not in caller.roles:
        raise Problem(403, "Forbidden", "this needs the org_admin role in this org")


async def _existing_org(identity: Identity, org_id: str) -> Org:
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        org = await session.get(Org, org_id)
    if org is None:
        raise NotFound("org")
    return org


# users -------------------------------------------------------------------------------------------------


async def register_user(identity: Identity, caller: Principal, org_id: str, data: UserCreate) -> User:
    """Create a user in their org's store; the operator may do it for any org (to seat its first admin)."""
    _authorize_org_admin(caller, org_id, operator_may=True)
    await _existing_org(identity, org_id)
    return await _create_account(
        identity, org_id, str(data.email), data.name, data.password, list(data.roles)
    )


async def _create_account(
    identity: Identity, org_id: str | None, email: str, name: str, password: str, roles: list[str]
) -> User:
    user = User(
        id=new_id("usr"),
        org_id=org_id,
        email=email.strip().lower(),
        name=name.strip(),
        password_hash=identity.passwords.hash(password),
        roles=" ".join(sorted(set(roles))),
        created_at=_now(),
    )
    index = AccountIndex(email_hash=email_hash(user.email), user_id=user.id, org_id=org_id)
    # Claiming the email in the consortium's index first makes it unique across every org.
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        if await uow.session.get(AccountIndex, index.email_hash):
            raise Conflict("a user with this email already exists")
        uow.session.add(index)
        try:
            await uow.commit()
        except Exception as exc:
            raise Conflict("a user with this email already exists") from exc
    try:
        async with identity.runtime.unit_of_work(org_id or CONSORTIUM) as uow:
            uow.session.add(user)
            if org_id is not None:
                uow.publish(
                    UserRegistered(
                        user_id=user.id, org_id=org_id, roles=user.role_list(), registered_at=user.created_at
                    )
                )
            await uow.commit()
    except BaseException:
        async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
            claimed = await uow.session.get(AccountIndex, index.email_hash)
            if claimed is not None and claimed.user_id == user.id:
                await uow.session.delete(claimed)
                await uow.commit()
        raise
    return user


async def list_users(
    identity: Identity, caller: Principal, org_id: str, limit: int, offset: int
) -> tuple[list[User], int | None]:
    _authorize_org_admin(caller, org_id, operator_may=False)
    async with identity.runtime.stores.session(org_id) as session:
        return page(await repository.users(session, limit + 1, offset), limit, offset)


async def get_user(identity: Identity, caller: Principal, org_id: str, user_id: str) -> User:
    if caller.org_id != org_id or (caller.subject != user_id and "org_admin" not in caller.roles):
        raise NotFound("user")
    async with identity.runtime.stores.session(org_id) as session:
        user = await session.get(User, user_id)
    if user is None:
        raise NotFound("user")
    return user


async def erase_user(identity: Identity, caller: Principal, org_id: str, user_id: str) -> ErasureOut:
    """The person, or their org's admin, erases them: identity forgets who they were at once (no name,
    no email, no way to log in) and ``user-erased`` tells every other service to do the same."""
    if caller.org_id != org_id or (caller.subject != user_id and "org_admin" not in caller.roles):
        raise NotFound("user")
    now = _now()
    async with identity.runtime.unit_of_work(org_id) as uow:
        user = await uow.session.get(User, user_id)
        if user is None:
            raise NotFound("user")
        if user.email != erased_email(user.id):
            user.email = erased_email(user.id)
            user.name = "erased"
            user.password_hash = ERASED_PASSWORD
            user.roles = ""
            uow.session.add(user)
            uow.publish(UserErased(user_id=user.id, org_id=org_id, erased_at=now))
        await uow.commit()
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        for entry in (
            await uow.session.exec(select(AccountIndex).where(AccountIndex.user_id == user_id))
        ).all():
            await uow.session.delete(entry)
        await uow.commit()
    return ErasureOut(user_id=user_id, org_id=org_id, erased_at=now)


def erased_email(user_id: str) -> str:
    return f"erased-{user_id}@erased.invalid"


ERASED_PASSWORD = "!erased"  # not a hash: nothing verifies against it


async def me(identity: Identity, caller: Principal) -> User:
    if caller.kind != "user":
        raise NotFound("user")
    async with identity.runtime.stores.session(caller.org_id or CONSORTIUM) as session:
        user = await session.get(User, caller.subject)
    if user is None:
        raise NotFound("user")
    return user


async def seed_operator(identity: Identity, email: str, password: str) -> bool:
    """Create the first consortium operator unless one exists; True when it was created."""
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        if await repository.any_operator(session):
            return False
    await _create_account(identity, None, email, "Consortium operator", password, ["operator"])
    log.info("seeded the first consortium operator")
    return True


# API clients -------------------------------------------------------------------------------------------


async def create_client(
    identity: Identity, caller: Principal, org_id: str, data: ClientCreate
) -> ClientCredentials:
    """Register an org's API client; the secret is returned once and only its hash is kept."""
    _authorize_org_admin(caller, org_id, operator_may=False)
    secret, secret_hash = new_client_secret()
    client = ApiClient(
        client_id=new_id("cl"),
        org_id=org_id,
        name=data.name,
        secret_hash=secret_hash,
        scopes=" ".join(data.scopes),
        created_at=_now(),
    )
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        uow.session.add(ClientIndex(client_id=client.client_id, org_id=org_id))
        await uow.commit()
    async with identity.runtime.unit_of_work(org_id) as uow:
        uow.session.add(client)
        await uow.commit()
    return ClientCredentials(
        client_id=client.client_id, client_secret=secret, name=client.name, scopes=data.scopes
    )


async def list_clients(
    identity: Identity, caller: Principal, org_id: str, limit: int, offset: int
) -> tuple[list[ApiClient], int | None]:
    _authorize_org_admin(caller, org_id, operator_may=False)
    async with identity.runtime.stores.session(org_id) as session:
        return page(await repository.clients(session, limit + 1, offset), limit, offset)


async def revoke_client(identity: Identity, caller: Principal, org_id: str, client_id: str) -> ApiClient:
    _authorize_org_admin(caller, org_id, operator_may=False)
    async with identity.runtime.unit_of_work(org_id) as uow:
        client = await uow.session.get(ApiClient, client_id)
        if client is None:
            raise NotFound("client")
        if client.revoked_at is None:
            client.revoked_at = _now()
            uow.session.add(client)
            await uow.commit()
        return client


# tokens ------------------------------------------------------------------------------------------------


def _invalid_grant(detail: str) -> Problem:
    return Problem(400, "Invalid grant", detail, error="invalid_grant")


def _throttle(limiter: SlidingWindowLimiter, key: str) -> None:
    if wait := limiter.retry_after(key):
        raise Problem(
            429,
            "Too Many Requests",
            "too many login attempts; try again later",
            headers={"Retry-After": str(wait)},
        )


async def token_for_password(identity: Identity, username: str, password: str, address: str) -> TokenResponse:
    """The password grant: a user's token, or a refusal that does not tell which part was wrong."""
    account = email_hash(username)
    _throttle(identity.address_attempts, address)
    identity.address_attempts.hit(address)
    _throttle(identity.account_failures, account)
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        index = await session.get(AccountIndex, account)
    user = None
    if index is not None:
        async with identity.runtime.stores.session(index.org_id or CONSORTIUM) as session:
            user = await session.get(User, index.user_id)
    if not identity.passwords.verify(user.password_hash if user else None, password) or user is None:
        identity.account_failures.hit(account)
        raise _invalid_grant("the username or password is wrong")
    identity.account_failures.reset(account)
    if identity.passwords.needs_rehash(user.password_hash):
        await _rehash(identity, user, password)
    claims = {"sub": user.id, "kind": "user", "roles": user.role_list()}
    if user.org_id:
        claims["org"] = user.org_id
    return await _issue(identity, claims)


async def _rehash(identity: Identity, user: User, password: str) -> None:
    async with identity.runtime.unit_of_work(user.org_id or CONSORTIUM) as uow:
        stored = await uow.session.get(User, user.id)
        if stored is not None:
            stored.password_hash = identity.passwords.hash(password)
            uow.session.add(stored)
            await uow.commit()


async def token_for_client(
    identity: Identity, client_id: str, client_secret: str, address: str
) -> TokenResponse:
    """The client_credentials grant: an org's API client's token with its scopes."""
    _throttle(identity.address_attempts, address)
    identity.address_attempts.hit(address)
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        index = await repository.client_index(session, client_id)
    client = None
    if index is not None:
        async with identity.runtime.stores.session(index.org_id) as session:
            client = await session.get(ApiClient, client_id)
    if (
        client is None
        or client.revoked_at is not None
        or not secret_matches(client.secret_hash, client_secret)
    ):
        raise Problem(
            401,
            "Invalid client",
            "the client credentials are wrong or revoked",
            error="invalid_client",
            headers={"WWW-Authenticate": 'Basic realm="mentornet"'},
        )
    claims = {
        "sub": client.client_id,
        "kind": "client",
        "org": client.org_id,
        "roles": [],
        "scope": client.scopes,
    }
    return await _issue(identity, claims, scope=client.scopes)


async def _issue(identity: Identity, claims: dict[str, Any], scope: str | None = None) -> TokenResponse:
    now = _now()
    ttl = identity.settings.access_token_ttl_s
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        key = await repository.active_signing_key(session)
    if key is None:
        key = await ensure_signing_key(identity)
    token = identity.keyring.sign(
        key,
        {
            **claims,
            "iss": identity.settings.token_issuer,
            "aud": identity.settings.token_audience,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(seconds=ttl)).timestamp()),
            "jti": new_id("tok"),
        },
    )
    return TokenResponse(access_token=token, expires_in=ttl, scope=scope)


# signing keys ------------------------------------------------------------------------------------------


async def ensure_signing_key(identity: Identity) -> SigningKey:
    """The active signing key, generated on first start."""
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        key = await repository.active_signing_key(uow.session)
        if key is None:
            key = identity.keyring.generate(_now())
            uow.session.add(key)
            await uow.commit()
        return key


async def rotate_signing_key(identity: Identity) -> SigningKey:
    """Sign with a new key from now on; the previous one stays in the JWKS until its tokens expire."""
    now = _now()
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        for key in await repository.signing_keys(uow.session):
            if key.retired_at is None:
                key.retired_at = now
                uow.session.add(key)
        fresh = identity.keyring.generate(now)
        uow.session.add(fresh)
        await uow.commit()
    log.info("rotated signing key; now signing with %s", fresh.kid)
    return fresh


async def signing_keys(identity: Identity) -> list[SigningKey]:
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        return list(await repository.signing_keys(session))


async def jwks(identity: Identity) -> dict[str, Any]:
    keys = await signing_keys(identity)
    return {"keys": published_keys(keys, timedelta(seconds=identity.settings.access_token_ttl_s), _now())}
