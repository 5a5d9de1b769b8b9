"""Impact figures from the facts a store holds: pure arithmetic, no I/O."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from statistics import median

from feedback.models import AskFact, FeedbackFact, Impact, ResolvedSplit, SessionRecord

INTERACTIONS_THAT_COUNT = 3


def quarter_of(moment: datetime) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def impact(
    scope: str,
    asks: list[AskFact],
    sessions: list[SessionRecord],
    feedback: list[FeedbackFact],
    now: datetime,
    org_id: str | None = None,
) -> Impact:
    """The figures for one org (``org_id``: only its own people count as people) or the consortium."""
    proposed = [a for a in asks if a.first_proposed_at is not None]
    waits = [
        (a.first_proposed_at - a.created_at).total_seconds() / 60 for a in proposed if a.first_proposed_at
    ]
    completed = [s for s in sessions if s.status == "completed"]
    mentee_answers = Counter(f.resolved for f in feedback if f.author_role == "mentee")
    quarter = quarter_of(now)
    interactions: Counter[str] = Counter()
    for session in completed:
        if session.completed_at is None or quarter_of(session.completed_at) != quarter:
            continue
        for person, org in (
            (session.mentor_id, session.mentor_org_id),
            (session.mentee_id, session.mentee_org_id),
        ):
            if org_id is None or org == org_id:
                interactions[person] += 1
    return Impact(
        scope=scope,
        asks_created=len(asks),
        share_of_asks_with_a_proposal=_share(len(proposed), len(asks)),
        median_minutes_to_first_proposal=round(median(waits), 2) if waits else None,
        sessions_completed=len(completed),
        resolved=ResolvedSplit(
            yes=mentee_answers["yes"], partly=mentee_answers["partly"], no=mentee_answers["no"]
        ),
        average_rating=round(sum(f.rating for f in feedback) / len(feedback), 2) if feedback else None,
        share_of_sessions_across_orgs=_share(
            sum(1 for s in completed if s.mentor_org_id != s.mentee_org_id), len(completed)
        ),
        people_with_three_or_more_interactions_this_quarter=sum(
            1 for n in interactions.values() if n >= INTERACTIONS_THAT_COUNT
        ),
        quarter=quarter,
    )
