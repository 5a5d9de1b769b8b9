"""Impact figures from the facts a store holds: pure arithmetic, no I/O.

A figure belongs to the quarter its event happened in: an ask to the quarter it was created, a session
to the quarter it was completed (or ended, for completion and no-show rates), an answer to the quarter
it was given. For an org, "people" are the org's own people; the consortium counts everyone.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import Any

from feedback.models import (
    AskFact,
    FeedbackFact,
    FollowUpFact,
    Impact,
    Reciprocity,
    ResolvedSplit,
    SessionRecord,
    WeekFigures,
)
from mentornet_common.downloads import csv_text
from mentornet_common.periods import quarter_bounds

INTERACTIONS_THAT_COUNT = 3


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _weeks(start: datetime, end: datetime) -> list[date]:
    """The Mondays of the ISO weeks that overlap [start, end)."""
    monday = start.date() - timedelta(days=start.weekday())
    found = []
    while monday < end.date():
        found.append(monday)
        monday += timedelta(days=7)
    return found


def impact(
    scope: str,
    quarter: str,
    asks: list[AskFact],
    sessions: list[SessionRecord],
    feedback: list[FeedbackFact],
    follow_ups: list[FollowUpFact],
    org_id: str | None = None,
) -> Impact:
    """The figures for one org (``org_id``: only its own people count as people) or the consortium."""
    start, end = quarter_bounds(quarter)

    def within(moment: datetime | None) -> bool:
        return moment is not None and start <= moment < end

    asks_in = [a for a in asks if within(a.created_at)]
    proposed = [a for a in asks_in if a.first_proposed_at is not None]
    completed = [s for s in sessions if s.status == "completed" and within(s.completed_at)]
    ended = [s for s in sessions if s.status in ("completed", "cancelled", "no_show") and within(s.ended_at)]
    answers = [f for f in feedback if within(f.submitted_at)]
    mentee_answers = Counter(f.resolved for f in answers if f.author_role == "mentee")
    followed = [f for f in follow_ups if within(f.recorded_at)]

    mentees, mentors = _people(completed, org_id)
    interactions = Counter(mentees) + Counter(mentors)
    participants = len(interactions)
    heavy = sum(1 for n in interactions.values() if n >= INTERACTIONS_THAT_COUNT)

    return Impact(
        scope=scope,
        quarter=quarter,
        asks_created=len(asks_in),
        share_of_asks_with_a_proposal=_share(len(proposed), len(asks_in)),
        median_minutes_to_first_proposal=_median_wait(asks_in),
        sessions_completed=len(completed),
        unique_mentees=len(set(mentees)),
        unique_mentors=len(set(mentors)),
        interactions_per_participant=_share(sum(interactions.values()), participants),
        share_of_participants_with_three_or_more=_share(heavy, participants),
        people_with_three_or_more_interactions_this_quarter=heavy,
        completion_rate=_share(sum(1 for s in ended if s.status == "completed"), len(ended)),
        no_show_rate=_share(sum(1 for s in ended if s.status == "no_show"), len(ended)),
        resolved=ResolvedSplit(
            yes=mentee_answers["yes"], partly=mentee_answers["partly"], no=mentee_answers["no"]
        ),
        resolution_rate_from_feedback=_share(mentee_answers["yes"], sum(mentee_answers.values())),
        follow_ups_recorded=len(followed),
        resolution_rate_from_follow_ups=_share(
            sum(1 for f in followed if f.resolved == "yes"), len(followed)
        ),
        average_rating=_mean([f.rating for f in answers]),
        average_preparation=_mean([f.preparation for f in answers if f.preparation is not None]),
        share_of_sessions_across_orgs=_share(
            sum(1 for s in completed if s.mentor_org_id != s.mentee_org_id), len(completed)
        ),
        reverse_mentoring_share=_share(sum(1 for s in completed if s.reverse_mentoring), len(completed)),
        reciprocity=_reciprocity(completed, org_id),
        weekly=_weekly(start, end, asks_in, completed, answers, org_id),
    )


def _median_wait(asks: list[AskFact]) -> float | None:
    """The median minutes from an ask to its first proposal, of those that had one."""
    waits = [(a.first_proposed_at - a.created_at).total_seconds() / 60 for a in asks if a.first_proposed_at]
    return round(median(waits), 2) if waits else None


def _people(completed: list[SessionRecord], org_id: str | None) -> tuple[list[str], list[str]]:
    """One entry per session per participant (mentees, mentors), only the org's own people for an org."""
    mentees = [s.mentee_id for s in completed if org_id is None or s.mentee_org_id == org_id]
    mentors = [s.mentor_id for s in completed if org_id is None or s.mentor_org_id == org_id]
    return mentees, mentors


