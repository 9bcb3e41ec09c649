"""Checkpointer factory: where session conversations live."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from api.settings import Settings
from memory.sqlite_tuning import tune


@asynccontextmanager
async def open_checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver]:
    """Open the configured saver and close it on exit (an open SQLite saver left behind hangs the process)."""
    match settings.resolved_session_backend():
        case "memory":
            yield InMemorySaver()
        case "sqlite":
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            async with AsyncSqliteSaver.from_conn_string(str(settings.data_dir / "checkpoints.sqlite")) as saver:
                await saver.setup()
                await tune(saver.conn, settings.sqlite_synchronous)
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
