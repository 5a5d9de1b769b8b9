"""SQLite for asyncio without a thread per connection: SQLAlchemy's aiosqlite dialect, with each call run at
once in the event loop's thread.

aiosqlite gives every connection a thread and hands each call over to it. SQLAlchemy makes four calls per
statement (cursor, execute, fetch, close), and each hand-over costs a queue, a future, a wake-up of the
event loop and two switches of the interpreter lock: measured on a worker, more than 200 hand-overs per ask
and most of its CPU. SQLite itself answers a statement on a local file in microseconds, so here the calls
run in the loop's thread, without hand-over.

The one thing that can wait is another process's lock: a writer's ``BEGIN IMMEDIATE`` while someone else
writes the same file. SQLite's busy handler would sleep in the loop's thread, holding up every other task,
so the connection's busy timeout is 0 and a busy answer is waited out here instead, with asyncio sleeps of
0.5 ms doubling to 20 ms, until ``busy_timeout_s`` has passed; then SQLite's "database is locked" error is
raised as before (and the callers treat it as the store being unavailable). In WAL mode readers never wait.

A statement that itself runs long (a purge of many rows) holds up the loop for as long as it runs; mentornet's
statements touch a handful of rows through an index.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from mentornet_common.telemetry import SQLITE_LOCK_WAITS

T = TypeVar("T")

# Busy answers worth waiting out: the lock is held (SQLITE_BUSY) or the WAL is being recovered
# (SQLITE_BUSY_RECOVERY). Not SQLITE_BUSY_SNAPSHOT: a reader's snapshot went stale, and waiting cannot help.
_BUSY = {5, 5 | (1 << 8)}


class _Immediate:
    """Stands in for aiosqlite's queue of calls: runs the call at once and settles its future."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:
            future.set_exception(exc)


class InlineCursor:
    """An aiosqlite-like cursor whose calls run at once."""

    def __init__(self, connection: InlineConnection) -> None:
        self._connection = connection
        self._cursor = connection._conn.cursor()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        await self._connection.run(self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        await self._connection.run(self._cursor.executemany, sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> Sequence[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class InlineConnection:
    """The part of ``aiosqlite.Connection`` that SQLAlchemy's aiosqlite dialect uses."""

    def __init__(self, connection: sqlite3.Connection, busy_timeout_s: float) -> None:
        self._conn = connection
        self._tx = _Immediate()
        self._busy_timeout_s = busy_timeout_s

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)`` now; while another process holds the lock, try again after a sleep."""
        delay, deadline = 0.0005, None
        loop = asyncio.get_running_loop()
        while True:
            try:
                return call(*args)
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorcode", None) not in _BUSY:
                    raise
                now = loop.time()
                deadline = now + self._busy_timeout_s if deadline is None else deadline
                if now >= deadline:
                    raise
                SQLITE_LOCK_WAITS.inc()
                await asyncio.sleep(min(delay, deadline - now))
                delay = min(delay * 2, 0.02)

    async def cursor(self) -> InlineCursor:
        return InlineCursor(self)

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        return await InlineCursor(self).execute(sql, parameters)

    async def commit(self) -> None:
        await self.run(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()

    def stop(self) -> None:
        self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)


def creator(path: str, busy_timeout_s: float) -> Callable[[], Any]:
    """``create_async_engine(..., async_creator=creator(path, timeout))`` for a ``sqlite+aiosqlite`` URL."""

    async def connect() -> InlineConnection:
        # timeout=0: SQLite never sleeps in the loop's thread; InlineConnection.run waits instead.
        connection = sqlite3.connect(path, timeout=0, check_same_thread=False, isolation_level=None)
        return InlineConnection(connection, busy_timeout_s)

    return connect
