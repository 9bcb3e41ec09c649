"""Store factory: the session registry and (later) memory backends live in a LangGraph `BaseStore`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore

from api.settings import Settings
from memory.sqlite_offload import offloaded_store


@asynccontextmanager
async def open_store(settings: Settings) -> AsyncIterator[BaseStore]:
    """Open the configured store and close it on exit (no vector index: see `memory.backends.vdb`)."""
    match settings.resolved_session_backend():
        case "memory":
            yield InMemoryStore()
        case "sqlite":
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            async with offloaded_store(settings.data_dir / "store.sqlite", settings.sqlite_synchronous) as store:
                yield store
        case "postgres":
            from langgraph.store.postgres.aio import AsyncPostgresStore

            assert settings.database_url is not None
            url = settings.database_url.get_secret_value()
            pool = {"min_size": 1, "max_size": settings.database_pool_size}
            async with AsyncPostgresStore.from_conn_string(url, pool_config=pool) as store:  # type: ignore[arg-type]
                await store.setup()
                yield store
