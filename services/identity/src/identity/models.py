"""Identity's tables and API shapes.

Consortium store: ``org``, ``email_domain``, ``account_index``, ``client_index``, ``signing_key``,
``revocation``, ``sso_login`` (sign-ins in flight), ``used_assertion`` (replay protection) and the
operators' rows of ``user``. Each org's own store: its ``user``, ``api_client``, ``sso_config``,
``external_identity``, ``refresh_token``, ``org_settings`` and SCIM's ``scim_group`` rows. The two
indexes map a login (a hash of the email, or a client id) to the org whose store holds the account, so that
a login never has to search across tenants.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BeforeValidator, StringConstraints, field_validator
from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from mentornet_common.scopes import KNOWN_SCOPES

SLUG = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"
# Deliberately permissive: an address's real test is the org's own directory, not a pattern.
EMAIL = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Slug = Annotated[str, StringConstraints(pattern=SLUG, min_length=1, max_length=40)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=EMAIL, max_length=254)]
DOMAIN = r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$"
Domain = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
    StringConstraints(pattern=DOMAIN, max_length=253),
]
OrgRole = Literal["member", "mentor", "org_admin"]
# Mail services anyone can sign up to: no member org holds them, so none may list them as its own.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
        "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.com",
        "gmx.de", "gmx.net", "web.de", "mail.com", "yandex.com", "yandex.ru", "qq.com", "163.com",
        "zoho.com", "fastmail.com", "hey.com", "mail.ru",
    }
)  # fmt: skip


# orgs --------------------------------------------------------------------------------------------------


class OrgBase(SQLModel):
    slug: str = Field(min_length=1, max_length=40, unique=True, index=True)
    name: str = Field(min_length=1, max_length=200)


class Org(OrgBase, table=True):
    id: str = Field(primary_key=True, max_length=48)
    created_at: datetime
    # set while a consortium operator has the org suspended: no tokens for its people or clients
    suspended_at: datetime | None = Field(default=None)


class OrgCreate(OrgBase):
    slug: Slug
    name: Name
    email_domains: list[Domain] = Field(
        default=[],
        max_length=50,
        description="The org's email domains: its people's addresses must be in one of them.",
    )


class OrgPublic(OrgBase):
    id: str
    email_domains: list[str] = []
    suspended_at: datetime | None = Field(
        default=None,
        description="Since when a consortium operator has the org suspended (shown to the operator and the "
        "org itself); null while it is not.",
    )


class EmailDomain(SQLModel, table=True):
    """Consortium store: an email domain and the one org that holds it."""

    __tablename__ = "email_domain"

    domain: str = Field(primary_key=True, max_length=253)
    org_id: str = Field(max_length=48, index=True)


class OrgSettings(SQLModel, table=True):
    """An org's own store: how its identity provider's groups map to mentornet roles."""

    __tablename__ = "org_settings"

    org_id: str = Field(primary_key=True, max_length=48)
    group_roles: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime


GroupName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class SettingsIn(SQLModel):
    email_domains: list[Domain] | None = Field(
        default=None,
        max_length=50,
        description="Every address of the org's people must be in one of these. Only a consortium operator "
        "changes them (the consortium vouches that the org holds them); omitted or unchanged, they stay.",
    )
    group_roles: dict[GroupName, OrgRole] = Field(
        default={},
        max_length=100,
        description="A group of the org's identity provider (an ID token's groups claim, or a SCIM "
        "group's displayName) and the mentornet role its members hold.",
    )


class SettingsOut(SQLModel):
    org_id: str
    email_domains: list[str]
    group_roles: dict[str, str]


class OrgList(SQLModel):
    items: list[OrgPublic]
    next_offset: int | None


# users -------------------------------------------------------------------------------------------------


class User(SQLModel, table=True):
    # The admins' and SCIM's lists, a page at a time in this order.
    __table_args__ = (Index("ix_user_created_at_id", "created_at", "id"),)

    id: str = Field(primary_key=True, max_length=48)
    org_id: str | None = Field(default=None, max_length=48)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    roles: str = Field(max_length=200, description="Space-separated roles.")
    created_at: datetime
    active: bool = True
    updated_at: datetime | None = None
    external_id: str | None = Field(default=None, max_length=200, index=True)  # SCIM's filter
    scim_attributes: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))

    def role_list(self) -> list[str]:
        return self.roles.split()


class UserCreate(SQLModel):
    email: Email
    name: Name
    password: str | None = Field(
        default=None,
        min_length=12,
        max_length=256,
        description="Omit for a person who signs in only through the org's single sign-on.",
    )
    roles: list[OrgRole] = Field(default=["member"], min_length=1, max_length=3)

    @field_validator("roles")
    @classmethod
    def _unique_roles(cls, value: list[OrgRole]) -> list[OrgRole]:
        return sorted(set(value))


class RolesIn(SQLModel):
    roles: list[OrgRole] = Field(
        min_length=1,
        max_length=3,
        description="Every role the person holds from now on; `member` is always kept. A role the org's "
        "`group_roles` maps a group to is the identity provider's to give for a person it provisions "
        "(SCIM or single sign-on): changing it is refused (409).",
    )

    @field_validator("roles")
    @classmethod
    def _unique_roles(cls, value: list[OrgRole]) -> list[OrgRole]:
        member: OrgRole = "member"
        return sorted({*value, member})


class UserPublic(SQLModel):
    id: str
    org_id: str | None
    email: str
    name: str
    roles: list[str]
    active: bool = True

    @classmethod
    def of(cls, user: User) -> UserPublic:
        return cls(
            id=user.id,
            org_id=user.org_id,
            email=user.email,
            name=user.name,
            roles=user.role_list(),
            active=user.active,
        )


class UserList(SQLModel):
    items: list[UserPublic]
    next_offset: int | None


class AccountIndex(SQLModel, table=True):
    """Consortium store: which org's store holds the account of an email (kept only as a hash)."""

    __tablename__ = "account_index"

    email_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(max_length=48, index=True)
    org_id: str | None = Field(default=None, max_length=48)


