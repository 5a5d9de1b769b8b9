"""identity's part when a member org leaves the consortium (``mentornet orgs offboard``, after the org's
data was exported for it).

Every token of the org's people and API clients is revoked first; once every API has followed the
revocations, one transaction of the consortium store deletes the consortium's rows about the org (its
registration, email domains, login and client indexes) and writes ``org-offboarded`` to the outbox, carrying
the people's ids so that every other service erases them. Then the org's own store here is dropped. Running
it again finds the org gone and only finishes dropping its store.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from sqlmodel import delete, select

from identity.models import ApiClient, Org, Revocation, User
from identity.tokens import LEEWAY_S
from mentornet_common.contracts import OrgOffboarded
from mentornet_common.migrations import service_metadata
from mentornet_common.offboarding import naming
from mentornet_common.settings import CommonSettings
from mentornet_common.tenancy import CONSORTIUM, TenantStores
from mentornet_common.unit_of_work import UnitOfWork

# The longest an access token may live (MENTORNET_ACCESS_TOKEN_TTL_S is at most this): a revocation is kept
# until no token it matches can still be valid, whatever the identity processes are configured with.
LONGEST_TOKEN_S = 3600
# How long after a revocation every API refuses the tokens it names: the longest poll
# (MENTORNET_REVOCATION_POLL_S is at most 5 s), and a second for the answer.
REVOCATIONS_FOLLOWED_S = 6.0


async def find_org(stores: TenantStores, org_id: str) -> Org | None:
    """The org's registration, while it has one."""
    async with stores.session(CONSORTIUM) as session:
        return await session.get(Org, org_id)


async def revoke(settings: CommonSettings, stores: TenantStores, org_id: str) -> list[str]:
    """Revoke every token of the org's people and API clients (every API refuses them after its next poll
    of the revocations, within ``MENTORNET_REVOCATION_POLL_S``); answers the people's ids."""
    user_ids: list[str] = []
    client_ids: list[str] = []
    if org_id in await stores.tenants():
        async with stores.session(org_id) as session:
            user_ids = list((await session.exec(select(User.id).order_by(User.id))).all())
            client_ids = list((await session.exec(select(ApiClient.client_id))).all())
    now = time.time()
    async with UnitOfWork(settings, stores, None, CONSORTIUM) as uow:
        expires = now + LONGEST_TOKEN_S + LEEWAY_S
        for subject in [*user_ids, *client_ids]:
            uow.session.add(
                Revocation(kind="subject", value=subject, issued_before=round(now, 3), expires_at=expires)
            )
        await uow.commit()
    return user_ids


async def offboard(
    settings: CommonSettings, stores: TenantStores, org_id: str, *, followed_s: float = REVOCATIONS_FOLLOWED_S
) -> OrgOffboarded | None:
    """Remove the org from identity and announce it; None when it was gone already (its store is dropped
    if a first run stopped before). Its tokens are revoked first, and the rest waits until every API has
    followed the revocations (``followed_s``): an API accepting a token of the org after its store is
    dropped would provision the store again, empty."""
    if await find_org(stores, org_id) is None:
        if await stores.exists(org_id):
            await stores.drop_store(org_id)
        return None
    started = time.monotonic()
    user_ids = await revoke(settings, stores, org_id)
    await asyncio.sleep(max(0.0, followed_s - (time.monotonic() - started)))
    event = OrgOffboarded(org_id=org_id, user_ids=user_ids, offboarded_at=datetime.now(UTC))
    async with UnitOfWork(settings, stores, None, CONSORTIUM) as uow:
        for table in reversed(service_metadata("identity").sorted_tables):
            where = naming(table, org_id)
            if where is not None:
                await uow.session.exec(delete(table).where(where))
        # identity's worker publishes it from the outbox (its sweep finds rows the CLI wrote)
        uow.publish(event, tenant_id=org_id)
        await uow.commit()
    await stores.drop_store(org_id)
    return event
