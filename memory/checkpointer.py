"""Checkpointer factory: where session conversations live."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver

from config.sections import StorageConfig
from memory.sqlite_offload import offloaded_saver
from memory.storage_faults import StorageHealth

Checkpointer = BaseCheckpointSaver[Any]


@asynccontextmanager
async def open_checkpointer(storage: StorageConfig, health: StorageHealth | None = None) -> AsyncIterator[Checkpointer]:
    """Open the configured saver and close it on exit (an open SQLite saver left behind hangs the process).

    Storage faults met later are reported to `health`; a database that cannot be opened raises
    `StorageOpenError`.
    """
    match storage.backend:
        case "memory":
            yield InMemorySaver()
        case "sqlite":
            storage.data_dir.mkdir(parents=True, exist_ok=True)
            path = storage.data_dir / "checkpoints.sqlite"
            async with offloaded_saver(path, storage.sqlite_synchronous, health) as saver:
                yield saver
        case "postgres":
            async with postgres_saver(storage, health) as postgres:
                yield postgres


@asynccontextmanager
async def postgres_saver(storage: StorageConfig, health: StorageHealth | None = None) -> AsyncIterator[Checkpointer]:
    """LangGraph's PostgreSQL saver on its own pool (autocommit, no prepared statements, dict rows, as it needs)."""
    from psycopg import AsyncConnection
    from psycopg.rows import DictRow, dict_row
    from psycopg_pool import AsyncConnectionPool

    from memory.postgres import ObservedPostgresSaver, open_error

    if storage.database_url is None:
        raise ValueError("the postgres session backend needs SAGE_GATEWAY_DATABASE_URL")
    url = storage.database_url.get_secret_value()
    pool: AsyncConnectionPool[AsyncConnection[DictRow]] = AsyncConnectionPool(
        url,
        min_size=1,
        max_size=storage.pool_size,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        open=False,
    )
    async with pool:
        saver = ObservedPostgresSaver(pool)
        try:
            await saver.setup()
        except Exception as exc:
            if (error := open_error(url, exc)) is None:
                raise
            raise error from exc
        saver.health = health
        yield saver