# API clients -------------------------------------------------------------------------------------------


class ApiClient(SQLModel, table=True):
    __tablename__ = "api_client"

    client_id: str = Field(primary_key=True, max_length=48)
    org_id: str = Field(max_length=48)
    name: str = Field(max_length=200)
    secret_hash: str = Field(max_length=64)
    scopes: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime
    revoked_at: datetime | None = None
    jwks: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSON, nullable=True),
        description="Public keys the client signs person assertions with (token exchange).",
    )


class ClientIndex(SQLModel, table=True):
    """Consortium store: which org's store holds an API client."""

    __tablename__ = "client_index"

    client_id: str = Field(primary_key=True, max_length=48)
    org_id: str = Field(max_length=48)


class Jwks(SQLModel):
    keys: list[dict[str, Any]] = Field(min_length=1, max_length=10)


class ClientCreate(SQLModel):
    name: Name
    scopes: list[str] = Field(default=[], max_length=len(KNOWN_SCOPES))
    jwks: Jwks | None = Field(
        default=None,
        description="Public keys (a JWK Set, RS256 or ES256) with which the client signs assertions naming "
        "a person of its org, to act for them (token exchange).",
    )

    @field_validator("scopes")
    @classmethod
    def _known_scopes(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - KNOWN_SCOPES)
        if unknown:
            raise ValueError(f"unknown scopes {unknown}; known: {sorted(KNOWN_SCOPES)}")
        return sorted(set(value))


class ClientCredentials(SQLModel):
    client_id: str
    client_secret: str
    name: str
    scopes: list[str]


class ClientPublic(SQLModel):
    client_id: str
    org_id: str
    name: str
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None
    key_ids: list[str] = Field(default=[], description="The kids of the client's registered public keys.")

    @classmethod
    def of(cls, client: ApiClient) -> ClientPublic:
        return cls(
            client_id=client.client_id,
            org_id=client.org_id,
            name=client.name,
            scopes=client.scopes.split(),
            created_at=client.created_at,
            revoked_at=client.revoked_at,
            key_ids=[str(k.get("kid", "")) for k in (client.jwks or {}).get("keys", [])],
        )


class ClientList(SQLModel):
    items: list[ClientPublic]
    next_offset: int | None


# tokens and keys ---------------------------------------------------------------------------------------


