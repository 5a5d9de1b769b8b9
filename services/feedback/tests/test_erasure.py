"""Erasure against events that arrive after it.

``user-erased`` travels on identity's topic and nothing orders it with feedback's own events: the person's
feedback or follow-up, published just before they were erased, can reach the other participant's org after
the erasure there. What such a late event carries must not stay.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from feedback.models import ReceivedFeedback, SessionText, SharedFollowUp
from mentornet_common.contracts import (
    FeedbackSubmitted,
    FollowUpRecorded,
    MatchProposed,
    SharedFeedback,
    UserErased,
)
from mentornet_common.envelope import Envelope
from mentornet_devkit.testing import Record, deliver

from .conftest import MENTEE, MENTOR, FeedbackService

WORDS = ("lateword-learned", "lateword-comment", "lateword-did")


async def test_feedback_arriving_after_its_authors_erasure_leaves_no_words_in_the_other_org(
    feedback: FeedbackService,
) -> None:
    await feedback.completed("ses_late")
    now = datetime.now(UTC)
    await deliver(feedback.worker, UserErased(user_id=MENTEE[0], org_id=MENTEE[1], erased_at=now), MENTEE[1])
    shown = SharedFeedback(rating=5, learned=WORDS[0], comment=WORDS[1])
    late_feedback = FeedbackSubmitted(
        **feedback.ids("ses_late"), feedback_id="fb_late", author_id=MENTEE[0], author_role="mentee",
        rating=5, resolved="yes", submitted_at=now, shared=shown,
    )  # fmt: skip
    late_follow_up = FollowUpRecorded(
        **feedback.ids("ses_late"), follow_up_id="fu_late", resolved="yes", recorded_at=now,
        shared_with_mentor=True, what_i_did=WORDS[2],
    )  # fmt: skip
    await deliver(feedback.worker, late_feedback, MENTEE[1])
    await deliver(feedback.worker, late_follow_up, MENTEE[1])

    # The mentor is shown nothing of hers, and the mentor's org keeps nothing of hers.
    mentor = feedback.as_user(MENTOR)
    received = (await feedback.http.get("/v1/feedback/received", headers=mentor)).json()
    follow_ups = (await feedback.http.get("/v1/follow-ups", headers=mentor)).json()
    assert (received["items"], follow_ups["items"]) == ([], [])
    async with feedback.runtime.stores.session(MENTOR[1]) as session:
        kept = [
            *(await session.exec(select(ReceivedFeedback))).all(),
            *(await session.exec(select(SharedFollowUp))).all(),
        ]
    assert not [row for row in kept if any(word in row.model_dump_json() for word in WORDS)]

    # What the late events report still counts: the consortium's figures have her answer.
    operator = feedback.tokens.headers("usr_ops", None, ["operator"])
    impact = (await feedback.http.get("/v1/impact", headers=operator)).json()
    counts = (impact["sessions_completed"], impact["follow_ups_recorded"], impact["average_rating"])
    assert counts == (1, 1, 5)


async def test_an_erasure_and_a_late_event_handled_in_one_transaction_leave_no_words(
    feedback: FeedbackService,
) -> None:
    """A group's redrive topic can hold a replayed erasure and a replayed event side by side: handled in one
    transaction of the person's org, the event after the erasure, the inbox's claim (made before the erasure
    ran) cannot have seen the person listed; the consumer checks again."""
    now = datetime.now(UTC)
    erased = Envelope.new(UserErased(user_id=MENTEE[0], org_id=MENTEE[1], erased_at=now), MENTEE[1])
    proposed = MatchProposed(
        proposal_id="prp_batch", ask_id="ask_batch", mentee_id=MENTEE[0], mentee_org_id=MENTEE[1],
        mentor_id=MENTOR[0], mentor_org_id=MENTOR[1], score=0.9, reasons=[], question=WORDS[0],
        background="", success_criteria=WORDS[1], skills=["x"], duration_minutes=30, proposed_at=now,
    )  # fmt: skip
    late = Envelope.new(proposed, MENTEE[1])
    for org in (MENTEE[1], MENTOR[1]):
        await feedback.runtime.stores.provision(org)
    settings = feedback.runtime.settings
    records = [
        Record(settings.topic(type(e.payload()).topic), e.value(), e.headers(), e.key(), offset=n)
        for n, e in enumerate((erased, late))
    ]
    await feedback.worker.process_batch(records)
    async with feedback.runtime.stores.session(MENTEE[1]) as session:
        texts = (await session.exec(select(SessionText))).all()
    assert [(t.proposal_id, t.question, t.success_criteria) for t in texts] == [("prp_batch", "", "")]
