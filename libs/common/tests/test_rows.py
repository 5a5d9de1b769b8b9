"""Single-statement writes (mentornet_common.rows) on SQLite and PostgreSQL: insert-unless-present,
insert-or-update with a condition, counters, and statements SQLAlchemy compiles once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column, Table, or_
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.engine.interfaces import CacheStats
from sqlmodel import Field, SQLModel, select

from mentornet_common import rows
from mentornet_common.runtime import Runtime


class RowsProbe(SQLModel, table=True):
    __tablename__ = "rows_probe"

    key: str = Field(primary_key=True, max_length=20)
    label: str = Field(default="", max_length=50)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    first_seen: datetime | None = None
    count: int = 0


class RowsLog(SQLModel, table=True):
    """A generated integer key, and a unique column that says whether a row is already there."""

    __tablename__ = "rows_log"

    seq: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=20, unique=True)
    note: str = Field(max_length=50)


def _earlier(table: Table, offered: Any) -> Any:
    return or_(table.c.first_seen.is_(None), offered.first_seen < table.c.first_seen)


async def _all(runtime: Runtime, model: Any) -> list[Any]:
    async with runtime.stores.session("org_a") as session:
        return list((await session.exec(select(model))).all())


async def test_insert_new_keeps_the_first_row_and_says_whether_it_inserted(runtime: Runtime) -> None:
    async with runtime.stores.writer("org_a") as session:
        assert await rows.insert_new(session, RowsProbe, key="k1", label="first", tags=["a", "b"])
        assert not await rows.insert_new(session, RowsProbe, key="k1", label="second", tags=[])
        await session.commit()
    (row,) = await _all(runtime, RowsProbe)
    assert (row.key, row.label, row.tags, row.count) == ("k1", "first", ["a", "b"], 0)


async def test_a_generated_key_is_left_to_the_database_and_a_unique_column_stops_the_second(
    runtime: Runtime,
) -> None:
    async with runtime.stores.writer("org_a") as session:
        assert await rows.insert_new(session, RowsLog, event_id="e1", note="one")
        assert await rows.insert_new(session, RowsLog, event_id="e2", note="two")
        assert not await rows.insert_new(session, RowsLog, event_id="e1", note="again")
        await session.commit()
    logged = sorted((row.seq, row.event_id, row.note) for row in await _all(runtime, RowsLog))
    assert [(event, note) for _, event, note in logged] == [("e1", "one"), ("e2", "two")]
    assert all(seq is not None for seq, _, _ in logged)


async def test_upsert_updates_only_the_named_columns_and_only_when_the_condition_holds(
    runtime: Runtime,
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    async with runtime.stores.writer("org_a") as session:
        values = {"key": "k1", "label": "one", "first_seen": now}
        await rows.upsert(session, RowsProbe, values, update=("first_seen",), when=_earlier)
        later = {"key": "k1", "label": "two", "first_seen": now + timedelta(hours=1)}
        await rows.upsert(session, RowsProbe, later, update=("first_seen",), when=_earlier)
        await session.commit()
    (row,) = await _all(runtime, RowsProbe)
    assert (row.label, row.first_seen.replace(tzinfo=UTC)) == ("one", now)  # a later time changes nothing

    async with runtime.stores.writer("org_a") as session:
        earlier = {"key": "k1", "label": "three", "first_seen": now - timedelta(hours=1)}
        await rows.upsert(session, RowsProbe, earlier, update=("first_seen", "label"), when=_earlier)
        await session.commit()
    (row,) = await _all(runtime, RowsProbe)
    assert (row.label, row.first_seen.replace(tzinfo=UTC)) == ("three", now - timedelta(hours=1))


async def test_upsert_adds_to_counters(runtime: Runtime) -> None:
    async with runtime.stores.writer("org_a") as session:
        for _ in range(3):
            await rows.upsert(session, RowsProbe, {"key": "k1", "count": 1}, add=("count",))
        await rows.upsert(session, RowsProbe, {"key": "k2", "count": 5}, add=("count",))
        await session.commit()
    assert {row.key: row.count for row in await _all(runtime, RowsProbe)} == {"k1": 3, "k2": 5}


async def test_upsert_keeps_the_later_time_while_it_counts(runtime: Runtime) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    async with runtime.stores.writer("org_a") as session:
        for hours in (0, 2, 1):
            values = {"key": "k1", "count": 1, "first_seen": now + timedelta(hours=hours)}
            await rows.upsert(session, RowsProbe, values, add=("count",), latest=("first_seen",))
        await session.commit()
    (row,) = await _all(runtime, RowsProbe)
    assert (row.count, row.first_seen.replace(tzinfo=UTC)) == (3, now + timedelta(hours=2))


async def test_each_statement_is_compiled_once(runtime: Runtime) -> None:
    """The dialects' ON CONFLICT constructs have no cache key: compiled on every execution, they would cost
    more than the ORM's read-then-write they replace. rows hands SQLAlchemy statements it caches."""
    table = rows._table(RowsProbe)
    outcomes = []
    async with runtime.stores.writer("org_a") as session:
        for n in range(3):
            row = rows._row(table, {"key": f"k{n}", "count": 1})
            for statement in (
                rows._insert_new(table, rows.dialect(session), tuple(row)),
                rows._upsert(table, rows.dialect(session), tuple(row), (), ("count",), (), None),
            ):
                result = await session.exec(statement, params=row)  # type: ignore[call-overload]
                context = result.context
                assert isinstance(context, DefaultExecutionContext)
                outcomes.append(context.cache_hit)
        await session.commit()
    assert outcomes[2:] == [CacheStats.CACHE_HIT] * 4, outcomes
    assert {row.key: row.count for row in await _all(runtime, RowsProbe)} == {
        "k0": 2,
        "k1": 2,
        "k2": 2,
    }  # inserted, then added to
