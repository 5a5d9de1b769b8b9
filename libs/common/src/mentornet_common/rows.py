"""Single-statement writes for the hot paths: insert a row unless its key exists, or insert-or-update it.

A handler that reads a row by key, then adds or changes it, costs the ORM's identity map and unit of work
twice over; ``INSERT … ON CONFLICT`` does the same in one statement, on SQLite and PostgreSQL alike (each
through its own dialect's construct). Each statement is built once per table, dialect and shape, and run
with the row's values as parameters, so SQLAlchemy compiles it once. It bypasses the session's identity map:
use it for rows the same transaction does not also hold as ORM objects.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import Integer, Table, TextClause, bindparam, case, or_, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

# A condition on the row in the table (the model's columns) and the row offered (``excluded``'s columns).
When = Callable[[Table, Any], Any]


def dialect(session: AsyncSession) -> str:
    """Which of the two engines a session writes to: \"postgresql\" or \"sqlite\"."""
    bind = session.bind
    return "postgresql" if bind is not None and bind.dialect.name == "postgresql" else "sqlite"


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined, no-any-return]


_CAST = re.compile(r"(:\w+)::\w+(?:\[\])?")


def _dialect_insert(dialect: str) -> Any:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _compiled(statement: Any, table: Table, dialect: str, columns: tuple[str, ...]) -> TextClause:
    """The statement as SQL text with typed parameters. SQLAlchemy cannot cache the dialects'
    ``ON CONFLICT`` constructs (they have no cache key, so each execution compiles them again); text with
    typed parameters is cached like any statement, and each value still goes through its column's type."""
    named = (postgresql.dialect if dialect == "postgresql" else sqlite.dialect)(paramstyle="named")
    # PostgreSQL's compiler casts some parameters (``:skills::JSON``); the typed parameters below make the
    # driver's dialect cast them again, as for any statement, so the text goes without.
    sql = _CAST.sub(r"\1", str(statement.compile(dialect=named)))
    return text(sql).bindparams(*(bindparam(name, type_=table.c[name].type) for name in columns))


@functools.cache
def _insert_new(table: Table, dialect: str, columns: tuple[str, ...]) -> TextClause:
    statement = _dialect_insert(dialect)(table).values({name: bindparam(name) for name in columns})
    return _compiled(statement.on_conflict_do_nothing(), table, dialect, columns)


@functools.cache
def _upsert(
    table: Table,
    dialect: str,
    columns: tuple[str, ...],
    update: tuple[str, ...],
    add: tuple[str, ...],
    latest: tuple[str, ...],
    when: When | None,
) -> TextClause:
    statement = _dialect_insert(dialect)(table).values({name: bindparam(name) for name in columns})
    changes: dict[str, Any] = {name: statement.excluded[name] for name in update}
    changes |= {name: table.c[name] + statement.excluded[name] for name in add}
    changes |= {
        name: case(
            (
                or_(table.c[name].is_(None), statement.excluded[name] > table.c[name]),
                statement.excluded[name],
            ),
            else_=table.c[name],
        )
        for name in latest
    }
    statement = statement.on_conflict_do_update(
        index_elements=[column.name for column in table.primary_key],
        set_=changes,
        where=when(table, statement.excluded) if when is not None else None,
    )
    return _compiled(statement, table, dialect, columns)


@functools.cache
def _defaults(table: Table) -> tuple[tuple[str, Any, bool, bool], ...]:
    """Each column with its Python default, whether that default is a factory, and whether the column is
    a generated integer key (left to the database when not given). Worked out once per table."""
    columns = []
    for column in table.columns:
        generated = column.primary_key and column.autoincrement is not False and column.default is None
        default: Any = None
        if isinstance(column.default, ScalarElementColumnDefault | CallableColumnDefault):
            default = column.default.arg
        columns.append(
            (column.name, default, callable(default), generated and isinstance(column.type, Integer))
        )
    return tuple(columns)


def _row(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """Every column's value: the given ones, the others' Python defaults (a statement of one shape
    whatever columns a caller names); a generated key not given is left to the database."""
    row = {}
    for name, default, factory, generated in _defaults(table):
        if name in values:
            row[name] = values[name]
        elif not generated:
            # SQLAlchemy wraps a model's default_factory to take an execution context it does not use.
            row[name] = default(None) if factory else default
    return row


async def insert_new(session: AsyncSession, model: type[SQLModel], **values: Any) -> bool:
    """Insert a row unless one with its primary key exists; whether it was inserted."""
    table = _table(model)
    row = _row(table, values)
    result = await session.exec(_insert_new(table, dialect(session), tuple(row)), params=row)  # type: ignore[call-overload]
    return bool(result.rowcount)


async def upsert(
    session: AsyncSession,
    model: type[SQLModel],
    values: dict[str, Any],
    update: tuple[str, ...] = (),
    when: When | None = None,
    add: tuple[str, ...] = (),
    latest: tuple[str, ...] = (),
) -> None:
    """Insert a row, or, when its primary key exists, set its ``update`` columns to the values offered,
    add the offered values of its ``add`` columns to theirs (counters), and keep the later of the two
    values of its ``latest`` columns — only where ``when(table, excluded)`` holds, if given. ``when`` must
    be one function (not a new lambda each call): the statement is built once per shape."""
    table = _table(model)
    row = _row(table, values)
    statement = _upsert(table, dialect(session), tuple(row), update, add, latest, when)
    await session.exec(statement, params=row)  # type: ignore[call-overload]
