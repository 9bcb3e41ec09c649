"""Per-session turn locks: two turns of one session never run at the same time, so none interleaves or is lost.

Policy: the second turn waits for the first (serialise), it is not rejected. In one process an `asyncio.Lock`
per session does it; with PostgreSQL, where several gateway processes share sessions, a session-level advisory
lock (`pg_advisory_lock`) held on a dedicated connection for the length of the turn does it across processes.
"""

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol

from config.sections import StorageConfig

if TYPE_CHECKING:  # psycopg is imported only in PostgreSQL mode
    from psycopg_pool import AsyncConnectionPool


class SessionLocks(Protocol):
    def hold(self, session_id: str) -> AbstractAsyncContextManager[None]:
        """Hold the session's lock for the duration of the block."""
        ...


class LocalSessionLocks:
    """In-process locks (SQLite and in-memory modes, which support one gateway process)."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @asynccontextmanager
    async def hold(self, session_id: str) -> AsyncIterator[None]:
        lock = self._locks.get(session_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[session_id] = lock
        async with lock:
            yield


class PostgresSessionLocks:
    """Advisory locks keyed by the session id, shared by every process on the database.

    The local lock is taken first, so turns of one process queue in memory and use one connection at a time.
    """

    def __init__(self, pool: "AsyncConnectionPool[Any]") -> None:
        self.pool = pool
        self.local = LocalSessionLocks()

    @asynccontextmanager
    async def hold(self, session_id: str) -> AsyncIterator[None]:
        async with self.local.hold(session_id), self.pool.connection() as connection:
            await connection.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (session_id,))
            try:
                yield
            finally:
                await connection.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (session_id,))


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
