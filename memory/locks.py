"""Per-session turn locks: two turns of one session never run at the same time, so none interleaves or is lost.

Policy: the second turn waits for the first (serialise), but only for a bounded time: a lock that is not free
within `wait` seconds raises `SessionBusyError` (the API answers 409 with `Retry-After`), never a hang. In one
process an `asyncio.Lock` per session does it; with PostgreSQL, where several gateway processes share sessions, a
session-level advisory lock does it across processes. The advisory lock is tried (`pg_try_advisory_lock`), not
waited on, so a waiting turn holds no connection; only a turn that holds the lock holds one, and turns hold locks
only while they run (the runner never waits on a client while holding one), so slow readers cannot exhaust the
pool. A crashed process's locks go with its connections.
"""

import asyncio
import itertools
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol

import anyio

from config.sections import StorageConfig

if TYPE_CHECKING:  # psycopg is imported only in PostgreSQL mode
    from psycopg import AsyncConnection
    from psycopg_pool import AsyncConnectionPool

RETRY_POLL_SECONDS = (0.005, 0.02, 0.05, 0.1)
"""The back-off between tries of a PostgreSQL advisory lock that another process holds (then 0.1 s each)."""


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

        for attempt in itertools.count():
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
                return connection
            await self.pool.putconn(connection)
            if time.monotonic() >= deadline:
                break
            delay = RETRY_POLL_SECONDS[min(attempt, len(RETRY_POLL_SECONDS) - 1)]
            await asyncio.sleep(min(delay, max(deadline - time.monotonic(), 0)))
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
    checkpointer uses others), in-process locks otherwise."""
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
