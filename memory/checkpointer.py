"""Checkpointer factory: where session conversations live."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver

from api.settings import Settings
from memory.sqlite_offload import offloaded_saver


@asynccontextmanager
async def open_checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver]:
    """Open the configured saver and close it on exit (an open SQLite saver left behind hangs the process)."""
    match settings.resolved_session_backend():
        case "memory":
            yield InMemorySaver()
        case "sqlite":
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            async with offloaded_saver(settings.data_dir / "checkpoints.sqlite", settings.sqlite_synchronous) as saver:
                yield saver
        case "postgres":
            from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
            from psycopg.rows import dict_row
            from psycopg_pool import AsyncConnectionPool

            assert settings.database_url is not None
            pool = AsyncConnectionPool(
                settings.database_url.get_secret_value(),
                min_size=1,
                max_size=settings.database_pool_size,
                kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
                open=False,
            )
            async with pool:
                saver = AsyncPostgresSaver(pool)  # type: ignore[arg-type]
                await saver.setup()
                yield saver
