"""Per-session turn locks: two turns of one session never run at the same time, so none interleaves or is lost.

Policy: the second turn waits for the first (serialise), but only for a bounded time: a lock that is not free within
`wait` seconds raises `SessionBusyError` (the API answers 409 with `Retry-After`), never a hang. In one process an
`asyncio.Lock` per session does it. Several gateway processes share sessions in two ways, and a lock spans them in
each: with PostgreSQL a session-level advisory lock; with the SQLite files of one data dir a byte-range lock on one
file of it (worker processes, or two gateways started on one data dir). The advisory lock is tried
(`pg_try_advisory_lock`), not waited on, so a waiting turn holds no connection; only a turn that holds the lock
holds one, and turns hold locks only while they run (the runner never waits on a client while holding one), so slow
readers cannot exhaust the pool. A crashed process's locks go with its connections (or, for the file, with the
process).
"""

import asyncio
import errno
import fcntl
import hashlib
import itertools
import os
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import anyio

from config.sections import StorageConfig

if TYPE_CHECKING:  # psycopg is imported only in PostgreSQL mode
    from psycopg import AsyncConnection
    from psycopg_pool import AsyncConnectionPool

RETRY_POLL_SECONDS = (0.005, 0.02, 0.05, 0.1)
"""The back-off between tries of a lock that another process holds (then 0.1 s each)."""

LOCK_FILE_NAME = "session.locks"
"""The file in the SQLite data dir whose bytes stand for the sessions' locks."""


class SessionBusyError(Exception):
    """The session's lock stayed taken for the whole wait: another turn or change of the session is running."""

    def __init__(self, session_id: str, retry_after: float) -> None:
        super().__init__(f"session {session_id!r} is busy")
        self.session_id = session_id
        self.retry_after = retry_after


class LockCapacityError(Exception):
    """Every lock connection of this process is held by a running turn: the process is at its turn capacity."""

    def __init__(self, retry_after: float) -> None:
        super().__init__("no lock connection became free in time")
        self.retry_after = retry_after


class SessionLocks(Protocol):
    def hold(self, session_id: str, *, wait: float) -> AbstractAsyncContextManager[None]:
        """Hold the session's lock for the duration of the block, waiting at most `wait` seconds for it."""
        ...


async def tried_until(deadline: float, try_once: Callable[[], Awaitable[bool]]) -> bool:
    """Whether `try_once` succeeded before `deadline` (`time.monotonic`), tried with `RETRY_POLL_SECONDS` between."""
    for attempt in itertools.count():
        if await try_once():
            return True
        if time.monotonic() >= deadline:
            return False
        delay = RETRY_POLL_SECONDS[min(attempt, len(RETRY_POLL_SECONDS) - 1)]
        await asyncio.sleep(min(delay, max(deadline - time.monotonic(), 0)))
    raise AssertionError("unreachable")