def _reciprocity(completed: list[SessionRecord], org_id: str | None) -> list[Reciprocity]:
    given = Counter(s.mentor_org_id for s in completed)
    received = Counter(s.mentee_org_id for s in completed)
    orgs = sorted(set(given) | set(received)) if org_id is None else [org_id]
    return [
        Reciprocity(
            org_id=o, sessions_given=given[o], sessions_received=received[o], balance=given[o] - received[o]
        )
        for o in orgs
    ]


def _weekly(
    start: datetime,
    end: datetime,
    asks: list[AskFact],
    completed: list[SessionRecord],
    answers: list[FeedbackFact],
    org_id: str | None,
) -> list[WeekFigures]:
    """Each ISO week's figures (the first and last cut at the quarter's bounds). Every row is in the quarter
    already, so each falls in the week of its own Monday: one pass over the rows, not one a week."""
    by_week: dict[date, tuple[list[AskFact], list[SessionRecord], list[FeedbackFact]]] = {
        monday: ([], [], []) for monday in _weeks(start, end)
    }

    def week_of(moment: datetime) -> date:
        day = moment.astimezone(UTC).date()
        return day - timedelta(days=day.weekday())

    for ask in asks:
        by_week[week_of(ask.created_at)][0].append(ask)
    for session in completed:
        assert session.completed_at is not None  # completed in the quarter
        by_week[week_of(session.completed_at)][1].append(session)
    for answer in answers:
        by_week[week_of(answer.submitted_at)][2].append(answer)
    weeks = []
    for monday, (asked, done, answered) in by_week.items():
        mentees, mentors = _people(done, org_id)
        iso = monday.isocalendar()
        weeks.append(
            WeekFigures(
                week=f"{iso.year}-W{iso.week:02d}",
                starts_on=monday,
                asks_created=len(asked),
                sessions_completed=len(done),
                unique_participants=len(set(mentees) | set(mentors)),
                average_rating=_mean([f.rating for f in answered]),
                median_minutes_to_first_proposal=_median_wait(asked),
            )
        )
    return weeks


def impact_csv(figures: Impact) -> str:
    """Long form — one figure per row (scope, quarter, period, figure, value) — so spreadsheets pivot it."""
    rows: list[list[Any]] = [["scope", "quarter", "period", "figure", "value"]]
    row = figures.model_dump(exclude={"scope", "quarter", "reciprocity", "weekly", "resolved"})
    for name, value in row.items():
        rows.append([figures.scope, figures.quarter, "quarter", name, value])
    for answer, count in figures.resolved.model_dump().items():
        rows.append([figures.scope, figures.quarter, "quarter", f"resolved_{answer}", count])
    for org in figures.reciprocity:
        for name in ("sessions_given", "sessions_received", "balance"):
            rows.append([figures.scope, figures.quarter, f"org {org.org_id}", name, getattr(org, name)])
    for week in figures.weekly:
        for name, value in week.model_dump(exclude={"week", "starts_on"}).items():
            rows.append([figures.scope, figures.quarter, week.week, name, value])
    return csv_text(rows)
