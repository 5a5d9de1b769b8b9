from __future__ import annotations

from datetime import UTC, datetime, timedelta

from feedback.domain import impact, quarter_of
from feedback.models import AskFact, FeedbackFact, SessionRecord

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def ask(ask_id: str, org: str = "org_a", wait_minutes: float | None = 10) -> AskFact:
    created = NOW - timedelta(days=1)
    proposed = created + timedelta(minutes=wait_minutes) if wait_minutes is not None else None
    return AskFact(ask_id=ask_id, org_id=org, created_at=created, first_proposed_at=proposed)


def session(
    sid: str,
    mentor: tuple[str, str],
    mentee: tuple[str, str],
    status: str = "completed",
    when: datetime = NOW,
) -> SessionRecord:
    return SessionRecord(
        session_id=sid, ask_id=f"ask_{sid}", mentor_id=mentor[0], mentor_org_id=mentor[1],
        mentee_id=mentee[0], mentee_org_id=mentee[1], status=status,
        completed_at=when if status == "completed" else None,
    )  # fmt: skip


def feedback(fid: str, role: str, rating: int, resolved: str) -> FeedbackFact:
    return FeedbackFact(
        feedback_id=fid, session_id="s", author_role=role, rating=rating, resolved=resolved, submitted_at=NOW
    )


def test_figures_from_a_known_history() -> None:
    asks = [
        ask("1", wait_minutes=5),
        ask("2", wait_minutes=15),
        ask("3", wait_minutes=None),
        ask("4", wait_minutes=25),
    ]
    sessions = [
        session("s1", ("mia", "org_b"), ("ann", "org_a")),
        session("s2", ("mia", "org_b"), ("bob", "org_a")),
        session("s3", ("mia", "org_b"), ("ann", "org_b")),
        session("s4", ("kim", "org_a"), ("ann", "org_a")),
        session("s5", ("kim", "org_a"), ("bob", "org_a"), status="cancelled"),
    ]
    fb = [
        feedback("f1", "mentee", 5, "yes"),
        feedback("f2", "mentor", 4, "partly"),
        feedback("f3", "mentee", 3, "no"),
    ]
    figures = impact("consortium", asks, sessions, fb, NOW)
    assert figures.asks_created == 4
    assert figures.share_of_asks_with_a_proposal == 0.75
    assert figures.median_minutes_to_first_proposal == 15
    assert figures.sessions_completed == 4
    assert figures.resolved.model_dump() == {"yes": 1, "partly": 0, "no": 1}  # the mentees' answers
    assert figures.average_rating == 4.0
    assert figures.share_of_sessions_across_orgs == 0.5
    assert figures.people_with_three_or_more_interactions_this_quarter == 2  # mia (3) and ann (3)
    assert figures.quarter == "2026-Q4"


def test_an_orgs_view_counts_only_its_own_people() -> None:
    sessions = [session(f"s{i}", ("mia", "org_b"), (f"p{i}", "org_a")) for i in range(3)]
    assert (
        impact(
            "org_a", [], sessions, [], NOW, org_id="org_a"
        ).people_with_three_or_more_interactions_this_quarter
        == 0
    )
    assert (
        impact(
            "org_b", [], sessions, [], NOW, org_id="org_b"
        ).people_with_three_or_more_interactions_this_quarter
        == 1
    )


def test_interactions_from_another_quarter_do_not_count() -> None:
    last_quarter = NOW - timedelta(days=100)
    sessions = [session(f"s{i}", ("mia", "org_b"), ("ann", "org_a"), when=last_quarter) for i in range(3)]
    assert impact("c", [], sessions, [], NOW).people_with_three_or_more_interactions_this_quarter == 0


def test_no_history_gives_no_ratios_rather_than_zero() -> None:
    figures = impact("consortium", [], [], [], NOW)
    assert figures.share_of_asks_with_a_proposal is None
    assert figures.average_rating is None
    assert figures.median_minutes_to_first_proposal is None


def test_quarters() -> None:
    assert [quarter_of(datetime(2026, m, 1)) for m in (1, 3, 4, 12)] == [
        "2026-Q1",
        "2026-Q1",
        "2026-Q2",
        "2026-Q4",
    ]