class TokenResponse(SQLModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    scope: str | None = None
    refresh_token: str | None = None
    issued_token_type: str | None = Field(
        default=None, description="Token exchange only: urn:ietf:params:oauth:token-type:access_token."
    )


class RefreshToken(SQLModel, table=True):
    """An org's store (operators': the consortium's): one refresh token, by the hash of its secret.

    Tokens of one sign-in form a family (``family_id``, the access tokens' ``sid``); each use rotates the
    token, and presenting a used one again revokes the whole family (RFC 9700's reuse detection)."""

    __tablename__ = "refresh_token"

    token_hash: str = Field(primary_key=True, max_length=64)
    family_id: str = Field(max_length=48, index=True)
    user_id: str = Field(max_length=48, index=True)
    client_id: str | None = Field(default=None, max_length=48, index=True)
    scope: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    via: str = Field(max_length=32)
    created_at: datetime
    expires_at: datetime = Field(index=True)  # the purge's question, every few seconds in every store
    used_at: datetime | None = None
    revoked_at: datetime | None = None


class Revocation(SQLModel, table=True):
    """Consortium store: what every service must stop accepting before it expires (see
    mentornet_common.revocation); kept until no token it matches can still be valid."""

    __tablename__ = "revocation"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    value: str = Field(max_length=64)
    issued_before: float
    expires_at: float = Field(index=True)


class RevocationOut(SQLModel):
    id: int
    kind: str
    value: str
    issued_before: float
    expires_at: float


class RevocationPage(SQLModel):
    items: list[RevocationOut]


class UsedAssertion(SQLModel, table=True):
    """Consortium store: a subject token already exchanged (by its hash), refused until it expires."""

    __tablename__ = "used_assertion"

    digest: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(index=True)


# single sign-on ------------------------------------------------------------------------------------------


class SsoConfig(SQLModel, table=True):
    """An org's own store: its OpenID provider. The client secret is encrypted like the signing keys."""

    __tablename__ = "sso_config"

    org_id: str = Field(primary_key=True, max_length=48)
    issuer: str = Field(max_length=500)
    client_id: str = Field(max_length=200)
    client_secret: str = Field(sa_column=Column(Text, nullable=False))
    scopes: str = Field(max_length=500)
    groups_claim: str = Field(max_length=100)
    jit_create: bool
    allow_passwords: bool
    exchange_audiences: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime
    updated_at: datetime


ClaimName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_:./-]{1,100}$")]
Audience = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class SsoIn(SQLModel):
    issuer: AnyHttpUrl = Field(description="The provider's issuer; discovery is read from it.")
    client_id: str = Field(min_length=1, max_length=200, description="mentornet's client at the provider.")
    client_secret: str = Field(min_length=1, max_length=500, description="Write-only; stored encrypted.")
    scopes: list[Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,100}$")]] = Field(
        default=["openid", "email", "profile"], max_length=20
    )
    groups_claim: ClaimName = Field(
        default="groups",
        description="The ID token claim listing the person's groups; mapped to roles by the org's "
        "group_roles setting.",
    )
    jit_create: bool = Field(default=True, description="Create a person at their first sign-in.")
    allow_passwords: bool = Field(
        default=True, description="Whether the org's people may still sign in with a mentornet password."
    )
    exchange_audiences: list[Audience] = Field(
        default=[],
        max_length=20,
        description="Client ids at the provider (the org's portals) whose ID tokens the org's API clients "
        "may exchange to act for a person; mentornet's own client_id is always accepted.",
    )

    @field_validator("scopes")
    @classmethod
    def _openid(cls, value: list[str]) -> list[str]:
        if "openid" not in value:
            raise ValueError("must include openid")
        return list(dict.fromkeys(value))


class SsoOut(SQLModel):
    org_id: str
    issuer: str
    client_id: str
    scopes: list[str]
    groups_claim: str
    jit_create: bool
    allow_passwords: bool
    exchange_audiences: list[str]
    redirect_uri: str = Field(description="Register this at the provider as mentornet's redirect URI.")
    login_url: str = Field(description="Where the org's people start signing in.")
    created_at: datetime
    updated_at: datetime


class ExternalIdentity(SQLModel, table=True):
    """An org's own store: the person a provider's subject is."""

    __tablename__ = "external_identity"

    issuer: str = Field(primary_key=True, max_length=500)
    subject: str = Field(primary_key=True, max_length=255)
    user_id: str = Field(max_length=48, index=True)
    created_at: datetime
    last_login_at: datetime


