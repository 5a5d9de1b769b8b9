"""``GET /v1/matching/figures``: how matching did in a quarter, for an org (org_admin) or everyone
(operator) — asks matched, time to the first proposal, answers, expiries, cross-org and reverse
mentoring. Counted from the asks and proposals in each org's own store; only counts leave it."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime

from sqlmodel import col, select

from matching.models import Ask, FiguresOut, MatchingFigures, Proposal, ReverseMentoring
from mentornet_common.auth import Principal, admin_scope
from mentornet_common.periods import quarter_bounds, quarter_of
from mentornet_common.runtime import Runtime
from mentornet_common.tenancy import CONSORTIUM


async def figures(runtime: Runtime, caller: Principal, quarter: str | None) -> FiguresOut:
    quarter = quarter or quarter_of(datetime.now(UTC))
    start, end = quarter_bounds(quarter)
    own = admin_scope(caller)
    orgs = [own] if own else [t for t in await runtime.stores.tenants() if t != CONSORTIUM]
    per_org: list[tuple[str, list[Ask], list[Proposal]]] = []
    for org_id in orgs:
        async with runtime.stores.session(org_id) as db:
            asks = list(
                (
                    await db.exec(select(Ask).where(col(Ask.created_at) >= start, col(Ask.created_at) < end))
                ).all()
            )
            proposals = (
                list(
                    (
                        await db.exec(select(Proposal).where(col(Proposal.ask_id).in_([a.id for a in asks])))
                    ).all()
                )
                if asks
                else []
            )
        per_org.append((org_id, asks, proposals))
    every_ask = [a for _, asks, _ in per_org for a in asks]
    every_proposal = [p for _, _, proposals in per_org for p in proposals]
    mentee_org = {a.id: a.mentee_org_id for a in every_ask}
    total = _count(
        "consortium" if caller.is_operator else orgs[0], quarter, every_ask, every_proposal, mentee_org
    )
    breakdown = (
        [_count(org, quarter, a, p, mentee_org) for org, a, p in per_org] if caller.is_operator else []
    )
    return FiguresOut(**total.model_dump(), orgs=breakdown)


def _count(
    scope: str, quarter: str, asks: list[Ask], proposals: list[Proposal], mentee_org: dict[str, str]
) -> MatchingFigures:
    by_status: dict[str, int] = {}
    for p in proposals:
        by_status[p.status] = by_status.get(p.status, 0) + 1
    accepted = [p for p in proposals if p.status == "accepted"]
    waits = [
        (a.first_proposed_at - a.created_at).total_seconds() / 60
        for a in asks
        if a.first_proposed_at is not None
    ]
    reverse_accepted = sum(1 for p in accepted if p.reverse_mentoring)
    return MatchingFigures(
        scope=scope,
        quarter=quarter,
        asks=len(asks),
        asks_proposed_a_mentor=len(waits),
        asks_closed_without_a_mentor=sum(1 for a in asks if a.status == "expired"),
        median_minutes_to_first_proposal=round(statistics.median(waits), 2) if waits else None,
        proposals=len(proposals),
        accepted=len(accepted),
        declined=by_status.get("declined", 0),
        expired=by_status.get("expired", 0),
        open=by_status.get("proposed", 0),
        cross_org_share_of_accepted=_share(
            sum(1 for p in accepted if p.mentor_org_id != mentee_org.get(p.ask_id)), len(accepted)
        ),
        reverse_mentoring=ReverseMentoring(
            proposed=sum(1 for p in proposals if p.reverse_mentoring),
            accepted=reverse_accepted,
            share_of_accepted=_share(reverse_accepted, len(accepted)),
        ),
    )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
