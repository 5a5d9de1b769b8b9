"""Identity's queries. Each function works inside the one store its session is bound to."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from identity.models import ApiClient, ClientIndex, Org, SigningKey, User


async def org_by_slug(session: AsyncSession, slug: str) -> Org | None:
    return (await session.exec(select(Org).where(Org.slug == slug))).first()


async def orgs(session: AsyncSession, limit: int, offset: int) -> Sequence[Org]:
    return (
        await session.exec(select(Org).order_by(col(Org.created_at), col(Org.id)).offset(offset).limit(limit))
    ).all()


async def users(session: AsyncSession, limit: int, offset: int) -> Sequence[User]:
    query = select(User).order_by(col(User.created_at), col(User.id)).offset(offset).limit(limit)
    return (await session.exec(query)).all()


async def clients(session: AsyncSession, limit: int, offset: int) -> Sequence[ApiClient]:
    query = (
        select(ApiClient)
        .order_by(col(ApiClient.created_at), col(ApiClient.client_id))
        .offset(offset)
        .limit(limit)
    )
    return (await session.exec(query)).all()


async def client_index(session: AsyncSession, client_id: str) -> ClientIndex | None:
    return await session.get(ClientIndex, client_id)


async def signing_keys(session: AsyncSession) -> Sequence[SigningKey]:
    return (await session.exec(select(SigningKey).order_by(col(SigningKey.created_at).desc()))).all()


async def active_signing_key(session: AsyncSession) -> SigningKey | None:
    query = (
        select(SigningKey)
        .where(col(SigningKey.retired_at).is_(None))
        .order_by(col(SigningKey.created_at).desc())
    )
    return (await session.exec(query)).first()
