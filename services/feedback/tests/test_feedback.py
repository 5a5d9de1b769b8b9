from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from feedback.handlers import HANDLERS
from mentornet_common.consumer import Consumer
from mentornet_common.contracts import AskCreated, FeedbackSubmitted, MatchProposed, SessionCompleted
from mentornet_common.envelope import Envelope
from mentornet_common.kafka import ensure_topics
from mentornet_devkit.testing import (
    as_record,
    deliver,
    eventually,
    outbox_events,
    produce,
    redeliver,
    register,
)

from .conftest import MENTEE, MENTOR, FeedbackService


async def test_both_participants_give_feedback_once(feedback: FeedbackService) -> None:
    await feedback.completed("ses_1")
    mentee = await feedback.give(MENTEE, "ses_1", rating=5, resolved="yes")
    assert mentee.status_code == 201
    assert mentee.json()["author_role"] == "mentee"
    mentor = await feedback.give(MENTOR, "ses_1", rating=4, resolved="partly")
    assert (mentor.status_code, mentor.json()["author_role"]) == (201, "mentor")
    again = await feedback.give(MENTEE, "ses_1")
    assert again.status_code == 409


async def test_feedback_waits_for_the_session_to_be_completed(feedback: FeedbackService) -> None:
    await feedback.scheduled("ses_1")
    assert (await feedback.give(MENTEE, "ses_1")).status_code == 409


async def test_only_participants_give_feedback(feedback: FeedbackService) -> None:
    await feedback.completed("ses_1")
    assert (await feedback.give(("usr_colleague", "org_a"), "ses_1")).status_code == 404
    assert (await feedback.give(("usr_ann", "org_c"), "ses_1")).status_code == 404
    assert (await feedback.give(MENTEE, "ses_unknown")).status_code == 404


@pytest.mark.parametrize(
    "change, field",
    [
        ({"rating": 6}, "body.rating"),
        ({"rating": 0}, "body.rating"),
        ({"resolved": "maybe"}, "body.resolved"),
        ({"learned": "x" * 2001}, "body.learned"),
        ({"session_id": ""}, "body.session_id"),
    ],
)
async def test_invalid_feedback_is_refused_naming_the_field(
    feedback: FeedbackService, change: dict[str, object], field: str
) -> None:
    body = {"session_id": "ses_1", "rating": 5, "resolved": "yes", **change}
    response = await feedback.http.post("/v1/feedback", json=body, headers=feedback.as_user(MENTEE))
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_the_event_carries_ids_and_answers_but_no_free_text(feedback: FeedbackService) -> None:
    await feedback.completed("ses_1")
    await feedback.give(MENTEE, "ses_1", learned="my private notes", comment="thanks")
    ce_type, payload = (await outbox_events(feedback.runtime, "org_a"))[-1]
    assert ce_type == "mentornet.feedback-submitted.v1"
    assert payload["session_id"] == "ses_1" and payload["mentor_org_id"] == "org_b"
    assert "my private notes" not in json.dumps(payload)


