"""Retrieval: the cards an ask's mentee may reach that are closest to the ask, ranked with what the
consortium store knows of each mentor's load and track record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, bindparam, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from matching import domain, semantic
from matching.config import MatchingSettings
from matching.index import Vector, from_blob, to_blob
from matching.models import Ask, DirectoryEntry, MentorLoad, MentorStats, PersonCardEntry, ProposalState
from mentornet_common.tenancy import CONSORTIUM, TenantStores
from mentornet_common.unit_of_work import UnitOfWork


def month_of(moment: datetime) -> str:
    return f"{moment:%Y-%m}"


def candidate(entry: DirectoryEntry, similarity: float = 0.0) -> domain.Candidate:
    return card_candidate(entry.mentor_id, entry.org_id, entry.card, similarity)


def card_candidate(
    mentor_id: str, org_id: str, card: Mapping[str, Any], similarity: float
) -> domain.Candidate:
    return domain.Candidate(
        mentor_id=mentor_id,
        org_id=org_id,
        display_name=card.get("display_name", ""),
        skills={s["name"]: int(s["level"]) for s in card.get("skills", [])},
        capacity_per_month=int(card.get("capacity_per_month", 0)),
        similarity=similarity,
        headline=card.get("headline", ""),
        languages=tuple(card.get("languages", [])),
        timezone=card.get("timezone", "UTC"),
        availability=windows(card.get("availability", [])),
        seniority=card.get("seniority"),
        open_to_reverse=bool(card.get("open_to_reverse", True)),
    )


def windows(windows: list[dict[str, Any]]) -> domain.Windows:
    return tuple((int(w["weekday"]), str(w["start"]), str(w["end"])) for w in windows)


async def ask_vector(ask: Ask) -> Vector:
    """The ask's embedding: stored with the ask the first time it is needed."""
    if ask.vector is None:
        ask.vector = to_blob(
            (await semantic.embed([semantic.ask_text(ask.question, ask.background, ask.skills)]))[0]
        )
    return from_blob(ask.vector)


async def retrieve(
    uow: UnitOfWork, mentee_org_id: str, query: Vector, k: int, exclude: set[str]
) -> list[domain.Candidate]:
    """The ``k`` mentors the mentee's org may reach whose cards are closest to ``query``."""
    fresh_for = uow.settings.as_(MatchingSettings).directory_refresh_s
    async with uow.consortium() as consortium:
        return await reachable(
            uow.stores, mentee_org_id, uow.session, consortium, query, k, exclude, fresh_for
        )


async def reachable(
    stores: TenantStores,
    org_id: str,
    own: AsyncSession,
    consortium: AsyncSession,
    query: Vector,
    k: int,
    exclude: set[str],
    fresh_for: float = 0.0,
) -> list[domain.Candidate]:
    """Closest cards among those an org may reach: its own org-only entries (its store) and every
    consortium entry (the consortium store); each index read again unless it did within ``fresh_for``
    seconds (see ``DirectoryIndex``)."""
    found = await _closest(stores, CONSORTIUM, consortium, query, k, exclude, fresh_for)
    mine = await _closest(stores, org_id, own, query, k, exclude, fresh_for)
    return _nearest(found, mine, org_id, k)


async def reachable_in_turn(
    stores: TenantStores, org_id: str, query: Vector, k: int, exclude: set[str]
) -> list[domain.Candidate]:
    """As :func:`reachable`, each store read in a session of its own, one after the other: for a request,
    which then never holds one of the pool's connections while it waits for another."""
    async with stores.session(CONSORTIUM) as consortium:
        found = await _closest(stores, CONSORTIUM, consortium, query, k, exclude, 0.0)
    async with stores.session(org_id) as own:
        mine = await _closest(stores, org_id, own, query, k, exclude, 0.0)
    return _nearest(found, mine, org_id, k)


def _nearest(
    found: dict[str, domain.Candidate], mine: dict[str, domain.Candidate], org_id: str, k: int
) -> list[domain.Candidate]:
    found.update({key: c for key, c in mine.items() if c.org_id == org_id})
    return sorted(found.values(), key=lambda c: -c.similarity)[:k]


async def _closest(
    stores: TenantStores,
    tenant_id: str,
    db: AsyncSession,
    query: Vector,
    k: int,
    exclude: set[str],
    fresh_for: float,
) -> dict[str, domain.Candidate]:
    index = semantic.directory_index(stores, tenant_id)
    await index.refresh(db, fresh_for)
    hits = index.vectors.search(query, k, exclude)
    if not hits:
        return {}
    rows = (await db.exec(_ENTRIES, params={"ids": [h[0] for h in hits]})).all()
    by_id = {mentor_id: (org_id, card) for mentor_id, org_id, card in rows}
    found = {}
    for mentor_id, similarity in hits:
        row = by_id.get(mentor_id)
        if row is None:
            index.forget(mentor_id)  # withdrawn through another replica since the index last looked
            continue
        found[mentor_id] = card_candidate(mentor_id, *row, similarity)
    return found


