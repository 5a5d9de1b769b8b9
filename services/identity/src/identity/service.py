"""Identity's use cases: plain functions, called the same way by routes, the seed and the tests."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import jwt
from jwt import PyJWK
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select

from identity import offboarding, repository, sso, tokens
from identity.config import IdentitySettings
from identity.credentials import (
    KeyRing,
    Passwords,
    email_hash,
    new_client_secret,
    new_id,
    observe_active_key,
    published_keys,
    secret_matches,
)
from identity.models import (
    PUBLIC_MAIL_DOMAINS,
    AccountIndex,
    ApiClient,
    ClientCreate,
    ClientCredentials,
    ClientIndex,
    EmailDomain,
    ErasureOut,
    ExternalIdentity,
    Jwks,
    OffboardedOut,
    Org,
    OrgCreate,
    OrgPublic,
    OrgSettings,
    RefreshToken,
    RolesIn,
    ScimGroupMember,
    SettingsIn,
    SettingsOut,
    SigningKey,
    TokenResponse,
    User,
    UserCreate,
)
from mentornet_common.auth import Principal, TokenVerifier
from mentornet_common.contracts import (
    ClientRevoked,
    OrgRegistered,
    OrgResumed,
    OrgSuspended,
    UserDeactivated,
    UserErased,
    UserRegistered,
)
from mentornet_common.erasure import scrub_replays
from mentornet_common.pagination import page
from mentornet_common.problems import Conflict, NotFound, Problem
from mentornet_common.ratelimit import Counters, Limiter
from mentornet_common.revocation import RevocationList
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
    account_failures: Limiter
    address_failures: Limiter
    providers: sso.Providers
    revocations: RevocationList | None = None
    verifier: TokenVerifier | None = None

    @classmethod
    def build(cls, settings: IdentitySettings, runtime: Runtime, counters: Counters) -> Identity:
        """``counters``: where the login throttle counts failures (the app's: Redis when
        ``MENTORNET_REDIS_URL`` is set, so every replica sees every failure; while Redis fails, memory)."""
        return cls(
            settings=settings,
            runtime=runtime,
            passwords=Passwords(settings.argon2_time_cost, settings.argon2_memory_cost_kib),
            keyring=KeyRing(settings.key_encryption_secret.get_secret_value()),
            account_failures=counters.limiter(
                "login-account", settings.login_failures_per_account, settings.login_failure_window_s
            ),
            address_failures=counters.limiter(
                "login-address", settings.login_failures_per_address, settings.login_address_window_s
            ),
            providers=sso.Providers(settings.sso_providers),
        )


def _now() -> datetime:
    return datetime.now(UTC)


# orgs --------------------------------------------------------------------------------------------------


async def register_org(identity: Identity, data: OrgCreate) -> Org:
    """Register a member org: provision its tenant store, record it, announce ``org-registered``."""
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        if await repository.org_by_slug(uow.session, data.slug):
            raise Conflict(f"an org with slug {data.slug!r} already exists")
        for domain in data.email_domains:
            if await uow.session.get(EmailDomain, domain) is not None:
                raise _domain_taken(domain)
        if public := sorted(set(data.email_domains) & PUBLIC_MAIL_DOMAINS):
            message = f"{public[0]} is a public mail service: no member org holds it"
            raise Problem(422, "Unprocessable Content", f"body.email_domains: {message}",
                          errors=[{"field": "body.email_domains", "message": message}])  # fmt: skip
    org = Org(id=new_id("org"), slug=data.slug, name=data.name, created_at=_now())
    # The store exists before anyone can learn the org's id, so no request can find it missing.
    await identity.runtime.stores.provision(org.id)
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        uow.session.add(org)
        for domain in sorted(set(data.email_domains)):  # in the org's own transaction: all or nothing
            uow.session.add(EmailDomain(domain=domain, org_id=org.id))
        uow.publish(
            OrgRegistered(org_id=org.id, slug=org.slug, org_name=org.name, registered_at=org.created_at),
            tenant_id=org.id,
        )
        try:
            await uow.commit()
        except Exception as exc:
            if await _slug_taken(identity, data.slug):
                raise Conflict(f"an org with slug {data.slug!r} already exists") from exc
            if isinstance(exc, IntegrityError):
                raise Conflict("body.email_domains: a domain was just claimed by another member org") from exc
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


# suspending an org -------------------------------------------------------------------------------------


async def suspend_org(identity: Identity, org_id: str) -> Org:
    """Suspend a member org: from now on identity issues no token to its people, API clients or portals,
    every token it issued before is refused by every service (an ``org`` revocation), and streams pauses its
    webhooks (``org-suspended``). Nothing is deleted. Suspending a suspended org changes nothing."""
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        org = await uow.session.get(Org, org_id)
        if org is None:
            raise NotFound("org")
        if org.suspended_at is not None:
            return org
        org.suspended_at = _now()
        uow.session.add(org)
        uow.publish(OrgSuspended(org_id=org.id, suspended_at=org.suspended_at), tenant_id=org.id)
        await uow.commit()
        await uow.session.refresh(org)
    # After the commit: a token signed before this moment is revoked, one signed after it finds the org
    # suspended when it is issued (tokens.issue reads the org after fixing its iat).
    await tokens.record(identity, "org", org_id)
    log.info("suspended org %s", org_id)
    return org


async def resume_org(identity: Identity, org_id: str) -> Org:
    """Lift a suspension: the org's people and clients may get tokens again (those issued before the
    suspension stay refused until they expire), and the webhooks it paused resume (``org-resumed``)."""
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        org = await uow.session.get(Org, org_id)
        if org is None:
            raise NotFound("org")
        if org.suspended_at is None:
            return org
        org.suspended_at = None
        uow.session.add(org)
        uow.publish(OrgResumed(org_id=org.id, resumed_at=_now()), tenant_id=org.id)
        await uow.commit()
        await uow.session.refresh(org)
    log.info("resumed org %s", org_id)
    return org


async def offboard_org(identity: Identity, org_id: str, slug: str) -> OffboardedOut:
    """The org leaves for good, as ``mentornet orgs offboard`` does after its export (identity.offboarding:
    tokens revoked, every API given time to follow, its registration deleted, ``org-offboarded``
    published, its store here dropped), once ``slug`` is the org's own."""
    org = await get_org(identity, org_id)
    if slug.strip() != org.slug:
        message = "this is not the org's slug: nothing was changed"
        raise Problem(
            422,
            "Unprocessable Content",
            f"body.slug: {message}",
            errors=[{"field": "body.slug", "message": message}],
        )
    event = await offboarding.offboard(identity.settings, identity.runtime.stores, org_id)
    if event is None:  # another request offboarded it meanwhile
        raise NotFound("org")
    log.info("offboarded org %s", org_id)
    return OffboardedOut(
        org_id=org_id, slug=org.slug, people=len(event.user_ids), offboarded_at=event.offboarded_at
    )


