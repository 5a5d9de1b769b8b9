"""Impact figures computed from a known, seeded history (pure: no store)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from feedback.domain import impact, impact_csv
from feedback.models import AskFact, FeedbackFact, FollowUpFact, SessionRecord

Q = "2026-Q4"
MON_W48 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday of ISO week 2026-W48
A, B, C = "org_a", "org_b", "org_c"


def ask(ask_id: str, org: str = A, at: datetime = MON_W48, wait_minutes: float | None = 10) -> AskFact:
    proposed = at + timedelta(minutes=wait_minutes) if wait_minutes is not None else None
    return AskFact(ask_id=ask_id, org_id=org, created_at=at, first_proposed_at=proposed)


def session(
    sid: str, mentor: tuple[str, str], mentee: tuple[str, str], status: str = "completed",
    at: datetime = MON_W48, reverse: bool = False,
) -> SessionRecord:  # fmt: skip
    return SessionRecord(
        session_id=sid, ask_id=f"ask_{sid}", mentor_id=mentor[0], mentor_org_id=mentor[1],
        mentee_id=mentee[0], mentee_org_id=mentee[1], status=status,
        completed_at=at if status == "completed" else None, ended_at=at if status != "scheduled" else None,
        reverse_mentoring=reverse,
    )  # fmt: skip


def answer(
    fid: str, role: str, rating: int, resolved: str, at: datetime = MON_W48, prep: int | None = None
) -> FeedbackFact:
    return FeedbackFact(
        feedback_id=fid, session_id="s", author_role=role, rating=rating, resolved=resolved, submitted_at=at,
        preparation=prep,
    )  # fmt: skip


def follow_up(fid: str, resolved: str, at: datetime = MON_W48) -> FollowUpFact:
    return FollowUpFact(follow_up_id=fid, session_id="s", resolved=resolved, recorded_at=at)


ANN, BOB, MIA, NED, ZOE = ("ann", A), ("bob", A), ("mia", B), ("ned", B), ("zoe", C)
HISTORY = {
    "asks": [
        ask("1", wait_minutes=4),
        ask("2", wait_minutes=6),
        ask("3", wait_minutes=None),
        ask("4", org=B, wait_minutes=30),
        ask("old", at=datetime(2026, 8, 1, tzinfo=UTC)),
    ],
    "sessions": [
        session("s1", MIA, ANN),
        session("s2", MIA, ANN, at=MON_W48 + timedelta(days=7)),
        session("s3", MIA, ANN, at=MON_W48 + timedelta(days=8), reverse=True),
        session("s4", ANN, BOB),
        session("s5", ZOE, BOB),
        session("s6", MIA, BOB, status="no_show"),
        session("s7", NED, ANN, status="cancelled"),
        session("s8", MIA, ANN, status="scheduled"),
        session("q3", MIA, ANN, at=datetime(2026, 9, 30, 23, tzinfo=UTC)),
    ],
    "feedback": [
        answer("f1", "mentee", 5, "yes"),
        answer("f2", "mentor", 4, "partly", prep=4),
        answer("f3", "mentee", 3, "partly"),
        answer("f4", "mentee", 4, "no"),
        answer("f5", "mentor", 5, "yes", prep=2),
    ],
    "follow_ups": [follow_up("u1", "yes"), follow_up("u2", "yes"), follow_up("u3", "partly")],
}


def figures(org_id: str | None = None, quarter: str = Q):  # type: ignore[no-untyped-def]
    return impact(org_id or "consortium", quarter, HISTORY["asks"], HISTORY["sessions"], HISTORY["feedback"],
                  HISTORY["follow_ups"], org_id)  # fmt: skip


def test_the_consortium_figures_for_a_quarter() -> None:
    f = figures()
    assert (f.asks_created, f.share_of_asks_with_a_proposal, f.median_minutes_to_first_proposal) == (
        4,
        0.75,
        6.0,
    )
    assert f.sessions_completed == 5  # s1-s5 (q3 belongs to the previous quarter)
    assert (f.unique_mentees, f.unique_mentors) == (2, 3)  # ann, bob / mia, ann, zoe
    # interactions: mia 3, ann 3 + 1, bob 2, zoe 1 -> 10 over 4 people; two with 3 or more
    assert (f.interactions_per_participant, f.share_of_participants_with_three_or_more) == (2.5, 0.5)
    assert f.people_with_three_or_more_interactions_this_quarter == 2
    # ended in the quarter: 5 completed, 1 no-show, 1 cancelled
    assert (f.completion_rate, f.no_show_rate) == (round(5 / 7, 4), round(1 / 7, 4))
    assert f.resolved.model_dump() == {"yes": 1, "partly": 1, "no": 1}
    assert f.resolution_rate_from_feedback == round(1 / 3, 4)
    assert (f.follow_ups_recorded, f.resolution_rate_from_follow_ups) == (3, round(2 / 3, 4))
    assert (f.average_rating, f.average_preparation) == (4.2, 3.0)
    assert f.share_of_sessions_across_orgs == 0.8  # s4: ann mentors bob inside org_a
    assert f.reverse_mentoring_share == 0.2
    reciprocity = {r.org_id: (r.sessions_given, r.sessions_received, r.balance) for r in f.reciprocity}
    assert reciprocity == {A: (1, 5, -4), B: (3, 0, 3), C: (1, 0, 1)}


def test_the_weekly_series_covers_every_week_of_the_quarter() -> None:
    weeks = figures().weekly
    assert weeks[0].week == "2026-W40" and weeks[0].starts_on.isoformat() == "2026-09-28"
    assert weeks[-1].week == "2026-W53"
    assert len(weeks) == 14
    w48 = next(w for w in weeks if w.week == "2026-W48")
    w49 = next(w for w in weeks if w.week == "2026-W49")
    assert (w48.asks_created, w48.sessions_completed, w48.unique_participants, w48.average_rating) == (
        4,
        3,
        4,
        4.2,
    )
    assert (w49.sessions_completed, w49.unique_participants, w49.average_rating) == (2, 2, None)
    assert (w48.median_minutes_to_first_proposal, w49.median_minutes_to_first_proposal) == (6.0, None)
    assert sum(w.sessions_completed for w in weeks) == 5


def test_an_orgs_view_counts_only_its_own_people() -> None:
    a_sessions = [s for s in HISTORY["sessions"] if A in (s.mentor_org_id, s.mentee_org_id)]
    f = impact(A, Q, [a for a in HISTORY["asks"] if a.org_id == A], a_sessions, [], [], A)
    assert (f.unique_mentees, f.unique_mentors) == (2, 1)  # ann and bob were mentored; ann mentored bob
    assert [(r.org_id, r.sessions_given, r.sessions_received) for r in f.reciprocity] == [(A, 1, 5)]
    assert f.asks_created == 3


def test_another_quarter_sees_only_its_own_events() -> None:
    f = figures(quarter="2026-Q3")
    assert (f.asks_created, f.sessions_completed, f.unique_mentees) == (1, 1, 1)
    assert f.weekly[0].week == "2026-W27"


def test_no_history_gives_no_ratios_rather_than_zero() -> None:
    f = impact("consortium", Q, [], [], [], [])
    assert f.share_of_asks_with_a_proposal is None and f.completion_rate is None
    assert f.average_rating is None and f.resolution_rate_from_follow_ups is None
    assert f.sessions_completed == 0 and f.reciprocity == []


def test_the_csv_holds_every_figure_one_per_row() -> None:
    rows = list(csv.DictReader(io.StringIO(impact_csv(figures()))))
    summary = {r["figure"]: r["value"] for r in rows if r["period"] == "quarter"}
    assert summary["sessions_completed"] == "5" and summary["resolved_yes"] == "1"
    assert summary["median_minutes_to_first_proposal"] == "6.0"
    assert {r["period"] for r in rows} >= {"quarter", "org org_a", "2026-W48"}
    assert all(r["scope"] == "consortium" and r["quarter"] == Q for r in rows)
