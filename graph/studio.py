"""Graph factory for `langgraph.json` (`langgraph dev`, LangGraph Studio).

It compiles the graph bare: the LangGraph server brings its own checkpointer and store.

The server calls the factory on every graph access (each run, each state read). The heavy handles (the embedding
model with the index, the embedded llama.cpp server) are therefore opened on the first access and kept by the
factory object for the life of the process; the model and index are used through threads, so any of the server's
event loops may share them. The chat client, which belongs to one event loop, is made anew on each access, and
the `Resources` with it, by the same `build_resources` the gateway uses.
"""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from config.settings import Settings
from graph.builder import CompiledTurnGraph, build_graph
from graph.resources import build_resources, models_on, open_index_and_endpoint, window_memory
from ingest.service import IndexService
from llm.endpoint import Endpoint


class StudioGraphFactory:
    """The `langgraph.json` entry: settings from the server's environment, heavy handles opened once."""

    def __init__(self) -> None:
        self._opened: tuple[Settings, IndexService, Endpoint] | None = None
        self._handles: AsyncExitStack | None = None
        """Holds the embedded server open; never closed: it lives until the process exits."""

    async def _open(self) -> tuple[Settings, IndexService, Endpoint]:
        """Open the heavy handles once. No lock: the server's accesses may run on different event loops, so two
        racing first accesses may both open, and the one that finishes second closes its own again."""
        if self._opened is None:
            settings = Settings()
            handles = AsyncExitStack()
            index, endpoint = await handles.enter_async_context(open_index_and_endpoint(settings))
            if self._opened is None:
                self._opened, self._handles = (settings, index, endpoint), handles
            else:
                await handles.aclose()
        return self._opened

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[CompiledTurnGraph]:
        """Yield the compiled turn graph, on resources from the environment (the server's `.env`)."""
        settings, index, endpoint = await self._open()
        resources = build_resources(settings, models_on(settings, endpoint, index), window_memory(settings))
        yield build_graph(resources).compile(name="sage-gateway")


make_graph = StudioGraphFactory()