class LocalSessionLocks:
    """In-process locks (SQLite and in-memory modes, which support one gateway process)."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @asynccontextmanager
    async def hold(self, session_id: str, *, wait: float) -> AsyncIterator[None]:
        lock = self._locks.get(session_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[session_id] = lock
        try:
            with anyio.fail_after(wait):
                await lock.acquire()
        except TimeoutError:
            raise SessionBusyError(session_id, retry_after=max(wait, 1.0)) from None
        try:
            yield
        finally:
            lock.release()


class FileSessionLocks:
    """Byte-range locks on one file, a byte per session, shared by every process that serves the same data dir.

    A session's byte sits at an offset hashed from its id (62 bits: two sessions sharing one would only wait for
    each other). The lock is tried without blocking (`F_SETLK`), so a waiting turn holds no thread. POSIX record
    locks belong to a process, not a descriptor: the local lock is taken first, so turns of one process exclude
    each other in memory, and the file stays open for as long as this object lives, because closing any
    descriptor of it would drop every lock the process holds on it. The kernel drops a crashed process's locks.
    """

    def __init__(self, path: Path) -> None:
        self.local = LocalSessionLocks()
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def close(self) -> None:
        os.close(self._fd)

    @asynccontextmanager
    async def hold(self, session_id: str, *, wait: float) -> AsyncIterator[None]:
        deadline = time.monotonic() + wait
        offset = session_byte(session_id)

        async def try_lock() -> bool:
            try:
                fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset, os.SEEK_SET)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                return False
            return True

        async with self.local.hold(session_id, wait=wait):
            if not await tried_until(deadline, try_lock):
                raise SessionBusyError(session_id, retry_after=max(wait, 1.0))
            try:
                yield
            finally:
                fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, offset, os.SEEK_SET)


def session_byte(session_id: str) -> int:
    """The offset of a session's byte in the lock file: 62 bits of its id's BLAKE2b digest."""
    digest = hashlib.blake2b(session_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 2


class PostgresSessionLocks:
    """Advisory locks keyed by the session id, shared by every process on the database.

    The local lock is taken first, so turns of one process queue in memory and try the database one at a time.
    """

    def __init__(self, pool: "AsyncConnectionPool[Any]") -> None:
        self.pool = pool
        self.local = LocalSessionLocks()

    @asynccontextmanager
    async def hold(self, session_id: str, *, wait: float) -> AsyncIterator[None]:
        deadline = time.monotonic() + wait
        async with self.local.hold(session_id, wait=wait):
            connection = await self._acquire(session_id, deadline, wait)
            try:
                yield
            finally:
                with anyio.CancelScope(shield=True):
                    await self._release(connection, session_id)

    async def _acquire(self, session_id: str, deadline: float, wait: float) -> "AsyncConnection[Any]":
        """A pool connection that holds the session's advisory lock, tried until `deadline`."""
        from psycopg_pool import PoolTimeout

        held: list[AsyncConnection[Any]] = []

        async def try_lock() -> bool:
            try:
                timeout = max(deadline - time.monotonic(), 0.01)
                connection: AsyncConnection[Any] = await self.pool.getconn(timeout=timeout)
            except PoolTimeout:
                raise LockCapacityError(retry_after=max(wait, 1.0)) from None
            try:
                cursor = await connection.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (session_id,))
                row = await cursor.fetchone()
            except BaseException:
                await self.pool.putconn(connection)
                raise
            if row is not None and row[0]:
                held.append(connection)
                return True
            await self.pool.putconn(connection)
            return False

        if await tried_until(deadline, try_lock):
            return held[0]
        raise SessionBusyError(session_id, retry_after=max(wait, 1.0))

    async def _release(self, connection: "AsyncConnection[Any]", session_id: str) -> None:
        """Unlock and return the connection; a connection that could not unlock is closed (which unlocks it), so
        no lock ever goes back into the pool."""
        try:
            await connection.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (session_id,))
        except Exception:
            await connection.close()
        await self.pool.putconn(connection)


@asynccontextmanager
async def open_session_locks(storage: StorageConfig) -> AsyncIterator[SessionLocks]:
    """Advisory locks on their own connection pool in PostgreSQL mode (a turn holds one connection while the
    checkpointer uses others), byte-range locks on a file of the data dir in SQLite mode, in-process locks for the
    in-memory backend (which serves one process)."""
    if storage.backend == "sqlite":
        storage.data_dir.mkdir(parents=True, exist_ok=True)
        file_locks = FileSessionLocks(storage.data_dir / LOCK_FILE_NAME)
        try:
            yield file_locks
        finally:
            file_locks.close()
        return
    if storage.backend != "postgres" or storage.database_url is None:
        yield LocalSessionLocks()
        return
    from psycopg_pool import AsyncConnectionPool

    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        storage.database_url.get_secret_value(),
        min_size=1,
        max_size=storage.pool_size,
        kwargs={"autocommit": True},
        open=False,
    )
    async with pool:
        yield PostgresSessionLocks(pool)
