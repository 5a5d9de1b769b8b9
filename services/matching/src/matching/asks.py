"""Matching's use cases for people: posting an ask, reading one's asks, one's data.

Matching happens later, on ``ask-created`` (proposing.py); the mentor directory is in directory.py."""

from __future__ import annotations

import secrets
from typing import Any

from sqlmodel import col, select

from matching.models import Ask, AskIn, AskOut, DirectoryEntry, PersonCardEntry
from matching.proposing import proposals_of, utc_now
from mentornet_common.auth import Principal, org_of
from mentornet_common.contracts import AskCreated
from mentornet_common.pagination import page
from mentornet_common.problems import NotFound
from mentornet_common.runtime import Runtime
from mentornet_common.tenancy import CONSORTIUM


async def create_ask(runtime: Runtime, caller: Principal, data: AskIn) -> AskOut:
    """Record an ask in the mentee's org store and announce it; matching happens on ``ask-created``."""
    org_id = org_of(caller)
    now = utc_now()
    ask = Ask(
        id=f"ask_{secrets.token_hex(8)}",
        mentee_id=caller.subject,
        mentee_org_id=org_id,
        question=data.question,
        background=data.background,
        success_criteria=data.success_criteria,
        skills=list(dict.fromkeys(data.skills)),
        duration_minutes=data.duration_minutes,
        scope=data.scope,
        languages=list(data.languages),
        created_at=now,
        updated_at=now,
    )
    async with runtime.unit_of_work(org_id) as uow:
        uow.session.add(ask)
        uow.publish(
            AskCreated(
                ask_id=ask.id,
                mentee_id=ask.mentee_id,
                mentee_org_id=org_id,
                skills=ask.skills,
                duration_minutes=data.duration_minutes,
                scope=data.scope,
                created_at=now,
            )
        )
        await uow.commit()
    return AskOut.of(ask, [])


async def get_ask(runtime: Runtime, caller: Principal, ask_id: str) -> AskOut:
    """The caller's own ask with its proposals; anyone else's is 404."""
    async with runtime.stores.session(org_of(caller)) as session:
        ask = await session.get(Ask, ask_id)
        if ask is None or ask.mentee_id != caller.subject:
            raise NotFound("ask")
        return AskOut.of(ask, await proposals_of(session, ask_id))


async def list_asks(
    runtime: Runtime, caller: Principal, status: str | None, limit: int, offset: int
) -> tuple[list[AskOut], int | None]:
    async with runtime.stores.session(org_of(caller)) as session:
        query = select(Ask).where(Ask.mentee_id == caller.subject)
        if status:
            query = query.where(Ask.status == status)
        query = query.order_by(col(Ask.created_at).desc(), col(Ask.id)).offset(offset).limit(limit + 1)
        asks, next_offset = page((await session.exec(query)).all(), limit, offset)
        return [AskOut.of(a, await proposals_of(session, a.id)) for a in asks], next_offset


async def my_data(runtime: Runtime, caller: Principal) -> dict[str, Any]:
    """The caller's asks with their proposals, and the cards of theirs the directory holds."""
    org_id = org_of(caller)
    listed: list[dict[str, Any]] = []
    cards: list[dict[str, Any]] = []
    # One store at a time: a request never holds one of the pool's connections while it waits for another.
    for tenant_id in (org_id, CONSORTIUM):
        async with runtime.stores.session(tenant_id) as db:
            if tenant_id == org_id:
                asks = (await db.exec(select(Ask).where(Ask.mentee_id == caller.subject))).all()
                listed = [AskOut.of(a, await proposals_of(db, a.id)).model_dump(mode="json") for a in asks]
            mentor = await db.get(DirectoryEntry, caller.subject)
            person = await db.get(PersonCardEntry, caller.subject)
            if mentor is not None:
                cards.append({"kind": "mentor card", "scope": mentor.scope, "card": mentor.card})
            if person is not None:
                cards.append({"kind": "person card", "scope": person.scope, "card": person.card})
    return {"asks": listed, "cards": cards}
