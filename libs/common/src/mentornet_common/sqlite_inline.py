"""SQLite for asyncio without a thread per connection: SQLAlchemy's aiosqlite dialect, with each call run at
once in the event loop's thread.

aiosqlite gives every connection a thread and hands each call over to it. SQLAlchemy makes four calls per
statement (cursor, execute, fetch, close), and each hand-over costs a queue, a future, a wake-up of the
event loop and two switches of the interpreter lock: measured on a worker, more than 200 hand-overs per ask
and most of its CPU. SQLite itself answers a statement on a local file in microseconds, so here the calls
run in the loop's thread, without hand-over.

Nor does a call leave SQLAlchemy's greenlet: the dialect's adapter awaits each call by switching to the
event loop's greenlet and back, four round trips a statement, for coroutines that never wait. Here a call
that completed returns :class:`Done`, which the adapter of :func:`dbapi` (``create_async_engine(...,
module=dbapi())``) takes as it is; ``await`` works on it too. One consequence: SQLAlchemy's
``AsyncConnection.execute`` (and ``exec_driver_sql``, ``scalar``, ``stream``) insists that an await
happened and raises ``AwaitRequired`` once the statement has run; on these engines, go through a session,
or ``AsyncConnection.run_sync``, as mentornet's code does.

The one thing that can wait is another process's lock: a writer's ``BEGIN IMMEDIATE`` while someone else
writes the same file. SQLite's busy handler would sleep in the loop's thread, holding up every other task,
so the connection's busy timeout is 0 and a busy answer is waited out here instead, with asyncio sleeps of
0.5 ms doubling to 20 ms, until ``busy_timeout_s`` has passed; then SQLite's "database is locked" error is
raised as before (and the callers treat it as the store being unavailable). Such a call returns a coroutine,
awaited in the event loop as before. In WAL mode readers never wait.

A statement that itself runs long (a purge of many rows) holds up the loop for as long as it runs; mentornet's
statements touch a handful of rows through an index.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Coroutine, Generator, Iterable, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_dbapi
from sqlalchemy.util.concurrency import await_only

from mentornet_common.telemetry import SQLITE_LOCK_WAITS

T = TypeVar("T")

# Busy answers worth waiting out: the lock is held (SQLITE_BUSY) or the WAL is being recovered
# (SQLITE_BUSY_RECOVERY). Not SQLITE_BUSY_SNAPSHOT: a reader's snapshot went stale, and waiting cannot help.
_BUSY = {5, 5 | (1 << 8)}


class Done(Generic[T]):
    """A call that has completed: its value, awaitable without waiting."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def __await__(self) -> Generator[Any, None, T]:
        return self.value
        yield  # a generator: awaiting it returns at once


Call = Done[T] | Coroutine[Any, Any, T]


def await_inline(awaitable: Awaitable[T]) -> T:
    """The adapter's ``await_``: a completed call's value, without leaving the greenlet; anything else is
    awaited in the event loop (SQLAlchemy's ``await_only``)."""
    if isinstance(awaitable, Done):
        return awaitable.value  # type: ignore[no-any-return]
    return await_only(awaitable)


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

    def execute(self, sql: str, parameters: Any = ()) -> Call[InlineCursor]:
        return self._then_self(self._connection.run(self._cursor.execute, sql, parameters))

    def executemany(self, sql: str, parameters: Iterable[Any]) -> Call[InlineCursor]:
        return self._then_self(self._connection.run(self._cursor.executemany, sql, parameters))

    def _then_self(self, call: Call[Any]) -> Call[InlineCursor]:
        if type(call) is Done:
            return Done(self)
        return self._after(call)

    async def _after(self, call: Awaitable[Any]) -> InlineCursor:
        await call
        return self

    def fetchone(self) -> Done[Any]:
        return Done(self._cursor.fetchone())

    def fetchmany(self, size: int | None = None) -> Done[Sequence[Any]]:
        return Done(self._cursor.fetchmany(size if size is not None else self._cursor.arraysize))

    def fetchall(self) -> Done[Sequence[Any]]:
        return Done(self._cursor.fetchall())

    def close(self) -> Done[None]:
        self._cursor.close()
        return Done(None)


class InlineConnection:
    """The part of ``aiosqlite.Connection`` that SQLAlchemy's aiosqlite dialect uses."""

    def __init__(self, connection: sqlite3.Connection, busy_timeout_s: float) -> None:
        self._conn = connection
        self._tx = _Immediate()
        self._busy_timeout_s = busy_timeout_s

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def run(self, call: Callable[..., T], *args: Any) -> Call[T]:
        """``call(*args)`` now; while another process holds the lock, try again after a sleep (then the
        answer is a coroutine to await)."""
        try:
            return Done(call(*args))
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", None) not in _BUSY:
                raise
        return self._retry(call, args)

    async def _retry(self, call: Callable[..., T], args: tuple[Any, ...]) -> T:
        delay = 0.0005
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._busy_timeout_s
        while True:
            now = loop.time()
            if now >= deadline:
                return call(*args)  # a last try: its "database is locked" goes to the caller
            SQLITE_LOCK_WAITS.inc()
            await asyncio.sleep(min(delay, deadline - now))
            delay = min(delay * 2, 0.02)
            try:
                return call(*args)
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorcode", None) not in _BUSY:
                    raise

    def cursor(self) -> Done[InlineCursor]:
        return Done(InlineCursor(self))

    def execute(self, sql: str, parameters: Any = ()) -> Call[InlineCursor]:
        return InlineCursor(self).execute(sql, parameters)

    def commit(self) -> Call[None]:
        return self.run(self._conn.commit)

    def rollback(self) -> Done[None]:
        self._conn.rollback()
        return Done(None)

    def close(self) -> Done[None]:
        self._conn.close()
        return Done(None)

    def stop(self) -> None:
        self._conn.close()

    def create_function(self, *args: Any, **kwargs: Any) -> Done[None]:
        self._conn.create_function(*args, **kwargs)
        return Done(None)


class _Adapted(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's adapter of an aiosqlite connection, taking completed calls without a greenlet switch."""

    __slots__ = ()
    await_ = staticmethod(await_inline)


class _DBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *args: Any, **kwargs: Any) -> _Adapted:
        if kwargs.pop("async_fallback", False):
            raise ValueError("the inline SQLite adapter has no fallback mode")
        creator_fn = kwargs.pop("async_creator_fn", None)
        if creator_fn is None:
            raise ValueError("the inline SQLite adapter connects through async_creator=creator(...)")
        return _Adapted(self, await_only(creator_fn(*args, **kwargs)))


def dbapi() -> Any:
    """``create_async_engine(url, async_creator=creator(...), module=dbapi())`` for a ``sqlite+aiosqlite``
    URL."""
    import aiosqlite

    return _DBAPI(aiosqlite, sqlite3)


def creator(path: str, busy_timeout_s: float) -> Callable[[], Any]:
    """``create_async_engine(..., async_creator=creator(path, timeout))`` for a ``sqlite+aiosqlite`` URL."""

    async def connect() -> InlineConnection:
        # timeout=0: SQLite never sleeps in the loop's thread; InlineConnection.run waits instead.
        connection = sqlite3.connect(path, timeout=0, check_same_thread=False, isolation_level=None)
        return InlineConnection(connection, busy_timeout_s)

    return connect
