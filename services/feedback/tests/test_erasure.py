"""Erasure against events that arrive after it.

``user-erased`` travels on identity's topic and nothing orders it with feedback's own events: the person's
feedback or follow-up, published just before they were erased, can reach the other participant's org after
the erasure there. What such a late event carries must not stay.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from feedback.models import ReceivedFeedback, SharedFollowUp
from mentornet_common.contracts import FeedbackSubmitted, FollowUpRecorded, SharedFeedback, UserErased
from mentornet_devkit.testing import deliver

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
