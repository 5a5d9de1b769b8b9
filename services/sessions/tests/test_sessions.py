from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlmodel import select

from mentornet_common.consumer import Consumer
from mentornet_common.contracts import SessionScheduled, TimeRange
from mentornet_common.envelope import Envelope
from mentornet_common.kafka import ensure_topics
from mentornet_common.timers import TimerLoop
from mentornet_devkit.testing import (
    as_record,
    deliver,
    eventually,
    full_scans,
    header,
    outbox_events,
    produce,
    query_plans,
    read_all,
    register,
)
from sessions.handlers import HANDLERS
from sessions.models import Session
from sessions.timers import TIMERS

from .conftest import MENTEE, MENTOR, Sessions, proposed

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


async def test_the_same_offer_delivered_twice_through_the_broker_is_one_session(
    sessions_on_broker: Sessions,
) -> None:
    settings = sessions_on_broker.runtime.settings
    await ensure_topics(settings, partitions=1)
    await register(sessions_on_broker.runtime, "org_a", "org_b")
    envelope = Envelope.new(proposed(), "org_a")
    worker = Consumer(sessions_on_broker.runtime, "sessions-live", HANDLERS)
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
    listed = (
        await sessions_on_broker.http.get("/v1/sessions", headers=sessions_on_broker.as_user(MENTOR))
    ).json()
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


async def test_the_expiry_timer_runs_in_the_worker_against_the_real_broker(
    sessions_on_broker: Sessions,
) -> None:
    """The worker's consumer receives the offer from the broker; its timer loop expires it and the
    match-expired event reaches the broker; the mentee's copy follows."""
    settings = sessions_on_broker.runtime.settings
    await ensure_topics(settings, partitions=1)
    await register(sessions_on_broker.runtime, "org_a", "org_b")
    offer = proposed(mentee=("usr_ann", "org_a"))
    offer = offer.model_copy(update={"expires_at": datetime.now(UTC) + timedelta(seconds=1)})
    worker = Consumer(sessions_on_broker.runtime, "sessions-live", HANDLERS)
    timers = TimerLoop(sessions_on_broker.runtime, TIMERS, interval_s=0.2)
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
            return (await sessions_on_broker.get(MENTEE, session_id)).json().get("status") == "expired"

        await eventually(mentee_copy_expired, what="the mentee's copy to follow the expiry")
    finally:
        await timers.stop()
        await worker.stop()


# scheduling: free time, clashes, reschedule, no-show, reminders, invitations -----------------------------


def _hour(hours: float) -> datetime:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)


async def _offer_with_free_time(sessions: Sessions, start: datetime, hours: int = 2) -> str:
    offer = proposed().model_copy(
        update={
            "free_time": [TimeRange(start=start, end=start + timedelta(hours=hours))],
            "slots": [start + timedelta(minutes=30 * i) for i in range(hours * 2)],
            "mentor_timezone": "Europe/Berlin",
        }
    )
    await deliver(sessions.worker, offer, "org_b")
    await deliver(sessions.worker, offer, "org_a")
    return f"ses_{offer.proposal_id.removeprefix('prp_')}"


async def _accepted(sessions: Sessions, start: datetime) -> str:
    session_id = await _offer_with_free_time(sessions, start)
    response = await sessions.post(MENTOR, f"{session_id}/accept", {"start_at": start.isoformat()})
    assert response.status_code == 200, response.text
    await sessions.mirror_last_event("org_b")
    return session_id


async def test_an_offer_carries_its_slots_and_is_accepted_inside_the_common_free_time(
    sessions: Sessions,
) -> None:
    start = _hour(50)
    session_id = await _offer_with_free_time(sessions, start)
    offer = (await sessions.get(MENTOR, session_id)).json()
    assert len(offer["slots"]) == 4 and offer["free_time"][0]["start"].startswith(
        start.strftime("%Y-%m-%dT%H")
    )

    outside = await sessions.post(
        MENTOR, f"{session_id}/accept", {"start_at": (start - timedelta(hours=3)).isoformat()}
    )
    assert outside.status_code == 422 and "body.start_at" in outside.text and "slots" in outside.text
    overruns = await sessions.post(
        MENTOR, f"{session_id}/accept", {"start_at": (start + timedelta(minutes=100)).isoformat()}
    )
    assert overruns.status_code == 422  # a 30-minute session starting 20 minutes before the end does not fit
    inside = await sessions.post(
        MENTOR, f"{session_id}/accept", {"start_at": (start + timedelta(minutes=45)).isoformat()}
    )
    assert inside.status_code == 200 and inside.json()["status"] == "scheduled"