# who may manage an org's people ------------------------------------------------------------------------


def own_org(caller: Principal, org_id: str, *, operator_may: bool = False) -> None:
    """Another org's people are invisible (404): the route's dependency already checked the role/scope."""
    if caller.is_operator and operator_may:
        return
    if caller.org_id != org_id:
        raise NotFound("org")


async def _existing_org(identity: Identity, org_id: str) -> Org:
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        org = await session.get(Org, org_id)
    if org is None:
        raise NotFound("org")
    return org


# email domains and settings ----------------------------------------------------------------------------


def outside_org_domains(field: str = "body.email") -> Problem:
    """The one refusal for an address the org may not use: it never says whether it exists elsewhere."""
    message = "the address is not in one of the org's email domains"
    return Problem(
        422, "Unprocessable Content", f"{field}: {message}", errors=[{"field": field, "message": message}]
    )


async def org_domains(identity: Identity, org_id: str) -> list[str]:
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        rows = await session.exec(
            select(EmailDomain.domain).where(EmailDomain.org_id == org_id).order_by(col(EmailDomain.domain))
        )
        return list(rows.all())


async def require_org_domain(identity: Identity, org_id: str, email: str, field: str = "body.email") -> None:
    domain = email.strip().lower().rsplit("@", 1)[-1]
    domains = await org_domains(identity, org_id)
    if not domains:
        message = (
            "the org lists no email domains yet: its admin sets them first (PUT /v1/orgs/{org_id}/settings)"
        )
        raise Problem(
            422, "Unprocessable Content", f"{field}: {message}", errors=[{"field": field, "message": message}]
        )
    if domain not in domains:
        raise outside_org_domains(field)