class SsoLogin(SQLModel, table=True):
    """Consortium store: a sign-in in flight, by its ``state``; used once, and only for a few minutes."""

    __tablename__ = "sso_login"

    state: str = Field(primary_key=True, max_length=64)
    org_id: str = Field(max_length=48)
    nonce: str = Field(max_length=64)
    code_verifier: str = Field(max_length=128)
    created_at: datetime
    expires_at: datetime = Field(index=True)
    # a browser app's sign-in (GET /v1/authorize) this one finishes: the callback then sends the app a code
    authorize_request: str | None = Field(default=None, max_length=64)


class AuthorizeRequest(SQLModel, table=True):
    """Consortium store: a browser app's sign-in in flight (GET /v1/authorize), until the person signs in.

    ``csrf_hash`` is the hash of the token the sign-in form carries and the browser holds in a cookie: only
    that form, in that browser, can finish this request."""

    __tablename__ = "authorize_request"

    id: str = Field(primary_key=True, max_length=64)
    csrf_hash: str = Field(max_length=64)
    client_id: str = Field(max_length=100)
    redirect_uri: str = Field(max_length=500)
    code_challenge: str = Field(max_length=128)
    state: str | None = Field(default=None, max_length=500)
    org_slug: str | None = Field(default=None, max_length=40)
    created_at: datetime
    expires_at: datetime = Field(index=True)


class AuthorizationCode(SQLModel, table=True):
    """Consortium store: a code issued to a browser app (only its hash), used once within a minute.

    ``family_id`` is the sign-in its exchange started, so a code presented twice can end it."""

    __tablename__ = "authorization_code"

    code_hash: str = Field(primary_key=True, max_length=64)
    client_id: str = Field(max_length=100)
    redirect_uri: str = Field(max_length=500)
    code_challenge: str = Field(max_length=128)
    user_id: str = Field(max_length=48)
    org_id: str | None = Field(default=None, max_length=48)
    via: str = Field(max_length=20)
    created_at: datetime
    expires_at: datetime = Field(index=True)
    used_at: datetime | None = None
    family_id: str | None = Field(default=None, max_length=48)


# SCIM groups ---------------------------------------------------------------------------------------------


class ScimGroup(SQLModel, table=True):
    __tablename__ = "scim_group"

    id: str = Field(primary_key=True, max_length=48)
    display_name: str = Field(max_length=200, index=True)
    external_id: str | None = Field(default=None, max_length=200)
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime
    updated_at: datetime


class ScimGroupMember(SQLModel, table=True):
    __tablename__ = "scim_group_member"

    group_id: str = Field(primary_key=True, max_length=48)
    user_id: str = Field(primary_key=True, max_length=48, index=True)


class SigningKey(SQLModel, table=True):
    """An RSA signing key; the private half encrypted at rest. Retired keys verify until tokens expire."""

    __tablename__ = "signing_key"

    kid: str = Field(primary_key=True, max_length=64)
    private_key: str = Field(sa_column=Column(Text, nullable=False))
    public_jwk: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime
    retired_at: datetime | None = None


class SigningKeyPublic(SQLModel):
    kid: str
    created_at: datetime
    retired_at: datetime | None


class OrgOffboard(SQLModel):
    """Offboarding's confirmation: the org's slug, typed again."""

    slug: str = Field(
        min_length=1, max_length=40, description="The org's slug, typed again: anything else changes nothing."
    )


class OffboardedOut(SQLModel):
    """identity has forgotten the org; every other service drops its store and erases its people on
    ``org-offboarded``. No export of its data was made (``mentornet orgs offboard --to`` makes one)."""

    org_id: str
    slug: str
    people: int = Field(description="How many people of the org identity erased (their tokens revoked).")
    offboarded_at: datetime
    status: str = "offboarding: every service drops the org's store and erases its people within seconds"


class ErasureOut(SQLModel):
    """Identity has forgotten the person; every other service erases them on ``user-erased``."""

    user_id: str
    org_id: str
    erased_at: datetime
    status: str = "erasing: every service deletes or anonymizes this person's data within seconds"
