from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from mentornet_common.consumer import Consumer
from mentornet_common.contracts import SessionScheduled
from mentornet_common.envelope import Envelope
from mentornet_common.kafka import ensure_topics
from mentornet_common.timers import TimerLoop
from mentornet_devkit.testing import as_record, deliver, eventually, header, outbox_events, produce, read_all
from sessions.handlers import HANDLERS, TIMERS
from sessions.models import Session

from .conftest import MENTEE, MENTOR, Sessions, proposed

pytestmark = pytest.mark.integration

SOON = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0).isoformat()


async def test_the_mentor_gets_an_offer_with_what_they_need_to_decide(sessions: Sessions) -> None:
    session_id = await sessions.offer()
    listed = (
        await sessions.http.get("/v1/sessions?status=proposed", headers=sessions.as_user(MENTOR))
    ).json()
    (offer,) = listed["items"]
    assert offer["id"] == session_id
    assert offer["status"] == "proposed"
    assert offer["question"] == "How do I push back on a 40% price rise at renewal?"
    assert offer["background"] and offer["success_criteria"]
    assert offer["duration_minutes"] == 30
    assert offer["mentee_card"]["headline"] == "Engineering manager"
    assert offer["reasons"]


async def test_each_org_keeps_its_own_participants_side(sessions: Sessions) -> None:
    session_id = await sessions.offer()
    for org in ("org_a", "org_b"):
        async with sessions.runtime.stores.session(org) as db:
            assert [s.id for s in (await db.exec(select(Session))).all()] == [session_id]
    assert (await sessions.get(MENTEE, session_id)).json()["mentor_id"] == "usr_mia"


async def test_nobody_but_the_participants_sees_a_session(sessions: Sessions) -> None:
    session_id = await sessions.offer()
    for outsider in (("usr_colleague", "org_a"), ("usr_colleague", "org_b"), ("usr_mia", "org_c")):
        assert (await sessions.get(outsider, session_id)).status_code == 404
        assert (await sessions.post(outsider, f"{session_id}/complete")).status_code == 404


async def test_accepting_schedules_it_on_both_sides(sessions: Sessions) -> None:
    session_id = await sessions.offer()
    accepted = await sessions.post(MENTOR, f"{session_id}/accept", {"start_at": SOON})
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "scheduled"
    assert accepted.json()["start_at"].startswith(SOON[:16])
    assert (await sessions.get(MENTEE, session_id)).json()["status"] == "proposed"  # not yet mirrored

    ce_type, payload = (await outbox_events(sessions.runtime, "org_b"))[-1]
    assert ce_type == "mentornet.session-scheduled.v1"
    assert payload["mentee_org_id"] == "org_a" and payload["mentor_org_id"] == "org_b"
    await sessions.mirror_last_event("org_b")
    mentee_view = (await sessions.get(MENTEE, session_id)).json()
    assert (mentee_view["status"], mentee_view["start_at"][:16]) == ("scheduled", SOON[:16])


async def test_only_the_mentor_answers_an_offer(sessions: Sessions) -> None:
    session_id = await sessions.offer(mentor=("usr_mia", "org_a"))  # same org: one shared copy
    assert (await sessions.post(MENTEE, f"{session_id}/accept", {"start_at": SOON})).status_code == 403
    assert (await sessions.post(MENTEE, f"{session_id}/decline", {"reason": "no"})).status_code == 403


@pytest.mark.parametrize(
    "start_at", ["2020-01-01T10:00:00+00:00", "2999-01-01T10:00:00+00:00", "2030-01-01T10:00"]
)
async def test_a_start_time_must_be_ahead_within_reach_and_with_an_offset(
    sessions: Sessions, start_at: str
) -> None:
    session_id = await sessions.offer()
    response = await sessions.post(MENTOR, f"{session_id}/accept", {"start_at": start_at})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.start_at"


