"""An iCalendar (RFC 5545) invitation for one participant of a scheduled session.

Times are written in UTC (``DTSTART:20270329T070000Z``): an instant in UTC is the same instant in every
time zone and on either side of a daylight-saving change, so a calendar in Tokyo and one in Berlin show
the session at the right local time without a VTIMEZONE to get wrong. The description repeats the time in
the participant's own zone for people reading the invitation as text. ``UID`` is stable per session and
``SEQUENCE`` grows with every reschedule, so calendars update the event instead of adding another; a
cancelled session becomes ``STATUS:CANCELLED`` with ``METHOD:CANCEL``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mentornet_common.downloads import ical_text
from mentornet_common.timezones import zone
from sessions.models import Session

PRODUCT = "-//mentornet//sessions//EN"


def _escape(text: str) -> str:
    """TEXT values (RFC 5545 3.3.11), with no control character left to start a line of its own."""
    return ical_text(text)


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after CRLF and one space (RFC 5545 3.1)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start = [], 0
    limit = 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            end -= 1
        parts.append(data[start:end].decode())
        start, limit = end, 74  # continuation lines begin with the space
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def invitation(row: Session, viewer_id: str, now: datetime | None = None) -> str:
    """The ``.ics`` text for ``viewer_id`` (one of the two participants)."""
    if row.start_at is None:
        raise ValueError("a session without a start time has no invitation")
    start = row.start_at
    end = start + timedelta(minutes=row.duration_minutes)
    is_mentor = viewer_id == row.mentor_id
    timezone = (row.mentor_timezone if is_mentor else row.mentee_timezone) or "UTC"
    local = start.astimezone(zone(timezone))
    question = " ".join(row.question.split())
    role = "You mentor" if is_mentor else "Your mentoring session"
    description = "\n".join(
        part
        for part in (
            f"{role}: {question}",
            f"Success looks like: {row.success_criteria}" if row.success_criteria else "",
            f"Starts {local:%A %d %B %Y, %H:%M} ({timezone}); {row.duration_minutes} minutes.",
            f"Session {row.id} on mentornet.",
        )
        if part
    )
    cancelled = row.status == "cancelled"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
        "BEGIN:VEVENT",
        f"UID:{row.id}@mentornet",
        f"DTSTAMP:{_utc(now or datetime.now(UTC))}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(end)}",
        f"SEQUENCE:{row.sequence}",
        f"SUMMARY:{_escape('Mentoring: ' + (question[:70] + '…' if len(question) > 70 else question))}",
        f"DESCRIPTION:{_escape(description)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "DESCRIPTION:Mentoring session in 15 minutes",
        "TRIGGER:-PT15M",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