async def test_impact_for_an_org_admin_and_for_the_operator(feedback: FeedbackService) -> None:
    created = datetime.now(UTC) - timedelta(minutes=30)
    ask = AskCreated(
        ask_id="ask_ses_1", mentee_id="usr_ann", mentee_org_id="org_a", skills=["x"], duration_minutes=30,
        scope="consortium", created_at=created,
    )  # fmt: skip
    await deliver(feedback.worker, ask, "org_a")
    proposed = MatchProposed(
        proposal_id="prp_1", ask_id="ask_ses_1", mentee_id="usr_ann", mentee_org_id="org_a",
        mentor_id="usr_mia", mentor_org_id="org_b", score=0.9, reasons=[], question="q", background="",
        success_criteria="", skills=["x"], duration_minutes=30, proposed_at=created + timedelta(minutes=4),
    )  # fmt: skip
    await deliver(feedback.worker, proposed, "org_a")
    await feedback.completed("ses_1")
    await feedback.give(MENTEE, "ses_1", rating=5, resolved="yes")
    await redeliver(
        feedback.worker, Envelope.new(_submitted(await outbox_events(feedback.runtime, "org_a")), "org_a")
    )

    org = (
        await feedback.http.get("/v1/impact", headers=feedback.as_user(("usr_admin", "org_a"), "org_admin"))
    ).json()
    assert org["scope"] == "org_a"
    assert (org["asks_created"], org["sessions_completed"], org["average_rating"]) == (1, 1, 5.0)
    assert org["median_minutes_to_first_proposal"] == 4.0
    assert org["resolved"] == {"yes": 1, "partly": 0, "no": 0}
    assert org["share_of_sessions_across_orgs"] == 1.0

    operator = (
        await feedback.http.get("/v1/impact", headers=feedback.tokens.headers("usr_ops", None, ["operator"]))
    ).json()
    assert (operator["scope"], operator["sessions_completed"], operator["asks_created"]) == (
        "consortium",
        1,
        1,
    )

    mentor_org = (
        await feedback.http.get("/v1/impact", headers=feedback.as_user(("usr_boss", "org_b"), "org_admin"))
    ).json()
    assert (mentor_org["asks_created"], mentor_org["sessions_completed"]) == (0, 1)

    member = await feedback.http.get("/v1/impact", headers=feedback.as_user(MENTEE))
    assert member.status_code == 403


async def test_a_proposal_that_arrives_before_its_ask_still_counts(feedback: FeedbackService) -> None:
    """ask-created and match-proposed travel on different topics: either may be handled first."""
    created = datetime.now(UTC) - timedelta(minutes=10)
    proposed = MatchProposed(
        proposal_id="prp_2", ask_id="ask_2", mentee_id="usr_ann", mentee_org_id="org_a",
        mentor_id="usr_mia", mentor_org_id="org_b", score=0.9, reasons=[], question="q", background="",
        success_criteria="", skills=["x"], duration_minutes=30, proposed_at=created + timedelta(minutes=2),
    )  # fmt: skip
    await deliver(feedback.worker, proposed, "org_a")
    ask = AskCreated(
        ask_id="ask_2", mentee_id="usr_ann", mentee_org_id="org_a", skills=["x"], duration_minutes=30,
        scope="consortium", created_at=created,
    )  # fmt: skip
    await deliver(feedback.worker, ask, "org_a")
    org = (
        await feedback.http.get("/v1/impact", headers=feedback.as_user(("usr_admin", "org_a"), "org_admin"))
    ).json()
    assert org["asks_created"] == 1 and org["share_of_asks_with_a_proposal"] == 1.0
    assert org["median_minutes_to_first_proposal"] == 2.0


def _submitted(events: list[tuple[str, dict[str, object]]]) -> FeedbackSubmitted:
    return FeedbackSubmitted.model_validate(
        next(p for t, p in reversed(events) if t == FeedbackSubmitted.ce_type())
    )


async def test_session_completed_delivered_twice_through_the_broker_counts_once(
    feedback: FeedbackService,
) -> None:
    settings = feedback.runtime.settings
    await ensure_topics(settings, partitions=1)
    await register(feedback.runtime, "org_a", "org_b")
    now = datetime.now(UTC)
    envelope = Envelope.new(
        SessionCompleted(**feedback.ids("ses_9"), completed_by="usr_mia", completed_at=now), "org_a"
    )
    worker = Consumer(feedback.runtime, "feedback-live", HANDLERS)
    await worker.start()
    try:
        await produce(
            settings.kafka_bootstrap_servers, settings.topic("mentornet.sessions"), [as_record(envelope)] * 2
        )

        async def both_handled() -> bool:
            return worker.processed >= 2

        await eventually(both_handled, what="both deliveries handled")
    finally:
        await worker.stop()
    operator = (
        await feedback.http.get("/v1/impact", headers=feedback.tokens.headers("usr_ops", None, ["operator"]))
    ).json()
    assert operator["sessions_completed"] == 1
    assert (await feedback.give(MENTEE, "ses_9")).status_code == 201
