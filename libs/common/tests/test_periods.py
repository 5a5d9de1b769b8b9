from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mentornet_common.periods import quarter_bounds, quarter_of


def test_a_moment_belongs_to_its_calendar_quarter() -> None:
    assert quarter_of(datetime(2026, 11, 27, tzinfo=UTC)) == "2026-Q4"
    assert quarter_of(datetime(2027, 3, 31, 23, 59, tzinfo=UTC)) == "2027-Q1"


def test_a_quarter_spans_three_months_end_exclusive() -> None:
    assert quarter_bounds("2027-Q1") == (datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC))
    assert quarter_bounds("2026-Q4") == (datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError):
        quarter_bounds("2026-Q5")
