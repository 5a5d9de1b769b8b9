"""Bounded limit/offset pagination, the same on every list endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, TypeVar

from fastapi import Query

T = TypeVar("T")

MAX_PAGE = 200
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Page size (at most {MAX_PAGE}).")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="The previous page's next_offset.")]


def page(rows: Sequence[T], limit: int, offset: int) -> tuple[list[T], int | None]:
    """Split rows fetched with ``limit + 1`` into the page and the next page's offset (None at the end)."""
    return list(rows[:limit]), (offset + limit if len(rows) > limit else None)
