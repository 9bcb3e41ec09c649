"""Storage faults: which database errors mean the session storage cannot serve, and when one was last seen.

A fault is an error of the database itself, not of the request: a full disk, a corrupt or foreign file, an I/O
error, a file that cannot be opened or written, a database that is locked, down or unreachable. Programming
errors (a constraint violated, a closed connection used, bad SQL) are not faults: they stay 500s, so a bug is
never reported as an outage.
"""

import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

SQLITE_FAULT_CODES = frozenset(
    {
        sqlite3.SQLITE_PERM,
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_NOMEM,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_CORRUPT,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PROTOCOL,
        sqlite3.SQLITE_NOTADB,
    }
)
"""Primary SQLite result codes of a database that cannot serve (`sqlite_errorcode & 0xFF`)."""

FAULT_HOLD_SECONDS = 30.0
"""How long readiness stays red after the last fault (a read that succeeds does not clear it: on a full disk reads
still work while every write fails)."""


class StorageOpenError(RuntimeError):
    """The session database cannot be opened at start (unreadable, corrupt, not a database, unreachable); the
    message is one line naming the database and the cause."""


def _is_sqlite_fault(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in SQLITE_FAULT_CODES
    # Raised without a result code: only the two classes SQLite's own failures use count.
    return type(exc) in (sqlite3.OperationalError, sqlite3.DatabaseError)


def _is_postgres_fault(exc: BaseException) -> bool:
    psycopg = sys.modules.get("psycopg")  # never imported: no PostgreSQL error can have been raised
    if psycopg is None:
        return False
    # Connection lost or refused, disk full, out of resources, pool timeout (all OperationalError), or corruption.
    return isinstance(exc, (psycopg.OperationalError, psycopg.errors.DataCorrupted, psycopg.errors.IndexCorrupted))


def storage_fault(exc: BaseException) -> BaseException | None:
    """The storage fault behind `exc` (itself or a cause or context it was raised from), or None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.Error) and _is_sqlite_fault(current):
            return current
        if _is_postgres_fault(current):
            return current
        current = current.__cause__ or current.__context__
    return None


@dataclass(frozen=True)
class StorageFault:
    error: str
    """The error's class name (never its text: it may name files or hosts)."""
    seconds_ago: float


class StorageHealth:
    """The last storage fault this process met, for readiness: red for `hold_seconds` after it."""

    def __init__(self, hold_seconds: float = FAULT_HOLD_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.hold_seconds = hold_seconds
        self._clock = clock
        self._last: tuple[float, str] | None = None

    def observe(self, exc: BaseException) -> bool:
        """Record `exc` if it is a storage fault; True when it was one."""
        fault = storage_fault(exc)
        if fault is None:
            return False
        self._last = (self._clock(), type(fault).__name__)
        return True

    def recent_fault(self) -> StorageFault | None:
        """The last fault if it is less than `hold_seconds` old."""
        if self._last is None:
            return None
        seen_at, error = self._last
        age = self._clock() - seen_at
        return StorageFault(error, age) if age < self.hold_seconds else None
