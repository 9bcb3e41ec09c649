"""What every way of serving the gateway opens once per process: storage, models, the compiled turn graph and the
session registry.

The plain gateway (`sage-llm-gateway`) opens it in its lifespan; under the LangGraph Agent Server
(`langgraph dev`, see `api.agent_server`) the same foundation also backs the server's checkpointer, store and
graph, so that Studio and the HTTP API share one set of sessions and one embedded model.
"""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from langgraph.store.base import BaseStore

from config.settings import Settings
from graph.builder import CompiledTurnGraph, build_graph
from graph.resources import ModelHandles, Resources, build_resources, open_models, session_memory
from memory.checkpointer import Checkpointer, open_checkpointer
from memory.locks import SessionLocks, open_session_locks
from memory.sessions import NO_THREAD_DIRECTORY, SessionRegistry, ThreadDirectory
from memory.storage_faults import StorageHealth
from memory.store import open_store

GATEWAY_GRAPH_NAME = "sage-gateway"


@dataclass(frozen=True, kw_only=True)
class Foundation:
    """The open, process-wide parts of a gateway."""

    storage_health: StorageHealth
    checkpointer: Checkpointer
    store: BaseStore
    locks: SessionLocks
    models: ModelHandles
    resources: Resources
    graph: CompiledTurnGraph
    """The turn graph on the checkpointer and store, as the gateway's turns run it."""
    sessions: SessionRegistry


BACKGROUND_DRAIN_SECONDS = 10.0
"""How long shutdown waits for memory's background work (extraction, summaries) before cancelling it."""


@asynccontextmanager
async def open_foundation(
    settings: Settings,
    *,
    models: ModelHandles | None = None,
    threads: ThreadDirectory = NO_THREAD_DIRECTORY,
) -> AsyncIterator[Foundation]:
    """Open storage and models from `settings` (or around the given fake `models`) until the block ends.

    `threads` is told about sessions as they are created and deleted (the Agent Server's thread list).
    """
    async with AsyncExitStack() as stack:
        storage, storage_health = settings.storage(), StorageHealth()
        checkpointer = await stack.enter_async_context(open_checkpointer(storage, storage_health))
        store = await stack.enter_async_context(open_store(storage, storage_health))
        locks = await stack.enter_async_context(open_session_locks(storage))
        handles = models if models is not None else await stack.enter_async_context(open_models(settings))
        memory = session_memory(settings, store, handles)
        stack.push_async_callback(memory.background.drain, BACKGROUND_DRAIN_SECONDS)  # before the store closes
        resources = build_resources(settings, handles, memory)
        graph = build_graph(resources).compile(checkpointer=checkpointer, store=store, name=GATEWAY_GRAPH_NAME)
        yield Foundation(
            storage_health=storage_health,
            checkpointer=checkpointer,
            store=store,
            locks=locks,
            models=handles,
            resources=resources,
            graph=graph,
            sessions=SessionRegistry(store, checkpointer, resources.memory, graph, threads=threads),
        )
