"""Identity's durable timers: what has expired is purged — refresh tokens (kept until their expiry, so that
a reused one is still recognised), sign-ins in flight (a provider's, and browser apps' with their codes),
used subject tokens and revocations no token can match
any more."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from identity.config import IdentitySettings
from identity.models import (
    AuthorizationCode,
    AuthorizeRequest,
    RefreshToken,
    Revocation,
    SsoLogin,
    UsedAssertion,
)
from mentornet_common.tenancy import CONSORTIUM
from mentornet_common.timers import Timer
from mentornet_common.unit_of_work import UnitOfWork


async def _expired(db: AsyncSession, tenant_id: str, now: datetime) -> list[str]:
    queries: list[Any] = [select(RefreshToken.token_hash).where(col(RefreshToken.expires_at) < now)]
    if tenant_id == CONSORTIUM:
        queries += [
            select(SsoLogin.state).where(col(SsoLogin.expires_at) < now),
            select(AuthorizeRequest.id).where(col(AuthorizeRequest.expires_at) < now),
            select(AuthorizationCode.code_hash).where(col(AuthorizationCode.expires_at) < now),
            select(UsedAssertion.digest).where(col(UsedAssertion.expires_at) < now),
            select(Revocation.id).where(col(Revocation.expires_at) < time.time()),
        ]
    for query in queries:
        if (await db.exec(query.limit(1))).first() is not None:
            return ["expired"]
    return []


async def _purge(uow: UnitOfWork, _: str, now: datetime) -> bool:
    await uow.session.exec(delete(RefreshToken).where(col(RefreshToken.expires_at) < now))
    if uow.tenant_id == CONSORTIUM:
        await uow.session.exec(delete(SsoLogin).where(col(SsoLogin.expires_at) < now))
        await uow.session.exec(delete(AuthorizeRequest).where(col(AuthorizeRequest.expires_at) < now))
        await uow.session.exec(delete(AuthorizationCode).where(col(AuthorizationCode.expires_at) < now))
        await uow.session.exec(delete(UsedAssertion).where(col(UsedAssertion.expires_at) < now))
        await uow.session.exec(delete(Revocation).where(col(Revocation.expires_at) < time.time()))
    return True


PURGE_EXPIRED = Timer("purge_expired_credentials", _expired, _purge)


def timers(settings: IdentitySettings) -> list[Timer]:
    """What identity's worker runs."""
    return [PURGE_EXPIRED]
