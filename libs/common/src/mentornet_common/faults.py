"""Transient versus permanent failure, decided once for every consumer, relay and timer.

A failure of the infrastructure — a store that cannot be reached, is locked, out of disk or restarting, a
broker that does not answer — says nothing about the event being handled: it passes, and the right answer
is to wait and try again for as long as it lasts. Anything else — an event that does not validate, a
handler that raises — will fail the same way every time: it is retried a few times, then parked on the
dead-letter topic so the partition can move on.

:func:`transient` answers which one an exception is, walking its causes (SQLAlchemy wraps the driver's
error; handlers may wrap either). :class:`Backoff` is the capped, jittered wait between tries.
"""

from __future__ import annotations

import errno
import logging
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from aiokafka.errors import KafkaError
from sqlalchemy import exc as sa

from mentornet_common.telemetry import BACKGROUND_FAILURES
from mentornet_common.tenancy import UnknownTenant

# PostgreSQL SQLSTATE classes and codes that describe the server or the moment, not the statement:
# connection exceptions, transaction rollbacks (serialization failure, deadlock), insufficient resources
# (disk full, too many connections), operator intervention (admin or crash shutdown, cannot connect now,
# statement cancelled by a failover), lock not available, and system errors (I/O).
_PG_CLASSES = ("08", "40", "53", "57", "58")
_PG_CODES = ("55P03", "55006")

# Operating-system errors of a disk or a process that is full, failing or busy, not of a wrong path.
_OS_ERRNOS = (errno.ENOSPC, errno.EIO, errno.EROFS, errno.EBUSY, errno.EAGAIN, errno.EMFILE, errno.ENFILE)

# SQLite's operational errors that describe the file or the moment; "no such table" and friends are bugs.
_SQLITE_MESSAGES = (
    "database is locked",
    "database table is locked",
    "disk i/o error",
    "unable to open database file",
    "database or disk is full",
    "attempt to write a readonly database",
    "database is busy",
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if isinstance(current, sa.DBAPIError) and current.orig is not None:
            yield current.orig
        current = current.__cause__ or current.__context__


def transient(error: BaseException) -> str | None:
    """Why ``error`` is a passing failure of the infrastructure (``store``, ``broker``, ``network``, or
    ``unknown-tenant`` for a store not provisioned yet), or None when it is the event's or the code's."""
    for cause in _chain(error):
        if isinstance(cause, UnknownTenant):
            return "unknown-tenant"
        if isinstance(cause, sa.DBAPIError) and cause.connection_invalidated:
            return "store"
        if isinstance(cause, sa.TimeoutError | sa.DisconnectionError | sa.InterfaceError):
            return "store"
        if isinstance(cause, sqlite3.OperationalError):
            message = str(cause).lower()
            if any(text in message for text in _SQLITE_MESSAGES):
                return "store"
        sqlstate = getattr(cause, "sqlstate", None)
        if isinstance(sqlstate, str) and (sqlstate[:2] in _PG_CLASSES or sqlstate in _PG_CODES):
            return "store"
        if type(cause).__module__.startswith("psycopg") and type(cause).__name__ in (
            "OperationalError",
            "InterfaceError",
        ):
            return "store"  # the driver lost or never had the connection (no SQLSTATE)
        if isinstance(cause, KafkaError):
            return "broker"
        if isinstance(cause, ConnectionError | TimeoutError):
            return "network"
        if isinstance(cause, OSError) and cause.errno in _OS_ERRNOS:
            return "store"
    return None


@dataclass
class Backoff:
    """Waits that double from ``first_s`` up to ``cap_s``, each drawn at random from its upper half, so that
    many replicas waiting on one store do not return in step."""

    first_s: float
    cap_s: float
    tries: int = 0

    def next(self) -> float:
        ceiling = min(self.cap_s, self.first_s * 2**self.tries)
        self.tries += 1
        return random.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.tries = 0


def report(
    component: str, error: BaseException, logger: logging.Logger, what: str, *args: object, tenant_id: str
) -> str:
    """Count a failure of a relay or timer round by what failed (``store``, ``broker``… or ``permanent``),
    log it (``what % args``, then the reason and the error) and answer it. Neither drops anything: the relay
    keeps a store's rows in order and tries again, a timer finds its due row again next round; a
    ``permanent`` failure is logged as an error for an operator."""
    reason = transient(error) or "permanent"
    BACKGROUND_FAILURES.labels(component, reason).inc()
    logger.log(
        logging.WARNING if reason != "permanent" else logging.ERROR,
        f"{what} (%s): %s",
        *args,
        reason,
        error,
        extra={"tenant": tenant_id, "error": str(error)},
    )
    return reason
