"""``GET /v1/suggestions``: mentors a member may want to meet before they ask again.

The member's interests are their past asks' embeddings (stored when each ask was handled), weighted by
how each ask ended — an ask nobody resolved says more than one a session settled — and by age. The
closest cards to that blend, among the mentors the member's org may reach, are ranked on closeness, room
this month and learned quality; each comes with the past ask it relates to. Nothing is embedded here: the
API process reads stored vectors only.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from matching import domain, semantic
from matching.index import from_blob
from matching.models import Ask, DirectoryEntry, MentorOut, Proposal, SuggestionOut
from matching.retrieval import loads_of, reachable_in_turn
from mentornet_common.auth import Principal, org_of
from mentornet_common.runtime import Runtime
from mentornet_common.tenancy import CONSORTIUM

RECENT_ASKS = 20
SEARCH_K = 50


async def suggestions(runtime: Runtime, caller: Principal, limit: int) -> tuple[list[SuggestionOut], int]:
    """Suggestions for the caller, and how many of their past asks they are based on."""
    org_id, now = org_of(caller), datetime.now(UTC)
    # Each store in a session of its own, one after the other: a request never holds one of the pool's
    # connections while it waits for another.
    async with runtime.stores.session(org_id) as own:
        asks = list(
            (
                await own.exec(
                    select(Ask)
                    .where(Ask.mentee_id == caller.subject, col(Ask.vector).is_not(None))
                    .order_by(col(Ask.created_at).desc())
                    .limit(RECENT_ASKS)
                )
            ).all()
        )
        if not asks:
            return [], 0
        # Mentors already offered or met for these asks are not news to the member.
        known = set(
            (
                await own.exec(
                    select(Proposal.mentor_id).where(
                        col(Proposal.ask_id).in_([a.id for a in asks]),
                        col(Proposal.status).in_(["proposed", "accepted"]),
                    )
                )
            ).all()
        )
    past = [
        domain.PastAsk(a.id, a.question, tuple(a.skills), a.status, a.resolution, a.created_at) for a in asks
    ]
    vectors = np.vstack([from_blob(a.vector) for a in asks if a.vector is not None])
    weights = np.array([domain.interest_weight(p, now) for p in past], dtype=np.float32)
    interest = semantic.unit(weights @ vectors)
    candidates = await reachable_in_turn(runtime.stores, org_id, interest, SEARCH_K, known | {caller.subject})
    mentor_ids = [c.mentor_id for c in candidates]
    async with runtime.stores.session(CONSORTIUM) as consortium:
        loads = await loads_of(consortium, mentor_ids)
        entries = await _entries(consortium, mentor_ids)
    async with runtime.stores.session(org_id) as own:
        entries.update(await _entries(own, mentor_ids))
    closest = []
    for candidate in candidates:
        vector = _vector(runtime, org_id, candidate.mentor_id)
        if vector is None:
            continue
        per_ask = vectors @ vector
        best = int(np.argmax(per_ask))
        closest.append((candidate, past[best], float(per_ask[best])))
    chosen = domain.suggest(caller.subject, org_id, closest, loads, limit)
    return [
        SuggestionOut(
            mentor=MentorOut.of(entries[s.candidate.mentor_id]), score=s.score, reasons=list(s.reasons)
        )
        for s in chosen
        if s.candidate.mentor_id in entries
    ], len(asks)


def _vector(runtime: Runtime, org_id: str, mentor_id: str) -> NDArray[np.float32] | None:
    for tenant in (CONSORTIUM, org_id):
        vector = semantic.directory_index(runtime.stores, tenant).vectors.get(mentor_id)
        if vector is not None:
            return vector
    return None


async def _entries(db: AsyncSession, mentor_ids: list[str]) -> dict[str, DirectoryEntry]:
    query = select(DirectoryEntry).where(col(DirectoryEntry.mentor_id).in_(mentor_ids))
    return {e.mentor_id: e for e in (await db.exec(query)).all()}
