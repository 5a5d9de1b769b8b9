"""A member org leaving the consortium, as each service carries it out on ``org-offboarded``.

The org-wide analogue of erasure (:mod:`mentornet_common.erasure`). The org's data was exported for it
first (``mentornet orgs offboard``); then every service, in its consortium store's unit of work:

- erases each of the org's people (the event's ``user_ids``) in every store, as on ``user-erased``: what
  other orgs keep of a shared session keeps its ids, times and ratings, not their words;
- deletes the published outbox rows that name the org from every other org's store;
- deletes the consortium store's rows that name the org (:func:`naming`): its registration, its cards in
  the directory, its people's login indexes, the facts behind the consortium's figures it took part in;
- drops the org's own store (its SQLite file, or its PostgreSQL schema) and forgets it was provisioned, so
  that a late event of the org finds no store and creates none.

Every step is idempotent: a failure leaves the event to be retried, and a second ``org-offboarded`` finds
nothing left to do. Kafka's own copies of the org's past events age out with the topics' retention.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Table, delete, or_
from sqlmodel import col

from mentornet_common.contracts import OrgOffboarded
from mentornet_common.erasure import Erase, in_every_store
from mentornet_common.migrations import service_metadata
from mentornet_common.outbox import OutboxMessage
from mentornet_common.tenancy import CONSORTIUM
from mentornet_common.unit_of_work import UnitOfWork

# Columns that name an org: a row of the consortium store with one of them equal to the org is about it.
ORG_COLUMNS = ("org_id", "tenant_id", "mentee_org_id", "mentor_org_id")
ORG_TABLE = "org"  # identity's registry of orgs, keyed by the org's id


def naming(table: Table, org_id: str) -> ColumnElement[bool] | None:
    """Which rows of ``table`` name the org; None for a table with no column that can."""
    columns = [table.columns[name] for name in ORG_COLUMNS if name in table.columns]
    if table.name == ORG_TABLE and "id" in table.columns:
        columns.append(table.columns["id"])
    if not columns:
        return None
    return or_(*(column == org_id for column in columns))


async def forget_org(uow: UnitOfWork, event: OrgOffboarded, erase: Erase | None) -> None:
    """Carry out ``org-offboarded`` in this service: ``uow`` is the consortium store's unit of work and
    ``erase`` what this service does on ``user-erased`` in one store (None where it keeps no person's data
    outside the org's own store)."""
    if uow.tenant_id != CONSORTIUM:
        raise ValueError("org-offboarded is handled in the consortium store (in_store)")
    org_id = event.org_id
    if erase is not None:
        for user_id in event.user_ids:
            await in_every_store(uow, user_id, erase)
    for tenant in await uow.stores.tenants():
        if tenant in (CONSORTIUM, org_id):
            continue
        async with uow.stores.writer(tenant) as session:
            await session.exec(
                delete(OutboxMessage).where(
                    col(OutboxMessage.sent_at).is_not(None),
                    or_(col(OutboxMessage.tenant_id) == org_id, col(OutboxMessage.payload).contains(org_id)),
                )
            )
            await session.commit()
    for table in reversed(service_metadata(uow.settings.service_name).sorted_tables):
        where = naming(table, org_id)
        if where is not None:
            await uow.session.exec(delete(table).where(where))
    await uow.stores.drop_store(org_id)