# Built once (each ask runs them): building a statement cost more than running it.
_IDS = bindparam("ids", expanding=True, type_=String())
# The hits' cards, not their vectors (the index holds those) nor whole rows.
_ENTRIES = select(DirectoryEntry.mentor_id, DirectoryEntry.org_id, DirectoryEntry.card).where(
    col(DirectoryEntry.mentor_id).in_(_IDS)
)
_SCHEDULED = select(MentorLoad.mentor_id, MentorLoad.scheduled).where(
    MentorLoad.month == bindparam("month"), col(MentorLoad.mentor_id).in_(_IDS)
)
_STATS = select(
    MentorStats.mentor_id, MentorStats.last_proposed_at, MentorStats.ratings, MentorStats.rating_sum
).where(col(MentorStats.mentor_id).in_(_IDS))
_WAITING = (
    select(ProposalState.mentor_id, func.count())
    .where(col(ProposalState.mentor_id).in_(_IDS), col(ProposalState.answered).is_(False))
    .group_by(col(ProposalState.mentor_id))
)


async def loads_of(consortium: AsyncSession, mentor_ids: list[str]) -> dict[str, domain.Load]:
    """Each mentor's demand this month and track record, from the consortium store."""
    ids = {"ids": mentor_ids}
    month = {"month": month_of(datetime.now(UTC)), **ids}
    scheduled = dict((await consortium.exec(_SCHEDULED, params=month)).all())
    stats = {
        mentor_id: (last, ratings, total)
        for mentor_id, last, ratings, total in (await consortium.exec(_STATS, params=ids)).all()
    }
    waiting = dict((await consortium.exec(_WAITING, params=ids)).all())
    loads = {}
    for mentor_id in mentor_ids:
        last, ratings, total = stats.get(mentor_id, (None, 0, 0.0))
        loads[mentor_id] = domain.Load(
            scheduled_this_month=scheduled.get(mentor_id, 0),
            open_proposals=int(waiting.get(mentor_id, 0)),
            last_proposed_at=last,
            ratings=ratings,
            rating_sum=float(total),
        )
    return loads


async def ask_facts(uow: UnitOfWork, ask: Ask, cards: MenteeCards) -> domain.AskFacts:
    """The ask as ranking sees it, completed from the mentee's card where they shared one."""
    card = cards.seen_by(ask.mentee_org_id)
    shown = card.card if card else {}
    return domain.AskFacts(
        mentee_id=ask.mentee_id,
        mentee_org_id=ask.mentee_org_id,
        skills=tuple(ask.skills),
        scope=ask.scope,
        duration_minutes=ask.duration_minutes,
        languages=tuple(ask.languages or shown.get("languages", [])),
        timezone=shown.get("timezone"),
        availability=windows(shown.get("availability", [])),
        seniority=shown.get("seniority"),
    )


async def rank_for(
    uow: UnitOfWork, ask: Ask, facts: domain.AskFacts, exclude: set[str], k: int, now: datetime
) -> list[domain.Ranked]:
    """Rank the closest cards; while none of them may be proposed, look further down the index."""
    query = await ask_vector(ask)
    while True:
        candidates = await retrieve(uow, ask.mentee_org_id, query, k, exclude)
        await semantic.SKILLS.prepare([*ask.skills, *(name for c in candidates for name in c.skills)])
        async with uow.consortium() as consortium:
            loads = await loads_of(consortium, [c.mentor_id for c in candidates])
        ranked = domain.rank(facts, candidates, loads, now, semantic.SKILLS)
        if ranked or len(candidates) < k:
            return ranked
        exclude = exclude | {c.mentor_id for c in candidates}


@dataclass(frozen=True)
class MenteeCards:
    """The mentee's card as their own org keeps it, and as shared with the consortium (read once)."""

    mentee_org_id: str
    own: PersonCardEntry | None
    shared: PersonCardEntry | None

    @classmethod
    async def read(cls, uow: UnitOfWork, ask: Ask) -> MenteeCards:
        own = await uow.session.get(PersonCardEntry, ask.mentee_id)
        async with uow.consortium() as consortium:
            shared = await consortium.get(PersonCardEntry, ask.mentee_id)
        return cls(ask.mentee_org_id, own, shared)

    def seen_by(self, org_id: str) -> PersonCardEntry | None:
        """The card a person of ``org_id`` may see: the own org's copy, else the consortium's."""
        return self.own if self.own is not None and org_id == self.mentee_org_id else self.shared