async def test_declining_tells_matching_and_closes_the_offer(sessions: Sessions) -> None:
    session_id = await sessions.offer()
    declined = await sessions.post(MENTOR, f"{session_id}/decline", {"reason": "not my area"})
    assert (declined.json()["status"], declined.json()["reason"]) == ("declined", "not my area")
    ce_type, payload = (await outbox_events(sessions.runtime, "org_b"))[-1]
    assert ce_type == "mentornet.match-declined.v1"
    assert payload["proposal_id"].startswith("prp_")
    assert (await sessions.post(MENTOR, f"{session_id}/accept", {"start_at": SOON})).status_code == 409


async def test_either_participant_completes_a_scheduled_session(sessions: Sessions) -> None:
    session_id = await sessions.offer()
    assert (await sessions.post(MENTEE, f"{session_id}/complete")).status_code == 409  # not scheduled yet
    await sessions.post(MENTOR, f"{session_id}/accept", {"start_at": SOON})
    await sessions.mirror_last_event("org_b")
    completed = await sessions.post(MENTEE, f"{session_id}/complete")
    assert completed.json()["status"] == "completed"
    assert (await outbox_events(sessions.runtime, "org_a"))[-1][0] == "mentornet.session-completed.v1"
    await sessions.mirror_last_event("org_a")
    assert (await sessions.get(MENTOR, session_id)).json()["status"] == "completed"
    assert (await sessions.post(MENTOR, f"{session_id}/cancel", {"reason": "late"})).status_code == 409


async def test_a_scheduled_session_can_be_cancelled_with_a_reason(sessions: Sessions) -> None:
    session_id = await sessions.offer()
    assert (await sessions.post(MENTOR, f"{session_id}/cancel", {"reason": "busy"})).status_code == 409
    await sessions.post(MENTOR, f"{session_id}/accept", {"start_at": SOON})
    await sessions.mirror_last_event("org_b")
    cancelled = await sessions.post(MENTEE, f"{session_id}/cancel", {"reason": "solved it myself"})
    assert (cancelled.json()["status"], cancelled.json()["reason"]) == ("cancelled", "solved it myself")
    assert (await outbox_events(sessions.runtime, "org_a"))[-1][0] == "mentornet.session-cancelled.v1"


async def test_a_side_that_hears_of_the_schedule_before_the_offer_still_ends_up_whole(
    sessions: Sessions,
) -> None:
    offer = proposed()
    session_id = f"ses_{offer.proposal_id.removeprefix('prp_')}"
    ids = {"session_id": session_id, "ask_id": offer.ask_id}
    ids |= {"mentor_id": offer.mentor_id, "mentor_org_id": offer.mentor_org_id}
    ids |= {"mentee_id": offer.mentee_id, "mentee_org_id": offer.mentee_org_id}
    start = datetime.now(UTC) + timedelta(days=1)
    scheduled = SessionScheduled(
        **ids, proposal_id=offer.proposal_id, start_at=start, duration_minutes=30, scheduled_at=start
    )
    await deliver(sessions.worker, scheduled, "org_a")
    await deliver(sessions.worker, offer, "org_a")
    view = (await sessions.get(MENTEE, session_id)).json()
    assert view["status"] == "scheduled"
    assert view["question"] == offer.question


async def test_the_same_offer_delivered_twice_through_the_broker_is_one_session(sessions: Sessions) -> None:
    settings = sessions.runtime.settings
    await ensure_topics(settings, partitions=1)
    envelope = Envelope.new(proposed(), "org_a")
    worker = Consumer(sessions.runtime, "sessions-live", HANDLERS)
    await worker.start()
    try:
        await produce(
            settings.kafka_bootstrap_servers, settings.topic("mentornet.matches"), [as_record(envelope)] * 2
        )

        async def both_handled() -> bool:
            return worker.processed >= 2

        await eventually(both_handled, what="both deliveries handled")
    finally:
        await worker.stop()
    listed = (await sessions.http.get("/v1/sessions", headers=sessions.as_user(MENTOR))).json()
    assert len(listed["items"]) == 1


