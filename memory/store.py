"""Store factory: the session registry and the memory backends live in a LangGraph `BaseStore`."""

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast

from langgraph.store.base import BaseStore, Item, SearchOp
from langgraph.store.memory import InMemoryStore

from config.sections import StorageConfig
from memory.sqlite_offload import offloaded_store
from memory.storage_faults import StorageHealth


class RecentFirstInMemoryStore(InMemoryStore):
    """`InMemoryStore` listing a namespace most recently written first, as the SQLite and PostgreSQL stores do
    (`ORDER BY updated_at DESC`); the library's own lists items in the order they were first written."""

    def _filter_items(self, op: SearchOp) -> list[tuple[Item, list[list[float]]]]:
        # Without a filter the library stops collecting at offset + limit: collect everything, then order.
        matched = super()._filter_items(op._replace(offset=0, limit=sys.maxsize))
        return sorted(matched, key=lambda pair: pair[0].updated_at, reverse=True)


@asynccontextmanager
async def open_store(storage: StorageConfig, health: StorageHealth | None = None) -> AsyncIterator[BaseStore]:
    """Open the configured store and close it on exit (no vector index: see `memory.backends.vdb`).

    Storage faults met later are reported to `health`; a database that cannot be opened raises
    `StorageOpenError`.
    """
    match storage.backend:
        case "memory":
            yield RecentFirstInMemoryStore()
        case "sqlite":
            storage.data_dir.mkdir(parents=True, exist_ok=True)
            async with offloaded_store(storage.data_dir / "store.sqlite", storage.sqlite_synchronous, health) as store:
                yield store
        case "postgres":
            from langgraph.store.postgres.base import PoolConfig

            from memory.postgres import ObservedPostgresStore, open_error

            if storage.database_url is None:
                raise ValueError("the postgres session backend needs SAGE_GATEWAY_DATABASE_URL")
            url = storage.database_url.get_secret_value()
            pool = PoolConfig(min_size=1, max_size=storage.pool_size)
            async with ObservedPostgresStore.from_conn_string(url, pool_config=pool) as opened:
                postgres = cast(ObservedPostgresStore, opened)  # `from_conn_string` builds `cls`
                try:
                    await postgres.setup()
                except Exception as exc:
                    if (error := open_error(url, exc)) is None:
                        raise
                    raise error from exc
                postgres.health = health
                yield postgres
