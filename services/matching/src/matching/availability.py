"""Common free time: weekly availability windows, each in its owner's time zone, as concrete instants.

A window such as "Tuesday 09:00-12:00, Europe/Berlin" means different UTC instants in winter and in
summer; every computation here goes through ``zoneinfo`` day by day, so a daylight-saving change inside
the horizon moves the window's instants the way its owner's wall clock moves them. Matching's policy lives
here too: the 14-day horizon, and weekday working hours for a person who shared no windows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from mentornet_common.timezones import zone

HORIZON_DAYS = 14
# Used for a person who shared no windows of their own: weekday working hours in their own time zone.
WORKING_HOURS: tuple[tuple[int, str, str], ...] = tuple((day, "09:00", "17:00") for day in range(5))


class Window(Protocol):
    @property
    def weekday(self) -> int: ...
    @property
    def start(self) -> str: ...
    @property
    def end(self) -> str: ...


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


def _clock(value: str) -> time | None:
    return None if value == "24:00" else time.fromisoformat(value)


def _triples(
    windows: Iterable[Window | dict[str, object] | tuple[int, str, str]],
) -> list[tuple[int, str, str]]:
    triples = []
    for w in windows:
        if isinstance(w, tuple):
            triples.append(w)
        elif isinstance(w, dict):
            triples.append((int(str(w["weekday"])), str(w["start"]), str(w["end"])))
        else:
            triples.append((w.weekday, w.start, w.end))
    return triples


def intervals(
    windows: Iterable[Window | dict[str, object] | tuple[int, str, str]],
    timezone: str | None,
    start: datetime,
    days: int = HORIZON_DAYS,
) -> list[Interval]:
    """The windows' instants (UTC) from ``start`` for ``days`` days, in order, clipped to the horizon."""
    tz = zone(timezone)
    end = start + timedelta(days=days)
    by_day: dict[int, list[tuple[str, str]]] = {}
    for weekday, begin, finish in _triples(windows):
        by_day.setdefault(weekday, []).append((begin, finish))
    found: list[Interval] = []
    first = start.astimezone(tz).date() - timedelta(days=1)
    for offset in range(days + 2):
        day: date = first + timedelta(days=offset)
        for begin, finish in by_day.get(day.weekday(), []):
            opens = datetime.combine(day, _clock(begin) or time(0), tz)
            closes_at = _clock(finish)
            closes = (
                datetime.combine(day + timedelta(days=1), time(0), tz)
                if closes_at is None
                else datetime.combine(day, closes_at, tz)
            )
            # Through UTC, so a wall-clock time skipped or repeated by a DST change maps to one instant.
            opens_utc, closes_utc = opens.astimezone(UTC), closes.astimezone(UTC)
            lo, hi = max(opens_utc, start.astimezone(UTC)), min(closes_utc, end.astimezone(UTC))
            if lo < hi:
                found.append(Interval(lo, hi))
    return sorted(found, key=lambda i: i.start)


def overlap(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Where two sorted interval lists overlap."""
    found, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i].start, b[j].start), min(a[i].end, b[j].end)
        if lo < hi:
            found.append(Interval(lo, hi))
        if a[i].end < b[j].end:
            i += 1
        else:
            j += 1
    return found


def minus(free: Sequence[Interval], busy: Sequence[Interval]) -> list[Interval]:
    """``free`` without the (sorted) ``busy`` intervals."""
    left: list[Interval] = []
    for interval in free:
        pieces = [interval]
        for taken in busy:
            next_pieces = []
            for piece in pieces:
                if taken.end <= piece.start or taken.start >= piece.end:
                    next_pieces.append(piece)
                    continue
                if piece.start < taken.start:
                    next_pieces.append(Interval(piece.start, taken.start))
                if taken.end < piece.end:
                    next_pieces.append(Interval(taken.end, piece.end))
            pieces = next_pieces
        left.extend(pieces)
    return left


def slots(common: Sequence[Interval], minutes: int, step_minutes: int | None = None) -> list[datetime]:
    """Start instants of ``minutes``-long slots inside the common intervals, on a ``step`` grid
    (the slot length by default), each interval's slots counted from its start."""
    step = timedelta(minutes=step_minutes or minutes)
    length = timedelta(minutes=minutes)
    found = []
    for interval in common:
        moment = interval.start
        while moment + length <= interval.end:
            found.append(moment)
            moment += step
    return found


def common_slots(
    first: tuple[Iterable[Window | dict[str, object] | tuple[int, str, str]], str | None],
    second: tuple[Iterable[Window | dict[str, object] | tuple[int, str, str]], str | None],
    minutes: int,
    start: datetime,
    days: int = HORIZON_DAYS,
) -> list[datetime]:
    """Slots of ``minutes`` both people are free in the next ``days``, each side's windows in its own zone.

    A side that shared no windows counts as free during weekday working hours in its own zone.
    """
    sides = []
    for windows, timezone in (first, second):
        listed = list(windows)
        sides.append(intervals(listed or WORKING_HOURS, timezone, start, days))
    return slots(overlap(sides[0], sides[1]), minutes)