def _domain_taken(domain: str) -> Problem:
    message = f"{domain} is held by another member org"
    return Problem(
        409, "Conflict", f"body.email_domains: {message}",
        errors=[{"field": "body.email_domains", "message": message}],
    )  # fmt: skip


async def _claim_domains(identity: Identity, org_id: str, domains: list[str]) -> None:
    """The org holds exactly ``domains``; a domain another member org holds is refused (409)."""
    wanted = sorted(set(domains))
    if public := sorted(set(wanted) & PUBLIC_MAIL_DOMAINS):
        message = f"{public[0]} is a public mail service: no member org holds it"
        raise Problem(422, "Unprocessable Content", f"body.email_domains: {message}",
                      errors=[{"field": "body.email_domains", "message": message}])  # fmt: skip
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        for domain in wanted:
            holder = await uow.session.get(EmailDomain, domain)
            if holder is not None and holder.org_id != org_id:
                raise _domain_taken(domain)
        held = (await uow.session.exec(select(EmailDomain).where(EmailDomain.org_id == org_id))).all()
        for row in held:
            if row.domain not in wanted:
                await uow.session.delete(row)
        for domain in wanted:
            if await uow.session.get(EmailDomain, domain) is None:
                uow.session.add(EmailDomain(domain=domain, org_id=org_id))
        try:
            await uow.commit()
        except IntegrityError as exc:
            raise Conflict("body.email_domains: a domain was just claimed by another member org") from exc


async def org_public(identity: Identity, org: Org, caller: Principal) -> OrgPublic:
    """The org as the registry shows it; its email domains only to the operator and the org itself."""
    shown = caller.is_operator or caller.org_id == org.id
    domains = await org_domains(identity, org.id) if shown else []
    return OrgPublic(
        id=org.id, slug=org.slug, name=org.name, email_domains=domains,
        suspended_at=org.suspended_at if shown else None,
    )  # fmt: skip


async def get_settings(identity: Identity, caller: Principal, org_id: str) -> SettingsOut:
    own_org(caller, org_id, operator_may=True)
    await _existing_org(identity, org_id)
    async with identity.runtime.stores.session(org_id) as session:
        found = await session.get(OrgSettings, org_id)
    return SettingsOut(
        org_id=org_id,
        email_domains=await org_domains(identity, org_id),
        group_roles=dict(found.group_roles) if found else {},
    )


async def put_settings(identity: Identity, caller: Principal, org_id: str, data: SettingsIn) -> SettingsOut:
    own_org(caller, org_id, operator_may=True)
    await _existing_org(identity, org_id)
    if data.email_domains is not None and sorted(set(data.email_domains)) != await org_domains(
        identity, org_id
    ):
        if not caller.is_operator:
            message = (
                "only a consortium operator changes an org's email domains (it vouches the org holds them)"
            )
            raise Problem(
                403, "Forbidden", message, errors=[{"field": "body.email_domains", "message": message}]
            )
        await _claim_domains(identity, org_id, list(data.email_domains))
    async with identity.runtime.unit_of_work(org_id) as uow:
        found = await uow.session.get(OrgSettings, org_id)
        if found is None:
            found = OrgSettings(org_id=org_id, updated_at=_now())
        previous = dict(found.group_roles)
        changed = previous != dict(data.group_roles)
        found.group_roles = dict(data.group_roles)
        found.updated_at = _now()
        uow.session.add(found)
        await uow.commit()
    if changed:
        # The people in the org's SCIM groups hold the roles the new mapping gives them, now.
        from identity.directory import StoreDirectory

        await StoreDirectory(identity, org_id).recompute_every_member(previous)
    return await get_settings(identity, caller, org_id)