def _in_days(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


# unanswered offers expire -------------------------------------------------------------------------------


async def test_an_unanswered_offer_expires_when_its_time_comes_and_not_before(sessions: Sessions) -> None:
    offer = proposed()
    offer = offer.model_copy(update={"expires_at": offer.proposed_at + timedelta(hours=48)})
    await deliver(sessions.worker, offer, "org_b")
    await deliver(sessions.worker, offer, "org_a")
    session_id = f"ses_{offer.proposal_id.removeprefix('prp_')}"
    timers = TimerLoop(sessions.runtime, TIMERS, interval_s=60)
    assert await timers.tick(offer.proposed_at + timedelta(hours=47)) == 0
    assert await timers.tick(offer.proposed_at + timedelta(hours=48, seconds=1)) == 1
    assert await timers.tick(offer.proposed_at + timedelta(hours=49)) == 0  # fired once, never again
    events = await outbox_events(sessions.runtime, "org_b")
    expired = [p for t, p in events if t == "mentornet.match-expired.v1"]
    assert len(expired) == 1
    assert expired[0]["reason"] == "the mentor did not answer within 2 days"
    view = (await sessions.get(MENTOR, session_id)).json()
    assert view["status"] == "expired" and view["reason"] == expired[0]["reason"]
    late = await sessions.post(MENTOR, f"{session_id}/accept", {"start_at": _in_days(3)})
    assert late.status_code == 409


async def test_an_offer_past_its_time_cannot_be_accepted_even_before_the_timer_fires(
    sessions: Sessions,
) -> None:
    offer = proposed()
    offer = offer.model_copy(update={"expires_at": offer.proposed_at - timedelta(seconds=1)})
    await deliver(sessions.worker, offer, "org_b")
    session_id = f"ses_{offer.proposal_id.removeprefix('prp_')}"
    response = await sessions.post(MENTOR, f"{session_id}/accept", {"start_at": _in_days(3)})
    assert response.status_code == 409 and "expired" in response.json()["detail"]


async def test_an_answered_offer_never_expires(sessions: Sessions) -> None:
    offer = proposed()
    offer = offer.model_copy(update={"expires_at": offer.proposed_at + timedelta(minutes=5)})
    await deliver(sessions.worker, offer, "org_b")
    session_id = f"ses_{offer.proposal_id.removeprefix('prp_')}"
    assert (await sessions.post(MENTOR, f"{session_id}/accept", {"start_at": _in_days(3)})).status_code == 200
    timers = TimerLoop(sessions.runtime, TIMERS, interval_s=60)
    assert await timers.tick(offer.proposed_at + timedelta(days=1)) == 0


async def test_the_expiry_timer_runs_in_the_worker_against_the_real_broker(sessions: Sessions) -> None:
    """The worker's consumer receives the offer from the broker; its timer loop expires it and the
    match-expired event reaches the broker; the mentee's copy follows."""
    settings = sessions.runtime.settings
    await ensure_topics(settings, partitions=1)
    offer = proposed(mentee=("usr_ann", "org_a"))
    offer = offer.model_copy(update={"expires_at": datetime.now(UTC) + timedelta(seconds=1)})
    worker = Consumer(sessions.runtime, "sessions-live", HANDLERS)
    timers = TimerLoop(sessions.runtime, TIMERS, interval_s=0.2)
    await worker.start()
    await timers.start()
    try:
        await produce(
            settings.kafka_bootstrap_servers,
            settings.topic("mentornet.matches"),
            [as_record(Envelope.new(offer, "org_a"))],
        )
        records = await read_all(settings.kafka_bootstrap_servers, settings.topic("mentornet.sessions"), 1)
        assert header(records[0], "ce_type") == "mentornet.match-expired.v1"
        assert header(records[0], "ce_tenantid") == "org_a"
        session_id = f"ses_{offer.proposal_id.removeprefix('prp_')}"

        async def mentee_copy_expired() -> bool:
            return (await sessions.get(MENTEE, session_id)).json().get("status") == "expired"

        await eventually(mentee_copy_expired, what="the mentee's copy to follow the expiry")
    finally:
        await timers.stop()
        await worker.stop()
