"""Common free time across time zones and a daylight-saving change."""

from __future__ import annotations

from datetime import UTC, datetime

from matching.availability import Interval, common_slots, intervals, minus, overlap, slots


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_weekly_window_follows_its_owners_clock_through_a_dst_change() -> None:
    # Berlin moves from UTC+1 to UTC+2 on Sunday 28 March 2027: Monday 09:00 is 08:00 UTC before, 07:00 after.
    found = intervals([(0, "09:00", "10:00")], "Europe/Berlin", utc(2027, 3, 20), days=14)
    assert [i.start for i in found] == [utc(2027, 3, 22, 8), utc(2027, 3, 29, 7)]
    assert all(i.minutes == 60 for i in found)


def test_two_zones_that_change_on_different_dates_still_meet_correctly() -> None:
    # New York moves to UTC-4 on 14 March 2027, Berlin to UTC+2 only on 28 March: for two weeks the
    # offices are 5 hours apart instead of 6, and the common hour shrinks.
    berlin = ([(2, "15:00", "17:00")], "Europe/Berlin")
    new_york = ([(2, "09:00", "11:00")], "America/New_York")
    found = common_slots(berlin, new_york, 60, utc(2027, 3, 8), days=21)
    assert found == [utc(2027, 3, 10, 14), utc(2027, 3, 10, 15), utc(2027, 3, 17, 14), utc(2027, 3, 24, 14)]


def test_the_horizon_clips_windows_and_a_window_may_end_at_midnight() -> None:
    found = intervals([(4, "22:00", "24:00")], "UTC", utc(2026, 12, 4, 23), days=1)
    assert found == [Interval(utc(2026, 12, 4, 23), utc(2026, 12, 5, 0))]


def test_busy_time_is_taken_out_and_slots_fit_the_length() -> None:
    free = [Interval(utc(2026, 12, 1, 9), utc(2026, 12, 1, 12))]
    busy = [Interval(utc(2026, 12, 1, 10), utc(2026, 12, 1, 10, 30))]
    left = minus(free, busy)
    assert left == [
        Interval(utc(2026, 12, 1, 9), utc(2026, 12, 1, 10)),
        Interval(utc(2026, 12, 1, 10, 30), utc(2026, 12, 1, 12)),
    ]
    assert slots(left, 45) == [utc(2026, 12, 1, 9), utc(2026, 12, 1, 10, 30), utc(2026, 12, 1, 11, 15)]
    assert overlap(left, [Interval(utc(2026, 12, 1, 9, 30), utc(2026, 12, 1, 11))]) == [
        Interval(utc(2026, 12, 1, 9, 30), utc(2026, 12, 1, 10)),
        Interval(utc(2026, 12, 1, 10, 30), utc(2026, 12, 1, 11)),
    ]


def test_an_unknown_zone_is_read_as_utc() -> None:
    assert intervals([(1, "09:00", "10:00")], "Mars/Olympus", utc(2026, 12, 1), days=1)[0].start == utc(
        2026, 12, 1, 9
    )
