"""Identity's tables and API shapes.

Consortium store: ``org``, ``account_index``, ``client_index``, ``signing_key``, and the operators' rows
of ``user``. Each org's own store: its ``user`` and ``api_client`` rows. The two indexes map a login
(a hash of the email, or a client id) to the org whose store holds the account, so that a login never
has to search across tenants.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import StringConstraints, field_validator
from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from mentornet_common.scopes import KNOWN_SCOPES

SLUG = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"
# Deliberately permissive: an address's real test is the org's own directory, not a pattern.
EMAIL = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Slug = Annotated[str, StringConstraints(pattern=SLUG, min_length=1, max_length=40)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=EMAIL, max_length=254)]
OrgRole = Literal["member", "mentor", "org_admin"]


# orgs --------------------------------------------------------------------------------------------------


class OrgBase(SQLModel):
    slug: str = Field(min_length=1, max_length=40, unique=True, index=True)
    name: str = Field(min_length=1, max_length=200)


class Org(OrgBase, table=True):
    id: str = Field(primary_key=True, max_length=48)
    created_at: datetime


class OrgCreate(OrgBase):
    slug: Slug
    name: Name


class OrgPublic(OrgBase):
    id: str


class OrgList(SQLModel):
    items: list[OrgPublic]
    next_offset: int | None


# users -------------------------------------------------------------------------------------------------


class User(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=48)
    org_id: str | None = Field(default=None, max_length=48)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    roles: str = Field(max_length=200, description="Space-separated roles.")
    created_at: datetime

    def role_list(self) -> list[str]:
        return self.roles.split()


class UserCreate(SQLModel):
    email: Email
    name: Name
    password: str = Field(min_length=12, max_length=256)
    roles: list[OrgRole] = Field(default=["member"], min_length=1, max_length=3)

    @field_validator("roles")
    @classmethod
    def _unique_roles(cls, value: list[OrgRole]) -> list[OrgRole]:
        return sorted(set(value))


class UserPublic(SQLModel):
    id: str
    org_id: str | None
    email: str
    name: str
    roles: list[str]

    @classmethod
    def of(cls, user: User) -> UserPublic:
        return cls(id=user.id, org_id=user.org_id, email=user.email, name=user.name, roles=user.role_list())


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


class ClientIndex(SQLModel, table=True):
    """Consortium store: which org's store holds an API client."""

    __tablename__ = "client_index"

    client_id: str = Field(primary_key=True, max_length=48)
    org_id: str = Field(max_length=48)


class ClientCreate(SQLModel):
    name: Name
    scopes: list[str] = Field(default=[], max_length=len(KNOWN_SCOPES))

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

    @classmethod
    def of(cls, client: ApiClient) -> ClientPublic:
        return cls(
            client_id=client.client_id,
            org_id=client.org_id,
            name=client.name,
            scopes=client.scopes.split(),
            created_at=client.created_at,
            revoked_at=client.revoked_at,
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


class ErasureOut(SQLModel):
    """Identity has forgotten the person; every other service erases them on ``user-erased``."""

    user_id: str
    org_id: str
    erased_at: datetime
    status: str = "erasing: every service deletes or anonymizes this person's data within seconds"
