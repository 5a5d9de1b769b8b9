"""Matching's use cases: posting asks, and proposing the best mentor (then the next one) for an ask."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import func
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from matching import domain, semantic
from matching.config import MatchingSettings
from matching.index import Vector, from_blob, to_blob
from matching.models import (
    Ask,
    AskIn,
    AskOut,
    BusyTime,
    DirectoryEntry,
    MentorLoad,
    MentorStats,
    PersonCardEntry,
    Proposal,
    ProposalState,
    person_card,
)
from mentornet_common.auth import Principal, org_of
from mentornet_common.availability import Interval
from mentornet_common.contracts import AskClosed, AskCreated, DurationMinutes, MatchProposed, TimeRange
from mentornet_common.pagination import page
from mentornet_common.problems import NotFound
from mentornet_common.runtime import Runtime
from mentornet_common.tenancy import CONSORTIUM, TenantStores
from mentornet_common.unit_of_work import UnitOfWork

OPEN_STATUSES = ("open", "proposed")


def _now() -> datetime:
    return datetime.now(UTC)


def month_of(moment: datetime) -> str:
    return f"{moment:%Y-%m}"


def _mentee_org(caller: Principal) -> str:
    return org_of(caller)


async def create_ask(runtime: Runtime, caller: Principal, data: AskIn) -> AskOut:
    """Record an ask in the mentee's org store and announce it; matching happens on ``ask-created``."""
    org_id = _mentee_org(caller)
    now = _now()
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


async def _proposals(session: AsyncSession, ask_id: str) -> list[Proposal]:
    query = select(Proposal).where(Proposal.ask_id == ask_id).order_by(col(Proposal.created_at))
    return list((await session.exec(query)).all())


async def get_ask(runtime: Runtime, caller: Principal, ask_id: str) -> AskOut:
    """The caller's own ask with its proposals; anyone else's is 404."""
    async with runtime.stores.session(_mentee_org(caller)) as session:
        ask = await session.get(Ask, ask_id)
        if ask is None or ask.mentee_id != caller.subject:
            raise NotFound("ask")
        return AskOut.of(ask, await _proposals(session, ask_id))


async def list_asks(
    runtime: Runtime, caller: Principal, status: str | None, limit: int, offset: int
) -> tuple[list[AskOut], int | None]:
    async with runtime.stores.session(_mentee_org(caller)) as session:
        query = select(Ask).where(Ask.mentee_id == caller.subject)
        if status:
            query = query.where(Ask.status == status)
        query = query.order_by(col(Ask.created_at).desc(), col(Ask.id)).offset(offset).limit(limit + 1)
        asks, next_offset = page((await session.exec(query)).all(), limit, offset)
        return [AskOut.of(a, await _proposals(session, a.id)) for a in asks], next_offset


# proposing --------------------------------------------------------------------------------------------


def _candidate(entry: DirectoryEntry, similarity: float = 0.0) -> domain.Candidate:
    card = entry.card
    return domain.Candidate(
        mentor_id=entry.mentor_id,
        org_id=entry.org_id,
        display_name=card.get("display_name", ""),
        skills={s["name"]: int(s["level"]) for s in card.get("skills", [])},
        capacity_per_month=int(card.get("capacity_per_month", 0)),
        similarity=similarity,
        headline=card.get("headline", ""),
        languages=tuple(card.get("languages", [])),
        timezone=card.get("timezone", "UTC"),
        availability=_windows(card.get("availability", [])),
        seniority=card.get("seniority"),
        open_to_reverse=bool(card.get("open_to_reverse", True)),
    )


def _windows(windows: list[dict[str, Any]]) -> domain.Windows:
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
    async with uow.consortium() as consortium:
        return await reachable(uow.stores, mentee_org_id, uow.session, consortium, query, k, exclude)


async def reachable(
    stores: TenantStores,
    org_id: str,
    own: AsyncSession,
    consortium: AsyncSession,
    query: Vector,
    k: int,
    exclude: set[str],
) -> list[domain.Candidate]:
    """Closest cards among those an org may reach: its own org-only entries (its store) and every
    consortium entry (the consortium store)."""
    found = await _closest(stores, CONSORTIUM, consortium, query, k, exclude)
    mine = await _closest(stores, org_id, own, query, k, exclude)
    found.update({key: c for key, c in mine.items() if c.org_id == org_id})
    return sorted(found.values(), key=lambda c: -c.similarity)[:k]


