"""identity's part when a member org leaves the consortium (``mentornet orgs offboard``, after the org's
data was exported for it).

In one transaction of the consortium store: every token of the org's people and API clients is revoked
(every service refuses them within a second), the consortium's rows about the org go (its registration,
email domains, login and client indexes), and ``org-offboarded`` is written to the outbox, carrying the
people's ids so that every other service erases them. Then the org's own store here is dropped. Running it
again finds the org gone and only finishes dropping its store.
"""

from __future__ import annotations

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


async def find_org(stores: TenantStores, org_id: str) -> Org | None:
    """The org's registration, while it has one."""
    async with stores.session(CONSORTIUM) as session:
        return await session.get(Org, org_id)


async def offboard(settings: CommonSettings, stores: TenantStores, org_id: str) -> OrgOffboarded | None:
    """Remove the org from identity and announce it; None when it was gone already (its store is dropped
    if a first run stopped before)."""
    if await find_org(stores, org_id) is None:
        if await stores.exists(org_id):
            await stores.drop_store(org_id)
        return None
    user_ids: list[str] = []
    client_ids: list[str] = []
    if org_id in await stores.tenants():
        async with stores.session(org_id) as session:
            user_ids = list((await session.exec(select(User.id).order_by(User.id))).all())
            client_ids = list((await session.exec(select(ApiClient.client_id))).all())
    now = time.time()
    event = OrgOffboarded(org_id=org_id, user_ids=user_ids, offboarded_at=datetime.now(UTC))
    async with UnitOfWork(settings, stores, None, CONSORTIUM) as uow:
        for subject in [*user_ids, *client_ids]:
            expires = now + LONGEST_TOKEN_S + LEEWAY_S
            uow.session.add(
                Revocation(kind="subject", value=subject, issued_before=round(now, 3), expires_at=expires)
            )
        for table in reversed(service_metadata("identity").sorted_tables):
            where = naming(table, org_id)
            if where is not None:
                await uow.session.exec(delete(table).where(where))
        # identity's worker publishes it from the outbox (its sweep finds rows the CLI wrote)
        uow.publish(event, tenant_id=org_id)
        await uow.commit()
    await stores.drop_store(org_id)
    return event