async def test_a_time_clashing_with_another_session_of_either_person_is_refused(sessions: Sessions) -> None:
    start = _hour(30)
    other = SessionScheduled(
        session_id="ses_other", proposal_id="prp_other", ask_id="ask_other", mentor_id="usr_zed",
        mentor_org_id="org_c", mentee_id=MENTEE[0], mentee_org_id=MENTEE[1], start_at=start,
        duration_minutes=60, scheduled_at=datetime.now(UTC),
    )  # fmt: skip
    await deliver(sessions.worker, other, "org_a")  # the mentee already has a session then
    session_id = await _offer_with_free_time(sessions, start)
    clash = await sessions.post(
        MENTOR, f"{session_id}/accept", {"start_at": (start + timedelta(minutes=30)).isoformat()}
    )
    assert clash.status_code == 409 and "already has a session" in clash.json()["detail"]
    free = await sessions.post(
        MENTOR, f"{session_id}/accept", {"start_at": (start + timedelta(minutes=60)).isoformat()}
    )
    assert free.status_code == 200


async def test_either_participant_reschedules_with_a_reason_and_the_other_copy_follows(
    sessions: Sessions,
) -> None:
    start = _hour(40)
    session_id = await _accepted(sessions, start)
    later = start + timedelta(days=2)
    moved = await sessions.post(
        MENTEE, f"{session_id}/reschedule", {"start_at": later.isoformat(), "reason": "sick"}
    )
    assert moved.status_code == 200, moved.text
    event = [
        p
        for t, p in await outbox_events(sessions.runtime, "org_a")
        if t == "mentornet.session-rescheduled.v1"
    ]
    assert (
        event[0]["previous_start_at"].startswith(start.strftime("%Y-%m-%dT%H"))
        and event[0]["reason"] == "sick"
    )
    await sessions.mirror_last_event("org_a")
    mentor_view = (await sessions.get(MENTOR, session_id)).json()
    assert mentor_view["start_at"].startswith(later.strftime("%Y-%m-%dT%H"))
    past = await sessions.post(MENTOR, f"{session_id}/reschedule", {"start_at": _hour(-2).isoformat()})
    assert past.status_code == 422 and "body.start_at" in past.text
    bad = await sessions.post(MENTOR, f"{session_id}/reschedule", {"reason": "x"})
    assert bad.status_code == 422 and "body.start_at" in bad.text


async def test_a_no_show_is_reported_by_the_other_participant_once_the_time_has_come(
    sessions: Sessions,
) -> None:
    session_id = await _accepted(sessions, _hour(30))
    early = await sessions.post(MENTOR, f"{session_id}/no-show", {"reason": "she did not come"})
    assert early.status_code == 409
    async with sessions.runtime.stores.writer("org_b") as db:
        row = await db.get(Session, session_id)
        assert row is not None
        row.start_at = _hour(-1)
        db.add(row)
        await db.commit()
    reported = await sessions.post(MENTOR, f"{session_id}/no-show", {"reason": "she did not come"})
    assert reported.status_code == 200
    assert (reported.json()["status"], reported.json()["absent_id"]) == ("no_show", MENTEE[0])
    await sessions.mirror_last_event("org_b")
    assert (await sessions.get(MENTEE, session_id)).json()["status"] == "no_show"


async def test_reminders_come_24_hours_and_1_hour_before_each_once(sessions: Sessions) -> None:
    start = _hour(48)
    await _accepted(sessions, start)
    timers = TimerLoop(sessions.runtime, TIMERS, interval_s=60)

    async def reminders() -> list[str]:
        return [
            p["lead"]
            for t, p in await outbox_events(sessions.runtime, "org_a")
            if t == "mentornet.session-reminder-due.v1"
        ]

    assert await timers.tick(start - timedelta(hours=25)) == 0
    assert await timers.tick(start - timedelta(hours=23)) == 1
    assert await timers.tick(start - timedelta(hours=22)) == 0
    assert await timers.tick(start - timedelta(minutes=50)) == 1
    assert await timers.tick(start - timedelta(minutes=10)) == 0
    assert await reminders() == ["24h", "1h"]