# users -------------------------------------------------------------------------------------------------


def _no_admins_by_clients(caller: Principal, roles: Sequence[str]) -> None:
    """An API client for itself (a provisioning system holding users:write) seats and manages people, never
    admins: an org_admin can configure the org, so only a person can make or unmake one."""
    if caller.kind == "client" and "org_admin" in roles:
        message = "an API client cannot seat or change an org_admin; an org_admin does it in person"
        raise Problem(403, "Forbidden", message, errors=[{"field": "body.roles", "message": message}])


async def register_user(identity: Identity, caller: Principal, org_id: str, data: UserCreate) -> User:
    """Create a user in their org's store; the operator may do it for any org (to seat its first admin)."""
    own_org(caller, org_id, operator_may=True)
    _no_admins_by_clients(caller, data.roles)
    await _existing_org(identity, org_id)
    await require_org_domain(identity, org_id, str(data.email))
    return await create_account(identity, org_id, str(data.email), data.name, data.password, list(data.roles))


async def create_account(
    identity: Identity,
    org_id: str | None,
    email: str,
    name: str,
    password: str | None,
    roles: list[str],
    *,
    external_id: str | None = None,
    scim_attributes: dict[str, Any] | None = None,
    active: bool = True,
) -> User:
    """The one way an account comes to be (by hand, SCIM, or a first single sign-on)."""
    now = _now()
    user = User(
        id=new_id("usr"),
        org_id=org_id,
        email=email.strip().lower(),
        name=name.strip()[:200],
        password_hash=identity.passwords.hash(password) if password else NO_PASSWORD,
        roles=" ".join(sorted(set(roles))),
        created_at=now,
        updated_at=now,
        active=active,
        external_id=external_id,
        scim_attributes=scim_attributes,
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


async def update_person(
    identity: Identity,
    org_id: str,
    user_id: str,
    *,
    name: str | None = None,
    roles: list[str] | None = None,
    email: str | None = None,
    active: bool | None = None,
    external_id: str | None = None,
    scim_attributes: dict[str, Any] | None = None,
) -> User:
    """Change a person; access they held ends at once when they lose a role or are deactivated."""
    now = _now()
    async with identity.runtime.unit_of_work(org_id) as uow:
        user = await uow.session.get(User, user_id)
        if user is None or user.email == erased_email(user_id):
            raise NotFound("user")
        old_roles, was_active, old_email = set(user.role_list()), user.active, user.email
        if email is not None and email.strip().lower() != user.email:
            user.email = await _move_email(identity, user, email.strip().lower())
        if name is not None:
            user.name = name.strip()[:200] or user.name
        if roles is not None:
            user.roles = " ".join(sorted(set(roles)))
        if active is not None:
            user.active = active
            if was_active and not active and user.org_id is not None:
                uow.publish(UserDeactivated(user_id=user.id, org_id=user.org_id, deactivated_at=now))
        if external_id is not None:
            user.external_id = external_id or None
        if scim_attributes is not None:
            user.scim_attributes = scim_attributes
        user.updated_at = now
        uow.session.add(user)
        await uow.commit()
    try:
        if was_active and not user.active:
            await tokens.revoke_refresh_tokens(identity, org_id, user_id=user_id)
            await tokens.record(identity, "subject", user_id)
        elif old_roles - set(user.role_list()):
            await tokens.record(identity, "subject", user_id)  # their tokens carry roles they lost
    finally:
        if old_email != user.email:
            await _release_email(identity, old_email, user_id)
    return user


async def _move_email(identity: Identity, user: User, email: str) -> str:
    """Claim a new address for ``user`` in the consortium's index (the old one is released after)."""
    if user.org_id is not None:
        await require_org_domain(identity, user.org_id, email, "body.userName")
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        if await uow.session.get(AccountIndex, email_hash(email)):
            raise Conflict("a user with this email already exists")
        uow.session.add(AccountIndex(email_hash=email_hash(email), user_id=user.id, org_id=user.org_id))
        try:
            await uow.commit()
        except IntegrityError as exc:
            raise Conflict("a user with this email already exists") from exc
    return email


async def _release_email(identity: Identity, email: str, user_id: str) -> None:
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        claimed = await uow.session.get(AccountIndex, email_hash(email))
        if claimed is not None and claimed.user_id == user_id:
            await uow.session.delete(claimed)
            await uow.commit()


async def list_users(
    identity: Identity, caller: Principal, org_id: str, limit: int, offset: int
) -> tuple[list[User], int | None]:
    own_org(caller, org_id)
    async with identity.runtime.stores.session(org_id) as session:
        return page(await repository.users(session, limit + 1, offset), limit, offset)


def _may_see(caller: Principal, org_id: str, user_id: str) -> bool:
    """The person themself, the org's admin, or the org's client holding users:read (the route checked)."""
    if caller.org_id != org_id:
        return False
    return caller.subject == user_id or "org_admin" in caller.roles or caller.kind == "client"


async def _org_user(identity: Identity, org_id: str, user_id: str) -> User:
    await _existing_org(identity, org_id)
    async with identity.runtime.stores.session(org_id) as session:
        user = await session.get(User, user_id)
    if user is None:
        raise NotFound("user")
    return user


async def find_user(identity: Identity, email: str) -> User | None:
    """The account an email names, in whichever org's store holds it (a consortium operator's search)."""
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        account = await session.get(AccountIndex, email_hash(email.strip().lower()))
    if account is None:
        return None
    async with identity.runtime.stores.session(account.org_id or CONSORTIUM) as session:
        return await session.get(User, account.user_id)


async def get_user(identity: Identity, caller: Principal, org_id: str, user_id: str) -> User:
    if not _may_see(caller, org_id, user_id):
        raise NotFound("user")
    async with identity.runtime.stores.session(org_id) as session:
        user = await session.get(User, user_id)
    if user is None:
        raise NotFound("user")
    return user


async def set_active(identity: Identity, caller: Principal, org_id: str, user_id: str, active: bool) -> User:
    """An org_admin (or the org's client holding users:write), or a consortium operator, deactivates or
    reactivates a person."""
    own_org(caller, org_id, operator_may=True)
    if caller.subject == user_id and not active:
        raise Problem(409, "Conflict", "you cannot deactivate yourself")
    target = await (_org_user(identity, org_id, user_id) if caller.is_operator
                    else get_user(identity, caller, org_id, user_id))  # fmt: skip
    _no_admins_by_clients(caller, target.role_list())
    return await update_person(identity, org_id, user_id, active=active)


async def set_roles(identity: Identity, caller: Principal, org_id: str, user_id: str, data: RolesIn) -> User:
    """An org_admin, in person, gives one of their org's people exactly these roles (``member`` always kept).

    Refused (409, naming ``body.roles``): leaving the org without an active org_admin, and changing a role
    the org's ``group_roles`` maps a group to for a person its identity provider provisions (SCIM, or single
    sign-on): the provider's groups give and take those roles, and would undo the change at its next sync or
    sign-in. Their tokens stop working as soon as they lose a role, as when SCIM or a sign-in takes one."""
    own_org(caller, org_id)
    target = await get_user(identity, caller, org_id, user_id)
    if target.email == erased_email(user_id):
        raise NotFound("user")
    old, new = set(target.role_list()), set(data.roles)
    managed = set((await sso.group_roles(identity, org_id)).values()) & (old ^ new)
    if managed and await _provisioned(identity, org_id, target):
        _roles_conflict(
            f"the org's group_roles give {', '.join(sorted(managed))} to this person through their groups at "
            "the identity provider (SCIM or single sign-on): change their groups there, or the mapping"
        )
    if "org_admin" in old - new and target.active and not await _other_admins(identity, org_id, user_id):
        _roles_conflict("the org would have no active org_admin left: make someone else one first")
    if old == new:
        return target
    return await update_person(identity, org_id, user_id, roles=sorted(new))


def _roles_conflict(message: str) -> None:
    raise Problem(
        409, "Conflict", f"body.roles: {message}", errors=[{"field": "body.roles", "message": message}]
    )


async def _provisioned(identity: Identity, org_id: str, user: User) -> bool:
    """Whether the org's identity provider manages the person: SCIM created or updated them, puts them in a
    group, or they signed in through the org's single sign-on."""
    if user.external_id is not None or user.scim_attributes is not None:
        return True
    async with identity.runtime.stores.session(org_id) as session:
        grouped = (
            await session.exec(select(ScimGroupMember).where(ScimGroupMember.user_id == user.id))
        ).first()
        linked = (
            await session.exec(select(ExternalIdentity).where(ExternalIdentity.user_id == user.id))
        ).first()
    return grouped is not None or linked is not None


async def _other_admins(identity: Identity, org_id: str, user_id: str) -> bool:
    async with identity.runtime.stores.session(org_id) as session:
        rows = await session.exec(
            select(User.roles).where(
                col(User.active), User.id != user_id, col(User.roles).contains("org_admin")
            )
        )
        return any("org_admin" in roles.split() for roles in rows.all())


async def erase_user(identity: Identity, caller: Principal, org_id: str, user_id: str) -> ErasureOut:
    """The person, or their org's admin, erases them: identity forgets who they were at once (no name,
    no email, no way to log in), every token they hold stops working in every service, and
    ``user-erased`` tells every other service to forget them too."""
    if not _may_see(caller, org_id, user_id) or (caller.kind == "client" and caller.actor is None):
        raise NotFound("user")
    return await erase(identity, org_id, user_id)


async def erase(identity: Identity, org_id: str, user_id: str) -> ErasureOut:
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
            user.active = False
            user.external_id = None
            user.scim_attributes = None
            uow.session.add(user)
            for link in (
                await uow.session.exec(select(ExternalIdentity).where(ExternalIdentity.user_id == user_id))
            ).all():
                await uow.session.delete(link)
            await uow.session.exec(delete(ScimGroupMember).where(col(ScimGroupMember.user_id) == user_id))
            await uow.session.exec(delete(RefreshToken).where(col(RefreshToken.user_id) == user_id))
            await scrub_replays(uow.session, user_id)
            uow.publish(UserErased(user_id=user.id, org_id=org_id, erased_at=now))
        await uow.commit()
    await tokens.record(identity, "subject", user_id)
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
NO_PASSWORD = "!sso"  # a person who signs in only through their org's provider


async def me(identity: Identity, caller: Principal) -> User:
    if caller.kind != "user":
        raise NotFound("user")
    async with identity.runtime.stores.session(caller.org_id or CONSORTIUM) as session:
        user = await session.get(User, caller.subject)
    if user is None:
        raise NotFound("user")
    return user


SeedOutcome = Literal["created", "exists", "not-an-operator"]


async def seed_operator(identity: Identity, email: str, password: str) -> SeedOutcome:
    """Create the consortium operator ``email`` names (MENTORNET_OPERATOR_EMAIL) unless an account has that
    email: a consortium may have several operators, added one start at a time. An existing account is never
    changed: neither an operator's password nor a member org's person, who is not made an operator."""
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        account = await session.get(AccountIndex, email_hash(email))
    if account is None:
        try:
            await create_account(identity, None, email, "Consortium operator", password, ["operator"])
        except Conflict:  # another replica created it at the same moment
            return "exists"
        log.info("seeded a consortium operator: the one MENTORNET_OPERATOR_EMAIL names")
        return "created"
    if account.org_id is None:
        log.info("the operator MENTORNET_OPERATOR_EMAIL names exists; its password is left as it is")
        return "exists"
    log.warning(
        "MENTORNET_OPERATOR_EMAIL names a member org's account: it is left as it is, not made an operator"
    )
    return "not-an-operator"


# API clients -------------------------------------------------------------------------------------------


def _checked_jwks(jwks: Jwks | None) -> dict[str, Any] | None:
    if jwks is None:
        return None
    keys = []
    for position, jwk in enumerate(jwks.keys):
        field = f"body.jwks.keys.{position}"
        if any(name in jwk for name in ("d", "p", "q", "dp", "dq", "qi", "k")):
            message = "a private or symmetric key: register only the public half"
            raise Problem(422, "Unprocessable Content", f"{field}: {message}",
                          errors=[{"field": field, "message": message}])  # fmt: skip
        try:
            parsed = PyJWK(jwk)
        except jwt.PyJWTError as exc:
            message = f"not a usable public key ({exc})"
            raise Problem(422, "Unprocessable Content", f"{field}: {message}",
                          errors=[{"field": field, "message": message}]) from exc  # fmt: skip
        if parsed.key_type not in ("RSA", "EC") or (len(jwks.keys) > 1 and not jwk.get("kid")):
            message = "RSA or EC keys, each with a kid when there are several"
            raise Problem(422, "Unprocessable Content", f"{field}: {message}",
                          errors=[{"field": field, "message": message}])  # fmt: skip
        keys.append(jwk)
    return {"keys": keys}


async def create_client(
    identity: Identity, caller: Principal, org_id: str, data: ClientCreate
) -> ClientCredentials:
    """Register an org's API client; the secret is returned once and only its hash is kept."""
    own_org(caller, org_id)
    secret, secret_hash = new_client_secret()
    client = ApiClient(
        client_id=new_id("cl"),
        org_id=org_id,
        name=data.name,
        secret_hash=secret_hash,
        scopes=" ".join(data.scopes),
        created_at=_now(),
        jwks=_checked_jwks(data.jwks),
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
    own_org(caller, org_id)
    async with identity.runtime.stores.session(org_id) as session:
        return page(await repository.clients(session, limit + 1, offset), limit, offset)


async def revoke_client(identity: Identity, caller: Principal, org_id: str, client_id: str) -> ApiClient:
    """The client's tokens stop working in every service, the people it acted for included, and the
    webhooks it registered stop (``client-revoked``)."""
    own_org(caller, org_id)
    async with identity.runtime.unit_of_work(org_id) as uow:
        client = await uow.session.get(ApiClient, client_id)
        if client is None:
            raise NotFound("client")
        if client.revoked_at is None:
            client.revoked_at = _now()
            uow.session.add(client)
            uow.publish(ClientRevoked(client_id=client_id, org_id=org_id, revoked_at=client.revoked_at))
            await uow.commit()
    await tokens.revoke_refresh_tokens(identity, org_id, client_id=client_id)
    await tokens.record(identity, "subject", client_id)
    return client


# tokens ------------------------------------------------------------------------------------------------


async def _throttle(limiter: Limiter, key: str) -> None:
    if wait := await limiter.retry_after(key):
        raise Problem(
            429,
            "Too Many Requests",
            "too many failed attempts; try again later",
            headers={"Retry-After": str(wait)},
        )


class Attempt:
    """Throttling of one credential check: only failures count, by client address and by account there.
    The counts are shared by every replica when Redis is configured (mentornet_common.ratelimit)."""

    def __init__(self, identity: Identity, address: str, account: str) -> None:
        self._identity = identity
        self._address = address
        self._pair = f"{address}|{account}"

    @classmethod
    async def start(cls, identity: Identity, address: str, account: str) -> Attempt:
        """An attempt, unless its address or its account from there failed too often lately (429)."""
        attempt = cls(identity, address, account)
        await _throttle(identity.address_failures, address)
        await _throttle(identity.account_failures, attempt._pair)
        return attempt

    async def failed(self) -> None:
        await self._identity.address_failures.hit(self._address)
        await self._identity.account_failures.hit(self._pair)

    async def succeeded(self) -> None:
        await self._identity.account_failures.reset(self._pair)


async def token_for_password(identity: Identity, username: str, password: str, address: str) -> TokenResponse:
    """The password grant: a user's tokens, or a refusal that does not tell which part was wrong."""
    user = await person_for_password(identity, username, password, address)
    return await tokens.issue_for_person(identity, user, "password")


async def person_for_password(identity: Identity, username: str, password: str, address: str) -> User:
    """The active person these credentials name (the password grant's check, and the sign-in form's of
    GET /v1/authorize): failures are throttled, and a refusal does not tell which part was wrong."""
    attempt = await Attempt.start(identity, address, email_hash(username))
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        index = await session.get(AccountIndex, email_hash(username))
    user = None
    if index is not None:
        async with identity.runtime.stores.session(index.org_id or CONSORTIUM) as session:
            user = await session.get(User, index.user_id)
    if not identity.passwords.verify(user.password_hash if user else None, password) or user is None:
        await attempt.failed()
        raise tokens.invalid_grant("the username or password is wrong")
    await attempt.succeeded()
    if not user.active:
        raise tokens.invalid_grant("the account is deactivated")
    if identity.passwords.needs_rehash(user.password_hash):
        await _rehash(identity, user, password)
    return user


async def _rehash(identity: Identity, user: User, password: str) -> None:
    async with identity.runtime.unit_of_work(user.org_id or CONSORTIUM) as uow:
        stored = await uow.session.get(User, user.id)
        if stored is not None:
            stored.password_hash = identity.passwords.hash(password)
            uow.session.add(stored)
            await uow.commit()


async def authenticate_client(
    identity: Identity, client_id: str, client_secret: str, address: str
) -> ApiClient:
    """An org's API client by its credentials; 401 invalid_client otherwise (failures are throttled)."""
    attempt = await Attempt.start(identity, address, f"client:{client_id}")
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
        await attempt.failed()
        raise tokens.invalid_client()
    await attempt.succeeded()
    return client


async def token_for_client(identity: Identity, client: ApiClient) -> TokenResponse:
    """The client_credentials grant: an org's API client's token with its scopes (no refresh token)."""
    claims = {"sub": client.client_id, "kind": "client", "org": client.org_id, "roles": [],
              "via": "client_credentials"}  # fmt: skip
    return await tokens.issue(identity, claims, scope=client.scopes)


# signing keys ------------------------------------------------------------------------------------------


async def ensure_signing_key(identity: Identity) -> SigningKey:
    """The active signing key, generated on first start."""
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        key = await repository.active_signing_key(uow.session)
        if key is None:
            key = identity.keyring.generate(_now())
            uow.session.add(key)
            await uow.commit()
        observe_active_key(key)
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
    observe_active_key(fresh)
    return fresh


async def signing_keys(identity: Identity) -> list[SigningKey]:
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        return list(await repository.signing_keys(session))


async def jwks(identity: Identity) -> dict[str, Any]:
    keys = await signing_keys(identity)
    for key in keys:
        if key.retired_at is None:
            observe_active_key(key)  # another replica may have rotated it
    return {"keys": published_keys(keys, timedelta(seconds=identity.settings.access_token_ttl_s), _now())}
