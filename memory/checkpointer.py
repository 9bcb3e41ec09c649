"""Checkpointer factory: where session conversations live."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver

from config.sections import StorageConfig
from memory.sqlite_offload import offloaded_saver

Checkpointer = BaseCheckpointSaver[Any]


@asynccontextmanager
async def open_checkpointer(storage: StorageConfig) -> AsyncIterator[Checkpointer]:
    """Open the configured saver and close it on exit (an open SQLite saver left behind hangs the process)."""
    match storage.backend:
        case "memory":
            yield InMemorySaver()
        case "sqlite":
            storage.data_dir.mkdir(parents=True, exist_ok=True)
            async with offloaded_saver(storage.data_dir / "checkpoints.sqlite", storage.sqlite_synchronous) as saver:
                yield saver
        case "postgres":
            async with postgres_saver(storage) as postgres:
                yield postgres


@asynccontextmanager
async def postgres_saver(storage: StorageConfig) -> AsyncIterator[Checkpointer]:
    """LangGraph's PostgreSQL saver on its own pool (autocommit, no prepared statements, dict rows, as it needs)."""
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg import AsyncConnection
    from psycopg.rows import DictRow, dict_row
    from psycopg_pool import AsyncConnectionPool

    if storage.database_url is None:
        raise ValueError("the postgres session backend needs SAGE_GATEWAY_DATABASE_URL")
    pool: AsyncConnectionPool[AsyncConnection[DictRow]] = AsyncConnectionPool(
        storage.database_url.get_secret_value(),
        min_size=1,
        max_size=storage.pool_size,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        open=False,
    )
    async with pool:
        saver = AsyncPostgresSaver(pool)
        await saver.setup()
        yield saver
