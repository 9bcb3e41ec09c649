"""Store factory: the session registry and (later) memory backends live in a LangGraph `BaseStore`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore
from langgraph.store.sqlite.aio import AsyncSqliteStore

from api.settings import Settings


@asynccontextmanager
async def open_store(settings: Settings) -> AsyncIterator[BaseStore]:
    """Open the configured store and close it on exit (no vector index: see `memory.backends.vdb`)."""
    match settings.session_backend:
        case "memory":
            yield InMemoryStore()
        case "sqlite":
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            async with AsyncSqliteStore.from_conn_string(str(settings.data_dir / "store.sqlite")) as store:
                await store.setup()
                yield store