async def _closest(
    stores: TenantStores, tenant_id: str, db: AsyncSession, query: Vector, k: int, exclude: set[str]
) -> dict[str, domain.Candidate]:
    index = semantic.directory_index(stores, tenant_id)
    await index.refresh(db)
    hits = index.vectors.search(query, k, exclude)
    if not hits:
        return {}
    rows = (
        await db.exec(select(DirectoryEntry).where(col(DirectoryEntry.mentor_id).in_([h[0] for h in hits])))
    ).all()
    by_id = {row.mentor_id: row for row in rows}
    found = {}
    for mentor_id, similarity in hits:
        row = by_id.get(mentor_id)
        if row is None:
            index.forget(mentor_id)  # withdrawn through another replica since the index last looked
            continue
        found[mentor_id] = _candidate(row, similarity)
    return found


async def loads_of(consortium: AsyncSession, mentor_ids: list[str]) -> dict[str, domain.Load]:
    """Each mentor's demand this month and track record, from the consortium store."""
    scheduled = {
        load.mentor_id: load.scheduled
        for load in (
            await consortium.exec(
                select(MentorLoad).where(
                    MentorLoad.month == month_of(_now()), col(MentorLoad.mentor_id).in_(mentor_ids)
                )
            )
        ).all()
    }
    stats = {
        row.mentor_id: row
        for row in (
            await consortium.exec(select(MentorStats).where(col(MentorStats.mentor_id).in_(mentor_ids)))
        ).all()
    }
    waiting = dict(
        (
            await consortium.exec(
                select(ProposalState.mentor_id, func.count())
                .where(col(ProposalState.mentor_id).in_(mentor_ids), col(ProposalState.answered).is_(False))
                .group_by(col(ProposalState.mentor_id))
            )
        ).all()
    )
    loads = {}
    for mentor_id in mentor_ids:
        row = stats.get(mentor_id)
        loads[mentor_id] = domain.Load(
            scheduled_this_month=scheduled.get(mentor_id, 0),
            open_proposals=int(waiting.get(mentor_id, 0)),
            last_proposed_at=row.last_proposed_at if row and row.last_proposed_at else None,
            ratings=row.ratings if row else 0,
            rating_sum=float(row.rating_sum) if row else 0.0,
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
        availability=_windows(shown.get("availability", [])),
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


def _settings(uow: UnitOfWork) -> MatchingSettings:
    settings = uow.settings
    return settings if isinstance(settings, MatchingSettings) else MatchingSettings()


async def propose_next(uow: UnitOfWork, ask_id: str) -> Proposal | None:
    """Propose the best mentor not yet asked; close the ask with a reason when nobody is left."""
    ask = await uow.session.get(Ask, ask_id)
    if ask is None or ask.status not in OPEN_STATUSES:
        return None
    earlier = await _proposals(uow.session, ask.id)
    if any(p.status == "proposed" for p in earlier):
        return None  # one open offer at a time
    settings = _settings(uow)
    now = _now()
    asked_before = {p.mentor_id for p in earlier}
    cards = await MenteeCards.read(uow, ask)
    facts = await ask_facts(uow, ask, cards)
    ranked = await rank_for(uow, ask, facts, asked_before | {ask.mentee_id}, settings.retrieval_k, now)
    if not ranked:
        reason = (
            f"every mentor who fits was asked ({len(earlier)}) and none accepted"
            if earlier
            else "no mentor with free capacity fits this ask within its scope"
        )
        _close(uow, ask, "expired", reason, now)
        return None
    best = ranked[0]
    free, starts = await offered_time(uow, facts, best.candidate, now)
    proposal = Proposal(
        id=f"prp_{secrets.token_hex(8)}",
        ask_id=ask.id,
        mentor_id=best.candidate.mentor_id,
        mentor_org_id=best.candidate.org_id,
        score=best.score,
        reasons=list(best.reasons),
        reverse_mentoring=best.reverse_mentoring,
        expires_at=now + timedelta(seconds=settings.proposal_ttl_s),
        created_at=now,
        updated_at=now,
    )
    ask.status = "proposed"
    ask.first_proposed_at = ask.first_proposed_at or now
    ask.updated_at = now
    uow.session.add_all([proposal, ask])
    uow.publish(
        MatchProposed(
            proposal_id=proposal.id,
            ask_id=ask.id,
            mentee_id=ask.mentee_id,
            mentee_org_id=ask.mentee_org_id,
            mentor_id=proposal.mentor_id,
            mentor_org_id=proposal.mentor_org_id,
            score=proposal.score,
            reasons=proposal.reasons,
            question=ask.question,
            background=ask.background,
            success_criteria=ask.success_criteria,
            skills=ask.skills,
            duration_minutes=cast(DurationMinutes, ask.duration_minutes),
            proposed_at=now,
            mentee_card=person_card(cards.seen_by(proposal.mentor_org_id)),
            expires_at=proposal.expires_at,
            reverse_mentoring=proposal.reverse_mentoring,
            free_time=[TimeRange(start=i.start, end=i.end) for i in free],
            slots=starts[:MAX_SLOTS],
            mentor_timezone=best.candidate.timezone,
        )
    )
    return proposal


MAX_SLOTS = 24


async def offered_time(
    uow: UnitOfWork, facts: domain.AskFacts, mentor: domain.Candidate, now: datetime
) -> tuple[list[Interval], list[datetime]]:
    """The free time an offer proposes: both people's windows, minus sessions either already has."""
    async with uow.consortium() as consortium:
        people = [mentor.mentor_id, facts.mentee_id]
        rows = (
            await consortium.exec(
                select(BusyTime).where(
                    or_(col(BusyTime.mentor_id).in_(people), col(BusyTime.mentee_id).in_(people)),
                    col(BusyTime.end_at) > now,
                )
            )
        ).all()
    busy = [Interval(row.start_at, row.end_at) for row in rows]
    return domain.free_time(facts, mentor, busy, now)


def _close(uow: UnitOfWork, ask: Ask, status: str, reason: str, now: datetime) -> None:
    ask.status = status
    ask.status_reason = reason
    ask.updated_at = now
    uow.session.add(ask)
    uow.publish(
        AskClosed(
            ask_id=ask.id,
            mentee_id=ask.mentee_id,
            mentee_org_id=ask.mentee_org_id,
            status=status,
            reason=reason,
            closed_at=now,
        )
    )


async def settle_proposal(uow: UnitOfWork, proposal_id: str, status: str) -> Proposal | None:
    """Record what became of a proposal (declined, accepted, completed, cancelled)."""
    proposal = await uow.session.get(Proposal, proposal_id)
    if proposal is not None and proposal.status != status:
        proposal.status = status
        proposal.updated_at = _now()
        uow.session.add(proposal)
    return proposal


async def follow_session(uow: UnitOfWork, ask_id: str, status: str, reason: str | None = None) -> None:
    """The ask's status follows its session: scheduled, completed, or cancelled."""
    ask = await uow.session.get(Ask, ask_id)
    if ask is None or ask.status == status:
        return
    if status == "cancelled":
        _close(uow, ask, status, reason or "the session was cancelled", _now())
        return
    ask.status = status
    ask.updated_at = _now()
    uow.session.add(ask)


async def list_mentors(
    runtime: Runtime, caller: Principal, skill: str | None, limit: int, offset: int
) -> tuple[list[DirectoryEntry], int | None]:
    """The directory as the caller's org sees it: its own org-only mentors and every consortium mentor."""
    org_id = _mentee_org(caller)
    async with runtime.stores.session(org_id) as own:
        entries = {
            e.mentor_id: e for e in (await own.exec(select(DirectoryEntry))).all() if e.org_id == org_id
        }
    async with runtime.stores.session(CONSORTIUM) as consortium:
        for entry in (await consortium.exec(select(DirectoryEntry))).all():
            entries.setdefault(entry.mentor_id, entry)
    found = sorted(entries.values(), key=lambda e: (e.card.get("display_name", ""), e.mentor_id))
    if skill:
        found = [e for e in found if domain.skill_match(skill, _candidate(e).skills)]
    return page(found[offset : offset + limit + 1], limit, offset)


async def my_data(runtime: Runtime, caller: Principal) -> dict[str, Any]:
    """The caller's asks with their proposals, and the cards of theirs the directory holds."""
    org_id = _mentee_org(caller)
    async with runtime.stores.session(org_id) as own, runtime.stores.session(CONSORTIUM) as consortium:
        asks = (await own.exec(select(Ask).where(Ask.mentee_id == caller.subject))).all()
        cards = []
        for db in (own, consortium):
            mentor = await db.get(DirectoryEntry, caller.subject)
            person = await db.get(PersonCardEntry, caller.subject)
            if mentor is not None:
                cards.append({"kind": "mentor card", "scope": mentor.scope, "card": mentor.card})
            if person is not None:
                cards.append({"kind": "person card", "scope": person.scope, "card": person.card})
        return {
            "asks": [AskOut.of(a, await _proposals(own, a.id)).model_dump(mode="json") for a in asks],
            "cards": cards,
        }
