"""Proposing: the best mentor not yet asked for an open ask (then the next, when one declines or lets the
offer expire), with the free time both share; and the ask following what becomes of its proposals."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import String, bindparam
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from matching import domain
from matching.availability import Interval
from matching.config import MatchingSettings
from matching.models import Ask, BusyTime, Proposal, person_card
from matching.retrieval import MenteeCards, ask_facts, rank_for
from mentornet_common.contracts import AskClosed, DurationMinutes, MatchProposed, TimeRange
from mentornet_common.erasure import erased_among
from mentornet_common.unit_of_work import UnitOfWork

OPEN_STATUSES = ("open", "proposed")


def utc_now() -> datetime:
    return datetime.now(UTC)


# Built once (each ask runs them): building a statement cost more than running it.
_PROPOSALS = (
    select(Proposal).where(col(Proposal.ask_id) == bindparam("ask_id")).order_by(col(Proposal.created_at))
)
_PEOPLE = bindparam("people", expanding=True, type_=String())
_BUSY = select(BusyTime.start_at, BusyTime.end_at).where(
    or_(col(BusyTime.mentor_id).in_(_PEOPLE), col(BusyTime.mentee_id).in_(_PEOPLE)),
    col(BusyTime.end_at) > bindparam("now"),
)


async def proposals_of(session: AsyncSession, ask_id: str) -> list[Proposal]:
    return list((await session.exec(_PROPOSALS, params={"ask_id": ask_id})).all())


def _settings(uow: UnitOfWork) -> MatchingSettings:
    return uow.settings.as_(MatchingSettings)


async def propose_next(uow: UnitOfWork, ask_id: str) -> Proposal | None:
    """Propose the best mentor not yet asked; close the ask with a reason when nobody is left."""
    ask = await uow.session.get(Ask, ask_id)
    if ask is None or ask.status not in OPEN_STATUSES:
        return None
    if await erased_among(uow.session, [ask.mentee_id]):
        # Its mentee was erased here before this event arrived (a late ask-created, a decline, an ask written
        # just after the erasure): nobody is offered a session with someone who is gone. The ask keeps its
        # status, as the erasure leaves every ask of theirs.
        return None
    earlier = await proposals_of(uow.session, ask.id)
    if any(p.status == "proposed" for p in earlier):
        return None  # one open offer at a time
    settings = _settings(uow)
    now = utc_now()
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
        rows = (await consortium.exec(_BUSY, params={"people": people, "now": now})).all()
    busy = [Interval(start, end) for start, end in rows]
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
        proposal.updated_at = utc_now()
        uow.session.add(proposal)
    return proposal


async def follow_session(uow: UnitOfWork, ask_id: str, status: str, reason: str | None = None) -> None:
    """The ask's status follows its session: scheduled, completed, or cancelled."""
    ask = await uow.session.get(Ask, ask_id)
    if ask is None or ask.status == status:
        return
    if status == "cancelled":
        _close(uow, ask, status, reason or "the session was cancelled", utc_now())
        return
    ask.status = status
    ask.updated_at = utc_now()
    uow.session.add(ask)
