"""Graph factory for `langgraph.json` (`langgraph dev`, LangGraph Studio).

It compiles the graph bare: the LangGraph server brings its own checkpointer and store.

The server calls the factory on every graph access (each run, each state read). The heavy handles (the embedding
model with the index, the embedded llama.cpp server) are therefore opened on the first access and kept by the
factory object for the life of the process; the model and index are used through threads, so any of the server's
event loops may share them. The chat client belongs to one event loop, so the compiled graph (with its
`Resources`, made by the same `build_resources` the gateway uses) is built once per event loop and reused by
every later access on that loop: an access then costs nothing, where building the client and compiling took
about 100 ms on a busy 2-core machine, the server's "Slow graph load" threshold.
"""

import asyncio
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
        self._graphs: dict[asyncio.AbstractEventLoop, CompiledTurnGraph] = {}
        """The graph built on each of the server's event loops (a handful, living as long as the process)."""

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
        loop = asyncio.get_running_loop()
        graph = self._graphs.get(loop)
        if graph is None:
            settings, index, endpoint = await self._open()
            resources = build_resources(settings, models_on(settings, endpoint, index), window_memory(settings))
            graph = self._graphs.setdefault(loop, build_graph(resources).compile(name="sage-gateway"))
        yield graph


make_graph = StudioGraphFactory()
