"""LangGraph's PostgreSQL store and checkpointer, reporting storage faults (connection lost, disk full, ...).

Imported only in PostgreSQL mode, so the embedded default never loads psycopg.
"""

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import ChannelVersions, Checkpoint, CheckpointMetadata, CheckpointTuple
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.store.base import Op, Result
from langgraph.store.postgres.aio import AsyncPostgresStore
from psycopg.conninfo import conninfo_to_dict

from memory.storage_faults import StorageHealth, StorageOpenError, storage_fault


class ObservedPostgresStore(AsyncPostgresStore):
    """`AsyncPostgresStore` whose batch (behind every async store method) reports faults to `health`."""

    health: StorageHealth | None = None

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        try:
            return await super().abatch(ops)
        except Exception as exc:
            if self.health is not None:
                self.health.observe(exc)
            raise


class ObservedPostgresSaver(AsyncPostgresSaver):
    """`AsyncPostgresSaver` whose async methods report faults to `health`."""

    health: StorageHealth | None = None

    def _observe(self, exc: Exception) -> None:
        if self.health is not None:
            self.health.observe(exc)

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        try:
            return await super().aget_tuple(config)
        except Exception as exc:
            self._observe(exc)
            raise

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        try:
            async for checkpoint in super().alist(config, filter=filter, before=before, limit=limit):
                yield checkpoint
        except Exception as exc:
            self._observe(exc)
            raise

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        try:
            return await super().aput(config, checkpoint, metadata, new_versions)
        except Exception as exc:
            self._observe(exc)
            raise

    async def aput_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        try:
            await super().aput_writes(config, writes, task_id, task_path)
        except Exception as exc:
            self._observe(exc)
            raise

    async def adelete_thread(self, thread_id: str) -> None:
        try:
            await super().adelete_thread(thread_id)
        except Exception as exc:
            self._observe(exc)
            raise

    async def aget_delta_channel_history(self, *, config: RunnableConfig, channels: Sequence[str]) -> Mapping[str, Any]:
        try:
            return await super().aget_delta_channel_history(config=config, channels=channels)
        except Exception as exc:
            self._observe(exc)
            raise


def open_error(url: str, exc: BaseException) -> StorageOpenError | None:
    """A one-line `StorageOpenError` naming the database (host, port, name: never the password) when `exc` is a
    storage fault; None otherwise."""
    if storage_fault(exc) is None:
        return None
    try:
        parts = conninfo_to_dict(url)
        where = f"{parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"
    except Exception:  # an unparsable URL: the cause below says what is wrong
        where = "(unparsable URL)"
    cause = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return StorageOpenError(f"session database postgresql://{where} cannot be opened: {cause}")