async def test_a_session_booked_late_gets_only_the_1_hour_reminder(sessions: Sessions) -> None:
    start = _hour(3)
    await _accepted(sessions, start)
    timers = TimerLoop(sessions.runtime, TIMERS, interval_s=60)
    assert await timers.tick(start - timedelta(minutes=59)) == 1
    assert await timers.tick(start - timedelta(minutes=30)) == 0
    leads = [
        p["lead"]
        for t, p in await outbox_events(sessions.runtime, "org_a")
        if t == "mentornet.session-reminder-due.v1"
    ]
    assert leads == ["1h"]


async def test_the_reminder_timer_runs_in_the_worker_against_the_real_broker(
    sessions_on_broker: Sessions,
) -> None:
    settings = sessions_on_broker.runtime.settings
    await ensure_topics(settings, partitions=1)
    await register(sessions_on_broker.runtime, "org_a", "org_b")
    await _accepted(sessions_on_broker, datetime.now(UTC) + timedelta(minutes=40))
    timers = TimerLoop(sessions_on_broker.runtime, TIMERS, interval_s=0.2)
    await timers.start()
    try:
        records = await read_all(settings.kafka_bootstrap_servers, settings.topic("mentornet.sessions"), 2)
        reminders = [r for r in records if header(r, "ce_type") == "mentornet.session-reminder-due.v1"]
        assert len(reminders) == 1 and json.loads(reminders[0].value)["lead"] == "1h"
        assert header(reminders[0], "ce_tenantid") == "org_a"
    finally:
        await timers.stop()


async def test_each_participant_gets_an_invitation_a_real_parser_reads(sessions: Sessions) -> None:
    start = _hour(30)
    session_id = await _accepted(sessions, start)
    response = await sessions.http.get(
        f"/v1/sessions/{session_id}/calendar.ics", headers=sessions.as_user(MENTOR)
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    assert "\r\n" in response.text
    event = icalendar.Calendar.from_ical(response.text).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=30)
    assert str(event["UID"]) == f"{session_id}@mentornet" and int(event["SEQUENCE"]) == 0
    assert "push back on a 40% price rise" in str(event["DESCRIPTION"])
    offer = await sessions.http.get(
        f"/v1/sessions/{(await sessions.offer())}/calendar.ics", headers=sessions.as_user(MENTOR)
    )
    assert offer.status_code == 409  # not scheduled yet: no time to put in a calendar
    stranger = await sessions.http.get(
        f"/v1/sessions/{session_id}/calendar.ics", headers=sessions.as_user(("usr_x", "org_b"))
    )
    assert stranger.status_code == 404


async def test_a_forged_tenant_cannot_put_an_offer_into_another_orgs_store(sessions: Sessions) -> None:
    """A handler wrote to the store the payload's mentor_org_id named, whatever tenant sent the event."""
    await deliver(sessions.worker, proposed(), "org_x")  # names mentee org_a and mentor org_b
    async with sessions.runtime.stores.session(MENTOR[1]) as db:
        assert (await db.exec(select(Session))).all() == []
    listed = await sessions.http.get("/v1/sessions", headers=sessions.as_user(MENTOR))
    assert listed.json()["items"] == []
    session_id = await sessions.offer()  # the mentee's own org proposing: the mentor is offered it
    assert (await sessions.get(MENTOR, session_id)).status_code == 200


@pytest.mark.parametrize("store_backend", ["sqlite"], indirect=True)  # SQLite's EXPLAIN QUERY PLAN
async def test_the_timers_find_offers_to_expire_and_sessions_to_remind_through_an_index(
    sessions: Sessions,
) -> None:
    """An offer keeps its expiry time once answered or expired: the expiry timer walked every offer ever
    made, every few seconds in every store."""
    offer = proposed()
    offer = offer.model_copy(update={"expires_at": offer.proposed_at + timedelta(hours=48)})
    await deliver(sessions.worker, offer, "org_b")
    timers = TimerLoop(sessions.runtime, TIMERS, interval_s=60)
    with full_scans("session") as scans, query_plans() as plans:
        assert await timers.tick(offer.proposed_at + timedelta(hours=49)) == 1  # the offer expired
    assert scans == []
    expiring = [lines for statement, lines in plans if "session.expires_at <=" in statement]
    # The index narrows to the store's open offers (not every offer whose time has passed).
    assert expiring and all("mentor_org_id=?" in " ".join(lines) for lines in expiring), expiring
