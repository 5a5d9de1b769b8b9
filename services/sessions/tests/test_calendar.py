"""The invitation is valid RFC 5545 that an independent parser reads back to the right instants, in
every zone and across a daylight-saving change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from sessions.calendar import invitation
from sessions.models import Session


def session(start: datetime, **changes: object) -> Session:
    now = datetime(2027, 3, 1, tzinfo=UTC)
    values = {
        "id": "ses_1", "proposal_id": "prp_1", "ask_id": "ask_1", "mentor_id": "usr_mia",
        "mentor_org_id": "org_b", "mentee_id": "usr_ann", "mentee_org_id": "org_a", "status": "scheduled",
        "question": "How do I push back on a 40% price rise; at renewal, with 6 weeks left?\nUrgent.",
        "background": "", "success_criteria": "A plan, with a walk-away point", "skills": ["negotiation"],
        "duration_minutes": 45, "start_at": start, "mentor_timezone": "Europe/Berlin",
        "mentee_timezone": "America/New_York", "created_at": now, "updated_at": now, **changes,
    }  # fmt: skip
    return Session.model_validate(values)


def parsed(text: str) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(text)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    (event,) = calendar.walk("VEVENT")
    return event


def test_the_session_keeps_its_instant_across_a_dst_change_in_each_participants_zone() -> None:
    # Monday 29 March 2027: Berlin moved to summer time the day before, New York two weeks earlier.
    start = datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    for viewer, zone, local_hour in (("usr_mia", "Europe/Berlin", 9), ("usr_ann", "America/New_York", 3)):
        event = parsed(invitation(session(start), viewer))
        assert event.decoded("DTSTART") == start
        assert event.decoded("DTSTART").astimezone(ZoneInfo(zone)).hour == local_hour
        assert event.decoded("DTEND") == start + timedelta(minutes=45)
        assert f"{local_hour:02d}:00 ({zone})" in str(event["DESCRIPTION"])
    # A week earlier Berlin was still on winter time: the same 07:00 UTC is 08:00 there.
    earlier = parsed(invitation(session(start - timedelta(days=7)), "usr_mia"))
    assert earlier.decoded("DTSTART").astimezone(ZoneInfo("Europe/Berlin")).hour == 8


def test_text_is_escaped_and_long_lines_are_folded() -> None:
    text = invitation(session(datetime(2027, 1, 5, 9, tzinfo=UTC)), "usr_ann")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    event = parsed(text)
    assert "price rise; at renewal, with 6 weeks left?" in str(event["SUMMARY"])
    assert "price rise; at renewal, with 6 weeks left? Urgent." in str(event["DESCRIPTION"])
    assert "Success looks like: A plan, with a walk-away point" in str(event["DESCRIPTION"])


def test_a_rescheduled_session_updates_and_a_cancelled_one_cancels() -> None:
    start = datetime(2027, 1, 5, 9, tzinfo=UTC)
    moved = parsed(invitation(session(start, sequence=2), "usr_mia"))
    assert int(moved["SEQUENCE"]) == 2 and str(moved["STATUS"]) == "CONFIRMED"
    text = invitation(session(start, status="cancelled", sequence=3), "usr_mia")
    assert "METHOD:CANCEL" in text and str(parsed(text)["STATUS"]) == "CANCELLED"


def test_a_carriage_return_in_what_someone_wrote_starts_no_line_of_its_own() -> None:
    """A lone CR in success criteria landed raw in the .ics: a calendar could read what followed it as a
    property of its own (an alarm, an attendee)."""
    crafted = "A plan\rATTENDEE:mailto:attacker@evil.example\rBEGIN:VALARM"
    text = invitation(session(datetime(2027, 1, 5, 9, tzinfo=UTC), success_criteria=crafted), "usr_ann")
    lines = text.split("\r\n")
    assert not any("\r" in line or "\n" in line for line in lines)
    assert not [line for line in lines if line.startswith("ATTENDEE:mailto:attacker")]
    assert sum(line == "BEGIN:VALARM" for line in lines) == 1  # the invitation's own reminder only
    event = parsed(text)
    assert "ATTENDEE:mailto:attacker@evil.example" in str(event["DESCRIPTION"])
