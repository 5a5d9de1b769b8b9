"""Calendar quarters, the period every figure of mentornet is reported for (``2026-Q4``, UTC)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Query

QUARTER_PATTERN = r"^(\d{4})-Q([1-4])$"
# A ``?quarter=`` query parameter: absent means the current quarter; a malformed one is a 422 naming it.
QuarterQuery = Annotated[str | None, Query(pattern=QUARTER_PATTERN, examples=["2026-Q4"])]


def quarter_of(moment: datetime) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[datetime, datetime]:
    """[start, end) of a quarter such as ``2026-Q4``, in UTC."""
    found = re.match(QUARTER_PATTERN, quarter)
    if not found:
        raise ValueError("a quarter looks like 2026-Q4")
    year, q = int(found[1]), int(found[2])
    start = datetime(year, 3 * q - 2, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) if q == 4 else datetime(year, 3 * q + 1, 1, tzinfo=UTC)
    return start, end
